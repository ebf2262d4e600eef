import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { githubCredentialList, permissionScopes } from '../../src/ingest/github/credential-list.js';
import { readSniff } from '../../src/ingest/sniff.js';
import { openInput } from '../../src/ingest/source.js';
import { fixture, lineOf, ofKind, runAdapter, tempFile, utf16le } from './helpers.js';

const PATS = fixture('github', 'pat-listing.json');
const AUTHS = fixture('github', 'credential-authorizations.json');
const t = (iso: string): number => Date.parse(iso);

async function detects(name: string, content: string): Promise<boolean> {
  const path = tempFile(name, content);
  return githubCredentialList.detect(await readSniff(openInput(path, name)));
}

describe('github-credential-list detection', () => {
  test.each([
    ['PAT listing', '[{"id":1,"owner":{"login":"a"},"token_id":2}]', true],
    ['PAT listing as NDJSON', '{"id":1,"owner":{"login":"a"},"token_id":2}\n', true],
    ['credential authorizations', '[{"login":"a","credential_id":1,"credential_type":"SSH key"}]', true],
    ['audit entry with a token id', '{"action":"git.clone","actor":"a","owner":{},"token_id":1,"created_at":1}\n', false],
    ['introspection response', '{"active":true,"client_id":"a"}\n', false],
    ['empty array', '[]', false],
  ])('%s → %s', async (_name, content, expected) => {
    expect(await detects('x.json', content)).toBe(expected);
  });
});

describe('github-credential-list: fine-grained PATs', () => {
  const display = 'fixtures/github/pat-listing.json';
  // An element's `{` is on the line before its first field.
  const at = (needle: string): number => lineOf(PATS, needle) - 1;

  test('each PAT becomes a credential named by token id, acting for its owner; bad elements are skipped', async () => {
    const { records, skips } = await runAdapter(githubCredentialList, PATS, display);
    expect(skips).toEqual([
      { line: at('"id": 25383'), message: '/2: access_granted_at: time "2026-03-01 10:00:00" has no zone; add Z or an offset such as +00:00' },
      { line: at('"id": 25384'), message: '/3: owner.login: is required' },
    ]);
    expect(ofKind(records, 'credential')).toEqual([
      {
        id: 'gh-token:5001',
        identity: null,
        type: 'pat',
        issuedAt: t('2026-03-03T09:00:00Z'),
        expiresAt: null,
        lastRotatedAt: null,
        lastUsedAt: t('2026-03-10T10:00:00Z'),
        scopes: ['contents:write', 'metadata:read', 'organization_administration:write', 'organization_members:read'],
        tenant: 'acme',
        clientId: null,
        onBehalfOf: 'alice',
        approval: null,
        revokedAt: null,
        createdBy: 'alice',
        active: true,
        source: { file: display, line: at('"id": 25381'), pointer: '/0' },
      },
      expect.objectContaining({
        id: 'gh-token:5004',
        onBehalfOf: 'frank',
        scopes: ['issues:read', 'metadata:read'],
        expiresAt: t('2026-03-31T05:00:00Z'),
        issuedAt: t('2026-03-01T05:00:00Z'),
        tenant: null,
        active: false,
        source: { file: display, line: at('"id": 25382'), pointer: '/1' },
      }),
    ]);
  });

  test.each([
    [{ organization: { administration: 'write' } }, ['organization_administration:write']],
    [{ organization: { organization_projects: 'read' } }, ['organization_projects:read']],
    [{ repository: { contents: 'write', pages: null } }, ['contents:write']],
    ['none', []],
  ])('permissions %o → %o', (permissions, scopes) => {
    expect(permissionScopes(permissions)).toEqual(scopes);
  });
});

describe('github-credential-list: credential authorizations', () => {
  const display = 'fixtures/github/credential-authorizations.json';
  // An element's `{` is on the line before its first field.
  const at = (needle: string): number => lineOf(AUTHS, needle) - 1;

  test('classic PAT, SSH key and app token; the element without an id is skipped', async () => {
    const { records, skips } = await runAdapter(githubCredentialList, AUTHS, display);
    expect(skips).toEqual([{ line: at('"login": "gina"'), message: '/3: credential_id: is required' }]);
    const credentials = ofKind(records, 'credential');
    expect(credentials[0]).toEqual({
      id: 'gh-cred:161195',
      identity: null,
      type: 'pat',
      issuedAt: t('2026-01-26T19:06:43Z'),
      expiresAt: null,
      lastRotatedAt: null,
      lastUsedAt: t('2026-03-09T12:00:00Z'),
      scopes: ['repo', 'admin:org'],
      tenant: null,
      clientId: null,
      onBehalfOf: 'bob',
      approval: null,
      revokedAt: null,
      createdBy: 'bob',
      active: true,
      source: { file: display, line: at('"login": "bob"'), pointer: '/0' },
    });
    expect(credentials.slice(1).map((c) => [c.id, c.type, c.scopes, c.expiresAt, c.source.line])).toEqual([
      ['gh-ssh:SHA256:erinkey0001', 'ssh-key', [], null, at('"login": "erin"')],
      ['gh-cred:161197', 'access-token', ['read:org'], t('2026-05-02T00:00:00Z'), at('"login": "frank"')],
    ]);
  });

  test('token_last_eight never reaches a record', async () => {
    const text = JSON.stringify((await runAdapter(githubCredentialList, AUTHS, display)).records);
    expect(text).not.toContain('71c3');
    expect(text).not.toContain('fc11');
  });

  test('UTF-16LE export reads the same', async () => {
    const path = tempFile('auths.json', utf16le(readFileSync(AUTHS, 'utf8')));
    const { records } = await runAdapter(githubCredentialList, path, display);
    expect(ofKind(records, 'credential').map((c) => c.id)).toEqual(['gh-cred:161195', 'gh-ssh:SHA256:erinkey0001', 'gh-cred:161197']);
  });
});
