import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { gcpServiceAccountKeys } from '../../src/ingest/gcp/sa-keys.js';
import { detectAdapter } from '../../src/ingest/registry.js';
import { readSniff } from '../../src/ingest/sniff.js';
import { openInput } from '../../src/ingest/source.js';
import { fixture, lineOf, ofKind, runAdapter, tempFile, utf16le } from './helpers.js';

const FILE = fixture('gcp', 'sa-keys.json');
const DEPLOY = 'deploy-bot@acme-prod-123.iam.gserviceaccount.com';
const LINES = readFileSync(FILE, 'utf8').split('\n');
/** The line of the `{` that opens the item holding `needle`. */
function itemLine(needle: string): number {
  for (let line = lineOf(FILE, needle); line > 0; line -= 1) if (LINES[line - 1]?.trim() === '{') return line;
  throw new Error(`no item around ${needle}`);
}

describe('gcp-sa-keys detection', () => {
  test.each([
    ['keys list output', 'keys.json', `[{"name": "projects/p/serviceAccounts/${DEPLOY}/keys/abc", "keyType": "USER_MANAGED", "validAfterTime": "2026-01-01T00:00:00Z"}]`, 'gcp-sa-keys'],
    ['a Cloud Asset key asset', 'keys.json', `[{"asset_type": "iam.googleapis.com/ServiceAccountKey", "name": "//iam.googleapis.com/projects/p/serviceAccounts/${DEPLOY}/keys/abc"}]`, 'gcp-asset-inventory'],
    ['a service-account list', 'sa.json', `[{"name": "projects/p/serviceAccounts/${DEPLOY}", "email": "${DEPLOY}"}]`, undefined],
  ])('%s → %s', async (_name, file, content, expected) => {
    expect(detectAdapter(await readSniff(openInput(tempFile(file, content), file)))?.id).toBe(expected);
  });
});

describe('gcp-sa-keys records', () => {
  test('keys with their holder, validity, type and state; bad items are skipped at their line', async () => {
    const { records, skips } = await runAdapter(gcpServiceAccountKeys, FILE, 'fixtures/gcp/sa-keys.json');
    const keys = ofKind(records, 'credential');
    expect(keys.map((k) => [k.id, k.identity, k.issuedAt, k.expiresAt, k.providerManaged, k.active, k.source.line, k.source.pointer])).toEqual([
      ['9a8b7c6d5e4f30211203f4e5d6c7b8a9', DEPLOY, Date.parse('2024-06-03T08:15:00Z'), null, false, true, itemLine('keys/9a8b7c6d'), '[0]'],
      ['11aa22bb33cc44dd55ee66ff77889900', DEPLOY, Date.parse('2026-11-02T00:00:00Z'), Date.parse('2026-11-18T00:00:00Z'), true, true, itemLine('keys/11aa22bb'), '[1]'],
      ['deadbeef00112233445566778899aabb', DEPLOY, Date.parse('2025-01-10T12:00:00Z'), Date.parse('2026-01-10T12:00:00Z'), false, false, itemLine('keys/deadbeef'), '[2]'],
    ]);
    expect(keys.every((k) => k.type === 'sa-key' && k.tenant === 'acme-prod-123' && k.source.file === 'fixtures/gcp/sa-keys.json')).toBe(true);
    expect(skips).toEqual([
      { line: itemLine('serviceAccounts/deploy-bot@acme-prod-123.iam.gserviceaccount.com"'), message: '[3]: name: expected projects/…/serviceAccounts/…/keys/<key id>' },
      { line: itemLine('keys/c0ffee00'), message: '[4]: validAfterTime: "2025-13-40T12:00:00Z" is not a valid date-time' },
    ]);
  });

  test('UTF-16LE with CRLF (PowerShell redirect) is read', async () => {
    const content = `[\r\n  {"name": "projects/p1/serviceAccounts/a@p1.iam.gserviceaccount.com/keys/k1", "keyType": "USER_MANAGED", "validAfterTime": "2026-01-01T00:00:00Z", "validBeforeTime": "9999-12-31T23:59:59Z"}\r\n]\r\n`;
    const path = tempFile('keys.json', utf16le(content));
    expect(gcpServiceAccountKeys.detect(await readSniff(openInput(path, 'keys.json')))).toBe(true);
    const keys = ofKind((await runAdapter(gcpServiceAccountKeys, path)).records, 'credential');
    expect(keys.map((k) => [k.id, k.identity, k.expiresAt, k.source.line])).toEqual([['k1', 'a@p1.iam.gserviceaccount.com', null, 2]]);
  });
});
