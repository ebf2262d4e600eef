import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { ingest, type IngestResult } from '../../src/ingest/ingest.js';
import { ADAPTERS } from '../../src/ingest/registry.js';
import type { NormalizedRecord } from '../../src/model/index.js';
import { corpusPresent, seedsByAdapter } from '../helpers/seeds.js';

/*
 * Property tests over every adapter (issue 15): real files (fixtures and, when
 * present, ../shared/corpus) mutated the ways hostile or broken exports are —
 * truncated, bytes flipped, fields dropped, duplicated or given another type,
 * nested deeper, control characters injected — and read through the ingest
 * layer in-process. The property: reading never throws past the adapter (the
 * CLI's exit 3), every problem is one line naming the file and a line, and in
 * line-oriented files a broken line costs only itself.
 *
 * Seeded and reproducible: FUZZ_SEED picks the seed, FUZZ_RUNS the cases per
 * adapter (default 100: 2,300 cases in all). Work is bounded by the case
 * count, not by a timer.
 */

const RUNS = Number(process.env['FUZZ_RUNS'] ?? 100);
const SEED = Number(process.env['FUZZ_SEED'] ?? 15_2026);

const tmp = mkdtempSync(path.join(tmpdir(), 'nhi-fuzz-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// ---- mutations ----------------------------------------------------------

const HOSTILE_TEXT = fc.constantFrom(
  '\u0000',
  '\u001b[2J',
  '\u001b]0;pwn\u0007',
  '\u202e',
  '\u200b',
  '\r\n',
  '\n',
  '\ud800',
  '"',
  '\\',
  '{',
  '[',
  'null',
  '1e400',
  '__proto__',
  '0000-01-01T00:00:00Z',
  '<script>',
);

/** Any JSON value, small, for swapping a field's type. */
const JSON_VALUE = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom(null, [], {}, '', 0, -1, 1e308, true, 'NaN', '9999-12-31T23:59:59Z', '0000-01-01T00:00:00Z'),
);

type Mutation =
  | { op: 'truncate'; at: number }
  | { op: 'flip'; at: number; byte: number }
  | { op: 'inject'; at: number; text: string }
  | { op: 'drop'; pick: number }
  | { op: 'swap'; pick: number; value: unknown }
  | { op: 'duplicate'; pick: number }
  | { op: 'nest'; pick: number; depth: number }
  | { op: 'control'; pick: number; text: string };

const MUTATION: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('flip' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ op: fc.constant('inject' as const), at: fc.nat(), text: HOSTILE_TEXT }),
  fc.record({ op: fc.constant('drop' as const), pick: fc.nat() }),
  fc.record({ op: fc.constant('swap' as const), pick: fc.nat(), value: JSON_VALUE }),
  fc.record({ op: fc.constant('duplicate' as const), pick: fc.nat() }),
  fc.record({ op: fc.constant('nest' as const), pick: fc.nat(), depth: fc.integer({ min: 1, max: 80 }) }),
  fc.record({ op: fc.constant('control' as const), pick: fc.nat(), text: HOSTILE_TEXT }),
);

/** Every object member in a parsed JSON value, as [container, key] pairs, in document order. */
function members(root: unknown): [Record<string, unknown>, string][] {
  const found: [Record<string, unknown>, string][] = [];
  const visit = (value: unknown, depth: number): void => {
    if (depth > 40 || typeof value !== 'object' || value === null) return;
    if (Array.isArray(value)) {
      for (const item of value) visit(item, depth + 1);
      return;
    }
    for (const key of Object.keys(value)) {
      found.push([value as Record<string, unknown>, key]);
      visit((value as Record<string, unknown>)[key], depth + 1);
    }
  };
  visit(root, 0);
  return found;
}

/** A structural mutation of one JSON text; undefined when the text is not JSON or has no members. */
function mutateJson(text: string, mutation: Mutation & { pick: number }): string | undefined {
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch {
    return undefined;
  }
  const all = members(root);
  if (all.length === 0) return undefined;
  const [container, key] = all[mutation.pick % all.length]!;
  switch (mutation.op) {
    case 'drop':
      delete container[key];
      return JSON.stringify(root);
    case 'swap':
      container[key] = mutation.value;
      return JSON.stringify(root);
    case 'nest': {
      let value: unknown = container[key];
      for (let level = 0; level < mutation.depth; level += 1) value = level % 2 === 0 ? [value] : { [key]: value };
      container[key] = value;
      return JSON.stringify(root);
    }
    case 'control':
      container[key] = typeof container[key] === 'string' ? `${container[key] as string}${mutation.text}${container[key] as string}` : mutation.text;
      return JSON.stringify(root);
    case 'duplicate': {
      // JSON.stringify cannot write a duplicate key: splice one into the text after the first `{`.
      const json = JSON.stringify(root);
      const brace = json.indexOf('{');
      return `${json.slice(0, brace + 1)}${JSON.stringify(key)}:${JSON.stringify(mutation.pick % 3 === 0 ? null : 'dup')},${json.slice(brace + 1)}`;
    }
  }
  return undefined;
}

