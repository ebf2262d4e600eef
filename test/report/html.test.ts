import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { htmlReporter } from '../../src/report/html.js';
import { expectGolden } from './golden.js';
import { XSS_IMG, hostileReport } from './hostile.js';
import { emptyReport, sampleCatalog, sampleReport } from './sample.js';

const context = { catalog: sampleCatalog, color: false } as const;

function inline(html: string, tag: 'style' | 'script'): string[] {
  return [...html.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g'))].map((match) => match[1] ?? '');
}

function policy(html: string): string {
  return /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1] ?? '';
}

const hash = (text: string): string => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

describe('html reporter', () => {
  it('matches the golden output', () => {
    expectGolden('report.html', htmlReporter(sampleReport, context));
  });

  it('matches the golden output for a clean scan', () => {
    expectGolden('report.empty.html', htmlReporter(emptyReport, context));
  });

  it('admits exactly its one inline style and one inline script by hash under default-src none', () => {
    const html = htmlReporter(sampleReport, context);
    const styles = inline(html, 'style');
    const scripts = inline(html, 'script');
    expect(styles).toHaveLength(1);
    expect(scripts).toHaveLength(1);
    const directives = policy(html).split('; ');
    expect(directives).toContain("default-src 'none'");
    expect(directives).toContain(`style-src ${hash(styles[0] ?? '')}`);
    expect(directives).toContain(`script-src ${hash(scripts[0] ?? '')}`);
    expect(policy(html)).not.toMatch(/unsafe-inline|unsafe-eval|https?:|data:|\*/);
    // The policy must come before anything it governs.
    expect(html.indexOf('Content-Security-Policy')).toBeLessThan(html.indexOf('<style>'));
  });

  it('loads nothing: no external src/href, no CSS url() or @import, no style attributes or inline handlers', () => {
    const html = htmlReporter(sampleReport, context);
    expect(html).not.toMatch(/\s(?:src|href|action|formaction|poster|srcset)="(?!#)/);
    expect(html).not.toMatch(/url\(|@import/);
    expect(html).not.toMatch(/\sstyle="/);
    expect(html).not.toMatch(/\son[a-z]+=/);
    expect(html).not.toMatch(/<(?:link|img|iframe|object|embed|base)\b/);
  });

  it('shows scope, charts, coverage with control titles, unevaluated rules and every finding with its details', () => {
    const html = htmlReporter(sampleReport, context);
    expect(html).toContain('<strong id="findings-total">5</strong>');
    expect(html).toContain('(not counted: 1 suppressed by ignore entries, 2 hidden by the baseline)');
    expect(html).toContain('<h3>Suppressed by ignore entries (1, not counted)</h3>');
    for (const finding of sampleReport.suppressedFindings) expect(html).toContain(finding.fingerprint);
    expect(html).toContain('1 baseline entry no longer found');
    expect(html).toContain('<h3>Warnings (1)</h3>');
    expect(html.match(/<svg /g)).toHaveLength(3);
    expect(html).toContain('<td class="mono ctl">AC-2(3)</td><td>Account Management | Disable Accounts</td>');
    expect(html).toContain('<span class="st st-not-evaluated">not evaluated</span>');
    expect(html).toContain('no approval records with a review date in the inputs');
    expect(html.match(/<tr id="finding-\d+"/g)).toHaveLength(sampleReport.findings.length);
    for (const finding of sampleReport.findings) expect(html).toContain(`Fingerprint <code>${finding.fingerprint}</code>`);
    expect(html).toContain('<code>hr/principals.json (/principals/3)</code>');
    expect(html).toContain('@media print');
  });

  describe('hostile input', () => {
    const html = htmlReporter(hostileReport, context);
    const body = html.slice(html.indexOf('<body>'));

    it('escapes markup in text and attributes alike', () => {
      expect(body).not.toContain(XSS_IMG);
      expect(body).not.toMatch(/<img|<script>alert|onerror=alert\(1\)>/);
      expect(body).toContain('&lt;img src=x onerror=alert(1)&gt;');
      expect(body).not.toContain('" onmouseover=');
      expect(body).toContain('data-subject="probe &quot; onmouseover=&quot;alert(2)&quot; x=&quot;');
      expect(body).toContain(`<option value="aws&lt;img src=x onerror=alert(1)&gt;">`);
    });

    it('drops terminal escapes, bidi and zero-width characters', () => {
      expect(html).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/);
      expect(body).toContain('admingnp.exe');
      expect(body).toContain('rt-42');
      expect(body).not.toContain(']8;;');
    });

    it('keeps the document structure: one body, one script, the same elements as a clean report', () => {
      expect(html.match(/<script>/g)).toHaveLength(1);
      expect(html.match(/<body>/g)).toHaveLength(1);
      const tags = (text: string): Set<string> => new Set([...text.matchAll(/<([a-z][a-z0-9]*)[\s>]/g)].map((match) => match[1] ?? ''));
      for (const tag of tags(html)) expect(tags(htmlReporter(sampleReport, context)), tag).toContain(tag);
    });
  });
});
