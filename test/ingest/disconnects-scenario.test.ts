/*
 * fixtures/scenarios/disconnects: per provider, a person leaves after a
 * delegate acted for them; the provider's own revoke record names the
 * credential or the app but the person only indirectly. Without it
 * missing-disconnect-event reports the person; with it, it must not.
 */
import { describe, expect, test } from 'vitest';
import { runCli } from '../helpers/cli.js';

const DIR = 'fixtures/scenarios/disconnects';
const AS_OF = '2026-03-20T00:00:00Z';

interface Finding {
  readonly ruleId: string;
  readonly subject: { readonly kind: string; readonly id: string };
  readonly message: string;
  readonly evidence: readonly { readonly source: { readonly file: string; readonly line: number } }[];
}

/** NHI-LIFE-001 findings for these files, after checking every file was read without a skip. */
async function disconnectFindings(files: readonly string[]): Promise<Finding[]> {
  const paths = files.map((file) => `${DIR}/${file}`);
  const run = await runCli(['scan', ...paths, '--strict', '--format', 'json', '--fail-on', 'none', '--as-of', AS_OF, '--enable', 'NHI-LIFE-001']);
  expect(run.code, run.stderr).toBe(0);
  const report = JSON.parse(run.stdout) as { findings: Finding[]; inputs: { file: string; skipped: number }[] };
  expect(report.inputs.map((input) => [input.file, input.skipped]).sort()).toEqual(paths.map((path) => [path, 0]).sort());
  return report.findings.filter((finding) => finding.ruleId === 'NHI-LIFE-001');
}

const where = (finding: Finding | undefined): string[] =>
  (finding?.evidence ?? []).map((item) => `${item.source.file}:${item.source.line}`);

describe('native disconnect records end the delegation of the person a credential or app acted for', () => {
  const github = ['github/audit-log.ndjson'];

  test('GitHub: without revokes both removed members are reported, the PAT by its token id', async () => {
    const findings = await disconnectFindings(github);
    expect(findings.map((finding) => finding.subject.id)).toEqual(['dana', 'erin']);
    const dana = findings[0];
    expect(dana?.message).toBe(
      'dana was offboarded 2026-03-09T09:00:00Z, but no revoke or disconnect event followed within 1 day: ' +
        'credential gh-token:4242 (seen in the logs acting for dana) was still not revoked at 2026-03-10T09:00:00Z; ' +
        `last activity 2026-03-08T09:00:00Z (${DIR}/github/audit-log.ndjson:3).`,
    );
    expect(where(dana)).toEqual([`${DIR}/github/audit-log.ndjson:5`, `${DIR}/github/audit-log.ndjson:3`]);
  });

  test('GitHub personal_access_token.access_revoked by an org admin disconnects the token owner', async () => {
    const findings = await disconnectFindings([...github, 'github/pat-revoke.ndjson']);
    expect(findings.map((finding) => finding.subject.id)).toEqual(['erin']);
  });

  test('GitHub oauth_authorization.destroy disconnects the person who authorised the app', async () => {
    const findings = await disconnectFindings([...github, 'github/oauth-destroy.ndjson']);
    expect(findings.map((finding) => finding.subject.id)).toEqual(['dana']);
  });

  test('Okta: a deactivated user whose refresh token lives on is reported', async () => {
    const findings = await disconnectFindings(['okta/system-log.ndjson']);
    expect(findings.map((finding) => finding.subject.id)).toEqual(['carol@acme.example']);
    expect(findings[0]?.message).toContain('refresh token rt-carol-1 was still not revoked at 2026-03-10T09:00:00Z');
  });

  test('Okta app.oauth2.as.token.revoke by an admin (naming the app and token, not the user) disconnects the user', async () => {
    expect(await disconnectFindings(['okta/system-log.ndjson', 'okta/token-revoke.ndjson'])).toEqual([]);
  });

  const entra = ['entra/people.yaml', 'entra/service-principals.json', 'entra/sign-ins.json'];

  test('Entra: an offboarded user the app acted for is reported', async () => {
    const findings = await disconnectFindings(entra);
    expect(findings.map((finding) => finding.subject.id)).toEqual(['frank@contoso.example']);
    expect(where(findings[0])).toEqual([`${DIR}/entra/people.yaml:5`, `${DIR}/entra/sign-ins.json:4`]);
  });

  test('Entra "Remove delegated permission grant" for the app disconnects the user it acted for', async () => {
    expect(await disconnectFindings([...entra, 'entra/grant-remove.json'])).toEqual([]);
  });

  test('an Entra grant update (Remove + Add in the same instant) is no disconnect', async () => {
    const findings = await disconnectFindings([...entra, 'entra/grant-update.json']);
    expect(findings.map((finding) => finding.subject.id)).toEqual(['frank@contoso.example']);
  });

  const k8s = ['k8s/audit.ndjson', 'k8s/people.yaml', 'k8s/release-tool.events.ndjson'];

  test('Kubernetes: the legacy token the person\'s deploys used, still in place, is reported', async () => {
    const findings = await disconnectFindings(k8s);
    expect(findings.map((finding) => finding.subject.id)).toEqual(['bob@acme.example']);
    expect(findings[0]?.message).toContain('credential ci/deployer-token-x7k2p (seen in the logs acting for bob@acme.example) was still not revoked');
  });

  test('Kubernetes delete of the kubernetes.io/service-account-token Secret disconnects the person', async () => {
    expect(await disconnectFindings([...k8s, 'k8s/token-delete.ndjson'])).toEqual([]);
  });
});
