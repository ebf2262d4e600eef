import { describe, expect, it } from 'vitest';
import type { FindingDraft } from '../../src/engine/rule-api.js';
import { formatSource, type NormalizedRecord } from '../../src/model/index.js';
import { rule } from '../../src/rules/NHI-TENANT-001.js';
import { runRule } from '../helpers/run-rule.js';
import { at, credential, event, identity, t, tenant, world } from '../helpers/world.js';

const AS_OF = t('2026-03-10T00:00:00Z');
const HOME = '111111111111';
const FOREIGN = '222222222222';
const ROLE = `arn:aws:iam::${HOME}:role/sync`;
const role = (extra: Partial<{ thirdParty: boolean; type: 'role' | 'user' }> = {}) =>
  identity({ id: ROLE, type: 'role', provider: 'aws', tenant: HOME, source: at('iam.json', 2), ...extra });
const act = (tenantId: string | null, line: number, who: { identity?: string; credential?: string } = { identity: ROLE }) =>
  event({ time: t('2026-03-01T00:00:00Z') + line * 60_000, identity: who.identity ?? null, credential: who.credential ?? null, action: 's3:GetObject', tenant: tenantId, source: at('trail.json', line) });

function where(finding: FindingDraft | undefined): string[] {
  return (finding?.evidence ?? []).map((item) => formatSource(item.source));
}

describe('NHI-TENANT-001 cross-tenant-use', () => {
  it('reports the first event in a foreign tenant', async () => {
    const scene = world(role(), tenant({ id: FOREIGN, name: 'partner-prod' }), act(HOME, 1), act(FOREIGN, 2), act(FOREIGN, 3));
    const run = await runRule(rule, scene, AS_OF);
    expect(run.findings).toHaveLength(1);
    const [finding] = run.findings;
    expect(finding?.messageId).toBe('cross-tenant');
    expect(finding?.severity).toBeUndefined();
    expect(finding?.subject).toEqual({ kind: 'identity', id: ROLE, provider: 'aws', tenant: HOME });
    expect(finding?.message).toBe(
      `Role ${ROLE}, bound to tenant ${HOME}, acted in 1 other tenant: ${FOREIGN} (partner-prod) first at 2026-03-01T00:02:00Z (trail.json:2).`,
    );
    expect(where(finding)).toEqual(['iam.json:2', 'trail.json:2']);
    expect(finding?.evidence.map((item) => item.key)).toEqual([`identity:${ROLE}`, `event:${ROLE}:first-foreign-tenant:${FOREIGN}`]);
  });

  it.each<{ name: string; records: NormalizedRecord[]; lines: string[]; subject: string }>([
    {
      name: 'a credential bound to another tenant than where it was used',
      records: [credential({ id: 'AKIA1', identity: 'ghost', tenant: HOME, source: at('keys.csv', 4) }), act(HOME, 5, { credential: 'AKIA1' }), act('333333333333', 6, { credential: 'AKIA1' })],
      lines: ['keys.csv:4', 'trail.json:6'],
      subject: 'AKIA1',
    },
    {
      name: 'a credential used in a tenant its identity was not reported for',
      records: [role(), credential({ id: 'AKIA2', identity: ROLE, tenant: FOREIGN, source: at('keys.csv', 7) }), act(FOREIGN, 8, { identity: ROLE, credential: 'AKIA2' }), act(HOME, 9, { identity: ROLE, credential: 'AKIA2' })],
      lines: ['iam.json:2', 'trail.json:8'],
      subject: ROLE,
    },
  ])('fires on $name', async ({ records, lines, subject }) => {
    const run = await runRule(rule, world(...records), AS_OF);
    expect(run.findings[0]?.subject.id).toBe(subject);
    expect(where(run.findings[0])).toEqual(lines);
  });

  it.each<{ name: string; records: NormalizedRecord[]; params?: Record<string, unknown> }>([
    { name: 'use only in the bound tenant', records: [role(), act(HOME, 1)] },
    { name: 'an allow-listed tenant', records: [role(), act(FOREIGN, 1)], params: { allowed_tenants: [FOREIGN] } },
    { name: 'an allow-listed pair', records: [role(), act(FOREIGN, 1)], params: { allowed_tenants: [`${HOME} -> ${FOREIGN}`] } },
    { name: 'a third-party app', records: [role({ thirdParty: true }), act(FOREIGN, 1)] },
    { name: 'a human user (console password, no key)', records: [role({ type: 'user' }), credential({ id: `${ROLE}#password`, identity: ROLE, type: 'password' }), act(FOREIGN, 1)] },
    { name: 'a foreign failed attempt', records: [role(), event({ time: t('2026-03-01T00:00:00Z'), identity: ROLE, tenant: FOREIGN, outcome: 'failure' })] },
  ])('does not fire on $name', async ({ records, params }) => {
    const run = await runRule(rule, world(...records), AS_OF, params);
    expect(run.findings).toEqual([]);
    expect(run.notEvaluated).toEqual([]);
  });

  it('does not report a credential again for a tenant its identity is reported for', async () => {
    const scene = world(role(), credential({ id: 'AKIA3', identity: ROLE, tenant: HOME }), act(FOREIGN, 1, { identity: ROLE, credential: 'AKIA3' }));
    const run = await runRule(rule, scene, AS_OF);
    expect(run.findings.map((finding) => finding.subject.kind)).toEqual(['identity']);
  });

  it('reports an identity in two foreign tenants once, with evidence for each', async () => {
    const run = await runRule(rule, world(role(), act('333333333333', 4), act(FOREIGN, 3)), AS_OF);
    expect(where(run.findings[0])).toEqual(['iam.json:2', 'trail.json:3', 'trail.json:4']);
    expect(run.findings[0]?.message).toMatch(/acted in 2 other tenants: 222222222222 first at .* and 333333333333 first at/);
  });

  it.each([
    { name: 'without events', records: [role()], reason: /no access-log events/ },
    { name: 'when events name no tenant', records: [role(), act(null, 1)], reason: /no event names a tenant/ },
    { name: 'when nothing is bound to a tenant', records: [identity({ id: 'x' }), act(FOREIGN, 1, { identity: 'x' })], reason: /no identity or credential states/ },
  ])('is not evaluated $name', async ({ records, reason }) => {
    const run = await runRule(rule, world(...records), AS_OF);
    expect(run.notEvaluated).toEqual([expect.stringMatching(reason)]);
  });
});
