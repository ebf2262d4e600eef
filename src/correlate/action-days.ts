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
 * earliest) — so memory follows identities, not log volume.
 */
export class ActionDays {
  private readonly byAction = new Map<string, { days: number[]; more: boolean }>();
  private overflowed = false;

  constructor(private readonly actionCap: number) {}

  add(action: string, day: number): void {
    const entry = this.entry(action);
    if (entry !== undefined) addDay(entry, day);
  }

  merge(other: ActionDays): void {
    if (other.overflowed) this.overflowed = true;
    for (const [action, theirs] of other.byAction) {
      const entry = this.entry(action);
      if (entry === undefined) continue;
      for (const day of theirs.days) addDay(entry, day);
      if (theirs.more) entry.more = true;
    }
  }

  view(): { readonly days: ReadonlyMap<string, ActionDaysView>; readonly overflow: boolean } {
    return { days: this.byAction, overflow: this.overflowed };
  }

  toData(): { readonly actions: ActionDaysData; readonly overflowed: boolean } {
    return { actions: [...this.byAction].map(([action, entry]) => [action, [...entry.days], entry.more] as const), overflowed: this.overflowed };
  }

  static fromData(actionCap: number, data: { readonly actions: ActionDaysData; readonly overflowed: boolean }): ActionDays {
    const days = new ActionDays(actionCap);
    days.overflowed = data.overflowed;
    for (const [action, list, more] of data.actions) days.byAction.set(action, { days: [...list], more });
    return days;
  }

  /** The entry of an action, made room for when the action is among the smallest `actionCap` names. */
  private entry(action: string): { days: number[]; more: boolean } | undefined {
    const known = this.byAction.get(action);
    if (known !== undefined) return known;
    if (this.byAction.size >= this.actionCap) {
      this.overflowed = true;
      let largest: string | undefined;
      for (const key of this.byAction.keys()) if (largest === undefined || key > largest) largest = key;
      if (largest === undefined || action > largest) return undefined;
      this.byAction.delete(largest);
    }
    const created = { days: [] as number[], more: false };
    this.byAction.set(intern(action), created);
    return created;
  }
}

/** Inserts a day into a sorted list kept to the earliest DAY_CAP. */
function addDay(entry: { days: number[]; more: boolean }, day: number): void {
  const days = entry.days;
  // Events mostly arrive in time order: the common case is "same as or after the last".
  const last = days[days.length - 1];
  if (last === day) return;
  if (last === undefined || day > last) {
    if (days.length < DAY_CAP) days.push(day);
    else entry.more = true;
    return;
  }
  let index = 0;
  while (index < days.length && (days[index] ?? 0) < day) index += 1;
  if (days[index] === day) return;
  days.splice(index, 0, day);
  if (days.length > DAY_CAP) {
    days.pop();
    entry.more = true;
  }
}
