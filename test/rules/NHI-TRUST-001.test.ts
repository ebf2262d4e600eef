import { describe, expect, it } from 'vitest';
import type { FindingDraft } from '../../src/engine/rule-api.js';
import { formatSource, type TrustStatement } from '../../src/model/index.js';
import { rule } from '../../src/rules/NHI-TRUST-001.js';
import { runRule } from '../helpers/run-rule.js';
import { at, identity, t, world } from '../helpers/world.js';

const AS_OF = t('2026-03-10T00:00:00Z');
const ROLE = 'arn:aws:iam::111122223333:role/deploy';
const GITHUB = 'arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com';
const EKS = 'arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF';

function federated(trustee: string, pinning: Record<string, string[]> = {}, extra: Partial<TrustStatement> = {}): TrustStatement {
  const pins = Object.entries(pinning).map(([key, values]) => ({ key, values }));
  return {
    effect: 'allow',
    trustees: [{ kind: 'federated', id: trustee }],
    actions: ['sts:AssumeRoleWithWebIdentity'],
    hasConditions: pins.length > 0,
    conditionKeys: pins.map((pin) => pin.key),
    ...(pins.length === 0 ? {} : { pinning: pins }),
    ...extra,
  };
}

const role = (trust: TrustStatement[], id = ROLE, line = 4) =>
  identity({ id, type: 'role', provider: 'aws', tenant: '111122223333', trust, source: at('authz.json', line) });

const where = (finding: FindingDraft | undefined) => (finding?.evidence ?? []).map((item) => formatSource(item.source));
const SUB = 'token.actions.githubusercontent.com:sub';
const AUD = 'token.actions.githubusercontent.com:aud';

