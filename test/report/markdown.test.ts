import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { micromark } from 'micromark';
import { gfm, gfmHtml } from 'micromark-extension-gfm';
import { describe, expect, it } from 'vitest';
import { AS_OF, REPO, runCli } from '../helpers/cli.js';
import { markdownReporter } from '../../src/report/markdown.js';
import { expectGolden } from './golden.js';
import { HOSTILE_STRINGS, hostileReport } from './hostile.js';
import { emptyReport, sampleCatalog, sampleReport } from './sample.js';

const context = { catalog: sampleCatalog, color: false } as const;

/** The only HTML this reporter writes itself: collapsible sections and line breaks inside table cells. */
const OWN_TAGS = /<\/?(?:details|summary)>|<br>/g;

/** GitHub-flavoured Markdown rendered as GitHub does, raw HTML passed through (GitHub allows a safe subset of it). */
function renderGfm(markdown: string): string {
  return micromark(markdown, { allowDangerousHtml: true, extensions: [gfm()], htmlExtensions: [gfmHtml()] });
}

/** Elements the rendered report may contain: no link, image, script or anything an input string could have made. */
const RENDERED_TAGS = new Set(['h1', 'h2', 'h3', 'p', 'ul', 'li', 'strong', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'br', 'details', 'summary']);

/** `|` not escaped by a backslash (an odd run of backslashes before it escapes it). */
function cellSeparators(line: string): number {
  return [...line.matchAll(/(\\*)\|/g)].filter((match) => (match[1] ?? '').length % 2 === 0).length;
}

describe('markdown reporter', () => {
  it('matches the golden output', () => {
    expectGolden('report.md', markdownReporter(sampleReport, context));
  });

  it('matches the golden output for a clean scan', () => {
    expectGolden('report.empty.md', markdownReporter(emptyReport, context));
  });

  it('is a pure function of report and context', () => {
    expect(markdownReporter(sampleReport, context)).toBe(markdownReporter(sampleReport, context));
  });

  it('has scope, summary, coverage per framework with control titles, unevaluated rules and every finding', () => {
    const text = markdownReporter(sampleReport, context);
    expect(text).toContain('- **Log window:** 2026-01-01T00:00:00Z → 2026-03-31T23:59:59Z (410 events)');
    expect(text).toContain('| critical | 1 |');
    expect(text).toContain('| NHI1:2025 | Improper Offboarding | NHI-LIFE-001 token-used-after-offboarding (1 finding)<br>NHI-APPR-001 approval-review-overdue (not evaluated) | 1 |');
    expect(text).toContain('| NHI-APPR-001 approval-review-overdue | not-evaluated | no approval records with a review date in the inputs |');
    expect(text).toContain('  - NIST SP 800-53 \\(Rev. 5\\): AC-2 Account Management; AC-2\\(3\\) Account Management \\| Disable Accounts');
    expect(text).toContain('- **Not counted:** 1 suppressed by ignore entries, 2 hidden by the baseline (listed under "Accepted findings")');
    expect(text).toContain('## Accepted findings');
    for (const finding of sampleReport.suppressedFindings) expect(text).toContain(finding.fingerprint);
    expect(text).toContain('1 baseline entry no longer found');
    expect(text).toContain('## Warnings (1)');
    for (const finding of sampleReport.findings) expect(text).toContain(`- **Fingerprint:** ${finding.fingerprint}`);
    // OWASP leads the coverage matrix whatever the catalog order.
    expect(text.indexOf('<summary>OWASP')).toBeLessThan(text.indexOf('<summary>NIST'));
  });

  it("the README's excerpt is real output of the demo scan", async () => {
    const readme = await readFile(path.join(REPO, 'README.md'), 'utf8');
    const excerpt = /```markdown\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    const run = await runCli(['scan', 'fixtures/demo', '--as-of', AS_OF, '--format', 'markdown']);
    const real = new Set(run.stdout.split('\n'));
    const lines = excerpt.split('\n').filter((line) => line !== '' && line !== '…');
    expect(lines.length).toBeGreaterThan(5);
    for (const line of lines) expect(real, line).toContain(line);
  });

  describe('hostile input', () => {
    const text = markdownReporter(hostileReport, context);

    it('writes no HTML of its own making from input: every < and > from input is an entity', () => {
      expect(text.replace(OWN_TAGS, '')).not.toMatch(/[<>]/);
      expect(text).toContain('&lt;img src=x onerror=alert\\(1\\)&gt;');
    });

    it('cannot form links, images or autolinks', () => {
      expect(text).not.toMatch(/(?<!\\)\]\(/);
      expect(text).not.toMatch(/(?<!\\)!\[/);
      expect(text).not.toContain('https://');
      expect(text).not.toMatch(/www\.evil/i);
      expect(text).not.toMatch(/(?<!\\)@evil/);
      expect(text).toContain('\\[click me\\]\\(https\\://evil.example/phish\\)');
      expect(text).toContain('\\!\\[pixel\\]\\(https\\://evil.example/track.png\\)');
    });

    it('renders (GFM, as on GitHub) to no element but the report\'s own, and every table row keeps its cells', () => {
      // The renderer does turn the raw strings into links and images, so the checks below can fail.
      expect(renderGfm(`${HOSTILE_STRINGS.markdownLink} ${HOSTILE_STRINGS.markdownImage} ${HOSTILE_STRINGS.autolink} ${HOSTILE_STRINGS.xss}`)).toMatch(
        /<a href[\s\S]*<img[\s\S]*<a href="https:\/\/evil[\s\S]*mailto:ops@evil/,
      );
      const rendered = renderGfm(text);
      const tags = new Set([...rendered.matchAll(/<\/?([a-zA-Z][a-zA-Z0-9]*)/g)].map((match) => (match[1] ?? '').toLowerCase()));
      for (const tag of tags) expect(RENDERED_TAGS, `<${tag}> in the rendered report`).toContain(tag);
      expect(rendered).toContain('&lt;img src=x onerror=alert(1)&gt;');
      expect(rendered).toContain('[click me](https://evil.example/phish)');
      for (const table of rendered.split('<table>').slice(1)) {
        const rows = (table.split('</table>')[0] ?? '').split('<tr>').slice(1);
        const cells = rows.map((row) => (row.match(/<t[dh][ >]/g) ?? []).length);
        expect(new Set(cells).size, cells.join(',')).toBe(1);
      }
    });

    it('cannot break a table row or start a block', () => {
      const lines = text.split('\n');
      expect(lines.some((line) => line.startsWith('| injected') || line.startsWith('# injected'))).toBe(false);
      // Every row of each table has as many cell separators as its header.
      let header = -1;
      for (const line of lines) {
        if (!line.startsWith('|')) {
          header = -1;
          continue;
        }
        if (header === -1) header = cellSeparators(line);
        expect(cellSeparators(line), line).toBe(header);
      }
    });

    it('escapes emphasis, code and math, and drops terminal escapes, bidi and zero-width characters', () => {
      expect(text).toContain('\\*\\*bold\\*\\* \\_under\\_ \\`code\\` \\~\\~strike\\~\\~ \\$math\\$');
      expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/);
      expect(text).toContain('admingnp.exe');
      expect(text).toContain('rt-42');
      expect(text).not.toContain(HOSTILE_STRINGS.tableBreak);
    });
  });
});
