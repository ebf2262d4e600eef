import { describe, expect, it } from 'vitest';
import type { FindingDraft } from '../../src/engine/rule-api.js';
import { DAY_MS, formatSource, type NormalizedRecord } from '../../src/model/index.js';
import { rule } from '../../src/rules/NHI-APPR-001.js';
import { runRule } from '../helpers/run-rule.js';
import { approval, at, credential, event, identity, t, world } from '../helpers/world.js';

const AS_OF = t('2026-03-10T00:00:00Z');

const bot = () => identity({ id: 'ci-bot', type: 'bot', source: at('inventory.yaml', 1) });
const apr7 = (overrides: object = {}) =>
  approval({
    id: 'apr-7', delegate: 'ci-bot', principal: 'alice@example.com', purpose: 'nightly export',
    lastReviewedAt: t('2026-02-20T00:00:00Z'), source: at('approvals.yaml', 3), ...overrides,
  });
const rt1 = (overrides: object = {}) =>
  credential({ id: 'rt-1', type: 'refresh-token', identity: 'ci-bot', source: at('tokens.json', 4), ...overrides });
const acted = (iso: string, line: number) => event({ time: t(iso), identity: 'ci-bot', source: at('events.ndjson', line) });

function where(finding: FindingDraft | undefined): string[] {
  return (finding?.evidence ?? []).map((item) => formatSource(item.source));
}

