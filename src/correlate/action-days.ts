import { intern } from './capped-set.js';
import { doubleArray } from './evidence.js';
import type { ActionDaysView } from './views.js';

/** Distinct days kept per action (the earliest); beyond this an action only says "more". */
export const DAY_CAP = 32;

const DAY_MS = 86_400_000;

/** The UTC day number of an instant (days since 1970-01-01). */
export function dayOf(time: number): number {
  return Math.floor(time / DAY_MS);
}

/**
 * An ActionDays as plain data: `[action, words]` pairs, each word a number
 * as ActionDays stores it (see `cellOf`).
 */
export type ActionDaysData = readonly (readonly [string, readonly number[]])[];

/** Days per word of a day set: a word's bits stay a small integer (under 2^30). */
const WORD_DAYS = 30;
const BITS = 2 ** 30;
/** Word numbers are kept biased to stay positive: days before 1970 give negative words. */
const WORD_BIAS = 2 ** 20;

/**
 * A word of days as one number: the word (biased) above the bits of its days.
 * Cells of one action sort by word when compared as numbers, and any day of
 * years 0 to 9999 fits well inside a double's exact integers.
 */
function cellOf(word: number, bits: number): number {
  return (word + WORD_BIAS) * BITS + bits;
}

function wordOf(cell: number): number {
  return Math.floor(cell / BITS) - WORD_BIAS;
}

function bitsOf(cell: number): number {
  return cell % BITS;
}

/**
 * Per action, the distinct UTC days on which it was used: what "privileged use
 * on only a few days" needs, folded without knowing at fold time which actions
 * are privileged. At most `actionCap` actions are kept (the smallest names, so
 * merges agree whatever the order). Days are kept as bit sets, a word per 30
 * days, each word with its bits one number: a year of daily use costs 13
 * numbers, however many events it took, so memory follows identities and the
 * log's span, not its volume. The view shows the earliest DAY_CAP days and
 * says when there were more; the set is exact, so merges give what one pass gives.
 */
export class ActionDays {
  /*
   * All actions' words in one array of doubles: action i's `runs[i]` words
   * follow those of the actions before it, sorted. One array per action, as
   * before, cost more than its few numbers: its header and element store.
   * Arrays, not a Map: a key holds a few dozen actions at most.
   */
  private actions: string[] = [];
  private runs: number[] = [];
  private cells: number[] = [];
  private overflowed = false;

  constructor(private readonly actionCap: number) {}

  add(action: string, day: number): void {
    const slot = this.room(action);
    if (slot === -1) return;
    const word = Math.floor(day / WORD_DAYS);
    this.putWord(slot, word, 2 ** (day - word * WORD_DAYS));
  }

  merge(other: ActionDays): void {
    if (other.overflowed) this.overflowed = true;
    for (const [action, from, to] of other.runsOfActions()) this.addWords(action, other.cells, from, to);
  }

  view(): { readonly days: ReadonlyMap<string, ActionDaysView>; readonly overflow: boolean } {
    const days = new Map<string, ActionDaysView>();
    for (const [action, from, to] of this.runsOfActions()) days.set(action, earliestDays(this.cells, from, to));
    return { days, overflow: this.overflowed };
  }

  toData(): { readonly actions: ActionDaysData; readonly overflowed: boolean } {
    const actions = this.runsOfActions().map(([action, from, to]) => [action, this.cells.slice(from, to)] as const);
    return { actions, overflowed: this.overflowed };
  }

  static fromData(actionCap: number, data: { readonly actions: ActionDaysData; readonly overflowed: boolean }): ActionDays {
    const days = new ActionDays(actionCap);
    days.overflowed = data.overflowed;
    for (const [action, words] of data.actions) days.addWords(action, words, 0, words.length);
    return days;
  }

  /** Each action with where its words are in `cells`: [action, from, to). */
  private runsOfActions(): [string, number, number][] {
    let from = 0;
    return this.actions.map((action, index) => {
      const to = from + (this.runs[index] ?? 0);
      const run: [string, number, number] = [action, from, to];
      from = to;
      return run;
    });
  }

  /** Adds an action's words, cells[from, to) of some ActionDays' store, as if its days had been added here. */
  private addWords(action: string, cells: readonly number[], from: number, to: number): void {
    const slot = this.room(action);
    if (slot === -1) return;
    for (let at = from; at < to; at += 1) {
      const cell = cells[at] ?? 0;
      this.putWord(slot, wordOf(cell), bitsOf(cell));
    }
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
      const start = this.start(largest);
      const run = this.runs[largest] ?? 0;
      this.cells = this.cells.slice(0, start).concat(this.cells.slice(start + run));
      this.actions[largest] = intern(action);
      this.runs[largest] = 0;
      return largest;
    }
    // Exact-size copies: push reserves room for 17, and most keys use a handful of actions.
    this.actions = this.actions.concat(intern(action));
    this.runs = this.runs.concat(0);
    return this.actions.length - 1;
  }

  /** Where action `slot`'s words start in `cells`. */
  private start(slot: number): number {
    let start = 0;
    for (let index = 0; index < slot; index += 1) start += this.runs[index] ?? 0;
    return start;
  }

  /** Adds the days of one word (`bits`) to an action's set. */
  private putWord(slot: number, word: number, bits: number): void {
    const start = this.start(slot);
    const run = this.runs[slot] ?? 0;
    const cells = this.cells;
    // Events mostly arrive in time order: the word is usually the action's last one.
    let at = start + run - 1;
    while (at >= start && wordOf(cells[at] ?? 0) > word) at -= 1;
    if (at >= start && wordOf(cells[at] ?? 0) === word) {
      const cell = cells[at] ?? 0;
      const merged = (bitsOf(cell) | bits) >>> 0;
      if (merged !== bitsOf(cell)) cells[at] = cellOf(word, merged);
      return;
    }
    // A new word: an exact-size copy (a month of days needs one or two words per action).
    const grown = doubleArray(cells.length + 1);
    for (let index = 0; index <= at; index += 1) grown[index] = cells[index] ?? 0;
    grown[at + 1] = cellOf(word, bits);
    for (let index = at + 1; index < cells.length; index += 1) grown[index + 1] = cells[index] ?? 0;
    this.cells = grown;
    this.runs[slot] = run + 1;
  }
}

/** The earliest DAY_CAP days of the words in cells[from, to), and whether they hold more. */
function earliestDays(cells: readonly number[], from: number, to: number): ActionDaysView {
  const days: number[] = [];
  for (let at = from; at < to; at += 1) {
    const cell = cells[at] ?? 0;
    const base = wordOf(cell) * WORD_DAYS;
    let bits = bitsOf(cell);
    for (let bit = 0; bits !== 0; bit += 1, bits >>>= 1) {
      if ((bits & 1) === 0) continue;
      if (days.length === DAY_CAP) return { days, more: true };
      days.push(base + bit);
    }
  }
  return { days, more: false };
}
