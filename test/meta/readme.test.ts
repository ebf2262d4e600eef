/*
 * The README is documentation users act on: its rule table must match the
 * catalog, and its quick start must print what the demo really prints.
 * UPDATE_GOLDEN=1 rewrites both sections from the current code.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/engine/catalog.js';
import { AS_OF, REPO, runCli } from '../helpers/cli.js';

const README = path.join(REPO, 'README.md');
const TABLE = /(<!-- rules:start[^\n]*-->\n)([\s\S]*?)(\n<!-- rules:end -->)/;
const COVERAGE = /(<!-- owasp-coverage:start[^\n]*-->\n)([\s\S]*?)(\n<!-- owasp-coverage:end -->)/;
const QUICK_START = /(prints this and exits 1[^\n]*\n\n```text\n)([\s\S]*?)(\n```)/;
const NATIVE = /(--min-severity critical\n```\n\n```text\n)([\s\S]*?)(\n```)/;

async function ruleTable(): Promise<string> {
  const catalog = await loadCatalog();
  const rows = catalog.rules.map((rule) => {
    const owasp = (rule.mappings['owasp-nhi-2025'] ?? []).join(', ');
    return `| ${rule.id} | \`${rule.name}\` | ${rule.severity} | ${owasp} | ${rule.title} |`;
  });
  return ['| id | name | severity | OWASP NHI | title |', '|---|---|---|---|---|', ...rows].join('\n');
}

/** OWASP NHI Top 10 category → the rules that map to it, from the catalogs. */
async function coverageTable(): Promise<string> {
  const catalog = await loadCatalog();
  const owasp = catalog.frameworks.find((framework) => framework.id === 'owasp-nhi-2025');
  const rows = (owasp?.controls ?? []).map((control) => {
    const rules = catalog.rules.filter((rule) => (rule.mappings['owasp-nhi-2025'] ?? []).includes(control.id));
    return `| ${control.id} | ${control.title} | ${rules.map((rule) => `\`${rule.name}\``).join(', ') || '—'} |`;
  });
  return ['| OWASP NHI | category | rules |', '|---|---|---|', ...rows].join('\n');
}

async function rewrite(pattern: RegExp, body: string): Promise<void> {
  const text = await readFile(README, 'utf8');
  await writeFile(README, text.replace(pattern, (_all, open: string, _old: string, close: string) => `${open}${body}${close}`));
}

describe('README', () => {
  it('lists exactly the rules of the catalog', async () => {
    const expected = await ruleTable();
    if (process.env['UPDATE_GOLDEN'] === '1') await rewrite(TABLE, expected);
    expect((await readFile(README, 'utf8')).match(TABLE)?.[2]).toBe(expected);
  });

  it('has an OWASP NHI coverage table that matches the catalog, and every category is covered', async () => {
    const expected = await coverageTable();
    if (process.env['UPDATE_GOLDEN'] === '1') await rewrite(COVERAGE, expected);
    expect((await readFile(README, 'utf8')).match(COVERAGE)?.[2]).toBe(expected);
    expect(expected).not.toContain('| — |');
  });

  it('shows the real output of the quick start', async () => {
    const run = await runCli(['scan', 'fixtures/demo', '--as-of', AS_OF]);
    expect(run.code).toBe(1);
    const expected = run.stdout.trimEnd();
    if (process.env['UPDATE_GOLDEN'] === '1') await rewrite(QUICK_START, expected);
    expect((await readFile(README, 'utf8')).match(QUICK_START)?.[2]).toBe(expected);
  });

  it('shows the real output of the native-export demo', async () => {
    const run = await runCli(['scan', 'fixtures/demo-native', '--as-of', '2026-11-15T00:00:00Z', '--min-severity', 'critical']);
    expect(run.code).toBe(1);
    const expected = run.stdout.trimEnd();
    if (process.env['UPDATE_GOLDEN'] === '1') await rewrite(NATIVE, expected);
    expect((await readFile(README, 'utf8')).match(NATIVE)?.[2]).toBe(expected);
  });

  it('names the test command that .ci/run runs', async () => {
    const [readme, ci] = await Promise.all([readFile(README, 'utf8'), readFile(path.join(REPO, '.ci/run'), 'utf8')]);
    expect(ci).toMatch(/^npm test$/m);
    expect(readme).toMatch(/```sh\nnpm test\n```/);
    expect(readme).toContain('npm ci && npx nhi-audit scan fixtures/demo --as-of 2026-11-01T00:00:00Z');
  });
});
