import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/engine/catalog.js';
import { AS_OF, REPO, runCli } from '../helpers/cli.js';

const DEMO = ['scan', 'fixtures/demo', '--as-of', AS_OF];

interface JsonReport {
  findings: { ruleId: string; ruleName: string; severity: string; subject: { id: string }; evidence: { source: { file: string; line: number } }[] }[];
  skipped: { file: string; line: number; message: string }[];
  evaluations: { ruleId: string; status: string; notes: string[]; basis?: { sources: string[]; window: { from: string; to: string } | null } }[];
  inputs: { file: string; format: string }[];
}

/** The native bundle's own as-of date (test/cli/native-demo.test.ts). */
const NATIVE_AS_OF = '2026-11-15T00:00:00Z';

/** Rule name → subjects it reports on fixtures/demo, each story in the inventory's comments. */
const DEMO_FIRINGS: Readonly<Record<string, readonly string[]>> = {
  'broad-third-party-scope': ['0oa5peopleflow'],
  'cross-environment-reuse': ['feature-flags'],
  'cross-tenant-use': ['warehouse-loader@nw-analytics.iam.gserviceaccount.com'],
  'delegation-chain-depth': ['parts-buyer-agent'],
  'dormant-identity': ['sim-exporter@nw-analytics.iam.gserviceaccount.com'],
  'long-lived-credential': ['rt-crm-alice-7f3a', 'tok-support-agent-51e2'],
  'missing-disconnect-event': ['alice@northwind.example'],
  'orphaned-refresh-token': ['rt-crm-alice-7f3a'],
  'out-of-scope-action': ['support-agent'],
  'privilege-escalation': ['arn:aws:iam::111111111111:role/key-rotator'],
  'refresh-token-rotation': ['rt-crm-alice-7f3a'],
  // The hash prefix of the pasted secret: it names the value without showing it.
  'secret-in-export': ['secret:30a8a6cc2791'],
  'shared-identity': ['billing-exporter'],
  'stale-approval': ['APR-2025-014'],
  // Key creation rights held standing for a job that used them on one day of the window.
  'standing-privilege': ['arn:aws:iam::111111111111:role/deploy-bot', 'arn:aws:iam::111111111111:role/key-rotator'],
  'static-secret-auth': ['AKIANWDOCSPUBLISH001'],
  'token-refresh-after-end': ['rt-crm-alice-7f3a'],
  'uncorrelated-activity': ['arn:aws:iam::111111111111:user/tmp-migration'],
  'unowned-identity': ['sim-exporter@nw-analytics.iam.gserviceaccount.com'],
  'unused-permissions': ['arn:aws:iam::111111111111:role/deploy-bot', 'arn:aws:iam::111111111111:role/s3-archiver'],
  'use-after-revocation': ['alice@northwind.example'],
  'wildcard-privilege': ['arn:aws:iam::111111111111:role/deploy-bot', 'arn:aws:iam::111111111111:role/s3-archiver'],
};

function firings(report: JsonReport): Record<string, string[]> {
  const found: Record<string, string[]> = {};
  for (const finding of report.findings) (found[finding.ruleName] ??= []).push(finding.subject.id);
  for (const subjects of Object.values(found)) subjects.sort();
  return found;
}

async function scanJson(args: readonly string[]): Promise<{ code: number; report: JsonReport; stderr: string }> {
  const run = await runCli([...args, '--format', 'json']);
  return { code: run.code, report: JSON.parse(run.stdout) as JsonReport, stderr: run.stderr };
}

