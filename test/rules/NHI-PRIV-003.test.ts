import { describe, expect, it } from 'vitest';
import type { FindingDraft } from '../../src/engine/rule-api.js';
import { formatSource, type NormalizedRecord } from '../../src/model/index.js';
import { rule } from '../../src/rules/NHI-PRIV-003.js';
import { runRule } from '../helpers/run-rule.js';
import { at, credential, event, grant, identity, t, world } from '../helpers/world.js';

const AS_OF = t('2026-03-10T00:00:00Z');
const ACCOUNT = '123456789012';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/etl`;

/** Said once, in the same words by every AWS privilege rule, when an AWS identity was judged: no SCP or resource policy export is read. */
const SCOPE =
  'AWS: no service control policy or resource policy export was supplied, so AWS privileges were judged on identity policies, permissions boundaries and role trust policies alone (an SCP may deny what is reported; a resource policy may deny it, or grant more)';

const role = (extra: Partial<{ tenant: string | null; createdAt: number; type: 'role' | 'user' }> = {}) =>
  identity({ id: ROLE, type: 'role', provider: 'aws', tenant: ACCOUNT, source: at('iam.json', 3), ...extra });

/** Uses of s3 on Jan 1 and sts on Feb 15: a 45-day window of the account. */
function uses(tenant: string | null = ACCOUNT, who = ROLE): NormalizedRecord[] {
  return [
    event({ time: t('2026-01-01T00:00:00Z'), identity: who, action: 's3:GetObject', tenant, source: at('events.ndjson', 101) }),
    event({ time: t('2026-02-15T00:00:00Z'), identity: who, action: 'sts:AssumeRole', tenant, source: at('events.ndjson', 102) }),
  ];
}

function policies(who = ROLE): NormalizedRecord[] {
  return [
    grant({ identity: who, actions: ['s3:*'], via: 'S3', source: at('iam.json', 20) }),
    grant({ identity: who, actions: ['iam:PassRole', 'ec2:RunInstances'], via: 'Deploy', source: at('iam.json', 21) }),
    grant({ identity: who, actions: ['sts:AssumeRole'], via: 'Chain', source: at('iam.json', 22) }),
  ];
}

function where(finding: FindingDraft | undefined): string[] {
  return (finding?.evidence ?? []).map((item) => formatSource(item.source));
}

describe('NHI-PRIV-003 unused-permissions', () => {
  it('reports granted services never used in the tenant log window, with counts', async () => {
    const run = await runRule(rule, world(role(), ...policies(), ...uses()), AS_OF);
    expect(run.findings).toHaveLength(1);
    const [finding] = run.findings;
    expect(finding?.messageId).toBe('unused-services');
    expect(finding?.severity).toBeUndefined();
    expect(finding?.subject).toEqual({ kind: 'identity', id: ROLE, provider: 'aws', tenant: ACCOUNT });
    expect(finding?.message).toBe(
      `Role ${ROLE} uses 2 of 4 granted services over 45 days of logs for tenant ${ACCOUNT} (2026-01-01 to 2026-02-15); never used: ec2, iam.`,
    );
    expect(where(finding)).toEqual(['iam.json:3', 'iam.json:21']);
    expect(finding?.evidence.map((item) => [item.key, item.summary])).toEqual([
      [`identity:${ROLE}`, expect.stringContaining('non-human: declared type role')],
      [`grant:${ROLE}:Deploy`, 'allow via Deploy: never used ec2, iam'],
    ]);
    expect(run.notes).toEqual([SCOPE]);
  });

  it.each<{ name: string; records: NormalizedRecord[]; messageId: string; text: RegExp; lines: string[] }>([
    {
      name: 'a "*" grant, as unused breadth',
      records: [role(), grant({ identity: ROLE, actions: ['*'], via: 'Admin', source: at('iam.json', 30) }), ...uses()],
      messageId: 'unused-breadth',
      text: /is granted every service through "\*" via Admin \(iam\.json:30\) but used only 2 services \(s3 and sts\) over 45 days of logs/,
      lines: ['iam.json:3', 'iam.json:30'],
    },
    {
      name: 'an "everything except" grant, as unused breadth',
      records: [role(), grant({ identity: ROLE, actions: ['iam:*'], notActions: true, via: 'PowerUser', source: at('iam.json', 31) }), ...uses()],
      messageId: 'unused-breadth',
      text: /every service through all actions except "iam:\*" via PowerUser/,
      lines: ['iam.json:3', 'iam.json:31'],
    },
    {
      name: 'GCP predefined roles against GCP permissions',
      records: [
        identity({ id: 'etl@proj.iam.gserviceaccount.com', provider: 'gcp', tenant: 'proj', source: at('gcp.json', 2) }),
        grant({ identity: 'etl@proj.iam.gserviceaccount.com', actions: ['roles/storage.objectViewer'], via: 'projects/proj', source: at('gcp.json', 8) }),
        grant({ identity: 'etl@proj.iam.gserviceaccount.com', actions: ['roles/pubsub.publisher'], via: 'topics/jobs', source: at('gcp.json', 9) }),
        event({ time: t('2026-01-01T00:00:00Z'), identity: 'etl@proj.iam.gserviceaccount.com', action: 'storage.objects.get', tenant: 'proj' }),
        event({ time: t('2026-03-01T00:00:00Z'), identity: 'etl@proj.iam.gserviceaccount.com', action: 'storage.objects.list', tenant: 'proj' }),
      ],
      messageId: 'unused-services',
      text: /uses 1 of 2 granted services over 59 days of logs for tenant proj .*; never used: pubsub\.$/,
      lines: ['gcp.json:2', 'gcp.json:9'],
    },
    {
      name: 'an identity that never acted at all',
      records: [role(), ...policies(), ...uses(ACCOUNT, 'someone-else')],
      messageId: 'unused-services',
      text: /uses 0 of 4 granted services .*; never used: ec2, iam, s3, sts\.$/,
      lines: ['iam.json:3', 'iam.json:20', 'iam.json:21', 'iam.json:22'],
    },
  ])('fires on $name', async ({ records, messageId, text, lines }) => {
    const run = await runRule(rule, world(...records), AS_OF);
    expect(run.findings).toHaveLength(1);
    expect(run.findings[0]?.messageId).toBe(messageId);
    expect(run.findings[0]?.message).toMatch(text);
    expect(where(run.findings[0])).toEqual(lines);
  });

  it.each<{ name: string; records: NormalizedRecord[]; note?: RegExp; judged?: boolean }>([
    {
      name: 'every granted service used',
      records: [role(), grant({ identity: ROLE, actions: ['s3:GetObject', 'sts:*'] }), ...uses()],
      judged: true,
    },
    {
      name: 'an unused service removed by an explicit deny',
      records: [role(), grant({ identity: ROLE, actions: ['s3:*', 'ec2:*'] }), grant({ identity: ROLE, actions: ['ec2:*'], effect: 'deny' }), ...uses()],
      judged: true,
    },
    {
      name: 'grants that name no service (Kubernetes verbs)',
      records: [role(), grant({ identity: ROLE, actions: ['get pods', 'create deployments'] }), ...uses()],
    },
    {
      name: 'a human user (console password, no key)',
      records: [role({ type: 'user' }), credential({ id: `${ROLE}#password`, identity: ROLE, type: 'password' }), ...policies(), ...uses()],
      note: /^1 identity not judged because the inputs show it is a person: .*role\/etl \(a user with a console password and no programmatic key\)$/,
    },
    {
      name: 'a tenant window shorter than 30 days',
      records: [
        role(), ...policies(),
        event({ time: t('2026-02-01T00:00:00Z'), identity: ROLE, action: 's3:GetObject', tenant: ACCOUNT }),
        event({ time: t('2026-02-21T00:00:00Z'), identity: ROLE, action: 's3:GetObject', tenant: ACCOUNT }),
      ],
      note: new RegExp(`^1 identity was not judged: less than 30 days of logs cover its tenant: ${ROLE} \\(tenant ${ACCOUNT}: 20 days of logs\\)$`),
    },
    {
      name: 'a long window in another tenant only',
      records: [role(), ...policies(), ...uses('999999999999', 'other')],
      note: new RegExp(`${ROLE} \\(no events in tenant ${ACCOUNT}\\)`),
    },
    {
      name: 'an identity with no bound tenant while events carry tenants',
      records: [role({ tenant: null }), ...policies(), ...uses()],
      note: new RegExp(`${ROLE} \\(no bound tenant\\)`),
    },
    {
      name: 'an identity created ten days before the end of the window',
      records: [role({ createdAt: t('2026-02-05T00:00:00Z') }), ...policies(), ...uses()],
      note: /tenant 123456789012: 10 days of logs/,
    },
  ])('does not fire on $name', async ({ records, note, judged = false }) => {
    const run = await runRule(rule, world(...records), AS_OF);
    expect(run.findings).toEqual([]);
    expect(run.notEvaluated).toEqual([]);
    // The SCP / resource policy note only once an AWS identity was actually judged.
    expect(run.notes).toEqual([...(judged ? [SCOPE] : []), ...(note === undefined ? [] : [expect.stringMatching(note)])]);
  });

  it('falls back to the whole log window when events carry no tenant, and says so', async () => {
    const run = await runRule(rule, world(role(), ...policies(), ...uses(null)), AS_OF);
    expect(run.findings.map((finding) => finding.message)).toEqual([
      `Role ${ROLE} uses 2 of 4 granted services over 45 days of logs for all events (2026-01-01 to 2026-02-15); never used: ec2, iam.`,
    ]);
    expect(run.notes).toEqual(['events carry no tenant, so every identity was judged against the whole log window (2026-01-01 to 2026-02-15)', SCOPE]);
  });

  it('skips an identity whose used services overflowed, with a note', async () => {
    const many = Array.from({ length: 70 }, (_, index) =>
      event({ time: t('2026-01-01T00:00:00Z') + index * 86_400_000, identity: ROLE, action: `svc${String(index).padStart(2, '0')}:Do`, tenant: ACCOUNT }),
    );
    const run = await runRule(rule, world(role(), ...policies(), ...many), AS_OF);
    expect(run.findings).toEqual([]);
    expect(run.notes).toEqual([`services used were too many to keep for ${ROLE}, so unused services were not judged`]);
  });

  it('reports two identities with unused services', async () => {
    const OTHER = `arn:aws:iam::${ACCOUNT}:role/report`;
    const scene = world(
      role(), ...policies(), ...uses(),
      identity({ id: OTHER, type: 'role', provider: 'aws', tenant: ACCOUNT, source: at('iam.json', 50) }),
      grant({ identity: OTHER, actions: ['dynamodb:Query'], via: 'Reports', source: at('iam.json', 51) }),
    );
    const run = await runRule(rule, scene, AS_OF);
    expect(run.findings.map((finding) => [finding.subject.id, where(finding)])).toEqual([
      [ROLE, ['iam.json:3', 'iam.json:21']],
      [OTHER, ['iam.json:50', 'iam.json:51']],
    ]);
  });

  it.each([
    { min_window: '60d', fires: false },
    { min_window: '45d', fires: true },
  ])('honours min_window=$min_window', async ({ min_window, fires }) => {
    const days = Number(min_window.slice(0, -1));
    const run = await runRule(rule, world(role(), ...policies(), ...uses()), AS_OF, { min_window: days * 86_400_000 });
    expect(run.findings).toHaveLength(fires ? 1 : 0);
  });

  it.each([
    { name: 'without grants', records: [role(), ...uses()], reason: /no IAM grants/ },
    { name: 'without events', records: [role(), ...policies()], reason: /no access-log events/ },
  ])('is not evaluated $name', async ({ records, reason }) => {
    const run = await runRule(rule, world(...records), AS_OF);
    expect(run.notEvaluated).toEqual([expect.stringMatching(reason)]);
    expect(run.findings).toEqual([]);
  });
});

