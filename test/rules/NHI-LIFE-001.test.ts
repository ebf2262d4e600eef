import { describe, expect, it } from 'vitest';
import type { FindingDraft } from '../../src/engine/rule-api.js';
import { formatSource, type NormalizedRecord } from '../../src/model/index.js';
import { rule } from '../../src/rules/NHI-LIFE-001.js';
import { runRule } from '../helpers/run-rule.js';
import { approval, at, credential, event, identity, principal, t, world } from '../helpers/world.js';

const AS_OF = t('2026-03-10T00:00:00Z');
const ALICE = 'alice@example.com';
const OFFBOARDED = '2026-02-10T00:00:00Z';

const alice = (overrides: object = {}) =>
  principal({ id: ALICE, status: 'offboarded', offboardedAt: t(OFFBOARDED), source: at('hr.yaml', 10), ...overrides });
const rt1 = (overrides: object = {}) =>
  credential({ id: 'rt-1', type: 'refresh-token', identity: 'mail-sync', onBehalfOf: ALICE, source: at('tokens.json', 4), ...overrides });
const app = (overrides: object = {}) => identity({ id: 'mail-sync', type: 'app', provider: 'entra', source: at('apps.json', 2), ...overrides });
/** Unrelated events that make the logs span 2026-02-01 → 2026-03-05. */
const window = () => [
  event({ time: t('2026-02-01T00:00:00Z'), identity: 'other', source: at('events.ndjson', 1) }),
  event({ time: t('2026-03-05T00:00:00Z'), identity: 'other', source: at('events.ndjson', 99) }),
];
const use = (iso: string, line: number, extra: object = {}) =>
  event({ time: t(iso), identity: 'mail-sync', credential: 'rt-1', onBehalfOf: ALICE, category: 'token-refresh', source: at('events.ndjson', line), ...extra });

function where(finding: FindingDraft | undefined): string[] {
  return (finding?.evidence ?? []).map((item) => formatSource(item.source));
}

