import { intern } from './capped-set.js';
import type { ActionDaysView } from './views.js';

/** Distinct days kept per action (the earliest); beyond this an action only says "more". */
export const DAY_CAP = 32;

const DAY_MS = 86_400_000;

/** The UTC day number of an instant (days since 1970-01-01). */
export function dayOf(time: number): number {
  return Math.floor(time / DAY_MS);
}

/** An ActionDays as plain data: `[action, days, more]` triples. */
export type ActionDaysData = readonly (readonly [string, readonly number[], boolean])[];

/**
 * Per action, the distinct UTC days on which it was used: what "privileged use
 * on only a few days" needs, folded without knowing at fold time which actions
 * are privileged. Bounded twice — at most `actionCap` actions (the smallest
 * names, so merges agree whatever the order) and `DAY_CAP` days each (the
 * earliest) — so memory follows identities, not log volume. Most actions are
 * used on one day of a key's window, so a single day is stored as a bare
 * number and only longer lists as arrays.
 */
export class ActionDays {
  /** action → its one day, or its sorted days. */
  private readonly byAction = new Map<string, number | number[]>();
  /** Actions used on more days than kept (rare: created on first need). */
  private crowded: Set<string> | undefined;
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
      if (typeof theirs === 'number') this.put(key, theirs);
      else for (const day of theirs) this.put(key, day);
      if (other.crowded?.has(action) === true) (this.crowded ??= new Set()).add(key);
    }
  }

  view(): { readonly days: ReadonlyMap<string, ActionDaysView>; readonly overflow: boolean } {
    const days = new Map<string, ActionDaysView>();
    for (const [action, value] of this.byAction) {
      days.set(action, { days: typeof value === 'number' ? [value] : value, more: this.crowded?.has(action) === true });
    }
    return { days, overflow: this.overflowed };
  }

  toData(): { readonly actions: ActionDaysData; readonly overflowed: boolean } {
    const actions = [...this.byAction].map(
      ([action, value]) => [action, typeof value === 'number' ? [value] : [...value], this.crowded?.has(action) === true] as const,
    );
    return { actions, overflowed: this.overflowed };
  }

  static fromData(actionCap: number, data: { readonly actions: ActionDaysData; readonly overflowed: boolean }): ActionDays {
    const days = new ActionDays(actionCap);
    days.overflowed = data.overflowed;
    for (const [action, list, more] of data.actions) {
      days.byAction.set(action, list.length === 1 && list[0] !== undefined ? list[0] : [...list]);
      if (more) (days.crowded ??= new Set()).add(action);
    }
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
      this.crowded?.delete(largest);
    }
    return intern(action);
  }

  /** Adds a day to an action's sorted days, kept to the earliest DAY_CAP. */
  private put(action: string, day: number): void {
    const value = this.byAction.get(action);
    if (value === undefined) {
      this.byAction.set(action, day);
      return;
    }
    if (typeof value === 'number') {
      if (value !== day) this.byAction.set(action, value < day ? [value, day] : [day, value]);
      return;
    }
    // Events mostly arrive in time order: the common case is "same as or after the last".
    const last = value[value.length - 1];
    if (last === day) return;
    if (last === undefined || day > last) {
      if (value.length < DAY_CAP) value.push(day);
      else (this.crowded ??= new Set()).add(action);
      return;
    }
    let index = 0;
    while (index < value.length && (value[index] ?? 0) < day) index += 1;
    if (value[index] === day) return;
    value.splice(index, 0, day);
    if (value.length > DAY_CAP) {
      value.pop();
      (this.crowded ??= new Set()).add(action);
    }
  }
}
