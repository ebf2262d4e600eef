/*
 * The README's CI recipes, run as written (not on a hosted runner): the
 * commands are taken from the README's GitHub Actions and GitLab CI blocks and
 * run through bash on a copy of the demo bundle, with `npx --yes nhi-audit`
 * resolved to this checkout's bin (npm test builds dist/ first). Together they
 * must make a gate that fails only on new critical findings.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Log } from 'sarif';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, runCli } from '../helpers/cli.js';

const README = await readFile(path.join(REPO, 'README.md'), 'utf8');
/** The recipes use the Markdown report, which another format branch adds: test that step only where it exists. */
const SCAN_HELP = (await runCli(['scan', '--help'])).stdout.replace(/\s+/g, ' ');
const HAS_MARKDOWN = /--format <format> report format: [^-]*\bmarkdown\b/.test(SCAN_HELP);
const MARKDOWN_OUTPUT = /\s--format markdown --output \S+/;

/** The fenced block after `<!-- ci-recipe:<name> -->`. */
function recipeBlock(name: string): string {
  const match = new RegExp(`<!-- ci-recipe:${name} -->\\n\`\`\`[a-z]*\\n([\\s\\S]*?)\\n\`\`\``).exec(README);
  if (match?.[1] === undefined) throw new Error(`README has no ci-recipe:${name} block`);
  return match[1];
}

interface GithubStep {
  readonly name?: string;
  readonly run?: string;
  readonly uses?: string;
  readonly if?: string;
  readonly with?: Record<string, string>;
}
interface Workflow {
  readonly permissions: Record<string, string>;
  readonly jobs: Record<string, { steps: GithubStep[] }>;
}

const workflow = parse(recipeBlock('github-actions')) as Workflow;
const githubSteps = Object.values(workflow.jobs).flatMap((job) => job.steps);
const gitlabScript = (parse(recipeBlock('gitlab-ci')) as Record<string, { script: string[] }>)['nhi-audit']?.script ?? [];
const acceptCommand = recipeBlock('accept');

/** The recipe's own scan command lines, per CI system. */
const RECIPES: Record<string, { scan: string; after: GithubStep[] }> = {
  'GitHub Actions': {
    scan: githubSteps.find((step) => step.run?.includes('nhi-audit scan') === true)?.run ?? '',
    after: githubSteps.filter((step) => step.run !== undefined && !step.run.includes('nhi-audit scan')),
  },
  'GitLab CI': { scan: gitlabScript.find((line) => line.includes('nhi-audit scan')) ?? '', after: [] },
};

interface ShellRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

let scratch: string;
let shims: string;

/** Runs one recipe line through bash as a CI runner would, in `cwd`, with npx resolving to this checkout. */
function shell(command: string, cwd: string, env: Record<string, string> = {}): Promise<ShellRun> {
  return new Promise((resolve) => {
    execFile('bash', ['-e', '-o', 'pipefail', '-c', command], { cwd, env: { ...process.env, ...env, PATH: `${shims}${path.delimiter}${process.env['PATH'] ?? ''}`, NO_COLOR: '1' } }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr });
    });
  });
}

/** The scan line as this build can run it: without the Markdown report where that format does not exist yet. */
function runnable(command: string): string {
  return HAS_MARKDOWN ? command : command.replace(MARKDOWN_OUTPUT, '');
}

/*
 * The recipe scans at the runner's clock (no --as-of), so the new role is
 * created an hour before now: new enough that no age-based rule (dormant,
 * unrotated) adds a second finding, whatever day the test runs.
 */
const NEW_ROLE = [
  '  - id: arn:aws:iam::111111111111:role/cost-report',
  '    type: role',
  '    provider: aws',
  '    tenant: "111111111111"',
  '    environment: prod',
  '    owner: carol@northwind.example',
  '    consumers: [cost-report-job]',
  `    created_at: ${new Date(Date.now() - 3_600_000).toISOString().slice(0, 19)}Z`,
  '    permissions:',
  '      - { actions: ["*"], resources: ["*"], via: policy/CostReportTemp }',
  '',
].join('\n');

/** A checkout: the demo bundle as `exports/`, plus the baseline the README says to commit. */
async function checkout(name: string): Promise<string> {
  const dir = path.join(scratch, name);
  await cp(path.join(REPO, 'fixtures/demo'), path.join(dir, 'exports'), { recursive: true });
  return dir;
}

