/*
 * `--workers auto`: threads only when the input repays them, one per core:
 * all but one read files and the main thread folds their events.
 */
import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

const cores = vi.hoisted(() => ({ count: 2 }));
vi.mock('node:os', async (original) => {
  const actual = await original<typeof import('node:os')>();
  return { ...actual, availableParallelism: () => cores.count };
});
const { PARALLEL_MIN_BYTES, workerCount } = await import('../../src/engine/scan.js');

let dir = '';
let files: { path: string }[] = [];
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'nhi-workers-'));
  files = [];
  for (const name of ['a.json.gz', 'b.json.gz', 'c.json.gz', 'd.json.gz']) {
    const file = path.join(dir, name);
    await writeFile(file, '');
    // Sparse: the size is what counts, and it costs no disk.
    await truncate(file, PARALLEL_MIN_BYTES / 2);
    files.push({ path: file });
  }
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('workerCount', () => {
  it.each([
    [1, 1],
    [2, 2],
    [3, 3],
    [8, 5],
  ])('on %i core(s) with enough input (4 files) scans on %i thread(s)', async (count, expected) => {
    cores.count = count;
    expect(await workerCount('auto', files)).toBe(expected);
  });

  it('scans small input on one thread whatever the cores, and does what it is told up to one reader per file', async () => {
    cores.count = 8;
    expect(await workerCount('auto', files.slice(0, 1))).toBe(1);
    expect(await workerCount('auto', files.slice(0, 2))).toBe(3);
    expect(await workerCount('auto', [{ path: path.join(dir, 'missing') }, { path: path.join(dir, 'missing-too') }])).toBe(1);
    expect(await workerCount(3, files)).toBe(3);
    expect(await workerCount(9, files)).toBe(5);
    expect(await workerCount(9, [])).toBe(1);
  });
});
