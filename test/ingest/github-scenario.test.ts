/*
 * fixtures/scenarios/github reads cleanly under --strict and gives the rules
 * what its README promises: the removed member's PAT still used, and clean
 * near-misses that nothing reports.
 */
import { describe, expect, test } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { fixture, lineOf } from './helpers.js';

const DIR = 'fixtures/scenarios/github';
const AUDIT = fixture('scenarios', 'github', 'audit-log.ndjson');
const AS_OF = '2026-11-15T00:00:00Z';

interface Finding {
  readonly ruleId: string;
  readonly severity: string;
  readonly subject: { readonly kind: string; readonly id: string };
  readonly message: string;
  readonly evidence: readonly { readonly source: { readonly file: string; readonly line: number; readonly pointer?: string } }[];
}

async function scan(): Promise<{ findings: Finding[]; inputs: { file: string; format: string; skipped: number }[] }> {
  // The bundle's README.md is not an input: name the exports (see the report on discover and *.md).
  const run = await runCli(['scan', `${DIR}/*.json`, `${DIR}/*.ndjson`, '--strict', '--format', 'json', '--fail-on', 'none', '--as-of', AS_OF]);
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as { findings: Finding[]; inputs: { file: string; format: string; skipped: number }[] };
}

describe('GitHub scenario bundle', () => {
  test('every file is read by a GitHub adapter without a skip', async () => {
    const { inputs } = await scan();
    expect(inputs.map((i) => [i.file, i.format, i.skipped])).toEqual([
      [`${DIR}/audit-log.ndjson`, 'github-audit-log', 0],
      [`${DIR}/credential-authorizations.json`, 'github-credential-list', 0],
      [`${DIR}/pat-listing.json`, 'github-credential-list', 0],
    ]);
  });

  test('the removed member\'s PAT, never revoked and used after the removal, is a critical missing disconnect', async () => {
    const { findings } = await scan();
    const found = findings.filter((f) => f.ruleId === 'NHI-LIFE-001');
    expect(found.map((f) => [f.subject.id, f.severity])).toEqual([['mallory', 'critical']]);
    expect(found[0]?.evidence.map((e) => e.source)).toEqual([
      { file: `${DIR}/audit-log.ndjson`, line: lineOf(AUDIT, '"org.remove_member","actor":"org-owner","org":"acme-corp","user":"mallory"') },
      { file: `${DIR}/pat-listing.json`, line: 2, pointer: '/0' },
      { file: `${DIR}/audit-log.ndjson`, line: lineOf(AUDIT, '"action":"git.push","actor":"mallory"') },
    ]);
  });

  test('near-misses (gina, frank, ivan) appear in no finding', async () => {
    const { findings } = await scan();
    const text = JSON.stringify(findings);
    for (const name of ['gina', 'frank', 'ivan', 'gh-token:7003', 'gh-cred:88002']) expect(text, name).not.toContain(name);
  });
});
