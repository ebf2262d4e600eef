import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AS_OF, runCli } from '../helpers/cli.js';

/*
 * The malformed-input corpus (fixtures/bad/malformed, issue 15): each class of
 * broken file gives one clear line naming file(:line), or is read correctly,
 * and never an internal error. Files too big to commit, FIFOs and symlink
 * loops are made here at run time.
 */

const BAD = 'fixtures/bad/malformed';
const tmp = mkdtempSync(path.join(tmpdir(), 'nhi-bad-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface JsonReport {
  inputs: { file: string; format: string; records: Record<string, number>; skipped: number }[];
  skipped: { file: string; line: number; message: string }[];
  logWindow: { from: string; to: string; events: number } | null;
}

async function scan(file: string, extra: string[] = []): Promise<{ code: number; stderr: string; report: JsonReport | undefined }> {
  const run = await runCli(['scan', file, '--as-of', AS_OF, '--format', 'json', ...extra]);
  expect(run.code).not.toBe(3);
  // Every warning or error is one line naming the file.
  for (const line of run.stderr.split('\n').filter((text) => text !== '')) {
    expect(line).toMatch(/^(warning|error): /);
    if (line.startsWith('warning: ')) expect(line).toContain(path.basename(file));
  }
  return { code: run.code, stderr: run.stderr, report: run.stdout === '' ? undefined : (JSON.parse(run.stdout) as JsonReport) };
}

const event = (time: string, identity: string): string => JSON.stringify({ kind: 'nhi-audit/v1/event', time, identity, action: 'read' });

describe('fixtures/bad/malformed', () => {
  it.each([
    ['truncated.events.ndjson.gz', /truncated\.events\.ndjson\.gz: cannot read gzip data: truncated gzip data/],
    ['garbage.events.ndjson.gz', /garbage\.events\.ndjson\.gz: cannot read gzip data: corrupt gzip data/],
  ])('%s is refused with one line', async (name, message) => {
    const { code, stderr } = await scan(`${BAD}/${name}`);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
  });

  it.each([
    ['utf8-bom.events.ndjson'],
    ['utf16le-bom.events.ndjson'],
    ['utf16be-bom.events.ndjson'],
    ['utf16le-nobom.events.ndjson'],
    ['crlf.events.ndjson'],
  ])('%s is read correctly', async (name) => {
    const { code, stderr, report } = await scan(`${BAD}/${name}`);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(report?.logWindow).toEqual({ from: '2026-01-01T00:00:00Z', to: '2026-01-03T00:00:00Z', events: 3 });
  });

  it('invalid UTF-8 is read with U+FFFD in place of the bad bytes', async () => {
    const { code, report } = await scan(`${BAD}/invalid-utf8.events.ndjson`);
    expect(code).toBe(0);
    expect(report?.inputs[0]?.records).toEqual({ event: 3 });
  });

  it('a CRLF inventory is read correctly', async () => {
    const { report } = await scan(`${BAD}/crlf-inventory.yaml`);
    expect(report?.inputs[0]?.records).toEqual({ identity: 1 });
  });

  it('an empty file is read as no records', async () => {
    const { code, report } = await scan(`${BAD}/empty.events.ndjson`);
    expect(code).toBe(0);
    expect(report?.inputs[0]).toMatchObject({ records: {}, skipped: 0 });
  });

  it('a YAML alias bomb is refused at its line, not expanded', async () => {
    const { stderr, report } = await scan(`${BAD}/alias-bomb.yaml`);
    expect(stderr).toMatch(/alias-bomb\.yaml:\d+: more than 1000 alias references/);
    expect(report?.skipped).toHaveLength(1);
  });

  it('custom YAML tags are read as plain strings, never executed', async () => {
    const { report } = await scan(`${BAD}/custom-tags.yaml`);
    expect(report?.inputs[0]?.records).toEqual({ identity: 3 });
  });

  it.each(['proto-keys.inventory.json', 'proto-keys.events.ndjson'])('%s: __proto__ / constructor keys are data, nothing is polluted', async (name) => {
    const { code } = await scan(`${BAD}/${name}`);
    expect(code).not.toBe(2);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(({} as Record<string, unknown>)['outcome']).toBeUndefined();
    expect(({} as Record<string, unknown>)['status']).toBeUndefined();
  });

  it('1e400 in a typed field is refused at its line; elsewhere it is ignored', async () => {
    const { report } = await scan(`${BAD}/huge-numbers.events.ndjson`);
    expect(report?.skipped.map((skip) => skip.line)).toEqual([2, 3]);
    expect(report?.inputs[0]?.records).toEqual({ event: 2 });
  });

  it('dates in year 0, past 9999 and NaN are refused at their lines; 9999-12-31 is read', async () => {
    const { report } = await scan(`${BAD}/odd-dates.events.ndjson`);
    expect(report?.skipped.map((skip) => [skip.line, skip.message])).toEqual([
      [1, expect.stringMatching(/before 1970-01-01/)],
      [3, expect.stringMatching(/"NaN" is not an ISO-8601 time/)],
      [4, expect.stringMatching(/not an ISO-8601 time/)],
    ]);
    expect(report?.logWindow).toEqual({ from: '2026-01-01T00:00:00Z', to: '9999-12-31T23:59:59Z', events: 2 });
  });

  it.each([
    ['null-array-fields.events.ndjson', 19],
    ['null-array-fields.inventory.json', 19],
  ])('%s: nulls, lists and mappings in every field are read or refused per record', async (name, read) => {
    const { report } = await scan(`${BAD}/${name}`);
    const input = report?.inputs[0];
    expect(input?.skipped).toBeGreaterThan(0);
    expect(Object.values(input?.records ?? {}).reduce((sum, count) => sum + count, 0)).toBeGreaterThanOrEqual(read);
    for (const skip of report?.skipped ?? []) expect(skip.line).toBeGreaterThan(0);
  });

  it('duplicate keys: YAML is refused at the line; NDJSON takes the last value as JSON does', async () => {
    const yaml = await scan(`${BAD}/duplicate-keys.yaml`);
    expect(yaml.stderr).toMatch(/duplicate-keys\.yaml:5: YAML syntax error: Map keys must be unique/);
    const ndjson = await scan(`${BAD}/duplicate-keys.events.ndjson`);
    expect(ndjson.report?.inputs[0]?.records).toEqual({ event: 2 });
  });
});

describe('generated malformed inputs', () => {
  it('a 50 MB single line is read (below the 64 Mi-character line bound) and the lines around it too', async () => {
    const file = path.join(tmp, 'line50.events.ndjson');
    const big = JSON.stringify({ kind: 'nhi-audit/v1/event', time: '2026-01-02T00:00:00Z', identity: 'svc-big', action: 'read', user_agent: 'A'.repeat(50 * 1024 * 1024) });
    writeFileSync(file, `${event('2026-01-01T00:00:00Z', 'svc-a')}\n${big}\n${event('2026-01-03T00:00:00Z', 'svc-b')}\n`);
    const { report } = await scan(file);
    expect(report?.logWindow?.events).toBe(3);
  });

  it('a line over the bound is refused with its size, naming file:line', async () => {
    const file = path.join(tmp, 'line70.events.ndjson');
    writeFileSync(file, `${event('2026-01-01T00:00:00Z', 'svc-a')}\n${'B'.repeat(65 * 1024 * 1024)}\n`);
    const { stderr } = await scan(file);
    expect(stderr).toMatch(/line70\.events\.ndjson:2: line is longer than 67108864 characters/);
  });

  it('--max-record-mb sets the bound, with worker threads too; a bad value is a usage error', async () => {
    const file = path.join(tmp, 'line2mb.events.ndjson');
    const big = JSON.stringify({ kind: 'nhi-audit/v1/event', time: '2026-01-02T00:00:00Z', identity: 'svc-big', action: 'read', user_agent: 'C'.repeat(2 * 1024 * 1024) });
    writeFileSync(file, `${event('2026-01-01T00:00:00Z', 'svc-a')}\n${big}\n`);
    const other = path.join(tmp, 'line-small.events.ndjson');
    writeFileSync(other, `${event('2026-01-03T00:00:00Z', 'svc-c')}\n`);
    for (const workers of ['1', '2']) {
      const { stderr, report } = await scan(file, ['--max-record-mb', '1', '--workers', workers, other]);
      expect(stderr).toMatch(/line2mb\.events\.ndjson:2: line is longer than 1048576 characters \(--max-record-mb 1\); refused/);
      expect(report?.logWindow?.events).toBe(2);
    }
    expect((await scan(file, ['--max-record-mb', '3'])).report?.logWindow?.events).toBe(2);
    for (const value of ['0', '-1', 'lots', '5000']) {
      const run = await runCli(['scan', file, '--max-record-mb', value]);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('--max-record-mb must be a number above 0');
    }
  });

  it.each([
    ['deep.inventory.json', `{"apiVersion":"nhi-audit/v1","kind":"Inventory","identities":[{"id":"svc-a","type":"workload","x":${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}}]}`],
    ['deep.yaml', `apiVersion: nhi-audit/v1\nkind: Inventory\nidentities:\n  - id: svc-a\n    type: workload\n    x: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`],
  ])('%s nested 100,000 deep is refused with one line', async (name, text) => {
    const file = path.join(tmp, name);
    writeFileSync(file, text);
    const { stderr } = await scan(file);
    expect(stderr).toMatch(new RegExp(`${name.replace('.', '\\.')}:\\d+: nested more than 1000 levels deep; refused`));
  });

  it('an NDJSON record nested 100,000 deep is read (JSON.parse is iterative) and the next line too', async () => {
    const file = path.join(tmp, 'deep.events.ndjson');
    const deep = `{"kind":"nhi-audit/v1/event","time":"2026-01-01T00:00:00Z","identity":"svc-a","action":"read","x":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    writeFileSync(file, `${deep}\n${event('2026-01-02T00:00:00Z', 'svc-b')}\n`);
    const { report } = await scan(file);
    expect(report?.logWindow?.events).toBe(2);
  });

  it('a FIFO among the inputs is refused with one line, without hanging, and the other inputs are read', async () => {
    const fifo = path.join(tmp, 'pipe.events.ndjson');
    try {
      execFileSync('mkfifo', [fifo]);
    } catch {
      return; // no mkfifo on this system: nothing to test
    }
    // A writer in another process, so the read end gets data and EOF.
    const writer = await import('node:child_process').then(({ spawn }) =>
      spawn('sh', ['-c', `printf '%s\\n' '${event('2026-01-01T00:00:00Z', 'svc-fifo')}' > "$0"`, fifo]),
    );
    const other = path.join(tmp, 'beside-fifo.events.ndjson');
    writeFileSync(other, `${event('2026-01-02T00:00:00Z', 'svc-b')}\n`);
    const run = await runCli(['scan', fifo, other, '--as-of', AS_OF, '--format', 'json']);
    writer.kill();
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/pipe\.events\.ndjson: cannot read file: it is a pipe, and inputs are read more than once; save it to a file first \(ESPIPE\)/);
    expect((JSON.parse(run.stdout) as JsonReport).logWindow?.events).toBe(1);
  });

  it('a directory symlink loop is not followed forever', async () => {
    const root = path.join(tmp, 'loop');
    mkdirSync(path.join(root, 'a'), { recursive: true });
    writeFileSync(path.join(root, 'a', 'x.events.ndjson'), `${event('2026-01-01T00:00:00Z', 'svc-loop')}\n`);
    symlinkSync('..', path.join(root, 'a', 'up'));
    const { report } = await scan(root);
    expect(report?.logWindow?.events).toBeGreaterThanOrEqual(1);
  });
});
