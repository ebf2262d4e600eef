/*
 * Baselines and suppressions remember findings by fingerprint, so a
 * fingerprint must not move when nothing about the problem changed: a later
 * --as-of, the scan run from another directory or with absolute paths, or the
 * input files given in another order.
 */
import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AS_OF, REPO, runCli } from '../helpers/cli.js';

interface ReportedFinding {
  readonly ruleId: string;
  readonly subject: { readonly kind: string; readonly id: string };
  readonly fingerprint: string;
  readonly evidence: readonly { readonly key: string }[];
}

const BUNDLES = ['fixtures/demo', 'fixtures/secrets'];

async function findings(argv: readonly string[], cwd = REPO): Promise<ReportedFinding[]> {
  const run = await runCli(['scan', ...argv, '--format', 'json', '--fail-on', 'none'], { cwd });
  expect(run.code).toBe(0);
  return (JSON.parse(run.stdout) as { findings: ReportedFinding[] }).findings;
}

const subjectOf = (finding: ReportedFinding): string => `${finding.ruleId} ${finding.subject.kind} ${finding.subject.id}`;
const printsOf = (list: readonly ReportedFinding[]): string[] => list.map((finding) => `${subjectOf(finding)} ${finding.fingerprint}`).sort();

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => path.join(entry.parentPath, entry.name));
}

describe('fingerprints', () => {
  let base: ReportedFinding[];
  let scratch: string;
  beforeAll(async () => {
    base = await findings([...BUNDLES, '--as-of', AS_OF]);
    scratch = await mkdtemp(path.join(tmpdir(), 'nhi-fp-'));
  });
  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it('stay the same under a later --as-of, although the evidence cited changes', async () => {
    const later = await findings([...BUNDLES, '--as-of', '2026-12-15T00:00:00Z']);
    const bySubject = (list: readonly ReportedFinding[]) => {
      const grouped = new Map<string, ReportedFinding[]>();
      for (const finding of list) grouped.set(subjectOf(finding), [...(grouped.get(subjectOf(finding)) ?? []), finding]);
      return grouped;
    };
    const before = bySubject(base);
    const common = [...bySubject(later)].filter(([subject]) => before.has(subject));
    expect(common.length).toBeGreaterThan(10);
    const prints = (list: readonly ReportedFinding[] | undefined) => (list ?? []).map((finding) => finding.fingerprint).sort();
    for (const [subject, list] of common) expect(prints(list), subject).toEqual(prints(before.get(subject)));
    // The case that used to move: the same finding citing other evidence records at the later date.
    const keys = (list: readonly ReportedFinding[] | undefined) => (list ?? []).flatMap((finding) => finding.evidence.map((item) => item.key)).join(',');
    expect(common.some(([subject, list]) => keys(list) !== keys(before.get(subject)))).toBe(true);
  });

  it('stay the same when the scan runs from another directory with absolute paths', async () => {
    const absolute = await findings([...BUNDLES.map((bundle) => path.join(REPO, bundle)), '--as-of', AS_OF], scratch);
    expect(printsOf(absolute)).toEqual(printsOf(base));
  });

  it('stay the same for a copy of the inputs under another prefix', async () => {
    for (const bundle of BUNDLES) await cp(path.join(REPO, bundle), path.join(scratch, 'exports/2026-11', path.basename(bundle)), { recursive: true });
    const copied = await findings(['exports/2026-11', '--as-of', AS_OF], scratch);
    expect(printsOf(copied)).toEqual(printsOf(base));
  });

  it('stay the same when the input files are given in another order', async () => {
    const files = (await Promise.all(BUNDLES.map((bundle) => filesUnder(path.join(REPO, bundle))))).flat().sort();
    expect(files.length).toBeGreaterThan(3);
    const forward = await findings([...files, '--as-of', AS_OF]);
    const backward = await findings([...files].reverse().concat(['--as-of', AS_OF]));
    expect(printsOf(backward)).toEqual(printsOf(forward));
    expect(printsOf(forward)).toEqual(printsOf(base));
  });

  it('tell apart one secret found in two files of the same name, from any directory', async () => {
    const key = path.join(REPO, 'fixtures/secrets/gcp-sa-key.json');
    for (const folder of ['a', 'b']) await cp(key, path.join(scratch, 'pair', folder, 'key.json'));
    // Something the scan can read, so that it runs at all (the key files are only scanned for secrets).
    await cp(path.join(REPO, 'fixtures/demo/principals.csv'), path.join(scratch, 'pair', 'principals.csv'));
    const here = await findings(['pair', '--as-of', AS_OF], scratch);
    const elsewhere = await findings([path.join(scratch, 'pair'), '--as-of', AS_OF], REPO);
    const secrets = here.filter((finding) => finding.ruleId === 'NHI-SECRET-001');
    expect(secrets).toHaveLength(2);
    expect(new Set(secrets.map((finding) => finding.fingerprint)).size).toBe(2);
    expect(printsOf(elsewhere)).toEqual(printsOf(here));
  });
});
