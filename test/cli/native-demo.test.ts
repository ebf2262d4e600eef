import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, runCli } from '../helpers/cli.js';

/*
 * fixtures/demo-native: an invented organisation (Kestrel Freight) whose AWS,
 * Okta and OAuth native exports are joined to a canonical inventory of
 * tenants, principals, owners, consumers and approvals. The as-of date is
 * recorded in the fixture's inventory.yaml header.
 */

const DIR = 'fixtures/demo-native';
const AS_OF = '2026-11-15T00:00:00Z';
const SCAN = ['scan', DIR, '--strict', '--as-of', AS_OF, '--format', 'json'];

const ACCOUNT = '430011223344';
const arn = (kind: 'user' | 'role', name: string): string => `arn:aws:iam::${ACCOUNT}:${kind}/${name}`;
const OKTA_LOG = `${DIR}/okta/system-log.ndjson`;
const AUTHZ = `${DIR}/aws/authorization-details.json`;
const INVENTORY = `${DIR}/inventory.yaml`;
const REPORT = `${DIR}/aws/credential-report.csv`;

/** Rule name → subjects it reports on this bundle, each story in the inventory's comments. */
const NATIVE_FIRINGS: Readonly<Record<string, readonly string[]>> = {
  // A console password given to the integration user from an SSO admin session, outside the bootstrap pipeline.
  'alternate-enrolment-path': [`${arn('user', 'tms-integration')}#password`],
  'human-use-of-nhi': [arn('user', 'tms-integration')],
  'long-lived-credential': ['rt-crm-alice-41d2', 'rt-hd-carol-2b17'],
  'missing-disconnect-event': ['alice@kestrel.example'],
  'multiple-active-keys': [arn('user', 'edi-gateway')],
  'orphaned-refresh-token': ['rt-crm-alice-41d2'],
  'refresh-token-rotation': ['rt-crm-alice-41d2'],
  'shared-identity': [arn('user', 'ci-deployer')],
  'stale-approval': ['APR-KF-0007'],
  'token-refresh-after-end': ['rt-crm-alice-41d2'],
  'unconstrained-oidc-trust': [arn('role', 'release-publisher')],
  'unrotated-credential': [`${arn('user', 'ci-deployer')}#access-key-1`],
  'uncorrelated-activity': ['ticket-relay'],
  'unpermitted-actor': ['at-hd-carol-tx02'],
  'unused-permissions': [arn('role', 'platform-bootstrap'), arn('role', 'service-role/manifest-archiver')],
  'use-after-revocation': ['alice@kestrel.example'],
  'wildcard-privilege': [arn('role', 'platform-bootstrap'), arn('role', 'service-role/manifest-archiver')],
};



interface Finding {
  ruleId: string;
  ruleName: string;
  severity: string;
  subject: { kind: string; id: string };
  evidence: { source: { file: string; line: number }; summary: string }[];
}

interface Report {
  inputs: { file: string; format: string; skipped: number }[];
  skipped: unknown[];
  evaluations: { ruleName: string; status: string; notes: string[] }[];
  findings: Finding[];
}

async function scan(): Promise<{ code: number; stderr: string; report: Report }> {
  const run = await runCli(SCAN);
  return { code: run.code, stderr: run.stderr, report: JSON.parse(run.stdout) as Report };
}

function byRule(report: Report, ruleName: string): Finding[] {
  return report.findings.filter((finding) => finding.ruleName === ruleName);
}

function files(finding: Finding): string[] {
  return finding.evidence.map((item) => item.source.file);
}

