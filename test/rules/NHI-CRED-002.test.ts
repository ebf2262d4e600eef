import { describe, expect, it } from 'vitest';
import type { FindingDraft } from '../../src/engine/rule-api.js';
import { formatSource, type Credential, type NormalizedRecord } from '../../src/model/index.js';
import { rule } from '../../src/rules/NHI-CRED-002.js';
import { runRule } from '../helpers/run-rule.js';
import { at, credential, event, identity, t, world } from '../helpers/world.js';

const AS_OF = t('2026-03-10T00:00:00Z');
const ARN = 'arn:aws:iam::123456789012:user/ci-bot';

const bot = (overrides: object = {}) =>
  identity({ id: ARN, type: 'service-account', provider: 'aws', tenant: '123456789012', source: at('iam.json', 4), ...overrides });
const key = (overrides: Partial<Credential> & { id: string }) =>
  credential({ identity: ARN, type: 'access-key', source: at('credential-report.csv', 3), ...overrides });

function where(finding: FindingDraft | undefined): string[] {
  return (finding?.evidence ?? []).map((item) => formatSource(item.source));
}

describe('NHI-CRED-002 unrotated-credential', () => {
  it('reports an access key rotated long ago, with its age and date', async () => {
    const run = await runRule(rule, world(bot(), key({ id: 'AKIAIOSFODNN7EXAMPLE', lastRotatedAt: t('2025-10-01T00:00:00Z') })), AS_OF);
    expect(run.findings).toHaveLength(1);
    const [finding] = run.findings;
    expect(finding?.messageId).toBe('not-rotated');
    expect(finding?.subject).toEqual({ kind: 'credential', id: 'AKIAIOSFODNN7EXAMPLE', provider: 'aws', tenant: '123456789012' });
    expect(finding?.message).toBe(
      `Access key AKIAIOSFODNN7EXAMPLE of ${ARN} was last rotated 2025-10-01, 160 days before 2026-03-10 (rotation period 90 days), and is still active.`,
    );
    expect(where(finding)).toEqual(['credential-report.csv:3']);
    expect(finding?.evidence.map((item) => item.key)).toEqual(['credential:AKIAIOSFODNN7EXAMPLE']);
  });

  it.each<{ name: string; records: NormalizedRecord[]; messageId: string; text: RegExp }>([
    {
      name: 'an API key never rotated since issue',
      records: [bot(), key({ id: 'key-1', type: 'api-key', issuedAt: t('2025-01-01T00:00:00Z') })],
      messageId: 'never-rotated', text: /^API key key-1 of .* was issued 2025-01-01 and never rotated, 433 days before 2026-03-10/,
    },
    {
      name: 'a GCP service-account key',
      records: [bot(), key({ id: 'k-77', type: 'sa-key', issuedAt: t('2025-11-01T00:00:00Z') })],
      messageId: 'never-rotated', text: /^Service-account key k-77 .* 129 days before/,
    },
    {
      name: 'the password of a non-human identity',
      records: [bot(), key({ id: 'pw-1', type: 'password', lastRotatedAt: t('2025-06-01T00:00:00Z') })],
      messageId: 'not-rotated', text: /^Password pw-1 of .* was last rotated 2025-06-01/,
    },
    {
      name: 'a secret whose owner is not in the inventory',
      records: [credential({ id: 'cs-2', type: 'client-secret', identity: 'ghost-app', issuedAt: t('2025-01-01T00:00:00Z'), source: at('credential-report.csv', 3) })],
      messageId: 'never-rotated', text: /^Client secret cs-2 of ghost-app was issued .* and never rotated/,
    },
  ])('fires on $name', async ({ records, messageId, text }) => {
    const run = await runRule(rule, world(...records), AS_OF);
    expect(run.findings).toHaveLength(1);
    expect(run.findings[0]?.messageId).toBe(messageId);
    expect(run.findings[0]?.message).toMatch(text);
    expect(where(run.findings[0])).toEqual(['credential-report.csv:3']);
  });

  it.each<{ name: string; records: NormalizedRecord[] }>([
    { name: 'it was rotated within 90 days', records: [bot(), key({ id: 'k', lastRotatedAt: t('2026-01-01T00:00:00Z'), issuedAt: t('2024-01-01T00:00:00Z') })] },
    { name: 'it is exactly 90 days old', records: [bot(), key({ id: 'k', issuedAt: t('2025-12-10T00:00:00Z') })] },
    { name: 'it is provider-managed', records: [bot(), key({ id: 'k', type: 'sa-key', providerManaged: true, issuedAt: t('2024-01-01T00:00:00Z') })] },
    { name: 'it is inactive', records: [bot(), key({ id: 'k', active: false, issuedAt: t('2024-01-01T00:00:00Z') })] },
    {
      name: 'a delete event ended it',
      records: [bot(), key({ id: 'k', issuedAt: t('2024-01-01T00:00:00Z') }), event({ time: t('2026-02-01T00:00:00Z'), credential: 'k', category: 'credential-delete' })],
    },
    { name: 'it is an access token (not a static secret)', records: [bot(), key({ id: 'k', type: 'access-token', issuedAt: t('2024-01-01T00:00:00Z') })] },
    {
      name: 'the password belongs to a person who signs in interactively',
      records: [
        bot({ type: 'user' }),
        key({ id: 'pw', type: 'password', lastRotatedAt: t('2024-01-01T00:00:00Z') }),
        event({ time: t('2026-03-01T00:00:00Z'), identity: ARN, category: 'login-interactive' }),
      ],
    },
  ])('does not fire when $name', async ({ records }) => {
    const run = await runRule(rule, world(...records), AS_OF);
    expect(run.findings).toEqual([]);
  });

  it('reports both unrotated keys of one identity', async () => {
    const scene = world(
      bot(),
      key({ id: 'AKIA1', issuedAt: t('2024-01-01T00:00:00Z'), source: at('credential-report.csv', 3) }),
      key({ id: 'AKIA2', lastRotatedAt: t('2025-01-01T00:00:00Z'), source: at('credential-report.csv', 4) }),
    );
    const run = await runRule(rule, scene, AS_OF);
    expect(run.findings.map((finding) => [finding.subject.id, finding.messageId, where(finding)[0]])).toEqual([
      ['AKIA1', 'never-rotated', 'credential-report.csv:3'],
      ['AKIA2', 'not-rotated', 'credential-report.csv:4'],
    ]);
  });

  it('notes live secrets with no date and honours max_age', async () => {
    const run = await runRule(rule, world(bot(), key({ id: 'AKIA3' })), AS_OF);
    expect(run.findings).toEqual([]);
    expect(run.notes).toEqual(['1 live static secret (AKIA3) has no rotation or issue date: age unknown']);
    const scene = world(bot(), key({ id: 'AKIA4', issuedAt: t('2025-10-01T00:00:00Z') }));
    expect((await runRule(rule, scene, AS_OF, { max_age: 200 * 86_400_000 })).findings).toEqual([]);
  });

  it('is not evaluated without credentials', async () => {
    const run = await runRule(rule, world(bot()), AS_OF);
    expect(run.notEvaluated).toEqual(['no credential records were supplied']);
  });
});
