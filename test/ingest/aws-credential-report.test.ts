import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { awsCredentialReport } from '../../src/ingest/aws/credential-report.js';
import { readSniff } from '../../src/ingest/sniff.js';
import { openInput } from '../../src/ingest/source.js';
import { InputError } from '../../src/model/index.js';
import { fixture, ofKind, ROOT, runAdapter, strictContext, tempFile } from './helpers.js';

const CSV = fixture('aws', 'credential-report', 'credential-report.csv');
const WRAPPER = fixture('aws', 'credential-report', 'get-credential-report.json');
const HEADER = readFileSync(CSV, 'utf8').split('\n')[0] ?? '';
const ACCOUNT = 'arn:aws:iam::111122223333';
const CORPUS = join(ROOT, '..', 'shared', 'corpus', 'aws');

async function detects(name: string, content: string): Promise<boolean> {
  const path = tempFile(name, content);
  return awsCredentialReport.detect(await readSniff(openInput(path, name)));
}

describe('aws-credential-report detection', () => {
  test.each([
    ['CSV', 'report.csv', `${HEADER}\n`, true],
    ['JSON wrapper', 'r.json', '{"Content": "dXNlcg==", "ReportFormat": "text/csv", "GeneratedTime": "2024-01-01T00:00:00Z"}', true],
    ['canonical CSV', 'credentials.csv', 'id,identity,type\n', false],
    ['other JSON with Content', 'r.json', '{"Content": "x", "ReportFormat": "application/json"}', false],
    ['authorization details', 'a.json', '{"UserDetailList": []}', false],
  ])('%s → %s', async (_name, file, content, expected) => {
    expect(await detects(file, content)).toBe(expected);
  });
});