describe('scan on the native-export demo bundle', () => {
  it('records its as-of date in the inventory header', async () => {
    const header = (await readFile(path.join(REPO, INVENTORY), 'utf8')).split('\n').filter((line) => line.startsWith('#'));
    expect(header.join('\n')).toContain(`nhi-audit scan ${DIR} --as-of ${AS_OF}`);
  });

  it('reads every native file and the inventory with --strict, skipping nothing, and exits 1', async () => {
    const { code, stderr, report } = await scan();
    expect(stderr).toBe('');
    expect(code).toBe(1);
    expect(report.skipped).toEqual([]);
    expect(report.inputs.map((input) => input.format).sort()).toEqual([
      'aws-authorization-details',
      'aws-cloudtrail',
      'aws-credential-report',
      'canonical-inventory',
      'jwt-claims',
      'oauth-introspection',
      'okta-system-log',
    ]);
    expect(report.inputs.every((input) => input.skipped === 0)).toBe(true);
    // A rule is evaluated, or says why not: only third-party apps are absent from this bundle.
    for (const evaluation of report.evaluations) {
      if (evaluation.status !== 'evaluated') expect(evaluation.notes.length, evaluation.ruleName).toBeGreaterThan(0);
    }
    expect(report.evaluations.filter((evaluation) => evaluation.status !== 'evaluated').map((evaluation) => evaluation.ruleName)).toEqual([
      'broad-third-party-scope',
    ]);
  });

  it('fires the expected rules on the expected subjects', async () => {
    const { report } = await scan();
    const found: Record<string, string[]> = {};
    for (const finding of report.findings) (found[finding.ruleName] ??= []).push(finding.subject.id);
    for (const subjects of Object.values(found)) subjects.sort();
    expect(found).toEqual(NATIVE_FIRINGS);
    // Used after the offboarding: both lifecycle findings escalate.
    expect(byRule(report, 'orphaned-refresh-token')[0]?.severity).toBe('critical');
    expect(byRule(report, 'missing-disconnect-event')[0]?.severity).toBe('critical');
    expect(byRule(report, 'shared-identity')[0]?.evidence.map((item) => item.summary).join(' ')).toContain('github-actions-release');
    // GitHub's issuer is public: with no subject condition, any repository's workflow can assume the role.
    expect(byRule(report, 'unconstrained-oidc-trust')[0]?.severity).toBe('critical');
  });

  it('stays silent on the clean identities, principals, credentials and approvals', async () => {
    const { report } = await scan();
    const subjects = report.findings
      .map((finding) => finding.subject.id)
      .join('\n');
    const clean = [
      arn('user', 'metrics-reader'),
      arn('role', 'invoice-renderer'),
      `arn:aws:iam::${ACCOUNT}:root`,
      '0oa7helpdesk',
      '0oa7crmsync',
      'Helpdesk Assistant',
      'bob@kestrel.example',
      'carol@kestrel.example',
      'rt-hd-bob-88a0',
      // Exchanged by the assistant itself, as its may_act allows.
      'at-hd-carol-tx01',
      'APR-KF-0012',
      // Keys rotated within the 90-day period and in use: only their holders are findings.
      `${arn('user', 'edi-gateway')}#access-key-1`,
      `${arn('user', 'edi-gateway')}#access-key-2`,
      `${arn('user', 'tms-integration')}#access-key-1`,
    ];
    for (const id of clean) expect(subjects, id).not.toContain(id);
  });

  it('points evidence at the native files, on real lines', async () => {
    const { report } = await scan();
    const token = byRule(report, 'orphaned-refresh-token')[0];
    const life = byRule(report, 'missing-disconnect-event')[0];
    expect(token && files(token)).toContain(OKTA_LOG);
    expect(life && files(life)).toContain(OKTA_LOG);
    for (const finding of byRule(report, 'wildcard-privilege')) expect(files(finding)).toContain(AUTHZ);
    const shared = byRule(report, 'shared-identity')[0];
    expect(shared && files(shared).some((file) => file.startsWith(`${DIR}/aws/cloudtrail/`) && file.endsWith('.json.gz'))).toBe(true);
    const trust = byRule(report, 'unconstrained-oidc-trust')[0];
    expect(trust && files(trust)).toEqual([AUTHZ]);
    const keys = byRule(report, 'multiple-active-keys')[0];
    expect(keys && files(keys)).toEqual([REPORT, REPORT]);
    const human = byRule(report, 'human-use-of-nhi')[0];
    expect(human && files(human)).toEqual(expect.arrayContaining([AUTHZ, REPORT, expect.stringMatching(/cloudtrail\/.+\.json\.gz$/)]));
    const claims = `${DIR}/oauth/token-claims.ndjson`;
    expect(byRule(report, 'unpermitted-actor').map((finding) => finding.evidence.map((item) => `${item.source.file}:${item.source.line}`))).toEqual([[`${claims}:2`]]);
    expect(byRule(report, 'uncorrelated-activity').flatMap(files)).toEqual([claims]);
    const stale = byRule(report, 'stale-approval')[0];
    expect(stale && files(stale)).toEqual(expect.arrayContaining([INVENTORY, OKTA_LOG]));

    for (const finding of report.findings) {
      for (const { source } of finding.evidence) {
        if (source.file.endsWith('.gz')) continue;
        const lines = (await readFile(path.join(REPO, source.file), 'utf8')).split('\n');
        expect(source.line, `${source.file}:${source.line}`).toBeGreaterThan(0);
        expect(source.line).toBeLessThanOrEqual(lines.length);
      }
    }
  });

  it('inventory says which identities count as non-human and why', async () => {
    const run = await runCli(['inventory', 'fixtures/demo-native', '--format', 'json']);
    expect(run.code, run.stderr).toBe(0);
    const rows = (JSON.parse(run.stdout) as { identities: { id: string; nonHuman: boolean; why: string }[] }).identities;
    const row = (id: string) => rows.find((item) => item.id === id);
    expect(row('arn:aws:iam::430011223344:user/ci-deployer')).toMatchObject({ nonHuman: true, why: expect.stringMatching(/only through programs/) });
    expect(row('arn:aws:iam::430011223344:root')).toMatchObject({ nonHuman: false, why: 'the account root' });
    expect(row('arn:aws:iam::430011223344:role/platform-bootstrap')?.why).toMatch(/^declared type role at fixtures\/demo-native\/aws\/authorization-details\.json:\d+/);
  });
});