/** The seed with one mutation applied: structural to one JSON line/document, else to the text. */
function mutate(seed: string, mutation: Mutation): { text: string; line?: number } {
  if (mutation.op === 'truncate') return { text: seed.slice(0, mutation.at % (seed.length + 1)) };
  if (mutation.op === 'flip') {
    const at = mutation.at % Math.max(1, seed.length);
    return { text: `${seed.slice(0, at)}${String.fromCharCode(mutation.byte)}${seed.slice(at + 1)}` };
  }
  if (mutation.op === 'inject') {
    const at = mutation.at % (seed.length + 1);
    return { text: `${seed.slice(0, at)}${mutation.text}${seed.slice(at)}` };
  }
  const whole = mutateJson(seed, mutation);
  if (whole !== undefined) return { text: whole };
  // NDJSON (or a cut document): mutate one line past the first, which formats sniff their layout from.
  const lines = seed.split('\n');
  const candidates = lines.map((_, index) => index).filter((index) => index > 0 && lines[index]!.trim().startsWith('{'));
  if (candidates.length === 0) return { text: seed };
  const index = candidates[mutation.pick % candidates.length]!;
  const mutated = mutateJson(lines[index]!, mutation);
  if (mutated === undefined) return { text: seed };
  lines[index] = mutated;
  return { text: lines.join('\n'), line: index + 1 };
}

// ---- the property ---------------------------------------------------------

let caseNumber = 0;
let casesRun = 0;

async function readAs(adapterId: string, name: string, text: string): Promise<{ result: IngestResult; records: NormalizedRecord[]; display: string }> {
  caseNumber += 1;
  const file = path.join(tmp, `${caseNumber % 64}-${name}`);
  writeFileSync(file, text);
  const display = path.basename(file);
  const records: NormalizedRecord[] = [];
  const result = await ingest([{ path: file, display }], { strict: false, inputType: new Map([[display, adapterId]]) }, (record) => {
    records.push(record);
  });
  return { result, records, display };
}

function expectOneLineProblems(result: IngestResult, display: string): void {
  for (const skip of result.skipped) {
    expect(skip.file).toBe(display);
    expect(Number.isInteger(skip.line) && skip.line >= 0).toBe(true);
    expect(skip.message).not.toMatch(/[\n\r]/);
    expect(skip.message.length).toBeGreaterThan(0);
  }
}

/** Seeds larger than this are cut first: a case must stay a few milliseconds. */
const seeds = await seedsByAdapter(48 * 1024);

describe(`fuzzed inputs, ${RUNS} cases per adapter, seed ${SEED}${corpusPresent ? '' : ' (../shared/corpus absent: fixtures only)'}`, () => {
  it('has a seed file for every adapter', () => {
    expect(ADAPTERS.filter((adapter) => !seeds.has(adapter.id)).map((adapter) => adapter.id)).toEqual([]);
  });

  it.each(ADAPTERS.map((adapter) => [adapter.id]))('%s: mutated files never throw past the adapter; problems are one line at file:line', async (adapterId) => {
    const list = seeds.get(adapterId) ?? [];
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.array(MUTATION, { minLength: 1, maxLength: 3 }), async (pick, mutations) => {
        casesRun += 1;
        const seed = list[pick % list.length]!;
        let text = seed.text;
        let line: number | undefined;
        for (const mutation of mutations) ({ text, line } = { ...mutate(text, mutation) });
        const { result, display } = await readAs(adapterId, seed.name, text);
        expectOneLineProblems(result, display);
        // One structurally broken NDJSON line: the other lines are read as before.
        if (mutations.length === 1 && line !== undefined) {
          const without = text.split('\n').filter((_, index) => index !== line! - 1).join('\n');
          const baseline = await readAs(adapterId, seed.name, without);
          const count = (ingested: IngestResult): number =>
            ingested.inputs.reduce((sum, input) => sum + Object.values(input.records).reduce((a, b) => a + b, 0), 0);
          expect(count(result)).toBeGreaterThanOrEqual(count(baseline.result) - 1);
        }
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
  });

  it('random NDJSON records shaped like a canonical event never throw, and each bad one is refused at its line', async () => {
    const field = fc.oneof(JSON_VALUE, HOSTILE_TEXT, fc.string({ maxLength: 40 }));
    const eventShape = fc.record(
      {
        kind: fc.constant('nhi-audit/v1/event'),
        time: fc.oneof(fc.constant('2026-01-01T00:00:00Z'), field),
        identity: fc.oneof(fc.constant('svc-a'), field),
        action: fc.oneof(fc.constant('read'), field),
        credential: field,
        tenant: field,
        user_agent: field,
        outcome: field,
        category: field,
      },
      { requiredKeys: ['kind'] },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(eventShape, { minLength: 1, maxLength: 20 }), async (events) => {
        casesRun += 1;
        const text = `${events.map((event) => JSON.stringify(event)).join('\n')}\n`;
        const { result, records, display } = await readAs('canonical-events', 'random.events.ndjson', text);
        expectOneLineProblems(result, display);
        // Every line is either read or refused at its own line.
        const refused = new Set(result.skipped.map((skip) => skip.line));
        const events_ = records.filter((record) => record.kind === 'event').length;
        expect(events_ + refused.size).toBeGreaterThanOrEqual(events.length);
      }),
      { seed: SEED, numRuns: RUNS * 2, endOnFailure: true },
    );
  });

  it('ran the cases it says', () => {
    expect(casesRun).toBeGreaterThanOrEqual(RUNS * ADAPTERS.length);
  });
});

