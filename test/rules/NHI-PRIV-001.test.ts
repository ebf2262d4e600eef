import { describe, expect, it } from 'vitest';
import type { FindingDraft } from '../../src/engine/rule-api.js';
import { formatSource, type NormalizedRecord } from '../../src/model/index.js';
import { rule } from '../../src/rules/NHI-PRIV-001.js';
import { runRule } from '../helpers/run-rule.js';
import { at, credential, grant, identity, t, world } from '../helpers/world.js';

const AS_OF = t('2026-03-10T00:00:00Z');
const SA = 'arn:aws:iam::123456789012:role/ci-deployer';

function deployer(): NormalizedRecord {
  return identity({ id: SA, type: 'role', provider: 'aws', tenant: '123456789012', source: at('iam.json', 3) });
}

function where(finding: FindingDraft | undefined): string[] {
  return (finding?.evidence ?? []).map((item) => formatSource(item.source));
}

describe('NHI-PRIV-001 wildcard-privilege', () => {
  it.each([
    { name: '"*" on "*"', actions: ['*'], resources: ['*'], severity: 'critical', messageId: 'admin-wildcard' },
    { name: '"*:*" on "*"', actions: ['*:*'], resources: ['*'], severity: 'critical', messageId: 'admin-wildcard' },
    { name: '"*" on a whole-account ARN', actions: ['*'], resources: ['arn:aws:*:*:*'], severity: 'critical', messageId: 'admin-wildcard' },
    { name: 'an admin service wildcard', actions: ['iam:*'], resources: ['*'], severity: 'critical', messageId: 'admin-wildcard' },
    { name: 'an admin service wildcard on its whole service', actions: ['iam:*'], resources: ['arn:aws:iam::123456789012:*'], severity: 'critical', messageId: 'admin-wildcard' },
    { name: 'a service wildcard on "*"', actions: ['s3:GetObject', 's3:*'], resources: ['*'], severity: 'high', messageId: 'wildcard' },
    { name: 'a GCP service wildcard', actions: ['storage.*'], resources: ['*'], severity: 'high', messageId: 'wildcard' },
    { name: 'an Azure provider wildcard', actions: ['Microsoft.Storage/*'], resources: ['*'], severity: 'high', messageId: 'wildcard' },
    { name: 'a service wildcard on every bucket', actions: ['s3:*'], resources: ['arn:aws:s3:::*'], severity: 'high', messageId: 'wildcard' },
    { name: '"*" on every bucket (not every service)', actions: ['*'], resources: ['arn:aws:s3:::*'], severity: 'high', messageId: 'wildcard' },
  ])('fires on $name', async ({ actions, resources, severity, messageId }) => {
    const scene = world(deployer(), grant({ identity: SA, actions, resources, via: 'DeployPolicy', source: at('iam.json', 20) }));
    const run = await runRule(rule, scene, AS_OF);
    expect(run.findings).toHaveLength(1);
    const [finding] = run.findings;
    expect(finding?.messageId).toBe(messageId);
    expect(finding?.severity ?? 'high').toBe(severity);
    expect(finding?.subject).toEqual({ kind: 'identity', id: SA, provider: 'aws', tenant: '123456789012' });
    expect(where(finding)).toEqual(['iam.json:3', 'iam.json:20']);
    expect(finding?.evidence.map((item) => item.key)).toEqual([`identity:${SA}`, `grant:${SA}:DeployPolicy`]);
    expect(finding?.message).toContain('via DeployPolicy (no conditions)');
  });

  it.each([
    { name: 'excluding IAM only leaves organizations open', excluded: ['iam:*'], severity: 'critical' },
    { name: 'excluding every admin service', excluded: ['iam:*', 'organizations:*', 'account:*'], severity: 'high' },
  ])('fires on an allow NotAction on "*": $name', async ({ excluded, severity }) => {
    const scene = world(deployer(), grant({ identity: SA, actions: excluded, notActions: true, via: 'PowerUser', source: at('iam.json', 30) }));
    const run = await runRule(rule, scene, AS_OF);
    expect(run.findings).toHaveLength(1);
    expect(run.findings[0]?.severity ?? 'high').toBe(severity);
    expect(run.findings[0]?.message).toContain(`all actions except ${excluded.map((action) => `"${action}"`).join(', ')} on "*" via PowerUser`);
    expect(where(run.findings[0])).toEqual(['iam.json:3', 'iam.json:30']);
  });

  it.each([
    { name: 'scope "*"', scopes: ['read', '*'], severity: 'critical' },
    { name: 'scope "storage.*"', scopes: ['storage.*'], severity: 'high' },
    { name: 'scope "read:*"', scopes: ['read:*'], severity: 'high' },
  ])('fires on a live credential with $name', async ({ scopes, severity }) => {
    const scene = world(deployer(), credential({ id: 'key-1', identity: SA, scopes, source: at('keys.json', 7) }));
    const run = await runRule(rule, scene, AS_OF);
    expect(run.findings).toHaveLength(1);
    expect(run.findings[0]?.severity ?? 'high').toBe(severity);
    expect(run.findings[0]?.evidence.map((item) => item.key)).toEqual([`identity:${SA}`, 'credential:key-1']);
    expect(where(run.findings[0])).toEqual(['iam.json:3', 'keys.json:7']);
  });

  it.each<{ name: string; records: NormalizedRecord[] }>([
    { name: 'a specific action on "*"', records: [grant({ identity: SA, actions: ['s3:GetObject'], resources: ['*'] })] },
    { name: 'a service wildcard on one bucket', records: [grant({ identity: SA, actions: ['s3:*'], resources: ['arn:aws:s3:::bucket/*'] })] },
    { name: 'a deny of "*"', records: [grant({ identity: SA, actions: ['*'], resources: ['*'], effect: 'deny' })] },
    { name: 'a deny NotAction', records: [grant({ identity: SA, actions: ['iam:*'], notActions: true, effect: 'deny' })] },
    { name: 'a resource-type wildcard, not service-wide', records: [grant({ identity: SA, actions: ['storage.objects.*'] })] },
    { name: 'a prefix wildcard', records: [grant({ identity: SA, actions: ['s3:Get*'] })] },
    { name: 'a revoked credential with scope "*"', records: [credential({ id: 'k', identity: SA, scopes: ['*'], revokedAt: t('2026-01-01T00:00:00Z') })] },
    { name: 'an expired credential with scope "*"', records: [credential({ id: 'k', identity: SA, scopes: ['*'], expiresAt: t('2026-03-01T00:00:00Z') })] },
    { name: 'a scope naming a resource', records: [credential({ id: 'k', identity: SA, scopes: ['repo:acme/app:*'] })] },
    // cloudsplaining's false-positive cases: an explicit deny always wins over an allow.
    {
      name: 'allow "iam:*" cancelled by an unconditional deny "iam:*"',
      records: [
        grant({ identity: SA, actions: ['iam:*'], via: 'fp1' }),
        grant({ identity: SA, actions: ['iam:*'], effect: 'deny', via: 'fp1' }),
      ],
    },
    {
      name: 'allow "*" beside a deny-all policy',
      records: [
        grant({ identity: SA, actions: ['*'], via: 'allow-all' }),
        grant({ identity: SA, actions: ['*'], effect: 'deny', via: 'deny-all' }),
      ],
    },
  ])('does not fire on $name', async ({ records }) => {
    const run = await runRule(rule, world(deployer(), ...records), AS_OF);
    expect(run.findings).toEqual([]);
    expect(run.notEvaluated).toEqual([]);
  });

  it.each([
    { name: 'a human user (console password, no key)', type: 'user', status: 'active' },
    { name: 'a deleted identity', type: 'role', status: 'deleted' },
  ] as const)('does not fire on "*" on "*" held by $name', async ({ type, status }) => {
    const scene = world(
      identity({ id: 'x', type, status }),
      grant({ identity: 'x', actions: ['*'] }),
      credential({ id: 'x#password', identity: 'x', type: 'password' }),
    );
    expect((await runRule(rule, scene, AS_OF)).findings).toEqual([]);
  });

  it('reports one finding per identity with every offending grant, noting conditions', async () => {
    const scene = world(
      deployer(),
      identity({ id: 'sa-2@p.iam.gserviceaccount.com', provider: 'gcp', source: at('gcp.json', 1) }),
      grant({ identity: SA, actions: ['s3:*'], via: 'S3Full', hasConditions: true, source: at('iam.json', 40) }),
      grant({ identity: SA, actions: ['ec2:*'], via: 'S3Full', source: at('iam.json', 41) }),
      grant({ identity: SA, actions: ['s3:GetObject'], via: 'ReadOnly', source: at('iam.json', 42) }),
      grant({ identity: 'sa-2@p.iam.gserviceaccount.com', actions: ['*'], via: 'roles/owner', source: at('gcp.json', 9) }),
    );
    const run = await runRule(rule, scene, AS_OF);
    expect(run.findings.map((finding) => [finding.subject.id, finding.severity ?? 'high'])).toEqual([
      [SA, 'high'],
      ['sa-2@p.iam.gserviceaccount.com', 'critical'],
    ]);
    const [first] = run.findings;
    expect(where(first)).toEqual(['iam.json:3', 'iam.json:40', 'iam.json:41']);
    expect(first?.evidence.map((item) => item.key)).toEqual([`identity:${SA}`, `grant:${SA}:S3Full`, `grant:${SA}:S3Full#2`]);
    expect(first?.message).toBe(
      `Role ${SA} holds wildcard privileges: "s3:*" on "*" via S3Full (limited by conditions); "ec2:*" on "*" via S3Full (no conditions).`,
    );
  });

  it('reports a wildcard-scoped credential whose holder is not in the inventory', async () => {
    const scene = world(deployer(), credential({ id: 'tok-9', identity: 'ghost-app', scopes: ['*'], source: at('tokens.json', 5) }));
    const run = await runRule(rule, scene, AS_OF);
    expect(run.findings).toHaveLength(1);
    expect(run.findings[0]?.subject).toEqual({ kind: 'credential', id: 'tok-9' });
    expect(run.findings[0]?.severity).toBe('critical');
    expect(where(run.findings[0])).toEqual(['tokens.json:5']);
  });

  it.each([
    { name: 'an empty admin list makes "iam:*" merely high', params: { admin_actions: [] }, actions: ['iam:*'], severity: 'high' },
    { name: 'listing "s3:*" as admin makes it critical', params: { admin_actions: ['S3:*'] }, actions: ['s3:*'], severity: 'critical' },
  ])('honours admin_actions: $name', async ({ params, actions, severity }) => {
    const scene = world(deployer(), grant({ identity: SA, actions }));
    const baseline = await runRule(rule, scene, AS_OF);
    const run = await runRule(rule, scene, AS_OF, params);
    expect(run.findings[0]?.severity ?? 'high').toBe(severity);
    expect(baseline.findings[0]?.severity ?? 'high').not.toBe(severity);
  });

  it('is not evaluated without grants or credentials', async () => {
    const run = await runRule(rule, world(deployer()), AS_OF);
    expect(run.notEvaluated).toHaveLength(1);
    expect(run.notEvaluated[0]).toMatch(/grants/);
    expect(run.findings).toEqual([]);
  });

  it.each([
    ['a deny with conditions', { hasConditions: true }],
    ['a deny on one resource only', { resources: ['arn:aws:iam::123456789012:role/other'] }],
    ['a deny of a different service', { actions: ['s3:*'] }],
  ] as const)('still fires when the allow "iam:*" meets %s', async (_name, deny) => {
    const run = await runRule(
      rule,
      world(deployer(), grant({ identity: SA, actions: ['iam:*'] }), grant({ identity: SA, actions: ['iam:*'], effect: 'deny', ...deny })),
      AS_OF,
    );
    expect(run.findings.map((finding) => [finding.messageId, finding.severity])).toEqual([['admin-wildcard', 'critical']]);
  });

  describe('admin-equivalent roles and scopes (rules/data/admin-equivalent-roles.yaml)', () => {
    const GSA = 'ops@proj.iam.gserviceaccount.com';
    const holder = () => identity({ id: GSA, provider: 'gcp', source: at('iam.json', 3) });

    it.each([
      { name: 'GCP roles/owner', grant: { actions: ['roles/owner'], resources: ['projects/proj'], via: 'projects/proj' }, severity: 'critical', why: 'GCP basic role Owner' },
      { name: 'GCP roles/editor', grant: { actions: ['roles/editor'], resources: ['projects/proj'], via: 'projects/proj' }, severity: 'critical', why: 'GCP basic role Editor' },
      { name: 'a ClusterRoleBinding to cluster-admin', grant: { actions: ['get pods'], via: 'ClusterRole/cluster-admin', scope: 'cluster' }, severity: 'critical', why: 'the cluster-admin ClusterRole' },
      { name: 'Kubernetes "* *"', grant: { actions: ['* *'], via: 'ClusterRole/ops', scope: 'cluster' }, severity: 'critical', why: 'every verb on every resource', messageId: 'admin-wildcard' },
      { name: 'a RoleBinding to cluster-admin in one namespace', grant: { actions: ['* *'], via: 'ClusterRole/cluster-admin', scope: 'namespace:team-a' }, severity: 'high', why: 'only in namespace team-a', messageId: 'wildcard' },
      { name: 'a RoleBinding to cluster-admin without wildcards', grant: { actions: ['get pods'], via: 'ClusterRole/cluster-admin', scope: 'namespace:team-a' }, severity: 'high', why: '"get pods" in namespace team-a via', messageId: 'admin-role' },
      { name: 'Graph Directory.ReadWrite.All', grant: { actions: ['Directory.ReadWrite.All'], via: 'Microsoft Graph' }, severity: 'critical', why: 'Directory.ReadWrite.All can change' },
      { name: 'the Global Administrator role template', grant: { actions: ['62e90394-69f5-4237-9190-012177145e10'], via: 'directoryRole' }, severity: 'critical', why: 'the Global Administrator directory role' },
    ])('fires on $name', async ({ grant: fields, severity, why, messageId }) => {
      const scene = world(holder(), grant({ identity: GSA, ...fields, source: at('iam.json', 12) }));
      const run = await runRule(rule, scene, AS_OF);
      expect(run.findings).toHaveLength(1);
      const [finding] = run.findings;
      expect(finding?.messageId).toBe(messageId ?? 'admin-role');
      expect(finding?.severity ?? 'high').toBe(severity);
      expect(finding?.message).toContain(why);
      expect(where(finding)).toEqual(['iam.json:3', 'iam.json:12']);
      expect(finding?.evidence.map((item) => item.key)).toEqual([`identity:${GSA}`, `grant:${GSA}:${fields.via}`]);
    });

    it('states the whole message for roles/owner', async () => {
      const scene = world(holder(), grant({ identity: GSA, actions: ['roles/owner'], resources: ['projects/proj'], via: 'projects/proj', source: at('iam.json', 12) }));
      const run = await runRule(rule, scene, AS_OF);
      expect(run.findings[0]?.message).toBe(
        `Service account ${GSA} holds admin-equivalent privileges: "roles/owner" via projects/proj (no conditions), ` +
          'admin-equivalent: GCP basic role Owner holds every permission in the project, including setting its IAM policy.',
      );
    });

    it.each([
      { name: 'GitHub admin:org', scopes: ['repo', 'admin:org'] },
      { name: 'GitHub admin:enterprise', scopes: ['admin:enterprise'] },
    ])('fires on a live credential with $name', async ({ scopes }) => {
      const scene = world(holder(), credential({ id: 'pat-1', type: 'pat', identity: GSA, scopes, source: at('pats.json', 4) }));
      const run = await runRule(rule, scene, AS_OF);
      expect(run.findings.map((finding) => [finding.messageId, finding.severity])).toEqual([['admin-role', 'critical']]);
      expect(where(run.findings[0])).toEqual(['iam.json:3', 'pats.json:4']);
      expect(run.findings[0]?.message).toContain(`carries scope "${scopes[scopes.length - 1] ?? ''}" (admin-equivalent: GitHub scope`);
    });

    it('fires on an admin scope of a credential whose holder is not in the inventory', async () => {
      const scene = world(holder(), credential({ id: 'pat-2', type: 'pat', identity: 'ghost-bot', scopes: ['admin:org'], source: at('pats.json', 8) }));
      const run = await runRule(rule, scene, AS_OF);
      expect(run.findings.map((finding) => [finding.messageId, finding.severity, finding.message])).toEqual([
        ['admin-role', 'critical', 'Personal access token pat-2, held by ghost-bot (not in the inventory), carries admin-equivalent scope "admin:org".'],
      ]);
    });

    it.each<{ name: string; records: NormalizedRecord[] }>([
      { name: 'GCP roles/viewer', records: [grant({ identity: GSA, actions: ['roles/viewer'] })] },
      { name: 'a binding to ClusterRole/view', records: [grant({ identity: GSA, actions: ['get *'], via: 'ClusterRole/view' })] },
      { name: 'Graph Directory.Read.All', records: [grant({ identity: GSA, actions: ['Directory.Read.All'] })] },
      { name: 'GitHub read:org on a credential', records: [credential({ id: 'p', identity: GSA, scopes: ['read:org'] })] },
      { name: 'admin:org on a revoked credential', records: [credential({ id: 'p', identity: GSA, scopes: ['admin:org'], revokedAt: t('2026-01-01T00:00:00Z') })] },
      {
        name: 'roles/owner cancelled by an unconditional deny of it',
        records: [grant({ identity: GSA, actions: ['roles/owner'] }), grant({ identity: GSA, actions: ['roles/owner'], effect: 'deny' })],
      },
      { name: 'a deny naming roles/owner', records: [grant({ identity: GSA, actions: ['roles/owner'], effect: 'deny' })] },
    ])('does not fire on $name', async ({ records }) => {
      const run = await runRule(rule, world(holder(), ...records), AS_OF);
      expect(run.findings).toEqual([]);
    });
  });
});

