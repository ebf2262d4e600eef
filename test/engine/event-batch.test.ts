/*
 * Events cross from reader threads as numbered batches: whatever the events,
 * the folding side must get back exactly what the reader read — nulls,
 * optional fields left out, delegation hops, claims — across batch ends and
 * across restarts of the string table.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { eventFacts, type EventFacts } from '../../src/correlate/event-facts.js';
import { EventBatchReader, EventBatchWriter, type EventBatch } from '../../src/engine/event-batch.js';
import { EVENT_CATEGORIES, EVENT_OUTCOMES, type Event } from '../../src/model/index.js';

// Events as adapters make them: plain objects (fast-check's default is a null prototype).
// A few strings that repeat, so numbers are reused, and any string, so tables fill and start over.
const text = fc.oneof(fc.constantFrom('alice', 'ci-deployer', 's3:GetObject', 'iam.roles.get', '203.0.113.7', '2001:db8::1', 'aws-cli/2.13.1 Python/3.11', ''), fc.string({ maxLength: 12 }));
const event: fc.Arbitrary<Event> = fc.record(
  {
    time: fc.integer({ min: 0, max: 253_402_300_799_999 }),
    identity: fc.option(text, { nil: null }),
    credential: fc.option(text, { nil: null }),
    action: fc.option(text, { nil: null }),
    resource: fc.option(text, { nil: null }),
    tenant: fc.option(text, { nil: null }),
    environment: fc.option(text, { nil: null }),
    sourceIp: fc.option(text, { nil: null }),
    userAgent: fc.option(text, { nil: null }),
    outcome: fc.constantFrom(...EVENT_OUTCOMES),
    category: fc.constantFrom(...EVENT_CATEGORIES),
    onBehalfOf: fc.option(text, { nil: null }),
    actorChain: fc.array(text, { maxLength: 3 }),
    provider: text,
    actorInteractive: fc.boolean(),
    claims: fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3, noNullPrototype: true }),
    source: fc.record(
      { file: text, line: fc.nat({ max: 10_000_000 }), pointer: text },
      { requiredKeys: ['file', 'line'], noNullPrototype: true },
    ),
  },
  { requiredKeys: ['time', 'identity', 'credential', 'action', 'resource', 'tenant', 'environment', 'sourceIp', 'userAgent', 'outcome', 'category', 'onBehalfOf', 'actorChain', 'source'], noNullPrototype: true },
);

/** Writes the events in batches of `capacity`, sends each through a structured clone, reads them back. */
function roundTrip(events: readonly Event[], capacity: number, tableLimit: number): { events: Event[]; facts: EventFacts[]; batches: EventBatch[] } {
  const writer = new EventBatchWriter(capacity, tableLimit);
  const reader = new EventBatchReader();
  const read: Event[] = [];
  const facts: EventFacts[] = [];
  const batches: EventBatch[] = [];
  const send = (): void => {
    const taken = writer.take();
    if (taken === undefined) return;
    const batch = structuredClone(taken.batch, { transfer: taken.transfer });
    batches.push(batch);
    reader.read(batch, (one, derived) => {
      read.push(one);
      facts.push(derived);
    });
  };
  for (const one of events) if (writer.add(one)) send();
  send();
  return { events: read, facts, batches };
}

describe('event batches', () => {
  it('give back every event as read, with the facts eventFacts derives, across batch ends and table restarts', () => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 40 }), fc.integer({ min: 1, max: 7 }), fc.integer({ min: 0, max: 12 }), (events, capacity, limit) => {
        const back = roundTrip(events, capacity, limit);
        expect(back.events).toStrictEqual(events);
        expect(back.facts).toStrictEqual(events.map(eventFacts));
        expect(back.batches.every((batch) => batch.count <= capacity)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('start the table over once it passes its limit, and send each string once per table', () => {
    const events: Event[] = Array.from({ length: 10 }, (_, index) => ({
      time: index,
      identity: `identity-${index}`,
      credential: null,
      action: 's3:GetObject',
      resource: null,
      tenant: null,
      environment: null,
      sourceIp: null,
      userAgent: null,
      outcome: 'success',
      category: 'access',
      onBehalfOf: null,
      actorChain: [],
      source: { file: 'trail.json', line: index + 1 },
    }));
    const back = roundTrip(events, 2, 4);
    expect(back.events).toStrictEqual(events);
    expect(back.batches.map((batch) => batch.restart)).toEqual([false, false, true, false, true]);
    // The first table: the action and the file once, then each new identity.
    expect(back.batches[0]?.strings).toEqual(['identity-0', 's3:GetObject', 'trail.json', 'identity-1']);
    expect(back.batches[1]?.strings).toEqual(['identity-2', 'identity-3']);
  });
});

describe('numbered facts', () => {
  it('give the workload eventFacts gives even for strings numbered past the pairing range (huge delegation chains)', () => {
    const base = { time: 0, identity: 'svc', credential: null, action: 's3:GetObject', resource: null, tenant: null, environment: null, outcome: 'success', category: 'access', onBehalfOf: null, source: { file: 'trail.json', line: 1 } } as const;
    // Numbers: svc 0, s3:GetObject 1, UA-A 2, trail.json 3, hops from 4 — so ip-A gets 2^20 + 1. Paired
    // as (agent + 1) · 2^20 + (address + 1), ip-A with UA-A (2) and s3:GetObject (1) with trail.json (3) collide.
    const hops = Array.from({ length: 2 ** 20 - 3 }, (_, index) => `role-${index}`);
    const events: Event[] = [
      { ...base, sourceIp: null, userAgent: 'UA-A', actorChain: hops },
      { ...base, sourceIp: 'ip-A', userAgent: 'UA-A', actorChain: [] },
      { ...base, sourceIp: 's3:GetObject', userAgent: 'trail.json', actorChain: [] },
    ];
    const back = roundTrip(events, 8, 1 << 22);
    expect(back.batches[0]?.strings.indexOf('ip-A')).toBe(2 ** 20 + 1);
    expect(back.facts.map((facts) => facts.workload)).toEqual(events.map((one) => eventFacts(one).workload));
  });
});
