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

/** An action with no day yet (between making room for it and storing its first); never written to. */
const EMPTY: number[] = [];

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
  /*
   * Actions and their days side by side: action i's one day, or its day set, is
   * days[i]. Arrays, not a Map: a key holds a few dozen actions at most, and a
   * Map's hash table would cost more than the days.
   */
  private actions: string[] = [];
  private days: (number | number[])[] = [];
  private overflowed = false;

  constructor(private readonly actionCap: number) {}

  add(action: string, day: number): void {
    const slot = this.room(action);
    if (slot !== -1) this.put(slot, day);
  }

  merge(other: ActionDays): void {
    if (other.overflowed) this.overflowed = true;
    for (const [index, action] of other.actions.entries()) {
      const theirs = other.days[index] ?? [];
      const slot = this.room(action);
      if (slot === -1) continue;
      if (typeof theirs === 'number') {
        this.put(slot, theirs);
        continue;
      }
      for (let at = 0; at < theirs.length; at += 2) this.putWord(slot, theirs[at] ?? 0, theirs[at + 1] ?? 0);
    }
  }

  view(): { readonly days: ReadonlyMap<string, ActionDaysView>; readonly overflow: boolean } {
    const days = new Map<string, ActionDaysView>();
    for (const [index, action] of this.actions.entries()) {
      const value = this.days[index] ?? [];
      days.set(action, typeof value === 'number' ? { days: [value], more: false } : earliestDays(value));
    }
    return { days, overflow: this.overflowed };
  }

  toData(): { readonly actions: ActionDaysData; readonly overflowed: boolean } {
    const actions = this.actions.map((action, index) => {
      const value = this.days[index] ?? [];
      return [action, typeof value === 'number' ? value : [...value]] as const;
    });
    return { actions, overflowed: this.overflowed };
  }

  static fromData(actionCap: number, data: { readonly actions: ActionDaysData; readonly overflowed: boolean }): ActionDays {
    const days = new ActionDays(actionCap);
    days.overflowed = data.overflowed;
    for (const [action, value] of data.actions) {
      days.actions.push(action);
      days.days.push(typeof value === 'number' ? value : [...value]);
    }
    return days;
  }

  /** The slot to store an action in, made room for when it is among the smallest `actionCap` names; -1 when it is not. */
  private room(action: string): number {
    const known = this.actions.indexOf(action);
    if (known !== -1) return known;
    if (this.actions.length >= this.actionCap) {
      this.overflowed = true;
      let largest = -1;
      for (const [index, key] of this.actions.entries()) if (largest === -1 || key > (this.actions[largest] ?? '')) largest = index;
      if (largest === -1 || action > (this.actions[largest] ?? '')) return -1;
      // The evicted action's slot takes the new one, with no days yet.
      this.actions[largest] = intern(action);
      this.days[largest] = EMPTY;
      return largest;
    }
    // Exact-size copies: push reserves room for 17, and most keys use a handful of actions.
    this.actions = this.actions.concat(intern(action));
    this.days = this.days.concat([EMPTY]);
    return this.actions.length - 1;
  }

  private put(slot: number, day: number): void {
    const value = this.days[slot];
    if (value === undefined || (typeof value !== 'number' && value.length === 0)) {
      this.days[slot] = day;
      return;
    }
    if (value === day) return;
    const word = Math.floor(day / WORD_DAYS);
    this.putWord(slot, word, 1 << (day - word * WORD_DAYS));
  }

  /** Adds the days of one word (`bits`) to an action's set, turning a single day into a set first. */
  private putWord(slot: number, word: number, bits: number): void {
    let value = this.days[slot];
    if (value === undefined || typeof value === 'number') {
      const single = value;
      value = [];
      if (single !== undefined) {
        const own = Math.floor(single / WORD_DAYS);
        value = [own, 1 << (single - own * WORD_DAYS)];
      }
      this.days[slot] = value;
    }
    // Events mostly arrive in time order: the word is usually the last one.
    let at = value.length - 2;
    while (at >= 0 && (value[at] ?? 0) > word) at -= 2;
    if (at >= 0 && value[at] === word) {
      value[at + 1] = (value[at + 1] ?? 0) | bits;
      return;
    }
    // A new word: an exact-size copy (push and splice reserve room for 17 numbers; a month of days needs 2 to 4).
    const grown = new Array<number>(value.length + 2);
    for (let index = 0; index <= at + 1; index += 1) grown[index] = value[index] ?? 0;
    grown[at + 2] = word;
    grown[at + 3] = bits;
    for (let index = at + 2; index < value.length; index += 1) grown[index + 2] = value[index] ?? 0;
    this.days[slot] = grown;
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
