import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { looksLikeServiceAccount, oktaSystemLog } from '../../src/ingest/okta/system-log.js';
import { readSniff } from '../../src/ingest/sniff.js';
import { openInput } from '../../src/ingest/source.js';
import type { NormalizedRecord } from '../../src/model/index.js';
import { fixture, lineOf, ofKind, ROOT, runAdapter, strictContext, tempFile } from './helpers.js';

const NDJSON = fixture('okta', 'system-log.ndjson');
const ARRAY = fixture('okta', 'system-log-array.json');
const t = (iso: string): number => Date.parse(iso);

async function detects(name: string, content: string): Promise<boolean> {
  const path = tempFile(name, content);
  return oktaSystemLog.detect(await readSniff(openInput(path, name)));
}

const OKTA_LINE = '{"uuid":"u1","published":"2026-01-01T00:00:00.000Z","eventType":"user.session.start","actor":{"id":"00u1","type":"User"}}';

describe('okta-system-log detection', () => {
  test.each([
    ['NDJSON LogEvent', 'okta.log', `${OKTA_LINE}\n`, true],
    ['JSON array of LogEvents', 'events.json', `[\n  ${OKTA_LINE}\n]\n`, true],
    ['missing actor', 'x.json', '{"published":"2026-01-01T00:00:00Z","eventType":"a"}\n', false],
    ['canonical event', 'x.ndjson', '{"kind":"nhi-audit/v1/event","time":"2026-01-01T00:00:00Z","identity":"a"}\n', false],
    [
      'CloudTrail Records',
      'ct.json',
      '{"Records":[{"eventVersion":"1.08","eventTime":"2026-01-01T00:00:00Z","eventName":"GetObject","userIdentity":{"type":"IAMUser"}}]}',
      false,
    ],
    ['CloudTrail NDJSON', 'ct.ndjson', '{"eventTime":"2026-01-01T00:00:00Z","eventName":"GetObject","eventSource":"s3.amazonaws.com"}\n', false],
    ['introspection response', 'i.json', '{"active":true,"client_id":"a"}\n', false],
    ['not JSON', 'x.log', 'hello\n', false],
  ])('%s → %s', async (_name, file, content, expected) => {
    expect(await detects(file, content)).toBe(expected);
  });

  test('the fixtures are detected', async () => {
    for (const file of [NDJSON, ARRAY]) expect(oktaSystemLog.detect(await readSniff(openInput(file, 'x')))).toBe(true);
  });
});

