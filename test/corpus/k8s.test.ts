/*
 * Real Kubernetes exports published by others (../shared/corpus/k8s, see its
 * MANIFEST.md): each is recognised by a k8s adapter, reads under --strict
 * without a skip, and yields the records its content implies.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectAdapter } from '../../src/ingest/registry.js';
import { readSniff } from '../../src/ingest/sniff.js';
import { openInput } from '../../src/ingest/source.js';
import type { NormalizedRecord } from '../../src/model/index.js';
import { ofKind, strictContext } from '../ingest/helpers.js';
import { AS_OF, REPO, runCli } from '../helpers/cli.js';

const CORPUS = path.resolve(REPO, '../shared/corpus');
const DIR = path.join(CORPUS, 'k8s');
const present = existsSync(DIR);
const files = present ? readdirSync(DIR).sort() : [];

async function read(name: string): Promise<{ adapter: string | undefined; records: NormalizedRecord[] }> {
  const input = openInput(path.join(DIR, name), `k8s/${name}`);
  const adapter = detectAdapter(await readSniff(input));
  const records: NormalizedRecord[] = [];
  if (adapter === undefined) return { adapter: undefined, records };
  const ctx = await strictContext(input, name);
  for await (const record of adapter.read(input, ctx)) records.push(record);
  return { adapter: adapter.id, records };
}

describe.skipIf(!present)(`real Kubernetes exports in ${DIR}`, () => {
  it.each(files)('%s is read by a k8s adapter under strict rules and yields records', async (name) => {
    const { adapter, records } = await read(name);
    expect(adapter).toMatch(/^k8s-/);
    expect(records.length).toBeGreaterThan(0);
  });

  it('the impersonation log: 37 events by system:admin, each impersonating bob, alice or a service account', async () => {
    const events = ofKind((await read('audit-log-ndjson_audit2rbac-demo-impersonation.log')).records, 'event');
    expect(events).toHaveLength(37);
    expect(new Set(events.map((e) => e.identity))).toEqual(new Set(['system:admin']));
    expect(new Set(events.map((e) => e.actorChain.at(-1)))).toEqual(new Set(['bob', 'alice', 'system:serviceaccount:ns1:sa1']));
    expect(events.filter((e) => e.outcome === 'failure')).toHaveLength(11);
    expect(events[0]).toMatchObject({ action: 'list pods', resource: 'default/pods', sourceIp: '::1', source: { line: 1 } });
    expect(events.find((e) => e.action === 'get /api')).toBeDefined();
  });

  it('the bootstrap controller bindings: 38 kube-system service accounts, each bound to its system:controller role', async () => {
    const { records } = await read('rbac-clusterrolebindings-list-yaml_kubernetes-bootstrappolicy-controller-role-bindings.yaml');
    const identities = ofKind(records, 'identity');
    const grants = ofKind(records, 'grant');
    expect(identities).toHaveLength(38);
    expect(grants).toHaveLength(38);
    expect(identities[0]).toMatchObject({ id: 'system:serviceaccount:kube-system:attachdetach-controller', aliases: ['kube-system/attachdetach-controller'] });
    // The system:controller roles are not in this file nor in the built-in table: the binding shows as a role reference.
    expect(grants[0]).toMatchObject({
      actions: ['role:ClusterRole/system:controller:attachdetach-controller'],
      scope: 'cluster',
      source: { line: 3, pointer: '/items/0' },
    });
  });

  it.each([
    ['audit-event-json_falco-testdata_attach_cluster_admin_role.json', 'minikube-user', 'create clusterrolebindings', 'access'],
    ['audit-event-json_falco-testdata_create_cluster_role_wildcard_verbs.json', 'minikube-user', 'create clusterroles', 'access'],
    ['audit-event-json_falco-testdata_create_serviceaccount.json', 'minikube-user', 'create serviceaccounts', 'access'],
    ['audit-event-json_falco-testdata_create_service_account_token_secret.json', 'system:serviceaccount:test2:default', 'create secrets', 'credential-create'],
  ])('%s: one event by %s, %s (%s)', async (name, identity, action, category) => {
    const events = ofKind((await read(name)).records, 'event');
    expect(events.map((e) => [e.identity, e.action, e.category, e.outcome])).toEqual([[identity, action, category, 'success']]);
  });

  it('the tokens-controller secret: a never-expiring sa-token credential for test2/default', async () => {
    const credentials = ofKind((await read('audit-event-json_falco-testdata_create_service_account_token_secret.json')).records, 'credential');
    expect(credentials.map((c) => [c.id, c.identity, c.type, c.expiresAt, c.createdBy])).toEqual([
      ['test2/default-token-7v4pb', 'system:serviceaccount:test2:default', 'sa-token', null, 'system:kube-controller-manager'],
    ]);
  });

  it('corpus/k8s scans under --strict with every file recognised', async () => {
    const run = await runCli(['scan', DIR, '--strict', '--as-of', AS_OF, '--format', 'json', '--fail-on', 'none']);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as { skipped: unknown[]; inputs: { file: string; adapter?: string }[] };
    expect(report.skipped).toEqual([]);
    expect(report.inputs).toHaveLength(files.length);
  });
});

describe.skipIf(present)('real Kubernetes exports', () => {
  it(`are skipped: ${DIR} does not exist (clone with ../shared beside the project to run them)`, () => {
    expect(present).toBe(false);
  });
});
