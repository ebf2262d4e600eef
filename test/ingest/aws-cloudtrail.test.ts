import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { awsCloudTrail } from '../../src/ingest/aws/cloudtrail.js';
import { canonicalEvents } from '../../src/ingest/canonical/events.js';
import { readSniff } from '../../src/ingest/sniff.js';
import { openInput } from '../../src/ingest/source.js';
import type { Event } from '../../src/model/index.js';
import { fixture, lineOf, ofKind, ROOT, runAdapter, strictContext, tempFile } from './helpers.js';

const ACCOUNT = '111122223333';
const DIR = 'fixtures/aws/cloudtrail';
const file = (name: string): string => fixture('aws', 'cloudtrail', name);

async function events(name: string): Promise<Event[]> {
  const { records, skips } = await runAdapter(awsCloudTrail, file(name), `${DIR}/${name}`);
  expect(skips).toEqual([]);
  return ofKind(records, 'event');
}

/** The line where the record with this eventID starts: the `{` just above its first key. */
const startLine = (name: string, id: string): number => lineOf(file(name), `"eventID": "${id}"`) - 1;

async function detects(path: string, adapter = awsCloudTrail): Promise<boolean> {
  return adapter.detect(await readSniff(openInput(path, 'x')));
}

describe('aws-cloudtrail detection', () => {
  const fixtures = [
    'delivered.json',
    'delivered.json.gz',
    'one-line.json',
    'array.json',
    'events.ndjson',
    'lookup-events.jsonl',
    'lookup-events.json',
    'malformed.json',
  ];
  test.each(fixtures)('fixture %s is CloudTrail and not canonical events', async (name) => {
    expect(await detects(file(name))).toBe(true);
    expect(await detects(file(name), canonicalEvents)).toBe(false);
  });

  test.each([
    ['canonical events', 'a.ndjson', '{"kind":"nhi-audit/v1/event","time":"2026-01-01T00:00:00Z","identity":"x","action":"s3:GetObject"}\n'],
    ['canonical events by name', 'app.events.ndjson', '{"time":"2026-01-01T00:00:00Z","identity":"x"}\n'],
    ['an array of other objects', 'a.json', '[{"eventName":"x","source":"y"}]'],
    ['NDJSON without userIdentity', 'a.ndjson', '{"eventName":"GetObject","eventSource":"s3.amazonaws.com"}\n'],
    ['a Records wrapper of something else', 'a.json', '{"Records":[{"s3":{"bucket":{}},"eventName":"ObjectCreated:Put"}]}'],
    [
      'an S3 event notification (same wrapper and field names)',
      'a.json',
      JSON.stringify({
        Records: [
          {
            eventVersion: '2.1',
            eventSource: 'aws:s3',
            eventName: 'ObjectCreated:Put',
            eventTime: '2026-01-01T00:00:00.000Z',
            userIdentity: { principalId: 'AWS:X' },
          },
        ],
      }),
    ],
    ['a pretty-printed IAM document', 'a.json', '{\n  "UserDetailList": []\n}\n'],
    ['YAML', 'a.yaml', 'apiVersion: nhi-audit/v1\nkind: Inventory\n'],
  ])('%s → no', async (_name, name, content) => {
    expect(await detects(tempFile(name, content))).toBe(false);
  });

  test('a first record longer than the sniff head is still recognised', async () => {
    const big = {
      eventVersion: '1.09',
      eventSource: 'iam.amazonaws.com',
      eventName: 'PutRolePolicy',
      eventTime: '2026-03-02T10:00:00Z',
      requestParameters: { policyDocument: 'x'.repeat(70_000) },
    };
    expect(await detects(tempFile('big.json', JSON.stringify({ Records: [big] })))).toBe(true);
    expect(await detects(tempFile('big.json', JSON.stringify({ Records: [{ ...big, eventSource: 'aws:s3' }] })))).toBe(false);
  });

  test('the canonical-events fixture is not CloudTrail', async () => {
    expect(await detects(fixture('canonical', 'app.events.ndjson'))).toBe(false);
  });
});

