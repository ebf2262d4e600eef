import { describe, expect, it } from 'vitest';
import type { FindingDraft } from '../../src/engine/rule-api.js';
import { formatSource, type Credential, type Identity, type NormalizedRecord } from '../../src/model/index.js';
import { rule } from '../../src/rules/NHI-LIFE-003.js';
import { runRule } from '../helpers/run-rule.js';
import { at, credential, event, identity, principal, t, world } from '../helpers/world.js';

const AS_OF = t('2026-03-10T00:00:00Z');
const ALICE = 'alice@example.com';

const bot = (overrides: Partial<Identity> = {}) => identity({ id: 'ci-bot', type: 'service-account', provider: 'aws', source: at('iam.json', 2), ...overrides });
const key = (overrides: Partial<Credential> = {}) =>
  credential({ id: 'AKIA1', identity: 'ci-bot', type: 'access-key', revokedAt: t('2026-02-01T00:00:00Z'), source: at('keys.csv', 3), ...overrides });
const use = (iso: string, line: number, extra: object = {}) =>
  event({ time: t(iso), identity: 'ci-bot', credential: 'AKIA1', action: 's3:PutObject', source: at('events.ndjson', line), ...extra });

function where(finding: FindingDraft | undefined): string[] {
  return (finding?.evidence ?? []).map((item) => formatSource(item.source));
}

