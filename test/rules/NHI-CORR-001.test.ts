import { describe, expect, it } from 'vitest';
import type { FindingDraft } from '../../src/engine/rule-api.js';
import { formatSource, type NormalizedRecord } from '../../src/model/index.js';
import { rule } from '../../src/rules/NHI-CORR-001.js';
import { runRule } from '../helpers/run-rule.js';
import { approval, at, credential, event, identity, principal, t, world } from '../helpers/world.js';

const AS_OF = t('2026-03-10T00:00:00Z');
const ACCOUNT = '111122223333';
const KNOWN = `arn:aws:iam::${ACCOUNT}:role/known`;
const GHOST = `arn:aws:iam::${ACCOUNT}:user/ghost`;

const inventory = () => identity({ id: KNOWN, type: 'role', provider: 'aws', tenant: ACCOUNT, source: at('authz.json', 2) });
const where = (finding: FindingDraft | undefined) => (finding?.evidence ?? []).map((item) => formatSource(item.source));

/** Two actions by `who`, on lines `line` and `line + 1`. */
function acts(who: string, line: number, extra: Partial<{ provider: string; tenant: string | null }> = {}): NormalizedRecord[] {
  const base = { identity: who, provider: 'aws', tenant: ACCOUNT, ...extra };
  return [
    event({ ...base, time: t('2026-03-01T10:00:00Z'), action: 's3:GetObject', source: at('trail.json', line) }),
    event({ ...base, time: t('2026-03-04T10:00:00Z'), action: 'iam:CreateAccessKey', source: at('trail.json', line + 1) }),
  ];
}

