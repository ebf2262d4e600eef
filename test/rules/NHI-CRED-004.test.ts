import { describe, expect, it } from 'vitest';
import type { FindingDraft } from '../../src/engine/rule-api.js';
import { formatSource, type NormalizedRecord } from '../../src/model/index.js';
import { rule } from '../../src/rules/NHI-CRED-004.js';
import { runRule } from '../helpers/run-rule.js';
import { at, credential, event, identity, t, world } from '../helpers/world.js';

const AS_OF = t('2026-03-10T00:00:00Z');
const USER = 'arn:aws:iam::1:user/ci';
const where = (finding: FindingDraft | undefined) => (finding?.evidence ?? []).map((item) => formatSource(item.source));

const awsUser = identity({ id: USER, type: 'user', provider: 'aws', source: at('authz.json', 2) });
const key = (extra = {}) => credential({ id: 'AKIAEXAMPLE0001', identity: USER, type: 'access-key', source: at('creds.csv', 4), ...extra });
const use = (userAgent: string, line: number, day = 1) =>
  event({ time: t(`2026-03-0${day}T10:00:00Z`), identity: USER, credential: 'AKIAEXAMPLE0001', userAgent, source: at('trail.json', line) });

describe('NHI-CRED-004 static-secret-auth', () => {
  it('reports a long-term access key used from GitHub Actions, with the full message', async () => {
    const run = await runRule(rule, world(awsUser, key(), use('aws-cli/2.15 configure-aws-credentials-for-github-actions', 12, 2), use('aws-cli/2.15 Python/3.11', 11)), AS_OF);
    expect(run.findings).toHaveLength(1);
    const [finding] = run.findings;
    expect(finding?.messageId).toBe('access-key-from-ci');
    expect(finding?.subject).toEqual({ kind: 'credential', id: 'AKIAEXAMPLE0001', provider: 'aws' });
    expect(finding?.message).toBe(
      `Access key AKIAEXAMPLE0001 of ${USER}, a long-term access key, is used from CI (GitHub Actions): user agent ` +
        '"aws-cli/2.15 configure-aws-credentials-for-github-actions" first seen 2026-03-02T10:00:00Z (trail.json:12); ' +
        'use an IAM role assumed through OIDC federation from the CI system (AssumeRoleWithWebIdentity) instead.',
    );
    expect(where(finding)).toEqual(['creds.csv:4', 'trail.json:12']);
    expect(finding?.evidence.map((item) => item.key)).toEqual(['credential:AKIAEXAMPLE0001', 'user-agent:AKIAEXAMPLE0001:GitHub Actions']);
  });

  it.each<{ name: string; records: NormalizedRecord[]; id: string; lines: string[] }>([
    { name: 'an access key used from Lambda', records: [awsUser, key(), use('aws-sdk-js/3.4 exec-env/AWS_Lambda_nodejs20.x', 20)], id: 'access-key-from-compute', lines: ['creds.csv:4', 'trail.json:20'] },
    { name: 'an access key used from GitLab Runner', records: [awsUser, key(), use('gitlab-runner 16.5 aws-sdk-go/1.44', 21)], id: 'access-key-from-ci', lines: ['creds.csv:4', 'trail.json:21'] },
    {
      name: 'a legacy Kubernetes service-account token',
      records: [identity({ id: 'system:serviceaccount:ci:builder', provider: 'k8s' }), credential({ id: 'builder-token-x7k', identity: 'system:serviceaccount:ci:builder', type: 'sa-token', source: at('secrets.yaml', 30) })],
      id: 'legacy-sa-token', lines: ['secrets.yaml:30'],
    },
    {
      name: 'a user-managed GCP key',
      records: [identity({ id: 'sa@p.iam.gserviceaccount.com', provider: 'gcp' }), credential({ id: 'keyid-1', identity: 'sa@p.iam.gserviceaccount.com', type: 'sa-key', providerManaged: false, source: at('keys.json', 6) })],
      id: 'user-managed-sa-key', lines: ['keys.json:6'],
    },
    {
      name: 'an Entra client secret',
      records: [identity({ id: 'app-1', type: 'app', provider: 'entra' }), credential({ id: 'pwd-1', identity: 'app-1', type: 'client-secret', source: at('sps.json', 14) })],
      id: 'client-secret', lines: ['sps.json:14'],
    },
    {
      name: 'an Okta SSWS API token',
      records: [identity({ id: 'okta-svc', type: 'api-key-holder', provider: 'okta' }), credential({ id: '00Tabc', identity: 'okta-svc', type: 'api-key', source: at('okta.json', 3) })],
      id: 'okta-api-token', lines: ['okta.json:3'],
    },
  ])('fires on $name', async ({ records, id, lines }) => {
    const run = await runRule(rule, world(...records), AS_OF);
    expect(run.findings.map((finding) => finding.messageId)).toEqual([id]);
    expect(where(run.findings[0])).toEqual(lines);
  });

  it.each<{ name: string; records: NormalizedRecord[] }>([
    { name: 'an access key used from a laptop CLI', records: [awsUser, key(), use('aws-cli/2.15 Python/3.11 Darwin/23', 1)] },
    { name: 'an access key used from CI but revoked', records: [awsUser, key({ revokedAt: t('2026-03-05T00:00:00Z') }), use('gitlab-runner 16.5', 1)] },
    { name: 'a provider-managed GCP key', records: [identity({ id: 'sa@p', provider: 'gcp' }), credential({ id: 'k', identity: 'sa@p', type: 'sa-key', providerManaged: true })] },
    { name: 'a client secret of a non-Entra OAuth client', records: [identity({ id: 'c', type: 'app', provider: 'oauth' }), credential({ id: 's', identity: 'c', type: 'client-secret' })] },
    { name: 'an API key outside Okta', records: [identity({ id: 'h', provider: 'custom' }), credential({ id: 'k', identity: 'h', type: 'api-key' })] },
    { name: 'an inactive legacy token', records: [credential({ id: 'tok', type: 'sa-token', active: false })] },
    { name: 'an Entra certificate', records: [identity({ id: 'app-1', type: 'app', provider: 'entra' }), credential({ id: 'cert', identity: 'app-1', type: 'certificate' })] },
  ])('does not fire on $name', async ({ records }) => {
    const run = await runRule(rule, world(...records), AS_OF);
    expect(run.findings).toEqual([]);
    expect(run.notEvaluated).toEqual([]);
  });

  it('reports each static secret of one input', async () => {
    const run = await runRule(
      rule,
      world(identity({ id: 'app-1', type: 'app', provider: 'entra' }), credential({ id: 'pwd-1', identity: 'app-1', type: 'client-secret' }), credential({ id: 'pwd-2', identity: 'app-1', type: 'client-secret' })),
      AS_OF,
    );
    expect(run.findings.map((finding) => finding.subject.id)).toEqual(['pwd-1', 'pwd-2']);
  });

  it('notes access keys it could not judge without events', async () => {
    const run = await runRule(rule, world(awsUser, key()), AS_OF);
    expect(run.findings).toEqual([]);
    expect(run.notes).toEqual([expect.stringMatching(/not checked for use from CI or cloud compute/)]);
  });

  it('is not evaluated without credentials', async () => {
    const run = await runRule(rule, world(awsUser), AS_OF);
    expect(run.notEvaluated).toEqual([expect.stringMatching(/no credentials/)]);
  });
});