describe('aws-cloudtrail mapping', () => {
  test('IAMUser: user ARN, long-term key id, action, resource, tenant, evidence', async () => {
    const [first] = await events('delivered.json');
    expect(first).toEqual({
      time: Date.parse('2026-03-02T10:00:00Z'),
      identity: `arn:aws:iam::${ACCOUNT}:user/ci-deployer`,
      credential: 'AKIAEXAMPLEKEY000001',
      action: 's3:GetObject',
      resource: 'arn:aws:s3:::acme-invoices/2026/03.pdf',
      tenant: ACCOUNT,
      environment: null,
      sourceIp: '198.51.100.7',
      userAgent: 'aws-cli/2.15.0',
      outcome: 'success',
      category: 'access',
      onBehalfOf: null,
      actorChain: [],
      source: { file: `${DIR}/delivered.json`, line: startLine('delivered.json', 'e-01'), pointer: 'Records[0]' },
    });
  });

  test('each userIdentity type and category', async () => {
    const all = await events('delivered.json');
    const byId = (i: number): Event => {
      const event = all[i];
      if (event === undefined) throw new Error(`no event ${i}`);
      return event;
    };
    const session = `arn:aws:sts::${ACCOUNT}:assumed-role/ci-runner/build-42`;
    const runner = `arn:aws:iam::${ACCOUNT}:role/service/ci-runner`;
    const deployer = `arn:aws:iam::${ACCOUNT}:user/ci-deployer`;
    const admin = `arn:aws:iam::${ACCOUNT}:user/ops/iam-admin`;
    expect(all).toHaveLength(16);
    // AssumedRole: the role from the session issuer, the session as context. The temporary (ASIA)
    // key is not a credential: sessions come and go by the thousand, and the role carries the use.
    expect(byId(1)).toMatchObject({
      identity: runner,
      credential: null,
      action: 's3:PutObject',
      resource: 'arn:aws:s3:::acme-artifacts/build/42.zip',
      actorChain: [session],
      category: 'access',
    });
    // Role chaining.
    expect(byId(2)).toMatchObject({
      identity: runner,
      action: 'sts:AssumeRole',
      resource: `arn:aws:iam::${ACCOUNT}:role/deployer`,
      actorChain: [runner, `arn:aws:iam::${ACCOUNT}:role/deployer`],
      category: 'access',
    });
    expect(byId(3)).toMatchObject({
      identity: `arn:aws:iam::${ACCOUNT}:user/broker`,
      credential: null,
      actorChain: [`arn:aws:sts::${ACCOUNT}:federated-user/partner-sync`],
    });
    expect(byId(4)).toMatchObject({ identity: 'lambda.amazonaws.com', credential: null, action: 'kms:Decrypt' });
    expect(byId(5)).toMatchObject({
      identity: `arn:aws:iam::${ACCOUNT}:root`,
      action: 'signin:ConsoleLogin',
      category: 'login-interactive',
      outcome: 'success',
    });
    expect(byId(6)).toMatchObject({ identity: deployer, category: 'login-interactive', outcome: 'failure' });
    // CreateAccessKey for another user: the event is the target's, with the new key id.
    expect(byId(7)).toMatchObject({
      identity: deployer,
      credential: 'AKIAEXAMPLENEWKEY001',
      category: 'credential-create',
      actorChain: [admin],
      resource: deployer,
    });
    // CreateAccessKey without userName: the caller's own key.
    expect(byId(8)).toMatchObject({ identity: deployer, credential: 'AKIAEXAMPLESELFKEY01', category: 'credential-create', actorChain: [] });
    expect(byId(9)).toMatchObject({ identity: deployer, credential: 'AKIAEXAMPLEKEY000001', category: 'revoke', actorChain: [admin] });
    expect(byId(10)).toMatchObject({ identity: deployer, credential: 'AKIAEXAMPLEKEY000001', category: 'credential-delete' });
    expect(byId(11)).toMatchObject({ identity: `arn:aws:iam::${ACCOUNT}:user/old-bot`, category: 'identity-delete', actorChain: [admin] });
    expect(byId(12)).toMatchObject({ identity: `arn:aws:iam::${ACCOUNT}:role/legacy-etl`, category: 'identity-delete' });
    expect(byId(13)).toMatchObject({ identity: deployer, outcome: 'failure', resource: 'arn:aws:s3:::acme-invoices' });
    expect(byId(14)).toMatchObject({ identity: 'AIDAEXAMPLEXACCT0001', credential: null, tenant: ACCOUNT });
    // Re-activating a key is not a revocation.
    expect(byId(15)).toMatchObject({ identity: admin, credential: 'AKIAEXAMPLEADMIN0001', category: 'access' });
  });

  test('a successful CreateAccessKey also yields the key, its user and who created it', async () => {
    const { records } = await runAdapter(awsCloudTrail, file('delivered.json'), `${DIR}/delivered.json`);
    const keys = ofKind(records, 'credential');
    expect(keys.map((key) => [key.id, key.identity, key.type, key.createdBy, key.active])).toEqual([
      ['AKIAEXAMPLENEWKEY001', `arn:aws:iam::${ACCOUNT}:user/ci-deployer`, 'access-key', `arn:aws:iam::${ACCOUNT}:user/ops/iam-admin`, true],
      ['AKIAEXAMPLESELFKEY01', `arn:aws:iam::${ACCOUNT}:user/ci-deployer`, 'access-key', `arn:aws:iam::${ACCOUNT}:user/ci-deployer`, true],
    ]);
    // Only key creation yields a credential; deletions and failures do not.
    expect(ofKind(records, 'event').filter((item) => item.category === 'credential-create' && item.outcome === 'success')).toHaveLength(2);
  });

  test('no secret from responseElements is ever kept', async () => {
    for (const name of ['delivered.json', 'one-line.json', 'lookup-events.jsonl']) {
      expect(readFileSync(file(name), 'utf8')).toMatch(/FAKEsecretDoNotStore|FAKEsessionToken/);
      const text = JSON.stringify(await events(name));
      expect(text).not.toMatch(/FAKEsecret|FAKEsession|ASIAEXAMPLECHAINED01/);
    }
  });

  test('.gz: same events and lines as the plain file', async () => {
    const plain = await events('delivered.json');
    const gz = await events('delivered.json.gz');
    expect(gunzipSync(readFileSync(file('delivered.json.gz'))).toString()).toBe(readFileSync(file('delivered.json'), 'utf8'));
    expect(gz.map((e) => e.source.line)).toEqual(plain.map((e) => e.source.line));
    expect(gz[12]?.source).toEqual({ file: `${DIR}/delivered.json.gz`, line: startLine('delivered.json', 'e-13'), pointer: 'Records[12]' });
  });

  test('one-line Records file: line 1, pointer distinguishes', async () => {
    const all = await events('one-line.json');
    expect(all.map((e) => e.source)).toEqual([0, 1, 2].map((i) => ({ file: `${DIR}/one-line.json`, line: 1, pointer: `Records[${i}]` })));
    expect(all.map((e) => e.action)).toEqual(['s3:GetObject', 's3:PutObject', 'sts:AssumeRole']);
  });

  test('array and NDJSON (Logstash fields) layouts', async () => {
    const array = await events('array.json');
    expect(array.map((e) => e.source.pointer)).toEqual(['[0]', '[1]', '[2]', '[3]']);
    expect(array[3]?.source.line).toBe(startLine('array.json', 'e-04'));
    const ndjson = await events('events.ndjson');
    // A blank line after the second record.
    expect(ndjson.map((e) => e.source)).toEqual([1, 2, 4, 5, 6].map((line) => ({ file: `${DIR}/events.ndjson`, line })));
    expect(ndjson[1]).toMatchObject({ identity: `arn:aws:iam::${ACCOUNT}:role/service/ci-runner`, action: 's3:PutObject' });
    // Records 3 and 5 have only Logstash's @timestamp.
    expect(ndjson.map((e) => new Date(e.time).toISOString().slice(11, 16))).toEqual(['10:00', '10:01', '10:02', '10:03', '10:04']);
  });

  test('lookup-events items: the embedded CloudTrailEvent is the record', async () => {
    const jsonl = await events('lookup-events.jsonl');
    expect(jsonl.map((e) => [e.action, e.category, e.source.line])).toEqual([
      ['s3:GetObject', 'access', 1],
      ['sts:AssumeRole', 'access', 2],
      ['iam:CreateAccessKey', 'credential-create', 3],
    ]);
    // The record's eventTime, not the item's local-time EventTime.
    expect(jsonl[0]?.time).toBe(Date.parse('2026-03-02T10:00:00Z'));
    const wrapped = await events('lookup-events.json');
    expect(wrapped.map((e) => [e.category, e.source.pointer])).toEqual([
      ['access', 'Events[0]'],
      ['revoke', 'Events[1]'],
    ]);
  });
});

