import { describe, expect, it } from 'vitest';
import { applySuppressions, parseExpiry, type IgnoreEntry } from '../../src/engine/suppress.js';
import type { Finding } from '../../src/model/index.js';

function finding(ruleId: string, subjectId: string, fingerprint = 'f'.repeat(32)): Finding {
  return {
    ruleId, ruleName: 'x', severity: 'high', messageId: 'm', message: 'msg',
    subject: { kind: 'identity', id: subjectId }, evidence: [], mappings: {}, remediation: '', fingerprint,
  };
}

const AS_OF = Date.parse('2026-11-01T00:00:00Z');
const entry = (fields: Partial<IgnoreEntry>): IgnoreEntry => ({
  reason: 'accepted', expires: Date.parse('2027-01-01T00:00:00Z'), source: { file: 'i.yaml', line: 1 }, ...fields,
});

describe('subject globs', () => {
  it.each([
    ['arn:aws:iam::*:role/ci-*', 'arn:aws:iam::111111111111:role/ci-deploy', true],
    ['arn:aws:iam::*:role/ci-*', 'arn:aws:iam::111111111111:role/ops/ci-deploy', false],
    ['*', 'anything/at:all', true],
    ['svc-?', 'svc-1', true],
    ['svc-?', 'svc-12', false],
    // Regex metacharacters are literal: "." is a dot, "+" a plus.
    ['a.b+c', 'a.b+c', true],
    ['a.b+c', 'aXbbc', false],
    ['*@proj.iam.gserviceaccount.com', 'x@proj.iam.gserviceaccount.com', true],
    ['*@proj.iam.gserviceaccount.com', 'x@proj.iam.gserviceaccount.com.evil', false],
  ])('%s against %s: %s', (glob, id, hit) => {
    const outcome = applySuppressions([finding('NHI-X-001', id)], [entry({ rule: 'NHI-X-001', subject: glob })], AS_OF);
    expect(outcome.suppressed.length === 1).toBe(hit);
  });
});

describe('applySuppressions', () => {
  it('needs every criterion an entry names: rule and subject, or fingerprint', () => {
    const list = [finding('NHI-X-001', 'a', '1'.repeat(32)), finding('NHI-X-002', 'a', '2'.repeat(32))];
    const outcome = applySuppressions(list, [entry({ rule: 'NHI-X-002', subject: 'a' }), entry({ fingerprint: '1'.repeat(32), rule: 'NHI-X-002' })], AS_OF);
    expect(outcome.suppressed.map((item) => item.ruleId)).toEqual(['NHI-X-002']);
    expect(outcome.kept.map((item) => item.ruleId)).toEqual(['NHI-X-001']);
  });

  it('treats an entry expiring exactly at --as-of as expired', () => {
    const outcome = applySuppressions([finding('NHI-X-001', 'a')], [entry({ rule: 'NHI-X-001', subject: 'a', expires: AS_OF })], AS_OF);
    expect(outcome.suppressed).toEqual([]);
    expect(outcome.warnings.map((warning) => warning.id)).toEqual(['suppression-expired']);
  });
});

describe('parseExpiry', () => {
  it('reads a date as 00:00 UTC that day and a time with its zone', () => {
    expect(parseExpiry('2027-03-31')).toEqual({ ok: true, value: Date.parse('2027-03-31T00:00:00Z') });
    expect(parseExpiry('2027-03-31T12:00:00+02:00')).toEqual({ ok: true, value: Date.parse('2027-03-31T10:00:00Z') });
    expect(parseExpiry('2027-02-30').ok).toBe(false);
  });
});
