import { describe, expect, it } from 'vitest';
import type { FindingDraft } from '../../src/engine/rule-api.js';
import { formatSource, type Identity, type NormalizedRecord } from '../../src/model/index.js';
import { rule } from '../../src/rules/NHI-OWN-001.js';
import { runRule } from '../helpers/run-rule.js';
import { at, event, identity, principal, t, world } from '../helpers/world.js';

const AS_OF = t('2026-03-10T00:00:00Z');
const INVENTORY = 'inventory.yaml';

const sa = (id: string, line: number, overrides: Partial<Identity> = {}) =>
  identity({ id, type: 'service-account', provider: 'gcp', tenant: 'proj-1', source: at(INVENTORY, line), ...overrides });
/** Another identity of the same file that has an owner: the file carries ownership. */
const owned = () => sa('owned-sa', 30, { owner: 'team-platform' });

function where(finding: FindingDraft | undefined): string[] {
  return (finding?.evidence ?? []).map((item) => formatSource(item.source));
}

describe('NHI-OWN-001 unowned-identity', () => {
  it('reports a service account with no owner', async () => {
    const run = await runRule(rule, world(owned(), sa('etl-sa', 4)), AS_OF);
    expect(run.findings).toHaveLength(1);
    const [finding] = run.findings;
    expect(finding?.messageId).toBe('no-owner');
    expect(finding?.severity).toBeUndefined();
    expect(finding?.subject).toEqual({ kind: 'identity', id: 'etl-sa', provider: 'gcp', tenant: 'proj-1' });
    expect(finding?.message).toBe('Service account etl-sa (gcp) has no accountable owner.');
    expect(where(finding)).toEqual(['inventory.yaml:4']);
    expect(finding?.evidence.map((item) => item.key)).toEqual(['identity:etl-sa']);
    expect(run.notes).toEqual([]);
  });

  it.each<{ name: string; records: NormalizedRecord[]; messageId: string; severity: string; evidence: string[]; text: string }>([
    {
      name: 'an owner that is a placeholder',
      records: [owned(), sa('etl-sa', 4, { owner: 'Unknown' })],
      messageId: 'no-owner', severity: 'medium', evidence: ['inventory.yaml:4'],
      text: 'Service account etl-sa (gcp) has no accountable owner (owner "Unknown" names nobody).',
    },
    {
      name: 'a blank owner in a file that lists principals',
      records: [principal({ id: 'bob@example.com', source: at(INVENTORY, 50) }), sa('etl-sa', 4, { owner: '  ' })],
      messageId: 'no-owner', severity: 'medium', evidence: ['inventory.yaml:4'],
      text: 'Service account etl-sa (gcp) has no accountable owner.',
    },
    {
      name: 'an owner who was offboarded',
      records: [principal({ id: 'bob@example.com', status: 'offboarded', offboardedAt: t('2026-01-15T00:00:00Z'), source: at('hr.yaml', 8) }), sa('etl-sa', 4, { owner: 'bob@example.com' })],
      messageId: 'owner-offboarded', severity: 'high', evidence: ['inventory.yaml:4', 'hr.yaml:8'],
      text: 'Service account etl-sa (gcp) is owned by bob@example.com, who was offboarded (2026-01-15); nobody current is accountable for it.',
    },
    {
      name: 'an owner who was disabled, date unknown',
      records: [principal({ id: 'bob@example.com', status: 'disabled', source: at('hr.yaml', 8) }), sa('etl-sa', 4, { owner: 'bob@example.com' })],
      messageId: 'owner-offboarded', severity: 'high', evidence: ['inventory.yaml:4', 'hr.yaml:8'],
      text: 'Service account etl-sa (gcp) is owned by bob@example.com, who was disabled (date unknown); nobody current is accountable for it.',
    },
  ])('fires on $name', async ({ records, messageId, severity, evidence, text }) => {
    const run = await runRule(rule, world(...records), AS_OF);
    expect(run.findings).toHaveLength(1);
    const [finding] = run.findings;
    expect(finding?.messageId).toBe(messageId);
    expect(finding?.severity ?? 'medium').toBe(severity);
    expect(where(finding)).toEqual(evidence);
    expect(finding?.message).toBe(text);
  });

  it.each<{ name: string; records: NormalizedRecord[] }>([
    { name: 'the owner is an active principal', records: [principal({ id: 'bob@example.com' }), sa('etl-sa', 4, { owner: 'bob@example.com' })] },
    { name: 'the owner is a team name not among the principals', records: [principal({ id: 'bob@example.com' }), sa('etl-sa', 4, { owner: 'team-data' })] },
    { name: 'the unowned identity is disabled', records: [owned(), sa('etl-sa', 4, { status: 'disabled' })] },
    {
      name: 'the unowned identity is a person who signs in interactively',
      records: [owned(), sa('jdoe', 4, { type: 'user' }), event({ time: t('2026-03-01T00:00:00Z'), identity: 'jdoe', category: 'login-interactive' })],
    },
  ])('does not fire when $name', async ({ records }) => {
    const run = await runRule(rule, world(...records), AS_OF);
    expect(run.findings).toEqual([]);
  });

  it('judges only inputs that carry ownership and notes the others', async () => {
    const scene = world(
      owned(), sa('etl-sa', 4),
      identity({ id: 'arn:aws:iam::1:role/a', type: 'role', provider: 'aws', source: at('iam.json', 3) }),
      identity({ id: 'arn:aws:iam::1:role/b', type: 'role', provider: 'aws', source: at('iam.json', 9) }),
    );
    const run = await runRule(rule, scene, AS_OF);
    expect(run.findings.map((finding) => finding.subject.id)).toEqual(['etl-sa']);
    expect(run.notes).toEqual(['no owner data for provider aws (iam.json): 2 identities not evaluated']);
  });

  it('reports two unowned identities', async () => {
    const run = await runRule(rule, world(owned(), sa('etl-sa', 4), sa('ml-sa', 5, { owner: 'n/a' })), AS_OF);
    expect(run.findings.map((finding) => [finding.subject.id, where(finding)[0]])).toEqual([
      ['etl-sa', 'inventory.yaml:4'],
      ['ml-sa', 'inventory.yaml:5'],
    ]);
  });

  it('is not evaluated when no input carries ownership', async () => {
    const run = await runRule(rule, world(sa('etl-sa', 4)), AS_OF);
    expect(run.notEvaluated).toEqual(['no input carries ownership: no identity has an owner and no principals were supplied']);
    expect(run.findings).toEqual([]);
  });

  it('is not evaluated without identities', async () => {
    const run = await runRule(rule, world(principal({ id: 'bob@example.com' })), AS_OF);
    expect(run.notEvaluated).toEqual(['no identity records were supplied']);
  });
});