describe('okta-system-log records (NDJSON fixture)', () => {
  const display = 'fixtures/okta/system-log.ndjson';
  const run = async (): Promise<NormalizedRecord[]> => (await runAdapter(oktaSystemLog, NDJSON, display)).records;
  const at = (uuid: string): number => lineOf(NDJSON, `"uuid":"${uuid}"`);
  const eventAt = async (uuid: string) => {
    const found = ofKind(await run(), 'event').filter((e) => e.source.line === at(uuid));
    expect(found).toHaveLength(1);
    return found[0];
  };

  test('malformed records are skipped with their line and the field; the rest comes through', async () => {
    const { records, skips } = await runAdapter(oktaSystemLog, NDJSON, display);
    expect(skips).toEqual([
      { line: at('e17'), message: 'published: is required' },
      { line: lineOf(NDJSON, '"uuid":"e18"'), message: 'not valid JSON' },
    ]);
    const lines = ofKind(records, 'event').map((e) => e.source.line);
    expect(lines).toHaveLength(17);
    expect(lines).toContain(at('e19'));
  });

  test('refresh-token grant: token-issue event and a refresh-token credential by id', async () => {
    const records = await run();
    expect(await eventAt('e01')).toEqual({
      time: t('2026-03-01T10:00:00Z'),
      identity: '0oa1reporting',
      credential: 'rt-okta-001',
      action: 'app.oauth2.as.token.grant.refresh_token',
      resource: null,
      tenant: '00o-acme',
      environment: null,
      sourceIp: '198.51.100.7',
      userAgent: 'okta-sdk-java/8.2.1',
      outcome: 'success',
      category: 'token-issue',
      onBehalfOf: 'alice@acme.example',
      actorChain: [],
      source: { file: display, line: at('e01') },
    });
    const credentials = ofKind(records, 'credential');
    expect(credentials.find((c) => c.source.line === at('e01'))).toEqual({
      id: 'rt-okta-001',
      identity: '0oa1reporting',
      type: 'refresh-token',
      issuedAt: t('2026-03-01T10:00:00Z'),
      expiresAt: null,
      expiryUnknown: true,
      lastRotatedAt: null,
      lastUsedAt: null,
      scopes: ['offline_access', 'openid', 'reports.read'],
      tenant: '00o-acme',
      clientId: '0oa1reporting',
      onBehalfOf: 'alice@acme.example',
      approval: null,
      revokedAt: null,
      createdBy: null,
      active: true,
      source: { file: display, line: at('e01') },
    });
  });

  test('a grant that presents a refresh token is a token-refresh of that token', async () => {
    expect(await eventAt('e02')).toMatchObject({
      identity: '0oa1reporting',
      credential: 'rt-okta-001',
      category: 'token-refresh',
      onBehalfOf: 'alice@acme.example',
    });
    expect(await eventAt('e03')).toMatchObject({ identity: '0oa1reporting', credential: null, category: 'token-issue' });
  });

  test('refresh grant without a token id: id is a hash of client and user', async () => {
    const expected = `sha256:${createHash('sha256').update('0oa2mailer\nbob@acme.example').digest('hex')}`;
    const credential = ofKind(await run(), 'credential').find((c) => c.source.line === at('e04'));
    expect(credential).toMatchObject({ id: expected, clientId: '0oa2mailer', identity: '0oa2mailer', onBehalfOf: 'bob@acme.example' });
    expect(await eventAt('e04')).toMatchObject({ identity: '0oa2mailer', credential: expected, category: 'token-issue' });
  });

  test('token revoke, consent grant and consent revoke', async () => {
    expect(await eventAt('e05')).toMatchObject({ identity: '0oa1reporting', credential: 'rt-okta-001', category: 'revoke' });
    expect(await eventAt('e06')).toMatchObject({ identity: '0oa1reporting', category: 'consent', onBehalfOf: 'alice@acme.example' });
    expect(await eventAt('e07')).toMatchObject({ identity: '0oa1reporting', category: 'disconnect', onBehalfOf: 'alice@acme.example' });
  });

  test('user deactivate / suspend: offboard events and principals', async () => {
    const records = await run();
    expect(await eventAt('e08')).toMatchObject({ identity: 'bob@acme.example', category: 'offboard' });
    expect(await eventAt('e09')).toMatchObject({ identity: 'carol@acme.example', category: 'offboard' });
    expect(ofKind(records, 'principal')).toEqual([
      { id: 'bob@acme.example', kind: 'human', status: 'offboarded', offboardedAt: t('2026-03-07T09:00:00Z'), source: { file: display, line: at('e08') } },
      { id: 'carol@acme.example', kind: 'human', status: 'disabled', offboardedAt: t('2026-03-07T09:30:00Z'), source: { file: display, line: at('e09') } },
    ]);
  });

  test('application lifecycle: deactivate/delete end the app identity, create is other', async () => {
    const records = await run();
    expect(await eventAt('e10')).toMatchObject({ identity: '0oa9legacy', category: 'identity-delete' });
    expect(await eventAt('e11')).toMatchObject({ identity: '0oa9legacy', category: 'identity-delete' });
    expect(await eventAt('e12')).toMatchObject({ identity: '0oa7new', category: 'other' });
    const identities = ofKind(records, 'identity').filter((i) => i.status !== 'active');
    expect(identities.map((i) => [i.id, i.aliases, i.type, i.provider, i.status, i.disabledAt, i.source.line])).toEqual([
      ['0oa9legacy', ['Legacy Sync'], 'app', 'okta', 'disabled', t('2026-03-08T09:00:00Z'), at('e10')],
      ['0oa9legacy', ['Legacy Sync'], 'app', 'okta', 'deleted', t('2026-03-08T09:05:00Z'), at('e11')],
    ]);
  });

  test('an OAuth client app is announced once per file, active, with its label as an alias', async () => {
    const active = ofKind(await run(), 'identity').filter((i) => i.status === 'active');
    expect(active.map((i) => [i.id, i.aliases, i.type, i.status, i.disabledAt])).toEqual([
      ['0oa1reporting', ['Reporting Service'], 'app', 'active', null],
    ]);
    expect(new Set(active.map((i) => i.id)).size).toBe(active.length);
  });

  test('API token create → credential-create and an api-key credential; revoke → revoke', async () => {
    const records = await run();
    expect(await eventAt('e13')).toMatchObject({ identity: 'admin@acme.example', credential: '00T1ci', category: 'credential-create' });
    expect(ofKind(records, 'credential').find((c) => c.id === '00T1ci')).toMatchObject({
      type: 'api-key',
      identity: 'admin@acme.example',
      createdBy: 'admin@acme.example',
      issuedAt: t('2026-03-09T09:00:00Z'),
      active: true,
      source: { file: display, line: at('e13') },
    });
    expect(await eventAt('e14')).toMatchObject({ identity: null, credential: '00T1ci', category: 'revoke' });
  });

  test('session start: service-account-looking login is interactive, a human one is other', async () => {
    expect(await eventAt('e15')).toMatchObject({ identity: 'svc-backup@acme.example', category: 'login-interactive', userAgent: 'curl/8.5.0' });
    expect(await eventAt('e16')).toMatchObject({ identity: 'alice@acme.example', category: 'other' });
  });

  test('a DENY outcome is a failure', async () => {
    expect(await eventAt('e19')).toMatchObject({ outcome: 'failure', category: 'other', action: 'policy.evaluate_sign_on' });
  });

  test('token values in debugData never reach a record', async () => {
    expect(JSON.stringify(await run())).not.toContain('eyJraWQi');
  });
});

