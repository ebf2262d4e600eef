/*
 * GitHub's SARIF ingestion rules (GH2012, checked by Microsoft's SARIF
 * validator) want every reporting descriptor — rules and notifications alike —
 * to carry shortDescription, fullDescription and help. Every golden SARIF
 * file, and live scans that use every notification kind, go through the OASIS
 * 2.1.0 schema and that check.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Ajv04 from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import type { Log, ReportingDescriptor } from 'sarif';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AS_OF, REPO, runCli } from '../helpers/cli.js';

const SARIF_SCHEMA = path.resolve(REPO, '../shared/schemas/sarif-2.1.0.schema.json');
const hasSchema = existsSync(SARIF_SCHEMA);

async function goldenSarifFiles(): Promise<string[]> {
  const entries = await readdir(path.join(REPO, 'test'), { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.sarif') && entry.parentPath.split(path.sep).includes('golden'))
    .map((entry) => path.relative(REPO, path.join(entry.parentPath, entry.name)))
    .sort();
}

/** Every descriptor lacking one of the three fields GH2012 asks for, as `id: field`. */
function descriptorGaps(log: Log): string[] {
  const gaps: string[] = [];
  for (const run of log.runs) {
    const descriptors: ReportingDescriptor[] = [...(run.tool.driver.rules ?? []), ...(run.tool.driver.notifications ?? [])];
    for (const descriptor of descriptors) {
      if (!/\S/.test(descriptor.shortDescription?.text ?? '')) gaps.push(`${descriptor.id}: shortDescription`);
      if (!/\S/.test(descriptor.fullDescription?.text ?? '')) gaps.push(`${descriptor.id}: fullDescription`);
      if (!/\S/.test(descriptor.help?.text ?? '')) gaps.push(`${descriptor.id}: help.text`);
    }
  }
  return gaps;
}

describe.skipIf(!hasSchema)(`SARIF descriptors${hasSchema ? '' : ' (skipped: ../shared/schemas/sarif-2.1.0.schema.json is absent)'}`, () => {
  let validate: ReturnType<InstanceType<typeof Ajv04.default>['compile']>;
  let scratch: string;
  const live = new Map<string, Log>();

  beforeAll(async () => {
    const ajv = new Ajv04.default({ allErrors: true, strict: false });
    addFormats.default(ajv);
    validate = ajv.compile(JSON.parse(await readFile(SARIF_SCHEMA, 'utf8')) as object);
    scratch = await mkdtemp(path.join(tmpdir(), 'nhi-sarif-'));
    // A scan that raises every kind of notification: skipped input, not evaluated, an expired ignore entry, a fixed baseline entry.
    await writeFile(path.join(scratch, 'ignore.yaml'), 'ignore:\n  - rule: wildcard-privilege\n    subject: "*deploy-bot"\n    reason: old\n    expires: 2026-01-01\n  - rule: shared-identity\n    subject: billing-*\n    reason: split planned in CHG-9\n    expires: 2027-01-01\n');
    const baseline = await runCli(['baseline', 'fixtures/demo', '--as-of', AS_OF, '--disable', 'NHI-SECRET-001']);
    const document = JSON.parse(baseline.stdout) as { findings: { fingerprint: string }[] };
    document.findings.push({ ...document.findings[0], fingerprint: 'e'.repeat(32) } as { fingerprint: string });
    await writeFile(path.join(scratch, 'baseline.json'), JSON.stringify(document));
    const scans: Record<string, string[]> = {
      'demo + bad input': ['fixtures/demo', 'fixtures/bad'],
      'native demo': ['fixtures/demo-native'],
      'demo with ignore file, baseline and category': [
        'fixtures/demo', '--ignore-file', path.join(scratch, 'ignore.yaml'), '--baseline', path.join(scratch, 'baseline.json'), '--sarif-category', 'nhi-audit/exports',
      ],
    };
    for (const [name, args] of Object.entries(scans)) {
      const run = await runCli(['scan', ...args, '--as-of', AS_OF, '--format', 'sarif', '--fail-on', 'none']);
      expect(run.code, `${name}: ${run.stderr}`).toBe(0);
      live.set(name, JSON.parse(run.stdout) as Log);
    }
  });
  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it('finds the golden SARIF files', async () => {
    expect(await goldenSarifFiles()).toEqual(['test/cli/golden/demo.report.sarif', 'test/report/golden/report.sarif']);
  });

  it('validates every golden SARIF file against the OASIS schema, every descriptor with short and full description and help', async () => {
    for (const file of await goldenSarifFiles()) {
      const log = JSON.parse(await readFile(path.join(REPO, file), 'utf8')) as Log;
      expect(validate(log), `${file}: ${JSON.stringify(validate.errors)}`).toBe(true);
      expect(descriptorGaps(log), file).toEqual([]);
      expect(log.runs[0]?.tool.driver.notifications?.length, file).toBeGreaterThan(0);
    }
  });

  it('does the same for live scans; with the golden files they raise every kind of notification', async () => {
    const used = new Set<string>();
    for (const file of await goldenSarifFiles()) {
      const log = JSON.parse(await readFile(path.join(REPO, file), 'utf8')) as Log;
      // A rule error needs a failing rule: only the reporter's sample report has one.
      for (const notification of log.runs[0]?.invocations?.[0]?.toolExecutionNotifications ?? []) used.add(notification.descriptor?.id ?? '');
    }
    for (const [name, log] of live) {
      expect(validate(log), `${name}: ${JSON.stringify(validate.errors)}`).toBe(true);
      expect(descriptorGaps(log), name).toEqual([]);
      for (const notification of log.runs[0]?.invocations?.[0]?.toolExecutionNotifications ?? []) used.add(notification.descriptor?.id ?? '');
    }
    const declared = (live.get('native demo')?.runs[0]?.tool.driver.notifications ?? []).map((descriptor) => descriptor.id);
    expect([...used].sort()).toEqual([...declared].sort());
  });

  it('carries the category and the suppressed finding of the CI-style scan', () => {
    const run = live.get('demo with ignore file, baseline and category')?.runs[0];
    expect(run?.automationDetails).toEqual({ id: 'nhi-audit/exports/' });
    const suppressed = (run?.results ?? []).filter((result) => result.suppressions !== undefined);
    expect(suppressed.map((result) => result.ruleId)).toEqual(['NHI-SHARE-001']);
    // The baseline hid everything else but the secret finding, which it was written without.
    expect((run?.results ?? []).filter((result) => result.suppressions === undefined).map((result) => [result.ruleId, result.baselineState])).toEqual([
      ['NHI-SECRET-001', 'new'],
    ]);
  });
});
