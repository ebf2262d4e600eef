import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

/** The repository root (test/report/ is two levels down). */
export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const goldenDir = fileURLToPath(new URL('golden/', import.meta.url));

/**
 * Compares output with test/report/golden/<name> byte for byte. The file is
 * rewritten only when UPDATE_GOLDEN=1 is set, so a changed output fails until
 * someone regenerates it on purpose and reviews the diff.
 */
export function expectGolden(name: string, actual: string): void {
  const file = path.join(goldenDir, name);
  if (process.env['UPDATE_GOLDEN'] === '1') {
    mkdirSync(goldenDir, { recursive: true });
    writeFileSync(file, actual, 'utf8');
    return;
  }
  if (!existsSync(file)) {
    throw new Error(`golden file test/report/golden/${name} is missing; run the tests with UPDATE_GOLDEN=1 to create it`);
  }
  expect(actual).toBe(readFileSync(file, 'utf8'));
}
