/*
 * The AWS escalation catalog, method by method: each fires on a fixture that
 * grants exactly its permissions and reaches an admin-equivalent identity, and
 * stays silent on near-misses — the same grants under a condition that can
 * never hold for an attacker, and (where the method names a resource) on a
 * resource that cannot be abused.
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { GrantCondition, NormalizedRecord, TrustStatement } from '../../src/model/index.js';
import { rule } from '../../src/rules/NHI-PRIV-002.js';
import { runRule } from '../helpers/run-rule.js';
import { at, grant, identity, t, world } from '../helpers/world.js';

const AS_OF = t('2026-03-10T00:00:00Z');
const ACCOUNT = '123456789012';
const ATTACKER = `arn:aws:iam::${ACCOUNT}:role/attacker`;
const ADMIN_ROLE = `arn:aws:iam::${ACCOUNT}:role/admin-target`;
const ADMIN_USER = `arn:aws:iam::${ACCOUNT}:user/admin-user`;
const HARMLESS_ROLE = `arn:aws:iam::${ACCOUNT}:role/harmless`;

interface Method {
  readonly id: string;
  readonly target: string;
  readonly service?: string;
  readonly admin: boolean;
  readonly source: string;
  readonly requires: readonly { readonly actions: readonly string[]; readonly on: string }[];
}

const catalog = parse(await readFile(new URL('../../rules/data/escalation-methods.yaml', import.meta.url), 'utf8')) as { providers: { aws: Method[] } };
const METHODS = catalog.providers.aws;

/** Never true for an attacker acting now: a session issued before 2020. */
const NEVER: GrantCondition = { operator: 'DateLessThan', key: 'aws:TokenIssueTime', values: ['2020-01-01T00:00:00Z'] };

function trustFor(method: Method): TrustStatement[] {
  if (method.target === 'role-trusting') return [{ effect: 'allow', trustees: [{ kind: 'service', id: method.service ?? '' }], actions: ['sts:AssumeRole'], hasConditions: false, conditionKeys: [] }];
  // Only the assume-role method is given a trust policy naming the attacker: otherwise every method would chain through it.
  if (method.target === 'assumable-role') return [{ effect: 'allow', trustees: [{ kind: 'account', id: ATTACKER }], actions: ['sts:AssumeRole'], hasConditions: false, conditionKeys: [] }];
  return [];
}

/** The account: the attacker, an admin role the method can reach, an admin user, a harmless role. */
function scene(method: Method, statements: NormalizedRecord[]): ReturnType<typeof world> {
  return world(...sceneRecords(method, statements));
}

function sceneRecords(method: Method, statements: NormalizedRecord[]): NormalizedRecord[] {
  const role = (id: string, trust: TrustStatement[]) => identity({ id, type: 'role', provider: 'aws', tenant: ACCOUNT, tenantListed: true, trust, source: at('iam.json', 1) });
  return [
    role(ATTACKER, []),
    role(ADMIN_ROLE, trustFor(method)),
    grant({ identity: ADMIN_ROLE, actions: ['*'], via: 'AdminAccess', source: at('iam.json', 2) }),
    identity({ id: ADMIN_USER, type: 'user', provider: 'aws', tenant: ACCOUNT, tenantListed: true, source: at('iam.json', 3) }),
    grant({ identity: ADMIN_USER, actions: ['*'], via: 'AdminAccess', source: at('iam.json', 4) }),
    role(HARMLESS_ROLE, trustFor(method)),
    grant({ identity: HARMLESS_ROLE, actions: ['s3:GetObject'], via: 'ReadOnly', source: at('iam.json', 5) }),
    ...statements,
  ];
}

function resourceOf(on: string, target: string): string {
  return on === 'target' ? target : on.replaceAll('{account}', ACCOUNT);
}

const targetOf = (method: Method): string => (method.target === 'other-user' ? ADMIN_USER : ADMIN_ROLE);

