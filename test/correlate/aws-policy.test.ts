import { describe, expect, it } from 'vitest';
import { AwsPolicyEvaluator, judgeCondition, wildcardsOverlap } from '../../src/correlate/aws-policy.js';
import type { Identity, NormalizedRecord } from '../../src/model/index.js';
import { at, grant, identity, t, world } from '../helpers/world.js';

const AS_OF = t('2026-03-10T00:00:00Z');
const ACCOUNT = '123456789012';
const USER = `arn:aws:iam::${ACCOUNT}:user/ci`;
const ROLE = `arn:aws:iam::${ACCOUNT}:role/deploy`;

function evaluator(...records: NormalizedRecord[]) {
  const scene = world(
    identity({ id: USER, type: 'user', provider: 'aws', tenant: ACCOUNT }),
    identity({ id: ROLE, type: 'role', provider: 'aws', tenant: ACCOUNT, trust: [{ effect: 'allow', trustees: [{ kind: 'account', id: `arn:aws:iam::${ACCOUNT}:root` }], actions: ['sts:AssumeRole'], hasConditions: false, conditionKeys: [] }] }),
    ...records,
  );
  const user = scene.inventory.identity(USER) as Identity;
  const role = scene.inventory.identity(ROLE) as Identity;
  return { policy: new AwsPolicyEvaluator(scene.inventory, AS_OF), user, role };
}

describe('AWS policy evaluator', () => {
  it('lets an explicit deny win and names the deciding statement', () => {
    const { policy, user } = evaluator(
      grant({ identity: USER, actions: ['iam:*'], via: 'Allow', source: at('p.json', 1) }),
      grant({ identity: USER, actions: ['iam:Create*'], effect: 'deny', via: 'Deny', source: at('p.json', 2) }),
    );
    expect(policy.may(user, 'iam:PutRolePolicy', '*')).toMatchObject({ allowed: true, judgement: 'always', allows: [expect.objectContaining({ via: 'Allow' })] });
    expect(policy.may(user, 'iam:CreateAccessKey', '*')).toMatchObject({ allowed: false, denies: [expect.objectContaining({ via: 'Deny' })] });
  });

  it('reads NotAction, NotResource and a permissions boundary', () => {
    const { policy, user } = evaluator(
      grant({ identity: USER, actions: ['iam:*'], notActions: true, via: 'NotIam' }),
      grant({ identity: USER, actions: ['s3:GetObject'], notResources: ['arn:aws:s3:::secret/*'], hasConditions: true, via: 'NotSecret' }),
      grant({ identity: USER, actions: ['s3:*', 'ec2:*'], boundary: true, via: 'Boundary' }),
    );
    expect(policy.may(user, 'iam:PassRole', '*').allowed).toBe(false);
    expect(policy.may(user, 'ec2:RunInstances', '*').allowed).toBe(true);
    // Outside the boundary.
    expect(policy.may(user, 'lambda:CreateFunction', '*').allowed).toBe(false);
    expect(policy.may(user, 's3:GetObject', 'arn:aws:s3:::public/a').allows.map((g) => g.via)).toContain('NotSecret');
    expect(policy.may(user, 's3:GetObject', 'arn:aws:s3:::secret/a').allows.map((g) => g.via)).not.toContain('NotSecret');
  });

  it('lists the resources an action reaches and resolves ${aws:username}', () => {
    const { policy, user } = evaluator(grant({ identity: USER, actions: ['iam:CreateAccessKey'], resources: [`arn:aws:iam::${ACCOUNT}:user/\${aws:username}`] }));
    expect(policy.resourcesFor(user, 'iam:CreateAccessKey').map((reach) => reach.resources)).toEqual([[USER]]);
    expect(policy.may(user, 'iam:CreateAccessKey', `arn:aws:iam::${ACCOUNT}:user/other`).allowed).toBe(false);
  });

  it('judges conditions three ways', () => {
    const past = { operator: 'DateLessThan', key: 'aws:TokenIssueTime', values: ['2020-01-01T00:00:00Z'] };
    expect(judgeCondition(past, AS_OF, {})).toBe('never');
    expect(judgeCondition({ ...past, operator: 'DateGreaterThan' }, AS_OF, {})).toBe('always');
    expect(judgeCondition({ operator: 'StringEquals', key: 'iam:PassedToService', values: ['lambda.amazonaws.com'] }, AS_OF, { 'iam:PassedToService': 'ec2.amazonaws.com' })).toBe('never');
    expect(judgeCondition({ operator: 'IpAddress', key: 'aws:SourceIp', values: ['10.0.0.0/8'] }, AS_OF, {})).toBe('depends');
  });

  it('answers who may assume a role: account trust needs the caller\'s own sts:AssumeRole', () => {
    const { policy, role } = evaluator(grant({ identity: USER, actions: ['sts:AssumeRole'], resources: [ROLE] }));
    expect(policy.whoMayAssume(role).map((entry) => entry.identity.id)).toEqual([USER]);
    const none = evaluator();
    expect(none.policy.whoMayAssume(none.role)).toEqual([]);
  });

  it('compares ARNs part by part', () => {
    expect(wildcardsOverlap('arn:aws:lambda:*:999999999999:function:*', `arn:aws:lambda:*:${ACCOUNT}:function:*`)).toBe(false);
    expect(wildcardsOverlap('arn:aws:iam::*:policy/fn2-*', `arn:aws:iam::${ACCOUNT}:policy/*`)).toBe(true);
    expect(wildcardsOverlap('arn:aws:iam::aws:policy/fp4-*', `arn:aws:iam::${ACCOUNT}:policy/*`)).toBe(false);
  });
});

