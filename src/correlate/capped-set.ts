import type { ActivityRef, CappedSetView } from './views.js';

/** Earlier activity first; ties broken by evidence position so every run picks the same record. */
export function compareActivity(a: ActivityRef, b: ActivityRef): number {
  if (a.time !== b.time) return a.time - b.time;
  if (a.source.file !== b.source.file) return a.source.file < b.source.file ? -1 : 1;
  return a.source.line - b.source.line;
}

/** Shared by every set that has not been added to; never written (add replaces it first). */
const EMPTY: Map<string, ActivityRef> = new Map();

export interface CappedSetData {
  readonly values: ReadonlyMap<string, ActivityRef>;
  readonly overflowed: boolean;
}

/**
 * A set of distinct strings that stops growing at `cap`, so that memory
 * follows identities, not log volume. Once full it keeps the `cap` smallest
 * values and remembers that more were seen: which values survive then does
 * not depend on the order events arrived in, so folds merged from several
 * files or workers give the same report as one pass. Each value keeps the
 * earliest event that showed it, as evidence.
 */
export class CappedSet {
  // Created on first use: most keys fill only a few of their sets, and an empty Map is not free.
  private values: Map<string, ActivityRef> = EMPTY;
  private overflowed = false;
  private lastValue: string | undefined;
  /** The time of the last value's stored first sighting or later: a later repeat changes nothing. */
  private lastTime = 0;
  /** Largest kept value, cached while full; undefined when it must be recomputed. */
  private largest: string | undefined;

  constructor(private readonly cap: number) {}

  add(value: string, at: ActivityRef): void {
    // Logs repeat the same value for a key over and over: settle a repeat of the
    // last value, seen no earlier, without hashing it (values are fresh strings).
    if (value === this.lastValue && at.time > this.lastTime) return;
    this.lastValue = value;
    this.lastTime = at.time;
    const known = this.values.get(value);
    if (known !== undefined) {
      // Most repeats are later than the first sighting: settle those on time alone.
      if (at.time <= known.time && compareActivity(at, known) < 0) this.values.set(value, at);
      return;
    }
    if (this.values.size < this.cap) {
      if (this.values === EMPTY) this.values = new Map();
      this.values.set(value, at);
      this.largest = undefined;
      return;
    }
    this.overflowed = true;
    const largest = this.largestValue();
    if (largest !== undefined && value < largest) {
      this.values.delete(largest);
      this.values.set(value, at);
      this.largest = undefined;
    }
  }

  /** Union; used when partial folds (from files, workers or aliases) are combined. */
  merge(other: CappedSet): void {
    for (const [value, at] of other.values) this.add(value, at);
    if (other.overflowed) this.overflowed = true;
  }

  /** Plain data for a worker message (structured clone keeps Maps, not classes). */
  toData(): CappedSetData {
    return { values: new Map(this.values), overflowed: this.overflowed };
  }

  static fromData(cap: number, data: CappedSetData): CappedSet {
    const set = new CappedSet(cap);
    if (data.values.size > 0) set.values = new Map(data.values);
    set.overflowed = data.overflowed;
    return set;
  }

  view(): CappedSetView {
    const values = [...this.values.keys()].sort();
    return { values, size: values.length, overflow: this.overflowed, firstSeen: new Map(values.map((value) => [value, this.values.get(value) as ActivityRef])) };
  }

  private largestValue(): string | undefined {
    if (this.largest === undefined) {
      for (const value of this.values.keys()) {
        if (this.largest === undefined || value > this.largest) this.largest = value;
      }
    }
    return this.largest;
  }
}
