import { describe, expect, test } from 'vitest';
import { canonicalCsv, csvList } from '../../src/ingest/canonical/csv.js';
import { readSniff } from '../../src/ingest/sniff.js';
import { openInput } from '../../src/ingest/source.js';
import { InputError } from '../../src/model/index.js';
import { fixture, lineOf, ofKind, runAdapter, tempFile, UTF8_BOM, utf16le } from './helpers.js';

async function detects(name: string, content: string | Buffer): Promise<boolean> {
  const path = tempFile(name, content);
  return canonicalCsv.detect(await readSniff(openInput(path, name)));
}

describe('canonical-csv list choice', () => {
  test.each([
    [['id', 'delegate', 'principal', 'status'], 'x.csv', 'approvals'],
    [['id', 'identity', 'type', 'expires_at'], 'x.csv', 'credentials'],
    [['id', 'kind', 'status'], 'x.csv', 'principals'],
    [['id', 'type', 'owner'], 'x.csv', 'identities'],
    [['id', 'name', 'environment'], 'x.csv', 'tenants'],
    [['id', 'environment'], 'x.csv', 'tenants'],
    // Columns win over the name.
    [['id', 'kind'], 'identities.csv', 'principals'],
    // The name breaks a tie the columns cannot.
    [['id', 'environment', 'owner'], 'identities.csv', 'identities'],
    [['id', 'environment', 'owner'], 'prod-identities.csv', 'identities'],
    [['id'], 'approvals.csv', 'approvals'],
    [['id', 'environment', 'owner'], 'x.csv', undefined],
    [['name', 'type'], 'identities.csv', undefined],
    // Extra columns do not matter (they are ignored when read).
    [['id', 'type', 'a', 'b', 'c', 'd'], 'x.csv', 'identities'],
  ] as const)('%j in %s → %s', (columns, name, expected) => {
    expect(csvList(columns, name)).toBe(expected);
  });

  test.each([
    ['principals.csv', 'id,kind,status\na,human,active\n', true],
    ['people.txt', 'id,kind,status\na,human,active\n', true],
    ['bom.csv', Buffer.concat([UTF8_BOM, Buffer.from('id,kind\na,human\n')]), true],
    ['utf16.csv', utf16le('id,kind\r\na,human\r\n'), true],
    ['report.csv', 'user,arn,password_enabled\nroot,arn:aws:iam::1:root,true\n', false],
    ['inv.yaml', 'apiVersion: nhi-audit/v1\nkind: Inventory\n', false],
    ['x.json', '{"id": 1, "type": 2}\n', false],
  ])('detect %s → %s', async (name, content, expected) => {
    expect(await detects(name, content)).toBe(expected);
  });
});