/** Said once, in the same words by every AWS privilege rule, when an AWS identity was judged: no SCP or resource policy export is read. */
const SCOPE =
  'AWS: no service control policy or resource policy export was supplied, so AWS privileges were judged on identity policies, permissions boundaries and role trust policies alone (an SCP may deny what is reported; a resource policy may deny it, or grant more)';

describe('NHI-PRIV-001 with the AWS evaluator', () => {
  const ROLE_ARN = 'arn:aws:iam::123456789012:role/etl';
  const scene = (conditions: { operator: string; key: string; values: string[] }[]) =>
    world(
      identity({ id: ROLE_ARN, type: 'role', provider: 'aws', tenant: '123456789012' }),
      grant({ identity: ROLE_ARN, actions: ['*'], via: 'Admin', hasConditions: true, conditions, source: at('iam.json', 7) }),
    );

  it('does not count a statement whose condition can never hold for an attacker, and says so', async () => {
    const run = await runRule(rule, scene([{ operator: 'DateLessThan', key: 'aws:TokenIssueTime', values: ['2020-01-01T00:00:00Z'] }]), t('2026-03-10T00:00:00Z'));
    expect(run.findings).toEqual([]);
    expect(run.notes).toEqual([SCOPE, `1 statement not counted because a condition can never hold for an attacker acting now (a session issued before a past date): ${ROLE_ARN} (Admin, iam.json:7)`]);
  });

  it('still counts one whose condition always holds', async () => {
    const run = await runRule(rule, scene([{ operator: 'DateGreaterThan', key: 'aws:TokenIssueTime', values: ['2020-01-01T00:00:00Z'] }]), t('2026-03-10T00:00:00Z'));
    expect(run.findings.map((finding) => finding.subject.id)).toEqual([ROLE_ARN]);
  });
});

