import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { InputSource, TextLine } from '../../src/ingest/adapter.js';
import { canonicalCsv } from '../../src/ingest/canonical/csv.js';
import { canonicalEvents } from '../../src/ingest/canonical/events.js';
import { discover } from '../../src/ingest/discover.js';
import { ingest, UNRECOGNISED_MESSAGE } from '../../src/ingest/ingest.js';
import { ADAPTERS, adapterById, detectAdapter } from '../../src/ingest/registry.js';
import { readSniff } from '../../src/ingest/sniff.js';
import { openInput } from '../../src/ingest/source.js';
import { InputError, UsageError, type NormalizedRecord } from '../../src/model/index.js';
import { fixture, lineOf, ROOT, tempDir, tempFile } from './helpers.js';

async function run(
  patterns: string[],
  options: Parameters<typeof ingest>[1] = { strict: false },
  cwd = ROOT,
): Promise<{ records: NormalizedRecord[] } & Awaited<ReturnType<typeof ingest>>> {
  const records: NormalizedRecord[] = [];
  const result = await ingest(await discover(patterns, cwd), options, (r) => void records.push(r));
  return { records, ...result };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (e: unknown) => e,
  );
}

describe('registry', () => {
  test('ids are unique and resolvable', () => {
    const ids = ADAPTERS.map((a) => a.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(adapterById(id)?.id).toBe(id);
    expect(adapterById('nope')).toBeUndefined();
  });

  test.each([
    ['canonical/inventory.yaml', 'canonical-inventory'],
    ['canonical/inventory.json', 'canonical-inventory'],
    ['canonical/inventory-gz.yaml.gz', 'canonical-inventory'],
    ['canonical/app.events.ndjson', 'canonical-events'],
    ['canonical/gz.events.ndjson.gz', 'canonical-events'],
    ['canonical/principals.csv', 'canonical-csv'],
    ['canonical/credentials.csv', 'canonical-csv'],
    ['bad/unrecognised.txt', undefined],
  ])('%s → %s', async (file, id) => {
    const sniff = await readSniff(openInput(fixture(...file.split('/')), file));
    expect(detectAdapter(sniff)?.id).toBe(id);
  });
});

describe('ingest', () => {
  test('fixtures: every good file read, problems listed with file:line and field', async () => {
    const { inputs, skipped, records } = await run(['fixtures/canonical', 'fixtures/bad/*']);
    expect(inputs.map((i) => [i.file, i.format, i.skipped])).toEqual([
      ['fixtures/bad/events-broken.events.ndjson', 'canonical-events', 3],
      ['fixtures/bad/inventory-problems.yaml', 'canonical-inventory', 3],
      ['fixtures/canonical/app.events.ndjson', 'canonical-events', 0],
      ['fixtures/canonical/credentials.csv', 'canonical-csv', 0],
      ['fixtures/canonical/gz.events.ndjson.gz', 'canonical-events', 0],
      ['fixtures/canonical/inventory-gz.yaml.gz', 'canonical-inventory', 0],
      ['fixtures/canonical/inventory.json', 'canonical-inventory', 0],
      ['fixtures/canonical/inventory.yaml', 'canonical-inventory', 0],
      ['fixtures/canonical/principals.csv', 'canonical-csv', 0],
    ]);
    // Counted in a fixed kind order, whatever order the records came in.
    expect(Object.entries(inputs[7]?.records ?? {})).toEqual([
      ['tenant', 2],
      ['principal', 3],
      ['identity', 2],
      ['grant', 3],
      ['credential', 2],
      ['approval', 2],
    ]);
    const bad = fixture('bad', 'inventory-problems.yaml');
    expect(skipped.filter((s) => s.file === 'fixtures/bad/inventory-problems.yaml')).toEqual([
      { file: 'fixtures/bad/inventory-problems.yaml', line: lineOf(bad, 'heidi@'), message: expect.stringContaining('principals[1].kind') as unknown },
      { file: 'fixtures/bad/inventory-problems.yaml', line: lineOf(bad, '  - type: workload'), message: 'identities[1].id: is required' },
      { file: 'fixtures/bad/inventory-problems.yaml', line: lineOf(bad, 'key-zoneless'), message: expect.stringContaining('credentials[1].expires_at: time "2026-01-01T00:00:00" has no zone') as unknown },
    ]);
    expect(skipped.at(-1)).toEqual({ file: 'fixtures/bad/unrecognised.txt', line: 0, message: UNRECOGNISED_MESSAGE });
    expect(inputs.some((i) => i.file.endsWith('unrecognised.txt'))).toBe(false);
    expect(records.filter((r) => r.kind === 'event')).toHaveLength(3 + 4 + 4);
    expect(inputs.reduce((n, i) => n + Object.values(i.records).reduce((a, b) => a + b, 0), 0)).toBe(records.length);
  });

  test('strict: the first skipped record throws an InputError with file and line, at once', async () => {
    const records: NormalizedRecord[] = [];
    const files = await discover(['fixtures/bad/inventory-problems.yaml'], ROOT);
    const error = await rejection(ingest(files, { strict: true }, (r) => void records.push(r)));
    expect(error).toBeInstanceOf(InputError);
    expect(error).toMatchObject({
      file: 'fixtures/bad/inventory-problems.yaml',
      line: lineOf(fixture('bad', 'inventory-problems.yaml'), 'heidi@'),
    });
    expect((error as InputError).oneLine).toMatch(/^fixtures\/bad\/inventory-problems\.yaml:6: principals\[1\]\.kind: unknown value "robot"/);
    // Only what came before the bad record was delivered.
    expect(records.map((r) => r.kind)).toEqual(['principal']);
  });

  test('strict: an unrecognised file throws', async () => {
    const error = await rejection(run(['fixtures/bad/unrecognised.txt'], { strict: true }));
    expect(error).toBeInstanceOf(InputError);
    expect(error).toMatchObject({ file: 'fixtures/bad/unrecognised.txt', line: 0, message: UNRECOGNISED_MESSAGE });
  });

  test('strict: a bad NDJSON line throws with its line', async () => {
    const error = await rejection(run(['fixtures/bad/events-broken.events.ndjson'], { strict: true }));
    expect(error).toMatchObject({ file: 'fixtures/bad/events-broken.events.ndjson', line: 3, message: 'not valid JSON' });
  });

  test('a syntax error skips the whole file with its line; strict throws it', async () => {
    const dir = tempDir();
    const path = join(dir, 'inv.yaml');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(path, 'apiVersion: nhi-audit/v1\nkind: Inventory\ntenants:\n  - id: [unclosed\n');
    const lenient = await run(['inv.yaml'], { strict: false }, dir);
    expect(lenient.records).toEqual([]);
    expect(lenient.skipped).toEqual([{ file: 'inv.yaml', line: 4, message: expect.stringMatching(/^YAML syntax error: /) as unknown }]);
    expect(lenient.inputs).toEqual([{ file: 'inv.yaml', format: 'canonical-inventory', records: {}, skipped: 1 }]);
    const error = await rejection(run(['inv.yaml'], { strict: true }, dir));
    expect(error).toBeInstanceOf(InputError);
    expect(error).toMatchObject({ file: 'inv.yaml', line: 4 });
  });

  test('unreadable inputs are skipped with a clear message, never a raw Node error', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'not-a-file'));
    const files = [
      { path: join(dir, 'gone.ndjson'), display: 'gone.ndjson' },
      { path: join(dir, 'not-a-file'), display: 'not-a-file' },
    ];
    const result = await ingest(files, { strict: false }, () => undefined);
    expect(result.skipped).toEqual([
      { file: 'gone.ndjson', line: 0, message: 'cannot read file: no such file (ENOENT)' },
      { file: 'not-a-file', line: 0, message: 'cannot read file: is a directory (EISDIR)' },
    ]);
    expect(result.inputs).toEqual([]);
    const error = await rejection(ingest(files, { strict: true }, () => undefined));
    expect(error).toBeInstanceOf(InputError);
    expect(error).toMatchObject({ file: 'gone.ndjson', line: 0 });
  });

  test('--input-type overrides detection, by display or by absolute path', async () => {
    const path = tempFile('log.txt', '{"time":"2026-01-01T00:00:00Z","identity":"a"}\n');
    const file = { path, display: 'log.txt' };
    const detected = await ingest([file], { strict: false }, () => undefined);
    expect(detected.skipped[0]?.message).toBe(UNRECOGNISED_MESSAGE);
    for (const key of ['log.txt', path]) {
      const records: NormalizedRecord[] = [];
      const result = await ingest([file], { strict: false, inputType: new Map([[key, 'canonical-events']]) }, (r) => void records.push(r));
      expect(result.inputs).toEqual([
        {
          file: 'log.txt',
          format: 'canonical-events',
          records: { event: 1 },
          skipped: 0,
          window: { from: '2026-01-01T00:00:00Z', to: '2026-01-01T00:00:00Z' },
        },
      ]);
      expect(records).toHaveLength(1);
    }
  });

  test('an unknown --input-type is a usage error before anything is read', async () => {
    const path = tempFile('a.json', '{}');
    let delivered = 0;
    const error = await rejection(
      ingest([{ path, display: 'a.json' }], { strict: false, inputType: new Map([['a.json', 'aws-magic']]) }, () => {
        delivered += 1;
      }),
    );
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toContain('aws-magic');
    expect(delivered).toBe(0);
  });

  test('what onRecord throws passes through untouched (a bug is not bad input)', async () => {
    const files = await discover(['fixtures/canonical/principals.csv'], ROOT);
    const bug = new TypeError('consumer bug');
    const error = await rejection(
      ingest(files, { strict: false }, () => {
        throw bug;
      }),
    );
    expect(error).toBe(bug);
  });

  test('secret-like fields are never carried into any record or message', async () => {
    const secrets = {
      secret: 'SECRET-aaaa-1111',
      token: 'TOKEN-bbbb-2222',
      value: 'VALUE-cccc-3333',
      password: 'PASSWORD-dddd-4444',
      private_key: 'PRIVKEY-eeee-5555',
      client_secret: 'CLIENTSECRET-ffff-6666',
    };
    const dir = tempDir();
    const { writeFileSync } = await import('node:fs');
    const yamlFields = Object.entries(secrets)
      .map(([k, v]) => `    ${k}: ${v}\n`)
      .join('');
    writeFileSync(
      join(dir, 'inv.yaml'),
      `apiVersion: nhi-audit/v1\nkind: Inventory\ncredentials:\n  - id: c1\n${yamlFields}  - id: c2\n    type: bogus\n${yamlFields}identities:\n  - id: i1\n    permissions:\n      - action: a\n${yamlFields.replaceAll('    ', '        ')}`,
    );
    writeFileSync(join(dir, 'inv.json'), JSON.stringify({ apiVersion: 'nhi-audit/v1', kind: 'Inventory', credentials: [{ id: 'c3', ...secrets }] }));
    writeFileSync(join(dir, 'x.events.ndjson'), `${JSON.stringify({ time: '2026-01-01T00:00:00Z', identity: 'i1', ...secrets })}\n${JSON.stringify({ time: 'bad', ...secrets })}\n`);
    writeFileSync(join(dir, 'credentials.csv'), `id,identity,${Object.keys(secrets).join(',')}\nc4,i1,${Object.values(secrets).join(',')}\n,i1,${Object.values(secrets).join(',')}\n`);

    const result = await run(['.', fixture('canonical'), fixture('bad')], { strict: false }, dir);
    expect(result.records.length).toBeGreaterThan(5);
    expect(result.skipped.length).toBeGreaterThan(3);
    const everything = JSON.stringify(result);
    for (const value of [...Object.values(secrets), 'tok-should-never-appear-1234', 'pw-should-never-appear-5678', 'do-not-echo-cs-2222']) {
      expect(everything).not.toContain(value);
    }
    // The records themselves did come through, so the check above looked at real output.
    expect(everything).toContain('"id":"c1"');
    expect(everything).toContain('"id":"c4"');
  });
});

describe('streaming', () => {
  /** An input that only supports lines(): reading it whole would throw. */
  function linesOnly(lines: readonly string[]): InputSource {
    return {
      display: 'stream',
      path: '/dev/null',
      maxRecordChars: 1024,
      bytes: () => {
        throw new Error('bytes() must not be used');
      },
      text: () => Promise.reject(new Error('text() must not be used')),
      lines: async function* (): AsyncGenerator<TextLine> {
        for (const [index, text] of lines.entries()) yield { text, line: index + 1 };
      },
    };
  }

  test('canonical-events and canonical-csv read through lines(), never the whole file', async () => {
    const skip = (): void => undefined;
    const sniff = { display: 'x', name: 'x', head: '', complete: false };
    const events: NormalizedRecord[] = [];
    for await (const r of canonicalEvents.read(linesOnly(['{"time":"2026-01-01T00:00:00Z","identity":"a"}']), { skip, sniff })) events.push(r);
    expect(events).toHaveLength(1);
    const rows: NormalizedRecord[] = [];
    for await (const r of canonicalCsv.read(linesOnly(['id,kind', 'p,human']), { skip, sniff })) rows.push(r);
    expect(rows).toHaveLength(1);
  });
});
