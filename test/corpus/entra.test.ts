/*
 * Real Entra ID exports (../shared/corpus/entra, see its MANIFEST.md): every
 * file is recognised by an Entra adapter, reads under --strict and yields
 * records, with a few facts checked per file. Also scans the Entra scenario
 * bundle end to end.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectAdapter } from '../../src/ingest/registry.js';
import { readSniff } from '../../src/ingest/sniff.js';
import { openInput } from '../../src/ingest/source.js';
import type { NormalizedRecord } from '../../src/model/index.js';
import { REPO, runCli } from '../helpers/cli.js';
import { ofKind, strictContext } from '../ingest/helpers.js';

const CORPUS = path.resolve(REPO, '../shared/corpus/entra');
const present = existsSync(CORPUS);

async function readStrict(name: string): Promise<{ adapter: string; records: NormalizedRecord[] }> {
  const input = openInput(path.join(CORPUS, name), name);
  const adapter = detectAdapter(await readSniff(input));
  if (adapter === undefined) throw new Error(`${name}: not detected`);
  const records: NormalizedRecord[] = [];
  for await (const record of adapter.read(input, await strictContext(input, name))) records.push(record);
  return { adapter: adapter.id, records };
}

describe.skipIf(!present)(`real Entra exports in ${CORPUS}`, () => {
  it.each(present ? readdirSync(CORPUS).sort() : [])('%s is read by an Entra adapter under strict, with records', async (name) => {
    const { adapter, records } = await readStrict(name);
    expect(adapter).toMatch(/^entra-/);
    expect(records.length).toBeGreaterThan(0);
  });

  it.each([
    ['serviceprincipals-mggraph-powershell-utf16_scubagear-mock.json', 'entra-directory-objects', { identity: 6, credential: 8 }],
    ['applications-mggraph-powershell-utf16_scubagear-mock.json', 'entra-directory-objects', { identity: 3, credential: 5 }],
    ['federated-identity-credentials-mggraph-powershell-utf16_scubagear-mock.json', 'entra-directory-objects', { identity: 2 }],
    ['serviceprincipal-signinlogs-diagnostic-ndjson_elastic-testdata.log', 'entra-sign-in-log', { event: 7 }],
    ['managedidentity-signinlogs-diagnostic-ndjson_elastic-testdata.log', 'entra-sign-in-log', { event: 33 }],
    ['auditlogs-diagnostic-ndjson_elastic-testdata_add-sp-credentials.log', 'entra-audit-log', { event: 3 }],
    ['auditlogs-msgraph-directoryaudit-ndjson_elastic-testdata.log', 'entra-audit-log', { event: 2 }],
    ['auditlogs-loganalytics_otrf_goldensaml-app-credential-add-and-grant.json', 'entra-audit-log', { event: 4 }],
    ['officeactivity-loganalytics_otrf_goldensaml-app-mailitemsaccessed.json', 'entra-office-activity', { event: 1 }],
  ])('%s → %s %j', async (name, adapterId, counts) => {
    const { adapter, records } = await readStrict(name);
    expect(adapter).toBe(adapterId);
    const found: Record<string, number> = {};
    for (const record of records) found[record.kind] = (found[record.kind] ?? 0) + 1;
    expect(found).toEqual(counts);
  });

  it('service principal sign-ins name the app, its key id and the tenant', async () => {
    const events = ofKind((await readStrict('serviceprincipal-signinlogs-diagnostic-ndjson_elastic-testdata.log')).records, 'event');
    expect(events[0]).toMatchObject({
      identity: '6131d760-7fda-4db5-8bb1-b771898e9f15',
      credential: 'dbcd79c0-c3ea-46b9-9604-ff40d43b8618',
      action: 'signin:Windows Azure Service Management API',
      tenant: '4bbb79f7-5724-4c9e-95f3-de075f6ec090',
      sourceIp: '1.128.3.4',
      outcome: 'success',
      category: 'access',
    });
  });

  it('the added service principal key is found from KeyDescription', async () => {
    const events = ofKind((await readStrict('auditlogs-diagnostic-ndjson_elastic-testdata_add-sp-credentials.log')).records, 'event');
    expect(events[0]).toMatchObject({ identity: 'a7d5dcbe-0627-4ddf-a2f4-86b6785bcc42', credential: 'd747da7e-e11b-4af2-aede-0487c44067af', category: 'credential-create' });
  });

  it('the Golden SAML app: secret added to SimuLandApp, Mail.ReadWrite grant consented, mail read by the app', async () => {
    const audit = ofKind((await readStrict('auditlogs-loganalytics_otrf_goldensaml-app-credential-add-and-grant.json')).records, 'event');
    expect(audit.map((e) => [e.category, e.identity, e.credential])).toEqual([
      ['credential-create', '11b49e19-2326-4be6-93cb-7f37439bbd81', '59eaeebc-8a6b-44a6-9f24-7d55e64420c9'],
      ['credential-create', '11b49e19-2326-4be6-93cb-7f37439bbd81', '59eaeebc-8a6b-44a6-9f24-7d55e64420c9'],
      ['other', 'pgustavo@simulandlabs.com', null],
      ['consent', '0d2f5969-011b-460d-ac74-3291d227d49f', null],
    ]);
    const office = ofKind((await readStrict('officeactivity-loganalytics_otrf_goldensaml-app-mailitemsaccessed.json')).records, 'event');
    expect(office[0]).toMatchObject({ identity: '5a95e683-08ad-424e-a441-1d1aec52c02c', action: 'MailItemsAccessed', onBehalfOf: 'pgustavo@simulandlabs.com' });
  });

  it('PowerShell mocks: \\/Date()\\/ times, trust from the embedded federated credential, no home tenant to call anyone third-party', async () => {
    const records = (await readStrict('serviceprincipals-mggraph-powershell-utf16_scubagear-mock.json')).records;
    const identities = ofKind(records, 'identity');
    expect(identities.every((i) => i.thirdParty === undefined)).toBe(true);
    expect(identities.find((i) => i.id === '70000000-0000-0000-0000-000000000000')?.trust?.[0]?.pinning).toEqual([
      { key: 'sub', values: ['repo:testorg/123:refs/tags/1.0'] },
      { key: 'aud', values: ['api://AzureADTokenExchange'] },
    ]);
    expect(ofKind(records, 'credential')[0]).toMatchObject({ issuedAt: 1733343742000, expiresAt: 4102444800000 });
  });
});

describe.skipIf(present)('real Entra exports', () => {
  it(`are skipped: ${CORPUS} does not exist (clone with ../shared beside the project to run them)`, () => {
    expect(present).toBe(false);
  });
});

describe('Entra scenario bundle (fixtures/scenarios/entra)', () => {
  const AS_OF = '2026-11-15T00:00:00Z';
  // The exports only: the bundle's README.md is no input, and --strict rejects what it cannot read.
  const BUNDLE = 'fixtures/scenarios/entra/*.{json,ndjson}';

  it('reads under --strict and joins applications, service principals, grants and sign-ins', async () => {
    const run = await runCli(['inventory', BUNDLE, '--format', 'json', '--strict']);
    expect(run.code, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout) as { identities: { id: string; tenant: string | null }[] };
    // Application and service principal of one appId are one identity; the tenant comes from the SP file.
    expect(out.identities.map((i) => [i.id, i.tenant])).toEqual([
      ['00000003-0000-0000-c000-000000000000', '11111111-1111-4111-8111-111111111111'],
      ...[1, 2, 3, 4, 5, 6].map((n) => [`b1d0c5a2-7f3e-4c1a-9e2b-00000000000${n}`, '11111111-1111-4111-8111-111111111111']),
    ]);
  });

  it('admin-equivalent privilege is reported for the consented third-party app and the role-management app, not the near-misses', async () => {
    const run = await runCli(['scan', BUNDLE, '--strict', '--format', 'json', '--fail-on', 'none', '--as-of', AS_OF]);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as { findings: { ruleId: string; subject: { id: string } }[] };
    const priv = report.findings.filter((f) => f.ruleId === 'NHI-PRIV-001').map((f) => f.subject.id).sort();
    expect(priv).toEqual(['b1d0c5a2-7f3e-4c1a-9e2b-000000000001', 'b1d0c5a2-7f3e-4c1a-9e2b-000000000003']);
    const nearMisses = ['b1d0c5a2-7f3e-4c1a-9e2b-000000000005', 'b1d0c5a2-7f3e-4c1a-9e2b-000000000006'];
    expect(report.findings.filter((f) => nearMisses.includes(f.subject.id) && f.ruleId !== 'NHI-LIFE-002')).toEqual([]);
  });
});
