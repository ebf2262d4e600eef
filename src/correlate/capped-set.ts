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

export interface CappedSetData {
  readonly values: ReadonlyMap<string, ActivityRef>;
  readonly overflowed: boolean;
}

/**
 * Up to this many values a set keeps two small arrays instead of a Map: most
 * keys see a handful of actions, agents or networks, and a Map with its hash
 * table costs several times as much as the arrays (50,000 identities hold
 * hundreds of thousands of sets). A linear search over eight is as fast as hashing.
 */
const SMALL = 8;

/**
 * A set of distinct strings that stops growing at `cap`, so that memory
 * follows identities, not log volume. Once full it keeps the `cap` smallest
 * values and remembers that more were seen: which values survive then does
 * not depend on the order events arrived in, so folds merged from several
 * files or workers give the same report as one pass. Each value keeps the
 * earliest event that showed it, as evidence.
 */
export class CappedSet {
  /**
   * A small set, created on first use: its values, each followed by its first
   * sighting when the set keeps evidence (`[value, ref, value, ref…]`). Grown
   * one exact-size copy at a time: a pushed-to array reserves room for 17.
   */
  private small: (string | ActivityRef)[] | null = null;
  // Past SMALL values (or at the cap, when the cap is smaller): a Map.
  private map: Map<string, ActivityRef> | null = null;
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
    // last value, seen no earlier, without looking it up (values are fresh strings).
    if (value === this.lastValue && seen.time > this.lastTime) return;
    this.lastValue = value;
    this.lastTime = seen.time;
    // Sets without evidence share one placeholder: they only need the value.
    const at = this.firstSeen ? seen : NO_EVIDENCE;
    if (this.map !== null) {
      this.addToMap(this.map, value, at);
      return;
    }
    const small = this.small;
    if (small === null) {
      const kept = intern(value);
      this.small = this.firstSeen ? [kept, at] : [kept];
      this.lastValue = kept;
      return;
    }
    // Only values are strings, so a hit is a value's slot.
    const index = small.indexOf(value);
    if (index !== -1) {
      // Remember the kept copy, not the event's: the fresh string can then be collected.
      const kept = small[index];
      if (typeof kept === 'string') this.lastValue = kept;
      const known = small[index + 1];
      // Most repeats are later than the first sighting: settle those on time alone.
      if (this.firstSeen && typeof known === 'object' && at.time <= known.time && compareActivity(at, known) < 0) small[index + 1] = at;
      return;
    }
    const count = this.firstSeen ? small.length / 2 : small.length;
    if (count < SMALL && count < this.cap) {
      const kept = intern(value);
      this.small = this.firstSeen ? small.concat(kept, at) : small.concat(kept);
      this.lastValue = kept;
      return;
    }
    // Grown past the arrays, or at a cap smaller than them: a Map from now on.
    const map = new Map(this.entries());
    this.map = map;
    this.small = null;
    this.addToMap(map, value, at);
  }

  private addToMap(map: Map<string, ActivityRef>, value: string, at: ActivityRef): void {
    const known = map.get(value);
    if (known !== undefined) {
      if (at.time <= known.time && compareActivity(at, known) < 0) map.set(value, at);
      return;
    }
    if (map.size < this.cap) {
      map.set(intern(value), at);
      this.largest = undefined;
      return;
    }
    this.overflowed = true;
    const largest = this.largestValue(map);
    if (largest !== undefined && value < largest) {
      map.delete(largest);
      map.set(value, at);
      this.largest = undefined;
    }
  }

  /** Every kept value with its first sighting (the placeholder for sets without evidence). */
  private entries(): [string, ActivityRef][] {
    if (this.map !== null) return [...this.map];
    const out: [string, ActivityRef][] = [];
    const small = this.small ?? [];
    const step = this.firstSeen ? 2 : 1;
    for (let i = 0; i < small.length; i += step) {
      const value = small[i];
      const at = this.firstSeen ? small[i + 1] : NO_EVIDENCE;
      if (typeof value === 'string' && typeof at === 'object') out.push([value, at]);
    }
    return out;
  }

  /** Union; used when partial folds (from files, workers or aliases) are combined. */
  merge(other: CappedSet): void {
    for (const [value, at] of other.entries()) this.add(value, at);
    if (other.overflowed) this.overflowed = true;
  }

  /** Plain data for a worker message (structured clone keeps Maps, not classes). */
  toData(): CappedSetData {
    return { values: new Map(this.entries()), overflowed: this.overflowed };
  }

  static fromData(cap: number, data: CappedSetData, firstSeen = true): CappedSet {
    const set = new CappedSet(cap, firstSeen);
    if (data.values.size > 0 && data.values.size <= Math.min(SMALL, cap)) {
      set.small = firstSeen ? [...data.values].flat() : [...data.values.keys()];
    } else if (data.values.size > 0) {
      set.map = new Map(data.values);
    }
    set.overflowed = data.overflowed;
    return set;
  }

  view(): CappedSetView {
    const entries = this.entries().sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const values = entries.map(([value]) => value);
    const firstSeen = this.firstSeen ? new Map(entries) : new Map<string, ActivityRef>();
    return { values, size: values.length, overflow: this.overflowed, firstSeen };
  }

  private largestValue(map: Map<string, ActivityRef>): string | undefined {
    if (this.largest === undefined) {
      for (const value of map.keys()) {
        if (this.largest === undefined || value > this.largest) this.largest = value;
      }
    }
    return this.largest;
  }
}
