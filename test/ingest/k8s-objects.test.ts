import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { BOOTSTRAP_CLUSTER_ROLES } from '../../src/ingest/k8s/bootstrap-roles.js';
import { k8sObjects } from '../../src/ingest/k8s/objects.js';
import { ruleActions } from '../../src/ingest/k8s/rbac.js';
import { detectAdapter } from '../../src/ingest/registry.js';
import { readSniff } from '../../src/ingest/sniff.js';
import { openInput } from '../../src/ingest/source.js';
import { fixture, lineOf, ofKind, runAdapter, tempFile, utf16le, UTF8_BOM } from './helpers.js';

const YAML = fixture('k8s', 'rbac.yaml');
const LIST = fixture('k8s', 'clusterrolebindings-list.json');
const t = (iso: string): number => Date.parse(iso);

/** The nearest line at or above `line` that `isStart` accepts (1-based). */
function startAbove(file: string, line: number, isStart: (text: string) => boolean): number {
  const lines = readFileSync(file, 'utf8').split('\n');
  for (let i = line - 1; i >= 0; i -= 1) if (isStart(lines[i] ?? '')) return i + 1;
  throw new Error(`no start above line ${line} in ${file}`);
}

async function detects(name: string, content: string | Uint8Array): Promise<boolean> {
  const path = tempFile(name, content);
  return k8sObjects.detect(await readSniff(openInput(path, name)));
}

const SA_YAML = 'apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: app\n  namespace: prod\n';

describe('k8s-objects detection', () => {
  test.each([
    ['ServiceAccount YAML', 'sa.yaml', SA_YAML, true],
    ['ClusterRoleBinding with quoted header', 'crb.yml', 'apiVersion: "rbac.authorization.k8s.io/v1"\nkind: "ClusterRoleBinding"\n', true],
    ['kind: List of bindings', 'list.yaml', 'apiVersion: v1\nitems:\n- apiVersion: rbac.authorization.k8s.io/v1\n  kind: RoleBinding\nkind: List\n', true],
    ['typed RoleList', 'roles.yaml', 'apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleList\nitems: []\n', true],
    ['kind: List of pods', 'pods.yaml', 'apiVersion: v1\nitems:\n- apiVersion: v1\n  kind: Pod\nkind: List\n', false],
    ['Deployment manifest', 'deploy.yaml', 'apiVersion: apps/v1\nkind: Deployment\n', false],
    ['canonical inventory', 'inv.yaml', 'apiVersion: nhi-audit/v1\nkind: Inventory\nidentities: []\n', false],
    ['JSON ServiceAccount', 'sa.json', '{"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"a"}}', true],
    [
      'audit Event whose request body is a ClusterRoleBinding',
      'e.json',
      '{"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"x","verb":"create","requestObject":{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRoleBinding"}}',
      false,
    ],
    ['not Kubernetes', 'x.txt', 'hello\n', false],
  ])('%s → %s', async (_name, file, content, expected) => {
    expect(await detects(file, content)).toBe(expected);
  });

  test('a JSON List larger than the sniff is recognised by its leading apiVersion and an item kind', async () => {
    const item = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'b' } };
    const big = JSON.stringify({ apiVersion: 'v1', items: Array.from({ length: 2000 }, () => item), kind: 'List' }, null, 4);
    expect(big.length).toBeGreaterThan(64 * 1024);
    expect(await detects('big.json', big)).toBe(true);
  });

  test('the fixtures are detected, and by this adapter in the registry', async () => {
    for (const file of [YAML, LIST]) expect(detectAdapter(await readSniff(openInput(file, 'x')))?.id).toBe('k8s-objects');
  });
});

