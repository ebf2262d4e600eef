/*
 * Determinism across worker counts, input order and location (issue 15): the
 * same bundle, copied to two differently named temporary directories and named
 * on the command line in different orders, gives byte-identical JSON and SARIF
 * with 1, 2 and 3 workers. Paths in reports are relative to the working
 * directory, so the copies' absolute locations must not show.
 */
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AS_OF, REPO, runCli } from '../helpers/cli.js';

const SOURCES = ['fixtures/demo', 'fixtures/demo-native', 'fixtures/aws', 'fixtures/okta', 'fixtures/oauth', 'fixtures/canonical', 'fixtures/secrets'];
const roots = [mkdtempSync(path.join(tmpdir(), 'nhi-det-a-')), mkdtempSync(path.join(tmpdir(), 'nhi-det-other-location-b-'))];
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});
for (const root of roots) for (const source of SOURCES) cpSync(path.join(REPO, source), path.join(root, 'bundle', source), { recursive: true });

/** Every file of the bundle, relative to a root, in a fixed shuffled order (a seeded Fisher–Yates). */
function shuffledFiles(seed: number): string[] {
  const files = readdirSync(path.join(roots[0]!, 'bundle'), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(roots[0]!, path.join(entry.parentPath, entry.name)))
    .sort();
  let state = seed;
  for (let index = files.length - 1; index > 0; index -= 1) {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    const other = state % (index + 1);
    [files[index], files[other]] = [files[other]!, files[index]!];
  }
  return files;
}

describe('byte-identical reports', () => {
  it.each(['json', 'sarif'])('%s: same bytes for 1/2/3 workers, shuffled inputs and two locations', async (format) => {
    const outputs = new Set<string>();
    const runs = [
      { root: roots[0]!, args: ['bundle'], workers: '1' },
      { root: roots[1]!, args: ['bundle'], workers: '2' },
      { root: roots[0]!, args: shuffledFiles(7), workers: '3' },
      { root: roots[1]!, args: shuffledFiles(11), workers: '2' },
      { root: roots[1]!, args: shuffledFiles(13).reverse(), workers: '1' },
    ];
    for (const { root, args, workers } of runs) {
      const run = await runCli(['scan', ...args, '--as-of', AS_OF, '--format', format, '--fail-on', 'none', '--workers', workers], { cwd: root });
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).not.toContain(root);
      outputs.add(run.stdout);
    }
    expect(outputs.size).toBe(1);
    const report = JSON.parse([...outputs][0]!) as Record<string, unknown>;
    expect(Object.keys(report).length).toBeGreaterThan(2);
  });
});
