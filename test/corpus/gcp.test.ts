/*
 * Real GCP exports published by others (../shared/corpus/gcp, see its MANIFEST.md):
 * each is recognised by a GCP adapter, reads under --strict without a skip,
 * and yields the records its content holds.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectAdapter } from '../../src/ingest/registry.js';
import { readSniff } from '../../src/ingest/sniff.js';
import { openInput } from '../../src/ingest/source.js';
import type { NormalizedRecord } from '../../src/model/index.js';
import { AS_OF, REPO, runCli } from '../helpers/cli.js';
import { ofKind } from '../ingest/helpers.js';

const CORPUS = path.resolve(REPO, '../shared/corpus');
const DIR = path.join(CORPUS, 'gcp');
const present = existsSync(DIR);

async function read(name: string): Promise<{ adapter: string | undefined; records: NormalizedRecord[] }> {
  const input = openInput(path.join(DIR, name), `gcp/${name}`);
  const sniff = await readSniff(input);
  const adapter = detectAdapter(sniff);
  const records: NormalizedRecord[] = [];
  if (adapter === undefined) return { adapter: undefined, records };
  const ctx = { sniff, skip: (line: number, message: string): void => { throw new Error(`gcp/${name}:${line}: ${message}`); } };
  for await (const record of adapter.read(input, ctx)) records.push(record);
  return { adapter: adapter.id, records };
}

describe.skipIf(!present)(`real GCP exports in ${DIR}`, () => {
  it('every file reads under --strict, recognised by a GCP adapter, and yields records', async () => {
    const run = await runCli(['scan', DIR, '--strict', '--as-of', AS_OF, '--format', 'json', '--fail-on', 'none']);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as { skipped: unknown[]; inputs: { file: string; format: string; records: Record<string, number> }[] };
    expect(report.skipped).toEqual([]);
    expect(report.inputs).toHaveLength(readdirSync(DIR).length);
    for (const input of report.inputs) {
      expect(input.format, input.file).toMatch(/^gcp-/);
      expect(Object.values(input.records).reduce((a, b) => a + b, 0), input.file).toBeGreaterThan(0);
    }
  });

  it('Forseti CAI IAM policies: editor grants of the default service accounts, users and groups passed over', async () => {
    const { adapter, records } = await read('cai-iam-policies-ndjson_forseti-mock.dump');
    expect(adapter).toBe('gcp-asset-inventory');
    const grants = ofKind(records, 'grant');
    expect(grants).toHaveLength(8);
    expect(grants.every((g) => g.via === 'roles/editor')).toBe(true);
    expect(grants.find((g) => g.identity === '1-compute@developer.gserviceaccount.com')?.source).toEqual({
      file: 'gcp/cai-iam-policies-ndjson_forseti-mock.dump',
      line: 11,
      pointer: 'iam_policy.bindings[0]',
    });
    expect(ofKind(records, 'identity').map((i) => i.id)).not.toContain('a_user@forseti.test');
  });

  it('Forseti CAI resources: three service accounts and one system-managed key held by unique id', async () => {
    const { adapter, records } = await read('cai-resources-ndjson_forseti-mock-incl-serviceaccounts-keys.dump');
    expect(adapter).toBe('gcp-asset-inventory');
    expect(ofKind(records, 'identity').map((i) => [i.id, i.tenant, i.aliases])).toEqual([
      ['1041-compute@developer.gserviceaccount.com', 'project1', ['projects/project1/serviceAccounts/1041-compute@developer.gserviceaccount.com', '1101']],
      ['1042-compute@developer.gserviceaccount.com', 'project2', ['projects/project2/serviceAccounts/1042-compute@developer.gserviceaccount.com', '1102']],
      ['123-compute@developer.gserviceaccount.com', 'project2', ['projects/project2/serviceAccounts/123-compute@developer.gserviceaccount.com', '09876543210987654321']],
    ]);
    expect(ofKind(records, 'credential').map((c) => [c.id, c.identity, c.providerManaged, c.source.line])).toEqual([
      ['5555abcabcabc444444abcabc', '123-compute@developer.gserviceaccount.com', true, 117],
    ]);
  });

  it('policy-library key-age fixture: five keys of one account, with their validity', async () => {
    const { adapter, records } = await read('cai-serviceaccountkeys-json_policy-library-key-age-fixture.json');
    expect(adapter).toBe('gcp-asset-inventory');
    const keys = ofKind(records, 'credential');
    expect(keys.map((k) => k.id)).toEqual(['testkeyageover90days', 'testkeyageover100days', 'testkeyageover100000days', 'testkeyagefuture', 'testkeyexpired']);
    expect(new Set(keys.map((k) => k.identity))).toEqual(new Set(['111111-compute@developer.gserviceaccount.com']));
    expect(keys[4]?.expiresAt).toBe(Date.parse('2017-08-22T19:55:36Z'));
    expect(keys[0]?.source).toEqual({ file: 'gcp/cai-serviceaccountkeys-json_policy-library-key-age-fixture.json', line: 2, pointer: '[0]' });
  });

  it('plaso audit log: a service account created, a delegation chain, non-audit entries passed over', async () => {
    const { adapter, records } = await read('cloud-audit-logs-jsonl_plaso-testdata_create-service-account.jsonl');
    expect(adapter).toBe('gcp-audit-log');
    const events = ofKind(records, 'event');
    expect(events).toHaveLength(9);
    expect(ofKind(records, 'identity').map((i) => [i.id, i.createdAt, i.source.line])).toEqual([
      ['test-1@fake-project.iam.gserviceaccount.com', Date.parse('2021-10-19T02:43:48.064Z'), 5],
    ]);
    expect(events.find((e) => e.source.line === 10)?.actorChain).toEqual([
      'service-account-one@fake-project.com',
      'service-account-two@fake-project.com',
      'fake-account@fake-project.com',
    ]);
    // The attacker's CreateServiceAccount was denied: a failure, and no identity for it.
    expect(events.find((e) => e.source.line === 11)).toMatchObject({ outcome: 'failure', action: 'iam.serviceAccounts.create', tenant: 'ketchup' });
  });

  it('elastic audit log: every entry an event, GKE and IAM actions in permission syntax', async () => {
    const { adapter, records } = await read('cloud-audit-logs-ndjson_elastic-testdata.log');
    expect(adapter).toBe('gcp-audit-log');
    const events = ofKind(records, 'event');
    expect(events).toHaveLength(17);
    expect(events.find((e) => e.source.line === 12)).toMatchObject({ action: 'iam.serviceAccounts.list', tenant: 'project' });
    expect(events.find((e) => e.source.line === 8)).toMatchObject({ action: 'container.nodes.list' });
    expect(events.find((e) => e.source.line === 16)).toMatchObject({ identity: 'xxx-compute@developer.gserviceaccount.com', action: 'storage.objects.get' });
    expect(events.filter((e) => e.outcome === 'failure').map((e) => e.source.line)).toEqual([4]);
  });
});

describe.skipIf(present)('real GCP exports', () => {
  it(`are skipped: ${DIR} does not exist (clone with ../shared beside the project to run them)`, () => {
    expect(present).toBe(false);
  });
});
