import type { ActivityRef, CappedSetView } from './views.js';

/** Earlier activity first; ties broken by evidence position so every run picks the same record. */
export function compareActivity(a: ActivityRef, b: ActivityRef): number {
  if (a.time !== b.time) return a.time - b.time;
  if (a.source.file !== b.source.file) return a.source.file < b.source.file ? -1 : 1;
  return a.source.line - b.source.line;
}

/**
 * One copy of each distinct value kept by any set. Values arrive as fresh
 * strings parsed from each event; without this, thousands of keys would each
 * hold their own copy of `s3:GetObject` or the same user agent. Bounded: past
 * the limit values are kept as they come.
 */
const INTERNED = new Map<string, string>();
const INTERN_LIMIT = 200_000;

export function intern(value: string): string {
  const known = INTERNED.get(value);
  if (known !== undefined) return known;
  if (INTERNED.size < INTERN_LIMIT) INTERNED.set(value, value);
  return value;
}

/** What a set that keeps no evidence stores for every value. */
const NO_EVIDENCE: ActivityRef = { time: 0, source: { file: '', line: 0 } };

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

  /**
   * @param firstSeen keep the earliest event per value as evidence. Sets no
   * rule cites (networks, workloads…) leave it off: an event reference per
   * value per key is much of the fold's memory.
   */
  constructor(
    private readonly cap: number,
    private readonly firstSeen = true,
  ) {}

  add(value: string, seen: ActivityRef): void {
    // Logs repeat the same value for a key over and over: settle a repeat of the
    // last value, seen no earlier, without hashing it (values are fresh strings).
    if (value === this.lastValue && seen.time > this.lastTime) return;
    this.lastValue = value;
    this.lastTime = seen.time;
    // Sets without evidence share one placeholder: they only need the value.
    const at = this.firstSeen ? seen : NO_EVIDENCE;
    const known = this.values.get(value);
    if (known !== undefined) {
      // Most repeats are later than the first sighting: settle those on time alone.
      if (at.time <= known.time && compareActivity(at, known) < 0) this.values.set(value, at);
      return;
    }
    if (this.values.size < this.cap) {
      if (this.values === EMPTY) this.values = new Map();
      this.values.set(intern(value), at);
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

  static fromData(cap: number, data: CappedSetData, firstSeen = true): CappedSet {
    const set = new CappedSet(cap, firstSeen);
    if (data.values.size > 0) set.values = new Map(data.values);
    set.overflowed = data.overflowed;
    return set;
  }

  view(): CappedSetView {
    const values = [...this.values.keys()].sort();
    const firstSeen = this.firstSeen ? new Map(values.map((value) => [value, this.values.get(value) as ActivityRef])) : new Map<string, ActivityRef>();
    return { values, size: values.length, overflow: this.overflowed, firstSeen };
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
