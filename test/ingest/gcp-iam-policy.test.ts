import { describe, expect, test } from 'vitest';
import { gcpAssetInventory } from '../../src/ingest/gcp/asset-inventory.js';
import { gcpIamPolicy } from '../../src/ingest/gcp/iam-policy.js';
import { detectAdapter } from '../../src/ingest/registry.js';
import { readSniff } from '../../src/ingest/sniff.js';
import { openInput } from '../../src/ingest/source.js';
import { fixture, lineOf, ofKind, runAdapter, tempFile, utf16le, UTF8_BOM } from './helpers.js';

const FILE = fixture('gcp', 'iam-policy.json');
const DISPLAY = 'fixtures/gcp/iam-policy.json';
const DEPLOY = 'deploy-bot@acme-prod-123.iam.gserviceaccount.com';
const READER = 'report-reader@acme-prod-123.iam.gserviceaccount.com';
const OLD = 'old-etl@acme-prod-123.iam.gserviceaccount.com';
/** The `{` that opens a binding: the line above its first key. */
const bindingLine = (needle: string): number => lineOf(FILE, needle) - 1;

async function detectedBy(name: string, content: string | Uint8Array): Promise<string | undefined> {
  return detectAdapter(await readSniff(openInput(tempFile(name, content), name)))?.id;
}

describe('gcp-iam-policy detection', () => {
  test.each([
    ['get-iam-policy output', 'policy.json', '{\n  "bindings": [{"members": ["serviceAccount:a@p.iam.gserviceaccount.com"], "role": "roles/viewer"}],\n  "etag": "x"\n}\n', 'gcp-iam-policy'],
    ['search-all-iam-policies list', 'p.json', '[{"resource": "//storage.googleapis.com/b", "policy": {"bindings": [{"role": "roles/viewer", "members": ["user:a@x"]}]}}]', 'gcp-iam-policy'],
    ['a Cloud Asset export line', 'a.dump', '{"asset_type":"storage.googleapis.com/Bucket","name":"//storage.googleapis.com/b","iam_policy":{"bindings":[{"role":"roles/viewer","members":["user:a@x"]}]}}\n', 'gcp-asset-inventory'],
    ['a Kubernetes RoleBinding', 'rb.json', '{"kind":"RoleBinding","roleRef":{"name":"x"},"subjects":[{"kind":"User","name":"a"}]}', undefined],
    ['an AWS policy document', 'aws.json', '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}', undefined],
  ])('%s → %s', async (_name, file, content, expected) => {
    expect(await detectedBy(file, content)).toBe(expected);
  });

  test('the fixture is detected by content only, whatever its name', async () => {
    expect(gcpIamPolicy.detect(await readSniff(openInput(FILE, 'policy.txt')))).toBe(true);
    expect(gcpAssetInventory.detect(await readSniff(openInput(FILE, 'policy.txt')))).toBe(false);
  });
});