describe('NHI-TRUST-001 unconstrained-oidc-trust', () => {
  it('reports a GitHub OIDC trust with only the audience pinned as critical, with the full message', async () => {
    const run = await runRule(rule, world(role([federated(GITHUB, { [AUD]: ['sts.amazonaws.com'] })])), AS_OF);
    expect(run.findings).toHaveLength(1);
    const [finding] = run.findings;
    expect(finding?.messageId).toBe('unpinned-public');
    expect(finding?.severity).toBe('critical');
    expect(finding?.subject).toEqual({ kind: 'identity', id: ROLE, provider: 'aws', tenant: '111122223333' });
    expect(finding?.message).toBe(
      `Role ${ROLE} trusts GitHub Actions (token.actions.githubusercontent.com) for federated sign-in, but no condition pins the subject ` +
        '(audience "sts.amazonaws.com"), and anyone can obtain a token from this issuer.',
    );
    expect(where(finding)).toEqual(['authz.json:4']);
    expect(finding?.evidence.map((item) => item.key)).toEqual([`trust:${ROLE}:${GITHUB}`]);
  });

  it.each([
    { name: 'GitHub with no conditions', trust: federated(GITHUB), id: 'unpinned-public', severity: 'critical' },
    { name: 'GitHub sub "repo:*"', trust: federated(GITHUB, { [SUB]: ['repo:*'] }), id: 'unpinned-public', severity: 'critical' },
    { name: 'GitHub sub "*"', trust: federated(GITHUB, { [SUB]: ['*'] }), id: 'unpinned-public', severity: 'critical' },
    { name: 'GitHub one pinned and one "repo:*/*" value', trust: federated(GITHUB, { [SUB]: ['repo:acme/app:ref:refs/heads/main', 'repo:*/*'] }), id: 'unpinned-public', severity: 'critical' },
    { name: 'GitHub owner-level "repo:acme/*"', trust: federated(GITHUB, { [SUB]: ['repo:acme/*'] }), id: 'owner-wildcard', severity: 'medium' },
    { name: 'GitHub owner-level "repo:acme/*:*"', trust: federated(GITHUB, { [SUB]: ['repo:acme/*:*'] }), id: 'owner-wildcard', severity: 'medium' },
    { name: 'GitHub repository_owner only', trust: federated(GITHUB, { 'token.actions.githubusercontent.com:repository_owner': ['acme'] }), id: 'owner-wildcard', severity: 'medium' },
    { name: 'EKS without a subject (private issuer)', trust: federated(EKS, { 'oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF:aud': ['sts.amazonaws.com'] }), id: 'unpinned', severity: 'high' },
    { name: 'EKS namespace wildcard', trust: federated(EKS, { 'oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF:sub': ['system:serviceaccount:ci:*'] }), id: 'owner-wildcard', severity: 'medium' },
    { name: 'Cognito with only the identity pool audience', trust: federated('cognito-identity.amazonaws.com', { 'cognito-identity.amazonaws.com:aud': ['eu-west-1:pool-1'] }), id: 'audience-only', severity: 'high' },
    { name: 'Cognito with no conditions', trust: federated('cognito-identity.amazonaws.com'), id: 'unpinned-public', severity: 'critical' },
    { name: 'an Entra federated credential from GitHub with a wildcard subject', trust: federated('https://token.actions.githubusercontent.com', { sub: ['repo:*'], aud: ['api://AzureADTokenExchange'] }, { actions: ['federated-credential'] }), id: 'unpinned-public', severity: 'critical' },
    { name: 'an unknown self-hosted issuer without subject', trust: federated('https://issuer.internal.example/'), id: 'unpinned', severity: 'high' },
  ])('fires on $name', async ({ trust, id, severity }) => {
    const run = await runRule(rule, world(role([trust])), AS_OF);
    expect(run.findings.map((finding) => [finding.messageId, finding.severity])).toEqual([[id, severity]]);
    expect(where(run.findings[0])).toEqual(['authz.json:4']);
  });

  it.each([
    { name: 'GitHub sub pinned to a repository and branch', trust: [federated(GITHUB, { [SUB]: ['repo:acme/app:ref:refs/heads/main'], [AUD]: ['sts.amazonaws.com'] })] },
    { name: 'GitHub sub pinned to a repository, any ref', trust: [federated(GITHUB, { [SUB]: ['repo:acme/app:*'] })] },
    { name: 'broad sub but a pinned repository key (conditions combine)', trust: [federated(GITHUB, { [SUB]: ['repo:*'], 'token.actions.githubusercontent.com:repository': ['acme/app'] })] },
    { name: 'GitHub job_workflow_ref pinned', trust: [federated(GITHUB, { 'token.actions.githubusercontent.com:job_workflow_ref': ['acme/wf/.github/workflows/deploy.yml@refs/heads/main'] })] },
    { name: 'EKS pinned to one service account', trust: [federated(EKS, { 'oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF:sub': ['system:serviceaccount:ci:deployer'] })] },
    { name: 'a deny statement', trust: [federated(GITHUB, {}, { effect: 'deny' })] },
    { name: 'SAML single sign-on', trust: [federated('arn:aws:iam::111122223333:saml-provider/AWSSSO_abc', {}, { actions: ['sts:AssumeRoleWithSAML'] })] },
    { name: 'a service trustee', trust: [{ effect: 'allow', trustees: [{ kind: 'service', id: 'lambda.amazonaws.com' }], actions: ['sts:AssumeRole'], hasConditions: false, conditionKeys: [] } satisfies TrustStatement] },
  ])('does not fire on $name', async ({ trust }) => {
    const run = await runRule(rule, world(role(trust)), AS_OF);
    expect(run.findings).toEqual([]);
    expect(run.notEvaluated).toEqual([]);
  });

  it('notes a subject condition whose values the input omitted instead of guessing', async () => {
    const trust = federated(GITHUB, {}, { hasConditions: true, conditionKeys: [AUD, SUB] });
    const run = await runRule(rule, world(role([trust])), AS_OF);
    expect(run.findings).toEqual([]);
    expect(run.notes).toEqual([expect.stringContaining(`${ROLE} (token.actions.githubusercontent.com)`)]);
  });

  it('reports two roles, one per finding', async () => {
    const other = 'arn:aws:iam::111122223333:role/build';
    const run = await runRule(rule, world(role([federated(GITHUB)]), role([federated(EKS)], other, 9)), AS_OF);
    expect(run.findings.map((finding) => [finding.subject.id, finding.severity, where(finding)])).toEqual([
      [other, 'high', ['authz.json:9']],
      [ROLE, 'critical', ['authz.json:4']],
    ]);
  });

  it('is not evaluated without any trust policies', async () => {
    const run = await runRule(rule, world(identity({ id: ROLE, type: 'role' })), AS_OF);
    expect(run.notEvaluated).toEqual([expect.stringMatching(/no trust policies/)]);
    expect(run.findings).toEqual([]);
  });
});
