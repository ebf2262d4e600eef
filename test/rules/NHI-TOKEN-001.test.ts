import { describe, expect, it } from 'vitest';
import type { FindingDraft } from '../../src/engine/rule-api.js';
import { formatSource, type Credential, type NormalizedRecord } from '../../src/model/index.js';
import { rule } from '../../src/rules/NHI-TOKEN-001.js';
import { runRule } from '../helpers/run-rule.js';
import { approval, at, credential, event, identity, principal, t, world } from '../helpers/world.js';

const AS_OF = t('2026-03-10T00:00:00Z');
const ALICE = 'alice@example.com';

function token(overrides: Partial<Credential> = {}): NormalizedRecord {
  return credential({
    id: 'rt-7f3a', type: 'refresh-token', clientId: 'ci-deployer', onBehalfOf: ALICE, source: at('tokens.json', 4), ...overrides,
  });
}
const client = (overrides: object = {}) =>
  identity({ id: 'ci-deployer', type: 'app', provider: 'okta', source: at('inventory.yaml', 2), ...overrides });
const alice = (overrides: object = {}) => principal({ id: ALICE, source: at('inventory.yaml', 10), ...overrides });
const offboardedAlice = () => alice({ status: 'offboarded', offboardedAt: t('2026-02-10T00:00:00Z') });
const useAt = (iso: string, line: number, credentialId = 'rt-7f3a') =>
  event({ time: t(iso), credential: credentialId, category: 'token-refresh', source: at('events/app.events.ndjson', line) });

function where(finding: FindingDraft | undefined): string[] {
  return (finding?.evidence ?? []).map((item) => formatSource(item.source));
}

