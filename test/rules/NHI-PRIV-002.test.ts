import { describe, expect, it } from 'vitest';
import type { FindingDraft } from '../../src/engine/rule-api.js';
import { formatSource, type NormalizedRecord } from '../../src/model/index.js';
import { rule } from '../../src/rules/NHI-PRIV-002.js';
import { runRule } from '../helpers/run-rule.js';
import { at, credential, grant, identity, t, world } from '../helpers/world.js';

const AS_OF = t('2026-03-10T00:00:00Z');
const ROLE = 'arn:aws:iam::123456789012:role/ci-deployer';
const SA = 'deployer@proj.iam.gserviceaccount.com';
const KSA = 'system:serviceaccount:ops:runner';
const APP = '11111111-2222-3333-4444-555555555555';

const who = {
  aws: () => identity({ id: ROLE, type: 'role', provider: 'aws', tenant: '123456789012', source: at('iam.json', 3) }),
  gcp: () => identity({ id: SA, provider: 'gcp', tenant: 'proj', source: at('iam.json', 3) }),
  k8s: () => identity({ id: KSA, provider: 'k8s', source: at('iam.json', 3) }),
  entra: () => identity({ id: APP, type: 'app', provider: 'entra', source: at('iam.json', 3) }),
};
const HOLDER = { aws: ROLE, gcp: SA, k8s: KSA, entra: APP };

function where(finding: FindingDraft | undefined): string[] {
  return (finding?.evidence ?? []).map((item) => formatSource(item.source));
}

