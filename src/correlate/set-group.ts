import { CappedSet, intern, NO_EVIDENCE, type CappedSetData } from './capped-set.js';
import { doubleArray, packIfEarlier, packInto, unpack } from './evidence.js';
import type { ActivityRef, CappedSetView } from './views.js';

/** Up to this many values a set lives in its group's shared arrays; past it, in a CappedSet of its own. */
const SMALL = 8;
/** Numbers per value in a lane of sets with evidence: the set's number, then the first sighting (evidence.ts). */
const EVIDENCE_STRIDE = 4;

/**
 * The capacity after `count` values: a quarter as much again. Growing one
 * exact-size copy at a time made every new value copy all the others, and
 * those copies were most of what the fold allocated; half as much again kept
 * 5 MB more slack at 1 M events; a pushed-to array would reserve 17.
 */
function grownCapacity(count: number): number {
  return count + (count >> 2) + 1;
}

/**
 * The values of some of a group's sets, in shared arrays: value i is
 * `values[i]`, and `facts[i * stride]` is its set's number, followed in a lane
 * of sets with evidence by its first sighting (three numbers, evidence.ts).
 * Sets without evidence have a lane of their own, so their values cost one
 * number, not four.
 */
class Lane {
  /** Slots in use; the arrays have room for more, and slots past `count` are never read. */
  count = 0;
  values: string[] = [];
  /** An array of doubles: no boxing. */
  facts: number[] = [];

  constructor(readonly stride: 1 | typeof EVIDENCE_STRIDE) {}

  /** Value `value` of set `set`'s slot, or -1 - (how many values the set holds) when it is not there. */
  find(set: number, value: string): number {
    const { values, facts, count, stride } = this;
    let inSet = 0;
    for (let index = 0; index < count; index += 1) {
      if (facts[index * stride] !== set) continue;
      if (values[index] === value) return index;
      inSet += 1;
    }
    return -1 - inSet;
  }

  holds(set: number): boolean {
    for (let index = 0; index < this.count; index += 1) if (this.facts[index * this.stride] === set) return true;
    return false;
  }

  /** A new slot for `value` of `set`, first seen at `seen` (kept in a lane with evidence). */
  append(set: number, value: string, seen: ActivityRef): number {
    const { count, stride } = this;
    if (count === this.values.length) {
      const capacity = grownCapacity(count);
      const facts = doubleArray(capacity * stride);
      for (let index = 0; index < count * stride; index += 1) facts[index] = this.facts[index] ?? 0;
      const values = new Array<string>(capacity).fill('');
      for (let index = 0; index < count; index += 1) values[index] = this.values[index] ?? '';
      this.facts = facts;
      this.values = values;
    }
    this.facts[count * stride] = set;
    if (stride === EVIDENCE_STRIDE) packInto(this.facts, count * stride + 1, seen);
    this.values[count] = value;
    this.count = count + 1;
    return count;
  }

  /** Keeps `seen` as the slot's first sighting when it is earlier (in a lane with evidence). */
  keepEarlier(slot: number, seen: ActivityRef): void {
    if (this.stride === EVIDENCE_STRIDE) packIfEarlier(this.facts, slot * EVIDENCE_STRIDE + 1, seen);
  }

  /** Takes set `set`'s values out, closing the gaps in place (the others keep their order). */
  remove(set: number): void {
    const { values, facts, stride } = this;
    let kept = 0;
    for (let index = 0; index < this.count; index += 1) {
      if (facts[index * stride] === set) continue;
      values[kept] = values[index] ?? '';
      for (let k = 0; k < stride; k += 1) facts[kept * stride + k] = facts[index * stride + k] ?? 0;
      kept += 1;
    }
    // Let go of the removed values' strings.
    for (let index = kept; index < this.count; index += 1) values[index] = '';
    this.count = kept;
  }

  entries(set: number): [string, ActivityRef][] {
    const out: [string, ActivityRef][] = [];
    for (let index = 0; index < this.count; index += 1) {
      if (this.facts[index * this.stride] !== set) continue;
      out.push([this.values[index] ?? '', this.stride === 1 ? NO_EVIDENCE : unpack(this.facts, index * this.stride + 1)]);
    }
    return out;
  }
}

