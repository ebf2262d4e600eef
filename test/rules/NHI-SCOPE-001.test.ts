import { describe, expect, it } from 'vitest';
import type { FindingDraft } from '../../src/engine/rule-api.js';
import { formatSource, type NormalizedRecord } from '../../src/model/index.js';
import { rule } from '../../src/rules/NHI-SCOPE-001.js';
import { runRule } from '../helpers/run-rule.js';
import { approval, at, event, identity, t, world } from '../helpers/world.js';

const AS_OF = t('2026-03-10T00:00:00Z');
const AGENT = 'agent-reports';
const ALICE = 'alice@example.com';

const agent = () => identity({ id: AGENT, type: 'agent', provider: 'custom', tenant: 'acme', source: at('inventory.yaml', 4) });
const approved = (scopes: string[], principal: string | null = ALICE, id = 'apr-1', line = 30) =>
  approval({ id, delegate: AGENT, principal, scopes, source: at('inventory.yaml', line) });
const act = (action: string, line: number, onBehalfOf: string | null = ALICE, day = 1) =>
  event({ time: t(`2026-03-0${day}T09:00:00Z`), identity: AGENT, action, onBehalfOf, source: at('events.ndjson', line) });

function where(finding: FindingDraft | undefined): string[] {
  return (finding?.evidence ?? []).map((item) => formatSource(item.source));
}

describe('NHI-SCOPE-001 out-of-scope-action', () => {
  it('reports a delegated action outside the approval, with the approval and the first event', async () => {
    const scene = world(agent(), approved(['s3:Get*', 's3:List*']), act('s3:GetObject', 11), act('s3:DeleteObject', 12, ALICE, 2), act('s3:DeleteObject', 13, ALICE, 3));
    const run = await runRule(rule, scene, AS_OF);
    expect(run.findings).toHaveLength(1);
    const [finding] = run.findings;
    expect(finding?.messageId).toBe('out-of-scope');
    expect(finding?.severity).toBeUndefined();
    expect(finding?.subject).toEqual({ kind: 'identity', id: AGENT, provider: 'custom', tenant: 'acme' });
    expect(finding?.message).toBe(
      `Delegate ${AGENT}, acting for ${ALICE}, performed 1 action outside the scopes of approval apr-1 ("s3:Get*", "s3:List*"): ` +
        's3:DeleteObject first at 2026-03-02T09:00:00Z (events.ndjson:12).',
    );
    expect(where(finding)).toEqual(['inventory.yaml:30', 'events.ndjson:12']);
    expect(finding?.evidence.map((item) => item.key)).toEqual(['approval:apr-1', `event:${AGENT}:${ALICE}:first-out-of-scope:s3:DeleteObject`]);
  });

  it.each<{ name: string; records: NormalizedRecord[]; lines: string[] }>([
    { name: 'an action by a delegate acting on its own under an approval without principal', records: [agent(), approved(['get pods'], null), act('delete pods', 14, null)], lines: ['inventory.yaml:30', 'events.ndjson:14'] },
    { name: 'an OAuth scope compared exactly', records: [agent(), approved(['Mail.Read']), act('mail.send', 15)], lines: ['inventory.yaml:30', 'events.ndjson:15'] },
    {
      name: 'two approvals for the same principal, neither covering it',
      records: [agent(), approved(['s3:Get*']), approved(['s3:List*'], ALICE, 'apr-2', 31), act('iam:CreateUser', 16)],
      lines: ['inventory.yaml:30', 'inventory.yaml:31', 'events.ndjson:16'],
    },
  ])('fires on $name', async ({ records, lines }) => {
    const run = await runRule(rule, world(...records), AS_OF);
    expect(run.findings).toHaveLength(1);
    expect(where(run.findings[0])).toEqual(lines);
  });

  it.each<{ name: string; records: NormalizedRecord[] }>([
    { name: 'actions inside the scopes, AWS case-insensitive', records: [agent(), approved(['s3:get*']), act('s3:GetObject', 11)] },
    { name: 'a "*" scope', records: [agent(), approved(['*']), act('iam:CreateUser', 11)] },
    { name: 'an out-of-scope action for another principal', records: [agent(), approved(['s3:Get*']), act('s3:DeleteObject', 11, 'bob@example.com')] },
    { name: 'an action covered by a second approval of the same principal', records: [agent(), approved(['s3:Get*']), approved(['s3:Delete*'], ALICE, 'apr-2'), act('s3:DeleteObject', 11)] },
    { name: 'a failed out-of-scope attempt', records: [agent(), approved(['s3:Get*']), event({ time: t('2026-03-01T00:00:00Z'), identity: AGENT, action: 's3:DeleteObject', onBehalfOf: ALICE, outcome: 'failure' })] },
  ])('does not fire on $name', async ({ records }) => {
    const run = await runRule(rule, world(...records), AS_OF);
    expect(run.findings).toEqual([]);
    expect(run.notEvaluated).toEqual([]);
  });

  it('notes approvals without scopes instead of judging them', async () => {
    const run = await runRule(rule, world(agent(), approved([]), act('s3:DeleteObject', 11)), AS_OF);
    expect(run.findings).toEqual([]);
    expect(run.notes).toEqual(['approvals without scopes were not compared with the actions of their delegates: apr-1']);
  });

  it('notes when the actions set overflowed', async () => {
    const many = Array.from({ length: 70 }, (_, index) =>
      event({ time: t('2026-03-01T00:00:00Z') + index, identity: AGENT, action: `s3:Get${String(index).padStart(2, '0')}`, onBehalfOf: ALICE }),
    );
    const run = await runRule(rule, world(agent(), approved(['s3:Get*']), ...many), AS_OF);
    expect(run.findings).toEqual([]);
    expect(run.notes).toEqual([`more distinct actions were seen than kept for ${AGENT} for ${ALICE}: only the kept actions were compared with the approved scopes`]);
  });

  it('reports each delegation separately', async () => {
    const scene = world(
      agent(), approved(['s3:Get*']), approved(['s3:Get*'], 'bob@example.com', 'apr-b', 40),
      act('s3:PutObject', 11), act('s3:DeleteBucket', 12, 'bob@example.com'),
    );
    const run = await runRule(rule, scene, AS_OF);
    expect(run.findings.map((finding) => where(finding))).toEqual([
      ['inventory.yaml:30', 'events.ndjson:11'],
      ['inventory.yaml:40', 'events.ndjson:12'],
    ]);
  });

  it.each([
    { name: 'without approvals', records: [agent(), act('s3:GetObject', 11)], reason: /no approval records/ },
    { name: 'without events', records: [agent(), approved(['s3:Get*'])], reason: /no access-log events/ },
  ])('is not evaluated $name', async ({ records, reason }) => {
    const run = await runRule(rule, world(...records), AS_OF);
    expect(run.notEvaluated).toEqual([expect.stringMatching(reason)]);
  });
});
