import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { gcpAssetInventory } from '../../src/ingest/gcp/asset-inventory.js';
import { detectAdapter } from '../../src/ingest/registry.js';
import { readSniff } from '../../src/ingest/sniff.js';
import { openInput } from '../../src/ingest/source.js';
import { fixture, lineOf, ofKind, runAdapter, tempFile } from './helpers.js';

const POLICIES = fixture('gcp', 'assets-iam-policy.ndjson');
const RESOURCES = fixture('gcp', 'assets-resources.ndjson');
const ETL = 'etl-runner@acme-prod-123.iam.gserviceaccount.com';

async function detectedBy(name: string, content: string | Uint8Array): Promise<string | undefined> {
  return detectAdapter(await readSniff(openInput(tempFile(name, content), name)))?.id;
}

describe('gcp-asset-inventory detection', () => {
  test.each([
    ['snake_case export line', 'x.dump', '{"asset_type":"iam.googleapis.com/ServiceAccount","name":"//iam.googleapis.com/projects/p/serviceAccounts/1"}\n', 'gcp-asset-inventory'],
    ['camelCase API line', 'x.json', '{"assetType":"compute.googleapis.com/Instance","name":"//compute.googleapis.com/x"}\n', 'gcp-asset-inventory'],
    ['a JSON array of assets', 'x.json', '[\n  {"asset_type": "iam.googleapis.com/ServiceAccountKey", "name": "//iam.googleapis.com/projects/p/serviceAccounts/a/keys/k"}\n]\n', 'gcp-asset-inventory'],
    ['an asset type that is not a GCP type', 'x.json', '{"asset_type":"laptop","name":"n"}\n', undefined],
    ['an asset without a name', 'x.json', '{"asset_type":"iam.googleapis.com/ServiceAccount"}\n', undefined],
  ])('%s → %s', async (_name, file, content, expected) => {
    expect(await detectedBy(file, content)).toBe(expected);
  });

  test('a first asset longer than the sniff head is still recognised', async () => {
    const big = { asset_type: 'compute.googleapis.com/Instance', name: '//compute.googleapis.com/x', resource: { data: { pad: 'x'.repeat(70_000) } } };
    expect(await detectedBy('big.dump', `${JSON.stringify(big)}\n`)).toBe('gcp-asset-inventory');
  });
});

describe('gcp-asset-inventory IAM-policy assets', () => {
  test('grants per service-account member, with the project from the name or the ancestors and a scope below the project', async () => {
    const { records, skips } = await runAdapter(gcpAssetInventory, POLICIES, 'policies.ndjson');
    const grants = ofKind(records, 'grant');
    expect(grants.map((g) => [g.identity, g.via, g.resources, g.scope, g.hasConditions, g.source.line, g.source.pointer])).toEqual([
      [ETL, 'roles/editor', ['*'], undefined, false, 1, 'iam_policy.bindings[0]'],
      ['123456789012-compute@developer.gserviceaccount.com', 'roles/editor', ['*'], undefined, false, 1, 'iam_policy.bindings[0]'],
      [ETL, 'roles/storage.objectAdmin', ['//storage.googleapis.com/acme-invoices'], '//storage.googleapis.com/acme-invoices', true, 2, 'iamPolicy.bindings[0]'],
      ['inventory@acme-ops-7.iam.gserviceaccount.com', 'roles/resourcemanager.organizationViewer', ['*'], 'organizations/4455', false, 3, 'iam_policy.bindings[0]'],
    ]);
    const identities = ofKind(records, 'identity');
    expect(identities.map((i) => [i.id, i.tenant, i.source.line])).toEqual([
      [ETL, 'acme-prod-123', 1],
      // The default compute account's email names no project: the policy's project does.
      ['123456789012-compute@developer.gserviceaccount.com', 'acme-prod-123', 1],
      ['inventory@acme-ops-7.iam.gserviceaccount.com', 'acme-ops-7', 3],
    ]);
    // Other asset types (line 4) are passed over without a word.
    expect(skips).toEqual([
      { line: 5, message: 'iam_policy.bindings[0]: role is required' },
      { line: 6, message: 'asset_type (or assetType) is required' },
      { line: 7, message: 'not valid JSON' },
    ]);
  });
});

describe('gcp-asset-inventory resource assets', () => {
  test('service accounts with every name other sources use, and their status', async () => {
    const { records } = await runAdapter(gcpAssetInventory, RESOURCES, 'resources.ndjson');
    expect(ofKind(records, 'identity').map((i) => [i.id, i.status, i.tenant, i.displayName, i.aliases, i.source.line])).toEqual([
      [
        ETL,
        'active',
        'acme-prod-123',
        'ETL runner',
        [`projects/acme-prod-123/serviceAccounts/${ETL}`, '104857600000000000001'],
        lineOf(RESOURCES, '"email":"etl-runner@'),
      ],
      [
        'retired@acme-prod-123.iam.gserviceaccount.com',
        'disabled',
        'acme-prod-123',
        undefined,
        ['projects/acme-prod-123/serviceAccounts/retired@acme-prod-123.iam.gserviceaccount.com', '104857600000000000002'],
        lineOf(RESOURCES, '"email":"retired@'),
      ],
    ]);
  });

  test('keys: id from the name, holder, validity (9999 = never), system-managed and disabled keys', async () => {
    const { records, skips } = await runAdapter(gcpAssetInventory, RESOURCES, 'resources.ndjson');
    const keys = ofKind(records, 'credential');
    expect(keys.map((k) => [k.id, k.identity, k.type, k.issuedAt, k.expiresAt, k.providerManaged, k.active, k.tenant, k.source.line])).toEqual([
      ['3f1c2a9e8d7b6a5f4e3d2c1b0a998877', ETL, 'sa-key', Date.parse('2024-02-01T09:30:00Z'), null, false, true, 'acme-prod-123', lineOf(RESOURCES, 'keys/3f1c2a9e')],
      // No data.name: the asset name gives the key id and the holder by unique id, an alias of etl-runner.
      ['0a1b2c3d4e5f60718293a4b5c6d7e8f9', '104857600000000000001', 'sa-key', Date.parse('2026-10-30T04:00:00Z'), Date.parse('2026-11-15T04:00:00Z'), true, false, 'acme-prod-123', lineOf(RESOURCES, 'keys/0a1b2c3d')],
    ]);
    expect(skips).toEqual([
      { line: lineOf(RESOURCES, '"no email"'), message: 'resource.data.email is required' },
      { line: lineOf(RESOURCES, 'k-bad-time'), message: 'resource.data.validAfterTime: time "2024-02-01T09:30:00" has no zone; add Z or an offset such as +00:00' },
    ]);
  });

  test('a JSON array export points at each element; gzip is read', async () => {
    const lines = readFileSync(RESOURCES, 'utf8').trim().split('\n').slice(0, 3);
    const array = `[\n${lines.join(',\n')}\n]\n`;
    const path = tempFile('assets.json.gz', gzipSync(array));
    const { records, skips } = await runAdapter(gcpAssetInventory, path, 'assets.json.gz');
    expect(skips).toEqual([]);
    expect(records.map((r) => [r.kind, r.record.source.line, r.record.source.pointer])).toEqual([
      ['identity', 2, '[0]'],
      ['identity', 3, '[1]'],
      ['credential', 4, '[2]'],
    ]);
  });
});
