import { describe, expect, it } from 'vitest';
import type { FindingDraft } from '../../src/engine/rule-api.js';
import { formatSource, type Credential, type NormalizedRecord } from '../../src/model/index.js';
import { rule } from '../../src/rules/NHI-TOKEN-002.js';
import { runRule } from '../helpers/run-rule.js';
import { approval, at, credential, event, identity, principal, t, world } from '../helpers/world.js';

const AS_OF = t('2026-03-10T00:00:00Z');
const ALICE = 'alice@example.com';

const client = () => identity({ id: 'crm-sync', type: 'app', provider: 'okta', source: at('apps.yaml', 2) });
const token = (overrides: Partial<Credential> = {}) =>
  credential({ id: 'rt-7f3a', type: 'refresh-token', clientId: 'crm-sync', onBehalfOf: ALICE, approval: 'apr-1', source: at('tokens.json', 4), ...overrides });
const alice = (overrides: object = {}) => principal({ id: ALICE, source: at('hr.yaml', 10), ...overrides });
const apr = (overrides: object = {}) =>
  approval({ id: 'apr-1', delegate: 'crm-sync', principal: ALICE, grantedAt: t('2025-12-01T00:00:00Z'), source: at('approvals.yaml', 6), ...overrides });
const refresh = (iso: string, line: number, extra: object = {}) =>
  event({ time: t(iso), credential: 'rt-7f3a', category: 'token-refresh', source: at('events/okta.ndjson', line), ...extra });

function where(finding: FindingDraft | undefined): string[] {
  return (finding?.evidence ?? []).map((item) => formatSource(item.source));
}

