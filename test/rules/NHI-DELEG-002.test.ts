import { describe, expect, it } from 'vitest';
import { formatSource, type TokenParty } from '../../src/model/index.js';
import { rule } from '../../src/rules/NHI-DELEG-002.js';
import { runRule } from '../helpers/run-rule.js';
import { at, credential, identity, t, world } from '../helpers/world.js';

const AS_OF = t('2026-03-10T00:00:00Z');
const agent = () => identity({ id: 'report-agent', type: 'agent', provider: 'oauth', tenant: 'tenant-1', source: at('agents.yaml', 2) });
const party = (sub: string, iss?: string): TokenParty => (iss === undefined ? { sub } : { sub, iss });
const token = (id: string, chain: readonly TokenParty[], mayAct: readonly TokenParty[] | undefined, line: number) =>
  credential({
    id, identity: 'report-agent', clientId: 'report-agent', type: 'access-token', onBehalfOf: 'alice@example.com',
    actorChain: chain, ...(mayAct === undefined ? {} : { mayAct }), source: at('tokens.ndjson', line),
  });

describe('NHI-DELEG-002 unpermitted-actor', () => {
  it('reports the actor may_act does not allow, naming the token, subject, actor, what may_act allows and the line', async () => {
    const run = await runRule(rule, world(agent(), token('tx-7', [party('support-gateway'), party('report-agent')], [party('support-gateway')], 7)), AS_OF);
    expect(run.findings).toHaveLength(1);
    const [finding] = run.findings;
    expect(finding?.messageId).toBe('unpermitted-actor');
    expect(finding?.subject).toEqual({ kind: 'credential', id: 'tx-7', provider: 'oauth', tenant: 'tenant-1' });
    expect(finding?.message).toBe(
      'Token tx-7 for alice@example.com names 1 actor that may_act does not allow: report-agent ' +
        '(may_act allows support-gateway; chain support-gateway → report-agent).',
    );
    expect(finding?.evidence.map((item) => formatSource(item.source))).toEqual(['tokens.ndjson:7']);
  });

  it('tells actors apart by issuer when both claims name one', async () => {
    const run = await runRule(
      rule,
      world(agent(), token('tx-8', [party('report-agent', 'https://evil.example')], [party('report-agent', 'https://as.acme.example')], 8)),
      AS_OF,
    );
    expect(run.findings.map((finding) => finding.message)).toEqual([
      'Token tx-8 for alice@example.com names 1 actor that may_act does not allow: report-agent (iss https://evil.example) ' +
        '(may_act allows report-agent (iss https://as.acme.example); chain report-agent (iss https://evil.example)).',
    ]);
  });

  it.each([
    { name: 'every actor is allowed', chain: [party('support-gateway'), party('report-agent')], mayAct: [party('report-agent'), party('support-gateway')] },
    { name: 'may_act names no issuer', chain: [party('report-agent', 'https://as.acme.example')], mayAct: [party('report-agent')] },
  ])('stays quiet when $name', async ({ chain, mayAct }) => {
    const run = await runRule(rule, world(agent(), token('tx-9', chain, mayAct, 9)), AS_OF);
    expect(run.findings).toEqual([]);
    expect(run.notes).toEqual([]);
  });

  it('does not judge a token without may_act, and says so', async () => {
    const run = await runRule(rule, world(agent(), token('tx-10', [party('report-agent')], undefined, 10)), AS_OF);
    expect(run.findings).toEqual([]);
    expect(run.notes).toEqual([
      '1 token with an act chain but no may_act (tx-10): who may act for the subject is not stated, so the actors were not judged',
    ]);
  });

  it('is not evaluated without tokens that carry an act chain', async () => {
    const run = await runRule(rule, world(agent(), credential({ id: 'plain', identity: 'report-agent', source: at('tokens.ndjson', 1) })), AS_OF);
    expect(run.notEvaluated).toEqual(['no token with an act (actor) claim was supplied (introspection responses or decoded JWT claims)']);
  });
});
