/*
 * `nhi-audit baseline` and `scan --baseline`: accept today's findings, fail
 * only on new ones, and say what the baseline hid and what it no longer finds.
 */
import { readFileSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Ajv, type AnySchemaObject } from 'ajv';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AS_OF, REPO, runCli } from '../helpers/cli.js';

interface BaselineFile {
  findings: { fingerprint: string; ruleId: string; severity: string; subject: { id: string }; message: string }[];
}
interface JsonReport {
  findings: { ruleId: string; severity: string; subject: { id: string }; fingerprint: string }[];
  suppressed: number;
  baseline: { file: string; entries: number; hidden: number; escalated: number; fixed: { fingerprint: string; ruleId: string }[] } | null;
}

const schema = JSON.parse(readFileSync(new URL('../../src/engine/baseline.schema.json', import.meta.url), 'utf8')) as AnySchemaObject;

describe('baseline', () => {
  let dir: string;
  let baselineText: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'nhi-baseline-'));
    const run = await runCli(['baseline', path.join(REPO, 'fixtures/demo'), '--as-of', AS_OF, '-o', 'accepted.json'], { cwd: dir });
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('baseline: recorded 26 findings as of 2026-11-01T00:00:00Z in accepted.json\n');
    baselineText = await readFile(path.join(dir, 'accepted.json'), 'utf8');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes a documented file a reviewer can read: fingerprint, rule, subject and message', () => {
    const ajv = new Ajv({ allErrors: true, strict: true });
    addFormats.default(ajv);
    const validate = ajv.compile(schema);
    const document = JSON.parse(baselineText) as BaselineFile;
    expect(validate(document), JSON.stringify(validate.errors)).toBe(true);
    expect(document.findings).toHaveLength(26);
    expect(document.findings[0]).toMatchObject({ ruleId: 'NHI-LIFE-001', severity: 'critical', subject: { id: 'alice@northwind.example' } });
    expect(document.findings[0]?.message).toContain('was offboarded');
  });

  it('is byte-identical when written again (to stdout), and has the same fingerprints from another directory', async () => {
    const again = await runCli(['baseline', path.join(REPO, 'fixtures/demo'), '--as-of', AS_OF], { cwd: dir });
    expect(again.code).toBe(0);
    expect(again.stdout).toBe(baselineText);
    const elsewhere = await runCli(['baseline', 'fixtures/demo', '--as-of', AS_OF]);
    const prints = (text: string) => (JSON.parse(text) as BaselineFile).findings.map((entry) => entry.fingerprint);
    expect(prints(elsewhere.stdout)).toEqual(prints(baselineText));
  });

  it('takes the same input options as scan: --as-of changes nothing but the date, --disable drops a rule', async () => {
    const later = await runCli(['baseline', 'fixtures/demo', '--as-of', '2026-11-02T00:00:00Z', '--disable', 'NHI-SECRET-001']);
    const document = JSON.parse(later.stdout) as BaselineFile;
    expect(document.findings.some((entry) => entry.ruleId === 'NHI-SECRET-001')).toBe(false);
    expect(later.code).toBe(0);
  });

  it('hides what it lists: the same scan exits 0 and says how many it hid', async () => {
    const run = await runCli(['scan', 'fixtures/demo', '--as-of', AS_OF, '--baseline', path.join(dir, 'accepted.json'), '--format', 'json']);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as JsonReport;
    expect(report.findings).toEqual([]);
    expect(report.suppressed).toBe(26);
    expect(report.baseline).toMatchObject({ entries: 26, hidden: 26, escalated: 0, fixed: [] });
    expect(run.stderr).toContain(': hid 26 findings it lists; every entry still matches\n');
  });

  it('lists the entries that no longer match as fixed', async () => {
    const document = JSON.parse(baselineText) as BaselineFile;
    const gone = { ...document.findings[0], fingerprint: 'f'.repeat(32), ruleId: 'NHI-TOKEN-001', subject: { kind: 'credential', id: 'rt-revoked-long-ago' } };
    await writeFile(path.join(dir, 'with-fixed.json'), JSON.stringify({ ...document, findings: [...document.findings, gone] }));
    const run = await runCli(['scan', 'fixtures/demo', '--as-of', AS_OF, '--baseline', path.join(dir, 'with-fixed.json'), '--format', 'json']);
    expect(run.code).toBe(0);
    expect((JSON.parse(run.stdout) as JsonReport).baseline?.fixed.map((entry) => entry.fingerprint)).toEqual(['f'.repeat(32)]);
    expect(run.stderr).toContain('; 1 entry no longer matches (fixed):\n  NHI-TOKEN-001 credential rt-revoked-long-ago (ffffffffffffffffffffffffffffffff)\n');
  });

  it('counts a finding again when it became more severe than the baseline accepted', async () => {
    const document = JSON.parse(baselineText) as BaselineFile;
    const lowered = document.findings.map((entry) => (entry.ruleId === 'NHI-PRIV-001' ? { ...entry, severity: 'medium' } : entry));
    await writeFile(path.join(dir, 'lowered.json'), JSON.stringify({ ...document, findings: lowered }));
    const run = await runCli(['scan', 'fixtures/demo', '--as-of', AS_OF, '--baseline', path.join(dir, 'lowered.json'), '--format', 'json']);
    const report = JSON.parse(run.stdout) as JsonReport;
    expect(report.findings.map((finding) => finding.ruleId)).toEqual(['NHI-PRIV-001', 'NHI-PRIV-001']);
    expect(report.baseline?.escalated).toBe(2);
    expect(run.code).toBe(1);
  });

  it('fails only on new findings: a new problem in a copy of the inputs exits 1 naming it alone', async () => {
    const copy = path.join(dir, 'exports');
    await cp(path.join(REPO, 'fixtures/demo'), copy, { recursive: true });
    const inventory = path.join(copy, 'inventory.yaml');
    // A new admin role above the others: every later line moves, which must not matter.
    const text = await readFile(inventory, 'utf8');
    await writeFile(
      inventory,
      text.replace(
        'identities:\n',
        'identities:\n  - id: arn:aws:iam::111111111111:role/cost-report\n    type: role\n    provider: aws\n    tenant: "111111111111"\n    environment: prod\n    owner: carol@northwind.example\n    consumers: [cost-report-job]\n    created_at: 2026-10-20T08:00:00Z\n    permissions:\n      - { actions: ["*"], resources: ["*"], via: policy/CostReportTemp }\n\n',
      ),
    );
    const run = await runCli(['scan', 'exports', '--as-of', AS_OF, '--baseline', 'accepted.json', '--fail-on', 'critical', '--format', 'json'], { cwd: dir });
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as JsonReport;
    expect(report.findings.map((finding) => `${finding.ruleId} ${finding.subject.id}`)).toEqual(['NHI-PRIV-001 arn:aws:iam::111111111111:role/cost-report']);
    expect(report.baseline).toMatchObject({ hidden: 26, fixed: [] });
  });

  it.each([
    ['not JSON', '{"kind": "nhi-audit-baseline",\n  "findings": [\n}', /^error: bad\.json:3: not a nhi-audit baseline: /],
    ['empty', '', /^error: bad\.json: not a nhi-audit baseline: the file is empty$/],
    ['another kind of file', '{"schemaVersion": "1.1.0", "findings": []}', /^error: bad\.json:1: not a nhi-audit baseline: "kind" must be "nhi-audit-baseline"/],
    ['a newer major version', '{"kind": "nhi-audit-baseline", "schemaVersion": "2.0.0", "findings": []}', /schemaVersion "2\.0\.0" is not supported/],
    [
      'an entry without a fingerprint',
      '{"kind": "nhi-audit-baseline", "schemaVersion": "1.0.0",\n "findings": [\n  {"fingerprint": "0123456789abcdef0123456789abcdef"},\n  {"ruleId": "NHI-PRIV-001"}\n]}',
      /^error: bad\.json:4: not a nhi-audit baseline: findings\[1\]\.fingerprint must be 32 lowercase hex characters$/,
    ],
  ])('rejects a malformed baseline (%s) in one line with exit 2', async (_name, text, message) => {
    await writeFile(path.join(dir, 'bad.json'), text);
    const run = await runCli(['scan', path.join(REPO, 'fixtures/demo'), '--as-of', AS_OF, '--baseline', 'bad.json'], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stderr.trimEnd()).toMatch(message);
  });

  it('is documented in --help: scan lists --baseline, --ignore-file and --sarif-category; baseline shares the input options', async () => {
    const scanHelp = (await runCli(['scan', '--help'])).stdout;
    const baselineHelp = (await runCli(['baseline', '--help'])).stdout;
    for (const flag of ['--baseline <file>', '--ignore-file <file>', '--sarif-category <name>']) expect(scanHelp).toContain(flag);
    expect(scanHelp).toMatch(/Exit codes:\n  0 .*\n  1 .*\n  2 .*\n  3 /);
    const flags = (help: string) => [...help.matchAll(/^ {2}(--?[\w-]+(?:, --[\w-]+)?)/gm)].map((match) => match[1]);
    const shared = ['--min-severity', '--as-of', '-c, --config', '--ignore-file', '--enable', '--disable', '--strict', '--input-type', '--workers'];
    for (const flag of shared) {
      expect(flags(scanHelp), flag).toContain(flag);
      expect(flags(baselineHelp), flag).toContain(flag);
    }
    expect(flags(baselineHelp)).not.toContain('--fail-on');
  });

  it('says a missing baseline file is missing, with exit 2', async () => {
    const run = await runCli(['scan', 'fixtures/demo', '--baseline', 'no-such-baseline.json']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('error: no-such-baseline.json: baseline file not found\n');
  });
});