describe('AWS trust policy conditions', () => {
  const OTHER = `arn:aws:iam::${ACCOUNT}:user/other`;
  /** A role trusting the account root, under `conditions`, and two users allowed sts:AssumeRole on it. */
  function scene(conditions: { operator: string; key: string; values: string[] }[], effect: 'allow' | 'deny' = 'allow') {
    const trust = [
      { effect: 'allow' as const, trustees: [{ kind: 'account' as const, id: `arn:aws:iam::${ACCOUNT}:root` }], actions: ['sts:AssumeRole'], hasConditions: effect === 'allow' && conditions.length > 0, conditionKeys: [], ...(effect === 'allow' ? { conditions } : {}) },
      ...(effect === 'deny' ? [{ effect: 'deny' as const, trustees: [{ kind: 'account' as const, id: `arn:aws:iam::${ACCOUNT}:root` }], actions: ['sts:AssumeRole'], hasConditions: true, conditionKeys: [], conditions }] : []),
    ];
    const built = world(
      identity({ id: USER, type: 'user', provider: 'aws', tenant: ACCOUNT }),
      identity({ id: OTHER, type: 'user', provider: 'aws', tenant: ACCOUNT }),
      identity({ id: ROLE, type: 'role', provider: 'aws', tenant: ACCOUNT, trust }),
      grant({ identity: USER, actions: ['sts:AssumeRole'], resources: ['*'] }),
      grant({ identity: OTHER, actions: ['sts:AssumeRole'], resources: ['*'] }),
    );
    const get = (id: string) => built.inventory.identity(id) as Identity;
    return { policy: new AwsPolicyEvaluator(built.inventory, AS_OF), role: get(ROLE), user: get(USER), other: get(OTHER) };
  }

  it('decides aws:PrincipalArn per caller: one in, one shut out with the reason', () => {
    const { policy, role, user, other } = scene([{ operator: 'ArnEquals', key: 'aws:PrincipalArn', values: [USER] }]);
    expect(policy.whoMayAssume(role).map((entry) => [entry.identity.id, entry.trust.conditional])).toEqual([[USER, false]]);
    expect(policy.assume(other, role)).toBeNull();
    expect(policy.trustRefusal(other, role)).toBe(`it trusts account arn:aws:iam::${ACCOUNT}:root, but only under aws:PrincipalArn ArnEquals "${USER}", which can never hold for ${OTHER}`);
    expect(policy.trustRefusal(user, role)).toBeNull();
  });

  it('decides the account and the principal type, and a trust that ended', () => {
    const who = (conditions: { operator: string; key: string; values: string[] }[]) => {
      const built = scene(conditions);
      return built.policy.whoMayAssume(built.role).map((entry) => entry.identity.id);
    };
    expect(who([{ operator: 'StringEquals', key: 'aws:PrincipalAccount', values: ['999999999999'] }])).toEqual([]);
    expect(who([{ operator: 'StringEquals', key: 'aws:PrincipalAccount', values: [ACCOUNT] }])).toEqual([USER, OTHER]);
    expect(who([{ operator: 'StringEquals', key: 'aws:PrincipalType', values: ['AssumedRole'] }])).toEqual([]);
    expect(who([{ operator: 'DateLessThan', key: 'aws:CurrentTime', values: ['2026-01-01T00:00:00Z'] }])).toEqual([]);
    expect(who([{ operator: 'DateLessThan', key: 'aws:CurrentTime', values: ['2027-01-01T00:00:00Z'] }])).toEqual([USER, OTHER]);
  });

  it('keeps a condition on the request, in words', () => {
    const { policy, role } = scene([{ operator: 'Bool', key: 'aws:MultiFactorAuthPresent', values: ['true'] }, { operator: 'StringEquals', key: 'sts:ExternalId', values: [] }]);
    const [entry] = policy.whoMayAssume(role);
    expect(entry?.trust).toMatchObject({ conditional: true, how: `trusts account arn:aws:iam::${ACCOUNT}:root under aws:MultiFactorAuthPresent Bool "true", sts:ExternalId StringEquals` });
  });

  it('a deny whose condition always holds for the caller shuts it out; one that depends does not', () => {
    const denied = scene([{ operator: 'StringLike', key: 'aws:PrincipalArn', values: [`arn:aws:iam::${ACCOUNT}:user/o*`] }], 'deny');
    expect(denied.policy.whoMayAssume(denied.role).map((entry) => entry.identity.id)).toEqual([USER]);
    expect(denied.policy.trustRefusal(denied.other, denied.role)).toBe(`a deny in its trust policy names arn:aws:iam::${ACCOUNT}:root`);
    const depends = scene([{ operator: 'IpAddress', key: 'aws:SourceIp', values: ['10.0.0.0/8'] }], 'deny');
    expect(depends.policy.whoMayAssume(depends.role).map((entry) => entry.identity.id)).toEqual([USER, OTHER]);
  });
});
