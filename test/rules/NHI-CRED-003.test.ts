import { describe, expect, it } from 'vitest';
import type { FindingDraft } from '../../src/engine/rule-api.js';
import { formatSource, type Credential, type NormalizedRecord } from '../../src/model/index.js';
import { rule } from '../../src/rules/NHI-CRED-003.js';
import { runRule } from '../helpers/run-rule.js';
import { at, credential, event, identity, t, world } from '../helpers/world.js';

const AS_OF = t('2026-03-10T00:00:00Z');
const SA = 'deployer@proj-1.iam.gserviceaccount.com';

const sa = (id = SA, line = 2) => identity({ id, type: 'service-account', provider: 'gcp', tenant: 'proj-1', source: at('sa.json', line) });
const key = (id: string, line: number, overrides: Partial<Credential> = {}) =>
  credential({ id, identity: SA, type: 'sa-key', issuedAt: t('2025-12-01T00:00:00Z'), source: at('keys.json', line), ...overrides });

function where(finding: FindingDraft | undefined): string[] {
  return (finding?.evidence ?? []).map((item) => formatSource(item.source));
}

describe('NHI-CRED-003 multiple-active-keys', () => {
  it('reports a service account with two live keys, naming each with its last use', async () => {
    const scene = world(
      sa(), key('k-1', 3), key('k-2', 9, { issuedAt: t('2026-01-15T00:00:00Z') }),
      event({ time: t('2026-03-01T10:00:00Z'), identity: SA, credential: 'k-2', source: at('audit.json', 40) }),
    );
    const run = await runRule(rule, scene, AS_OF);
    expect(run.findings).toHaveLength(1);
    const [finding] = run.findings;
    expect(finding?.messageId).toBe('multiple-keys');
    expect(finding?.subject).toEqual({ kind: 'identity', id: SA, provider: 'gcp', tenant: 'proj-1' });
    expect(finding?.message).toBe(
      `Service account ${SA} holds 2 live static keys where at most 1 is expected: ` +
        'service-account key k-1 (issued 2025-12-01; no recorded use) and ' +
        'service-account key k-2 (issued 2026-01-15; last used 2026-03-01T10:00:00Z (audit.json:40)).',
    );
    expect(where(finding)).toEqual(['keys.json:3', 'keys.json:9']);
    expect(finding?.evidence.map((item) => item.key)).toEqual(['credential:k-1', 'credential:k-2']);
  });

  it.each<{ name: string; records: NormalizedRecord[]; count: number; evidence: string[] }>([
    {
      name: 'an access key and a PAT counted together',
      records: [sa(), key('k-1', 3, { type: 'access-key' }), key('pat-1', 5, { type: 'pat' })],
      count: 2, evidence: ['keys.json:3', 'keys.json:5'],
    },
    {
      name: 'three keys, one of them new (only the new one is a rotation)',
      records: [sa(), key('k-1', 3), key('k-2', 4), key('k-3', 5, { issuedAt: t('2026-03-08T00:00:00Z') })],
      count: 2, evidence: ['keys.json:3', 'keys.json:4'],
    },
    {
      name: 'keys held by an identity missing from the inventory',
      records: [key('k-1', 3, { identity: 'ghost' }), key('k-2', 4, { identity: 'ghost' })],
      count: 2, evidence: ['keys.json:3', 'keys.json:4'],
    },
  ])('fires on $name', async ({ records, count, evidence }) => {
    const run = await runRule(rule, world(...records), AS_OF);
    expect(run.findings).toHaveLength(1);
    expect(run.findings[0]?.message).toContain(`holds ${count} live static keys`);
    expect(where(run.findings[0])).toEqual(evidence);
  });

  it.each<{ name: string; records: NormalizedRecord[] }>([
    { name: 'there is one key', records: [sa(), key('k-1', 3)] },
    { name: 'the second key is a rotation in progress', records: [sa(), key('k-1', 3), key('k-2', 4, { issuedAt: t('2026-03-07T00:00:00Z') })] },
    { name: 'the second key is inactive', records: [sa(), key('k-1', 3), key('k-2', 4, { active: false })] },
    { name: 'the second key is provider-managed', records: [sa(), key('k-1', 3), key('k-2', 4, { providerManaged: true })] },
    { name: 'the second key expired', records: [sa(), key('k-1', 3), key('k-2', 4, { expiresAt: t('2026-03-01T00:00:00Z') })] },
    {
      name: 'the second key was deleted by an event',
      records: [sa(), key('k-1', 3), key('k-2', 4), event({ time: t('2026-02-01T00:00:00Z'), credential: 'k-2', category: 'credential-delete' })],
    },
    { name: 'the second credential is a token (not a static key)', records: [sa(), key('k-1', 3), key('at-1', 4, { type: 'access-token' })] },
    { name: 'the keys belong to different identities', records: [sa(), sa('other@proj-1.iam.gserviceaccount.com', 5), key('k-1', 3), key('k-2', 4, { identity: 'other@proj-1.iam.gserviceaccount.com' })] },
  ])('does not fire when $name', async ({ records }) => {
    const run = await runRule(rule, world(...records), AS_OF);
    expect(run.findings).toEqual([]);
  });

  it('reports each identity over the limit and honours max_keys', async () => {
    const other = 'other@proj-1.iam.gserviceaccount.com';
    const scene = world(
      sa(), sa(other, 5), key('k-1', 3), key('k-2', 4),
      key('k-3', 6, { identity: other }), key('k-4', 7, { identity: other }), key('k-5', 8, { identity: other }),
    );
    const run = await runRule(rule, scene, AS_OF);
    expect(run.findings.map((finding) => finding.subject.id)).toEqual([SA, other]);
    expect((await runRule(rule, scene, AS_OF, { max_keys: 2 })).findings.map((finding) => finding.subject.id)).toEqual([other]);
  });

  it('is not evaluated without credentials', async () => {
    const run = await runRule(rule, world(sa()), AS_OF);
    expect(run.notEvaluated).toEqual(['no credential records were supplied']);
  });
});
