import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { terminalSafe, terminalSafeWithin } from '../../src/report/escape.js';
import { MAX_CELL_CHARS, wrapText } from '../../src/report/table.js';
import { AS_OF, runCli } from '../helpers/cli.js';

/*
 * Regressions for the three defects issue 15 names: the terminal table on long
 * hostile strings, a token used as a credential id printed in a rule note, and
 * events dated year 0000 accepted into the log window.
 */

const dir = mkdtempSync(path.join(tmpdir(), 'nhi-hostile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A long value full of escape sequences, bidi overrides and markup, `length` characters. */
function hostile(tag: string, length: number): string {
  const unit = '\u001b[31mX\u001b]0;title\u0007\u202e<img src=x>[a](http://e)\u009d' + 'A'.repeat(40);
  return `${tag}-${unit.repeat(Math.ceil(length / unit.length))}`.slice(0, length);
}

const FAKE_PAT = `ghp_${'a1B2'.repeat(9)}`;
const LONG = 60_000;

function writeBundle(): string[] {
  const ids = [0, 1, 2].map((index) => hostile(`svc${index}`, LONG));
  const inventory = [
    'apiVersion: nhi-audit/v1',
    'kind: Inventory',
    'principals:',
    '  - id: bob@acme.example',
    '    status: offboarded',
    '    offboarded_at: 2025-11-30T17:00:00Z',
    'identities:',
    ...ids.flatMap((id) => [`  - id: ${JSON.stringify(id)}`, '    type: service-account', '    owner: bob@acme.example', '    environment: prod']),
    'credentials:',
    ...ids.flatMap((id, index) => [`  - id: ${JSON.stringify(hostile(`key${index}`, LONG))}`, `    identity: ${JSON.stringify(id)}`, '    type: api-key', '    issued_at: 2020-01-01T00:00:00Z']),
    // A token pasted where a credential id belongs: no issue or rotation date, so NHI-CRED-002 notes it.
    `  - id: ${FAKE_PAT}`,
    `    identity: ${JSON.stringify(ids[0])}`,
    '    type: pat',
    'approvals:',
    ...ids.flatMap((id, index) => [
      `  - id: approval-${index}`,
      `    delegate: ${JSON.stringify(id)}`,
      '    principal: bob@acme.example',
      '    granted_at: 2024-01-01T00:00:00Z',
      '    expires_at: 2025-01-01T00:00:00Z',
      `    purpose: ${JSON.stringify(hostile('purpose', LONG))}`,
    ]),
  ].join('\n');
  const events = ids
    .map((id, index) =>
      JSON.stringify({
        kind: 'nhi-audit/v1/event',
        time: `2026-01-0${index + 1}T00:00:00Z`,
        identity: id,
        action: hostile('action', LONG),
        resource: hostile('resource', LONG),
        user_agent: hostile('ua', LONG),
        environment: 'dev',
      }),
    )
    .join('\n');
  const files = [path.join(dir, 'inventory.yaml'), path.join(dir, 'app.events.ndjson')];
  writeFileSync(files[0]!, `${inventory}\n`);
  writeFileSync(files[1]!, `${events}\n`);
  return files;
}

describe('terminal table on long hostile values (issue 15, defect a)', () => {
  const files = writeBundle();

  it('renders, with every cell value cut to a bound that states the full length', async () => {
    const run = await runCli(['scan', ...files, '--as-of', AS_OF]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('characters)');
    // Three 60 kB ids, messages and notes: unbounded, this was megabytes of wrapped lines.
    expect(run.stdout.length).toBeLessThan(400_000);
    expect(run.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e]/);
  });

  it('terminalSafe is linear on runs of 8-bit string introducers and bounds its output', () => {
    // A run of U+009D used to rescan to the end from every position.
    const text = '\u009d'.repeat(200_000);
    expect(terminalSafe(text)).toBe('');
    const long = 'b'.repeat(10_000);
    expect(terminalSafeWithin(long, 100)).toBe(`${'b'.repeat(100)}… (10000 characters)`);
    // Surrogate pairs count as one character and are never split.
    expect(terminalSafeWithin('😀'.repeat(5), 3)).toBe('😀😀😀… (5 characters)');
  });

  it('wraps a long word in linear steps, each line at most the width', () => {
    const lines = wrapText('x'.repeat(MAX_CELL_CHARS * 50), 36);
    expect(lines).toHaveLength(Math.ceil((MAX_CELL_CHARS * 50) / 36));
    expect(Math.max(...lines.map((line) => line.length))).toBe(36);
  });
});

describe('redaction reaches rule notes and every other report string (issue 15, defect b)', () => {
  const files = writeBundle();

  it.each(['table', 'json', 'sarif'])('a token given as a credential id is masked in %s output, notes included', async (format) => {
    const run = await runCli(['scan', ...files, '--as-of', AS_OF, '--format', format]);
    expect(run.code).toBe(1);
    expect(run.stdout).not.toContain(FAKE_PAT.slice(4));
    expect(run.stderr).not.toContain(FAKE_PAT.slice(4));
    if (format === 'json') {
      const report = JSON.parse(run.stdout) as { evaluations: { ruleId: string; notes: string[] }[] };
      const notes = report.evaluations.flatMap((evaluation) => evaluation.notes);
      expect(notes.some((note) => note.includes('[github-token …a1B2]'))).toBe(true);
    }
  });

  it('inventory masks it too', async () => {
    for (const format of ['table', 'json']) {
      const run = await runCli(['inventory', ...files, '--format', format]);
      expect(run.code).toBe(0);
      expect(run.stdout).not.toContain(FAKE_PAT.slice(4));
      expect(run.stdout).toContain('[github-token …a1B2]');
    }
  });
});

describe('event times outside 1970..9999 (issue 15, defect c)', () => {
  it('an event dated year 0000 is an input error naming file:line and does not stretch the log window', async () => {
    const file = path.join(dir, 'year0.events.ndjson');
    writeFileSync(
      file,
      [
        { kind: 'nhi-audit/v1/event', time: '2026-01-01T00:00:00Z', identity: 'svc-a', action: 'read' },
        { kind: 'nhi-audit/v1/event', time: '0000-01-01T00:00:00Z', identity: 'svc-a', action: 'read' },
        { kind: 'nhi-audit/v1/event', time: '2026-01-02T00:00:00Z', identity: 'svc-a', action: 'read' },
      ]
        .map((event) => JSON.stringify(event))
        .join('\n'),
    );
    const run = await runCli(['scan', file, '--as-of', AS_OF, '--format', 'json']);
    expect(run.code).not.toBe(3);
    const report = JSON.parse(run.stdout) as { logWindow: { from: string; to: string; events: number }; skipped: { line: number; message: string }[] };
    expect(report.logWindow).toEqual({ from: '2026-01-01T00:00:00Z', to: '2026-01-02T00:00:00Z', events: 2 });
    expect(report.skipped).toEqual([expect.objectContaining({ line: 2, message: expect.stringMatching(/before 1970-01-01/) })]);
    expect(run.stderr).toMatch(/year0\.events\.ndjson:2: .*before 1970-01-01/);
    const strict = await runCli(['scan', file, '--as-of', AS_OF, '--strict']);
    expect(strict.code).toBe(2);
    expect(strict.stderr).toMatch(/^error: .*year0\.events\.ndjson:2: .*before 1970-01-01/m);
  });
});

describe('table width with wide characters', () => {
  it('wraps East Asian wide text by columns, so borders stay aligned', () => {
    const lines = wrapText('服务账户'.repeat(20), 36);
    for (const line of lines) expect([...line].length).toBeLessThanOrEqual(18);
    expect(lines.join('')).toBe('服务账户'.repeat(20));
  });
});