describe('k8s-objects records (multi-document YAML)', () => {
  const display = 'fixtures/k8s/rbac.yaml';
  const run = () => runAdapter(k8sObjects, YAML, display);
  // A document starts on the line after the `---` before it.
  const docLine = (needle: string): number => startAbove(YAML, lineOf(YAML, needle), (l) => l === '---') + 1;
  const at = (line: number) => ({ file: display, line });
  const deployer = 'system:serviceaccount:ci:deployer';

  test('malformed objects are skipped with their line; the rest is read', async () => {
    const { skips } = await run();
    expect(skips).toEqual([
      { line: docLine('name: broken-binding'), message: 'RoleBinding: roleRef is required' },
      {
        line: docLine('name: clock-skewed'),
        message: 'ServiceAccount: metadata.creationTimestamp: time "2025-03-01 08:00:00" has no zone; add Z or an offset such as +00:00',
      },
    ]);
  });

  test('a ServiceAccount object: identity with namespace/name alias and creation time', async () => {
    const identities = ofKind((await run()).records, 'identity');
    expect(identities.find((i) => i.id === deployer)).toEqual({
      id: deployer,
      aliases: ['ci/deployer'],
      type: 'service-account',
      provider: 'k8s',
      tenant: null,
      environment: null,
      owner: null,
      consumers: [],
      createdAt: t('2025-03-01T08:00:00Z'),
      status: 'active',
      disabledAt: null,
      lastUsedAt: null,
      source: at(lineOf(YAML, 'apiVersion: v1')),
    });
  });

  test('service accounts named only as subjects (kind ServiceAccount or a service-account User) become identities once', async () => {
    const identities = ofKind((await run()).records, 'identity');
    expect(identities.map((i) => [i.id, i.createdAt, i.source.line])).toEqual([
      [deployer, t('2025-03-01T08:00:00Z'), lineOf(YAML, 'apiVersion: v1')],
      ['system:serviceaccount:monitoring:scraper', null, docLine('name: deployer-admin')],
    ]);
  });

  test('RoleBinding to a Role in the same file: one grant per rule, verbs × resources, resourceNames kept', async () => {
    const grants = ofKind((await run()).records, 'grant').filter((g) => g.via === 'Role/pod-exec');
    const source = at(docLine('name: deployer-exec'));
    expect(grants).toEqual([
      {
        identity: deployer,
        actions: ['get pods', 'get pods/exec', 'create pods', 'create pods/exec'],
        notActions: false,
        resources: ['*'],
        effect: 'allow',
        via: 'Role/pod-exec',
        hasConditions: false,
        scope: 'namespace:ci',
        source,
      },
      {
        identity: deployer,
        actions: ['get configmaps'],
        notActions: false,
        resources: ['deploy-config'],
        effect: 'allow',
        via: 'Role/pod-exec',
        hasConditions: false,
        scope: 'namespace:ci',
        source,
      },
    ]);
  });

  test('ClusterRoleBinding to cluster-admin: `* *` on everything, cluster-wide, for each service-account subject', async () => {
    const grants = ofKind((await run()).records, 'grant').filter((g) => g.via === 'ClusterRole/cluster-admin');
    expect(grants.map((g) => [g.identity, g.actions, g.resources, g.scope, g.source.line])).toEqual([
      [deployer, ['* *'], ['*'], 'cluster', docLine('name: deployer-admin')],
      ['system:serviceaccount:monitoring:scraper', ['* *'], ['*'], 'cluster', docLine('name: deployer-admin')],
    ]);
  });

  test('an aggregated ClusterRole exported without its rules becomes a role:<Kind>/<name> grant', async () => {
    const grants = ofKind((await run()).records, 'grant').filter((g) => g.via === 'ClusterRole/monitoring-aggregate');
    expect(grants.map((g) => [g.identity, g.actions, g.scope, g.source.line])).toEqual([
      ['system:serviceaccount:monitoring:scraper', ['role:ClusterRole/monitoring-aggregate'], 'namespace:monitoring', docLine('name: scraper-monitoring')],
    ]);
  });

  test('users and groups get no grants: only service accounts are non-human identities here', async () => {
    const identities = new Set(ofKind((await run()).records, 'grant').map((g) => g.identity));
    expect([...identities].sort()).toEqual([deployer, 'system:serviceaccount:monitoring:scraper']);
  });

  test('a legacy token Secret: a never-expiring sa-token credential of its service account; other Secrets are ignored', async () => {
    const credentials = ofKind((await run()).records, 'credential');
    expect(credentials).toEqual([
      {
        id: 'ci/deployer-token-x7k2p',
        identity: deployer,
        type: 'sa-token',
        issuedAt: t('2024-05-20T10:15:00Z'),
        expiresAt: null,
        lastRotatedAt: null,
        lastUsedAt: null,
        scopes: [],
        tenant: null,
        clientId: null,
        onBehalfOf: null,
        approval: null,
        revokedAt: null,
        createdBy: null,
        active: true,
        source: at(docLine('name: deployer-token-x7k2p')),
      },
    ]);
  });

  test('secret data never reaches a record', async () => {
    const out = JSON.stringify((await run()).records);
    expect(out).not.toContain('ZmFrZS10b2tlbi1ub3QtYS1yZWFsLWp3dA');
    expect(out).not.toContain('aHVudGVyMg');
  });

  test.each([
    ['UTF-8 BOM', (s: string) => Buffer.concat([UTF8_BOM, Buffer.from(s)])],
    ['UTF-16LE', (s: string) => utf16le(s)],
    ['CRLF', (s: string) => Buffer.from(s.replace(/\n/g, '\r\n'))],
    ['gzip', (s: string) => gzipSync(Buffer.from(s))],
  ])('%s input reads the same records with the same lines', async (_name, encode) => {
    const original = await run();
    const path = tempFile('rbac.yaml.gz', encode(readFileSync(YAML, 'utf8')));
    const again = await runAdapter(k8sObjects, path, display);
    expect(again.records).toEqual(original.records);
    expect(again.skips).toEqual(original.skips);
  });

  test('a YAML syntax error rejects the file with its line', async () => {
    const path = tempFile('bad.yaml', `${SA_YAML}---\napiVersion: v1\nkind: ServiceAccount\nmetadata: [unclosed\n`);
    await expect(runAdapter(k8sObjects, path, 'bad.yaml')).rejects.toMatchObject({ file: 'bad.yaml', line: 9 });
  });
});

