import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CappedSet, compareActivity } from '../../src/correlate/capped-set.js';
import { SetGroup } from '../../src/correlate/set-group.js';
import type { ActivityRef } from '../../src/correlate/views.js';

/*
 * CappedSet keeps small sets in arrays and larger ones in a Map; either way it
 * must hold exactly what a plain model says: the `cap` smallest distinct
 * values, whether more were seen, and each kept value's earliest sighting —
 * whatever the order of arrival, and across merges and the worker data round trip.
 */
interface Sighting {
  readonly value: string;
  readonly at: ActivityRef;
}

function model(sightings: readonly Sighting[], cap: number, firstSeen: boolean) {
  const earliest = new Map<string, ActivityRef>();
  for (const { value, at } of sightings) {
    const known = earliest.get(value);
    if (known === undefined || compareActivity(at, known) < 0) earliest.set(value, at);
  }
  const values = [...earliest.keys()].sort().slice(0, cap);
  return {
    values,
    size: values.length,
    overflow: earliest.size > cap,
    firstSeen: firstSeen ? new Map(values.map((value) => [value, earliest.get(value)])) : new Map(),
  };
}

const sighting = fc.record({
  // Few distinct values, so repeats, ties and overflow all happen.
  value: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n'),
  at: fc
    .record({ time: fc.integer({ min: 0, max: 20 }), file: fc.constantFrom('a.json', 'b.json', 'c.json'), line: fc.integer({ min: 0, max: 5 }) })
    .map(({ time, file, line }) => ({ time: 1.7e12 + time, source: sourceAt(file, line) })),
});

/**
 * Evidence is kept packed into numbers (evidence.ts) and must come back as
 * written: with and without pointers, indexes packed or kept whole. One
 * pointer per file and line, so ties on (time, file, line) stay ties.
 */
function sourceAt(file: string, line: number) {
  if (file === 'a.json') return { file, line, pointer: `Records[${line * 977}]` };
  if (file === 'b.json') return line % 2 === 0 ? { file, line } : { file, line, pointer: `/${line}` };
  const shapes = [`items[0${line}]`, `Content line ${line}`, `[${2 ** 21 + line}]`, '', `x${line}y`, `[${line}]`];
  return { file, line, pointer: shapes[line] ?? '' };
}

function fill(sightings: readonly Sighting[], cap: number, firstSeen: boolean): CappedSet {
  const set = new CappedSet(cap, firstSeen);
  for (const { value, at } of sightings) set.add(value, at);
  return set;
}

describe('CappedSet against a model', () => {
  it('holds the cap smallest values, the overflow flag and the earliest sightings, small or large', () => {
    fc.assert(
      fc.property(fc.array(sighting, { maxLength: 60 }), fc.integer({ min: 1, max: 16 }), fc.boolean(), (sightings, cap, firstSeen) => {
        expect(fill(sightings, cap, firstSeen).view()).toEqual(model(sightings, cap, firstSeen));
      }),
      { numRuns: 500 },
    );
  });

  it('merges in either order, and through toData/fromData, to the model of all sightings', () => {
    fc.assert(
      fc.property(fc.array(sighting, { maxLength: 40 }), fc.array(sighting, { maxLength: 40 }), fc.integer({ min: 1, max: 16 }), (left, right, cap) => {
        const expected = model([...left, ...right], cap, true);
        const a = fill(left, cap, true);
        a.merge(fill(right, cap, true));
        const b = fill(right, cap, true);
        b.merge(CappedSet.fromData(cap, fill(left, cap, true).toData()));
        expect(a.view()).toEqual(expected);
        expect(b.view()).toEqual(expected);
        expect(CappedSet.fromData(cap, a.toData()).view()).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });
});

/*
 * An accumulator's small sets share one SetGroup; a set that grows past the
 * small size moves into a CappedSet of its own. Each set must still answer
 * exactly as the model of its own sightings, with values of other sets
 * interleaved, across merges and the worker data round trip.
 */
const groupSighting = fc.record({ set: fc.integer({ min: 0, max: 2 }), sighting });
const EVIDENCE = [true, false, true];

function fillGroup(sightings: readonly { set: number; sighting: Sighting }[], cap: number): SetGroup {
  const group = new SetGroup(cap, EVIDENCE);
  for (const { set, sighting: { value, at } } of sightings) group.add(set, value, at);
  return group;
}

function groupModel(sightings: readonly { set: number; sighting: Sighting }[], cap: number, set: number) {
  return model(sightings.filter((item) => item.set === set).map((item) => item.sighting), cap, EVIDENCE[set] ?? false);
}

describe('SetGroup against a model', () => {
  it('answers for each set as the model of that set alone, small or promoted', () => {
    fc.assert(
      fc.property(fc.array(groupSighting, { maxLength: 80 }), fc.integer({ min: 1, max: 16 }), (sightings, cap) => {
        const group = fillGroup(sightings, cap);
        for (const set of [0, 1, 2]) {
          expect(group.view(set)).toEqual(groupModel(sightings, cap, set));
          expect(group.has(set)).toBe(sightings.some((item) => item.set === set));
        }
      }),
      { numRuns: 400 },
    );
  });

  it('merges in either order, and through toData/addData, to the model of all sightings', () => {
    fc.assert(
      fc.property(fc.array(groupSighting, { maxLength: 50 }), fc.array(groupSighting, { maxLength: 50 }), fc.integer({ min: 1, max: 16 }), (left, right, cap) => {
        const a = fillGroup(left, cap);
        a.merge(fillGroup(right, cap), 3);
        const b = fillGroup(right, cap);
        b.merge(fillGroup(left, cap), 3);
        const c = new SetGroup(cap, EVIDENCE);
        for (const set of [0, 1, 2]) c.addData(set, a.toData(set));
        for (const set of [0, 1, 2]) {
          const expected = groupModel([...left, ...right], cap, set);
          expect(a.view(set)).toEqual(expected);
          expect(b.view(set)).toEqual(expected);
          expect(c.view(set)).toEqual(expected);
        }
      }),
      { numRuns: 300 },
    );
  });
});
