import { describe, expect, it } from 'vitest';
import type { FindingDraft } from '../../src/engine/rule-api.js';
import { formatSource, type Identity, type NormalizedRecord } from '../../src/model/index.js';
import { rule } from '../../src/rules/NHI-LIFE-002.js';
import { runRule } from '../helpers/run-rule.js';
import { at, credential, event, identity, t, world } from '../helpers/world.js';

const AS_OF = t('2026-03-10T00:00:00Z');
const ROLE = 'arn:aws:iam::123456789012:role/legacy-etl';

const role = (overrides: Partial<Identity> = {}) =>
  identity({ id: ROLE, type: 'role', provider: 'aws', createdAt: t('2025-01-01T00:00:00Z'), source: at('iam.json', 4), ...overrides });
/** Unrelated events that make the logs span 2025-11-01 → 2026-03-09. */
const window = () => [
  event({ time: t('2025-11-01T00:00:00Z'), identity: 'someone-else', source: at('events.ndjson', 1) }),
  event({ time: t('2026-03-09T00:00:00Z'), identity: 'someone-else', source: at('events.ndjson', 99) }),
];
const act = (iso: string, line: number, extra: object = {}) => event({ time: t(iso), identity: ROLE, source: at('events.ndjson', line), ...extra });

function where(finding: FindingDraft | undefined): string[] {
  return (finding?.evidence ?? []).map((item) => formatSource(item.source));
}

