import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/model/report.js';
import { REPORTERS } from '../../src/report/index.js';
import { expectGolden } from './golden.js';
import { sampleCatalog, sampleReport } from './sample.js';

/*
 * Hostile strings in every input-carrying field of a report, through every
 * reporter in the registry (issue 15). The generic assertions run for each
 * format REPORTERS lists, including formats added later; goldens pin the
 * formats that exist here. Structural fields (ids the catalog resolves,
 * severities, statuses, times, fingerprints) are left alone: they never come
 * from input.
 */

/** Every hostile class the issue names, in one value. */
export const HOSTILE = [
  '\u001b[31mred\u001b[0m',
  '\u009b2J',
  '\u001b]8;;http://evil.example/osc8\u0007osc8-link\u001b]8;;\u0007',
  '\u001b]0;pwned-title\u0007',
  '\u001bP+q\u001b\\',
  'rtl\u202eexe.txt\u202c',
  'zero\u200bwidth\u2066iso\u2069',
  'line1\nline2\r\nline3\u2028line4',
  '<img src=x onerror=alert(1)>',
  '<script>alert(1)</script>',
  '[click](http://evil.example/md)',
  '![pixel](http://evil.example/p.png)',
  '=HYPERLINK("http://evil.example")',
  '+SUM(1,2)',
  '-2+3',
  '@cmd',
].join(' | ');

/** Long enough to be cut by the terminal formats, short enough to keep goldens readable. */
const LONG_TAIL = ` ${'long-'.repeat(260)}end`;

const STRUCTURAL = new Set(['schemaVersion', 'asOf', 'severity', 'status', 'ruleId', 'ruleName', 'messageId', 'fingerprint', 'kind', 'format', 'from', 'to', 'name', 'version', 'remediation']);

/** sampleReport with HOSTILE (and, in messages, a long tail) appended to every input-carrying string. */
function hostile(value: unknown, key = ''): unknown {
  if (typeof value === 'string') {
    if (STRUCTURAL.has(key)) return value;
    return `${value} ${HOSTILE}${key === 'message' ? LONG_TAIL : ''}`;
  }
  if (Array.isArray(value)) return value.map((item) => hostile(item, key));
  if (value !== null && typeof value === 'object') {
    // Mapping keys are control ids from the catalog, not input.
    if (key === 'mappings') return value;
    return Object.fromEntries(Object.entries(value).map(([name, item]) => [name, hostile(item, name)]));
  }
  return value;
}

const hostileReport = hostile(sampleReport) as Report;

/** Raw ESC, C1 controls, other C0 controls but newline, DEL, bidi controls, JS line separators. */
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u2028\u2029]/;
/** A Markdown link or image whose brackets are not escaped. */
const MARKDOWN_LINK = /(?<!\\)\[[^\]\n]*(?<!\\)\]\(/;

function allStrings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const item of value) allStrings(item, out);
  else if (value !== null && typeof value === 'object') for (const item of Object.values(value)) allStrings(item, out);
  return out;
}

/** Strings at `markdown` keys of a SARIF log: the only text GitHub renders as markup. */
function markdownFields(value: unknown, key = '', out: string[] = []): string[] {
  if (typeof value === 'string' && key === 'markdown') out.push(value);
  else if (Array.isArray(value)) for (const item of value) markdownFields(item, key, out);
  else if (value !== null && typeof value === 'object') for (const [name, item] of Object.entries(value)) markdownFields(item, name, out);
  return out;
}

describe.each(Object.entries(REPORTERS).map(([format, reporter]) => [format, reporter] as const))('%s reporter with hostile input', (format, reporter) => {
  const output = reporter(hostileReport, { catalog: sampleCatalog, color: false });

  it('writes no raw escape, control or bidi character', () => {
    expect(output).not.toMatch(RAW_CONTROL);
  });

  it('shows no OSC 8 target, title or hyperlink outside JSON strings', () => {
    if (format === 'json' || format === 'sarif') return;
    expect(output).not.toContain('\u001b]');
    expect(output).not.toContain(']8;;http');
  });

  if (format === 'json' || format === 'sarif') {
    it('is valid JSON that keeps the hostile text intact', () => {
      const parsed = JSON.parse(output) as unknown;
      expect(allStrings(parsed).some((text) => text.includes(HOSTILE))).toBe(true);
    });

    it('puts no input into a field GitHub renders as Markdown', () => {
      for (const markdown of markdownFields(JSON.parse(output))) {
        expect(markdown).not.toContain('evil.example');
        expect(markdown).not.toMatch(/<(img|script)/i);
      }
    });
  }

  if (format === 'html') {
    it('leaves no tag from input unescaped', () => {
      expect(output).not.toMatch(/<img src=x/i);
      expect(output).not.toMatch(/<script>alert/i);
    });
  }

  if (format === 'markdown') {
    it('leaves no Markdown link, image or HTML from input unescaped', () => {
      expect(output).not.toMatch(MARKDOWN_LINK);
      expect(output).not.toMatch(/(?<!\\)!\[/);
      expect(output).not.toMatch(/<(img|script)/i);
    });
  }

  if (format === 'table') {
    it('makes zero-width characters visible and cuts long values with their length', () => {
      expect(output).toContain('<U+200B>');
      expect(output).toMatch(/… \(\d+ characters\)/);
    });
  }

  it('matches its golden file', () => {
    const known = ['table', 'json', 'sarif'];
    if (!known.includes(format)) return; // goldens for formats added later are their authors' to add
    expectGolden(`hostile.${format}.txt`, output);
  });
});
