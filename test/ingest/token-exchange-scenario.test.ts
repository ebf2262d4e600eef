/*
 * fixtures/scenarios/token-exchange: exchanged tokens read from decoded JWT
 * claims and introspection feed delegation-chain-depth, unpermitted-actor and
 * uncorrelated-activity; the near-misses in its README stay quiet.
 */
import { describe, expect, test } from 'vitest';
import { runCli } from '../helpers/cli.js';

const DIR = 'fixtures/scenarios/token-exchange';
const CHAIN_RULES = new Set(['NHI-DELEG-001', 'NHI-DELEG-002', 'NHI-CORR-001']);

interface Report {
  readonly inputs: { file: string; format: string; skipped: number }[];
  readonly findings: { ruleId: string; subject: { id: string }; evidence: { source: { file: string; line: number } }[] }[];
  readonly evaluations: { ruleId: string; notes: string[] }[];
}

async function scan(): Promise<Report> {
  const run = await runCli(['scan', `${DIR}/*.yaml`, `${DIR}/*.ndjson`, '--strict', '--format', 'json', '--fail-on', 'none', '--as-of', '2026-04-01T00:00:00Z']);
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as Report;
}

describe('token-exchange scenario bundle', () => {
  test('each file is read by its adapter without a skip', async () => {
    const { inputs } = await scan();
    expect(inputs.map((input) => [input.file, input.format, input.skipped])).toEqual([
      [`${DIR}/introspection.ndjson`, 'oauth-introspection', 0],
      [`${DIR}/inventory.yaml`, 'canonical-inventory', 0],
      [`${DIR}/token-claims.ndjson`, 'jwt-claims', 0],
    ]);
  });

  test('the chain rules fire on exactly the README\'s records', async () => {
    const { findings } = await scan();
    const chain = findings
      .filter((finding) => CHAIN_RULES.has(finding.ruleId))
      .map((finding) => [finding.ruleId, finding.subject.id, finding.evidence.map((item) => `${item.source.file}:${item.source.line}`).at(-1)]);
    expect(chain.sort()).toEqual([
      ['NHI-CORR-001', 'edge-proxy', `${DIR}/token-claims.ndjson:3`],
      ['NHI-DELEG-001', 'triage-agent', `${DIR}/token-claims.ndjson:3`],
      ['NHI-DELEG-002', 'tx-bad-2', `${DIR}/token-claims.ndjson:2`],
    ]);
  });

  test('the token without may_act is noted, not judged', async () => {
    const { evaluations } = await scan();
    expect(evaluations.find((evaluation) => evaluation.ruleId === 'NHI-DELEG-002')?.notes).toEqual([
      '1 token with an act chain but no may_act (tx-intro-4): who may act for the subject is not stated, so the actors were not judged',
    ]);
  });
});