describe('NHI-LIFE-002 dormant-identity', () => {
  it('reports a role whose provider-reported last use is old, saying which signal decided', async () => {
    const run = await runRule(rule, world(role({ lastUsedAt: t('2025-10-01T00:00:00Z') })), AS_OF);
    expect(run.findings).toHaveLength(1);
    const [finding] = run.findings;
    expect(finding?.messageId).toBe('dormant');
    expect(finding?.subject).toEqual({ kind: 'identity', id: ROLE, provider: 'aws' });
    expect(finding?.message).toBe(
      `Role ${ROLE} has not been used for 160 days (idle limit 90 days): its latest use signal is the provider-reported last use ` +
        'of the identity at 2025-10-01T00:00:00Z (iam.json:4), and nothing later shows in the last-use reports of aws.',
    );
    expect(where(finding)).toEqual(['iam.json:4', 'iam.json:4']);
    expect(finding?.evidence.map((item) => item.key)).toEqual([`identity:${ROLE}`, `reported-use:identity:${ROLE}`]);
  });

  it.each<{ name: string; records: NormalizedRecord[]; messageId: string; subject: string; evidence: string[]; text: RegExp }>([
    {
      name: 'the last logged action is old and the logs span the idle period',
      records: [role(), ...window(), act('2025-11-20T08:00:00Z', 12)],
      messageId: 'dormant', subject: ROLE, evidence: ['iam.json:4', 'events.ndjson:12'],
      text: /not been used for 109 days .* the last logged action of the identity at 2025-11-20T08:00:00Z \(events\.ndjson:12\), and nothing later shows in event logs 2025-11-01T00:00:00Z → 2026-03-09T00:00:00Z\.$/,
    },
    {
      name: 'a later event beats an older provider-reported last use',
      records: [role({ lastUsedAt: t('2025-09-01T00:00:00Z') }), ...window(), act('2025-11-20T08:00:00Z', 12)],
      messageId: 'dormant', subject: ROLE, evidence: ['iam.json:4', 'events.ndjson:12'],
      text: /the last logged action of the identity at 2025-11-20T08:00:00Z/,
    },
    {
      name: 'the issue of its refresh token is the latest sign of use',
      records: [role(), credential({ id: 'rt-1', identity: ROLE, type: 'refresh-token', issuedAt: t('2025-11-15T00:00:00Z'), source: at('tokens.json', 6) }), ...window()],
      messageId: 'dormant', subject: ROLE, evidence: ['iam.json:4', 'tokens.json:6'],
      text: /the issue of refresh token rt-1 at 2025-11-15T00:00:00Z \(tokens\.json:6\)/,
    },
    {
      name: 'a role never used, created long ago',
      records: [role(), ...window()],
      messageId: 'never-used', subject: ROLE, evidence: ['iam.json:4'],
      text: /^Role .*, created 2025-01-01 \(433 days ago\), shows no use in any usage signal \(event logs 2025-11-01T00:00:00Z → 2026-03-09T00:00:00Z\); never-used identities older than 30 days count as dormant\.$/,
    },
    {
      name: 'an old key of an identity in use (credential report tracking)',
      records: [
        role({ lastUsedAt: t('2026-03-01T00:00:00Z') }),
        credential({ id: 'AKIAOLD', identity: ROLE, type: 'access-key', issuedAt: t('2025-01-01T00:00:00Z'), lastUsedAt: t('2025-08-01T00:00:00Z'), source: at('report.csv', 2) }),
      ],
      messageId: 'credential-dormant', subject: 'AKIAOLD', evidence: ['report.csv:2', 'report.csv:2'],
      text: /^Access key AKIAOLD of .* has not been used for 221 days \(idle limit 90 days\): its latest use signal is the provider-reported last use of access key AKIAOLD at 2025-08-01T00:00:00Z \(report\.csv:2\), while .* itself was last used 2026-03-01T00:00:00Z\.$/,
    },
    {
      name: 'a key never used while its sibling is (events name keys)',
      records: [
        role(), ...window(),
        credential({ id: 'AKIAUSED', identity: ROLE, type: 'access-key', source: at('report.csv', 2) }),
        credential({ id: 'AKIANEVER', identity: ROLE, type: 'access-key', issuedAt: t('2025-10-01T00:00:00Z'), source: at('report.csv', 3) }),
        act('2026-03-05T00:00:00Z', 50, { credential: 'AKIAUSED' }),
      ],
      messageId: 'credential-never-used', subject: 'AKIANEVER', evidence: ['report.csv:3'],
      text: /^Access key AKIANEVER of .*, issued 2025-10-01 \(160 days ago\), shows no use in any usage signal \(event logs/,
    },
  ])('fires on $name', async ({ records, messageId, subject, evidence, text }) => {
    const run = await runRule(rule, world(...records), AS_OF);
    expect(run.findings).toHaveLength(1);
    const [finding] = run.findings;
    expect(finding?.messageId).toBe(messageId);
    expect(finding?.subject.id).toBe(subject);
    expect(where(finding)).toEqual(evidence);
    expect(finding?.message).toMatch(text);
  });

  it.each<{ name: string; records: NormalizedRecord[] }>([
    { name: 'the role acted recently', records: [role(), ...window(), act('2026-02-20T00:00:00Z', 30)] },
    { name: 'the provider reports a recent use', records: [role({ lastUsedAt: t('2026-02-01T00:00:00Z') })] },
    { name: 'one of its keys was used recently', records: [role({ lastUsedAt: t('2025-06-01T00:00:00Z') }), credential({ id: 'AKIA1', identity: ROLE, type: 'access-key', lastUsedAt: t('2026-03-01T00:00:00Z') })] },
    { name: 'a token was issued to it recently', records: [role(), credential({ id: 'at-1', identity: ROLE, type: 'access-token', issuedAt: t('2026-03-01T00:00:00Z'), expiresAt: t('2026-03-01T01:00:00Z') }), ...window()] },
    { name: 'it is disabled', records: [role({ status: 'disabled', lastUsedAt: t('2025-01-02T00:00:00Z') })] },
    { name: 'it was created within the grace period and never used', records: [role({ createdAt: t('2026-02-20T00:00:00Z') }), ...window()] },
    {
      name: 'it is a person who signs in interactively',
      records: [role({ type: 'user' }), ...window(), act('2025-11-20T00:00:00Z', 12, { category: 'login-interactive' })],
    },
    {
      name: 'its unused key is inactive',
      records: [role({ lastUsedAt: t('2026-03-01T00:00:00Z') }), credential({ id: 'AKIAOLD', identity: ROLE, type: 'access-key', active: false, lastUsedAt: t('2025-01-01T00:00:00Z') })],
    },
  ])('does not fire when $name', async ({ name, records }) => {
    const run = await runRule(rule, world(...records), AS_OF);
    expect(run.findings).toEqual([]);
    // A person left out is named in a coverage note, never skipped in silence.
    if (name.includes('a person')) expect(run.notes).toEqual([`1 identity not judged because the inputs show it is a person: ${ROLE} (a user who signs in interactively)`]);
    else expect(run.notes).toEqual([]);
  });

  it('reports a dormant identity once, not also its unused key', async () => {
    const scene = world(
      role({ lastUsedAt: t('2025-10-01T00:00:00Z') }),
      credential({ id: 'AKIAOLD', identity: ROLE, type: 'access-key', lastUsedAt: t('2025-09-01T00:00:00Z') }),
    );
    const run = await runRule(rule, scene, AS_OF);
    expect(run.findings.map((finding) => [finding.messageId, finding.subject.id])).toEqual([['dormant', ROLE]]);
  });

  it('does not believe absence of use where no source could have shown it, and says so', async () => {
    const scene = world(
      role(),
      event({ time: t('2026-02-01T00:00:00Z'), identity: 'someone-else' }),
      event({ time: t('2026-03-09T00:00:00Z'), identity: 'someone-else' }),
    );
    const run = await runRule(rule, scene, AS_OF);
    expect(run.findings).toEqual([]);
    expect(run.notes).toEqual([
      '1 identity or credential showed no use in the idle period but no source could have shown it ' +
        `(no provider-reported last use, and no event logs spanning the period for its tenant): ${ROLE}`,
    ]);
  });

  it('notes a never-used identity of unknown age', async () => {
    const run = await runRule(rule, world(role({ createdAt: null }), ...window()), AS_OF);
    expect(run.findings).toEqual([]);
    expect(run.notes).toEqual([`${ROLE}: never used, and no creation or issue date says how old; not judged`]);
  });

  it('reports two dormant identities and honours max_idle', async () => {
    const other = 'arn:aws:iam::123456789012:role/batch';
    const scene = world(role({ lastUsedAt: t('2025-10-01T00:00:00Z') }), identity({ id: other, type: 'role', provider: 'aws', lastUsedAt: t('2025-11-01T00:00:00Z') }));
    const run = await runRule(rule, scene, AS_OF);
    expect(run.findings.map((finding) => finding.subject.id)).toEqual([other, ROLE]);
    const longer = await runRule(rule, scene, AS_OF, { max_idle: 150 * 86_400_000 });
    expect(longer.findings.map((finding) => finding.subject.id)).toEqual([ROLE]);
  });

  it('is not evaluated without any usage signal', async () => {
    const run = await runRule(rule, world(role(), credential({ id: 'k', identity: ROLE, type: 'access-key' })), AS_OF);
    expect(run.notEvaluated).toEqual([
      'no usage signal was supplied: no event logs, no provider-reported last use of identities or credentials, no token issue times',
    ]);
    expect(run.findings).toEqual([]);
  });

  it('is not evaluated without identities', async () => {
    const run = await runRule(rule, world(...window()), AS_OF);
    expect(run.notEvaluated).toEqual(['no identity records were supplied']);
  });
});