describe('NHI-LIFE-001 missing-disconnect-event', () => {
  it('reports an offboarding with no revocation of the token acting for the person', async () => {
    const run = await runRule(rule, world(app(), alice(), rt1(), ...window(), use('2026-02-09T12:00:00Z', 5)), AS_OF);
    expect(run.findings).toHaveLength(1);
    const [finding] = run.findings;
    expect(finding?.messageId).toBe('no-disconnect');
    expect(finding?.severity).toBeUndefined();
    expect(finding?.subject).toEqual({ kind: 'principal', id: ALICE });
    expect(finding?.message).toBe(
      'alice@example.com was offboarded 2026-02-10T00:00:00Z, but no revoke or disconnect event followed within 1 day: ' +
        'refresh token rt-1 was still not revoked at 2026-02-11T00:00:00Z; last activity 2026-02-09T12:00:00Z (events.ndjson:5).',
    );
    expect(where(finding)).toEqual(['hr.yaml:10', 'tokens.json:4', 'events.ndjson:5']);
    expect(finding?.evidence.map((item) => item.key)).toEqual([`principal:${ALICE}`, 'credential:rt-1', 'last-use:rt-1']);
  });

  it('escalates to critical when the token kept working after the grace period', async () => {
    const run = await runRule(rule, world(app(), alice(), rt1(), ...window(), use('2026-03-01T09:12:00Z', 14)), AS_OF);
    expect(run.findings).toHaveLength(1);
    const [finding] = run.findings;
    expect(finding?.messageId).toBe('no-disconnect-still-used');
    expect(finding?.severity).toBe('critical');
    expect(finding?.message).toMatch(/activity continued after the grace period, last at 2026-03-01T09:12:00Z \(events\.ndjson:14\)\.$/);
    expect(where(finding)).toEqual(['hr.yaml:10', 'tokens.json:4', 'events.ndjson:14']);
  });

  it.each<{ name: string; records: NormalizedRecord[]; subject: object; severity: string; evidence: string[] }>([
    {
      name: 'a revocation that came too late',
      records: [app(), alice(), rt1({ revokedAt: t('2026-02-12T00:00:00Z') }), ...window()],
      subject: { kind: 'principal', id: ALICE }, severity: 'high', evidence: ['hr.yaml:10', 'tokens.json:4'],
    },
    {
      name: 'a late revocation, the token now marked inactive',
      records: [app(), alice(), rt1({ revokedAt: t('2026-02-12T00:00:00Z'), active: false }), ...window()],
      subject: { kind: 'principal', id: ALICE }, severity: 'high', evidence: ['hr.yaml:10', 'tokens.json:4'],
    },
    {
      name: 'a disconnect for the person long before the offboarding (it does not cover later tokens)',
      records: [app(), alice(), rt1(), ...window(), event({ time: t('2026-02-02T00:00:00Z'), onBehalfOf: ALICE, identity: 'admin', category: 'disconnect' })],
      subject: { kind: 'principal', id: ALICE }, severity: 'high', evidence: ['hr.yaml:10', 'tokens.json:4'],
    },
    {
      name: 'a revoked approval whose token lives on',
      records: [
        app(),
        approval({ id: 'apr-1', delegate: 'mail-sync', status: 'revoked', endedAt: t('2026-02-15T00:00:00Z'), tenant: 't1', source: at('approvals.yaml', 3) }),
        credential({ id: 'k-7', identity: 'mail-sync', approval: 'apr-1', source: at('tokens.json', 8) }),
        ...window(),
      ],
      subject: { kind: 'approval', id: 'apr-1', tenant: 't1' }, severity: 'high', evidence: ['approvals.yaml:3', 'tokens.json:8'],
    },
    {
      name: 'an approval past its expiry whose delegate still acts for the principal',
      records: [
        app(), alice({ status: 'active', offboardedAt: null }),
        approval({ id: 'apr-2', delegate: 'mail-sync', principal: ALICE, expiresAt: t('2026-02-20T00:00:00Z'), source: at('approvals.yaml', 9) }),
        rt1(), ...window(), use('2026-03-02T00:00:00Z', 40),
      ],
      subject: { kind: 'approval', id: 'apr-2' }, severity: 'critical', evidence: ['approvals.yaml:9', 'tokens.json:4', 'events.ndjson:40'],
    },
    {
      name: 'a disabled identity whose key was never revoked',
      records: [
        app({ status: 'disabled', disabledAt: t('2026-02-20T00:00:00Z') }),
        credential({ id: 'key-1', identity: 'mail-sync', source: at('keys.json', 2) }),
        ...window(),
      ],
      subject: { kind: 'identity', id: 'mail-sync', provider: 'entra' }, severity: 'high', evidence: ['apps.json:2', 'keys.json:2'],
    },
    {
      name: 'a disabled identity with no credentials that kept acting',
      records: [
        app({ status: 'deleted', disabledAt: t('2026-02-20T00:00:00Z') }),
        ...window(),
        event({ time: t('2026-02-25T00:00:00Z'), identity: 'mail-sync', source: at('events.ndjson', 50) }),
      ],
      subject: { kind: 'identity', id: 'mail-sync', provider: 'entra' }, severity: 'critical', evidence: ['apps.json:2', 'events.ndjson:50'],
    },
    {
      name: 'an offboarded person whose delegates acted for them, with no credential on file and no disconnect',
      records: [alice(), ...window(), event({ time: t('2026-02-05T00:00:00Z'), identity: 'bot', onBehalfOf: ALICE, source: at('events.ndjson', 30) })],
      subject: { kind: 'principal', id: ALICE }, severity: 'high', evidence: ['hr.yaml:10', 'events.ndjson:30'],
    },
    {
      name: 'one of two tokens that acted for the person revoked (the other, known only from the logs, lives on)',
      records: [
        app(), alice(), rt1({ revokedAt: t('2026-02-10T02:00:00Z') }), ...window(), use('2026-02-09T12:00:00Z', 5),
        event({ time: t('2026-02-09T13:00:00Z'), identity: 'mail-sync', credential: 'rt-2', onBehalfOf: ALICE, category: 'token-refresh', source: at('events.ndjson', 6) }),
        event({ time: t('2026-02-10T01:00:00Z'), identity: 'admin', credential: 'rt-1', category: 'revoke', source: at('events.ndjson', 7) }),
      ],
      subject: { kind: 'principal', id: ALICE }, severity: 'high', evidence: ['hr.yaml:10', 'events.ndjson:6'],
    },
    {
      name: 'logs that miss the offboarding but show the token used long after',
      records: [app(), alice(), rt1(), use('2026-03-01T00:00:00Z', 60), use('2026-03-02T00:00:00Z', 61)],
      subject: { kind: 'principal', id: ALICE }, severity: 'critical', evidence: ['hr.yaml:10', 'tokens.json:4', 'events.ndjson:61'],
    },
  ])('fires on $name', async ({ records, subject, severity, evidence }) => {
    const run = await runRule(rule, world(...records), AS_OF);
    expect(run.findings).toHaveLength(1);
    const [finding] = run.findings;
    expect(finding?.subject).toEqual(subject);
    expect(finding?.severity ?? 'high').toBe(severity);
    expect(finding?.messageId).toBe(severity === 'critical' ? 'no-disconnect-still-used' : 'no-disconnect');
    expect(where(finding)).toEqual(evidence);
  });

  it.each<{ name: string; records: NormalizedRecord[] }>([
    { name: 'the token was revoked within the grace period', records: [app(), alice(), rt1({ revokedAt: t('2026-02-10T02:00:00Z') }), ...window()] },
    {
      name: 'a revoke naming only the token that the logs show acting for the person (no inventory)',
      records: [
        alice(), ...window(), use('2026-02-09T12:00:00Z', 5),
        event({ time: t('2026-02-10T00:10:00Z'), identity: 'admin', credential: 'rt-1', category: 'revoke', source: at('events.ndjson', 7) }),
      ],
    },
    {
      name: 'a revoked approval whose delegate\'s token (known only from the logs) was revoked for the person',
      records: [
        app(), alice({ status: 'active', offboardedAt: null }),
        approval({ id: 'apr-3', delegate: 'mail-sync', principal: ALICE, status: 'revoked', endedAt: t('2026-02-15T00:00:00Z'), source: at('approvals.yaml', 12) }),
        ...window(), use('2026-02-14T12:00:00Z', 5, { credential: 'rt-log-only' }),
        event({ time: t('2026-02-15T00:10:00Z'), identity: 'mail-sync', credential: 'rt-log-only', onBehalfOf: ALICE, category: 'revoke', source: at('events.ndjson', 8) }),
      ],
    },
    {
      name: 'the delegate app itself deleted (its grant gone for everyone it acted for)',
      records: [
        alice(), ...window(), use('2026-02-09T12:00:00Z', 5),
        event({ time: t('2026-02-10T00:10:00Z'), identity: 'mail-sync', category: 'identity-delete', source: at('events.ndjson', 7) }),
      ],
    },
    {
      name: 'a revoke event names the token within the grace period',
      records: [app(), alice(), rt1(), ...window(), event({ time: t('2026-02-10T05:00:00Z'), credential: 'rt-1', category: 'revoke' })],
    },
    {
      name: 'a disconnect event for the person follows the offboarding',
      records: [app(), alice(), rt1(), ...window(), event({ time: t('2026-02-10T03:00:00Z'), identity: 'mail-sync', onBehalfOf: ALICE, category: 'disconnect' })],
    },
    {
      name: 'a disconnect event for the person came an hour before the offboarding date',
      records: [app(), alice(), rt1(), ...window(), event({ time: t('2026-02-09T23:00:00Z'), onBehalfOf: ALICE, identity: 'admin', category: 'disconnect' })],
    },
    { name: 'the token had been revoked before', records: [app(), alice(), rt1({ revokedAt: t('2026-01-01T00:00:00Z') }), ...window()] },
    { name: 'the token expired within the grace period', records: [app(), alice(), rt1({ expiresAt: t('2026-02-10T12:00:00Z') }), ...window()] },
    { name: 'the offboarding is still within the grace period', records: [app(), alice({ offboardedAt: t('2026-03-09T22:00:00Z') }), rt1(), ...window()] },
    { name: 'nothing hangs off the offboarded person', records: [app(), alice(), ...window()] },
    { name: 'the person is active', records: [app(), alice({ status: 'active', offboardedAt: null }), rt1(), ...window()] },
    {
      name: 'a disabled identity with no credentials stopped acting',
      records: [app({ status: 'disabled', disabledAt: t('2026-02-20T00:00:00Z') }), ...window(), event({ time: t('2026-02-19T00:00:00Z'), identity: 'mail-sync' })],
    },
  ])('does not fire when $name', async ({ records }) => {
    const run = await runRule(rule, world(...records), AS_OF);
    expect(run.findings).toEqual([]);
    expect(run.notes).toEqual([]);
  });

  it('does not guess when the logs do not cover the end of the delegation', async () => {
    const scene = world(
      app(), alice(), rt1(),
      event({ time: t('2026-02-20T00:00:00Z'), identity: 'other' }),
      event({ time: t('2026-03-05T00:00:00Z'), identity: 'other' }),
    );
    const run = await runRule(rule, scene, AS_OF);
    expect(run.findings).toEqual([]);
    expect(run.notes).toEqual([
      'alice@example.com was offboarded: disconnect not evaluated: logs cover 2026-02-20T00:00:00Z → 2026-03-05T00:00:00Z, ' +
        'the delegation ended 2026-02-10T00:00:00Z (grace until 2026-02-11T00:00:00Z)',
    ]);
  });

  it('assumes a token marked inactive without a date was disconnected, and says so', async () => {
    const run = await runRule(rule, world(app(), alice(), rt1({ active: false }), ...window()), AS_OF);
    expect(run.findings).toEqual([]);
    expect(run.notes).toEqual(['alice@example.com was offboarded: rt-1 marked inactive without a date; assumed disconnected in time']);
  });

  it('notes a delegation whose end date is unknown', async () => {
    const run = await runRule(rule, world(app(), alice({ offboardedAt: null }), rt1(), ...window()), AS_OF);
    expect(run.findings).toEqual([]);
    expect(run.notes).toEqual(['alice@example.com was offboarded but the input does not say when: not evaluated']);
  });

  it('reports each ended delegation separately', async () => {
    const scene = world(
      app({ status: 'disabled', disabledAt: t('2026-02-20T00:00:00Z') }),
      alice(),
      rt1(),
      ...window(),
    );
    const run = await runRule(rule, scene, AS_OF);
    expect(run.findings.map((finding) => `${finding.subject.kind}:${finding.subject.id}`)).toEqual([`principal:${ALICE}`, 'identity:mail-sync']);
  });

  it('honours grace_period', async () => {
    const scene = world(app(), alice(), rt1({ revokedAt: t('2026-02-12T00:00:00Z') }), ...window());
    expect((await runRule(rule, scene, AS_OF)).findings).toHaveLength(1);
    expect((await runRule(rule, scene, AS_OF, { grace_period: 72 * 3_600_000 })).findings).toEqual([]);
  });

  it('is not evaluated without principals, approvals or identities', async () => {
    const run = await runRule(rule, world(rt1(), ...window()), AS_OF);
    expect(run.notEvaluated).toHaveLength(1);
    expect(run.findings).toEqual([]);
  });

  it('is not evaluated without credentials or events', async () => {
    const run = await runRule(rule, world(alice()), AS_OF);
    expect(run.notEvaluated).toHaveLength(1);
    expect(run.notEvaluated[0]).toMatch(/neither event logs nor credentials/);
  });
});