describe('scan on the demo bundle', () => {
  it('says per rule which files it read and, for rules that read events, over which window', async () => {
    const { report } = await scanJson(DEMO);
    const basis = (id: string) => report.evaluations.find((evaluation) => evaluation.ruleId === id)?.basis;
    expect(basis('NHI-SHARE-001')?.sources).toContain('fixtures/demo/demo.events.ndjson');
    expect(basis('NHI-SHARE-001')?.window).toMatchObject({ from: expect.stringMatching(/^2026-/), to: expect.stringMatching(/^2026-/) });
    // Wildcard privilege reads grants and credentials, not events: no window, and no event file among its sources.
    expect(basis('NHI-PRIV-001')?.window).toBeNull();
    expect(basis('NHI-PRIV-001')?.sources.some((file) => file.endsWith('.ndjson'))).toBe(false);
    expect(basis('NHI-PRIV-001')?.sources.length).toBeGreaterThan(0);
  });


  it('fires the expected rules on the expected subjects and leaves the clean identities alone', async () => {
    const { code, report } = await scanJson(DEMO);
    expect(code).toBe(1);
    expect(firings(report)).toEqual(DEMO_FIRINGS);
    const subjects = report.findings.map((finding) => finding.subject.id).join(' ');
    for (const clean of ['metrics-reader', 'ci-reporter', 'legacy-backup', 'dave@northwind.example', 'rt-backup-dave-19c0']) {
      expect(subjects).not.toContain(clean);
    }
    expect(report.inputs.map((input) => input.format).sort()).toEqual(['canonical-csv', 'canonical-events', 'canonical-inventory']);
  });

  it('fires every rule of the catalog across the two demo bundles', async () => {
    const native = await scanJson(['scan', 'fixtures/demo-native', '--as-of', NATIVE_AS_OF]);
    const { report } = await scanJson(DEMO);
    const fired = new Set([...report.findings, ...native.report.findings].map((finding) => finding.ruleName));
    expect([...fired].sort()).toEqual((await loadCatalog()).rules.map((rule) => rule.name).sort());
  });

  it('shows the raw secret it reports only masked', async () => {
    for (const format of ['table', 'json', 'sarif']) {
      const run = await runCli([...DEMO, '--format', format]);
      // The masked form keeps the last four characters only (SARIF escapes the brackets around the kind).
      expect(run.stdout).toMatch(/aws-secret-access-key\\*\]…e042/);
      expect(run.stdout).not.toContain('FAKEnorthwindDocsPublisherKey');
    }
  });

  it('points evidence at real input lines', async () => {
    const { report } = await scanJson(DEMO);
    for (const finding of report.findings) {
      expect(finding.evidence.length).toBeGreaterThan(0);
      for (const item of finding.evidence) {
        const lines = (await readFile(path.join(REPO, item.source.file), 'utf8')).split('\n');
        expect(item.source.line, `${item.source.file}:${item.source.line}`).toBeGreaterThan(0);
        expect(item.source.line).toBeLessThanOrEqual(lines.length);
      }
    }
  });

  it('is byte-identical across runs for JSON and SARIF', async () => {
    for (const format of ['json', 'sarif']) {
      const first = await runCli([...DEMO, '--format', format]);
      const second = await runCli([...DEMO, '--format', format]);
      expect(first.stdout.length).toBeGreaterThan(100);
      expect(second.stdout).toBe(first.stdout);
    }
  });

  it('does not depend on the order paths are given in', async () => {
    const a = await runCli(['scan', 'fixtures/demo/principals.csv', 'fixtures/demo/inventory.yaml', 'fixtures/demo/demo.events.ndjson', '--as-of', AS_OF, '--format', 'json']);
    const b = await runCli(['scan', 'fixtures/demo/demo.events.ndjson', 'fixtures/demo/*.yaml', 'fixtures/demo/principals.csv', '--as-of', AS_OF, '--format', 'json']);
    expect(b.stdout).toBe(a.stdout);
  });
});

