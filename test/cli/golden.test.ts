/*
 * The demo bundle's full JSON and SARIF reports, compared byte for byte.
 * Regenerate with UPDATE_GOLDEN=1 after an intended change, and read the diff.
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { AS_OF, REPO, runCli } from '../helpers/cli.js';

const SARIF_SCHEMA = path.resolve(REPO, '../shared/schemas/sarif-2.1.0.schema.json');

async function golden(name: string, actual: string): Promise<void> {
  const file = path.join(import.meta.dirname, 'golden', name);
  if (process.env['UPDATE_GOLDEN'] === '1') await writeFile(file, actual);
  expect(actual).toBe(await readFile(file, 'utf8'));
}

describe('demo reports', () => {
  it.each([
    ['json', 'demo.report.json'],
    ['sarif', 'demo.report.sarif'],
  ])('%s matches its golden file', async (format, name) => {
    const run = await runCli(['scan', 'fixtures/demo', '--as-of', AS_OF, '--format', format]);
    expect(run.code).toBe(1);
    await golden(name, run.stdout);
  });

  it('the real JSON validates against report.schema.json', async () => {
    const { Ajv } = await import('ajv');
    const ajv = new Ajv({ allErrors: true, strict: true });
    addFormats.default(ajv);
    const validate = ajv.compile(JSON.parse(await readFile(path.join(REPO, 'src/report/report.schema.json'), 'utf8')) as object);
    const report: unknown = JSON.parse(await readFile(path.join(import.meta.dirname, 'golden', 'demo.report.json'), 'utf8'));
    expect(validate(report), JSON.stringify(validate.errors)).toBe(true);
  });

  it.skipIf(!existsSync(SARIF_SCHEMA))('the real SARIF validates against the OASIS schema', async () => {
    const ajv = new Ajv.default({ allErrors: true, strict: false });
    addFormats.default(ajv);
    const validate = ajv.compile(JSON.parse(await readFile(SARIF_SCHEMA, 'utf8')) as object);
    const run = await runCli(['scan', 'fixtures/demo', 'fixtures/bad/*', '--as-of', AS_OF, '--format', 'sarif']);
    const valid = validate(JSON.parse(run.stdout));
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });
});