describe('okta-system-log records (JSON array fixture)', () => {
  test('exact start lines per element; zoneless time skipped with its line', async () => {
    const { records, skips } = await runAdapter(oktaSystemLog, ARRAY, 'a.json');
    // Each element's `{` is on the line before its "uuid".
    const start = (uuid: string): number => lineOf(ARRAY, `"uuid": "${uuid}"`) - 1;
    expect(skips).toEqual([{ line: start('e20'), message: expect.stringMatching(/^published: time "2026-03-13T08:00:00" has no zone/) as unknown }]);
    expect(ofKind(records, 'event').map((e) => [e.category, e.source.line])).toEqual([
      ['token-issue', start('e01')],
      ['credential-create', start('e13')],
      ['login-interactive', start('e15')],
    ]);
    expect(ofKind(records, 'credential').map((c) => c.id)).toEqual(['rt-okta-001', '00T1ci']);
    // Array elements also carry their index, for one-line arrays.
    expect(ofKind(records, 'event').map((e) => e.source.pointer)).toEqual(['/0', '/1', '/3']);
  });

  test('one-line array: every record on line 1, told apart by pointer', async () => {
    const line = JSON.stringify([JSON.parse(OKTA_LINE), JSON.parse(OKTA_LINE)]);
    const { records } = await runAdapter(oktaSystemLog, tempFile('o.json', line), 'o.json');
    expect(ofKind(records, 'event').map((e) => e.source)).toEqual([
      { file: 'o.json', line: 1, pointer: '/0' },
      { file: 'o.json', line: 1, pointer: '/1' },
    ]);
  });

  test('rotation: a refresh-token grant presenting a refresh token is a refresh; the new token is the credential', async () => {
    const line = JSON.stringify({
      published: '2026-01-02T00:00:00Z',
      eventType: 'app.oauth2.as.token.grant.refresh_token',
      actor: { id: '0oaX', type: 'PublicClientApp', alternateId: 'X' },
      target: [{ id: '00uA', type: 'User', alternateId: 'a@acme.example' }],
      outcome: { result: 'SUCCESS' },
      debugContext: { debugData: { grantType: 'refresh_token', refreshTokenId: 'rt-old', grantedRefreshTokenId: 'rt-new' } },
    });
    const { records } = await runAdapter(oktaSystemLog, tempFile('o.ndjson', `${line}\n`));
    expect(ofKind(records, 'event')).toMatchObject([{ identity: '0oaX', credential: 'rt-old', category: 'token-refresh' }]);
    expect(ofKind(records, 'credential')).toMatchObject([{ id: 'rt-new', clientId: '0oaX', onBehalfOf: 'a@acme.example' }]);
  });

  test('a failed grant yields the event but no credential', async () => {
    const line = JSON.stringify({
      published: '2026-01-02T00:00:00Z',
      eventType: 'app.oauth2.as.token.grant.refresh_token',
      actor: { id: '0oaX', type: 'PublicClientApp' },
      outcome: { result: 'FAILURE' },
      debugContext: { debugData: { grantedRefreshTokenId: 'rt-x' } },
    });
    const { records } = await runAdapter(oktaSystemLog, tempFile('o.ndjson', `${line}\n`));
    expect(records.map((r) => r.kind)).toEqual(['event']);
    expect(ofKind(records, 'event')[0]).toMatchObject({ outcome: 'failure', credential: 'rt-x' });
  });

  test.each([
    ['actor not a mapping', '{"published":"2026-01-01T00:00:00Z","eventType":"x","actor":"me"}', 'actor: expected a mapping, got a string'],
    ['target not a list', '{"published":"2026-01-01T00:00:00Z","eventType":"x","actor":{},"target":{}}', 'target: expected a list, got a mapping'],
    ['numeric published', '{"published":1,"eventType":"x","actor":{}}', 'published: expected an ISO-8601 time string, got a number'],
    ['no eventType', '{"published":"2026-01-01T00:00:00Z","actor":{}}', 'eventType: is required'],
    ['deactivate without a user target', '{"published":"2026-01-01T00:00:00Z","eventType":"user.lifecycle.deactivate","actor":{}}', 'target: a user lifecycle event needs a User target'],
    ['api token without target', '{"published":"2026-01-01T00:00:00Z","eventType":"system.api_token.create","actor":{}}', 'target: an API token event needs a target with the token id'],
    ['array element', '[1]', 'expected a JSON object, got a list'],
  ])('%s → skipped', async (_name, line, message) => {
    const { records, skips } = await runAdapter(oktaSystemLog, tempFile('o.ndjson', `${OKTA_LINE}\n${line}\n`));
    expect(records).toHaveLength(1);
    expect(skips).toEqual([{ line: 2, message }]);
  });
});

