import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CappedSet, compareActivity } from '../../src/correlate/capped-set.js';
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
  at: fc.record({ time: fc.integer({ min: 0, max: 20 }), source: fc.record({ file: fc.constantFrom('a.json', 'b.json'), line: fc.integer({ min: 1, max: 5 }) }) }),
});

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
