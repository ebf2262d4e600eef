/*
 * The HTML report in a real browser: Debian's Chromium driven by
 * playwright-core (which never downloads a browser). The report is opened from
 * a file URL with every request recorded and anything but the file itself
 * aborted; the test then checks the counts against the JSON report, sorting
 * and filtering, and that an XSS probe in a user agent stays text.
 * Without Chromium (`.ci/run` installs it: apt-get install chromium) the
 * browser tests skip and a stand-in test named "is skipped: no Chromium at …"
 * says what was looked for, as the corpus tests do.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AS_OF, REPO, runCli } from '../helpers/cli.js';

/** CHROMIUM_PATH, when set, is the only browser tried (so the skip can be seen by pointing it elsewhere). */
const CANDIDATES = process.env['CHROMIUM_PATH'] ? [process.env['CHROMIUM_PATH']] : ['/usr/bin/chromium', '/usr/bin/chromium-browser'];
const executablePath = CANDIDATES.find((candidate) => existsSync(candidate));
const ARTIFACTS = path.join(REPO, 'test-artifacts');
const PROBE = '<img src=x onerror=alert(1)>';
const BROWSER_TIMEOUT = 120_000;

interface JsonFinding {
  readonly severity: string;
  readonly ruleId: string;
  readonly message: string;
  readonly subject: { readonly id: string; readonly provider?: string };
}

interface OpenedReport {
  readonly page: Page;
  /** Every URL the page asked for, in order. */
  readonly requests: string[];
  readonly dialogs: string[];
  readonly consoleErrors: string[];
  readonly url: string;
}

/** Scans `bundle` to an HTML file and a JSON report, then opens the HTML with all traffic recorded. */
async function scanAndOpen(browser: Browser, dir: string, bundle: string): Promise<{ opened: OpenedReport; findings: JsonFinding[] }> {
  const out = path.join(dir, path.basename(bundle));
  mkdirSync(out, { recursive: true });
  const file = path.join(out, 'r.html');
  const htmlRun = await runCli(['scan', bundle, '--as-of', AS_OF, '--format', 'html', '--output', file]);
  expect(htmlRun.stderr).toBe('');
  const jsonRun = await runCli(['scan', bundle, '--as-of', AS_OF, '--format', 'json']);
  const findings = (JSON.parse(jsonRun.stdout) as { findings: JsonFinding[] }).findings;

  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const url = pathToFileURL(file).href;
  const requests: string[] = [];
  const dialogs: string[] = [];
  const consoleErrors: string[] = [];
  // Route at the context so that requests from any frame or worker are seen too; only the report itself may load.
  await context.route('**/*', async (route) => {
    requests.push(route.request().url());
    await (route.request().url() === url ? route.continue() : route.abort());
  });
  page.on('dialog', async (dialog) => {
    dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    await dialog.dismiss();
  });
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(error.message));
  await page.goto(url, { waitUntil: 'load' });
  return { opened: { page, requests, dialogs, consoleErrors, url }, findings };
}

const visibleRows = '#findings-table tbody tr:not([hidden])';

async function visible(page: Page, attribute: string): Promise<string[]> {
  return page.locator(visibleRows).evaluateAll((rows, name) => rows.map((row) => row.getAttribute(name) ?? ''), attribute);
}

