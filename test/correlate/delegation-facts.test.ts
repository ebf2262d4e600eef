/*
 * The fold's facts for refresh rotation, credential creation and days of
 * privileged use: per key, bounded, and order-free across merges.
 */
import { describe, expect, it } from 'vitest';
import { ActionDays, DAY_CAP, dayOf } from '../../src/correlate/action-days.js';
import { UsageFold } from '../../src/correlate/usage.js';
import type { Event, NormalizedRecord } from '../../src/model/index.js';
import { at, event, t, world } from '../helpers/world.js';

const DAY = 86_400_000;

function fold(records: readonly NormalizedRecord[]): UsageFold {
  const out = new UsageFold();
  for (const record of records) if (record.kind === 'event') out.add(record.record as Event);
  return out;
}

describe('refresh presentations and reuse detections', () => {
  it('keeps the first and last presentation and counts detected reuses', () => {
    const scene = world(
      event({ time: t('2026-02-01T00:00:00Z'), credential: 'rt-1', category: 'token-refresh', source: at('okta.ndjson', 9) }),
      event({ time: t('2026-01-01T00:00:00Z'), credential: 'rt-1', category: 'token-refresh', source: at('okta.ndjson', 3) }),
      event({ time: t('2026-01-15T00:00:00Z'), credential: 'rt-1', category: 'token-refresh', outcome: 'failure', source: at('okta.ndjson', 5) }),
      event({ time: t('2026-02-02T00:00:00Z'), credential: 'rt-1', category: 'token-reuse', source: at('okta.ndjson', 11) }),
    );
    const stats = scene.usage.forCredential('rt-1');
    expect(stats?.firstRefresh?.source.line).toBe(3);
    expect(stats?.lastRefresh?.source.line).toBe(9);
    expect(stats?.refreshes).toBe(2);
    expect([stats?.reuses, stats?.lastReuse?.source.line]).toEqual([1, 11]);
  });
});

describe('credential creation', () => {
  it('keeps the earliest successful creation with its creator and whether the session was interactive', () => {
    const created = (iso: string, line: number, extra: Partial<Event> = {}) =>
      event({ time: t(iso), identity: 'bot', credential: 'AKIA1', category: 'credential-create', actorChain: ['arn:aws:iam::1:role/Admin'], source: at('trail.json', line), ...extra });
    const scene = world(
      created('2026-03-02T00:00:00Z', 8),
      created('2026-03-01T00:00:00Z', 4, { actorInteractive: true }),
      created('2026-02-01T00:00:00Z', 2, { outcome: 'failure' }),
    );
    expect(scene.usage.forCredential('AKIA1')?.creation).toEqual({
      time: t('2026-03-01T00:00:00Z'), source: at('trail.json', 4), by: 'arn:aws:iam::1:role/Admin', interactive: true,
    });
    // A creation is about the credential, not the creator's own use.
    expect(scene.usage.forIdentity('bot')?.ownActions).toBe(0);
  });
});

describe('days of use per action', () => {
  const use = (identity: string | null, credential: string | null, action: string, time: number, line = 1) =>
    event({ time, identity, credential, action, source: at('events.ndjson', line) });

  it('keeps distinct UTC days per action for identity keys only', () => {
    const base = t('2026-03-01T10:00:00Z');
    const scene = world(
      use('role-a', 'key-1', 'iam:PassRole', base), use('role-a', 'key-1', 'iam:PassRole', base + 3_600_000),
      use('role-a', null, 'iam:PassRole', base + 2 * DAY), use(null, 'key-2', 's3:GetObject', base + DAY),
    );
    expect(scene.usage.forIdentity('role-a')?.actionDays.get('iam:PassRole')).toEqual({ days: [dayOf(base), dayOf(base) + 2], more: false });
    expect(scene.usage.forCredential('key-1')?.actionDays.size).toBe(0);
  });

  it('stops at DAY_CAP days per action and says there were more, whatever the order', () => {
    const start = t('2026-01-01T12:00:00Z');
    const events = Array.from({ length: DAY_CAP + 5 }, (_, index) => use('role-a', null, 'iam:PassRole', start + index * DAY, index + 1));
    const forward = fold(events).byIdentityRef.get('role-a')?.stats().actionDays.get('iam:PassRole');
    const backward = fold([...events].reverse()).byIdentityRef.get('role-a')?.stats().actionDays.get('iam:PassRole');
    expect(forward?.days).toHaveLength(DAY_CAP);
    expect(forward?.more).toBe(true);
    expect(backward).toEqual(forward);
  });

  it('merges and round-trips through plain data exactly', () => {
    const a = new ActionDays(2);
    const b = new ActionDays(2);
    a.add('iam:PassRole', 10);
    a.add('s3:GetObject', 11);
    b.add('iam:CreateAccessKey', 12);
    b.add('iam:PassRole', 9);
    a.merge(b);
    // Two actions kept at most: the smallest names, so the result does not depend on merge order.
    expect([...a.view().days.keys()].sort()).toEqual(['iam:CreateAccessKey', 'iam:PassRole']);
    expect(a.view().overflow).toBe(true);
    expect(a.view().days.get('iam:PassRole')?.days).toEqual([9, 10]);
    expect(ActionDays.fromData(2, a.toData()).toData()).toEqual(a.toData());
    const other = new ActionDays(2);
    other.merge(b);
    const reversed = new ActionDays(2);
    reversed.add('iam:PassRole', 10);
    reversed.add('s3:GetObject', 11);
    other.merge(reversed);
    expect([...other.view().days.keys()].sort()).toEqual(['iam:CreateAccessKey', 'iam:PassRole']);
  });
});
