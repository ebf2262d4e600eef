/*
 * The Kubernetes scenario bundle (fixtures/scenarios/k8s, see its README):
 * every file is read under --strict by the intended adapter, and the cases
 * it exists for reach the rules — with the near-miss staying clean.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const AS_OF = '2026-11-15T00:00:00Z';
const DIR = 'fixtures/scenarios/k8s';

interface Finding {
  readonly ruleId: string;
  readonly subject: { readonly id: string };
  readonly evidence: readonly { readonly source: { readonly file: string; readonly line: number } }[];
}
interface Report {
  readonly inputs: readonly { readonly file: string; readonly format: string; readonly records: Record<string, number>; readonly skipped: number }[];
  readonly findings: readonly Finding[];
}

let scanned: Promise<Report> | undefined;
/** One scan for the whole file: the bundle does not change between tests. */
const scan = (): Promise<Report> => (scanned ??= runScan());

async function runScan(): Promise<Report> {
  const run = await runCli(['scan', DIR, '--strict', '--format', 'json', '--fail-on', 'none', '--as-of', AS_OF]);
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as Report;
}

const at = (finding: Finding | undefined): string[] => (finding?.evidence ?? []).map((e) => `${e.source.file.split('/').at(-1)}:${e.source.line}`);

describe('k8s scenario bundle', () => {
  it('each file is read by its adapter without a skip', async () => {
    const report = await scan();
    expect(report.inputs.map((i) => [i.file, i.format, i.records, i.skipped])).toEqual([
      [`${DIR}/audit.log`, 'k8s-audit-log', { event: 11, identity: 1 }, 0],
      [`${DIR}/inventory.yaml`, 'canonical-inventory', { principal: 1, identity: 7 }, 0],
      [`${DIR}/rbac.yaml`, 'k8s-objects', { identity: 7, grant: 8, credential: 1 }, 0],
    ]);
  });

  it.each([
    ['NHI-PRIV-001', 'system:serviceaccount:ci:deploy-bot', 'rbac.yaml:14'],
    ['NHI-CRED-001', 'payments/legacy-sync-token-7hq2m', 'rbac.yaml:69'],
    ['NHI-LIFE-003', 'system:serviceaccount:batch:report-exporter', 'audit.log:6'],
  ])('%s fires for %s with evidence at %s', async (ruleId, subject, evidence) => {
    const finding = (await scan()).findings.find((f) => f.ruleId === ruleId && f.subject.id === subject);
    expect(at(finding)).toContain(evidence);
  });

  it('the read-only near-miss has no finding', async () => {
    const findings = (await scan()).findings.filter((f) => f.subject.id === 'system:serviceaccount:web:frontend-reader');
    expect(findings.map((f) => f.ruleId)).toEqual([]);
  });
});
