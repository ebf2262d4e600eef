import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/model/finding.js';
import type { Report } from '../../src/model/report.js';
import { tableReporter, wrapText } from '../../src/report/table.js';
import { expectGolden } from './golden.js';
import { HOSTILE_CLEAR, HOSTILE_LINK, emptyReport, sampleCatalog, sampleFindings, sampleReport } from './sample.js';

const plain = { catalog: sampleCatalog, color: false } as const;
const colored = { catalog: sampleCatalog, color: true } as const;

/** Any control character but the newline that separates lines. */
const CONTROL_EXCEPT_NEWLINE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;
/** chalk's SGR sequences: the only escapes allowed in coloured output. */
const SGR = /\u001b\[[0-9;]*m/g;

describe('table reporter', () => {
  it('matches the golden output without colour', () => {
    expectGolden('table.txt', tableReporter(sampleReport, plain));
  });

  it('matches the golden output with colour', () => {
    expectGolden('table.color.txt', tableReporter(sampleReport, colored));
  });

  it('matches the golden output for a clean scan', () => {
    expectGolden('table.empty.txt', tableReporter(emptyReport, plain));
  });

  it('writes no escape or control character but newlines when colour is off', () => {
    const output = tableReporter(sampleReport, plain);
    expect(output).not.toMatch(CONTROL_EXCEPT_NEWLINE);
  });

  it('writes only its own colour codes when colour is on; hostile sequences are gone', () => {
    const output = tableReporter(sampleReport, colored);
    expect(output).toMatch(SGR); // colour really is on
    const withoutColour = output.replace(SGR, '');
    expect(withoutColour).not.toMatch(CONTROL_EXCEPT_NEWLINE);
    expect(output).not.toContain('http://evil.example');
    expect(output).not.toContain(HOSTILE_CLEAR);
    expect(output).not.toContain(HOSTILE_LINK);
  });

  it('keeps the visible text of a hostile string', () => {
    const output = tableReporter(sampleReport, plain);
    expect(output).toContain('(user agent click');
    expect(output).toContain('AKIAIOSFODNN7EXAMPLE');
  });

  it('groups findings by severity, most severe first, each heading with its count', () => {
    const output = tableReporter(sampleReport, plain);
    const headings = output.split('\n').filter((line) => /^(CRITICAL|HIGH|MEDIUM|LOW|INFO) · /.test(line));
    expect(headings).toEqual(['CRITICAL · 1 finding', 'HIGH · 2 findings', 'MEDIUM · 1 finding', 'LOW · 1 finding']);
  });

  it('keeps table lines within 120 columns', () => {
    const output = tableReporter(sampleReport, plain);
    const tableLines = output.split('\n').filter((line) => /^[┌│├└]/.test(line));
    expect(tableLines.length).toBeGreaterThan(10);
    for (const line of tableLines) expect([...line].length).toBeLessThanOrEqual(120);
  });

  it('lists at most three evidence pointers, then how many more', () => {
    const base = sampleFindings[0];
    if (base === undefined) throw new Error('sample has findings');
    const evidence = Array.from({ length: 12 }, (_, index) => ({
      source: { file: 'g.json', line: index + 1 },
      summary: 'grant',
      key: `grant:${index}`,
    }));
    const finding: Finding = { ...base, evidence };
    const report: Report = { ...sampleReport, findings: [finding] };
    const output = tableReporter(report, plain);
    expect(output).toContain('g.json:1 ');
    expect(output).toContain('g.json:3 ');
    expect(output).not.toContain('g.json:4 ');
    expect(output).toContain('+9 more');
  });

  it('shows a pointer when the evidence has no line', () => {
    const output = tableReporter(sampleReport, plain);
    expect(output).toContain('/principals/3');
    expect(output).toContain('gcp/iam-policy.json ');
  });

  it('lists rules not evaluated, rule errors and skipped inputs with their notes', () => {
    const output = tableReporter(sampleReport, plain);
    expect(output).toContain(
      'Rules not evaluated (1)\n  NHI-APPR-001 approval-review-overdue: no approval records with a review date in the inputs\n',
    );
    expect(output).toContain(
      "Rule errors (1)\n  NHI-REUSE-001 identity-shared-across-environments: TypeError: Cannot read properties of undefined (reading 'tenant') click\n",
    );
    expect(output).toContain(
      "Skipped inputs (2)\n  logs/okta events.ndjson:57: invalid JSON: Unexpected token '}' \n  exports/unknown.bin: unrecognized format; use --input-type to name it\n",
    );
  });

  it('ends with a one-line summary', () => {
    const lines = tableReporter(sampleReport, plain).split('\n');
    expect(lines.at(-1)).toBe('');
    expect(lines.at(-2)).toBe(
      '5 findings: 1 critical, 2 high, 1 medium, 1 low · 7 files, 410 events (2026-01-01 → 2026-03-31) · as of 2026-04-01T00:00:00Z · 1 rule not evaluated · 1 rule error · 2 skipped · 1 suppressed · 2 hidden by baseline · 1 warning',
    );
  });

  it('says so plainly when there are no findings', () => {
    const output = tableReporter(emptyReport, plain);
    expect(output.startsWith('No findings.\n')).toBe(true);
    expect(output).not.toMatch(/CRITICAL|HIGH|┌/);
    expect(output.trimEnd().split('\n').at(-1)).toBe(
      '0 findings · 1 file, no event logs · as of 2026-04-01T00:00:00Z',
    );
  });

  it('is deterministic and does not modify the report', () => {
    const before = structuredClone(sampleReport);
    expect(tableReporter(sampleReport, colored)).toBe(tableReporter(sampleReport, colored));
    expect(sampleReport).toEqual(before);
  });
});

describe('wrapText', () => {
  it('wraps on spaces', () => {
    expect(wrapText('one two three four', 9)).toEqual(['one two', 'three', 'four']);
  });

  it('breaks a long id after a separator and loses no character', () => {
    const arn = 'arn:aws:iam::123456789012:role/ci-deploy-production';
    const lines = wrapText(arn, 20);
    expect(lines.join('')).toBe(arn);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(20);
    expect(lines[0]).toBe('arn:aws:iam::');
  });

  it('hard-breaks a long word with no separator', () => {
    expect(wrapText('abcdefghij', 4)).toEqual(['abcd', 'efgh', 'ij']);
  });

  it('does not split a surrogate pair', () => {
    // U+1D400 is one column wide but two UTF-16 units; an emoji takes two columns.
    expect(wrapText('𝐀𝐀𝐀', 2)).toEqual(['𝐀𝐀', '𝐀']);
    expect(wrapText('🔑🔑🔑', 4)).toEqual(['🔑🔑', '🔑']);
  });

  it('returns one empty line for empty text', () => {
    expect(wrapText('', 10)).toEqual(['']);
  });
});