describe('aws-credential-report records', () => {
  test('CSV: identities, access keys, passwords, root, N/A values, exact lines and skips', async () => {
    const display = 'fixtures/aws/credential-report/credential-report.csv';
    const { records, skips } = await runAdapter(awsCredentialReport, CSV, display);
    expect(ofKind(records, 'identity').map((i) => [i.id, i.aliases, i.type, i.tenant, i.createdAt, i.lastUsedAt, i.source])).toEqual([
      // Root: not an NHI, kept with its marker alias; its password use counts as use.
      [`${ACCOUNT}:root`, ['<root_account>'], 'user', '111122223333', Date.parse('2022-03-08T16:02:25Z'), Date.parse('2024-05-01T08:00:00Z'), { file: display, line: 2 }],
      [`${ACCOUNT}:user/svc-backup`, ['svc-backup'], 'user', '111122223333', Date.parse('2022-05-27T10:25:43Z'), Date.parse('2024-06-01T18:30:00Z'), { file: display, line: 3 }],
      [`${ACCOUNT}:user/alice`, ['alice'], 'user', '111122223333', Date.parse('2022-05-18T09:05:12Z'), null, { file: display, line: 4 }],
      [`${ACCOUNT}:user/svc-never-used`, ['svc-never-used'], 'user', '111122223333', Date.parse('2022-12-19T09:22:23Z'), null, { file: display, line: 6 }],
    ]);
    const credentials = ofKind(records, 'credential');
    expect(credentials.map((c) => [c.id, c.type, c.identity, c.active, c.issuedAt, c.lastRotatedAt, c.lastUsedAt, c.expiresAt, c.source.line])).toEqual([
      [`${ACCOUNT}:user/svc-backup#access-key-1`, 'access-key', `${ACCOUNT}:user/svc-backup`, true, Date.parse('2022-05-27T10:25:44Z'), Date.parse('2022-05-27T10:25:44Z'), Date.parse('2024-06-01T18:30:00Z'), null, 3],
      // Inactive, but rotated: still reported.
      [`${ACCOUNT}:user/svc-backup#access-key-2`, 'access-key', `${ACCOUNT}:user/svc-backup`, false, Date.parse('2023-01-02T03:04:05Z'), Date.parse('2023-01-02T03:04:05Z'), Date.parse('2023-02-01T00:00:00Z'), null, 3],
      // no_information → null; password_next_rotation is the expiry.
      [`${ACCOUNT}:user/alice#password`, 'password', `${ACCOUNT}:user/alice`, true, Date.parse('2022-05-18T09:05:13Z'), Date.parse('2022-05-18T09:05:13Z'), null, Date.parse('2024-08-16T09:05:13Z'), 4],
      [`${ACCOUNT}:user/svc-never-used#access-key-1`, 'access-key', `${ACCOUNT}:user/svc-never-used`, true, Date.parse('2022-12-19T09:22:23Z'), Date.parse('2022-12-19T09:22:23Z'), null, null, 6],
    ]);
    expect(credentials[0]).toMatchObject({ scopes: [], tenant: '111122223333', revokedAt: null, approval: null, clientId: null });
    expect(skips).toEqual([
      { line: 5, message: 'row has 4 cells, the header has 22' },
      { line: 7, message: 'access_key_1_last_rotated: "yesterday" is not an ISO-8601 time' },
    ]);
  });

  test('JSON wrapper with base64 Content: same records, pointing at Content and the row', async () => {
    const display = 'fixtures/aws/credential-report/get-credential-report.json';
    const { records, skips } = await runAdapter(awsCredentialReport, WRAPPER, display);
    expect(skips).toEqual([]);
    expect(ofKind(records, 'identity').map((i) => [i.id, i.source])).toEqual([
      [`${ACCOUNT}:root`, { file: display, line: 2, pointer: 'Content line 2' }],
      [`${ACCOUNT}:user/svc-backup`, { file: display, line: 2, pointer: 'Content line 3' }],
      [`${ACCOUNT}:user/alice`, { file: display, line: 2, pointer: 'Content line 4' }],
      [`${ACCOUNT}:user/svc-never-used`, { file: display, line: 2, pointer: 'Content line 5' }],
    ]);
    expect(ofKind(records, 'credential').map((c) => c.id)).toEqual([
      `${ACCOUNT}:user/svc-backup#access-key-1`,
      `${ACCOUNT}:user/svc-backup#access-key-2`,
      `${ACCOUNT}:user/alice#password`,
      `${ACCOUNT}:user/svc-never-used#access-key-1`,
    ]);
  });

  test('JSON wrapper with Content already decoded to CSV text', async () => {
    const csv = `${HEADER}\nbob,${ACCOUNT}:user/bob,2022-01-01T00:00:00Z,false,N/A,N/A,N/A,false,true,2022-01-01T00:00:00Z,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A`;
    const path = tempFile('r.json', JSON.stringify({ Content: csv, ReportFormat: 'text/csv' }));
    const { records } = await runAdapter(awsCredentialReport, path, 'r.json');
    expect(records.map((r) => r.kind)).toEqual(['identity', 'credential']);
  });

  test('a wrapper whose Content is not a report, or bad JSON, rejects the file', async () => {
    for (const content of ['{"Content": "aGVsbG8=", "ReportFormat": "text/csv"}', '{"Content": ']) {
      const path = tempFile('r.json', content);
      await expect(runAdapter(awsCredentialReport, path, 'r.json')).rejects.toBeInstanceOf(InputError);
    }
  });
});

const corpusFiles = existsSync(CORPUS)
  ? readdirSync(CORPUS).filter((name) => name.startsWith('credential-report') || name.startsWith('get-credential-report-'))
  : [];

describe.skipIf(corpusFiles.length === 0)('aws-credential-report on the corpus (skipped: ../shared/corpus/aws not present)', () => {
  test.each(corpusFiles)('%s: detected, read strictly, yields identities', async (name) => {
    const path = join(CORPUS, name);
    expect(awsCredentialReport.detect(await readSniff(openInput(path, name)))).toBe(true);
    const input = openInput(path, name);
    let identities = 0;
    let root = 0;
    for await (const record of awsCredentialReport.read(input, await strictContext(input, name))) {
      if (record.kind !== 'identity') continue;
      identities += 1;
      if (record.record.aliases.includes('<root_account>')) root += 1;
    }
    expect(identities).toBeGreaterThan(1);
    expect(root).toBe(1);
  });
});