async function addNewProblem(dir: string): Promise<void> {
  const inventory = path.join(dir, 'exports/inventory.yaml');
  await writeFile(inventory, (await readFile(inventory, 'utf8')).replace('identities:\n', `identities:\n${NEW_ROLE}\n`));
}

async function sarifResults(dir: string): Promise<{ log: Log; open: string[]; suppressed: string[] }> {
  const log = JSON.parse(await readFile(path.join(dir, 'nhi-audit.sarif'), 'utf8')) as Log;
  const results = log.runs[0]?.results ?? [];
  const name = (result: (typeof results)[number]) => `${result.ruleId ?? ''} ${String((result.properties?.['subject'] as { id?: string } | undefined)?.id)}`;
  return {
    log,
    open: results.filter((result) => result.suppressions === undefined).map(name),
    suppressed: results.filter((result) => result.suppressions !== undefined).map(name),
  };
}

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'nhi-ci-'));
  shims = path.join(scratch, 'bin');
  await mkdir(shims);
  const npx = path.join(shims, 'npx');
  await writeFile(
    npx,
    [
      '#!/bin/sh',
      '# Stands in for `npx --yes nhi-audit`: this checkout, not the registry.',
      '[ "$1" = "--yes" ] && shift',
      '[ "$1" = "nhi-audit" ] || { echo "unexpected: npx $*" >&2; exit 127; }',
      'shift',
      `exec "${process.execPath}" "${path.join(REPO, 'bin/nhi-audit.js')}" "$@"`,
      '',
    ].join('\n'),
  );
  await chmod(npx, 0o755);
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe('the CI recipes in the README', () => {
  it('gate on new critical findings, upload SARIF under a category and write the Markdown report to the job summary', () => {
    for (const [name, recipe] of Object.entries(RECIPES)) {
      expect(recipe.scan, name).toMatch(/^npx --yes nhi-audit scan exports\/ /);
      expect(recipe.scan, name).toContain('--baseline .nhi-audit-baseline.json --fail-on critical');
      expect(recipe.scan, name).toContain('--format sarif --output nhi-audit.sarif --sarif-category nhi-audit/exports');
      expect(recipe.scan, name).toMatch(MARKDOWN_OUTPUT);
    }
    expect(acceptCommand).toBe('npx nhi-audit baseline exports/ -o .nhi-audit-baseline.json');
    const upload = githubSteps.find((step) => step.uses?.startsWith('github/codeql-action/upload-sarif@') === true);
    expect(upload?.with).toEqual({ sarif_file: 'nhi-audit.sarif', category: 'nhi-audit/exports' });
    expect(upload?.if).toContain("hashFiles('nhi-audit.sarif')");
    expect(workflow.permissions['security-events']).toBe('write');
    const summary = githubSteps.find((step) => step.run?.includes('GITHUB_STEP_SUMMARY') === true);
    expect(summary?.run).toBe('cat nhi-audit.md >> "$GITHUB_STEP_SUMMARY"');
    expect(summary?.if).toContain("hashFiles('nhi-audit.md')");
  });

  describe.each(Object.entries(RECIPES))('%s', (name, recipe) => {
    const slug = name.toLowerCase().replace(/\W+/g, '-');

    it('scan → baseline → the same scan with --baseline exits 0', async () => {
      const dir = await checkout(`${slug}-accept`);
      // Before a baseline exists: the gate fails on today's critical findings.
      const first = await shell(runnable(recipe.scan).replace(/\s--baseline \S+/, ''), dir);
      expect(first.code, first.stderr).toBe(1);
      expect((await sarifResults(dir)).open.length).toBeGreaterThan(20);

      const accept = await shell(acceptCommand, dir);
      expect(accept.code, accept.stderr).toBe(0);
      expect(accept.stderr).toMatch(/^baseline: recorded \d+ findings as of \S+ in \.nhi-audit-baseline\.json\n$/);

      const gated = await shell(runnable(recipe.scan), dir);
      expect(gated.code, gated.stderr).toBe(0);
      expect(gated.stderr).toMatch(/^baseline \.nhi-audit-baseline\.json: hid \d+ findings it lists; every entry still matches\n$/);
      const { log, open } = await sarifResults(dir);
      expect(open).toEqual([]);
      expect(log.runs[0]?.automationDetails).toEqual({ id: 'nhi-audit/exports/' });
      expect(gated.stdout.trimEnd().split('\n').at(-1)).toMatch(/^0 findings · .* · \d+ hidden by baseline$/);
    });

    it('one new problem in a copy of the inputs exits 1 naming only the new finding', async () => {
      const dir = await checkout(`${slug}-new`);
      expect((await shell(acceptCommand, dir)).code).toBe(0);
      await addNewProblem(dir);
      const run = await shell(runnable(recipe.scan), dir);
      expect(run.code, run.stderr).toBe(1);
      expect((await sarifResults(dir)).open).toEqual(['NHI-PRIV-001 arn:aws:iam::111111111111:role/cost-report']);
      expect(run.stdout).toMatch(/^CRITICAL · 1 finding$/m);
      expect(run.stdout.trimEnd().split('\n').at(-1)).toMatch(/^1 finding: 1 critical · /);
      expect(run.stdout).toContain('cost-report');
    });

    it('an expired suppression warns and no longer hides its finding; a current one hides it', async () => {
      const dir = await checkout(`${slug}-ignore`);
      expect((await shell(acceptCommand, dir)).code).toBe(0);
      await addNewProblem(dir);
      const entry = (expires: string) =>
        `ignore:\n  - rule: wildcard-privilege\n    subject: "*:role/cost-report"\n    reason: Temporary role for the Q4 cost review (FIN-31)\n    expires: ${expires}\n`;

      await writeFile(path.join(dir, '.nhi-audit-ignore.yaml'), entry('2026-01-01'));
      const expired = await shell(runnable(recipe.scan), dir);
      expect(expired.code, expired.stderr).toBe(1);
      expect(expired.stderr).toContain(
        'warning: .nhi-audit-ignore.yaml:2: ignore entry for NHI-PRIV-001 *:role/cost-report expired on 2026-01-01T00:00:00Z (reason was: Temporary role for the Q4 cost review (FIN-31)); its findings count again\n',
      );
      const afterExpiry = await sarifResults(dir);
      expect(afterExpiry.open).toEqual(['NHI-PRIV-001 arn:aws:iam::111111111111:role/cost-report']);
      expect(afterExpiry.suppressed).toEqual([]);
      expect(afterExpiry.log.runs[0]?.invocations?.[0]?.toolExecutionNotifications?.map((item) => item.descriptor?.id)).toContain('suppression-expired');

      await writeFile(path.join(dir, '.nhi-audit-ignore.yaml'), entry('2999-01-01'));
      const current = await shell(runnable(recipe.scan), dir);
      expect(current.code, current.stderr).toBe(0);
      const whileCurrent = await sarifResults(dir);
      expect(whileCurrent.open).toEqual([]);
      expect(whileCurrent.suppressed).toEqual(['NHI-PRIV-001 arn:aws:iam::111111111111:role/cost-report']);
      expect(current.stdout.trimEnd().split('\n').at(-1)).toMatch(/ · 1 suppressed · \d+ hidden by baseline$/);
    });
  });

  it.skipIf(!HAS_MARKDOWN)(
    `GitHub Actions writes the Markdown report to the job summary${HAS_MARKDOWN ? '' : ' (skipped: this build has no --format markdown yet)'}`,
    async () => {
      const dir = await checkout('github-summary');
      expect((await shell(acceptCommand, dir)).code).toBe(0);
      await addNewProblem(dir);
      const summaryFile = path.join(dir, 'step-summary.md');
      const scan = await shell(RECIPES['GitHub Actions']?.scan ?? '', dir);
      expect(scan.code, scan.stderr).toBe(1);
      // The later steps run after a failed gate too (their `if:` asks only that the report exists).
      for (const step of RECIPES['GitHub Actions']?.after ?? []) {
        if (!existsSync(path.join(dir, 'nhi-audit.md'))) break;
        const run = await shell(step.run ?? '', dir, { GITHUB_STEP_SUMMARY: summaryFile });
        expect(run.code, `${step.name ?? ''}: ${run.stderr}`).toBe(0);
      }
      const summary = await readFile(summaryFile, 'utf8');
      expect(summary).toBe(await readFile(path.join(dir, 'nhi-audit.md'), 'utf8'));
      expect(summary).toContain('cost-report');
    },
  );
});
