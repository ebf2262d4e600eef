import { describe, expect, it } from 'vitest';
import type { FindingDraft } from '../../src/engine/rule-api.js';
import { formatSource, type NormalizedRecord } from '../../src/model/index.js';
import { rule } from '../../src/rules/NHI-THIRD-001.js';
import { runRule } from '../helpers/run-rule.js';
import { at, credential, grant, identity, t, world } from '../helpers/world.js';

const AS_OF = t('2026-03-10T00:00:00Z');
const APP = '11111111-2222-3333-4444-555555555555';

const app = (extra = {}) => identity({ id: APP, type: 'app', provider: 'entra', tenant: 'home', thirdParty: true, displayName: 'Mail Sync Pro', source: at('sps.json', 4), ...extra });
const consent = (actions: string[], kind: 'all-principals' | 'principal' | undefined, line: number) =>
  grant({ identity: APP, actions, via: `grant-${line}`, ...(kind === undefined ? {} : { consent: kind }), source: at('grants.json', line) });
/** A third-party app with nothing risky, so the rule has something to evaluate. */
const cleanVendor = identity({ id: 'clean-vendor', type: 'app', provider: 'entra', thirdParty: true });
const where = (finding: FindingDraft | undefined) => (finding?.evidence ?? []).map((item) => formatSource(item.source));

describe('NHI-THIRD-001 broad-third-party-scope', () => {
  it('reports tenant-wide consent to a write scope as critical, naming app, scopes and consent', async () => {
    const run = await runRule(rule, world(app(), consent(['Directory.ReadWrite.All', 'offline_access', 'User.Read'], 'all-principals', 9)), AS_OF);
    expect(run.findings).toHaveLength(1);
    const [finding] = run.findings;
    expect(finding?.messageId).toBe('risky-scopes');
    expect(finding?.severity).toBe('critical');
    expect(finding?.subject).toEqual({ kind: 'identity', id: APP, provider: 'entra', tenant: 'home' });
    expect(finding?.message).toBe(
      `Third-party app "Mail Sync Pro" (${APP}) from entra holds high-risk scopes: "Directory.ReadWrite.All", "offline_access" through tenant-wide consent (all users) (grants.json:9).`,
    );
    expect(where(finding)).toEqual(['sps.json:4', 'grants.json:9']);
    expect(finding?.evidence.map((item) => item.key)).toEqual([`identity:${APP}`, `grant:${APP}:grant-9`]);
  });

  it.each<{ name: string; records: NormalizedRecord[]; id: string; severity: string | undefined; lines: string[] }>([
    { name: 'one user consenting Mail.Send', records: [app(), consent(['Mail.Send'], 'principal', 10)], id: 'risky-scopes', severity: undefined, lines: ['sps.json:4', 'grants.json:10'] },
    { name: 'an application permission', records: [app(), consent(['Files.ReadWrite.All'], undefined, 11)], id: 'risky-scopes', severity: undefined, lines: ['sps.json:4', 'grants.json:11'] },
    { name: 'tenant-wide consent to a read scope beyond sign-in', records: [app(), consent(['Calendars.Read', 'openid'], 'all-principals', 12)], id: 'tenant-wide-consent', severity: undefined, lines: ['sps.json:4', 'grants.json:12'] },
    { name: 'tenant-wide consent to a risky read scope', records: [app(), consent(['Mail.Read'], 'all-principals', 13)], id: 'risky-scopes', severity: undefined, lines: ['sps.json:4', 'grants.json:13'] },
    { name: 'an app (not marked) with consented grants', records: [app({ thirdParty: undefined }), consent(['Mail.ReadWrite'], 'principal', 14)], id: 'risky-scopes', severity: undefined, lines: ['sps.json:4', 'grants.json:14'] },
    {
      name: 'a GitHub App token with repo and workflow scopes',
      records: [identity({ id: 'gh-app-42', type: 'app', provider: 'github', thirdParty: true, source: at('gh.json', 2) }), credential({ id: 'ghs-1', identity: 'gh-app-42', type: 'access-token', scopes: ['repo', 'workflow'], source: at('gh.json', 8) })],
      id: 'risky-scopes', severity: undefined, lines: ['gh.json:2', 'gh.json:8'],
    },
  ])('fires on $name', async ({ records, id, severity, lines }) => {
    const run = await runRule(rule, world(...records), AS_OF);
    expect(run.findings.map((finding) => [finding.messageId, finding.severity])).toEqual([[id, severity]]);
    expect(where(run.findings[0])).toEqual(lines);
  });

  it.each<{ name: string; records: NormalizedRecord[] }>([
    { name: 'tenant-wide consent to sign-in scopes only', records: [app(), consent(['openid', 'profile', 'User.Read', 'offline_access'], 'all-principals', 20)] },
    { name: 'offline_access without any write scope', records: [app(), consent(['offline_access', 'Calendars.Read'], 'principal', 21)] },
    { name: 'a first-party app with risky application permissions', records: [app({ thirdParty: false }), consent(['Directory.ReadWrite.All'], undefined, 22), cleanVendor] },
    { name: 'a deleted third-party app', records: [app({ status: 'deleted' }), consent(['Mail.Send'], 'principal', 23), cleanVendor] },
    { name: 'a deny grant', records: [app(), grant({ identity: APP, actions: ['Mail.Send'], effect: 'deny' })] },
    { name: 'a revoked credential with risky scopes', records: [identity({ id: 'gh-app', type: 'app', provider: 'github', thirdParty: true }), credential({ id: 'c', identity: 'gh-app', scopes: ['repo'], revokedAt: t('2026-01-01T00:00:00Z') })] },
    { name: 'a GitHub scope name under another provider', records: [identity({ id: 'okta-app', type: 'app', provider: 'okta', thirdParty: true }), credential({ id: 'c', identity: 'okta-app', scopes: ['repo'] })] },
  ])('does not fire on $name', async ({ records }) => {
    const run = await runRule(rule, world(...records), AS_OF);
    expect(run.findings).toEqual([]);
    expect(run.notEvaluated).toEqual([]);
  });

  it('lists both offending grants of one app in one finding, and reports a second app', async () => {
    const other = identity({ id: 'okta-vendor', type: 'app', provider: 'okta', thirdParty: true, source: at('okta.json', 3) });
    const run = await runRule(
      rule,
      world(app(), consent(['Mail.Send'], 'principal', 30), consent(['Sites.ReadWrite.All'], undefined, 31), other, grant({ identity: 'okta-vendor', actions: ['okta.users.manage'], source: at('okta.json', 5) })),
      AS_OF,
    );
    expect(run.findings.map((finding) => [finding.subject.id, where(finding)])).toEqual([
      [APP, ['sps.json:4', 'grants.json:30', 'grants.json:31']],
      ['okta-vendor', ['okta.json:3', 'okta.json:5']],
    ]);
  });

  it('notes providers it has no scope list for', async () => {
    const run = await runRule(rule, world(identity({ id: 'x', type: 'app', provider: 'custom', thirdParty: true })), AS_OF);
    expect(run.notes).toEqual([expect.stringMatching(/third-party apps of custom were not checked/)]);
  });

  it('is not evaluated without third-party apps', async () => {
    const run = await runRule(rule, world(identity({ id: 'sa' })), AS_OF);
    expect(run.notEvaluated).toEqual([expect.stringMatching(/no identity is marked third-party/)]);
    expect(run.findings).toEqual([]);
  });
});
