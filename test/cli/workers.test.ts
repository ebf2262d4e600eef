/*
 * Parallel ingestion must not change the report: the same inputs read by one
 * thread or several give byte-identical JSON and SARIF. Worker threads run the
 * built dist/ (npm test builds first).
 */
import { describe, expect, it } from 'vitest';
import { AS_OF, runCli } from '../helpers/cli.js';

// Many files of every kind, with records of the same identities spread across them, and a bad one.
const MIXED = ['fixtures/demo', 'fixtures/demo-native', 'fixtures/aws', 'fixtures/okta', 'fixtures/oauth', 'fixtures/canonical', 'fixtures/bad/*'];

async function scanWith(workers: string, format: string, extra: readonly string[] = []) {
  return runCli(['scan', ...MIXED, '--as-of', AS_OF, '--format', format, '--fail-on', 'none', '--workers', workers, ...extra]);
}

describe('scan --workers', () => {
  it.each(['json', 'sarif'])('gives the same %s report with 1, 2 and 3 workers', async (format) => {
    const one = await scanWith('1', format);
    expect(one.code, one.stderr).toBe(0);
    const two = await scanWith('2', format);
    const three = await scanWith('3', format);
    expect(two.stdout).toBe(one.stdout);
    expect(three.stdout).toBe(one.stdout);
    // The mix must actually exercise merging: events from several files and skipped bad records.
    const report = JSON.parse(format === 'json' ? one.stdout : (await scanWith('1', 'json')).stdout) as {
      inputs: unknown[];
      skipped: unknown[];
      logWindow: { events: number };
    };
    expect(report.inputs.length).toBeGreaterThan(10);
    expect(report.skipped.length).toBeGreaterThan(0);
    expect(report.logWindow.events).toBeGreaterThan(20);
  });

  it('stops at the first bad file in path order under --strict, whatever thread met it', async () => {
    const one = await scanWith('1', 'json', ['--strict']);
    const two = await scanWith('2', 'json', ['--strict']);
    expect(one.code).toBe(2);
    expect(two.code).toBe(2);
    expect(two.stderr).toBe(one.stderr);
    expect(two.stderr).toMatch(/^error: fixtures\/\S+: /);
  });

  it.each(['0', '-1', 'two', '1.5'])('rejects --workers %s as a usage error', async (value) => {
    const run = await runCli(['scan', 'fixtures/demo', '--workers', value]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--workers must be a positive whole number or auto');
  });
});
