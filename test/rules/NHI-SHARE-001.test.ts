import { describe, expect, it } from 'vitest';
import type { FindingDraft } from '../../src/engine/rule-api.js';
import { formatSource, type EventCategory, type NormalizedRecord } from '../../src/model/index.js';
import { rule } from '../../src/rules/NHI-SHARE-001.js';
import { runRule } from '../helpers/run-rule.js';
import { at, credential, event, identity, principal, t, world } from '../helpers/world.js';

const AS_OF = t('2026-03-10T00:00:00Z');
const SA = 'ci@proj.iam.gserviceaccount.com';

const WORKLOADS = [
  { userAgent: 'aws-cli/2.13.1 Python/3.11', sourceIp: '10.0.1.5' },
  { userAgent: 'Boto3/1.26.0 Python/3.9', sourceIp: '10.0.2.7' },
  { userAgent: 'terraform/1.5.0', sourceIp: '192.168.1.1' },
  { userAgent: 'curl/8.0', sourceIp: '172.16.0.1' },
  { userAgent: 'kubectl/1.29', sourceIp: '172.16.1.1' },
  { userAgent: 'Go-http-client/1.1', sourceIp: '172.16.2.1' },
  { userAgent: 'python-requests/2.31', sourceIp: '172.16.3.1' },
];

/** One event per workload, a day apart, on lines 101, 102, … of events.ndjson. */
function uses(count: number, who: { identity?: string; credential?: string }, category: EventCategory = 'access'): NormalizedRecord[] {
  return WORKLOADS.slice(0, count).map((workload, index) =>
    event({
      time: t(`2026-03-0${index + 1}T10:00:00Z`),
      identity: who.identity ?? null,
      credential: who.credential ?? null,
      category,
      ...workload,
      source: at('events.ndjson', 101 + index),
    }),
  );
}

const sa = (consumers: string[] = []) => identity({ id: SA, provider: 'gcp', consumers, source: at('iam.json', 7) });

function where(finding: FindingDraft | undefined): string[] {
  return (finding?.evidence ?? []).map((item) => formatSource(item.source));
}

