/*
 * The must-show on BishopFox IAM Vulnerable (the get-account-authorization-details
 * dump published with salesforce/cloudsplaining): privilege-escalation flags the
 * lab's privesc starting points, none of its fp (false-positive) principals and
 * the fn (false-negative) ones. Skipped, saying so, when ../shared is absent.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AS_OF, REPO, runCli } from '../helpers/cli.js';

const FILE = path.resolve(REPO, '../shared/corpus/aws/authz-details_cloudsplaining-example-iam-vulnerable-account.json');
const present = existsSync(FILE);
if (!present) console.warn(`skipping the IAM Vulnerable test: ${FILE} is absent`);

/**
 * Lab principals that are where escalations end, not where they start: the
 * admin roles the AssumeRole chain and the PassRole methods reach, the chain's
 * middle role, and the role whose trust policy is the permissive part.
 */
const DESTINATIONS = new Set(['privesc-AssumeRole-ending-role', 'privesc-AssumeRole-intermediate-role', 'privesc-high-priv-service-role', 'privesc-permissive-role-trust']);

describe.skipIf(!present)('privilege-escalation on BishopFox IAM Vulnerable', () => {
  it('flags at least 61 of the 64 privesc starting points, no fp principal and at least 6 of the 8 fn', async () => {
    const dump = JSON.parse(readFileSync(FILE, 'utf8')) as { UserDetailList: { UserName: string }[]; RoleDetailList: { RoleName: string }[] };
    const names = [...dump.UserDetailList.map((user) => user.UserName), ...dump.RoleDetailList.map((role) => role.RoleName)];
    const run = await runCli(['scan', FILE, '--as-of', AS_OF, '--format', 'json', '--fail-on', 'none']);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as { findings: { ruleId: string; subject: { id: string } }[] };
    const flagged = new Set(report.findings.filter((finding) => finding.ruleId === 'NHI-PRIV-002').map((finding) => finding.subject.id.slice(finding.subject.id.lastIndexOf('/') + 1)));
    const starts = names.filter((name) => name.startsWith('privesc') && !DESTINATIONS.has(name));
    const fp = names.filter((name) => name.startsWith('fp'));
    const fn = names.filter((name) => name.startsWith('fn'));
    expect([starts.length, fp.length, fn.length]).toEqual([64, 10, 8]);
    expect(starts.filter((name) => flagged.has(name)).length).toBeGreaterThanOrEqual(61);
    expect(fp.filter((name) => flagged.has(name))).toEqual([]);
    expect(fn.filter((name) => flagged.has(name)).length).toBeGreaterThanOrEqual(6);
  });
});