const EMPTY_VIEW: CappedSetView = { values: [], size: 0, overflow: false, firstSeen: new Map() };

/**
 * The capped sets of one accumulator (its actions, services, tenants, user
 * agents…), numbered. Most keys see one or two values per set for their
 * whole life, and a set object with its own arrays cost more than the values:
 * small sets share the arrays of a Lane here (one for sets that keep first
 * sightings, one for sets that do not), and a set that grows past SMALL
 * moves into a CappedSet of its own. Answers are those of one CappedSet per
 * set, whatever the order values arrive in.
 */
export class SetGroup {
  private withEvidence: Lane | null = null;
  private withoutEvidence: Lane | null = null;
  private large: (CappedSet | undefined)[] | null = null;
  /** Per set, the slot of the value it saw last in its lane: logs repeat a key's value event after event. */
  private last: number[] | null = null;

  /** `evidence[i]`: set i keeps each value's first sighting. */
  constructor(
    private readonly cap: number,
    private readonly evidence: readonly boolean[],
  ) {}

  add(set: number, value: string, seen: ActivityRef): void {
    const own = this.large?.[set];
    if (own !== undefined) {
      own.add(value, seen);
      return;
    }
    const lane = this.evidence[set] === true ? (this.withEvidence ??= new Lane(EVIDENCE_STRIDE)) : (this.withoutEvidence ??= new Lane(1));
    const last = this.last?.[set] ?? -1;
    if (last !== -1 && lane.values[last] === value) {
      lane.keepEarlier(last, seen);
      return;
    }
    const found = lane.find(set, value);
    if (found >= 0) {
      this.remember(set, found);
      lane.keepEarlier(found, seen);
      return;
    }
    const inSet = -1 - found;
    if (inSet < SMALL && inSet < this.cap) {
      this.remember(set, lane.append(set, intern(value), seen));
      return;
    }
    this.promote(set).add(value, seen);
  }

  private remember(set: number, slot: number): void {
    if (this.last === null) {
      this.last = new Array<number>(this.evidence.length);
      this.last.fill(-1);
    }
    this.last[set] = slot;
  }

  private laneOf(set: number): Lane | null {
    return this.evidence[set] === true ? this.withEvidence : this.withoutEvidence;
  }

  /** Moves a set out of the shared arrays into a CappedSet of its own. */
  private promote(set: number): CappedSet {
    const own = new CappedSet(this.cap, this.evidence[set] === true);
    for (const [value, at] of this.smallEntries(set)) own.add(value, at);
    this.laneOf(set)?.remove(set);
    // Slots moved.
    this.last?.fill(-1);
    (this.large ??= [])[set] = own;
    return own;
  }

  private smallEntries(set: number): [string, ActivityRef][] {
    return this.laneOf(set)?.entries(set) ?? [];
  }

  /** Whether anything was added to the set. */
  has(set: number): boolean {
    if (this.large?.[set] !== undefined) return true;
    return this.laneOf(set)?.holds(set) ?? false;
  }

  view(set: number): CappedSetView {
    const own = this.large?.[set];
    if (own !== undefined) return own.view();
    const entries = this.smallEntries(set).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    if (entries.length === 0) return EMPTY_VIEW;
    const values = entries.map(([value]) => value);
    return { values, size: values.length, overflow: false, firstSeen: this.evidence[set] === true ? new Map(entries) : new Map() };
  }

  /** The set as plain data for a worker message. */
  toData(set: number): CappedSetData {
    return this.large?.[set]?.toData() ?? { values: new Map(this.smallEntries(set)), overflowed: false };
  }

  /** Adds a set given as data (a worker's, a summary's): as if its values had been added here. */
  addData(set: number, data: CappedSetData): void {
    if (data.overflowed || data.values.size > Math.min(SMALL, this.cap)) {
      const own = this.large?.[set] ?? this.promote(set);
      own.merge(CappedSet.fromData(this.cap, data, this.evidence[set] === true));
      return;
    }
    for (const [value, at] of data.values) this.add(set, value, at);
  }

  /** Union with another group of the same sets. */
  merge(other: SetGroup, sets: number): void {
    for (let set = 0; set < sets; set += 1) {
      if (other.has(set)) this.addData(set, other.toData(set));
    }
  }
}
