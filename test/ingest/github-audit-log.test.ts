import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { githubAuditLog } from '../../src/ingest/github/audit-log.js';
import { githubCredentialList } from '../../src/ingest/github/credential-list.js';
import { detectAdapter } from '../../src/ingest/registry.js';
import { readSniff } from '../../src/ingest/sniff.js';
import { openInput } from '../../src/ingest/source.js';
import type { Event, NormalizedRecord } from '../../src/model/index.js';
import { fixture, lineOf, ofKind, runAdapter, strictContext, tempFile, UTF8_BOM, utf16le } from './helpers.js';

const NDJSON = fixture('github', 'audit-log.ndjson');
const ARRAY = fixture('github', 'audit-log-array.json');
const CSV = fixture('github', 'audit-log.csv');
const t = (iso: string): number => Date.parse(iso);
const H1 = 'qC8mXy0cT1m0cN2vQ3hH0J9s6v4GQ0rZ7l0a1b2c3d4=';
const H2 = 'Zk3f7bQ2W9oKx1s8v4m2n6p0r5t7y9u1i3o5a7s9d0E=';

async function detected(name: string, content: string): Promise<string> {
  const path = tempFile(name, content);
  return detectAdapter(await readSniff(openInput(path, name)))?.id ?? 'none';
}

describe('github-audit-log detection', () => {
  test.each([
    ['org audit log NDJSON', 'audit.log', '{"action":"repo.create","actor":"a","org":"o","created_at":1583364251067}\n', 'github-audit-log'],
    ['security log export array', 'export.json', '[{"@timestamp":1711431195806,"action":"user.login","actor":"a","user":"a"}]', 'github-audit-log'],
    ['CSV export', 'export.csv', '@timestamp,action,actor,org\n1711431195806,user.login,a,o\n', 'github-audit-log'],
    ['CSV without actor column', 'export.csv', '@timestamp,action,org\n1711431195806,user.login,o\n', 'none'],
    ['action not dotted', 'x.json', '{"action":"Login","actor":"a","created_at":1}\n', 'none'],
    ['no time field', 'x.json', '{"action":"repo.create","actor":"a"}\n', 'none'],
    ['canonical event with an action', 'x.ndjson', '{"kind":"nhi-audit/v1/event","time":"2026-01-01T00:00:00Z","identity":"a","action":"repo.create"}\n', 'canonical-events'],
    ['Okta LogEvent', 'okta.log', '{"uuid":"u","published":"2026-01-01T00:00:00Z","eventType":"user.session.start","actor":{"id":"1","type":"User"}}\n', 'okta-system-log'],
    ['fine-grained PAT listing', 'pats.json', '[{"id":1,"owner":{"login":"a"},"token_id":2}]', 'github-credential-list'],
  ])('%s → %s', async (_name, file, content, expected) => {
    expect(await detected(file, content)).toBe(expected);
  });

  test('the fixtures are detected by this adapter', async () => {
    for (const file of [NDJSON, ARRAY, CSV]) expect(githubAuditLog.detect(await readSniff(openInput(file, 'x')))).toBe(true);
  });
});