describe('NHI-LIFE-003 use-after-revocation', () => {
  it('reports a key used after its revocation, with the earliest use after the end the logs show', async () => {
    const scene = world(
      bot(), key(),
      use('2026-01-20T00:00:00Z', 3, { action: 's3:GetObject' }),
      use('2026-02-03T00:00:00Z', 14),
      use('2026-02-20T00:00:00Z', 30),
    );
    const run = await runRule(rule, scene, AS_OF);
    expect(run.findings).toHaveLength(1);
    const [finding] = run.findings;
    expect(finding?.messageId).toBe('credential-used-after-end');
    expect(finding?.severity).toBeUndefined();
    expect(finding?.subject).toEqual({ kind: 'credential', id: 'AKIA1', provider: 'aws' });
    expect(finding?.message).toBe(
      'Access key AKIA1 of ci-bot was revoked 2026-02-01T00:00:00Z (keys.csv:3) but was still used: ' +
        'in use after it by 2026-02-03T00:00:00Z (events.ndjson:14) at the latest, last used 2026-02-20T00:00:00Z (events.ndjson:30).',
    );
    expect(where(finding)).toEqual(['keys.csv:3', 'events.ndjson:14', 'events.ndjson:30']);
    expect(finding?.evidence.map((item) => item.key)).toEqual(['credential:AKIA1', 'first-use-after-end:AKIA1', 'last-use:AKIA1']);
  });

  it.each<{ name: string; records: NormalizedRecord[]; messageId: string; subject: string; evidence: string[]; text: RegExp }>([
    {
      name: 'an expired token whose every use came after its expiry (exact first use)',
      records: [bot(), key({ revokedAt: null, type: 'access-token', expiresAt: t('2026-02-01T00:00:00Z') }), use('2026-02-05T00:00:00Z', 5), use('2026-02-07T00:00:00Z', 7)],
      messageId: 'credential-used-after-end', subject: 'AKIA1', evidence: ['keys.csv:3', 'events.ndjson:5', 'events.ndjson:7'],
      text: /expired 2026-02-01T00:00:00Z \(keys\.csv:3\) but was still used: first used after it 2026-02-05T00:00:00Z \(events\.ndjson:5\), last used 2026-02-07/,
    },
    {
      name: 'a key deleted by an event, then used',
      records: [bot(), key({ revokedAt: null }), event({ time: t('2026-02-10T00:00:00Z'), credential: 'AKIA1', category: 'credential-delete', source: at('events.ndjson', 20) }), use('2026-02-11T00:00:00Z', 22)],
      messageId: 'credential-used-after-end', subject: 'AKIA1', evidence: ['keys.csv:3', 'events.ndjson:20', 'events.ndjson:22'],
      text: /was deleted 2026-02-10T00:00:00Z \(events\.ndjson:20\) but was still used: used once after it, 2026-02-11T00:00:00Z \(events\.ndjson:22\)\.$/,
    },
    {
      name: 'a provider-reported last use after the revocation',
      records: [bot(), key({ lastUsedAt: t('2026-02-15T00:00:00Z') })],
      messageId: 'credential-used-after-end', subject: 'AKIA1', evidence: ['keys.csv:3', 'keys.csv:3'],
      text: /last used 2026-02-15T00:00:00Z \(keys\.csv:3\)\.$/,
    },
    {
      name: 'a disabled identity that kept acting',
      records: [bot({ status: 'disabled', disabledAt: t('2026-02-01T00:00:00Z') }), use('2026-02-02T00:00:00Z', 8, { credential: null })],
      messageId: 'identity-used-after-end', subject: 'ci-bot', evidence: ['iam.json:2', 'events.ndjson:8'],
      text: /^Service account ci-bot was disabled 2026-02-01T00:00:00Z \(iam\.json:2\) but still acted: used once after it, 2026-02-02T00:00:00Z \(events\.ndjson:8\)\.$/,
    },
    {
      name: 'an identity deleted by an event that kept acting',
      records: [
        bot({ status: 'deleted' }),
        event({ time: t('2026-02-01T00:00:00Z'), identity: 'ci-bot', category: 'identity-delete', source: at('events.ndjson', 40) }),
        use('2026-02-02T00:00:00Z', 41, { credential: null }),
      ],
      messageId: 'identity-used-after-end', subject: 'ci-bot', evidence: ['iam.json:2', 'events.ndjson:40', 'events.ndjson:41'],
      text: /was deleted 2026-02-01T00:00:00Z \(events\.ndjson:40\) but still acted/,
    },
    {
      name: 'a delegate acting for a person after the offboarding',
      records: [
        principal({ id: ALICE, status: 'offboarded', offboardedAt: t('2026-02-10T00:00:00Z'), source: at('hr.yaml', 6) }),
        credential({ id: 'rt-9', identity: 'mail-sync', type: 'refresh-token', onBehalfOf: ALICE }),
        event({ time: t('2026-02-12T00:00:00Z'), identity: 'mail-sync', onBehalfOf: ALICE, source: at('events.ndjson', 60) }),
      ],
      messageId: 'acted-for-offboarded-principal', subject: ALICE, evidence: ['hr.yaml:6', 'events.ndjson:60'],
      text: /^alice@example\.com was offboarded 2026-02-10T00:00:00Z \(hr\.yaml:6\) but identities still acted on their behalf: used once after it, 2026-02-12T00:00:00Z \(events\.ndjson:60\); credentials acting for them: rt-9\.$/,
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
    { name: 'the key was used only before its revocation', records: [bot(), key(), use('2026-01-31T23:00:00Z', 3)] },
    { name: 'the only attempt after the revocation failed', records: [bot(), key(), use('2026-02-03T00:00:00Z', 3, { outcome: 'failure' })] },
    { name: 'the revocation is dated after asOf', records: [bot(), key({ revokedAt: t('2026-04-01T00:00:00Z') }), use('2026-03-01T00:00:00Z', 3)] },
    { name: 'the key is only flagged inactive, with no date', records: [bot(), key({ revokedAt: null, active: false }), use('2026-03-01T00:00:00Z', 3)] },
    { name: 'the identity stopped acting before it was disabled', records: [bot({ status: 'disabled', disabledAt: t('2026-02-01T00:00:00Z') }), use('2026-01-30T00:00:00Z', 3, { credential: null })] },
    {
      name: 'an identity re-created after a delete event is active again',
      records: [bot(), event({ time: t('2026-02-01T00:00:00Z'), identity: 'ci-bot', category: 'identity-delete' }), use('2026-02-02T00:00:00Z', 3, { credential: null })],
    },
    {
      name: 'the person is still active',
      records: [principal({ id: ALICE }), event({ time: t('2026-02-12T00:00:00Z'), identity: 'mail-sync', onBehalfOf: ALICE })],
    },
  ])('does not fire when $name', async ({ records }) => {
    const run = await runRule(rule, world(...records), AS_OF);
    expect(run.findings).toEqual([]);
  });

  it('reports the key and its disabled identity separately', async () => {
    const scene = world(bot({ status: 'disabled', disabledAt: t('2026-02-05T00:00:00Z') }), key(), use('2026-02-20T00:00:00Z', 30));
    const run = await runRule(rule, scene, AS_OF);
    expect(run.findings.map((finding) => [finding.messageId, finding.subject.id])).toEqual([
      ['credential-used-after-end', 'AKIA1'],
      ['identity-used-after-end', 'ci-bot'],
    ]);
  });

  it('is not evaluated without any sign of activity', async () => {
    const run = await runRule(rule, world(bot(), key()), AS_OF);
    expect(run.notEvaluated).toEqual(['no event logs and no provider-reported last use were supplied, so no activity after an end can be seen']);
  });

  it('is not evaluated without anything that can end', async () => {
    const run = await runRule(rule, world(use('2026-02-20T00:00:00Z', 30)), AS_OF);
    expect(run.notEvaluated).toHaveLength(1);
    expect(run.findings).toEqual([]);
  });
});
