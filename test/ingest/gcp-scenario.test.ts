/*
 * fixtures/scenarios/gcp reads cleanly under --strict in every native format
 * and makes the catalog's rules fire on the cases its README names, and only there.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { fixture, lineOf } from './helpers.js';

const DIR = 'fixtures/scenarios/gcp';
const AS_OF = '2026-11-15T00:00:00Z';
const sa = (name: string): string => `${name}@acme-prod-123.iam.gserviceaccount.com`;
const LOG = fixture('scenarios', 'gcp', 'audit-log.json');
const LOG_LINES = readFileSync(LOG, 'utf8').split('\n');
/** The line of the `{` that opens the entry with this insertId (entries are pretty-printed, two spaces in). */
function start(insertId: string): number {
  for (let line = lineOf(LOG, `"insertId": "${insertId}"`); line > 0; line -= 1) if (LOG_LINES[line - 1] === '  {') return line;
  throw new Error(`no entry ${insertId}`);
}

interface Finding {
  ruleId: string;
  subject: { id: string };
  evidence: { source?: { file: string; line: number } }[];
}

async function scan(): Promise<{ inputs: { format: string; skipped: number }[]; findings: Finding[] }> {
  const run = await runCli(['scan', DIR, '--strict', '--format', 'json', '--fail-on', 'none', '--as-of', AS_OF]);
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as { inputs: { format: string; skipped: number }[]; findings: Finding[] };
}

describe('GCP scenario bundle', () => {
  it('is read by the GCP adapters under --strict', async () => {
    const report = await scan();
    expect(report.inputs.map((i) => [i.format, i.skipped])).toEqual([
      ['gcp-asset-inventory', 0],
      ['gcp-asset-inventory', 0],
      ['gcp-audit-log', 0],
      ['gcp-sa-keys', 0],
      ['canonical-inventory', 0],
    ]);
  });

  it.each([
    ['NHI-PRIV-001', sa('deploy-bot')],
    ['NHI-CRED-001', '9d1f0c2b7a6e5d4c3b2a190817263544'],
    ['NHI-LIFE-003', '7c7c0a0a1b1b2c2c3d3d4e4e5f5f6a6a'],
    ['NHI-DELEG-001', 'bq-loader@acme-prod-123.iam.gserviceaccount.com'],
  ])('%s fires on %s', async (ruleId, subject) => {
    const findings = (await scan()).findings.filter((f) => f.ruleId === ruleId && f.subject.id.includes(subject));
    expect(findings).toHaveLength(1);
  });

  it('the deleted key is shown used after its deletion, at the log lines that say so', async () => {
    const [finding] = (await scan()).findings.filter((f) => f.ruleId === 'NHI-LIFE-003');
    const lines = finding?.evidence.map((e) => e.source?.line) ?? [];
    expect(lines).toContain(start('etl-key-delete'));
    expect(lines).toContain(start('etl-use-after-delete'));
  });

  it('the near-miss report-reader (narrow role, system-managed key, recent use) has no finding', async () => {
    const findings = (await scan()).findings.filter((f) => f.subject.id.includes('report-reader') || f.subject.id === '4d4d1e1e2f2f3a3a4b4b5c5c6d6d7e7e');
    expect(findings).toEqual([]);
  });
});