describe('NHI-TOKEN-002 token-refresh-after-end', () => {
  it('reports a token refreshed after its approval was revoked, naming token, approval, end and refresh line', async () => {
    const scene = world(
      client(), alice(), apr({ status: 'revoked', endedAt: t('2026-02-11T00:00:00Z') }), token(),
      refresh('2026-02-01T00:00:00Z', 3), refresh('2026-02-20T06:30:00Z', 18),
    );
    const run = await runRule(rule, scene, AS_OF);
    expect(run.findings).toHaveLength(1);
    const [finding] = run.findings;
    expect(finding?.messageId).toBe('refresh-after-approval-end');
    expect(finding?.severity).toBeUndefined();
    expect(finding?.subject).toEqual({ kind: 'credential', id: 'rt-7f3a', provider: 'okta' });
    expect(finding?.message).toBe(
      'Refresh token rt-7f3a (client crm-sync) was exchanged for new tokens 2026-02-20T06:30:00Z (events/okta.ndjson:18), ' +
        'after approval apr-1 was revoked 2026-02-11 (2 refreshes in the logs in all).',
    );
    expect(where(finding)).toEqual(['tokens.json:4', 'approvals.yaml:6', 'events/okta.ndjson:18']);
    expect(finding?.evidence.map((item) => item.key)).toEqual(['credential:rt-7f3a', 'approval:apr-1', 'last-refresh:rt-7f3a']);
  });

  it.each<{ name: string; records: NormalizedRecord[]; messageId: string; subject: string; evidence: string[]; text: RegExp }>([
    {
      name: 'refreshed after the person was offboarded',
      records: [client(), alice({ status: 'offboarded', offboardedAt: t('2026-02-10T00:00:00Z') }), apr(), token(), refresh('2026-02-12T00:00:00Z', 9)],
      messageId: 'refresh-after-offboarding', subject: 'rt-7f3a', evidence: ['tokens.json:4', 'hr.yaml:10', 'events/okta.ndjson:9'],
      text: /after alice@example\.com was offboarded 2026-02-10 \(1 refresh in the logs in all\)\.$/,
    },
    {
      name: 'refreshed after an approval passed its expiry while still marked active',
      records: [client(), alice(), apr({ expiresAt: t('2026-03-01T00:00:00Z') }), token(), refresh('2026-03-02T00:00:00Z', 11)],
      messageId: 'refresh-after-approval-end', subject: 'rt-7f3a', evidence: ['tokens.json:4', 'approvals.yaml:6', 'events/okta.ndjson:11'],
      text: /after approval apr-1 expired 2026-03-01/,
    },
    {
      name: 'both ended, the approval first',
      records: [
        client(), alice({ status: 'disabled', offboardedAt: t('2026-02-15T00:00:00Z') }), apr({ status: 'closed', endedAt: t('2026-02-11T00:00:00Z') }), token(),
        refresh('2026-02-16T00:00:00Z', 12),
      ],
      messageId: 'refresh-after-approval-end', subject: 'rt-7f3a', evidence: ['tokens.json:4', 'approvals.yaml:6', 'hr.yaml:10', 'events/okta.ndjson:12'],
      text: /after approval apr-1 was closed 2026-02-11 and alice@example\.com was disabled 2026-02-15/,
    },
    {
      name: 'a refresh by the delegate for the person, with no token on file',
      records: [client(), alice(), apr({ status: 'revoked', endedAt: t('2026-02-11T00:00:00Z'), tenant: 'acme' }), refresh('2026-02-12T00:00:00Z', 13, { credential: null, identity: 'crm-sync', onBehalfOf: ALICE })],
      messageId: 'refresh-after-approval-end', subject: 'apr-1', evidence: ['approvals.yaml:6', 'events/okta.ndjson:13'],
      text: /^crm-sync refreshed a token acting for alice@example\.com 2026-02-12T00:00:00Z \(events\/okta\.ndjson:13\), after approval apr-1 was revoked 2026-02-11\.$/,
    },
    {
      name: 'a refresh acting for an offboarded person by an unknown client',
      records: [alice({ status: 'offboarded', offboardedAt: t('2026-02-10T00:00:00Z') }), refresh('2026-02-12T00:00:00Z', 14, { credential: null, identity: 'shadow-app', onBehalfOf: ALICE })],
      messageId: 'refresh-after-offboarding', subject: ALICE, evidence: ['hr.yaml:10', 'events/okta.ndjson:14'],
      text: /^A token acting for alice@example\.com was refreshed 2026-02-12T00:00:00Z \(events\/okta\.ndjson:14\), after alice@example\.com was offboarded 2026-02-10\.$/,
    },
  ])('fires on $name', async ({ records, messageId, subject, evidence, text }) => {
    const run = await runRule(rule, world(...records), AS_OF);
    expect(run.findings).toHaveLength(1);
    const [finding] = run.findings;
    expect(finding?.messageId).toBe(messageId);
    expect(finding?.subject.id).toBe(subject);
    expect(where(finding)).toEqual(evidence);
    expect(finding?.message).toMatch(text);
  });

  it.each<{ name: string; records: NormalizedRecord[] }>([
    { name: 'the last refresh came before the approval was revoked', records: [client(), alice(), apr({ status: 'revoked', endedAt: t('2026-02-11T00:00:00Z') }), token(), refresh('2026-02-10T00:00:00Z', 3)] },
    { name: 'the refresh after the end failed', records: [client(), alice(), apr({ status: 'revoked', endedAt: t('2026-02-11T00:00:00Z') }), token(), refresh('2026-02-12T00:00:00Z', 3, { outcome: 'failure' })] },
    { name: 'the token was used for access, not refreshed, after the end', records: [client(), alice(), apr({ status: 'revoked', endedAt: t('2026-02-11T00:00:00Z') }), token(), refresh('2026-02-12T00:00:00Z', 3, { category: 'access' })] },
    { name: 'the approval and the person are current', records: [client(), alice(), apr({ expiresAt: t('2026-06-01T00:00:00Z') }), token(), refresh('2026-03-01T00:00:00Z', 3)] },
    { name: 'the revoked approval has no end date', records: [client(), alice(), apr({ status: 'revoked' }), token(), refresh('2026-03-01T00:00:00Z', 3)] },
    { name: 'the person was offboarded after the refresh', records: [client(), alice({ status: 'offboarded', offboardedAt: t('2026-03-05T00:00:00Z') }), token({ approval: null }), refresh('2026-03-01T00:00:00Z', 3)] },
  ])('does not fire when $name', async ({ records }) => {
    const run = await runRule(rule, world(...records), AS_OF);
    expect(run.findings).toEqual([]);
  });

  it('reports two tokens refreshed after the offboarding, and not the person again', async () => {
    const scene = world(
      client(), alice({ status: 'offboarded', offboardedAt: t('2026-02-10T00:00:00Z') }),
      token({ approval: null }), token({ id: 'rt-2', approval: null, source: at('tokens.json', 9) }),
      refresh('2026-02-12T00:00:00Z', 3, { onBehalfOf: ALICE }), refresh('2026-02-13T00:00:00Z', 4, { credential: 'rt-2', onBehalfOf: ALICE }),
    );
    const run = await runRule(rule, scene, AS_OF);
    expect(run.findings.map((finding) => [finding.subject.id, where(finding).at(-1)])).toEqual([
      ['rt-2', 'events/okta.ndjson:4'],
      ['rt-7f3a', 'events/okta.ndjson:3'],
    ]);
  });

  it('is not evaluated without events', async () => {
    const run = await runRule(rule, world(client(), alice(), apr(), token()), AS_OF);
    expect(run.notEvaluated).toEqual(['no access-log events were supplied, so no token refresh is known']);
  });

  it('is not evaluated without approvals or principals', async () => {
    const run = await runRule(rule, world(client(), token(), refresh('2026-03-01T00:00:00Z', 3)), AS_OF);
    expect(run.notEvaluated).toEqual(['no approvals or principals were supplied, so no delegation end is known']);
  });
});