describe('github-audit-log records (NDJSON fixture)', () => {
  const display = 'fixtures/github/audit-log.ndjson';
  const run = async (): Promise<NormalizedRecord[]> => (await runAdapter(githubAuditLog, NDJSON, display)).records;
  const at = (id: string): number => lineOf(NDJSON, `"_document_id":"${id}"`);
  const eventAt = async (id: string): Promise<Event | undefined> => {
    const found = ofKind(await run(), 'event').filter((e) => e.source.line === at(id));
    expect(found).toHaveLength(1);
    return found[0];
  };

  test('malformed entries are skipped with their line and the field; the rest comes through', async () => {
    const { records, skips } = await runAdapter(githubAuditLog, NDJSON, display);
    expect(skips).toEqual([
      { line: at('g20'), message: 'created_at: is required (or @timestamp)' },
      { line: at('g21'), message: 'created_at: time "2026-03-10T10:00:00" has no zone; add Z or an offset such as +00:00' },
      { line: at('g22'), message: 'not valid JSON' },
      { line: at('g23'), message: 'user: a member removal must name the removed user' },
    ]);
    expect(ofKind(records, 'event')).toHaveLength(23);
  });

  test('an action made with a fine-grained PAT: the token acts for its owner', async () => {
    expect(await eventAt('g01')).toEqual({
      time: 1773136800000,
      identity: null,
      credential: 'gh-token:5001',
      action: 'git.clone',
      resource: 'acme/api',
      tenant: 'acme',
      environment: null,
      sourceIp: '203.0.113.10',
      userAgent: 'git/2.45.1',
      outcome: 'success',
      category: 'access',
      onBehalfOf: 'alice',
      actorChain: [],
      provider: 'github',
      source: { file: display, line: at('g01') },
    });
  });

  test('PAT creation names the token by its token id (learned from another entry) and yields the credential', async () => {
    const records = await run();
    expect(await eventAt('g02')).toMatchObject({ identity: null, credential: 'gh-token:5001', category: 'credential-create' });
    expect(ofKind(records, 'credential').find((c) => c.source.line === at('g02'))).toEqual({
      id: 'gh-token:5001',
      identity: null,
      type: 'pat',
      issuedAt: 1772532000000,
      expiresAt: t('2026-06-01T00:00:00Z'),
      lastRotatedAt: null,
      lastUsedAt: null,
      scopes: [],
      tenant: 'acme',
      clientId: null,
      onBehalfOf: 'alice',
      approval: null,
      revokedAt: null,
      createdBy: 'alice',
      active: true,
      source: { file: display, line: at('g02') },
    });
    // The destroy entry names the token by hash only: it still revokes the same credential, held for its owner in `user`.
    expect(await eventAt('g04')).toMatchObject({ identity: null, credential: 'gh-token:5001', category: 'revoke', onBehalfOf: 'alice' });
  });

  test('classic PAT: scopes from token_scopes, no expiry, regenerate rotates it', async () => {
    const credentials = ofKind(await run(), 'credential').filter((c) => c.id === `gh-token:${H2}`);
    expect(credentials.map((c) => [c.source.line, c.type, c.scopes, c.expiresAt, c.lastRotatedAt])).toEqual([
      [at('g03'), 'pat', ['repo', 'admin:org'], null, null],
      [at('g26'), 'pat', ['repo', 'admin:org'], null, 1773165600000],
    ]);
  });

  test('OAuth app authorization: app identity, a per-user grant of its scopes, consent and disconnect', async () => {
    const records = await run();
    expect(ofKind(records, 'identity').find((i) => i.id === '901')).toEqual({
      id: '901',
      aliases: ['Deploy Bot'],
      type: 'app',
      provider: 'github',
      tenant: 'acme',
      environment: null,
      owner: null,
      consumers: [],
      createdAt: null,
      status: 'active',
      disabledAt: null,
      lastUsedAt: null,
      displayName: 'Deploy Bot',
      source: { file: display, line: at('g05') },
    });
    expect(ofKind(records, 'grant')).toContainEqual({
      identity: '901',
      actions: ['admin:org', 'repo'],
      notActions: false,
      resources: ['acme'],
      effect: 'allow',
      via: 'oauth_authorization.create',
      hasConditions: false,
      consent: 'principal',
      source: { file: display, line: at('g05') },
    });
    expect(await eventAt('g05')).toMatchObject({ identity: '901', category: 'consent', onBehalfOf: 'bob' });
    expect(await eventAt('g06')).toMatchObject({ identity: '901', category: 'disconnect', onBehalfOf: 'bob' });
  });

  test('GitHub App installation: a third-party app of the org; suspend and destroy end it', async () => {
    const apps = ofKind(await run(), 'identity').filter((i) => i.id === 'acme-ci-app');
    expect(apps.map((a) => [a.source.line, a.status, a.disabledAt, a.thirdParty, a.tenant])).toEqual([
      [at('g07'), 'active', null, true, 'acme'],
      [at('g08'), 'disabled', 1773003600000, true, 'acme'],
      [at('g09'), 'deleted', 1773007200000, true, 'acme'],
    ]);
    expect(ofKind(await run(), 'grant').find((g) => g.identity === 'acme-ci-app')).toMatchObject({
      actions: ['contents:write', 'metadata:read'],
      consent: 'all-principals',
    });
  });

  test('member removal: offboard event about the removed user and an offboarded principal', async () => {
    const records = await run();
    expect(ofKind(records, 'principal')).toEqual([
      { id: 'carol', kind: 'human', status: 'offboarded', offboardedAt: 1773010800000, source: { file: display, line: at('g10') } },
      { id: 'dave', kind: 'human', status: 'offboarded', offboardedAt: 1773014400000, source: { file: display, line: at('g11') } },
    ]);
    expect(await eventAt('g10')).toMatchObject({ identity: 'carol', category: 'offboard', tenant: 'acme' });
  });

  test('SSH and deploy keys: credentials named by fingerprint', async () => {
    const keys = ofKind(await run(), 'credential').filter((c) => c.type === 'ssh-key');
    expect(keys.map((k) => [k.id, k.source.line, k.onBehalfOf, k.scopes, k.createdBy])).toEqual([
      ['gh-ssh:SHA256:erinkey0001', at('g12'), 'erin', [], 'erin'],
      ['gh-ssh:SHA256:deploykey01', at('g14'), null, ['write'], 'owner1'],
    ]);
    expect(await eventAt('g13')).toMatchObject({ credential: 'gh-ssh:SHA256:erinkey0001', category: 'credential-delete' });
  });

  test.each([
    ['g15', { identity: '901', credential: 'gh-token:6001', category: 'access', onBehalfOf: 'bob' }],
    ['g16', { identity: 'acme-ci-app', credential: null, category: 'access', onBehalfOf: 'frank' }],
    ['g17', { identity: 'acme-ci-app', credential: 'gh-token:6002', category: 'access', onBehalfOf: null }],
    ['g18', { identity: 'frank', category: 'other', outcome: 'failure', sourceIp: '198.51.100.9' }],
    ['g19', { identity: 'frank', category: 'other', outcome: 'success', time: t('2026-03-10T09:00:00Z') }],
    ['g24', { identity: 'owner1', category: 'other', tenant: 'acme-ent' }],
    ['g25', { identity: 'gina', category: 'other', time: 1773162000000 }],
    ['g27', { identity: null, credential: 'gh-token:5002', category: 'consent', onBehalfOf: 'gina' }],
  ])('%s maps to %o', async (id, expected) => {
    expect(await eventAt(id)).toMatchObject(expected);
  });

  test('a hash paired with a token id in the file is replaced by the id everywhere', async () => {
    const text = JSON.stringify(await run());
    expect(text.split(H1).length - 1).toBe(0);
  });
});