describe('NHI-TOKEN-001 orphaned-refresh-token', () => {
  it('reports a token used after its principal was offboarded, as critical, with the event line', async () => {
    const scene = world(client(), offboardedAlice(), token(), useAt('2026-03-01T09:12:00Z', 14));
    const run = await runRule(rule, scene, AS_OF);
    expect(run.findings).toHaveLength(1);
    const [finding] = run.findings;
    expect(finding?.messageId).toBe('orphaned-and-used');
    expect(finding?.severity).toBe('critical');
    expect(finding?.subject).toEqual({ kind: 'credential', id: 'rt-7f3a', provider: 'okta' });
    expect(finding?.message).toBe(
      'Refresh token rt-7f3a (client ci-deployer) acts for alice@example.com, offboarded 2026-02-10, and is still active; ' +
        'it was last used 2026-03-01T09:12:00Z (events/app.events.ndjson:14), after the offboarding.',
    );
    expect(where(finding)).toEqual(['tokens.json:4', 'inventory.yaml:10', 'events/app.events.ndjson:14']);
    expect(finding?.evidence.map((item) => item.key)).toEqual(['credential:rt-7f3a', `principal:${ALICE}`, 'last-use:rt-7f3a']);
  });

  it.each<{ name: string; records: NormalizedRecord[]; messageId: string; severity: string; evidence: string[]; text: RegExp }>([
    {
      name: 'offboarded principal, not used since',
      records: [client(), offboardedAlice(), token(), useAt('2026-02-01T00:00:00Z', 3)],
      messageId: 'orphaned', severity: 'high',
      evidence: ['tokens.json:4', 'inventory.yaml:10', 'events/app.events.ndjson:3'],
      text: /offboarded 2026-02-10, and is still active; it was last used 2026-02-01T00:00:00Z/,
    },
    {
      name: 'disabled principal with no date, used (cannot compare)',
      records: [client(), alice({ status: 'disabled' }), token(), useAt('2026-03-01T00:00:00Z', 5)],
      messageId: 'orphaned', severity: 'high',
      evidence: ['tokens.json:4', 'inventory.yaml:10', 'events/app.events.ndjson:5'],
      text: /acts for alice@example.com, disabled date unknown/,
    },
    {
      name: 'provider-reported last use after the offboarding',
      records: [client(), offboardedAlice(), token({ lastUsedAt: t('2026-02-20T00:00:00Z') })],
      messageId: 'orphaned-and-used', severity: 'critical',
      evidence: ['tokens.json:4', 'inventory.yaml:10', 'tokens.json:4'],
      text: /last used 2026-02-20T00:00:00Z \(tokens.json:4\), after the offboarding/,
    },
    {
      name: 'revoked approval, used after',
      records: [
        client(), alice(),
        approval({ id: 'apr-1', delegate: 'ci-deployer', status: 'revoked', endedAt: t('2026-02-11T00:00:00Z'), source: at('approvals.yaml', 6) }),
        token({ approval: 'apr-1' }), useAt('2026-02-12T00:00:00Z', 8),
      ],
      messageId: 'orphaned-and-used', severity: 'critical',
      evidence: ['tokens.json:4', 'approvals.yaml:6', 'events/app.events.ndjson:8'],
      text: /rests on approval apr-1, revoked 2026-02-11, and is still active; .* after approval apr-1 was revoked\./,
    },
    {
      name: 'approval with status expired',
      records: [client(), approval({ id: 'apr-1', delegate: 'ci-deployer', status: 'expired', expiresAt: t('2026-01-31T00:00:00Z'), source: at('approvals.yaml', 6) }), token({ approval: 'apr-1' })],
      messageId: 'orphaned', severity: 'high',
      evidence: ['tokens.json:4', 'approvals.yaml:6'],
      text: /rests on approval apr-1, expired 2026-01-31/,
    },
    {
      name: 'approval still marked active past its expiry',
      records: [client(), approval({ id: 'apr-1', delegate: 'ci-deployer', expiresAt: t('2026-03-01T00:00:00Z'), source: at('approvals.yaml', 6) }), token({ approval: 'apr-1' })],
      messageId: 'orphaned', severity: 'high',
      evidence: ['tokens.json:4', 'approvals.yaml:6'],
      text: /expired 2026-03-01/,
    },
    {
      name: 'approval id unknown while approvals were supplied',
      records: [client(), approval({ id: 'apr-other', delegate: 'ci-deployer' }), token({ approval: 'apr-9' })],
      messageId: 'orphaned', severity: 'high',
      evidence: ['tokens.json:4'],
      text: /rests on approval apr-9, which is not among the approvals supplied/,
    },
    {
      name: 'client disabled, used after',
      records: [client({ status: 'disabled', disabledAt: t('2026-02-15T00:00:00Z') }), token({ onBehalfOf: null }), useAt('2026-02-16T00:00:00Z', 9)],
      messageId: 'orphaned-and-used', severity: 'critical',
      evidence: ['tokens.json:4', 'inventory.yaml:2', 'events/app.events.ndjson:9'],
      text: /belongs to client ci-deployer, disabled 2026-02-15, .* after client ci-deployer was disabled\./,
    },
    {
      name: 'client unknown while identities were supplied',
      records: [identity({ id: 'other-app' }), token({ onBehalfOf: null })],
      messageId: 'orphaned', severity: 'high',
      evidence: ['tokens.json:4'],
      text: /belongs to client ci-deployer, which is not among the identities supplied/,
    },
    {
      name: 'revocation scheduled after asOf',
      records: [client(), offboardedAlice(), token({ revokedAt: t('2026-04-01T00:00:00Z') })],
      messageId: 'orphaned', severity: 'high',
      evidence: ['tokens.json:4', 'inventory.yaml:10'],
      text: /offboarded 2026-02-10, and is still active\.$/,
    },
  ])('fires: $name', async ({ records, messageId, severity, evidence, text }) => {
    const run = await runRule(rule, world(...records), AS_OF);
    expect(run.findings).toHaveLength(1);
    const [finding] = run.findings;
    expect(finding?.messageId).toBe(messageId);
    expect(finding?.severity ?? 'high').toBe(severity);
    expect(finding?.subject.id).toBe('rt-7f3a');
    expect(where(finding)).toEqual(evidence);
    expect(finding?.message).toMatch(text);
  });

  it.each<{ name: string; records: NormalizedRecord[] }>([
    { name: 'the token was revoked', records: [client(), offboardedAlice(), token({ revokedAt: t('2026-02-10T01:00:00Z') })] },
    {
      name: 'a revoke event names the token',
      records: [client(), offboardedAlice(), token(), event({ time: t('2026-02-10T02:00:00Z'), credential: 'rt-7f3a', category: 'revoke' })],
    },
    { name: 'the token expired', records: [client(), offboardedAlice(), token({ expiresAt: t('2026-03-09T00:00:00Z') })] },
    { name: 'the token is marked inactive', records: [client(), offboardedAlice(), token({ active: false })] },
    { name: 'the credential is an API key, not a refresh token', records: [client(), offboardedAlice(), token({ type: 'api-key' })] },
    { name: 'the principal is active', records: [client(), alice(), token(), useAt('2026-03-01T00:00:00Z', 2)] },
    { name: 'the approval is active and current', records: [client(), approval({ id: 'apr-1', delegate: 'ci-deployer', expiresAt: t('2026-06-01T00:00:00Z') }), token({ approval: 'apr-1' })] },
    { name: 'an unknown approval id when no approvals were supplied', records: [client(), alice(), token({ approval: 'apr-9' })] },
    { name: 'the client resolves by alias', records: [identity({ id: 'app-1', aliases: ['ci-deployer'] }), alice(), token()] },
  ])('does not fire when $name', async ({ records }) => {
    const run = await runRule(rule, world(...records), AS_OF);
    expect(run.findings).toEqual([]);
  });

  describe('the consent behind the token removed (a disconnect naming the client and the person, no token)', () => {
    const consentRevoke = (iso: string) =>
      event({ time: t(iso), identity: 'ci-deployer', onBehalfOf: ALICE, category: 'disconnect', source: at('okta.ndjson', 9) });
    const issued = token({ issuedAt: t('2026-01-05T00:00:00Z') });

    it('ends the token when it came after the token was issued', async () => {
      const run = await runRule(rule, world(client(), offboardedAlice(), issued, consentRevoke('2026-02-10T00:05:00Z')), AS_OF);
      expect(run.findings).toEqual([]);
    });

    it('does not end a token issued after the removal (consent was given again)', async () => {
      const run = await runRule(rule, world(client(), offboardedAlice(), issued, consentRevoke('2026-01-01T00:00:00Z')), AS_OF);
      expect(run.findings.map((finding) => finding.subject.id)).toEqual(['rt-7f3a']);
    });

    it('does not end a token whose issue time is unknown', async () => {
      const run = await runRule(rule, world(client(), offboardedAlice(), token(), consentRevoke('2026-02-10T00:05:00Z')), AS_OF);
      expect(run.findings.map((finding) => finding.subject.id)).toEqual(['rt-7f3a']);
    });

    it('is not ended by the revoke of another token of the same client for the same person', async () => {
      const other = event({ time: t('2026-02-10T00:05:00Z'), identity: 'ci-deployer', credential: 'rt-other', onBehalfOf: ALICE, category: 'revoke', source: at('okta.ndjson', 9) });
      const run = await runRule(rule, world(client(), offboardedAlice(), issued, other), AS_OF);
      expect(run.findings.map((finding) => finding.subject.id)).toEqual(['rt-7f3a']);
    });
  });

  it('names every broken anchor of one token and reports each token once', async () => {
    const scene = world(
      client({ status: 'deleted', disabledAt: t('2026-02-20T00:00:00Z') }),
      offboardedAlice(),
      approval({ id: 'apr-1', delegate: 'ci-deployer', status: 'closed', endedAt: t('2026-02-12T00:00:00Z'), source: at('approvals.yaml', 6) }),
      token({ approval: 'apr-1' }),
      token({ id: 'rt-2', source: at('tokens.json', 9) }),
      useAt('2026-02-11T00:00:00Z', 21),
    );
    const run = await runRule(rule, scene, AS_OF);
    expect(run.findings.map((finding) => [finding.subject.id, finding.severity ?? 'high'])).toEqual([
      ['rt-2', 'high'],
      ['rt-7f3a', 'critical'],
    ]);
    const orphan = run.findings[1];
    expect(orphan?.message).toBe(
      'Refresh token rt-7f3a (client ci-deployer) acts for alice@example.com, offboarded 2026-02-10; ' +
        'rests on approval apr-1, closed 2026-02-12; belongs to client ci-deployer, deleted 2026-02-20, and is still active; ' +
        'it was last used 2026-02-11T00:00:00Z (events/app.events.ndjson:21), after the offboarding.',
    );
    expect(orphan?.evidence.map((item) => item.key)).toEqual([
      'credential:rt-7f3a', `principal:${ALICE}`, 'approval:apr-1', 'identity:ci-deployer', 'last-use:rt-7f3a',
    ]);
  });

  it('is not evaluated without credentials', async () => {
    const run = await runRule(rule, world(client(), offboardedAlice()), AS_OF);
    expect(run.notEvaluated).toEqual(['no credential or token records were supplied']);
  });

  it('is not evaluated without anything to anchor tokens to', async () => {
    const run = await runRule(rule, world(token()), AS_OF);
    expect(run.notEvaluated).toHaveLength(1);
    expect(run.findings).toEqual([]);
  });

  it('notes which anchors could not be checked', async () => {
    const run = await runRule(rule, world(client(), token({ approval: 'apr-1' })), AS_OF);
    expect(run.findings).toEqual([]);
    expect(run.notes.join('\n')).toMatch(/no principal records/);
    expect(run.notes.join('\n')).toMatch(/no approval records/);
  });

  it('notes when no refresh tokens were supplied', async () => {
    const run = await runRule(rule, world(client(), offboardedAlice(), token({ type: 'api-key' })), AS_OF);
    expect(run.notes).toEqual(['no refresh tokens among the 1 credential supplied']);
  });
});