describe('exit codes', () => {
  it.each([
    [[...DEMO], 1],
    [[...DEMO, '--fail-on', 'none'], 0],
    [[...DEMO, '--fail-on', 'critical'], 1],
    // Every rule that reports a critical finding on the demo, disabled.
    [[...DEMO, '--disable', 'wildcard-privilege,NHI-TOKEN-001,NHI-LIFE-001,NHI-LIFE-003,secret-in-export', '--fail-on', 'critical'], 0],
    [['scan', 'fixtures/scenarios/clean', '--as-of', AS_OF, '--fail-on', 'low'], 0],
    [['scan', 'no/such/dir', '--as-of', AS_OF], 2],
    [['scan', 'fixtures/demo', '--bogus'], 2],
    [['scan'], 2],
    [['frobnicate'], 2],
    [['scan', 'fixtures/demo', '--as-of', '2026-11-01T00:00:00'], 2],
    [['scan', 'fixtures/demo', '--fail-on', 'severe'], 2],
    [['scan', 'fixtures/demo', '--format', 'pdf'], 2],
    [['scan', 'fixtures/demo', '--enable', 'no-such-rule'], 2],
    [['--help'], 0],
    [['--version'], 0],
  ] as const)('%j exits %i', async (argv, expected) => {
    const run = await runCli(argv);
    expect(run.code, run.stderr).toBe(expected);
  });

  it('exits 2 when no input could be read, still listing what was skipped', async () => {
    const run = await runCli(['scan', 'fixtures/bad/unrecognised.txt', '--as-of', AS_OF, '--format', 'json']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error: none of the 1 input file could be read; nothing was scanned/m);
    expect((JSON.parse(run.stdout) as JsonReport).skipped).toHaveLength(1);
  });

  it('prints a usage error as one line, without a stack trace', async () => {
    const run = await runCli(['scan', 'no/such/dir']);
    expect(run.stderr).toBe('error: no such file or directory: no/such/dir\n');
  });

  it('documents exit codes in --help', async () => {
    const run = await runCli(['scan', '--help']);
    expect(run.stdout).toMatch(/Exit codes:[\s\S]*2 +usage, config or input error/);
  });

  it('lists every report format in --help and in the usage error', async () => {
    const help = await runCli(['scan', '--help']);
    expect(help.stdout).toMatch(/report format: table, json, sarif, markdown, html/);
    const wrong = await runCli([...DEMO, '--format', 'pdf']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toBe('error: --format must be one of table, json, sarif, markdown, html, not "pdf"\n');
  });

  it('turns an unexpected failure into exit 3 with a stack trace', async () => {
    const run = await runCli([...DEMO], {
      stdoutWrite: () => {
        throw new TypeError('stdout exploded');
      },
    });
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/internal error[\s\S]*TypeError: stdout exploded[\s\S]*at /);
  });
});

describe('bad input', () => {
  it('skips bad records with file:line, goes on, and lists what was skipped', async () => {
    const { code, report, stderr } = await scanJson(['scan', 'fixtures/demo', 'fixtures/bad/*', '--as-of', AS_OF]);
    expect(code).toBe(1);
    expect(report.skipped.length).toBeGreaterThan(0);
    for (const skip of report.skipped) expect(skip.file).toMatch(/^fixtures\/bad\//);
    expect(stderr).toMatch(/^warning: fixtures\/bad\/[^:]+:\d+: .+ \(skipped\)$/m);
    expect(report.findings.length).toBeGreaterThan(0);
  });

  it('stops with exit 2 under --strict, naming file and line', async () => {
    const run = await runCli(['scan', 'fixtures/demo', 'fixtures/bad/*', '--as-of', AS_OF, '--strict']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error: fixtures\/bad\/[^\s:]+(:\d+)?: .+\n$/);
    expect(run.stdout).toBe('');
  });

  it('rejects an invalid config listing every problem', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'nhi-config-'));
    const config = path.join(dir, 'bad.yaml');
    await writeFile(config, 'fail_on: severe\nrules:\n  no-such-rule: off\n');
    const run = await runCli([...DEMO, '--config', config]);
    expect(run.code).toBe(2);
    const lines = run.stderr.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^error: .*bad\.yaml: invalid config \(2 problems\)$/);
    expect(lines.slice(1)).toEqual([
      expect.stringMatching(/^ {2}.*bad\.yaml:1: fail_on must be one of/),
      expect.stringMatching(/^ {2}.*bad\.yaml:3: unknown rule "no-such-rule"/),
    ]);
  });

  it('reads ./.nhi-audit.yaml when present', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'nhi-cwd-'));
    await mkdir(path.join(dir, 'exports'));
    for (const name of ['inventory.yaml', 'principals.csv', 'demo.events.ndjson']) {
      await writeFile(path.join(dir, 'exports', name), await readFile(path.join(REPO, 'fixtures/demo', name)));
    }
    await writeFile(path.join(dir, '.nhi-audit.yaml'), 'fail_on: none\n');
    expect((await runCli(['scan', 'exports', '--as-of', AS_OF], { cwd: dir })).code).toBe(0);
  });
});

