import { describe, expect, it } from 'vitest';
import type { FindingDraft } from '../../src/engine/rule-api.js';
import { formatSource, type Credential, type NormalizedRecord } from '../../src/model/index.js';
import { rule } from '../../src/rules/NHI-CRED-001.js';
import { runRule } from '../helpers/run-rule.js';
import { at, credential, event, identity, t, world } from '../helpers/world.js';

const AS_OF = t('2026-03-10T00:00:00Z');

const app = () => identity({ id: 'billing-app', type: 'app', provider: 'entra', tenant: 'contoso', source: at('apps.json', 2) });
const cred = (overrides: Partial<Credential> & { id: string }) =>
  credential({ identity: 'billing-app', source: at('credentials.json', 7), ...overrides });

function where(finding: FindingDraft | undefined): string[] {
  return (finding?.evidence ?? []).map((item) => formatSource(item.source));
}

describe('NHI-CRED-001 long-lived-credential', () => {
  it('reports a client secret that never expires, with its full message', async () => {
    const run = await runRule(rule, world(app(), cred({ id: 'cs-9f2e', type: 'client-secret', issuedAt: t('2025-06-01T00:00:00Z') })), AS_OF);
    expect(run.findings).toHaveLength(1);
    const [finding] = run.findings;
    expect(finding?.messageId).toBe('no-expiry');
    expect(finding?.severity).toBeUndefined();
    expect(finding?.subject).toEqual({ kind: 'credential', id: 'cs-9f2e', provider: 'entra', tenant: 'contoso' });
    expect(finding?.message).toBe(
      'Client secret cs-9f2e of billing-app, issued 2025-06-01, never expires (its record has no expiry date); ' +
        'the maximum for client-secret credentials is 365 days.',
    );
    expect(where(finding)).toEqual(['credentials.json:7']);
    expect(finding?.evidence.map((item) => item.key)).toEqual(['credential:cs-9f2e']);
  });

  it.each<{ name: string; record: NormalizedRecord; messageId: string; text: string }>([
    {
      name: 'an access token valid for two days',
      record: cred({ id: 'at-1', type: 'access-token', issuedAt: t('2026-03-09T00:00:00Z'), expiresAt: t('2026-03-11T00:00:00Z') }),
      messageId: 'lifetime-exceeded',
      text: 'Access token at-1 of billing-app was issued 2026-03-09 and is valid until 2026-03-11: a lifetime of 2 days, but the maximum for access-token credentials is 1 day.',
    },
    {
      name: 'a refresh token valid for a year',
      record: cred({ id: 'rt-1', type: 'refresh-token', issuedAt: t('2026-01-01T00:00:00Z'), expiresAt: t('2027-01-01T00:00:00Z') }),
      messageId: 'lifetime-exceeded',
      text: 'Refresh token rt-1 of billing-app was issued 2026-01-01 and is valid until 2027-01-01: a lifetime of 365 days, but the maximum for refresh-token credentials is 90 days.',
    },
    {
      name: 'a certificate counted from its last rotation',
      record: cred({ id: 'cert-1', type: 'certificate', lastRotatedAt: t('2025-03-01T00:00:00Z'), expiresAt: t('2027-03-01T00:00:00Z') }),
      messageId: 'lifetime-exceeded',
      text: 'Certificate cert-1 of billing-app was last rotated 2025-03-01 and is valid until 2027-03-01: a lifetime of 730 days, but the maximum for certificate credentials is 365 days.',
    },
    {
      name: 'an API key with no start date but an expiry two years away',
      record: cred({ id: 'key-1', type: 'api-key', expiresAt: t('2028-03-09T00:00:00Z') }),
      messageId: 'lifetime-exceeded',
      text: 'API key key-1 of billing-app has no issue or rotation date; at 2026-03-10 it is valid until 2028-03-09, 730 days away, but the maximum for api-key credentials is 365 days.',
    },
    {
      name: 'a Kubernetes service-account token secret without expiry',
      record: cred({ id: 'sa-tok-1', type: 'sa-token' }),
      messageId: 'no-expiry',
      text: 'Service-account token sa-tok-1 of billing-app never expires (its record has no expiry date); the maximum for sa-token credentials is 365 days.',
    },
  ])('fires on $name', async ({ record, messageId, text }) => {
    const run = await runRule(rule, world(app(), record), AS_OF);
    expect(run.findings).toHaveLength(1);
    expect(run.findings[0]?.messageId).toBe(messageId);
    expect(run.findings[0]?.message).toBe(text);
    expect(where(run.findings[0])).toEqual(['credentials.json:7']);
  });

  it.each<{ name: string; record: NormalizedRecord }>([
    { name: 'the access token lives exactly one day', record: cred({ id: 'at-1', type: 'access-token', issuedAt: t('2026-03-09T12:00:00Z'), expiresAt: t('2026-03-10T12:00:00Z') }) },
    { name: 'the secret lives one year', record: cred({ id: 'cs-1', type: 'client-secret', issuedAt: t('2026-01-01T00:00:00Z'), expiresAt: t('2027-01-01T00:00:00Z') }) },
    { name: 'the API key has no expiry (no expiry concept)', record: cred({ id: 'key-1', type: 'api-key' }) },
    { name: 'the API key with no start date expires within a year', record: cred({ id: 'key-1', type: 'api-key', expiresAt: t('2027-01-01T00:00:00Z') }) },
    { name: 'it is an AWS access key (no expiry by design)', record: cred({ id: 'AKIAEXAMPLE', type: 'access-key' }) },
    { name: 'the key is provider-managed', record: cred({ id: 'gcp-key', type: 'sa-key', providerManaged: true }) },
    { name: 'the secret is inactive', record: cred({ id: 'cs-1', type: 'client-secret', active: false }) },
    { name: 'the secret was revoked', record: cred({ id: 'cs-1', type: 'client-secret', revokedAt: t('2026-03-01T00:00:00Z') }) },
    { name: 'the token already expired', record: cred({ id: 'rt-1', type: 'refresh-token', issuedAt: t('2025-01-01T00:00:00Z'), expiresAt: t('2026-03-01T00:00:00Z') }) },
  ])('does not fire when $name', async ({ record }) => {
    const run = await runRule(rule, world(app(), record), AS_OF);
    expect(run.findings).toEqual([]);
  });

  it('does not judge a token whose expiry the log could not record, and says so', async () => {
    const unknown = cred({ id: 'gh-token:42', type: 'pat', issuedAt: t('2024-03-13T00:00:00Z'), expiryUnknown: true });
    const run = await runRule(rule, world(app(), unknown), AS_OF);
    expect(run.findings).toEqual([]);
    expect(run.notes).toEqual(['1 credential seen only being issued in a log, with no expiry recorded, were not judged: gh-token:42']);
  });

  it('judges it once a listing states it has no expiry: unknown only while every source is', async () => {
    const fromLog = cred({ id: 'gh-token:42', type: 'pat', issuedAt: t('2024-03-13T00:00:00Z'), expiryUnknown: true, source: at('audit.json', 3) });
    const fromListing = cred({ id: 'gh-token:42', type: 'pat', issuedAt: t('2024-03-13T00:00:00Z'), source: at('pats.json', 9) });
    for (const records of [[fromLog, fromListing], [fromListing, fromLog]]) {
      const run = await runRule(rule, world(app(), ...records), AS_OF);
      expect(run.findings.map((finding) => finding.messageId)).toEqual(['no-expiry']);
    }
  });

  it('does not fire when a revoke event ended the secret', async () => {
    const run = await runRule(
      rule,
      world(app(), cred({ id: 'cs-1', type: 'client-secret' }), event({ time: t('2026-03-02T00:00:00Z'), credential: 'cs-1', category: 'revoke' })),
      AS_OF,
    );
    expect(run.findings).toEqual([]);
  });

  it('reports each long-lived credential of one identity', async () => {
    const scene = world(
      app(),
      cred({ id: 'cs-1', type: 'client-secret', source: at('credentials.json', 3) }),
      cred({ id: 'pat-1', type: 'pat', issuedAt: t('2025-01-01T00:00:00Z'), expiresAt: t('2027-01-01T00:00:00Z'), source: at('credentials.json', 9) }),
    );
    const run = await runRule(rule, scene, AS_OF);
    expect(run.findings.map((finding) => [finding.subject.id, finding.messageId, where(finding)[0]])).toEqual([
      ['cs-1', 'no-expiry', 'credentials.json:3'],
      ['pat-1', 'lifetime-exceeded', 'credentials.json:9'],
    ]);
  });

  it('honours the per-type params', async () => {
    const scene = world(app(), cred({ id: 'rt-1', type: 'refresh-token', issuedAt: t('2026-01-01T00:00:00Z'), expiresAt: t('2026-05-01T00:00:00Z') }));
    expect((await runRule(rule, scene, AS_OF)).findings).toHaveLength(1);
    expect((await runRule(rule, scene, AS_OF, { max_refresh_token_lifetime: 180 * 86_400_000 })).findings).toEqual([]);
    expect((await runRule(rule, scene, AS_OF, { types: ['client-secret'] })).findings).toEqual([]);
  });

  it('rejects an unknown credential type in its params', async () => {
    await expect(runRule(rule, world(app(), cred({ id: 'x', type: 'pat' })), AS_OF, { types: ['pats'] })).rejects.toThrow(/unknown credential types pats/);
  });

  it('is not evaluated without credentials', async () => {
    const run = await runRule(rule, world(app()), AS_OF);
    expect(run.notEvaluated).toEqual(['no credential or token records were supplied']);
    expect(run.findings).toEqual([]);
  });
});
