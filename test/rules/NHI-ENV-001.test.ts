import { describe, expect, it } from 'vitest';
import type { FindingDraft } from '../../src/engine/rule-api.js';
import { formatSource, type NormalizedRecord } from '../../src/model/index.js';
import { rule } from '../../src/rules/NHI-ENV-001.js';
import { runRule } from '../helpers/run-rule.js';
import { at, credential, event, identity, t, tenant, world } from '../helpers/world.js';

const AS_OF = t('2026-03-10T00:00:00Z');
const SA = 'deploy@prod-proj.iam.gserviceaccount.com';
const sa = (environment: string | null = 'prod', type: 'service-account' | 'user' = 'service-account') =>
  identity({ id: SA, type, provider: 'gcp', tenant: 'prod-proj', environment, source: at('inventory.yaml', 6) });
const act = (line: number, fields: { tenant?: string; environment?: string; identity?: string; credential?: string }) =>
  event({ time: t('2026-03-01T00:00:00Z') + line * 60_000, identity: fields.credential === undefined ? (fields.identity ?? SA) : null, credential: fields.credential ?? null, tenant: fields.tenant ?? null, environment: fields.environment ?? null, source: at('audit.json', line) });

function where(finding: FindingDraft | undefined): string[] {
  return (finding?.evidence ?? []).map((item) => formatSource(item.source));
}

describe('NHI-ENV-001 cross-environment-reuse', () => {
  it('reports an identity declared prod and active in a dev tenant', async () => {
    const scene = world(sa(), tenant({ id: 'dev-proj', environment: 'dev' }), act(3, { tenant: 'prod-proj' }), act(4, { tenant: 'dev-proj' }), act(5, { tenant: 'dev-proj' }));
    const run = await runRule(rule, scene, AS_OF);
    expect(run.findings).toHaveLength(1);
    const [finding] = run.findings;
    expect(finding?.messageId).toBe('cross-environment');
    expect(finding?.severity).toBeUndefined();
    expect(finding?.subject).toEqual({ kind: 'identity', id: SA, provider: 'gcp', tenant: 'prod-proj' });
    expect(finding?.message).toBe(
      `Service account ${SA} is active in 2 environments: dev (tenant dev-proj; first at 2026-03-01T00:04:00Z (audit.json:4)) and prod (declared).`,
    );
    expect(where(finding)).toEqual(['inventory.yaml:6', 'audit.json:4']);
    expect(finding?.evidence.map((item) => item.key)).toEqual([`identity:${SA}`, `event:${SA}:first-in-environment:dev`]);
  });

  it.each<{ name: string; records: NormalizedRecord[]; lines: string[] }>([
    { name: 'environments named by events', records: [sa(null), act(7, { environment: 'Staging' }), act(8, { environment: 'prod' })], lines: ['inventory.yaml:6', 'audit.json:8', 'audit.json:7'] },
    {
      name: 'a credential used in two environments by an unknown holder',
      records: [credential({ id: 'key-7', identity: 'ghost', source: at('keys.json', 2) }), act(9, { credential: 'key-7', environment: 'dev' }), act(10, { credential: 'key-7', environment: 'prod' })],
      lines: ['keys.json:2', 'audit.json:9', 'audit.json:10'],
    },
  ])('fires on $name', async ({ records, lines }) => {
    const run = await runRule(rule, world(...records), AS_OF);
    expect(run.findings).toHaveLength(1);
    expect(where(run.findings[0])).toEqual(lines);
  });

  it.each<{ name: string; records: NormalizedRecord[] }>([
    { name: 'one environment, declared and seen', records: [sa(), act(3, { environment: 'PROD' })] },
    { name: 'a tenant without an environment', records: [sa(), tenant({ id: 'other-proj' }), act(3, { tenant: 'other-proj' })] },
    { name: 'a human user in two environments', records: [sa('prod', 'user'), credential({ id: `${SA}#password`, identity: SA, type: 'password' }), act(3, { environment: 'dev' })] },
    { name: 'a declared environment and no use', records: [sa(), act(3, { identity: 'someone-else', environment: 'dev' })] },
  ])('does not fire on $name', async ({ records }) => {
    const run = await runRule(rule, world(...records), AS_OF);
    expect(run.findings).toEqual([]);
    expect(run.notEvaluated).toEqual([]);
  });

  it('does not report a credential again when its identity is reported', async () => {
    const scene = world(sa(), credential({ id: 'key-1', identity: SA }), act(3, { identity: SA, environment: 'dev' }));
    const run = await runRule(rule, scene, AS_OF);
    expect(run.findings.map((finding) => finding.subject.kind)).toEqual(['identity']);
  });

  it('reports two identities', async () => {
    const scene = world(sa(), identity({ id: 'bot', environment: 'dev' }), act(3, { environment: 'dev' }), act(4, { identity: 'bot', environment: 'prod' }));
    const run = await runRule(rule, scene, AS_OF);
    expect(run.findings.map((finding) => finding.subject.id).sort()).toEqual(['bot', SA]);
  });

  it('is not evaluated without events', async () => {
    const run = await runRule(rule, world(sa()), AS_OF);
    expect(run.notEvaluated).toEqual(['no access-log events were supplied, so where identities are active is unknown']);
  });
});