describe('service-account heuristic', () => {
  test.each([
    ['svc-backup@acme.example', true],
    ['ci_bot@acme.example', true],
    ['integration.sync@acme.example', true],
    ['noreply@acme.example', true],
    ['alice@acme.example', false],
    ['sam.bottomley@acme.example', false],
    ['apiary@acme.example', false],
  ])('%s → %s', (id, expected) => {
    expect(looksLikeServiceAccount(id)).toBe(expected);
  });
});

const CORPUS = join(ROOT, '..', 'shared', 'corpus', 'okta');
const corpusFiles = existsSync(CORPUS) ? readdirSync(CORPUS).filter((f) => f.endsWith('.log')) : [];

describe.skipIf(corpusFiles.length === 0)('okta-system-log on ../shared/corpus/okta (skipped when that corpus is absent)', () => {
  test.each(corpusFiles)('%s: detected, every record read', async (name) => {
    const path = join(CORPUS, name);
    const input = openInput(path, name);
    expect(oktaSystemLog.detect(await readSniff(input))).toBe(true);
    const records: NormalizedRecord[] = [];
    for await (const record of oktaSystemLog.read(input, await strictContext(input, name))) records.push(record);
    const events = ofKind(records, 'event');
    expect(events.length).toBeGreaterThan(0);
    expect(events.every((e) => e.action !== null && Number.isFinite(e.time))).toBe(true);
    // The corpus has no OAuth or API-token events (MANIFEST.md), so no credentials come out.
    expect(ofKind(records, 'credential')).toEqual([]);
  });
});
