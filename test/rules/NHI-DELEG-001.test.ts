import { describe, expect, it } from 'vitest';
import type { FindingDraft } from '../../src/engine/rule-api.js';
import { formatSource, type NormalizedRecord } from '../../src/model/index.js';
import { rule } from '../../src/rules/NHI-DELEG-001.js';
import { runRule } from '../helpers/run-rule.js';
import { at, credential, event, identity, t, world } from '../helpers/world.js';

const AS_OF = t('2026-03-10T00:00:00Z');
const SA = 'reporter@proj.iam.gserviceaccount.com';
const sa = () => identity({ id: SA, provider: 'gcp', tenant: 'proj', source: at('iam.json', 5) });
const hop = (chain: string[], line: number, who = SA, outcome: 'success' | 'failure' = 'success') =>
  event({ time: t('2026-03-01T10:00:00Z') + line, identity: who, actorChain: chain, action: 'bigquery.jobs.create', outcome, source: at('audit.json', line) });

const AGENT = 'triage-agent';
const agent = () => identity({ id: AGENT, type: 'agent', provider: 'oauth', source: at('agents.yaml', 2) });
const token = (id: string, chain: string[], line: number, client = AGENT) =>
  credential({
    id, identity: client, clientId: client, type: 'access-token', onBehalfOf: 'alice@example.com', issuedAt: t('2026-03-01T10:00:00Z'),
    ...(chain.length === 0 ? {} : { actorChain: chain.map((sub) => ({ sub })) }), source: at('tokens.ndjson', line),
  });

function where(finding: FindingDraft | undefined): string[] {
  return (finding?.evidence ?? []).map((item) => formatSource(item.source));
}

describe('NHI-DELEG-001 delegation-chain-depth', () => {
  it('reports the deepest chain with its hops, time and line', async () => {
    const run = await runRule(rule, world(sa(), hop(['alice@example.com', 'ci@proj.iam.gserviceaccount.com'], 7), hop(['alice@example.com', 'ci@proj', 'etl@proj'], 9)), AS_OF);
    expect(run.findings).toHaveLength(1);
    const [finding] = run.findings;
    expect(finding?.messageId).toBe('chain-too-deep');
    expect(finding?.severity).toBeUndefined();
    expect(finding?.subject).toEqual({ kind: 'identity', id: SA, provider: 'gcp', tenant: 'proj' });
    expect(finding?.message).toBe(
      `Service account ${SA} acted through a delegation chain of 3 hops (alice@example.com → ci@proj → etl@proj), more than the 2 allowed, ` +
        'at 2026-03-01T10:00:00.009Z (audit.json:9).',
    );
    expect(where(finding)).toEqual(['iam.json:5', 'audit.json:9']);
    expect(finding?.evidence.map((item) => item.key)).toEqual([`identity:${SA}`, `event:${SA}:deepest-chain`]);
  });

  it.each<{ name: string; records: NormalizedRecord[]; lines: string[] }>([
    { name: 'an actor seen only in the logs', records: [sa(), hop(['a', 'b', 'c', 'd'], 11, 'arn:aws:sts::1:assumed-role/x/y')], lines: ['audit.json:11'] },
    { name: 'a Kubernetes impersonation chain', records: [sa(), hop(['system:serviceaccount:ci:deployer', 'system:serviceaccount:ops:admin', 'admin@corp'], 12)], lines: ['iam.json:5', 'audit.json:12'] },
  ])('fires on $name', async ({ records, lines }) => {
    const run = await runRule(rule, world(...records), AS_OF);
    expect(run.findings).toHaveLength(1);
    expect(where(run.findings[0])).toEqual(lines);
  });

  it.each<{ name: string; records: NormalizedRecord[]; notes: unknown[] }>([
    { name: 'a chain of exactly two hops', records: [sa(), hop(['a', 'b'], 7)], notes: [] },
    { name: 'a deep chain on a failed action', records: [sa(), hop(['a', 'b', 'c'], 7, SA, 'failure')], notes: [expect.stringMatching(/no event carried a delegation chain/)] },
    { name: 'events without chains', records: [sa(), hop([], 7)], notes: [expect.stringMatching(/no event carried a delegation chain/)] },
  ])('does not fire on $name', async ({ records, notes }) => {
    const run = await runRule(rule, world(...records), AS_OF);
    expect(run.findings).toEqual([]);
    expect(run.notes).toEqual(notes);
  });

  it('reports two identities with deep chains', async () => {
    const scene = world(sa(), identity({ id: 'other', source: at('iam.json', 8) }), hop(['a', 'b', 'c'], 7), hop(['x', 'y', 'z'], 8, 'other'));
    const run = await runRule(rule, scene, AS_OF);
    expect(run.findings.map((finding) => finding.subject.id).sort()).toEqual(['other', SA].sort());
  });

  it.each([
    { max_hops: 3, fires: false },
    { max_hops: 1, fires: true },
  ])('honours max_hops=$max_hops on a 3-hop chain', async ({ max_hops, fires }) => {
    const run = await runRule(rule, world(sa(), hop(['a', 'b', 'c'], 7)), AS_OF, { max_hops });
    expect(run.findings).toHaveLength(fires ? 1 : 0);
  });

  it('shows a cut chain with an ellipsis', async () => {
    const long = Array.from({ length: 20 }, (_, index) => `hop${index}`);
    const run = await runRule(rule, world(sa(), hop(long, 7)), AS_OF);
    expect(run.findings[0]?.message).toMatch(/chain of 20 hops \(hop0 → .* → hop15 → …\)/);
  });

  it('is not evaluated without events or chained tokens', async () => {
    const run = await runRule(rule, world(sa(), token('tx-0', [], 3)), AS_OF);
    expect(run.notEvaluated).toEqual(['no access-log events and no tokens with an act chain were supplied, so delegation chains are unknown']);
  });

  it('reports a token whose act chain is deeper than max_hops, without any event, naming the token, subject and hops', async () => {
    const run = await runRule(rule, world(agent(), token('tx-1', ['edge-proxy', 'support-gateway', AGENT], 4)), AS_OF);
    expect(run.findings).toHaveLength(1);
    const [finding] = run.findings;
    expect(finding?.messageId).toBe('token-chain-too-deep');
    expect(finding?.subject).toEqual({ kind: 'identity', id: AGENT, provider: 'oauth' });
    expect(finding?.message).toBe(
      `Agent ${AGENT} holds token tx-1 for alice@example.com issued 2026-03-01T10:00:00Z whose act claim chains 3 actors ` +
        '(edge-proxy → support-gateway → triage-agent), more than the 2 allowed (tokens.ndjson:4).',
    );
    expect(where(finding)).toEqual(['agents.yaml:2', 'tokens.ndjson:4']);
  });

  it('judges a token of a client the inventory does not list under that client', async () => {
    const run = await runRule(rule, world(sa(), token('tx-2', ['a', 'b', 'c'], 6, 'unlisted-client')), AS_OF);
    expect(run.findings.map((finding) => [finding.messageId, finding.subject.id])).toEqual([['token-chain-too-deep', 'unlisted-client']]);
  });

  it('stays quiet for a token with one intermediary (gateway → agent)', async () => {
    const run = await runRule(rule, world(agent(), token('tx-3', ['support-gateway', AGENT], 5)), AS_OF);
    expect(run.findings).toEqual([]);
    expect(run.notes).toEqual([]);
  });
});
