/*
 * Ignore entries: accept a finding with a reason until a date. Suppressed
 * findings stay in the reports with their justification and do not count;
 * an expired entry hides nothing and says so; a bad entry is a config error.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Ajv, type AnySchemaObject } from 'ajv';
import addFormats from 'ajv-formats';
import type { Log } from 'sarif';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AS_OF, REPO, runCli } from '../helpers/cli.js';

interface JsonReport {
  findings: { ruleId: string; subject: { id: string }; fingerprint: string }[];
  suppressedFindings: { ruleId: string; subject: { id: string }; suppression: { reason: string; expires: string; source: { file: string; line: number }; matchedBy: string } }[];
  suppressed: number;
  warnings: { id: string; message: string; source: { file: string; line: number } }[];
  summary: { total: number };
}

const DEMO = path.join(REPO, 'fixtures/demo');
const DEPLOY_BOT = 'arn:aws:iam::111111111111:role/deploy-bot';

describe('suppressions', () => {
  let dir: string;
  let secretFingerprint: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'nhi-ignore-'));
    const run = await runCli(['scan', DEMO, '--as-of', AS_OF, '--format', 'json'], { cwd: dir });
    const secret = (JSON.parse(run.stdout) as JsonReport).findings.find((finding) => finding.ruleId === 'NHI-SECRET-001');
    secretFingerprint = secret?.fingerprint ?? '';
    expect(secretFingerprint).toMatch(/^[0-9a-f]{32}$/);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function scanWith(ignore: string, extra: readonly string[] = [], file = '.nhi-audit-ignore.yaml') {
    await writeFile(path.join(dir, file), ignore);
    const run = await runCli(['scan', DEMO, '--as-of', AS_OF, '--fail-on', 'critical', ...extra], { cwd: dir });
    await rm(path.join(dir, file));
    return run;
  }

  const IGNORE = [
    'ignore:',
    '  - rule: wildcard-privilege          # a rule name or id',
    '    subject: "arn:aws:iam::*:role/deploy-*"',
    '    reason: Break-glass deploy role, reviewed in CHG-2211',
    '    expires: 2027-01-31',
    '  - fingerprint: FINGERPRINT',
    '    reason: Test key in the export, rotated in INC-88',
    '    expires: 2026-12-01T12:00:00Z',
    '',
  ].join('\n');

  it('loads ./.nhi-audit-ignore.yaml, keeps suppressed findings with their justification, and counts only the rest', async () => {
    const run = await scanWith(IGNORE.replace('FINGERPRINT', secretFingerprint), ['--format', 'json']);
    const report = JSON.parse(run.stdout) as JsonReport;
    expect(report.suppressedFindings.map((finding) => [finding.ruleId, finding.subject.id, finding.suppression.matchedBy])).toEqual([
      ['NHI-PRIV-001', DEPLOY_BOT, 'rule'],
      ['NHI-SECRET-001', 'secret:30a8a6cc2791', 'fingerprint'],
    ]);
    expect(report.suppressedFindings[0]?.suppression).toEqual({
      reason: 'Break-glass deploy role, reviewed in CHG-2211',
      expires: '2027-01-31T00:00:00Z',
      source: { file: '.nhi-audit-ignore.yaml', line: 2 },
      matchedBy: 'rule',
    });
    expect(report.findings.some((finding) => finding.ruleId === 'NHI-PRIV-001' && finding.subject.id === DEPLOY_BOT)).toBe(false);
    // The other wildcard role does not match the glob.
    expect(report.findings.some((finding) => finding.ruleId === 'NHI-PRIV-001' && finding.subject.id.endsWith('role/s3-archiver'))).toBe(true);
    expect(report.summary.total).toBe(24);
    expect(report.suppressed).toBe(2);
    expect(report.warnings).toEqual([]);
    expect(run.code).toBe(1);
  });

  it('writes a JSON report with suppressions, an expiry warning and a baseline outcome that report.schema.json accepts', async () => {
    const baseline = await runCli(['baseline', DEMO, '--as-of', AS_OF, '-o', 'b.json'], { cwd: dir });
    expect(baseline.code).toBe(0);
    const run = await scanWith(IGNORE.replace('FINGERPRINT', secretFingerprint), ['--format', 'json', '--as-of', '2026-12-05T00:00:00Z', '--baseline', 'b.json']);
    const report = JSON.parse(run.stdout) as JsonReport & { baseline: unknown };
    expect(report.suppressedFindings).toHaveLength(1);
    expect(report.warnings).toHaveLength(1);
    expect(report.baseline).not.toBeNull();
    const ajv = new Ajv({ allErrors: true, strict: true });
    addFormats.default(ajv);
    const validate = ajv.compile(JSON.parse(readFileSync(new URL('../../src/report/report.schema.json', import.meta.url), 'utf8')) as AnySchemaObject);
    expect(validate(report), JSON.stringify(validate.errors)).toBe(true);
  });

  it('carries suppressed findings in SARIF as accepted external suppressions', async () => {
    const run = await scanWith(IGNORE.replace('FINGERPRINT', secretFingerprint), ['--format', 'sarif']);
    const results = (JSON.parse(run.stdout) as Log).runs[0]?.results ?? [];
    const suppressed = results.filter((result) => result.suppressions !== undefined);
    expect(suppressed.map((result) => result.ruleId)).toEqual(['NHI-PRIV-001', 'NHI-SECRET-001']);
    expect(suppressed[0]?.suppressions).toEqual([
      { kind: 'external', status: 'accepted', justification: 'Break-glass deploy role, reviewed in CHG-2211 (until 2027-01-31T00:00:00Z; .nhi-audit-ignore.yaml:2)' },
    ]);
    expect(results).toHaveLength(26);
  });

  it('counts them in the table summary line and lists them with reason and expiry', async () => {
    const run = await scanWith(IGNORE.replace('FINGERPRINT', secretFingerprint));
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines.at(-1)).toMatch(/^24 findings: .* · 2 suppressed$/);
    expect(run.stdout).toContain('Suppressed (2, not counted)\n  NHI-PRIV-001 arn:aws:iam::111111111111:role/deploy-bot: Break-glass deploy role, reviewed in CHG-2211 (until 2027-01-31, .nhi-audit-ignore.yaml:2)');
  });

  it('stops suppressing when an entry expires (relative to --as-of), and warns on stderr and in the report', async () => {
    const ignore = IGNORE.replace('FINGERPRINT', secretFingerprint);
    const run = await scanWith(ignore, ['--format', 'json', '--as-of', '2026-12-05T00:00:00Z']);
    const report = JSON.parse(run.stdout) as JsonReport;
    expect(report.suppressedFindings.map((finding) => finding.ruleId)).toEqual(['NHI-PRIV-001']);
    expect(report.findings.some((finding) => finding.fingerprint === secretFingerprint)).toBe(true);
    const warning = `ignore entry for ${secretFingerprint} expired on 2026-12-01T12:00:00Z (reason was: Test key in the export, rotated in INC-88); its findings count again`;
    expect(report.warnings).toEqual([{ id: 'suppression-expired', message: warning, source: { file: '.nhi-audit-ignore.yaml', line: 6 } }]);
    expect(run.stderr).toBe(`warning: .nhi-audit-ignore.yaml:6: ${warning}\n`);
    expect(run.code).toBe(1);
  });

  it('gives an entry that expired before --as-of no effect but the warning', async () => {
    const onlyCritical = ['ignore:', `  - fingerprint: ${secretFingerprint}`, '    reason: accepted', '    expires: 2026-10-15', ''].join('\n');
    const run = await scanWith(onlyCritical, ['--format', 'json', '--fail-on', 'critical']);
    const report = JSON.parse(run.stdout) as JsonReport;
    expect(report.suppressedFindings).toEqual([]);
    expect(report.warnings.map((warning) => warning.id)).toEqual(['suppression-expired']);
  });

  it('reads the config file’s ignore: list too, and --ignore-file names another file', async () => {
    await writeFile(path.join(dir, 'audit.yaml'), `fail_on: critical\n${IGNORE.replace('FINGERPRINT', secretFingerprint)}`);
    const fromConfig = await runCli(['scan', DEMO, '--as-of', AS_OF, '--config', 'audit.yaml', '--format', 'json'], { cwd: dir });
    expect((JSON.parse(fromConfig.stdout) as JsonReport).suppressedFindings[1]?.suppression.source).toEqual({ file: 'audit.yaml', line: 7 });
    const named = await scanWith(IGNORE.replace('FINGERPRINT', secretFingerprint), ['--format', 'json', '--ignore-file', 'accepted.yaml'], 'accepted.yaml');
    expect((JSON.parse(named.stdout) as JsonReport).suppressed).toBe(2);
  });

  it('rejects entries without reason or expiry, and every other problem, all at once with file:line and exit 2', async () => {
    const bad = [
      'ignore:',
      '  - rule: wildcard-privilege', // 2: no subject, no reason, no expires
      '  - rule: no-such-rule', // 3
      '    subject: "*"',
      '    reason: because',
      '    expires: 2027-01-01',
      '  - fingerprint: 1234', // 7: not a fingerprint
      '    reason: ""', // 8: empty reason
      '    expires: next week', // 9
      '  - subject: x', // 10: neither fingerprint nor rule
      '    reason: r',
      '    expires: 2027-01-01T00:00:00', // 12: no zone
      '    until: 2027-02-01', // 13: unknown key
      '',
    ].join('\n');
    const run = await scanWith(bad);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.trimEnd().split('\n')).toEqual([
      'error: .nhi-audit-ignore.yaml: invalid ignore file (10 problems)',
      '  .nhi-audit-ignore.yaml:2: ignore entry at line 2: name a fingerprint, or a rule and a subject (a glob such as "arn:aws:iam::*:role/ci-*")',
      '  .nhi-audit-ignore.yaml:2: ignore entry at line 2: reason is required (why this finding is accepted)',
      '  .nhi-audit-ignore.yaml:2: ignore entry at line 2: expires is required (a date such as 2027-03-31, after which the finding counts again)',
      '  .nhi-audit-ignore.yaml:3: ignore entry at line 3: unknown rule "no-such-rule" (see `nhi-audit rules list`)',
      '  .nhi-audit-ignore.yaml:7: ignore entry at line 7: fingerprint must be 32 lowercase hex characters in quotes, as in the JSON report',
      '  .nhi-audit-ignore.yaml:8: ignore entry at line 7: reason must be a non-empty string',
      '  .nhi-audit-ignore.yaml:9: ignore entry at line 7: expires: "next week" is not an ISO-8601 time',
      '  .nhi-audit-ignore.yaml:13: ignore entry at line 10: unknown key "until" (expected rule, subject, fingerprint, reason, expires)',
      '  .nhi-audit-ignore.yaml:10: ignore entry at line 10: name a fingerprint, or a rule and a subject (a glob such as "arn:aws:iam::*:role/ci-*")',
      '  .nhi-audit-ignore.yaml:12: ignore entry at line 10: expires: time "2027-01-01T00:00:00" has no zone; add Z or an offset such as +00:00',
    ]);
  });

  it('rejects an ignore file that is not a list of entries', async () => {
    const run = await scanWith('ignored:\n  - rule: x\n');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('.nhi-audit-ignore.yaml:1: unknown key "ignored" (an ignore file holds only ignore: with a list of entries)');
  });
});
