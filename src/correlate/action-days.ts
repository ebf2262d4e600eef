import { intern } from './capped-set.js';
import type { ActionDaysView } from './views.js';

/** Distinct days kept per action (the earliest); beyond this an action only says "more". */
export const DAY_CAP = 32;

const DAY_MS = 86_400_000;

/** The UTC day number of an instant (days since 1970-01-01). */
export function dayOf(time: number): number {
  return Math.floor(time / DAY_MS);
}

/** An ActionDays as plain data: `[action, days]` pairs, days as ActionDays stores them. */
export type ActionDaysData = readonly (readonly [string, number | readonly number[]])[];

/** Days per word of a day set: a word's bits stay a small integer (under 2^30). */
const WORD_DAYS = 30;

/**
 * Per action, the distinct UTC days on which it was used: what "privileged use
 * on only a few days" needs, folded without knowing at fold time which actions
 * are privileged. At most `actionCap` actions are kept (the smallest names, so
 * merges agree whatever the order). An action used on one day stores that day
 * as a bare number; more days become a bit set — `[word, bits, word, bits…]`,
 * sorted, a word per 30 days — so a year of daily use costs 13 small numbers,
 * however many events it took: memory follows identities and the log's span,
 * not its volume. The view shows the earliest DAY_CAP days and says when there
 * were more; the set is exact, so merges give what one pass gives.
 */
export class ActionDays {
  /** action → its one day, or its day set. */
  private readonly byAction = new Map<string, number | number[]>();
  private overflowed = false;

  constructor(private readonly actionCap: number) {}

  add(action: string, day: number): void {
    const key = this.room(action);
    if (key !== undefined) this.put(key, day);
  }

  merge(other: ActionDays): void {
    if (other.overflowed) this.overflowed = true;
    for (const [action, theirs] of other.byAction) {
      const key = this.room(action);
      if (key === undefined) continue;
      if (typeof theirs === 'number') {
        this.put(key, theirs);
        continue;
      }
      for (let at = 0; at < theirs.length; at += 2) this.putWord(key, theirs[at] ?? 0, theirs[at + 1] ?? 0);
    }
  }

  view(): { readonly days: ReadonlyMap<string, ActionDaysView>; readonly overflow: boolean } {
    const days = new Map<string, ActionDaysView>();
    for (const [action, value] of this.byAction) days.set(action, typeof value === 'number' ? { days: [value], more: false } : earliestDays(value));
    return { days, overflow: this.overflowed };
  }

  toData(): { readonly actions: ActionDaysData; readonly overflowed: boolean } {
    const actions = [...this.byAction].map(([action, value]) => [action, typeof value === 'number' ? value : [...value]] as const);
    return { actions, overflowed: this.overflowed };
  }

  static fromData(actionCap: number, data: { readonly actions: ActionDaysData; readonly overflowed: boolean }): ActionDays {
    const days = new ActionDays(actionCap);
    days.overflowed = data.overflowed;
    for (const [action, value] of data.actions) days.byAction.set(action, typeof value === 'number' ? value : [...value]);
    return days;
  }

  /** The key to store an action under, made room for when it is among the smallest `actionCap` names; undefined when it is not. */
  private room(action: string): string | undefined {
    if (this.byAction.has(action)) return action;
    if (this.byAction.size >= this.actionCap) {
      this.overflowed = true;
      let largest: string | undefined;
      for (const key of this.byAction.keys()) if (largest === undefined || key > largest) largest = key;
      if (largest === undefined || action > largest) return undefined;
      this.byAction.delete(largest);
    }
    return intern(action);
  }

  private put(action: string, day: number): void {
    const value = this.byAction.get(action);
    if (value === undefined) {
      this.byAction.set(action, day);
      return;
    }
    if (value === day) return;
    const word = Math.floor(day / WORD_DAYS);
    this.putWord(action, word, 1 << (day - word * WORD_DAYS));
  }

  /** Adds the days of one word (`bits`) to an action's set, turning a single day into a set first. */
  private putWord(action: string, word: number, bits: number): void {
    let value = this.byAction.get(action);
    if (value === undefined || typeof value === 'number') {
      const single = value;
      value = [];
      this.byAction.set(action, value);
      if (single !== undefined) {
        const own = Math.floor(single / WORD_DAYS);
        value.push(own, 1 << (single - own * WORD_DAYS));
      }
    }
    // Events mostly arrive in time order: the word is usually the last one.
    let at = value.length - 2;
    while (at >= 0 && (value[at] ?? 0) > word) at -= 2;
    if (at >= 0 && value[at] === word) value[at + 1] = (value[at + 1] ?? 0) | bits;
    else value.splice(at + 2, 0, word, bits);
  }
}

/** The earliest DAY_CAP days of a day set, and whether it holds more. */
function earliestDays(words: readonly number[]): ActionDaysView {
  const days: number[] = [];
  for (let at = 0; at < words.length; at += 2) {
    const base = (words[at] ?? 0) * WORD_DAYS;
    let bits = words[at + 1] ?? 0;
    for (let bit = 0; bits !== 0; bit += 1, bits >>>= 1) {
      if ((bits & 1) === 0) continue;
      if (days.length === DAY_CAP) return { days, more: true };
      days.push(base + bit);
    }
  }
  return { days, more: false };
}
