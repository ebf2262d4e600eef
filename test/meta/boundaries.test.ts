/*
 * The pipeline's layering (DESIGN.md §3, STYLE.md §10), checked on the source:
 * each layer imports only what it may see.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(import.meta.dirname, '../../src');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** Top-level src folder of each relative import of a file, e.g. `model`. */
function importedLayers(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const layers: string[] = [];
  for (const match of text.matchAll(/(?:import|export)[^'"]*?from\s+['"](\.[^'"]+)['"]/g)) {
    const target = path.resolve(path.dirname(file), match[1] ?? '');
    const relative = path.relative(SRC, target).split(path.sep);
    layers.push(relative.length > 1 ? (relative[0] ?? '') : '<root>');
  }
  return layers;
}

function layerOf(file: string): string {
  return path.relative(SRC, file).split(path.sep)[0] ?? '';
}

/** What each layer may import besides itself. */
const ALLOWED: Record<string, readonly string[]> = {
  model: [],
  ingest: ['model'],
  correlate: ['model'],
  rules: ['model', 'engine/rule-api'],
  report: ['model'],
  engine: ['model', 'correlate', 'ingest'],
  cli: ['model', 'engine', 'ingest', 'report', 'correlate', 'rules'],
};

describe('layer boundaries', () => {
  const files = sources(SRC);

  it('finds the source tree', () => {
    expect(files.length).toBeGreaterThan(20);
  });

  it.each(files.map((file) => [path.relative(SRC, file), file]))('%s imports only what its layer may see', (_name, file) => {
    const layer = layerOf(file);
    const allowed = ALLOWED[layer];
    expect(allowed, `unknown layer ${layer}`).toBeDefined();
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/(?:import|export)[^'"]*?from\s+['"](\.[^'"]+)['"]/g)) {
      const target = path.relative(SRC, path.resolve(path.dirname(file), match[1] ?? '')).split(path.sep).join('/');
      const targetLayer = target.split('/')[0] ?? '';
      if (targetLayer === layer) continue;
      const ok = (allowed ?? []).some((entry) => target === `${entry}.js` || targetLayer === entry);
      expect(ok, `${path.relative(SRC, file)} imports ${target}`).toBe(true);
    }
  });

  it.each(files.filter((file) => layerOf(file) !== 'cli').map((file) => [path.relative(SRC, file), file]))(
    '%s uses neither console nor process',
    (_name, file) => {
      const code = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
      expect(code).not.toMatch(/\bconsole\./);
      expect(code).not.toMatch(/\bprocess\./);
    },
  );

  it('nothing in src exits the process', () => {
    for (const file of files) expect(readFileSync(file, 'utf8'), file).not.toMatch(/process\.exit\s*\(/);
  });

  it('importedLayers sees imports', () => {
    expect(importedLayers(path.join(SRC, 'engine/scan.ts'))).toContain('ingest');
  });
});