describe('NHI-PRIV-001 judged by the AWS evaluator (denies, boundary, NotAction, NotResource, conditions)', () => {
  const run = (...records: NormalizedRecord[]) => runRule(rule, world(deployer(), ...records), AS_OF);

  it('fires critical on a NotAction allow with a narrow exception, naming it', async () => {
    const found = await run(grant({ identity: SA, actions: ['iam:CreateUser'], notActions: true, via: 'NearAdmin', source: at('iam.json', 30) }));
    expect(found.findings.map((finding) => [finding.messageId, finding.severity])).toEqual([['admin-wildcard', 'critical']]);
    expect(found.findings[0]?.message).toContain('all actions except "iam:CreateUser" on "*" via NearAdmin (no conditions)');
  });

  it('does not fire on a NotAction allow cancelled by an unconditional deny of "*"', async () => {
    const found = await run(
      grant({ identity: SA, actions: ['iam:*'], notActions: true, via: 'PowerUser' }),
      grant({ identity: SA, actions: ['*'], effect: 'deny', via: 'DenyAll' }),
    );
    expect(found.findings).toEqual([]);
  });

  it('a boundary that caps "*" to "s3:*" removes admin: high, and says so', async () => {
    const boundary = grant({ identity: SA, actions: ['s3:*'], via: 'S3Only', boundary: true, source: at('iam.json', 50) });
    const admin = grant({ identity: SA, actions: ['*'], via: 'Admin', source: at('iam.json', 20) });
    const uncapped = await run(admin);
    expect(uncapped.findings.map((finding) => finding.severity)).toEqual(['critical']);
    const capped = await run(admin, boundary);
    expect(capped.findings.map((finding) => [finding.messageId, finding.severity ?? 'high'])).toEqual([['wildcard', 'high']]);
    expect(capped.findings[0]?.message).toContain('"*" on "*" via Admin (no conditions), capped by permissions boundary S3Only (iam.json:50) to "s3:*"');
  });

  it('does not fire when the boundary caps a service wildcard to a few actions', async () => {
    const found = await run(
      grant({ identity: SA, actions: ['iam:*'], via: 'IamFull' }),
      grant({ identity: SA, actions: ['iam:GetRole'], via: 'ReadRole', boundary: true }),
    );
    expect(found.findings).toEqual([]);
  });

  it('does not fire on "s3:*" denied whole by a deny "s3:*" on every bucket ARN pattern "*"', async () => {
    const found = await run(grant({ identity: SA, actions: ['s3:*'] }), grant({ identity: SA, actions: ['s3:*'], effect: 'deny' }));
    expect(found.findings).toEqual([]);
  });

  it('says in the message which condition the grant depends on', async () => {
    const found = await run(
      grant({ identity: SA, actions: ['*'], via: 'Admin', hasConditions: true, conditions: [{ key: 'aws:SourceIp', operator: 'IpAddress', values: ['10.0.0.0/8'] }] }),
    );
    expect(found.findings.map((finding) => finding.severity)).toEqual(['critical']);
    expect(found.findings[0]?.message).toContain('"*" on "*" via Admin (depends on aws:SourceIp IpAddress "10.0.0.0/8")');
  });

  it('says when only a conditional deny stands in the way', async () => {
    const found = await run(
      grant({ identity: SA, actions: ['*'], via: 'Admin' }),
      grant({ identity: SA, actions: ['*'], effect: 'deny', hasConditions: true, conditions: [{ key: 'aws:MultiFactorAuthPresent', operator: 'BoolIfExists', values: ['false'] }] }),
    );
    expect(found.findings[0]?.message).toContain('(no conditions; unless a deny applies (aws:MultiFactorAuthPresent BoolIfExists "false"))');
  });

  it('fires on "*" on all resources except a few (NotResource)', async () => {
    const found = await run(grant({ identity: SA, actions: ['*'], notResources: ['arn:aws:s3:::audit-logs/*'], hasConditions: true, via: 'AllButAudit' }));
    expect(found.findings.map((finding) => finding.severity)).toEqual(['critical']);
    expect(found.findings[0]?.message).toContain('"*" on all resources except "arn:aws:s3:::audit-logs/*" via AllButAudit');
  });
});