describe('NHI-PRIV-002 privilege-escalation', () => {
  it.each([
    { name: 'the GCP getAccessToken permission', provider: 'gcp', actions: ['iam.serviceAccounts.getAccessToken'], method: 'gcp-get-access-token', severity: 'high' },
    { name: 'a GCP setIamPolicy permission', provider: 'gcp', actions: ['resourcemanager.projects.setIamPolicy'], method: 'gcp-project-set-iam-policy', severity: 'critical' },
    { name: 'the GCP key-create permission', provider: 'gcp', actions: ['iam.serviceAccountKeys.create'], method: 'gcp-key-create', severity: 'high' },
    { name: 'a GCP wildcard reaching setIamPolicy', provider: 'gcp', actions: ['resourcemanager.projects.*'], method: 'gcp-project-set-iam-policy', severity: 'critical' },
    { name: 'Kubernetes impersonation of users and groups', provider: 'k8s', actions: ['impersonate users', 'impersonate groups'], method: 'k8s-impersonate', severity: 'critical' },
    { name: 'Kubernetes "* certificatesigningrequests*" with approve signers', provider: 'k8s', actions: ['* certificatesigningrequests*', 'approve signers'], method: 'k8s-csr-approve', severity: 'critical' },
    { name: 'Graph RoleManagement.ReadWrite.Directory', provider: 'entra', actions: ['RoleManagement.ReadWrite.Directory'], method: 'entra-role-management', severity: 'critical' },
    { name: 'Graph Application.ReadWrite.All', provider: 'entra', actions: ['Application.ReadWrite.All'], method: 'entra-application-write', severity: 'high' },
  ] as const)('fires on $name', async ({ provider, actions, method, severity }) => {
    const holder = HOLDER[provider];
    const scene = world(who[provider](), grant({ identity: holder, actions, via: 'Binding', source: at('iam.json', 20) }));
    const run = await runRule(rule, scene, AS_OF);
    expect(run.findings).toHaveLength(1);
    const [finding] = run.findings;
    expect(finding?.messageId).toBe(severity === 'critical' ? 'escalation-to-admin' : 'escalation');
    expect(finding?.severity ?? 'high').toBe(severity);
    expect(finding?.subject.id).toBe(holder);
    expect(finding?.message).toContain(`through 1 method: ${method} — `);
    expect(where(finding)).toEqual(['iam.json:3', 'iam.json:20']);
    expect(finding?.evidence.map((item) => item.key)).toEqual([`identity:${holder}`, `grant:${holder}:Binding`]);
  });

  it('names the AWS method, each deciding statement with its line, and what it reaches', async () => {
    const scene = world(
      who.aws(),
      grant({ identity: ROLE, actions: ['iam:PassRole'], resources: ['arn:aws:iam::123456789012:role/admin'], via: 'PassAdmin', source: at('iam.json', 30) }),
      grant({ identity: ROLE, actions: ['ec2:*'], via: 'Ec2Full', hasConditions: true, source: at('iam.json', 31) }),
    );
    const run = await runRule(rule, scene, AS_OF);
    expect(run.findings).toHaveLength(1);
    const [finding] = run.findings;
    expect(finding?.message).toBe(
      `Role ${ROLE} can raise its own or another identity's privileges: aws-passrole-ec2 (PassRole + EC2 RunInstances): ` +
        '"iam:PassRole" on "arn:aws:iam::123456789012:role/admin" via PassAdmin (iam.json:30) + ' +
        '"ec2:RunInstances" on "*" via Ec2Full (iam.json:31, depending on conditions not shown in the input) — ' +
        'the inputs do not list every identity of account 123456789012, so it may reach roles ec2.amazonaws.com can assume they do not show, any of which may be more privileged: ' +
        'starts an EC2 instance with the role and uses its credentials from the instance.',
    );
    expect(finding?.severity).toBeUndefined();
    expect(finding?.subject).toEqual({ kind: 'identity', id: ROLE, provider: 'aws', tenant: '123456789012' });
    expect(where(finding)).toEqual(['iam.json:3', 'iam.json:30', 'iam.json:31']);
  });

  it('names every method an "everything except" grant leaves open', async () => {
    const scene = world(who.aws(), grant({ identity: ROLE, actions: ['s3:*', 'iam:Create*'], notActions: true, via: 'NotS3', source: at('iam.json', 40) }));
    const run = await runRule(rule, scene, AS_OF);
    expect(run.findings).toHaveLength(1);
    const message = run.findings[0]?.message ?? '';
    expect(message).toContain('aws-attach-user-policy (AttachUserPolicy): all actions except "s3:*", "iam:Create*" on "*" via NotS3 (iam.json:40)');
    expect(message).toContain('aws-put-role-policy');
    // Excluded by iam:Create*.
    expect(message).not.toContain('aws-create-policy-version');
    expect(run.findings[0]?.severity).toBe('critical');
    expect(where(run.findings[0])).toEqual(['iam.json:3', 'iam.json:40']);
  });

  it.each<{ name: string; records: NormalizedRecord[] }>([
    { name: 'iam:PassRole without a way to start compute', records: [grant({ identity: ROLE, actions: ['iam:PassRole'] })] },
    { name: 'compute without iam:PassRole', records: [grant({ identity: ROLE, actions: ['ec2:RunInstances', 'lambda:*'] })] },
    { name: 'lambda:CreateFunction and PassRole but no way to invoke', records: [grant({ identity: ROLE, actions: ['iam:PassRole', 'lambda:CreateFunction'] })] },
    { name: 'read-only IAM actions', records: [grant({ identity: ROLE, actions: ['iam:Get*', 'iam:List*'] })] },
    { name: 'an "everything except iam:*" grant', records: [grant({ identity: ROLE, actions: ['iam:*'], notActions: true })] },
    {
      name: 'an attach action cancelled by an unconditional deny of "iam:Attach*"',
      records: [grant({ identity: ROLE, actions: ['iam:AttachRolePolicy'] }), grant({ identity: ROLE, actions: ['iam:Attach*'], effect: 'deny' })],
    },
    {
      name: 'an escalation action outside a deny NotAction\'s exceptions',
      records: [grant({ identity: ROLE, actions: ['iam:CreateAccessKey'] }), grant({ identity: ROLE, actions: ['s3:*'], notActions: true, effect: 'deny' })],
    },
    { name: 'a deny of an escalation action alone', records: [grant({ identity: ROLE, actions: ['iam:*'], effect: 'deny' })] },
  ])('does not fire on $name', async ({ records }) => {
    const run = await runRule(rule, world(who.aws(), ...records), AS_OF);
    expect(run.findings).toEqual([]);
    expect(run.notEvaluated).toEqual([]);
  });

  it.each([
    { name: 'Kubernetes "get pods/*"', provider: 'k8s', actions: ['get pods/*', 'list *'] },
    { name: 'Kubernetes "create pods" with no more privileged service account in the inputs', provider: 'k8s', actions: ['create pods'] },
    { name: 'Kubernetes "bind *" without the right to write a role binding', provider: 'k8s', actions: ['bind *'] },
    { name: 'Kubernetes "* pods/*" with no more privileged service account in the inputs', provider: 'k8s', actions: ['* pods/*'] },
    { name: 'a GCP viewer role', provider: 'gcp', actions: ['roles/iam.serviceAccountViewer'] },
    { name: 'a GCP getIamPolicy permission', provider: 'gcp', actions: ['resourcemanager.projects.getIamPolicy'] },
    { name: 'a GCP wildcard that sets bucket policies only', provider: 'gcp', actions: ['storage.buckets.*'] },
    { name: 'Graph Application.Read.All', provider: 'entra', actions: ['Application.Read.All'] },
  ] as const)('does not fire on $name', async ({ provider, actions }) => {
    const run = await runRule(rule, world(who[provider](), grant({ identity: HOLDER[provider], actions })), AS_OF);
    expect(run.findings).toEqual([]);
  });

  it.each([
    ['a deny with conditions', { hasConditions: true }],
    ['a deny on one resource only', { resources: ['arn:aws:iam::123456789012:role/other'] }],
  ] as const)('still fires when the escalation action meets %s', async (_name, deny) => {
    const scene = world(who.aws(), grant({ identity: ROLE, actions: ['iam:AttachRolePolicy'] }), grant({ identity: ROLE, actions: ['iam:*'], effect: 'deny', ...deny }));
    const run = await runRule(rule, scene, AS_OF);
    expect(run.findings.map((finding) => finding.messageId)).toEqual(['escalation-to-admin']);
  });

  it.each([
    { name: 'a human user (console password, no key)', type: 'user', status: 'active' },
    { name: 'a deleted identity', type: 'role', status: 'deleted' },
  ] as const)('does not fire on iam:* held by $name', async ({ type, status }) => {
    const scene = world(
      identity({ id: 'x', type, status, provider: 'aws' }),
      grant({ identity: 'x', actions: ['iam:*'] }),
      credential({ id: 'x#password', identity: 'x', type: 'password' }),
    );
    expect((await runRule(rule, scene, AS_OF)).findings).toEqual([]);
  });

  it('leaves identities allowed everything to NHI-PRIV-001 and notes them', async () => {
    const scene = world(who.aws(), grant({ identity: ROLE, actions: ['*'] }), who.k8s(), grant({ identity: KSA, actions: ['* *'] }));
    const run = await runRule(rule, scene, AS_OF);
    expect(run.findings).toEqual([]);
    expect(run.notes).toEqual([
      `2 identities allowed every action on every resource are not listed method by method (NHI-PRIV-001 wildcard-privilege reports them): ${ROLE} and ${KSA}`,
      expect.stringMatching(/^AWS: no service control policy or resource policy export was supplied/),
    ]);
  });

  it('reports the owner of a privileged app as well as the app itself', async () => {
    const OWNER = 'aaaaaaaa-0000-0000-0000-000000000001';
    const scene = world(
      identity({ id: APP, type: 'app', provider: 'entra', owner: OWNER, source: at('apps.json', 5) }),
      identity({ id: OWNER, type: 'app', provider: 'entra', source: at('apps.json', 9) }),
      grant({ identity: APP, actions: ['Application.ReadWrite.All'], via: 'appRoleAssignment', source: at('apps.json', 6) }),
    );
    const run = await runRule(rule, scene, AS_OF);
    expect(run.findings.map((finding) => [finding.subject.id, finding.messageId])).toEqual([
      [APP, 'escalation'],
      [OWNER, 'escalation'],
    ]);
    const owner = run.findings[1];
    expect(owner?.message).toBe(
      `App ${OWNER} can raise its own or another identity's privileges through 1 method: entra-owner-of-privileged-app — ` +
        `owner of app ${APP} (apps.json:5), which can escalate through entra-application-write: ` +
        'as owner, adds a credential to an app that can itself escalate, and signs in as that app.',
    );
    expect(where(owner)).toEqual(['apps.json:9', 'apps.json:5']);
    expect(owner?.evidence.map((item) => item.key)).toEqual([`identity:${OWNER}`, `owned-app:${APP}`]);
  });

  it('does not report the owner of an app that cannot escalate', async () => {
    const scene = world(
      identity({ id: APP, type: 'app', provider: 'entra', owner: 'owner-app' }),
      identity({ id: 'owner-app', type: 'app', provider: 'entra' }),
      grant({ identity: APP, actions: ['User.Read.All'] }),
    );
    expect((await runRule(rule, scene, AS_OF)).findings).toEqual([]);
  });

  it('is not evaluated without grants', async () => {
    const run = await runRule(rule, world(who.aws()), AS_OF);
    expect(run.notEvaluated).toEqual(['no IAM grants (policies, role bindings, app permissions) were supplied']);
    expect(run.findings).toEqual([]);
  });
});
