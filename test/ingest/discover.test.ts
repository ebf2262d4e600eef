import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { discover, displayPath } from '../../src/ingest/discover.js';
import { UsageError } from '../../src/model/index.js';
import { tempDir } from './helpers.js';

function tree(files: readonly string[]): string {
  const root = tempDir();
  for (const file of files) {
    const path = join(root, file);
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, 'x');
  }
  return root;
}

const displays = (found: readonly { display: string }[]): string[] => found.map((f) => f.display);

describe('discover', () => {
  test('a directory is recursed, skipping dotfiles, dot-directories, node_modules and Markdown notes', async () => {
    const root = tree([
      'exports/b.json',
      'exports/README.md',
      'exports/a/notes.md',
      'exports/a/deep/c.ndjson',
      'exports/.hidden.json',
      'exports/.git/config',
      'exports/node_modules/pkg/index.json',
      'exports/a/node_modules/x.json',
    ]);
    expect(displays(await discover(['exports'], root))).toEqual(['exports/a/deep/c.ndjson', 'exports/b.json']);
  });

  test('a file given explicitly is taken even when it is a dotfile or Markdown', async () => {
    const root = tree(['.nhi.yaml', 'README.md']);
    expect(displays(await discover(['.nhi.yaml', 'README.md'], root))).toEqual(['.nhi.yaml', 'README.md']);
  });

  test('globs expand; the result is deduplicated and sorted by display path', async () => {
    const root = tree(['logs/z.ndjson', 'logs/a.ndjson', 'logs/m.csv', 'inv.yaml']);
    const found = await discover(['logs/*.ndjson', 'inv.yaml', 'logs', './logs/a.ndjson', 'inv.yaml'], root);
    expect(displays(found)).toEqual(['inv.yaml', 'logs/a.ndjson', 'logs/m.csv', 'logs/z.ndjson']);
    expect(found[0]?.path).toBe(join(root, 'inv.yaml'));
  });

  test('order of arguments does not change the result', async () => {
    const root = tree(['b/2.json', 'a/1.json']);
    expect(await discover(['b', 'a'], root)).toEqual(await discover(['a', 'b'], root));
  });

  test('a path outside the working directory is shown absolute', async () => {
    const outside = tree(['far.json']);
    const cwd = tempDir();
    const found = await discover([join(outside, 'far.json')], cwd);
    expect(displays(found)).toEqual([join(outside, 'far.json')]);
  });

  test('a missing path is a usage error', async () => {
    const root = tree(['a.json']);
    await expect(discover(['a.json', 'missing.json'], root)).rejects.toThrow(
      new UsageError('no such file or directory: missing.json'),
    );
    await expect(discover(['missing.json'], root)).rejects.toBeInstanceOf(UsageError);
  });

  test('a glob that matches nothing is a usage error', async () => {
    const root = tree(['a.json']);
    await expect(discover(['*.csv'], root)).rejects.toThrow('pattern matched no files: *.csv');
  });

  test('an empty directory is a usage error, not a silently clean scan', async () => {
    const root = tree(['empty/.keep']);
    await expect(discover(['empty'], root)).rejects.toThrow('directory contains no input files: empty');
  });

  test('displayPath uses / and stays relative inside cwd', () => {
    expect(displayPath('/work/x/y/z.json', '/work/x')).toBe('y/z.json');
    expect(displayPath('/work/other/z.json', '/work/x')).toBe('/work/other/z.json');
  });
});