/** One statement per requirement: its first action on the resource that matters. */
function statements(method: Method, change: { first?: { resource?: string; conditions?: GrantCondition[] } } = {}): NormalizedRecord[] {
  return method.requires.map((requirement, index) => {
    const first = index === 0 ? change.first : undefined;
    const action = requirement.actions[0] ?? '';
    return grant({
      identity: ATTACKER,
      actions: [action],
      resources: [first?.resource ?? resourceOf(requirement.on, targetOf(method))],
      via: `Policy${index}`,
      hasConditions: first?.conditions !== undefined,
      ...(first?.conditions === undefined ? {} : { conditions: first.conditions }),
      source: at('attacker.json', 10 + index),
    });
  });
}

/** A resource for the first requirement that the method cannot abuse. */
function harmlessResource(method: Method): string | null {
  const on = method.requires[0]?.on ?? '*';
  if (on === 'target') return method.target === 'other-user' ? `arn:aws:iam::${ACCOUNT}:user/\${aws:username}` : HARMLESS_ROLE;
  if (on.includes(':policy/')) return 'arn:aws:iam::aws:policy/ReadOnlyAccess';
  if (on.startsWith('arn:')) return on.replaceAll('{account}', '999999999999');
  return null;
}

describe('AWS escalation catalog', () => {
  it('holds every method the public catalogs and the IAM Vulnerable lab name, each with its source', () => {
    expect(METHODS).toHaveLength(32);
    const ids = METHODS.map((method) => method.id);
    for (const id of [
      'aws-create-policy-version', 'aws-set-default-policy-version', 'aws-passrole-ec2', 'aws-create-access-key', 'aws-create-login-profile',
      'aws-update-login-profile', 'aws-attach-user-policy', 'aws-attach-group-policy', 'aws-attach-role-policy', 'aws-put-user-policy',
      'aws-put-group-policy', 'aws-put-role-policy', 'aws-add-user-to-group', 'aws-update-assume-role-policy', 'aws-passrole-lambda-invoke',
      'aws-passrole-lambda-event-source', 'aws-lambda-update-code', 'aws-passrole-glue-dev-endpoint', 'aws-glue-update-dev-endpoint',
      'aws-passrole-cloudformation', 'aws-passrole-datapipeline', 'aws-cloudformation-update-stack', 'aws-passrole-codebuild',
      'aws-passrole-sagemaker-notebook', 'aws-sagemaker-presigned-notebook-url', 'aws-passrole-sagemaker-processing',
      'aws-passrole-sagemaker-training', 'aws-ssm-send-command', 'aws-ssm-start-session', 'aws-ec2-instance-connect', 'aws-assume-role',
    ]) expect(ids).toContain(id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const method of METHODS) expect(method.source).toMatch(/Rhino|cloudsplaining|pathfinding\.cloud|Prowler|IAM Vulnerable/);
  });

  it.each(METHODS.map((method) => [method.id, method] as const))('%s fires on its permissions and names the deciding statements', async (id, method) => {
    const run = await runRule(rule, scene(method, statements(method)), AS_OF);
    const finding = run.findings.find((item) => item.subject.id === ATTACKER);
    expect(finding?.message).toContain(`${id} (`);
    if (method.target !== 'assumable-role') expect(finding?.message).toContain('(attacker.json:10');
    // Critical when the method rewrites permissions or reaches an admin-equivalent identity.
    expect(finding?.severity ?? 'high').toBe(method.admin || method.target !== 'none' ? 'critical' : 'high');
  });

  it.each(METHODS.filter((method) => method.target !== 'assumable-role').map((method) => [method.id, method] as const))(
    '%s does not fire when its statement holds only under a condition never true for an attacker',
    async (_id, method) => {
      const run = await runRule(rule, scene(method, statements(method, { first: { conditions: [NEVER] } })), AS_OF);
      // Its other permissions may enable another method (a presigned notebook URL alone is one); never this one.
      expect(run.findings.find((item) => item.subject.id === ATTACKER)?.message ?? '').not.toContain(`${method.id} (`);
    },
  );

  // aws-assume-role needs no permission when the trust policy names the caller: its near-miss is the trust policy (below).
  const constrained = METHODS.filter((method) => method.target !== 'assumable-role').flatMap((method) => {
    const resource = harmlessResource(method);
    return resource === null ? [] : [[method.id, resource, method] as const];
  });
  it.each(constrained)('%s does not fire when its resource is constrained to %s', async (_id, resource, method) => {
    const run = await runRule(rule, scene(method, statements(method, { first: { resource } })), AS_OF);
    expect(run.findings.find((item) => item.subject.id === ATTACKER)?.message ?? '').not.toContain(`${method.id} (`);
  });

  it('aws-assume-role does not fire when the trust policy does not let the principal in', async () => {
    const method = METHODS.find((item) => item.id === 'aws-assume-role');
    if (method === undefined) throw new Error('no aws-assume-role');
    const records = scene({ ...method, target: 'role-trusting', service: 'ec2.amazonaws.com' }, statements(method));
    const run = await runRule(rule, records, AS_OF);
    expect(run.findings.filter((item) => item.subject.id === ATTACKER)).toEqual([]);
  });

  it('aws-assume-role judges the trust policy\'s conditions: a principal ARN that is not the caller shuts it out, noted; one on the request is named', async () => {
    const method = METHODS.find((item) => item.id === 'aws-assume-role');
    if (method === undefined) throw new Error('no aws-assume-role');
    const withTrust = (conditions: GrantCondition[]) =>
      world(
        ...sceneRecords(method, statements(method)).map((record) =>
          record.kind === 'identity' && record.record.id === ADMIN_ROLE
            ? { ...record, record: { ...record.record, trust: [{ effect: 'allow' as const, trustees: [{ kind: 'account' as const, id: `arn:aws:iam::${ACCOUNT}:root` }], actions: ['sts:AssumeRole'], hasConditions: true, conditionKeys: conditions.map((c) => c.key), conditions }] } }
            : record,
        ),
      );
    const other: GrantCondition = { operator: 'ArnEquals', key: 'aws:PrincipalArn', values: [`arn:aws:iam::${ACCOUNT}:role/ops`] };
    const shut = await runRule(rule, withTrust([other]), AS_OF);
    expect(shut.findings.filter((item) => item.subject.id === ATTACKER)).toEqual([]);
    expect(shut.notes).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `^2 role assumptions not counted because the role's trust policy allows it only under a condition that can never hold for the caller: .*${ATTACKER} → ${ADMIN_ROLE}: it trusts account arn:aws:iam::${ACCOUNT}:root, but only under aws:PrincipalArn ArnEquals "arn:aws:iam::${ACCOUNT}:role/ops", which can never hold for ${ATTACKER} \\(iam\\.json:1\\)`,
        ),
      ),
    );
    const mfa: GrantCondition = { operator: 'Bool', key: 'aws:MultiFactorAuthPresent', values: ['true'] };
    const open = await runRule(rule, withTrust([{ ...other, values: [ATTACKER] }, mfa]), AS_OF);
    expect(open.findings.find((item) => item.subject.id === ATTACKER)?.message).toContain(`whose trust policy trusts account arn:aws:iam::${ACCOUNT}:root under aws:MultiFactorAuthPresent Bool "true"`);
  });

  it('PassRole limited by iam:PassedToService to another service does not pass the role to EC2', async () => {
    const method = METHODS.find((item) => item.id === 'aws-passrole-ec2');
    if (method === undefined) throw new Error('no aws-passrole-ec2');
    const limited: GrantCondition = { operator: 'StringEquals', key: 'iam:PassedToService', values: ['ssm.amazonaws.com'] };
    const quiet = await runRule(rule, scene(method, statements(method, { first: { conditions: [limited] } })), AS_OF);
    expect(quiet.findings.filter((item) => item.subject.id === ATTACKER)).toEqual([]);
    const allowed: GrantCondition = { operator: 'StringLike', key: 'iam:PassedToService', values: ['ec2.amazon*'] };
    const loud = await runRule(rule, scene(method, statements(method, { first: { conditions: [allowed] } })), AS_OF);
    expect(loud.findings.map((item) => item.subject.id)).toContain(ATTACKER);
  });

  it('keeps a condition that depends on the request and says so', async () => {
    const method = METHODS.find((item) => item.id === 'aws-put-role-policy');
    if (method === undefined) throw new Error('no aws-put-role-policy');
    const depends: GrantCondition = { operator: 'IpAddress', key: 'aws:SourceIp', values: ['10.0.0.0/8'] };
    const run = await runRule(rule, scene(method, statements(method, { first: { conditions: [depends] } })), AS_OF);
    expect(run.findings.find((item) => item.subject.id === ATTACKER)?.message).toContain('depending on aws:SourceIp IpAddress "10.0.0.0/8"');
  });

  it('counts a method inherited from a group policy, and a permissions boundary that caps it removes it', async () => {
    const method = METHODS.find((item) => item.id === 'aws-attach-role-policy');
    if (method === undefined) throw new Error('no aws-attach-role-policy');
    const viaGroup = grant({ identity: ATTACKER, actions: ['iam:AttachRolePolicy'], via: 'group:ops/inline:Admin', source: at('attacker.json', 20) });
    const run = await runRule(rule, scene(method, [viaGroup]), AS_OF);
    expect(run.findings.find((item) => item.subject.id === ATTACKER)?.message).toContain('via group:ops/inline:Admin (attacker.json:20)');
    const boundary = grant({ identity: ATTACKER, actions: ['s3:*'], via: 'Boundary', boundary: true, source: at('attacker.json', 21) });
    const capped = await runRule(rule, scene(method, [viaGroup, boundary]), AS_OF);
    expect(capped.findings.filter((item) => item.subject.id === ATTACKER)).toEqual([]);
  });

  it('follows a chain hop by hop within max_chain_depth and no further', async () => {
    const trust = (id: string): TrustStatement[] => [{ effect: 'allow', trustees: [{ kind: 'account', id }], actions: ['sts:AssumeRole'], hasConditions: false, conditionKeys: [] }];
    const role = (name: string, trusted: string) => identity({ id: `arn:aws:iam::${ACCOUNT}:role/${name}`, type: 'role', provider: 'aws', tenant: ACCOUNT, tenantListed: true, trust: trust(trusted), source: at('iam.json', 7) });
    const records = [
      identity({ id: ATTACKER, type: 'role', provider: 'aws', tenant: ACCOUNT, tenantListed: true }),
      role('hop1', ATTACKER),
      role('hop2', `arn:aws:iam::${ACCOUNT}:role/hop1`),
      grant({ identity: `arn:aws:iam::${ACCOUNT}:role/hop2`, actions: ['iam:PassRole', 'ec2:RunInstances'], via: 'PassAny', source: at('iam.json', 8) }),
      identity({ id: ADMIN_ROLE, type: 'role', provider: 'aws', tenant: ACCOUNT, tenantListed: true, trust: [{ effect: 'allow', trustees: [{ kind: 'service', id: 'ec2.amazonaws.com' }], actions: ['sts:AssumeRole'], hasConditions: false, conditionKeys: [] }] }),
      grant({ identity: ADMIN_ROLE, actions: ['*'], via: 'AdminAccess', source: at('iam.json', 9) }),
    ];
    const run = await runRule(rule, world(...records), AS_OF);
    const message = run.findings.find((item) => item.subject.id === ATTACKER)?.message ?? '';
    expect(message).toContain('a chain of 3 hops: (1) aws-assume-role');
    expect(message).toContain(`(3) as arn:aws:iam::${ACCOUNT}:role/hop2, aws-passrole-ec2`);
    expect(message).toContain('is admin-equivalent: "*" on "*" via AdminAccess (iam.json:9)');
    const shallow = await runRule(rule, world(...records), AS_OF, { max_chain_depth: 2 });
    expect(shallow.findings.map((item) => item.subject.id)).not.toContain(ATTACKER);
  });
});
