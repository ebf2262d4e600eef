import { CappedSet, intern, NO_EVIDENCE, type CappedSetData } from './capped-set.js';
import { packIfEarlier, packInto, unpack } from './evidence.js';
import type { ActivityRef, CappedSetView } from './views.js';

/** Up to this many values a set lives in its group's shared arrays; past it, in a CappedSet of its own. */
const SMALL = 8;
/** Numbers per value in `facts`: the set's index, then the first sighting (see evidence.ts). */
const STRIDE = 4;

/**
 * `facts` one value longer, exact-size, as an array of doubles: concat would
 * give an array of boxed numbers when `facts` is still empty.
 */
function extended(facts: readonly number[], set: number): number[] {
  const grown = new Array<number>(facts.length + STRIDE);
  for (let index = 0; index < facts.length; index += 1) grown[index] = facts[index] ?? 0;
  grown[facts.length] = set;
  // A non-integer first makes the elements doubles (unboxed) before the sighting is written.
  for (let k = 1; k < STRIDE; k += 1) grown[facts.length + k] = 0.5;
  for (let k = 1; k < STRIDE; k += 1) grown[facts.length + k] = 0;
  return grown;
}

const EMPTY_VIEW: CappedSetView = { values: [], size: 0, overflow: false, firstSeen: new Map() };

/**
 * The capped sets of one accumulator (its actions, services, tenants, user
 * agents…), numbered. Most keys see one or two values per set for their
 * whole life, and a set object with its own arrays cost more than the values:
 * small sets share two exact-size arrays here, values in one and numbers
 * (set, first sighting) in an array of doubles, and a set that grows past
 * SMALL moves into a CappedSet of its own. Answers are those of one
 * CappedSet per set, whatever the order values arrive in.
 */
export class SetGroup {
  private values: string[] = [];
  private facts: number[] = [];
  private large: (CappedSet | undefined)[] | null = null;
  /** Per set, the index of the value it saw last: logs repeat a key's value event after event. */
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
    const { values, facts } = this;
    const last = this.last?.[set] ?? -1;
    if (last !== -1 && values[last] === value) {
      this.keepEarlier(last, seen);
      return;
    }
    let count = 0;
    for (let index = 0; index < values.length; index += 1) {
      if (facts[index * STRIDE] !== set) continue;
      if (values[index] === value) {
        this.remember(set, index);
        this.keepEarlier(index, seen);
        return;
      }
      count += 1;
    }
    if (count < SMALL && count < this.cap) {
      const offset = values.length * STRIDE;
      const grown = extended(facts, set);
      if (this.evidence[set] === true) packInto(grown, offset + 1, seen);
      this.values = values.concat(intern(value));
      this.facts = grown;
      this.remember(set, values.length);
      return;
    }
    this.promote(set).add(value, seen);
  }

  private remember(set: number, index: number): void {
    if (this.last === null) {
      this.last = new Array<number>(this.evidence.length);
      this.last.fill(-1);
    }
    this.last[set] = index;
  }

  private keepEarlier(index: number, seen: ActivityRef): void {
    if (this.evidence[this.facts[index * STRIDE] ?? 0] === true) packIfEarlier(this.facts, index * STRIDE + 1, seen);
  }

  /** Moves a set out of the shared arrays into a CappedSet of its own. */
  private promote(set: number): CappedSet {
    const own = new CappedSet(this.cap, this.evidence[set] === true);
    for (const [value, at] of this.smallEntries(set)) own.add(value, at);
    const values: string[] = [];
    const facts: number[] = [];
    for (let index = 0; index < this.values.length; index += 1) {
      if (this.facts[index * STRIDE] === set) continue;
      values.push(this.values[index] ?? '');
      for (let k = 0; k < STRIDE; k += 1) facts.push(this.facts[index * STRIDE + k] ?? 0);
    }
    this.values = values;
    this.facts = facts;
    // Indexes moved.
    this.last?.fill(-1);
    (this.large ??= [])[set] = own;
    return own;
  }

  private smallEntries(set: number): [string, ActivityRef][] {
    const out: [string, ActivityRef][] = [];
    const withEvidence = this.evidence[set] === true;
    for (let index = 0; index < this.values.length; index += 1) {
      if (this.facts[index * STRIDE] !== set) continue;
      out.push([this.values[index] ?? '', withEvidence ? unpack(this.facts, index * STRIDE + 1) : NO_EVIDENCE]);
    }
    return out;
  }

  /** Whether anything was added to the set. */
  has(set: number): boolean {
    if (this.large?.[set] !== undefined) return true;
    for (let index = 0; index < this.values.length; index += 1) if (this.facts[index * STRIDE] === set) return true;
    return false;
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
