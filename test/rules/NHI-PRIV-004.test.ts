import { describe, expect, it } from 'vitest';
import { formatSource, type NormalizedRecord } from '../../src/model/index.js';
import { rule } from '../../src/rules/NHI-PRIV-004.js';
import { runRule } from '../helpers/run-rule.js';
import { at, eligibility, event, grant, identity, t, world } from '../helpers/world.js';

const AS_OF = t('2026-06-01T00:00:00Z');
const ACCOUNT = '111122223333';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/ci-deployer`;

const role = () => identity({ id: ROLE, type: 'role', provider: 'aws', tenant: ACCOUNT, source: at('iam.json', 4) });
const iamWrite = (overrides: object = {}) =>
  grant({ identity: ROLE, actions: ['iam:AttachRolePolicy', 'iam:PassRole'], via: 'iam-admin-inline', source: at('iam.json', 12), ...overrides });
const use = (action: string, iso: string, line: number) =>
  event({ time: t(iso), identity: ROLE, action, tenant: ACCOUNT, source: at('trail.json', line) });
/** A day's ordinary work, so that the log window spans the whole period. */
const daily = (from: string, days: number, action: string, line: number) =>
  Array.from({ length: days }, (_, index) => use(action, new Date(t(from) + index * 86_400_000).toISOString(), line + index));

async function run(...records: NormalizedRecord[]) {
  return runRule(rule, world(...records), AS_OF);
}

describe('NHI-PRIV-004 standing-privilege', () => {
  it('reports escalation-capable permissions held standing but used on 2 days of a 40-day window, naming them and the days', async () => {
    const result = await run(
      role(), iamWrite(), grant({ identity: ROLE, actions: ['s3:GetObject'], via: 'read', source: at('iam.json', 20) }),
      ...daily('2026-03-01T09:00:00Z', 40, 's3:GetObject', 100),
      use('iam:AttachRolePolicy', '2026-03-10T11:00:00Z', 7), use('iam:AttachRolePolicy', '2026-03-10T15:00:00Z', 8), use('iam:PassRole', '2026-03-28T11:00:00Z', 9),
    );
    expect(result.findings).toHaveLength(1);
    const [finding] = result.findings;
    expect(finding?.messageId).toBe('standing-escalation');
    expect(finding?.severity).toBeUndefined();
    expect(finding?.message).toBe(
      `Role ${ROLE} holds escalation-capable permissions permanently ("iam:AttachRolePolicy", "iam:PassRole" via iam-admin-inline: ` +
        'no expiry, no time condition, no just-in-time eligibility) but used them (iam:AttachRolePolicy and iam:PassRole) on only 2 days ' +
        'of the 40-day log window: 2026-03-10, 2026-03-28. Grant them just in time instead.',
    );
    expect(finding?.evidence.map((item) => formatSource(item.source))).toEqual(['iam.json:12', 'trail.json:7', 'trail.json:9']);
  });

  it('reports an admin-equivalent standing grant as high', async () => {
    const result = await run(
      role(), grant({ identity: ROLE, actions: ['*'], via: 'AdministratorAccess', source: at('iam.json', 12) }),
      ...daily('2026-03-01T09:00:00Z', 35, 's3:GetObject', 100), use('iam:CreateAccessKey', '2026-03-12T11:00:00Z', 7),
    );
    expect(result.findings.map((f) => [f.messageId, f.severity])).toEqual([['standing-admin', 'high']]);
  });

  it.each<{ name: string; records: NormalizedRecord[] }>([
    { name: 'a privileged role used daily', records: [role(), iamWrite(), ...daily('2026-03-01T09:00:00Z', 40, 'iam:PassRole', 100)] },
    { name: 'privileged permissions never used (unused-permissions)', records: [role(), iamWrite(), ...daily('2026-03-01T09:00:00Z', 40, 's3:GetObject', 100)] },
    {
      name: 'a grant bounded by aws:CurrentTime',
      records: [role(), iamWrite({ hasConditions: true, conditionKeys: ['aws:CurrentTime'] }), ...daily('2026-03-01T09:00:00Z', 40, 's3:GetObject', 100), use('iam:PassRole', '2026-03-10T11:00:00Z', 7)],
    },
    {
      name: 'a role with a just-in-time eligibility',
      records: [role(), iamWrite(), eligibility({ identity: ROLE, roleOrScope: 'iam-admin-inline', maxDuration: 3_600_000 }), ...daily('2026-03-01T09:00:00Z', 40, 's3:GetObject', 100), use('iam:PassRole', '2026-03-10T11:00:00Z', 7)],
    },
  ])('does not fire on $name', async ({ records }) => {
    expect((await run(...records)).findings).toEqual([]);
  });

  it('does not judge a log window shorter than min_window, and says so', async () => {
    const result = await run(role(), iamWrite(), ...daily('2026-03-01T09:00:00Z', 10, 's3:GetObject', 100), use('iam:PassRole', '2026-03-05T11:00:00Z', 7));
    expect(result.findings).toEqual([]);
    expect(result.notes).toEqual([`privileged use on few days was not judged for ${ROLE}: the log window of their tenant is shorter than 30 days`]);
  });
});