describe('NHI-APPR-001 stale-approval', () => {
  it('reports an approval still active past its expiry while its delegate holds a live token', async () => {
    const run = await runRule(rule, world(bot(), apr7({ expiresAt: t('2026-01-31T00:00:00Z') }), rt1()), AS_OF);
    expect(run.findings).toHaveLength(1);
    const [finding] = run.findings;
    expect(finding?.messageId).toBe('expired-still-active');
    expect(finding?.severity).toBeUndefined();
    expect(finding?.subject).toEqual({ kind: 'approval', id: 'apr-7' });
    expect(finding?.message).toBe(
      'Approval apr-7 (delegate ci-bot for alice@example.com, purpose "nightly export") is still active but expired 2026-01-31; ' +
        'its delegate still holds active refresh token rt-1.',
    );
    expect(where(finding)).toEqual(['approvals.yaml:3', 'tokens.json:4']);
    expect(finding?.evidence.map((item) => item.key)).toEqual(['approval:apr-7', 'credential:rt-1']);
  });

  it.each<{ name: string; records: NormalizedRecord[]; messageId: string; evidence: string[]; text: RegExp }>([
    {
      name: 'review overdue and the delegate acted since',
      records: [bot(), apr7({ reviewBy: t('2026-03-01T00:00:00Z') }), acted('2026-03-04T08:00:00Z', 12)],
      messageId: 'review-overdue',
      evidence: ['approvals.yaml:3', 'events.ndjson:12'],
      text: /was due for review by 2026-03-01; its delegate acted 2026-03-04T08:00:00Z \(events\.ndjson:12\), after the approval went stale\.$/,
    },
    {
      name: 'last reviewed more than 90 days ago',
      records: [bot(), apr7({ lastReviewedAt: t('2025-11-01T00:00:00Z') }), rt1()],
      messageId: 'review-stale',
      evidence: ['approvals.yaml:3', 'tokens.json:4'],
      text: /was last reviewed 2025-11-01, more than 90 days ago/,
    },
    {
      name: 'never reviewed, granted long ago, holds a token and acted',
      records: [bot(), apr7({ lastReviewedAt: null, grantedAt: t('2025-06-01T00:00:00Z') }), rt1(), acted('2026-01-05T00:00:00Z', 20)],
      messageId: 'review-stale',
      evidence: ['approvals.yaml:3', 'tokens.json:4', 'events.ndjson:20'],
      text: /was granted 2025-06-01, more than 90 days ago; its delegate still holds active refresh token rt-1 and it acted 2026-01-05T00:00:00Z/,
    },
    {
      name: 'a token issued under the approval to another client',
      records: [bot(), apr7({ expiresAt: t('2026-02-01T00:00:00Z') }), credential({ id: 'tok-x', identity: 'elsewhere', approval: 'apr-7', source: at('tokens.json', 30) })],
      messageId: 'expired-still-active',
      evidence: ['approvals.yaml:3', 'tokens.json:30'],
      text: /holds active API key tok-x/,
    },
  ])('fires: $name', async ({ records, messageId, evidence, text }) => {
    const run = await runRule(rule, world(...records), AS_OF);
    expect(run.findings).toHaveLength(1);
    const [finding] = run.findings;
    expect(finding?.messageId).toBe(messageId);
    expect(finding?.subject.id).toBe('apr-7');
    expect(where(finding)).toEqual(evidence);
    expect(finding?.message).toMatch(text);
  });

  it.each<{ name: string; records: NormalizedRecord[] }>([
    { name: 'the expired approval is already marked expired', records: [bot(), apr7({ status: 'expired', expiresAt: t('2026-01-31T00:00:00Z') }), rt1()] },
    { name: 'the approval was revoked', records: [bot(), apr7({ status: 'revoked', reviewBy: t('2026-01-01T00:00:00Z') }), rt1()] },
    {
      name: 'it is stale but the delegate holds nothing live and has not acted since',
      records: [bot(), apr7({ expiresAt: t('2026-02-01T00:00:00Z') }), rt1({ revokedAt: t('2026-02-01T00:00:00Z') }), acted('2026-01-20T00:00:00Z', 2)],
    },
    { name: 'the only token expired', records: [bot(), apr7({ expiresAt: t('2026-02-01T00:00:00Z') }), rt1({ expiresAt: t('2026-02-02T00:00:00Z') })] },
    { name: 'it was reviewed 30 days ago', records: [bot(), apr7({ lastReviewedAt: t('2026-02-08T00:00:00Z') }), rt1(), acted('2026-03-09T00:00:00Z', 3)] },
    { name: 'its expiry and review date are in the future', records: [bot(), apr7({ expiresAt: t('2026-04-01T00:00:00Z'), reviewBy: t('2026-03-11T00:00:00Z') }), rt1()] },
  ])('does not fire when $name', async ({ records }) => {
    const run = await runRule(rule, world(...records), AS_OF);
    expect(run.findings).toEqual([]);
    expect(run.notEvaluated).toEqual([]);
  });

  it('reports each stale approval', async () => {
    const scene = world(
      bot(), rt1(),
      apr7({ expiresAt: t('2026-01-31T00:00:00Z') }),
      approval({ id: 'apr-8', delegate: 'ci-bot', reviewBy: t('2026-02-01T00:00:00Z'), source: at('approvals.yaml', 12) }),
      approval({ id: 'apr-9', delegate: 'ci-bot', lastReviewedAt: t('2026-03-01T00:00:00Z') }),
    );
    const run = await runRule(rule, scene, AS_OF);
    expect(run.findings.map((finding) => [finding.subject.id, finding.messageId])).toEqual([
      ['apr-7', 'expired-still-active'],
      ['apr-8', 'review-overdue'],
    ]);
    expect(where(run.findings[1])).toEqual(['approvals.yaml:12', 'tokens.json:4']);
  });

  it('honours max_review_age', async () => {
    const scene = world(bot(), apr7({ lastReviewedAt: t('2025-11-01T00:00:00Z') }), rt1());
    expect((await runRule(rule, scene, AS_OF)).findings).toHaveLength(1);
    expect((await runRule(rule, scene, AS_OF, { max_review_age: 180 * DAY_MS })).findings).toEqual([]);
  });

  it('is not evaluated without approvals', async () => {
    const run = await runRule(rule, world(bot(), rt1()), AS_OF);
    expect(run.notEvaluated).toEqual(['no approval records were supplied']);
  });

  it('is not evaluated without credentials or events', async () => {
    const run = await runRule(rule, world(bot(), apr7({ expiresAt: t('2026-01-31T00:00:00Z') })), AS_OF);
    expect(run.notEvaluated).toHaveLength(1);
    expect(run.findings).toEqual([]);
  });
});