describe('NHI-CORR-001 uncorrelated-activity', () => {
  it('reports an actor of an inventoried account that no inventory lists, with the full message', async () => {
    const run = await runRule(rule, world(inventory(), ...acts(GHOST, 10)), AS_OF);
    expect(run.findings).toHaveLength(1);
    const [finding] = run.findings;
    expect(finding?.messageId).toBe('uncorrelated-actor');
    expect(finding?.subject).toEqual({ kind: 'identity', id: GHOST, provider: 'aws', tenant: ACCOUNT });
    expect(finding?.message).toBe(
      `${GHOST} acted in aws/${ACCOUNT} but appears in no inventory input for it: 2 own actions from 2026-03-01T10:00:00Z (trail.json:10) ` +
        'to 2026-03-04T10:00:00Z (trail.json:11); actions iam:CreateAccessKey and s3:GetObject.',
    );
    expect(where(finding)).toEqual(['trail.json:10', 'trail.json:11']);
    expect(finding?.evidence.map((item) => item.key)).toEqual([`first-use:identity:${GHOST}`, `last-use:identity:${GHOST}`]);
    expect(run.notes).toEqual([]);
  });

  it('reports a credential used with no identity named that no inventory lists: the token worked, nothing stands behind it', async () => {
    const tokenUse = (line: number) =>
      event({ credential: 'tok-ghost', provider: 'aws', tenant: ACCOUNT, time: t('2026-03-02T10:00:00Z'), action: 's3:GetObject', source: at('trail.json', line) });
    const run = await runRule(rule, world(inventory(), tokenUse(30)), AS_OF);
    expect(run.findings.map((finding) => [finding.messageId, finding.subject])).toEqual([
      ['uncorrelated-credential', { kind: 'credential', id: 'tok-ghost', provider: 'aws', tenant: ACCOUNT }],
    ]);
    expect(run.findings[0]?.message).toMatch(/^Credential tok-ghost, used with no identity named, acted in aws\/111122223333 but appears in no inventory input/);
    expect(where(run.findings[0])).toEqual(['trail.json:30', 'trail.json:30']);
    // Near-miss: the same use with the credential in the inventory.
    const known = await runRule(rule, world(inventory(), credential({ id: 'tok-ghost', identity: KNOWN }), tokenUse(30)), AS_OF);
    expect(known.findings).toEqual([]);
  });

  it.each([
    { name: 'a system:serviceaccount actor in an inventoried cluster', who: 'system:serviceaccount:ci:builder', extra: { provider: 'k8s', tenant: null }, records: [identity({ id: 'system:serviceaccount:ci:deployer', provider: 'k8s' })] },
    { name: 'a canonical event without provider in an inventoried tenant', who: 'svc-unknown', extra: { provider: undefined as unknown as string }, records: [] },
    { name: 'a user-managed GCP service account named like an agent', who: 'service-ops@proj.iam.gserviceaccount.com', extra: { provider: 'gcp', tenant: 'proj' }, records: [identity({ id: 'known@proj.iam.gserviceaccount.com', provider: 'gcp', tenant: 'proj' })] },
  ])('fires on $name', async ({ who, extra, records }) => {
    const events = acts(who, 20, extra).map((record) => {
      if (record.kind !== 'event' || extra.provider !== undefined) return record;
      const { provider: _dropped, ...rest } = record.record;
      return { kind: 'event' as const, record: rest };
    });
    const run = await runRule(rule, world(inventory(), ...records, ...events), AS_OF);
    expect(run.findings.map((finding) => finding.subject.id)).toEqual([who]);
    expect(where(run.findings[0])).toEqual(['trail.json:20', 'trail.json:21']);
  });

  it.each<{ name: string; records: NormalizedRecord[] }>([
    { name: 'an inventoried identity', records: acts(KNOWN, 1) },
    { name: 'an inventoried identity named by an alias', records: [identity({ id: 'arn:aws:iam::111122223333:role/aliased', provider: 'aws', tenant: ACCOUNT, aliases: ['aliased'] }), ...acts('aliased', 1)] },
    { name: 'a known principal', records: [principal({ id: 'alice@example.com' }), ...acts('alice@example.com', 1)] },
    { name: 'an AWS service principal', records: acts('ec2.amazonaws.com', 1) },
    { name: 'the account root', records: acts(`arn:aws:iam::${ACCOUNT}:root`, 1) },
    { name: 'a Kubernetes control-plane user', records: [identity({ id: 'system:serviceaccount:ci:deployer', provider: 'k8s' }), ...acts('system:kube-scheduler', 1, { provider: 'k8s' })] },
    { name: 'a GCP service agent', records: [identity({ id: 'a@p.iam.gserviceaccount.com', provider: 'gcp', tenant: 'p' }), ...acts('service-123456@gcp-sa-pubsub.iam.gserviceaccount.com', 1, { provider: 'gcp', tenant: 'p' })] },
    { name: 'only events about the actor', records: [event({ time: t('2026-03-01T00:00:00Z'), identity: GHOST, provider: 'aws', tenant: ACCOUNT, category: 'revoke' })] },
  ])('does not fire on $name', async ({ records }) => {
    const run = await runRule(rule, world(inventory(), ...records), AS_OF);
    expect(run.findings).toEqual([]);
    expect(run.notEvaluated).toEqual([]);
  });

  it('does not judge another account or provider, and notes it', async () => {
    const run = await runRule(rule, world(inventory(), ...acts(GHOST, 1, { tenant: '999988887777' }), ...acts('ext-app', 5, { provider: 'okta', tenant: 'acme.okta.com' })), AS_OF);
    expect(run.findings).toEqual([]);
    expect(run.notes).toEqual([
      'not evaluated for aws/999988887777: no inventory input (1 actor not in the inventory acted there)',
      'not evaluated for okta/acme.okta.com: no inventory input (1 actor not in the inventory acted there)',
    ]);
  });

  it('reports two unknown actors', async () => {
    const run = await runRule(rule, world(inventory(), ...acts(GHOST, 1), ...acts('AROAUNKNOWN:session', 5)), AS_OF);
    expect(run.findings.map((finding) => [finding.subject.id, where(finding)])).toEqual([
      ['AROAUNKNOWN:session', ['trail.json:5', 'trail.json:6']],
      [GHOST, ['trail.json:1', 'trail.json:2']],
    ]);
  });

  it.each([
    { name: 'no events', records: [inventory()], reason: /no access-log events/ },
    { name: 'no identity inventory', records: acts(GHOST, 1), reason: /no identity inventory/ },
  ])('is not evaluated with $name', async ({ records, reason }) => {
    const run = await runRule(rule, world(...records), AS_OF);
    expect(run.notEvaluated).toEqual([expect.stringMatching(reason)]);
    expect(run.findings).toEqual([]);
  });

  describe('actors named in token act chains', () => {
    const agent = () => identity({ id: 'triage-agent', type: 'agent', provider: 'oauth', source: at('agents.yaml', 2) });
    const token = (chain: string[], line = 4) =>
      credential({
        id: `tx-${line}`, identity: 'triage-agent', clientId: 'triage-agent', type: 'access-token', onBehalfOf: 'alice@example.com', tenant: 'tenant-1',
        actorChain: chain.map((sub) => ({ sub })), source: at('tokens.ndjson', line),
      });

    it('reports an actor no inventory or approval accounts for, naming the token, its subject and chain, even without logs', async () => {
      const run = await runRule(rule, world(agent(), token(['shadow-relay', 'triage-agent'])), AS_OF);
      expect(run.findings.map((finding) => [finding.messageId, finding.subject])).toEqual([
        ['uncorrelated-chain-actor', { kind: 'identity', id: 'shadow-relay', tenant: 'tenant-1' }],
      ]);
      expect(run.findings[0]?.message).toBe(
        'shadow-relay acted in the delegation chain of token tx-4 for alice@example.com (act chain shadow-relay → triage-agent) ' +
          'but appears in no inventory input or approval (tokens.ndjson:4).',
      );
      expect(where(run.findings[0])).toEqual(['tokens.ndjson:4']);
      expect(run.notes).toEqual(['no access-log events were supplied: only the actors in token act chains were checked against the inventory']);
    });

    it('reports each unaccounted actor once, at the first token that names it', async () => {
      const run = await runRule(rule, world(agent(), token(['shadow-relay', 'triage-agent'], 9), token(['shadow-relay', 'triage-agent'], 4)), AS_OF);
      expect(run.findings.map((finding) => where(finding))).toEqual([['tokens.ndjson:4']]);
    });

    it.each<{ name: string; extra: NormalizedRecord[] }>([
      { name: 'an identity alias', extra: [identity({ id: 'gw-1', aliases: ['shadow-relay'], provider: 'oauth', source: at('gw.yaml', 1) })] },
      { name: 'an approval delegate', extra: [approval({ id: 'apr-1', delegate: 'shadow-relay', principal: 'alice@example.com', source: at('approvals.yaml', 3) })] },
      { name: 'a known principal', extra: [principal({ id: 'shadow-relay', kind: 'system', source: at('people.yaml', 1) })] },
    ])('stays quiet when the actor is $name', async ({ extra }) => {
      const run = await runRule(rule, world(agent(), ...extra, token(['shadow-relay', 'triage-agent'])), AS_OF);
      expect(run.findings).toEqual([]);
    });
  });
});