describe('gcp-iam-policy records', () => {
  test('one grant per service-account member and role, each at its binding; users, groups and domains are passed over', async () => {
    const { records, skips } = await runAdapter(gcpIamPolicy, FILE, DISPLAY);
    const grants = ofKind(records, 'grant');
    expect(grants.map((g) => [g.identity, g.actions, g.via, g.hasConditions, g.resources, g.source.line, g.source.pointer])).toEqual([
      [DEPLOY, ['roles/owner'], 'roles/owner', false, ['*'], bindingLine('"members"'), 'bindings[0]'],
      [READER, ['roles/storage.objectViewer'], 'roles/storage.objectViewer', true, ['*'], bindingLine('"condition"'), 'bindings[1]'],
      [OLD, ['roles/storage.objectViewer'], 'roles/storage.objectViewer', true, ['*'], bindingLine('"condition"'), 'bindings[1]'],
      [DEPLOY, ['projects/acme-prod-123/roles/deployer'], 'projects/acme-prod-123/roles/deployer', false, ['*'], lineOf(FILE, '"role": "roles/storage.objectViewer"') + 2, 'bindings[2]'],
    ]);
    expect(grants.every((g) => g.effect === 'allow' && !g.notActions && g.scope === undefined && g.source.file === DISPLAY)).toBe(true);
    // The binding without a role is skipped at its line; the rest is read.
    expect(skips).toEqual([{ line: lineOf(FILE, '"serviceAccount:orphan@') - 2, message: 'bindings[3]: role is required' }]);
  });

  test('one identity per service account; a deleted member is a deleted identity with its uid as an alias', async () => {
    const identities = ofKind((await runAdapter(gcpIamPolicy, FILE, DISPLAY)).records, 'identity');
    expect(identities.map((i) => [i.id, i.status, i.tenant, i.aliases])).toEqual([
      [DEPLOY, 'active', 'acme-prod-123', [`projects/acme-prod-123/serviceAccounts/${DEPLOY}`]],
      [READER, 'active', 'acme-prod-123', [`projects/acme-prod-123/serviceAccounts/${READER}`]],
      [OLD, 'deleted', 'acme-prod-123', [`projects/acme-prod-123/serviceAccounts/${OLD}`, '112233445566778899001']],
    ]);
    expect(identities.every((i) => i.type === 'service-account' && i.provider === 'gcp')).toBe(true);
  });

  test('a condition that is a conjunction keeps its request.time bounds; other expressions keep none', async () => {
    const binding = (expression: string) => ({ role: 'roles/editor', members: ['serviceAccount:a@p.iam.gserviceaccount.com'], condition: { title: 't', expression } });
    const path = tempFile(
      'p.json',
      JSON.stringify({
        bindings: [
          binding('request.time < timestamp("2026-01-01T00:00:00Z")'),
          binding('resource.name.startsWith("projects/p") && request.time >= timestamp(\'2025-06-01T00:00:00Z\')'),
          binding('request.time < timestamp("2026-01-01T00:00:00Z") || resource.type == "x"'),
          binding('resource.name.startsWith("projects/p")'),
        ],
      }),
    );
    const grants = ofKind((await runAdapter(gcpIamPolicy, path)).records, 'grant');
    expect(grants.map((g) => g.conditions)).toEqual([
      [{ operator: 'DateLessThan', key: 'request.time', values: ['2026-01-01T00:00:00Z'] }],
      [{ operator: 'DateGreaterThan', key: 'request.time', values: ['2025-06-01T00:00:00Z'] }],
      undefined,
      undefined,
    ]);
    expect(grants.every((g) => g.hasConditions)).toBe(true);
  });

  test('a policy alone names no project: a non-project service account gets none', async () => {
    const path = tempFile('p.json', JSON.stringify({ bindings: [{ role: 'roles/editor', members: ['serviceAccount:42-compute@developer.gserviceaccount.com'] }] }));
    const [identity] = ofKind((await runAdapter(gcpIamPolicy, path)).records, 'identity');
    expect(identity?.tenant).toBeNull();
  });

  test('the asset form names the project and the resource; a live member wins over a deleted one of the same email', async () => {
    const policy = [
      {
        resource: '//storage.googleapis.com/acme-invoices',
        project: 'projects/acme-prod-123',
        policy: { bindings: [{ role: 'roles/storage.objectAdmin', members: ['serviceAccount:42-compute@developer.gserviceaccount.com'] }] },
      },
      {
        name: '//cloudresourcemanager.googleapis.com/projects/acme-prod-123',
        iamPolicy: {
          bindings: [
            {
              role: 'roles/viewer',
              members: ['deleted:serviceAccount:a@acme-prod-123.iam.gserviceaccount.com?uid=1', 'serviceAccount:a@acme-prod-123.iam.gserviceaccount.com'],
            },
          ],
        },
      },
    ];
    const path = tempFile('search.json', JSON.stringify(policy, null, 2));
    const { records, skips } = await runAdapter(gcpIamPolicy, path, 'search.json');
    expect(skips).toEqual([]);
    const grants = ofKind(records, 'grant');
    expect(grants.map((g) => [g.identity, g.resources, g.scope, g.source.pointer, g.source.line])).toEqual([
      ['42-compute@developer.gserviceaccount.com', ['//storage.googleapis.com/acme-invoices'], '//storage.googleapis.com/acme-invoices', '[0].policy.bindings[0]', lineOf(path, '"role": "roles/storage.objectAdmin"') - 1],
      ['a@acme-prod-123.iam.gserviceaccount.com', ['*'], undefined, '[1].iamPolicy.bindings[0]', lineOf(path, '"role": "roles/viewer"') - 1],
    ]);
    const identities = ofKind(records, 'identity');
    expect(identities.map((i) => [i.id, i.tenant, i.status])).toEqual([
      ['42-compute@developer.gserviceaccount.com', 'acme-prod-123', 'active'],
      ['a@acme-prod-123.iam.gserviceaccount.com', 'acme-prod-123', 'active'],
    ]);
  });

  test.each([
    ['a UTF-8 BOM', Buffer.concat([UTF8_BOM, Buffer.from('{"bindings":[{"role":"roles/owner","members":["serviceAccount:a@p1.iam.gserviceaccount.com"]}]}')])],
    ['UTF-16LE (PowerShell)', utf16le('{\r\n  "bindings": [{"role": "roles/owner", "members": ["serviceAccount:a@p1.iam.gserviceaccount.com"]}]\r\n}\r\n')],
  ])('%s is read', async (_name, content) => {
    const path = tempFile('policy.json', content);
    expect(gcpIamPolicy.detect(await readSniff(openInput(path, 'x')))).toBe(true);
    const grants = ofKind((await runAdapter(gcpIamPolicy, path)).records, 'grant');
    expect(grants.map((g) => [g.identity, g.actions])).toEqual([['a@p1.iam.gserviceaccount.com', ['roles/owner']]]);
  });

  test('broken JSON is an input error with its line', async () => {
    const path = tempFile('policy.json', '{\n  "bindings": [\n    {"role": "roles/owner",, }\n  ]\n}\n');
    await expect(runAdapter(gcpIamPolicy, path, 'policy.json')).rejects.toMatchObject({ file: 'policy.json', line: 3 });
  });

  test('an entry that holds no policy is skipped with its pointer', async () => {
    const path = tempFile('p.json', '[\n  {"resource": "//x"},\n  {"bindings": [{"role": "roles/viewer", "members": ["serviceAccount:b@p2.iam.gserviceaccount.com"]}]}\n]\n');
    const { records, skips } = await runAdapter(gcpIamPolicy, path);
    expect(skips).toEqual([{ line: 2, message: '[0]: no IAM policy (bindings) found' }]);
    expect(ofKind(records, 'grant')).toHaveLength(1);
  });
});
