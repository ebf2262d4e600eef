import { describe, expect, it } from 'vitest';
import { EMPTY_CONFIG, parseConfig } from '../../src/engine/config.js';
import { evaluateRules } from '../../src/engine/evaluate.js';
import { defineRule, type RuleLogic } from '../../src/engine/rule-api.js';
import type { Catalog, RuleMeta } from '../../src/model/index.js';
import { identity, t, world } from '../helpers/world.js';

function meta(id: string, name: string): RuleMeta {
  return {
    id, name, title: name, severity: 'medium', description: 'd', remediation: 'r',
    params: { limit: { type: 'integer', default: 1, description: 'x' } },
    mappings: { 'owasp-nhi-2025': ['NHI1:2025'] }, requires: [], inputs: [], data: [],
  };
}

const catalog: Catalog = {
  data: {},
  frameworks: [],
  rules: [meta('NHI-TEST-001', 'throws'), meta('NHI-TEST-002', 'reports'), meta('NHI-TEST-003', 'blind')],
};

const reports = defineRule<{ limit: number }>('NHI-TEST-002', (ctx, sink) => {
  for (const item of ctx.inventory.identities().slice(0, ctx.params.limit)) {
    sink.report({
      messageId: 'seen',
      message: `saw ${item.id}`,
      subject: { kind: 'identity', id: item.id },
      evidence: [{ source: item.source, summary: 'here', key: `identity:${item.id}` }],
      ...(item.id === 'b' ? { severity: 'critical' as const } : {}),
    });
  }
});

const logic = new Map<string, RuleLogic<never>>([
  ['NHI-TEST-001', defineRule('NHI-TEST-001', () => {
    throw new Error('boom');
  }) as RuleLogic<never>],
  ['NHI-TEST-002', reports as RuleLogic<never>],
  ['NHI-TEST-003', defineRule('NHI-TEST-003', (_ctx, sink) => sink.notEvaluated('no logs')) as RuleLogic<never>],
]);

const scene = world(identity({ id: 'a' }), identity({ id: 'b' }));
const none = { enable: new Set<string>(), disable: new Set<string>() };

describe('evaluateRules', () => {
  it('isolates a rule that throws: it becomes a rule error and the others still run', () => {
    const result = evaluateRules(catalog, logic, scene, EMPTY_CONFIG, none, t('2026-01-01T00:00:00Z'));
    expect(result.evaluations.map((item) => [item.ruleId, item.status])).toEqual([
      ['NHI-TEST-001', 'error'],
      ['NHI-TEST-002', 'evaluated'],
      ['NHI-TEST-003', 'not-evaluated'],
    ]);
    expect(result.evaluations[0]?.notes).toEqual(['rule failed: boom']);
    expect(result.evaluations[2]?.notes).toEqual(['no logs']);
    expect(result.findings).toHaveLength(1);
    expect(result.findings[0]).toMatchObject({ ruleId: 'NHI-TEST-002', ruleName: 'reports', severity: 'medium', mappings: { 'owasp-nhi-2025': ['NHI1:2025'] } });
    expect(result.findings[0]?.fingerprint).toMatch(/^[0-9a-f]{32}$/);
  });

  it('applies config params and severity, keeps a rule escalation, and honours --disable over config', () => {
    const config = parseConfig('rules:\n  reports: { severity: low, params: { limit: 2 } }\n  blind: off\n', 'c', catalog);
    const result = evaluateRules(catalog, logic, scene, config, { enable: new Set(), disable: new Set(['NHI-TEST-001']) }, 0);
    expect(result.findings.map((item) => [item.subject.id, item.severity])).toEqual([
      ['a', 'low'],
      ['b', 'critical'],
    ]);
    expect(result.evaluations.map((item) => item.status)).toEqual(['disabled', 'evaluated', 'disabled']);
  });

  it('lets --enable turn on a rule the config turned off', () => {
    const config = parseConfig('rules:\n  reports: off\n', 'c', catalog);
    const result = evaluateRules(catalog, logic, scene, config, { enable: new Set(['NHI-TEST-002']), disable: new Set() }, 0);
    expect(result.evaluations[1]?.status).toBe('evaluated');
  });
});

describe('a rule reporting one subject twice', () => {
  const twice = (distinct: boolean) =>
    defineRule('NHI-TEST-002', (ctx, sink) => {
      for (const place of ['a.json', 'b.json']) {
        sink.report({
          messageId: 'seen',
          message: `seen in ${place}`,
          subject: { kind: 'identity', id: 'a' },
          evidence: [],
          ...(distinct ? { distinct: place } : {}),
        });
      }
    }) as RuleLogic<never>;
  const only = { enable: new Set<string>(), disable: new Set(['NHI-TEST-001', 'NHI-TEST-003']) };

  it('keeps both findings, with different fingerprints, when it says what tells them apart', () => {
    const result = evaluateRules(catalog, new Map([['NHI-TEST-002', twice(true)]]), scene, EMPTY_CONFIG, only, t('2026-01-01T00:00:00Z'));
    expect(new Set(result.findings.map((finding) => finding.fingerprint)).size).toBe(2);
  });

  it('keeps the first and says so in a note when it does not', () => {
    const result = evaluateRules(catalog, new Map([['NHI-TEST-002', twice(false)]]), scene, EMPTY_CONFIG, only, t('2026-01-01T00:00:00Z'));
    expect(result.findings.map((finding) => finding.message)).toEqual(['seen in a.json']);
    expect(result.evaluations.find((item) => item.ruleId === 'NHI-TEST-002')?.notes).toEqual([
      'reported identity a more than once without telling the findings apart; only the first is kept',
    ]);
  });
});