describe('progress on stderr', () => {
  it('draws a status line on a TTY and clears it before the report ends', async () => {
    const run = await runCli([...DEMO], { tty: true, env: { NO_COLOR: '1' } });
    expect(run.stderr).toMatch(/^\r\u001b\[2Kscanning 1\/3 files · 0 records · 0s · fixtures\/demo\/demo\.events\.ndjson/);
    expect(run.stderr.endsWith('\r\u001b[2K')).toBe(true);
    expect(run.stdout).not.toContain('scanning');
  });

  it('stays silent when stderr is not a TTY', async () => {
    expect((await runCli([...DEMO, '--format', 'json'])).stderr).toBe('');
  });

  it('starts an error on a clean line', async () => {
    const run = await runCli(['scan', 'fixtures/demo', 'fixtures/bad/*', '--strict', '--as-of', AS_OF], { tty: true });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/\r\u001b\[2Kerror: fixtures\/bad\/[^\n]+\n$/);
  });
});

describe('--input-type', () => {
  it('reads a file its name and content would not reveal, inside or outside the working directory', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'nhi-type-'));
    const file = path.join(dir, 'export.txt');
    await writeFile(file, '{"time":"2026-10-01T00:00:00Z","identity":"svc","action":"read"}\n');
    for (const cwd of [REPO, dir]) {
      const run = await runCli(['scan', file, '--input-type', `canonical-events=${file}`, '--as-of', AS_OF, '--format', 'json'], { cwd });
      expect(run.code, run.stderr).toBe(0);
      expect((JSON.parse(run.stdout) as JsonReport).inputs.map((input) => input.format)).toEqual(['canonical-events']);
    }
    const relative = await runCli(['scan', 'export.txt', '--input-type', 'canonical-events=export.txt', '--as-of', AS_OF], { cwd: dir });
    expect(relative.code, relative.stderr).toBe(0);
  });

  it('rejects an unknown type', async () => {
    const run = await runCli([...DEMO, '--input-type', 'bogus=fixtures/demo/inventory.yaml']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/unknown input type "bogus"/);
  });
});

describe('terminal output', () => {
  it('strips control sequences from hostile input and has no colour off a TTY', async () => {
    const run = await runCli([...DEMO]);
    expect(run.stdout).toContain('evil-client');
    // eslint-disable-next-line no-control-regex
    expect(run.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
  });

  it('colours on a TTY, never with NO_COLOR', async () => {
    expect((await runCli([...DEMO], { tty: true })).stdout).toContain('\u001b[');
    const plain = await runCli([...DEMO], { tty: true, env: { NO_COLOR: '1' } });
    expect(plain.stdout).not.toContain('\u001b');
  });

  it('writes reports to files with --output, one format each', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'nhi-out-'));
    const sarif = path.join(dir, 'nhi.sarif');
    const json = path.join(dir, 'nhi.json');
    const run = await runCli([...DEMO, '--format', 'sarif', '--output', sarif, '--format', 'json', '--output', json]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(JSON.parse(await readFile(sarif, 'utf8'))).toMatchObject({ version: '2.1.0' });
    expect(JSON.parse(await readFile(json, 'utf8'))).toMatchObject({ schemaVersion: expect.any(String) });
  });

  it('writes the HTML and Markdown reports next to the others, the same findings in each', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'nhi-out-'));
    const [html, markdown] = [path.join(dir, 'r.html'), path.join(dir, 'r.md')];
    const run = await runCli([...DEMO, '--format', 'html', '--output', html, '--format', 'markdown', '--output', markdown, '--format', 'json']);
    expect(run.code).toBe(1);
    const total = (JSON.parse(run.stdout) as { findings: unknown[] }).findings.length;
    expect(await readFile(html, 'utf8')).toContain(`<strong id="findings-total">${total}</strong>`);
    expect(await readFile(markdown, 'utf8')).toContain(`## Findings (${total})`);
  });
});

describe('the installed bin', () => {
  const run = promisify(execFile);
  it('runs as a real process and sets its exit code', async () => {
    const bin = path.join(REPO, 'bin/nhi-audit.js');
    const result = await run(process.execPath, [bin, ...DEMO, '--format', 'json'], { cwd: REPO }).catch((error: { code: number; stdout: string }) => error);
    expect('code' in result ? result.code : 0).toBe(1);
    const usage = await run(process.execPath, [bin, 'scan', '--nope'], { cwd: REPO }).catch((error: { code: number; stderr: string }) => error);
    expect('code' in usage ? usage.code : 0).toBe(2);
    expect('stderr' in usage ? usage.stderr : '').toMatch(/unknown option '--nope'/);
  });
});