describe.skipIf(executablePath === undefined)('HTML report in Chromium', () => {
  let browser: Browser;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'nhi-audit-html-'));
    // The container runs as root, where Chromium's sandbox cannot start.
    browser = await chromium.launch({ executablePath: executablePath ?? '', chromiumSandbox: false });
  }, BROWSER_TIMEOUT);

  afterAll(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it(
    'scan fixtures/demo --format html opens with the JSON report\'s findings, sorts and filters, and loads nothing else',
    async () => {
      const { opened, findings } = await scanAndOpen(browser, dir, 'fixtures/demo');
      const { page } = opened;
      expect(findings.length).toBeGreaterThan(10);

      // Counts: the header, the "shown" counter and the table rows all equal the JSON report.
      expect(await page.locator('#findings-total').textContent()).toBe(String(findings.length));
      expect(await page.locator('#findings-shown').textContent()).toBe(String(findings.length));
      expect(await page.locator(visibleRows).count()).toBe(findings.length);

      // Sorting: by subject ascending, then descending; by severity, most severe first.
      await page.locator('button[data-sort="subject"]').click();
      const ascending = await visible(page, 'data-subject');
      expect(ascending).toEqual([...ascending].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
      expect(ascending).not.toEqual(findings.map((finding) => finding.subject.id));
      expect(await page.locator('th:has(button[data-sort="subject"])').getAttribute('aria-sort')).toBe('ascending');
      await page.locator('button[data-sort="subject"]').click();
      expect(await visible(page, 'data-subject')).toEqual([...ascending].reverse());
      await page.locator('button[data-sort="severity"]').click();
      const ranks = (await visible(page, 'data-severity-rank')).map(Number);
      expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
      await page.locator('button[data-sort="order"]').click();
      expect(await visible(page, 'data-order')).toEqual(findings.map((_, index) => String(index + 1)));

      // Filtering: each control alone, then combined, then reset.
      const critical = findings.filter((finding) => finding.severity === 'critical');
      expect(critical.length).toBeGreaterThan(0);
      await page.locator('#filter-severity').selectOption('critical');
      expect(await page.locator(visibleRows).count()).toBe(critical.length);
      expect(await page.locator('#findings-shown').textContent()).toBe(String(critical.length));
      const provider = critical.find((finding) => finding.subject.provider !== undefined)?.subject.provider ?? '—';
      await page.locator('#filter-provider').selectOption(provider);
      const criticalOfProvider = critical.filter((finding) => (finding.subject.provider ?? '—') === provider);
      expect(await page.locator(visibleRows).count()).toBe(criticalOfProvider.length);
      await page.locator('#filter-reset').click();
      expect(await page.locator(visibleRows).count()).toBe(findings.length);
      const ruleId = findings[findings.length - 1]?.ruleId ?? '';
      await page.locator('#filter-rule').selectOption(ruleId);
      expect(await visible(page, 'data-rule')).toEqual(findings.filter((finding) => finding.ruleId === ruleId).map(() => ruleId));
      await page.locator('#filter-reset').click();
      await page.locator('#filter-subject').fill('alice');
      expect(await page.locator(visibleRows).count()).toBe(findings.filter((finding) => finding.subject.id.toLowerCase().includes('alice')).length);
      await page.locator('#filter-subject').fill('no such subject anywhere');
      expect(await page.locator(visibleRows).count()).toBe(0);
      expect(await page.locator('#findings-empty').isVisible()).toBe(true);
      await page.locator('#filter-reset').click();

      // Offline: the only request was the report itself; the CSP let the inline script and style run (no violation reported).
      expect(opened.requests).toEqual([opened.url]);
      expect(opened.consoleErrors).toEqual([]);
      expect(opened.dialogs).toEqual([]);

      await page.locator('#finding-1 details > summary').click();
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: path.join(ARTIFACTS, 'html-report.png'), fullPage: true });

      // Printing opens every framework matrix and every finding's details, so paper holds all the evidence.
      const details = page.locator('details');
      expect(await page.locator('details:not([open])').count()).toBeGreaterThan(0);
      await page.pdf({ path: path.join(ARTIFACTS, 'html-report.pdf'), format: 'A4' });
      expect(await page.locator('details:not([open])').count()).toBe(0);
      expect(await details.count()).toBeGreaterThan(findings.length);
      expect(opened.requests).toEqual([opened.url]);
      await page.context().close();
    },
    BROWSER_TIMEOUT,
  );

  it(
    'a user agent of <img src=x onerror=alert(1)> renders as text and runs nothing',
    async () => {
      const { opened, findings } = await scanAndOpen(browser, dir, 'fixtures/xss');
      const { page } = opened;
      const probed = findings.filter((finding) => finding.message.includes(PROBE));
      expect(probed.map((finding) => finding.ruleId)).toContain('NHI-HUMAN-001');

      const messages = await page.locator('#findings-table .msg').allTextContents();
      expect(messages.filter((message) => message.includes(PROBE))).toHaveLength(probed.length);
      // Open every finding's details so any markup hidden there would be live too.
      await page.locator('#expand-all').click();
      expect(await page.locator('img').count()).toBe(0);
      expect(await page.locator('[onerror]').count()).toBe(0);
      expect(await page.locator('script').count()).toBe(1);
      expect(opened.dialogs).toEqual([]);
      expect(opened.consoleErrors).toEqual([]);
      expect(opened.requests).toEqual([opened.url]);

      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: path.join(ARTIFACTS, 'html-report-xss.png'), fullPage: true });
      await page.context().close();
    },
    BROWSER_TIMEOUT,
  );
});

describe.skipIf(executablePath !== undefined)('HTML report in Chromium', () => {
  it(`is skipped: no Chromium at ${CANDIDATES.join(' or ')} (apt-get install chromium, or set CHROMIUM_PATH)`, () => {
    expect(CANDIDATES.filter((candidate) => existsSync(candidate))).toEqual([]);
  });
});
