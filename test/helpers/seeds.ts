import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { detectAdapter } from '../../src/ingest/registry.js';
import { readSniff } from '../../src/ingest/sniff.js';
import { openInput } from '../../src/ingest/source.js';
import { REPO } from './cli.js';

/*
 * Real files of every input format, by adapter: the fixtures and, when
 * ../shared/corpus is present, the corpus. Fuzz and planted-secret tests start
 * from these so that every adapter is covered without a list to keep.
 */

const CORPUS = path.resolve(REPO, '../shared/corpus');
export const corpusPresent = existsSync(CORPUS);

function filesUnder(root: string): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && !entry.name.endsWith('.md'))
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort();
}

export interface Seed {
  readonly name: string;
  readonly text: string;
}

/** Seed files per adapter id, by the detection the CLI uses. Gzip seeds are read decompressed. */
export async function seedsByAdapter(maxChars: number): Promise<Map<string, Seed[]>> {
  const seeds = new Map<string, Seed[]>();
  const roots = [path.join(REPO, 'fixtures'), ...(corpusPresent ? [CORPUS] : [])];
  for (const file of roots.flatMap(filesUnder)) {
    if (file.includes(`${path.sep}bad${path.sep}`) || statSync(file).size === 0) continue;
    const input = openInput(file, path.basename(file));
    const adapter = detectAdapter(await readSniff(input));
    if (adapter === undefined) continue;
    const text = (await input.text()).slice(0, maxChars);
    const list = seeds.get(adapter.id) ?? [];
    list.push({ name: path.basename(file).replace(/\.gz$/, ''), text });
    seeds.set(adapter.id, list);
  }
  return seeds;
}

