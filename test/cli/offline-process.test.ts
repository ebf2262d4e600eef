/*
 * Offline, proved on a real process (issue 15): the built CLI runs with the
 * network trapped by a preload (test/cli/support/no-network.mjs), including its
 * worker threads, and must scan normally without one attempt.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AS_OF, REPO } from '../helpers/cli.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'nhi-offline-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const PRELOAD = path.join(REPO, 'test/cli/support/no-network.mjs');
const BIN = path.join(REPO, 'bin/nhi-audit.js');

function runTrapped(args: string[], name: string): { code: number | null; log: string[]; stderr: string } {
  const log = path.join(tmp, `${name}.log`);
  const run = spawnSync(process.execPath, ['--import', PRELOAD, BIN, ...args], {
    cwd: REPO,
    env: { ...process.env, NHI_NETWORK_LOG: log, NO_COLOR: '1' },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: run.status, log: readFileSync(log, 'utf8').split('\n').filter((line) => line !== ''), stderr: run.stderr };
}

describe('offline in a real process', () => {
  it('the preload traps: a connection attempt is logged and throws', () => {
    const log = path.join(tmp, 'selftest.log');
    const run = spawnSync(process.execPath, ['--import', PRELOAD, '-e', "require('node:net').connect(80, 'example.com')"], {
      env: { ...process.env, NHI_NETWORK_LOG: log },
      encoding: 'utf8',
    });
    expect(run.status).not.toBe(0);
    expect(readFileSync(log, 'utf8')).toMatch(/net\.connect/);
  });

  it.each([
    ['table', '1'],
    ['json', '2'],
    ['sarif', '3'],
  ])('a full scan to %s with %s worker(s) makes no network attempt', (format, workers) => {
    const inputs = ['fixtures/demo', 'fixtures/demo-native', 'fixtures/aws', 'fixtures/okta', 'fixtures/bad/*'];
    const run = runTrapped(['scan', ...inputs, '--as-of', AS_OF, '--format', format, '--workers', workers, '--fail-on', 'none'], `scan-${format}`);
    expect(run.code, run.stderr).toBe(0);
    // The preload ran in the main thread and in each reader thread (all but one of the threads), and nothing was attempted.
    expect(run.log.filter((line) => !line.startsWith('preloaded'))).toEqual([]);
    expect(run.log.filter((line) => line.startsWith('preloaded')).length).toBe(Number(workers));
  });

  it('inventory makes no network attempt', () => {
    const run = runTrapped(['inventory', 'fixtures/demo', '--format', 'json'], 'inventory');
    expect(run.code, run.stderr).toBe(0);
    expect(run.log.filter((line) => !line.startsWith('preloaded'))).toEqual([]);
  });
});
