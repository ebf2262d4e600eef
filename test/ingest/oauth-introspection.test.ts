import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { oauthIntrospection } from '../../src/ingest/oauth/introspection.js';
import { readSniff } from '../../src/ingest/sniff.js';
import { openInput } from '../../src/ingest/source.js';
import { fixture, lineOf, ofKind, runAdapter, tempFile } from './helpers.js';

const SINGLE = fixture('oauth', 'introspection-single.json');
const ARRAY = fixture('oauth', 'introspection-array.json');
const NDJSON = fixture('oauth', 'introspection.ndjson');

async function detects(name: string, content: string): Promise<boolean> {
  const path = tempFile(name, content);
  return oauthIntrospection.detect(await readSniff(openInput(path, name)));
}

describe('oauth-introspection detection', () => {
  test.each([
    ['one-line object', 'i.json', '{"active":true,"client_id":"a"}', true],
    ['pretty-printed object', 'i.json', '{\n  "active": false,\n  "jti": "x"\n}\n', true],
    ['array', 'i.json', '[\n {"active":true,"scope":"a b"}\n]', true],
    ['NDJSON', 'i.ndjson', '{"active":true,"exp":1}\n{"active":false}\n', true],
    ['bare inactive answer only', 'i.json', '{"active":false}', false],
    ['NDJSON starting with bare inactive answers', 'i.ndjson', '{"active":false}\n{"active":false}\n{"active":true,"jti":"a"}\n', true],
    ['active not boolean', 'i.json', '{"active":"true","client_id":"a"}', false],
    ['canonical event', 'x.ndjson', '{"kind":"nhi-audit/v1/event","time":"2026-01-01T00:00:00Z","identity":"a","active":true,"sub":"x"}\n', false],
    ['canonical inventory (JSON)', 'inv.json', '{"apiVersion":"nhi-audit/v1","kind":"Inventory","credentials":[{"id":"a","active":true}]}', false],
    ['CloudTrail', 'ct.json', '{"Records":[{"eventTime":"2026-01-01T00:00:00Z","eventName":"GetObject"}]}', false],
    ['Okta LogEvent', 'o.log', '{"published":"2026-01-01T00:00:00Z","eventType":"x","actor":{}}\n', false],
    ['not JSON', 'x.txt', 'active: true\n', false],
  ])('%s → %s', async (_name, file, content, expected) => {
    expect(await detects(file, content)).toBe(expected);
  });

  test('the fixtures are detected', async () => {
    for (const file of [SINGLE, ARRAY, NDJSON]) expect(oauthIntrospection.detect(await readSniff(openInput(file, 'x')))).toBe(true);
  });
});

