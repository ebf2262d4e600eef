import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { ActionDays, DAY_CAP } from '../../src/correlate/action-days.js';

/** What ActionDays must report: per action, the earliest DAY_CAP distinct days and whether there were more. */
function expected(uses: readonly (readonly [string, number])[]): Map<string, { days: number[]; more: boolean }> {
  const byAction = new Map<string, Set<number>>();
  for (const [action, day] of uses) {
    const days = byAction.get(action) ?? new Set<number>();
    days.add(day);
    byAction.set(action, days);
  }
  return new Map(
    [...byAction].map(([action, days]) => {
      const sorted = [...days].sort((a, b) => a - b);
      return [action, { days: sorted.slice(0, DAY_CAP), more: sorted.length > DAY_CAP }];
    }),
  );
}

function viewOf(days: ActionDays): Map<string, { days: number[]; more: boolean }> {
  return new Map([...days.view().days].map(([action, view]) => [action, { days: [...view.days], more: view.more }]));
}

// Days around today and around the epoch (negative day numbers), with repeats and runs longer than DAY_CAP.
const use = fc.tuple(fc.constantFrom('s3:GetObject', 'kms:Decrypt', 'iam:PassRole'), fc.oneof(fc.integer({ min: 20_300, max: 20_420 }), fc.integer({ min: -40, max: 40 })));

describe('ActionDays', () => {
  test('keeps the earliest days of each action exactly, in any order, and merges to the same', () => {
    fc.assert(
      fc.property(fc.array(use, { maxLength: 300 }), fc.integer({ min: 0, max: 300 }), (uses, cut) => {
        const whole = new ActionDays(64);
        for (const [action, day] of uses) whole.add(action, day);
        expect(viewOf(whole)).toEqual(expected(uses));
        // Two partial folds merged either way, one of them through its plain data (a worker's message).
        const left = new ActionDays(64);
        const right = new ActionDays(64);
        uses.forEach(([action, day], index) => (index < cut ? left : right).add(action, day));
        const merged = ActionDays.fromData(64, left.toData());
        merged.merge(right);
        expect(viewOf(merged)).toEqual(expected(uses));
        right.merge(left);
        expect(viewOf(right)).toEqual(expected(uses));
      }),
      { numRuns: 500 },
    );
  });

  test('a year of daily use is a few numbers per action, and says there were more days than it shows', () => {
    const days = new ActionDays(64);
    for (let day = 20_000; day < 20_365; day += 1) for (let repeat = 0; repeat < 3; repeat += 1) days.add('s3:GetObject', day);
    const data = days.toData().actions[0]?.[1];
    expect(Array.isArray(data) ? data.length : 1).toBeLessThanOrEqual(2 * 14);
    const view = days.view().days.get('s3:GetObject');
    expect(view?.days).toEqual(Array.from({ length: DAY_CAP }, (_, index) => 20_000 + index));
    expect(view?.more).toBe(true);
  });

  test('beyond the action cap the smallest names are kept and the overflow is said', () => {
    const days = new ActionDays(2);
    for (const action of ['c:Do', 'a:Do', 'b:Do']) days.add(action, 1);
    expect([...days.view().days.keys()].sort()).toEqual(['a:Do', 'b:Do']);
    expect(days.view().overflow).toBe(true);
  });
});
