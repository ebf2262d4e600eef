/*
 * Joins across sources by the names people use: an approval that names an
 * agent by its Okta label meets the client id the Okta log records.
 */
import { describe, expect, it } from 'vitest';
import { AS_OF, runCli } from '../helpers/cli.js';

const DIR = 'fixtures/scenarios/okta-label-join';

interface Report {
  findings: { ruleName: string; subject: { id: string }; evidence: { source: { file: string; line: number } }[] }[];
}

async function scan(...paths: string[]): Promise<Report> {
  const run = await runCli(['scan', ...paths, '--strict', '--as-of', AS_OF, '--format', 'json']);
  expect(run.stderr).toBe('');
  return JSON.parse(run.stdout) as Report;
}

describe('alias joins', () => {
  it('an approval naming an Okta app by label meets its client id and tokens', async () => {
    const report = await scan(DIR);
    const stale = report.findings.filter((finding) => finding.ruleName === 'stale-approval');
    expect(stale.map((finding) => finding.subject.id)).toEqual(['APR-9']);
    expect(stale[0]?.evidence.map((item) => `${item.source.file}:${item.source.line}`)).toContain(`${DIR}/okta-system-log.ndjson:2`);
  });

  it('without the Okta log the delegate holds nothing, so the approval is not reported', async () => {
    const report = await scan(`${DIR}/approvals.yaml`);
    expect(report.findings.filter((finding) => finding.ruleName === 'stale-approval')).toEqual([]);
  });
});