describe('oauth-introspection records', () => {
  test('single pretty-printed response: every field mapped, raw token dropped', async () => {
    const { records, skips } = await runAdapter(oauthIntrospection, SINGLE, 'fixtures/oauth/introspection-single.json');
    expect(skips).toEqual([]);
    expect(ofKind(records, 'credential')).toEqual([
      {
        id: 'at-7c1e',
        identity: 'billing-agent',
        type: 'access-token',
        issuedAt: 1772323200_000,
        expiresAt: 1772409600_000,
        lastRotatedAt: null,
        lastUsedAt: null,
        scopes: ['invoices:read', 'invoices:write'],
        tenant: null,
        clientId: 'billing-agent',
        onBehalfOf: 'alice@acme.example',
        approval: null,
        revokedAt: null,
        createdBy: null,
        active: true,
        audience: ['https://api.acme.example'],
        source: { file: 'fixtures/oauth/introspection-single.json', line: 1 },
      },
    ]);
    expect(JSON.stringify(records)).not.toContain('RAW-SECRET');
  });

  test('array: exact element lines, hashed id without jti, refresh token type, bare inactive skipped silently', async () => {
    const { records, skips } = await runAdapter(oauthIntrospection, ARRAY);
    expect(skips).toEqual([]);
    const credentials = ofKind(records, 'credential');
    // Each element's `{` is two lines above its client_id (after "active").
    const start = (needle: string): number => lineOf(ARRAY, needle) - 2;
    expect(credentials.map((c) => c.source.line)).toEqual([start('"client_id": "report-bot"'), start('"client_id": "support-portal"')]);
    expect(credentials.map((c) => c.source.line)).toEqual([2, 12]);
    expect(credentials.map((c) => c.source.pointer)).toEqual(['/0', '/1']);

    // The hash covers the record without its token member, keys sorted.
    const canonical =
      '{"active":true,"client_id":"report-bot","exp":1772409600,"iat":1772323200,"scope":"reports:read","sub":"report-bot","token_type":"Bearer"}';
    const [bot, portal] = credentials;
    expect(bot).toMatchObject({
      id: `sha256:${createHash('sha256').update(canonical).digest('hex')}`,
      type: 'access-token',
      identity: 'report-bot',
      // sub equal to client_id is the client acting for itself, not a principal.
      onBehalfOf: null,
    });
    expect(portal).toMatchObject({
      id: 'rt-support-01',
      type: 'refresh-token',
      onBehalfOf: 'bob@acme.example',
      scopes: ['offline_access', 'tickets:read'],
      tenant: 'tenant-eu-1',
      approval: 'apr-17',
      issuedAt: 1764547200_000,
      expiresAt: null,
      active: true,
    });
    expect(JSON.stringify(records)).not.toContain('RAW-SECRET');
  });

  test('NDJSON: act chain read earliest actor first, inactive with members kept, malformed lines (a non-object act too) skipped with line and field', async () => {
    const { records, skips } = await runAdapter(oauthIntrospection, NDJSON);
    expect(skips).toEqual([
      { line: lineOf(NDJSON, 'at-bad-03'), message: 'active: expected true or false, got a string' },
      { line: lineOf(NDJSON, 'at-bad-04'), message: 'exp: expected seconds since the epoch, got a string' },
      { line: lineOf(NDJSON, 'not json'), message: 'not valid JSON' },
      { line: lineOf(NDJSON, '[1,2]'), message: 'expected a JSON object, got a list' },
      { line: lineOf(NDJSON, 'at-ci-05'), message: 'act: expected an object with "sub", got a string' },
    ]);
    const credentials = ofKind(records, 'credential');
    expect(credentials.map((c) => [c.id, c.source.line])).toEqual([
      ['at-act-01', 1],
      ['at-old-02', 3],
    ]);
    expect(credentials[0]).toMatchObject({
      onBehalfOf: 'carol@acme.example',
      tenant: 'tenant-us-2',
      approval: 'apr-21',
      identity: 'triage-agent',
      // act: {sub: triage-agent, act: {sub: support-portal}}: the portal acted first, the agent is the current actor.
      actorChain: [{ sub: 'support-portal' }, { sub: 'triage-agent' }],
    });
    expect(credentials[0]?.mayAct).toBeUndefined();
    expect(credentials[1]).toMatchObject({ active: false, type: 'refresh-token', clientId: 'old-sync' });
    expect(JSON.stringify(records)).not.toContain('RAW-SECRET');
  });

  test('a raw token in a skipped record is not quoted in the message', async () => {
    const { skips } = await runAdapter(
      oauthIntrospection,
      tempFile('i.ndjson', '{"active":1,"token":"tok-RAW-SECRET-x","jti":"a"}\n{"active":true,"token":"tok-RAW-SECRET-y", oops}\n'),
    );
    expect(skips).toEqual([
      { line: 1, message: 'active: expected true or false, got a number' },
      { line: 2, message: 'not valid JSON' },
    ]);
  });

  test.each([
    ['scope not a string', '{"active":true,"scope":{"a":1}}', 'scope: expected a space-separated string, got a mapping'],
    ['client_id a list', '{"active":true,"client_id":["a"]}', 'client_id: expected a string, got a list'],
    ['iat a string', '{"active":true,"jti":"x","iat":"yesterday"}', 'iat: expected seconds since the epoch, got a string'],
    ['active missing', '{"jti":"x"}', 'active: is required'],
  ])('%s → skipped', async (_name, line, message) => {
    const { records, skips } = await runAdapter(oauthIntrospection, tempFile('i.ndjson', `${line}\n`));
    expect(records).toEqual([]);
    expect(skips).toEqual([{ line: 1, message }]);
  });

  test('an invalid pretty-printed document is one skip at its first line', async () => {
    const { records, skips } = await runAdapter(oauthIntrospection, tempFile('i.json', '\n{\n  "active": true,\n'));
    expect(records).toEqual([]);
    expect(skips).toEqual([{ line: 2, message: 'not valid JSON' }]);
  });

  test('token_type_hint wins over token_type', async () => {
    const { records } = await runAdapter(
      oauthIntrospection,
      tempFile('i.json', '{"active":true,"jti":"r1","token_type":"Bearer","token_type_hint":"refresh_token"}'),
    );
    expect(ofKind(records, 'credential')[0]?.type).toBe('refresh-token');
  });
});