describe('github-audit-log JSON array', () => {
  test('entries carry a pointer; a bad one is skipped with it', async () => {
    const display = 'fixtures/github/audit-log-array.json';
    const { records, skips } = await runAdapter(githubAuditLog, ARRAY, display);
    // The third element opens on line 18 and has no time.
    expect(skips).toEqual([{ line: 18, message: '/2: created_at: is required (or @timestamp)' }]);
    expect(ofKind(records, 'principal')).toEqual([
      { id: 'hank', kind: 'human', status: 'offboarded', offboardedAt: t('2026-04-02T08:00:00Z'), source: { file: display, line: 2, pointer: '/0' } },
    ]);
    expect(ofKind(records, 'event').map((e) => [e.source, e.category, e.credential, e.onBehalfOf])).toEqual([
      [{ file: display, line: 2, pointer: '/0' }, 'offboard', null, null],
      [{ file: display, line: 9, pointer: '/1' }, 'access', 'gh-token:5003', 'hank'],
    ]);
  });
});

describe('github-audit-log CSV export', () => {
  const display = 'fixtures/github/audit-log.csv';
  test('rows become the same records as JSON entries, with the line each row starts on', async () => {
    const { records, skips } = await runAdapter(githubAuditLog, CSV, display);
    // Line 6 is the short row `…,org.remove_member,owner1`.
    expect(readFileSync(CSV, 'utf8').split('\n')[5]).toBe('1773010800000,org.remove_member,owner1');
    expect(skips).toEqual([{ line: 6, message: 'row has a different number of cells than the header' }]);
    const events = ofKind(records, 'event');
    expect(events.map((e) => [e.source.line, e.action, e.category, e.credential, e.onBehalfOf, e.identity])).toEqual([
      [2, 'git.clone', 'access', 'gh-token:5001', 'alice', null],
      [3, 'oauth_access.create', 'credential-create', `gh-token:${H2}`, null, null],
      [4, 'org.remove_member', 'offboard', null, null, 'carol'],
      [7, 'repo.create', 'other', null, null, 'frank'],
    ]);
    expect(events[0]).toMatchObject({ time: 1773136800000, sourceIp: '203.0.113.10', tenant: 'acme', resource: 'acme/api' });
    expect(events[2]?.userAgent).toBe('multi\nline agent');
    expect(ofKind(records, 'credential')).toEqual([
      expect.objectContaining({ id: `gh-token:${H2}`, type: 'pat', scopes: ['repo', 'admin:org'], issuedAt: t('2026-03-03T10:00:00Z'), source: { file: display, line: 3 } }),
    ]);
  });

  test('CRLF line ends read the same', async () => {
    const crlf = tempFile('export.csv', readFileSync(CSV, 'utf8').replace(/\n/g, '\r\n'));
    const { records } = await runAdapter(githubAuditLog, crlf, 'export.csv');
    expect(ofKind(records, 'event').map((e) => [e.source.line, e.action])).toEqual([
      [2, 'git.clone'],
      [3, 'oauth_access.create'],
      [4, 'org.remove_member'],
      [7, 'repo.create'],
    ]);
  });
});

