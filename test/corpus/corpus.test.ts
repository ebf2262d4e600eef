/*
 * Real exports published by others (../shared/corpus, see its MANIFEST.md).
 * Every corpus file must be claimed by its native adapter, never a canonical
 * one (a misdetection would turn real logs into a flood of bogus record
 * errors), and every provider's files must read under --strict.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openInput } from '../../src/ingest/source.js';
import { readSniff } from '../../src/ingest/sniff.js';
import { detectAdapter } from '../../src/ingest/registry.js';
import { AS_OF, REPO, runCli } from '../helpers/cli.js';

const CORPUS = path.resolve(REPO, '../shared/corpus');
const present = existsSync(CORPUS);
const files = present
  ? readdirSync(CORPUS, { recursive: true, withFileTypes: true })
      // MANIFEST.md describes the corpus; directory scans skip Markdown notes.
      .filter((entry) => entry.isFile() && !entry.name.endsWith('.md'))
      .map((entry) => path.join(entry.parentPath, entry.name))
      .sort()
  : [];

describe.skipIf(!present)(`real exports in ${CORPUS}`, () => {
  it('has files to read', () => {
    expect(files.length).toBeGreaterThan(20);
  });

  it.each(files.map((file) => [path.relative(CORPUS, file), file]))('%s is not claimed by a canonical adapter', async (_name, file) => {
    const adapter = detectAdapter(await readSniff(openInput(file, path.relative(CORPUS, file))));
    expect(adapter?.id ?? 'none').not.toMatch(/^canonical-/);
  });

  it('a scan of the whole corpus ends without an internal error and lists what it could not read', async () => {
    const run = await runCli(['scan', CORPUS, '--as-of', AS_OF, '--format', 'json', '--fail-on', 'none']);
    // Formats without an adapter yet are listed as skipped; the rest is read, and nothing crashes.
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as { skipped: { file: string }[]; inputs: { file: string }[] };
    expect(report.skipped.length + report.inputs.length).toBe(files.length);
  });
});

/** Providers whose every corpus file has a native adapter: they must read cleanly under --strict. */
const READ_STRICTLY = ['aws', 'entra', 'gcp', 'github', 'k8s', 'okta'];

describe.skipIf(!present)('real exports with a native adapter', () => {
  it.each(READ_STRICTLY)('corpus/%s reads under --strict with every file recognised', async (provider) => {
    const dir = path.join(CORPUS, provider);
    const run = await runCli(['scan', dir, '--strict', '--as-of', AS_OF, '--format', 'json', '--fail-on', 'none']);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as { skipped: unknown[]; inputs: { file: string; records: Record<string, number> }[] };
    expect(report.skipped).toEqual([]);
    expect(report.inputs).toHaveLength(readdirSync(dir).length);
    for (const input of report.inputs) expect(Object.values(input.records).reduce((a, b) => a + b, 0), input.file).toBeGreaterThan(0);
  });
});

describe.skipIf(present)('real exports', () => {
  it(`are skipped: ${CORPUS} does not exist (clone with ../shared beside the project to run them)`, () => {
    expect(present).toBe(false);
  });
});