describe('k8s-objects records (kubectl -o json List)', () => {
  const display = 'fixtures/k8s/clusterrolebindings-list.json';
  const run = () => runAdapter(k8sObjects, LIST, display);
  // kubectl indents each item's opening brace by 8 spaces.
  const itemLine = (name: string): number => startAbove(LIST, lineOf(LIST, `"name": "${name}"`), (l) => l === '        {');
  const vault = 'system:serviceaccount:security:vault-sync';

  test('items keep their line and an /items/<n> pointer; a ClusterRoleBinding subject without namespace is skipped', async () => {
    const { records, skips } = await run();
    expect(skips).toEqual([
      { line: itemLine('no-namespace'), message: 'ClusterRoleBinding: subjects[0].namespace is required for a ServiceAccount' },
    ]);
    expect(ofKind(records, 'identity').map((i) => [i.id, i.source])).toEqual([
      [vault, { file: display, line: itemLine('vault-sync-secret-reader'), pointer: '/items/1' }],
    ]);
  });

  test('a ClusterRole from the same List resolves, non-resource URLs included', async () => {
    const grants = ofKind((await run()).records, 'grant').filter((g) => g.via === 'ClusterRole/secret-reader');
    expect(grants.map((g) => [g.identity, g.actions, g.resources, g.scope])).toEqual([
      [vault, ['get secrets', 'list secrets', 'watch secrets'], ['*'], 'cluster'],
      [vault, ['get /metrics'], ['*'], 'cluster'],
    ]);
  });

  test('a built-in ClusterRole (view) not in the file comes from the bootstrap table', async () => {
    const grants = ofKind((await run()).records, 'grant').filter((g) => g.via === 'ClusterRole/view');
    expect(grants).toHaveLength(1);
    expect(grants[0]?.actions).toContain('list pods');
    expect(grants[0]?.actions).not.toContain('get secrets');
    expect(grants[0]?.source).toEqual({ file: display, line: itemLine('vault-sync-view'), pointer: '/items/2' });
  });
});

describe('bootstrap role table', () => {
  const actionsOf = (name: string): string[] => (BOOTSTRAP_CLUSTER_ROLES.get(name) ?? []).flatMap(ruleActions);

  test.each([
    ['cluster-admin', '* *', true],
    ['admin', 'create rolebindings', true],
    ['edit', 'create rolebindings', false],
    ['edit', 'create pods/exec', true],
    ['edit', 'impersonate serviceaccounts', true],
    ['view', 'get secrets', false],
    ['view', 'get pods/log', true],
  ])('%s grants %s: %s', (role, action, expected) => {
    expect(actionsOf(role).includes(action)).toBe(expected);
  });

  test('each role holds what the role it aggregates holds', () => {
    expect(actionsOf('edit')).toEqual(expect.arrayContaining(actionsOf('view')));
    expect(actionsOf('admin')).toEqual(expect.arrayContaining(actionsOf('edit')));
  });
});