describe('aws-cloudtrail malformed records', () => {
  test('skipped with their line and the field named; the rest goes on', async () => {
    const name = 'malformed.json';
    const { records, skips } = await runAdapter(awsCloudTrail, file(name), `${DIR}/${name}`);
    expect(ofKind(records, 'event').map((e) => e.action)).toEqual(['s3:GetObject', 'kms:Decrypt']);
    expect(skips).toEqual([
      { line: startLine(name, 'e-02'), message: 'Records[1]: eventTime is required' },
      {
        line: startLine(name, 'e-03'),
        message: 'Records[2]: eventTime: time "2026-03-02 10:02:00" has no zone; add Z or an offset such as +00:00',
      },
      { line: startLine(name, 'e-04'), message: 'Records[3]: eventName is required' },
      { line: lineOf(file(name), '"not-a-record"'), message: 'Records[4]: expected a JSON object, got a string' },
    ]);
  });

  test('NDJSON: invalid line and invalid embedded CloudTrailEvent skipped without quoting input', async () => {
    const { records, skips } = await runAdapter(awsCloudTrail, file('malformed.ndjson'));
    expect(ofKind(records, 'event').map((e) => e.source.line)).toEqual([1, 4]);
    expect(skips).toEqual([
      { line: 2, message: 'not valid JSON' },
      { line: 3, message: 'CloudTrailEvent is not valid JSON' },
    ]);
  });
});

const CORPUS = resolve(ROOT, '../shared/corpus/aws');
const corpusFiles = existsSync(CORPUS) ? readdirSync(CORPUS).filter((name) => name.startsWith('cloudtrail-')) : [];

describe.skipIf(corpusFiles.length === 0)('aws-cloudtrail corpus (skipped: ../shared/corpus/aws not present)', () => {
  test.each(corpusFiles)('%s: detected and read strictly', async (name) => {
    const path = join(CORPUS, name);
    expect(await detects(path)).toBe(true);
    const input = openInput(path, name);
    let count = 0;
    for await (const record of awsCloudTrail.read(input, await strictContext(input, name))) {
      if (record.kind === 'event') count += 1;
    }
    expect(count).toBeGreaterThanOrEqual(1);
  });
});