describe('github-audit-log encodings', () => {
  const ndjson = readFileSync(NDJSON, 'utf8');
  test.each([
    ['UTF-8 BOM', 'audit.json', Buffer.concat([UTF8_BOM, Buffer.from(ndjson)])],
    ['UTF-16LE (PowerShell)', 'audit.json', utf16le(ndjson)],
    ['CRLF', 'audit.json', Buffer.from(ndjson.replace(/\n/g, '\r\n'))],
    ['gzip', 'audit.json.gz', gzipSync(Buffer.from(ndjson))],
  ])('%s: detected and read like the plain file', async (_name, file, bytes) => {
    const path = tempFile(file, bytes);
    const input = openInput(path, file);
    expect(githubAuditLog.detect(await readSniff(input))).toBe(true);
    const { records, skips } = await runAdapter(githubAuditLog, path, file);
    expect(skips.map((s) => s.line)).toEqual([20, 21, 22, 23]);
    expect(ofKind(records, 'event').find((e) => e.source.line === 1)?.credential).toBe('gh-token:5001');
  });

  test('under strict, a bad entry stops the read with file and line', async () => {
    const input = openInput(NDJSON, 'audit.ndjson');
    const ctx = await strictContext(input, 'audit.ndjson');
    const read = async (): Promise<void> => {
      for await (const record of githubAuditLog.read(input, ctx)) void record;
    };
    await expect(read()).rejects.toThrow('audit.ndjson:20: created_at: is required (or @timestamp)');
  });

  test('the credential listings are not claimed', async () => {
    for (const file of ['pat-listing.json', 'credential-authorizations.json']) {
      const sniff = await readSniff(openInput(fixture('github', file), file));
      expect([githubAuditLog.detect(sniff), githubCredentialList.detect(sniff)]).toEqual([false, true]);
    }
  });
});