describe('canonical-csv records', () => {
  test('principals fixture: exact lines, empty cell = default', async () => {
    const file = fixture('canonical', 'principals.csv');
    const { records, skips } = await runAdapter(canonicalCsv, file, 'fixtures/canonical/principals.csv');
    expect(skips).toEqual([]);
    expect(ofKind(records, 'principal')).toEqual([
      { id: 'erin@acme.example', kind: 'human', status: 'active', offboardedAt: null, source: { file: 'fixtures/canonical/principals.csv', line: 2 } },
      {
        id: 'frank@acme.example',
        kind: 'human',
        status: 'offboarded',
        offboardedAt: Date.parse('2025-10-31T18:00:00Z'),
        source: { file: 'fixtures/canonical/principals.csv', line: 3 },
      },
      { id: 'payroll-system', kind: 'system', status: 'active', offboardedAt: null, source: { file: 'fixtures/canonical/principals.csv', line: 4 } },
    ]);
  });

  test('credentials fixture: ;-lists, booleans, a quoted multi-line cell, and a record after it', async () => {
    const file = fixture('canonical', 'credentials.csv');
    const { records, skips } = await runAdapter(canonicalCsv, file);
    expect(skips).toEqual([]);
    const creds = ofKind(records, 'credential');
    expect(creds.map((c) => [c.id, c.source.line, c.scopes, c.active])).toEqual([
      ['key-1111', 2, ['billing.read', 'billing.export'], true],
      ['cs-2222', 3, [], false],
      ['pat-3333', lineOf(file, 'pat-3333'), ['repo', 'workflow'], true],
    ]);
    expect(creds[0]?.expiresAt).toBeNull();
  });

  test('multi-line cells and blank lines keep the start line of every record', async () => {
    const text = 'id,name,environment\n\nt1,"two\nlines",prod\n\n\nt2,"three\n\nlines",dev\nt3,plain,test';
    const { records } = await runAdapter(canonicalCsv, tempFile('tenants.csv', text));
    expect(ofKind(records, 'tenant').map((t) => [t.id, t.name, t.source.line])).toEqual([
      ['t1', 'two\nlines', 3],
      ['t2', 'three\n\nlines', 7],
      ['t3', 'plain', 10],
    ]);
  });

  test.each([
    ['CRLF', (t: string) => Buffer.from(t.replaceAll('\n', '\r\n'))],
    ['UTF-8 BOM', (t: string) => Buffer.concat([UTF8_BOM, Buffer.from(t)])],
    ['UTF-16LE BOM + CRLF', (t: string) => utf16le(t.replaceAll('\n', '\r\n'))],
  ])('%s: header recognised, exact lines', async (_name, encode) => {
    const text = 'id,type,permissions\nsvc-a,workload,s3:GetObject;s3:PutObject\n"svc-b",agent,\n';
    const { records } = await runAdapter(canonicalCsv, tempFile('x.csv', encode(text)));
    expect(records.map((r) => [r.kind, r.record.source.line])).toEqual([
      ['identity', 2],
      ['grant', 2],
      ['grant', 2],
      ['identity', 3],
    ]);
    expect(ofKind(records, 'identity')[0]?.id).toBe('svc-a');
  });

  test('bad rows are skipped with their line and field; later rows still read', async () => {
    const text = [
      'id,delegate,status,granted_at',
      'a1,svc,active,2025-01-01T00:00:00Z',
      'a2,svc,pending,',
      ',svc,active,',
      'a4,svc,active,2025-01-01 10:00',
      'a5,svc',
      'a6,svc,closed,',
    ].join('\n');
    const { records, skips } = await runAdapter(canonicalCsv, tempFile('approvals.csv', `${text}\n`));
    expect(ofKind(records, 'approval').map((a) => a.id)).toEqual(['a1', 'a6']);
    expect(skips).toEqual([
      { line: 3, message: expect.stringMatching(/^status: unknown value "pending"/) as unknown },
      { line: 4, message: 'id: is required' },
      { line: 5, message: 'granted_at: time "2025-01-01 10:00" has no zone; add Z or an offset such as +00:00' },
      { line: 6, message: 'row has a different number of cells than the header' },
    ]);
  });

  test('malformed quoting is reported at its line without quoting the cell', async () => {
    const text = 'id,identity,client_secret\nk0,svc,\nk1,svc,"sup3r-s3cret"oops\nk2,svc,\n';
    const { records, skips } = await runAdapter(canonicalCsv, tempFile('credentials.csv', text));
    expect(skips[0]).toEqual({ line: 3, message: 'malformed CSV: characters after a closing quote' });
    expect(JSON.stringify(skips)).not.toContain('sup3r');
    // csv-parse cannot resynchronise after a broken quote: the rest of the file is reported, not guessed at.
    expect(skips[1]).toEqual({ line: 4, message: 'malformed CSV: a quote is not closed before the end of the file' });
    expect(ofKind(records, 'credential').map((c) => c.id)).toEqual(['k0']);
  });

  test('an undecidable header under --input-type is a file error at line 1', async () => {
    const error = await runAdapter(canonicalCsv, tempFile('x.csv', 'a,b\n1,2\n'), 'x.csv').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InputError);
    expect(error).toMatchObject({ file: 'x.csv', line: 1 });
  });
});
