import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ADAPTERS } from '../../src/ingest/registry.js';
import { REPORTERS } from '../../src/report/index.js';
import { AS_OF, REPO, runCli } from '../helpers/cli.js';
import { PLANTED, PLANTED_IN_CONTEXT, leakedSubstring } from '../helpers/planted-secrets.js';
import { seedsByAdapter } from '../helpers/seeds.js';

/*
 * Secrets never printed (issue 15): planted secrets of every kind in every
 * input format, then every output format, stderr and `inventory` searched for
 * each value and every 8-character piece of it. fixtures/secrets/planted-* are
 * hand-placed cases; the per-format cases put the secrets into every string of
 * a real file of each format.
 */

const tmp = mkdtempSync(path.join(tmpdir(), 'nhi-planted-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Every output of a scan of `paths` (each reporter, inventory table and JSON), stdout and stderr, joined. */
async function everyOutput(paths: string[], extra: string[] = []): Promise<string> {
  const parts: string[] = [];
  for (const format of Object.keys(REPORTERS)) {
    const run = await runCli(['scan', ...paths, '--as-of', AS_OF, '--format', format, '--fail-on', 'none', ...extra]);
    expect(run.code, run.stderr).not.toBe(3);
    parts.push(run.stdout, run.stderr);
  }
  for (const format of ['table', 'json']) {
    const run = await runCli(['inventory', ...paths, '--format', format, ...extra]);
    expect(run.code, run.stderr).not.toBe(3);
    parts.push(run.stdout, run.stderr);
  }
  return parts.join('\n');
}

/** Appends a planted secret (in rotation) to every string in a JSON value, except times, which would only be refused. */
function plant(value: unknown, counter: { next: number }): unknown {
  if (typeof value === 'string') {
    if (/^\d{4}-\d{2}-\d{2}/.test(value)) return value;
    const secret = PLANTED_IN_CONTEXT[counter.next % PLANTED_IN_CONTEXT.length]!;
    counter.next += 1;
    return `${value} ${secret}`;
  }
  if (Array.isArray(value)) return value.map((item) => plant(item, counter));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, plant(item, counter)]));
  }
  return value;
}

/** The seed with secrets planted: a JSON document or NDJSON lines; undefined for other syntaxes. */
function plantedText(text: string): string | undefined {
  const counter = { next: 0 };
  try {
    return JSON.stringify(plant(JSON.parse(text), counter), null, 1);
  } catch {
    const lines = text.split('\n');
    if (!lines.every((line) => line.trim() === '' || line.trim().startsWith('{'))) return undefined;
    try {
      return lines.map((line) => (line.trim() === '' ? line : JSON.stringify(plant(JSON.parse(line), counter)))).join('\n');
    } catch {
      return undefined;
    }
  }
}

// Detected once for all formats: detection reads every fixture and corpus file.
const seedsPromise = seedsByAdapter(256 * 1024);

describe('planted secrets are never printed', () => {
  it('fixtures/secrets/planted-* carry every planted value', () => {
    const dir = path.join(REPO, 'fixtures/secrets');
    const text = readdirSync(dir)
      .filter((name) => name.startsWith('planted-'))
      .map((name) => readFileSync(path.join(dir, name), 'utf8'))
      .join('\n');
    for (const value of Object.values(PLANTED)) expect(text.replace(/\\n/g, '\n')).toContain(value);
  });

  it('in the hand-placed fixtures: no output, stderr or inventory shows any 8-character piece of one', async () => {
    const dir = path.join(REPO, 'fixtures/secrets');
    const files = readdirSync(dir).filter((name) => name.startsWith('planted-')).map((name) => path.join(dir, name));
    expect(leakedSubstring(await everyOutput(files))).toBeUndefined();
  });

  it.each(ADAPTERS.map((adapter) => [adapter.id]))('planted in every string of a %s file: nothing leaks', async (adapterId) => {
    const seeds = (await seedsPromise).get(adapterId) ?? [];
    const seed = seeds.map((candidate) => ({ ...candidate, planted: plantedText(candidate.text) })).find((candidate) => candidate.planted !== undefined);
    if (seed === undefined) return; // a CSV or YAML format: covered by the hand-placed fixtures
    const file = path.join(tmp, `${adapterId}-${seed.name}`);
    writeFileSync(file, seed.planted!);
    const output = await everyOutput([file], ['--input-type', `${adapterId}=${file}`]);
    expect(leakedSubstring(output)).toBeUndefined();
  });
});