describe('NHI-SHARE-001 shared-identity', () => {
  it('reports an identity used by three undeclared workloads, listing them', async () => {
    const run = await runRule(rule, world(sa(), ...uses(3, { identity: SA })), AS_OF);
    expect(run.findings).toHaveLength(1);
    const [finding] = run.findings;
    expect(finding?.messageId).toBe('shared');
    expect(finding?.severity).toBeUndefined();
    expect(finding?.subject).toEqual({ kind: 'identity', id: SA, provider: 'gcp' });
    expect(finding?.message).toBe(
      `Service account ${SA} is used by 3 distinct workloads (aws-cli from 10.0.1.0/24, boto3 from 10.0.2.0/24 and terraform from 192.168.1.0/24) ` +
        'but declares no consumers; last seen 2026-03-03T10:00:00Z (events.ndjson:103).',
    );
    expect(where(finding)).toEqual(['iam.json:7', 'events.ndjson:101', 'events.ndjson:103']);
    expect(finding?.evidence.map((item) => item.key)).toEqual([`identity:${SA}`, `first-use:identity:${SA}`, `last-use:identity:${SA}`]);
  });

  it.each([
    { name: 'more workloads than declared consumers', records: [sa(['deploy', 'backup']), ...uses(3, { identity: SA })], text: /declares 2 consumers \(deploy and backup\)/ },
    { name: 'seven workloads, capped at five in the message', records: [sa(['deploy']), ...uses(7, { identity: SA })], text: /7 distinct workloads \(.*, kubectl from 172\.16\.1\.0\/24 and 2 more\) but declares 1 consumer \(deploy\)/ },
    { name: 'events that name only its credential', records: [sa(), credential({ id: 'key-1', identity: SA }), ...uses(3, { credential: 'key-1' })], text: /3 distinct workloads/ },
  ])('fires on $name', async ({ records, text }) => {
    const run = await runRule(rule, world(...records), AS_OF);
    expect(run.findings).toHaveLength(1);
    expect(run.findings[0]?.subject.id).toBe(SA);
    expect(run.findings[0]?.message).toMatch(text);
  });

  it.each<{ name: string; records: NormalizedRecord[] }>([
    {
      name: 'one workload with different client versions in one /24',
      records: [
        sa(),
        event({ time: t('2026-03-01T00:00:00Z'), identity: SA, userAgent: 'aws-cli/2.1.0', sourceIp: '10.0.1.5' }),
        event({ time: t('2026-03-02T00:00:00Z'), identity: SA, userAgent: 'aws-cli/2.13.1', sourceIp: '10.0.1.99' }),
        event({ time: t('2026-03-03T00:00:00Z'), identity: SA, userAgent: 'aws-cli/2.13.2 Python/3.12', sourceIp: '10.0.1.200' }),
      ],
    },
    { name: 'three workloads, three declared consumers', records: [sa(['a', 'b', 'c']), ...uses(3, { identity: SA })] },
    { name: 'three workloads seen only in revoke events about it', records: [sa(), ...uses(3, { identity: SA }, 'revoke')] },
    { name: 'three workloads seen only in disconnect events about it', records: [sa(), ...uses(3, { identity: SA }, 'disconnect')] },
    { name: 'two workloads', records: [sa(), ...uses(2, { identity: SA })] },
    { name: 'a human user signing in from three places', records: [identity({ id: 'bob', type: 'user' }), ...uses(3, { identity: 'bob' }, 'login-interactive')] },
    { name: 'a person seen only in the logs', records: [principal({ id: 'carol@example.com' }), ...uses(3, { identity: 'carol@example.com' })] },
  ])('does not fire on $name', async ({ records }) => {
    const run = await runRule(rule, world(...records), AS_OF);
    expect(run.findings).toEqual([]);
    expect(run.notEvaluated).toEqual([]);
  });

  it('reports a shared credential whose identity is not in the inventory', async () => {
    const scene = world(sa(), credential({ id: 'key-9', identity: 'ghost', source: at('keys.json', 3) }), ...uses(3, { credential: 'key-9' }));
    const run = await runRule(rule, scene, AS_OF);
    expect(run.findings).toHaveLength(1);
    expect(run.findings[0]?.subject).toEqual({ kind: 'credential', id: 'key-9' });
    expect(where(run.findings[0])).toEqual(['keys.json:3', 'events.ndjson:101', 'events.ndjson:103']);
    expect(run.findings[0]?.evidence.map((item) => item.key)).toEqual(['credential:key-9', 'first-use:key-9', 'last-use:key-9']);
  });

  it('reports the access key, not the person, when a user who signs in interactively shares a key', async () => {
    const scene = world(
      identity({ id: 'svc-user', type: 'user', consumers: ['etl'], source: at('iam.json', 2) }),
      credential({ id: 'AKIA0001', type: 'access-key', identity: 'svc-user', source: at('creds.csv', 5) }),
      event({ time: t('2026-02-01T09:00:00Z'), identity: 'svc-user', category: 'login-interactive', source: at('events.ndjson', 90) }),
      ...uses(3, { identity: 'svc-user', credential: 'AKIA0001' }),
    );
    const run = await runRule(rule, scene, AS_OF);
    expect(run.findings.map((finding) => finding.subject)).toEqual([{ kind: 'credential', id: 'AKIA0001', provider: 'custom' }]);
    expect(run.findings[0]?.message).toMatch(/^Access key AKIA0001 is used by 3 distinct workloads .* but declares 1 consumer \(etl\)/);
    expect(where(run.findings[0])).toEqual(['creds.csv:5', 'iam.json:2', 'events.ndjson:101', 'events.ndjson:103']);
  });

  it('treats a user that only acts through programs as non-human, and says why', async () => {
    const scene = world(
      identity({ id: 'ci-user', type: 'user', consumers: ['release'], source: at('iam.json', 4) }),
      credential({ id: 'AKIA0002', type: 'access-key', identity: 'ci-user', source: at('creds.csv', 6) }),
      ...uses(3, { identity: 'ci-user', credential: 'AKIA0002' }),
    );
    const run = await runRule(rule, scene, AS_OF);
    expect(run.findings.map((finding) => finding.subject)).toEqual([{ kind: 'identity', id: 'ci-user', provider: 'custom' }]);
    expect(run.findings[0]?.evidence[0]?.summary).toMatch(/non-human: a user that acted only through programs .* and never signed in interactively/);
  });

  it('does not report a credential again when its identity is reported', async () => {
    const scene = world(sa(), credential({ id: 'key-1', identity: SA }), ...uses(3, { identity: SA, credential: 'key-1' }));
    const run = await runRule(rule, scene, AS_OF);
    expect(run.findings.map((finding) => finding.subject.kind)).toEqual(['identity']);
  });

  it('reports each shared identity, including one seen only in the logs', async () => {
    const scene = world(sa(), ...uses(3, { identity: SA }), ...uses(4, { identity: 'arn:aws:iam::1:user/legacy' }));
    const run = await runRule(rule, scene, AS_OF);
    expect(run.findings.map((finding) => finding.subject)).toEqual([
      { kind: 'identity', id: SA, provider: 'gcp' },
      { kind: 'identity', id: 'arn:aws:iam::1:user/legacy' },
    ]);
    expect(run.findings[1]?.message).toMatch(/^Identity arn:aws:iam::1:user\/legacy \(not in the inventory\) is used by 4 distinct workloads/);
  });

  it.each([
    { min_workloads: 2, workloads: 2, fires: true },
    { min_workloads: 4, workloads: 3, fires: false },
  ])('min_workloads=$min_workloads with $workloads workloads: fires=$fires', async ({ min_workloads, workloads, fires }) => {
    const scene = world(sa(), ...uses(workloads, { identity: SA }));
    const byDefault = await runRule(rule, scene, AS_OF);
    const run = await runRule(rule, scene, AS_OF, { min_workloads });
    expect(run.findings).toHaveLength(fires ? 1 : 0);
    expect(byDefault.findings).toHaveLength(fires ? 0 : 1);
  });

  it('is not evaluated without events', async () => {
    const run = await runRule(rule, world(sa(), credential({ id: 'key-1', identity: SA })), AS_OF);
    expect(run.notEvaluated).toHaveLength(1);
    expect(run.notEvaluated[0]).toMatch(/no access-log events/);
    expect(run.findings).toEqual([]);
  });
});
