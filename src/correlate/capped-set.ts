import { packIfEarlier, packInto, unpack } from './evidence.js';
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

/** What a set that keeps no evidence reports for every value (toData's map needs a value). */
export const NO_EVIDENCE: ActivityRef = { time: 0, source: { file: '', line: 0 } };

export interface CappedSetData {
  readonly values: ReadonlyMap<string, ActivityRef>;
  readonly overflowed: boolean;
}

/**
 * Up to this many values a set keeps exact-size arrays instead of a Map: a
 * Map's hash table costs about 40 bytes per entry and tens of thousands of
 * identities each use a few dozen actions, while a linear search over a few
 * dozen strings (their hashes already computed, so most comparisons stop
 * there) is about as fast as hashing.
 */
const SMALL = 32;
/** Numbers per sighting in `evidence` (see evidence.ts). */
const STRIDE = 3;

/**
 * A set of distinct strings that stops growing at `cap`, so that memory
 * follows identities, not log volume. Once full it keeps the `cap` smallest
 * values and remembers that more were seen: which values survive then does
 * not depend on the order events arrived in, so folds merged from several
 * files or workers give the same report as one pass. Each value keeps the
 * earliest event that showed it, as evidence, packed into numbers.
 */
export class CappedSet {
  /**
   * A small set's values, created on first use and grown one exact-size copy
   * at a time (a pushed-to array reserves room for 17); value i's first
   * sighting is `evidence[3i…3i+2]`.
   */
  private values: string[] | null = null;
  /** Past SMALL values (or at the cap, when the cap is smaller): value → its slot in `evidence`. */
  private map: Map<string, number> | null = null;
  /** First sightings, STRIDE numbers per slot; null for a set without evidence. An array of doubles: no boxing. */
  private evidence: number[] | null = null;
  private overflowed = false;
  private lastValue: string | undefined;
  /** The slot of lastValue. */
  private lastSlot = 0;
  /** Largest kept value, cached while full; undefined when it must be recomputed. */
  private largest: string | undefined;

  /**
   * @param firstSeen keep the earliest event per value as evidence. Sets no
   * rule cites (networks, workloads…) leave it off.
   */
  constructor(
    private readonly cap: number,
    private readonly firstSeen = true,
  ) {}

  add(value: string, seen: ActivityRef): void {
    // Logs repeat the same value for a key over and over: settle a repeat of the
    // last value, seen later than its first sighting, without looking it up (values are fresh strings).
    if (value === this.lastValue && (this.evidence === null || seen.time > (this.evidence[this.lastSlot * STRIDE] ?? 0))) return;
    if (this.map !== null) {
      this.addToMap(this.map, value, seen);
      return;
    }
    const values = this.values;
    if (values === null) {
      const kept = intern(value);
      this.values = [kept];
      if (this.firstSeen) {
        const evidence: number[] = [0, 0, 0];
        packInto(evidence, 0, seen);
        this.evidence = evidence;
      }
      this.remember(kept, 0);
      return;
    }
    const slot = values.indexOf(value);
    if (slot !== -1) {
      // Remember the kept copy, not the event's: the fresh string can then be collected.
      this.remember(values[slot] ?? value, slot);
      this.keepEarlier(slot, seen);
      return;
    }
    if (values.length < SMALL && values.length < this.cap) {
      const kept = intern(value);
      this.values = values.concat(kept);
      if (this.evidence !== null) {
        const evidence = this.evidence.concat(0, 0, 0);
        packInto(evidence, values.length * STRIDE, seen);
        this.evidence = evidence;
      }
      this.remember(kept, values.length);
      return;
    }
    // Grown past the arrays, or at a cap smaller than them: a Map from now on (slots stay as they are).
    const map = new Map<string, number>();
    for (const [index, kept] of values.entries()) map.set(kept, index);
    this.map = map;
    this.values = null;
    this.addToMap(map, value, seen);
  }

  private remember(value: string, slot: number): void {
    this.lastValue = value;
    this.lastSlot = slot;
  }

  /** Replaces the slot's first sighting when `seen` is earlier. */
  private keepEarlier(slot: number, seen: ActivityRef): void {
    if (this.evidence !== null) packIfEarlier(this.evidence, slot * STRIDE, seen);
  }

  private addToMap(map: Map<string, number>, value: string, seen: ActivityRef): void {
    const known = map.get(value);
    if (known !== undefined) {
      this.keepEarlier(known, seen);
      return;
    }
    if (map.size < this.cap) {
      const slot = map.size;
      this.store(map, intern(value), slot, seen);
      this.largest = undefined;
      return;
    }
    this.overflowed = true;
    const largest = this.largestValue(map);
    if (largest !== undefined && value < largest) {
      // The evicted value's slot takes the new one.
      const slot = map.get(largest) ?? 0;
      map.delete(largest);
      this.store(map, value, slot, seen);
      this.largest = undefined;
    }
  }

  private store(map: Map<string, number>, value: string, slot: number, seen: ActivityRef): void {
    map.set(value, slot);
    if (this.evidence !== null) packInto(this.evidence, slot * STRIDE, seen);
    this.remember(value, slot);
  }

  /** Every kept value with its slot. */
  private slots(): [string, number][] {
    if (this.map !== null) return [...this.map];
    return (this.values ?? []).map((value, slot) => [value, slot]);
  }

  /** Every kept value with its first sighting (the placeholder for sets without evidence). */
  private entries(): [string, ActivityRef][] {
    const evidence = this.evidence;
    return this.slots().map(([value, slot]) => [value, evidence === null ? NO_EVIDENCE : unpack(evidence, slot * STRIDE)]);
  }

  /** Union; used when partial folds (from files, workers or aliases) are combined. */
  merge(other: CappedSet): void {
    for (const [value, at] of other.entries()) this.add(value, at);
    if (other.overflowed) this.overflowed = true;
  }

  /** Plain data for a worker message (structured clone keeps Maps, not classes; places are per thread). */
  toData(): CappedSetData {
    return { values: new Map(this.entries()), overflowed: this.overflowed };
  }

  static fromData(cap: number, data: CappedSetData, firstSeen = true): CappedSet {
    const set = new CappedSet(cap, firstSeen);
    for (const [value, at] of data.values) set.add(value, at);
    set.overflowed = data.overflowed;
    return set;
  }

  view(): CappedSetView {
    const entries = this.entries().sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const values = entries.map(([value]) => value);
    const firstSeen = this.firstSeen ? new Map(entries) : new Map<string, ActivityRef>();
    return { values, size: values.length, overflow: this.overflowed, firstSeen };
  }

  private largestValue(map: Map<string, number>): string | undefined {
    if (this.largest === undefined) {
      for (const value of map.keys()) {
        if (this.largest === undefined || value > this.largest) this.largest = value;
      }
    }
    return this.largest;
  }
}