describe('NHI-PRIV-001 says what it could not evaluate', () => {
  it('says once that SCPs and resource policies were not evaluated when AWS identities were judged', async () => {
    const OTHER = 'arn:aws:iam::123456789012:role/reporter';
    const run = await runRule(
      rule,
      world(
        deployer(),
        identity({ id: OTHER, type: 'role', provider: 'aws', tenant: '123456789012' }),
        grant({ identity: SA, actions: ['*'], via: 'Admin' }),
        grant({ identity: OTHER, actions: ['s3:GetObject'], resources: ['arn:aws:s3:::reports/*'], via: 'Read' }),
      ),
      AS_OF,
    );
    expect(run.findings.map((finding) => finding.subject.id)).toEqual([SA]);
    expect(run.notes).toEqual([SCOPE]);
  });

  it('does not say so for GCP identities only', async () => {
    const GSA = 'deploy@acme-prod.iam.gserviceaccount.com';
    const run = await runRule(
      rule,
      world(identity({ id: GSA, type: 'service-account', provider: 'gcp', tenant: 'acme-prod' }), grant({ identity: GSA, actions: ['storage.*'], via: 'roles/custom' })),
      AS_OF,
    );
    expect(run.findings.map((finding) => finding.subject.id)).toEqual([GSA]);
    expect(run.notes).toEqual([]);
  });
});
