import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/engine/config.js';
import { ConfigError, type Catalog } from '../../src/model/index.js';

const catalog: Catalog = {
  data: {},
  frameworks: [],
  rules: [
    {
      id: 'NHI-SHARE-001', name: 'shared-identity', title: 't', severity: 'high', description: 'd', remediation: 'r',
      params: { min_workloads: { type: 'integer', default: 3, description: 'x' } }, mappings: {}, requires: [], inputs: [], data: [],
    },
    {
      id: 'NHI-LIFE-001', name: 'missing-disconnect-event', title: 't', severity: 'high', description: 'd', remediation: 'r',
      params: { grace_period: { type: 'duration', default: '24h', description: 'x' } }, mappings: {}, requires: [], inputs: [], data: [],
    },
  ],
};

function problemsOf(text: string): readonly string[] {
  try {
    parseConfig(text, '.nhi-audit.yaml', catalog);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('config', () => {
  it('reads thresholds, rule settings by id or name, and coerces params', () => {
    const config = parseConfig(
      [
        'fail_on: critical',
        'min_severity: medium',
        'rules:',
        '  shared-identity: { severity: medium, params: { min_workloads: 5 } }',
        '  NHI-LIFE-001:',
        '    params: { grace_period: 36h }',
      ].join('\n'),
      '.nhi-audit.yaml',
      catalog,
    );
    expect(config.failOn).toBe('critical');
    expect(config.minSeverity).toBe('medium');
    expect(config.rules.get('NHI-SHARE-001')).toEqual({ severity: 'medium', params: { min_workloads: 5 } });
    expect(config.rules.get('NHI-LIFE-001')?.params).toEqual({ grace_period: 36 * 3_600_000 });
  });

  it('accepts on/off shorthands and an empty file', () => {
    expect(parseConfig('rules:\n  shared-identity: off\n', 'c', catalog).rules.get('NHI-SHARE-001')?.enabled).toBe(false);
    expect(parseConfig('', 'c', catalog).rules.size).toBe(0);
  });

  it('reports every problem at once, each with file and line', () => {
    const problems = problemsOf(
      [
        'fail_on: severe', // 1
        'colour: true', // 2
        'rules:', // 3
        '  no-such-rule: off', // 4
        '  shared-identity:', // 5
        '    params: { min_workloads: many, wrong: 1 }', // 6
        '    severity: urgent', // 7
        '  NHI-LIFE-001: { params: { grace_period: soon } }', // 8
      ].join('\n'),
    );
    expect(problems).toEqual([
      expect.stringMatching(/^\.nhi-audit\.yaml:1: fail_on must be one of/),
      expect.stringMatching(/^\.nhi-audit\.yaml:2: unknown key "colour"/),
      expect.stringMatching(/^\.nhi-audit\.yaml:4: unknown rule "no-such-rule"/),
      expect.stringMatching(/^\.nhi-audit\.yaml:6: NHI-SHARE-001\.params\.min_workloads must be an integer/),
      expect.stringMatching(/^\.nhi-audit\.yaml:6: NHI-SHARE-001 has no param "wrong"/),
      expect.stringMatching(/^\.nhi-audit\.yaml:7: NHI-SHARE-001\.severity must be one of/),
      expect.stringMatching(/^\.nhi-audit\.yaml:8: NHI-LIFE-001\.params\.grace_period must be a duration/),
    ]);
  });

  it('reports YAML syntax errors with their line', () => {
    expect(problemsOf('rules:\n  a: [1, 2\n')[0]).toMatch(/^\.nhi-audit\.yaml:\d+: /);
  });
});