describe('NHI-PRIV-003 judged by the AWS evaluator', () => {
  const run = (...records: NormalizedRecord[]) => runRule(rule, world(role(), ...records, ...uses()), AS_OF);
  const used = [
    grant({ identity: ROLE, actions: ['s3:GetObject'], via: 'Read', source: at('iam.json', 40) }),
    grant({ identity: ROLE, actions: ['sts:AssumeRole'], via: 'Chain', source: at('iam.json', 41) }),
  ];

  it('reports a service that is granted and never used', async () => {
    const found = await run(...used, grant({ identity: ROLE, actions: ['iam:PassRole'], via: 'Pass', source: at('iam.json', 42) }));
    expect(found.findings.map((finding) => finding.message)).toEqual([expect.stringMatching(/uses 2 of 3 granted services .*; never used: iam\.$/)]);
  });

  it.each<{ name: string; records: NormalizedRecord[] }>([
    { name: 'an action an explicit deny covers', records: [grant({ identity: ROLE, actions: ['iam:PassRole'] }), grant({ identity: ROLE, actions: ['iam:*'], effect: 'deny' })] },
    {
      name: 'an action the permissions boundary does not let through',
      records: [grant({ identity: ROLE, actions: ['iam:PassRole'] }), grant({ identity: ROLE, actions: ['s3:*', 'sts:*'], boundary: true, via: 'Boundary' })],
    },
    {
      name: 'an action whose condition can never hold for an attacker',
      records: [grant({ identity: ROLE, actions: ['iam:PassRole'], hasConditions: true, conditions: [{ key: 'aws:CurrentTime', operator: 'DateLessThan', values: ['2020-01-01T00:00:00Z'] }] })],
    },
  ])('does not count as granted (so not as unused) $name', async ({ records }) => {
    const found = await run(...used, ...records);
    expect(found.findings).toEqual([]);
  });

  it('notes a statement not counted because its condition never holds', async () => {
    const found = await run(
      ...used,
      grant({ identity: ROLE, actions: ['iam:PassRole'], via: 'Old', hasConditions: true, source: at('iam.json', 43), conditions: [{ key: 'aws:CurrentTime', operator: 'DateLessThan', values: ['2020-01-01T00:00:00Z'] }] }),
    );
    expect(found.notes).toEqual([SCOPE, expect.stringContaining(`1 statement not counted as granted because a condition can never hold for an attacker acting now (a session issued before a past date): ${ROLE} (Old, iam.json:43)`)]);
  });

  it('reads a "*" allow under a boundary as the boundary\'s services', async () => {
    const found = await run(
      grant({ identity: ROLE, actions: ['*'], via: 'Admin', source: at('iam.json', 30) }),
      grant({ identity: ROLE, actions: ['s3:*', 'sts:AssumeRole', 'ec2:Describe*'], via: 'Boundary', boundary: true, source: at('iam.json', 50) }),
    );
    expect(found.findings.map((finding) => [finding.messageId, finding.message])).toEqual([
      ['unused-services', expect.stringMatching(/uses 2 of 3 granted services .*; never used: ec2\.$/)],
    ]);
    expect(where(found.findings[0])).toEqual(['iam.json:3', 'iam.json:30']);
  });

  it('reads a NotAction allow under a boundary as the boundary\'s services it does not exclude', async () => {
    const found = await run(
      grant({ identity: ROLE, actions: ['ec2:*'], notActions: true, via: 'PowerUser', source: at('iam.json', 31) }),
      grant({ identity: ROLE, actions: ['s3:*', 'sts:*', 'ec2:*', 'lambda:*'], via: 'Boundary', boundary: true, source: at('iam.json', 50) }),
    );
    expect(found.findings.map((finding) => [finding.messageId, finding.message])).toEqual([
      ['unused-services', expect.stringMatching(/uses 2 of 3 granted services .*; never used: lambda\.$/)],
    ]);
  });

  it('does not report a NotAction allow that a deny of "*" cancels', async () => {
    const found = await run(...used, grant({ identity: ROLE, actions: ['iam:*'], notActions: true }), grant({ identity: ROLE, actions: ['*'], effect: 'deny' }));
    expect(found.findings).toEqual([]);
  });

  it('says once that SCPs and resource policies were not evaluated, for two AWS identities', async () => {
    const OTHER = `arn:aws:iam::${ACCOUNT}:role/report`;
    const found = await run(
      ...used,
      identity({ id: OTHER, type: 'role', provider: 'aws', tenant: ACCOUNT, source: at('iam.json', 4) }),
      grant({ identity: OTHER, actions: ['s3:GetObject'], via: 'Report' }),
      ...uses(ACCOUNT, OTHER),
    );
    expect(found.notes).toEqual([SCOPE]);
  });

  it('does not say so when no AWS identity was judged (a GCP service account)', async () => {
    const SA = 'etl@acme-prod.iam.gserviceaccount.com';
    const records = [
      identity({ id: SA, type: 'service-account', provider: 'gcp', tenant: 'acme-prod' }),
      grant({ identity: SA, actions: ['storage.objects.get', 'compute.instances.create'], via: 'roles/custom' }),
      event({ time: t('2026-01-01T00:00:00Z'), identity: SA, action: 'storage.objects.get', tenant: 'acme-prod' }),
      event({ time: t('2026-02-15T00:00:00Z'), identity: SA, action: 'storage.objects.get', tenant: 'acme-prod' }),
    ];
    const found = await runRule(rule, world(...records), AS_OF);
    expect(found.findings.map((finding) => finding.subject.id)).toEqual([SA]);
    expect(found.notes).toEqual([]);
  });
});
