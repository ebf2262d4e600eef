/*
 * DESIGN.md §8: a secret value that appears in the input is never printed.
 * Secret-looking fields are not read at all; a token pasted where an id was
 * expected is masked to its kind and last four characters.
 */
import { describe, expect, it } from 'vitest';
import { AS_OF, runCli } from '../helpers/cli.js';

const SECRETS = [
  's3cr3t-Client-Value-Do-Not-Print-9f2b',
  'ghp_R3alLookingT0kenValueThatMustNeverPrint01',
  'R3alLookingT0kenValueThatMustNeverPrint',
  'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJtYWxsb3J5In0',
  'hunter2-Plaintext-Secret-Value',
];

describe('secrets in input', () => {
  it.each([
    ['scan', 'table'],
    ['scan', 'json'],
    ['scan', 'sarif'],
    ['inventory', 'table'],
    ['inventory', 'json'],
  ])('%s --format %s prints none of them', async (command, format) => {
    const run = await runCli([command, 'fixtures/scenarios/secrets', '--format', format, ...(command === 'scan' ? ['--as-of', AS_OF] : [])]);
    expect(run.code, run.stderr).toBeLessThan(2);
    const output = run.stdout + run.stderr;
    expect(output).toMatch(/ghp_|…/); // the credential is still identifiable…
    for (const secret of SECRETS) expect(output).not.toContain(secret); // …but never in full
  });

  it('still reports the findings about that credential', async () => {
    const run = await runCli(['scan', 'fixtures/scenarios/secrets', '--as-of', AS_OF, '--format', 'json']);
    const report = JSON.parse(run.stdout) as { findings: { ruleName: string; subject: { id: string } }[] };
    const token = report.findings.find((finding) => finding.ruleName === 'orphaned-refresh-token');
    expect(token?.subject.id).toBe('[github-token …nt01]');
  });
});
