import { describe, expect, test } from 'vitest';
import { gcpAuditLog } from '../../src/ingest/gcp/audit-log.js';
import { detectAdapter } from '../../src/ingest/registry.js';
import { readSniff } from '../../src/ingest/sniff.js';
import { openInput } from '../../src/ingest/source.js';
import type { Event, NormalizedRecord } from '../../src/model/index.js';
import { fixture, lineOf, ofKind, runAdapter, tempFile, UTF8_BOM } from './helpers.js';

const NDJSON = fixture('gcp', 'audit-log.ndjson');
const ARRAY = fixture('gcp', 'audit-log.json');
const P = 'acme-prod-123';
const sa = (name: string): string => `${name}@${P}.iam.gserviceaccount.com`;
const ETL = sa('etl-runner');
const ALICE = 'alice@acme.example';
const OLD_KEY = '3f1c2a9e8d7b6a5f4e3d2c1b0a998877';
const NEW_KEY = '5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e';
const at = (insertId: string): number => lineOf(NDJSON, `"insertId": "${insertId}"`);

async function read(): Promise<NormalizedRecord[]> {
  return (await runAdapter(gcpAuditLog, NDJSON, 'fixtures/gcp/audit-log.ndjson')).records;
}

async function eventAt(insertId: string): Promise<Event> {
  const found = ofKind(await read(), 'event').filter((e) => e.source.line === at(insertId));
  expect(found).toHaveLength(1);
  const [event] = found;
  if (event === undefined) throw new Error('unreachable');
  return event;
}

describe('gcp-audit-log detection', () => {
  const entry = { insertId: 'i', logName: `projects/${P}/logs/cloudaudit.googleapis.com%2Factivity`, timestamp: '2026-01-01T00:00:00Z' };
  test.each([
    ['an AuditLog entry (NDJSON)', 'a.log', `${JSON.stringify({ ...entry, protoPayload: { '@type': 'type.googleapis.com/google.cloud.audit.AuditLog', methodName: 'x' } })}\n`, 'gcp-audit-log'],
    ['gcloud logging read (array) starting with a text entry', 'a.json', JSON.stringify([{ ...entry, textPayload: 'hi' }], null, 2), 'gcp-audit-log'],
    ['an Okta LogEvent', 'o.json', '{"eventType":"user.session.start","published":"2026-01-01T00:00:00Z","actor":{"id":"1"}}\n', 'okta-system-log'],
    ['something with a timestamp only', 'x.ndjson', '{"timestamp":"2026-01-01T00:00:00Z","message":"hi"}\n', undefined],
  ])('%s → %s', async (_name, file, content, expected) => {
    expect(detectAdapter(await readSniff(openInput(tempFile(file, content), file)))?.id).toBe(expected);
  });

  test.each([NDJSON, ARRAY])('fixture %s is detected', async (path) => {
    expect(gcpAuditLog.detect(await readSniff(openInput(path, 'x.log')))).toBe(true);
  });
});

describe('gcp-audit-log events', () => {
  test('access with a key: identity, key id, permission, resource, tenant, caller ip and agent, evidence', async () => {
    expect(await eventAt('a-access-key')).toEqual({
      time: Date.parse('2026-10-02T09:00:00.123Z'),
      identity: ETL,
      credential: OLD_KEY,
      action: 'storage.objects.get',
      resource: 'projects/_/buckets/acme-invoices/objects/in/2026-10.csv',
      tenant: P,
      environment: null,
      sourceIp: '203.0.113.10',
      userAgent: 'gcloud-python/3.1.0',
      outcome: 'success',
      category: 'access',
      onBehalfOf: null,
      actorChain: [],
      provider: 'gcp',
      source: { file: 'fixtures/gcp/audit-log.ndjson', line: at('a-access-key') },
    });
  });

  test('serviceAccountDelegationInfo becomes the actor chain, outermost first, ending with the caller', async () => {
    expect(await eventAt('a-delegated')).toMatchObject({
      identity: sa('bq-loader'),
      action: 'bigquery.jobs.create',
      category: 'access',
      actorChain: [ALICE, sa('ci-runner'), sa('etl-orchestrator'), sa('bq-loader')],
    });
  });

  test.each([
    ['a-key-create', { identity: ETL, credential: NEW_KEY, category: 'credential-create', action: 'iam.serviceAccountKeys.create', actorChain: [ALICE] }],
    ['a-key-delete', { identity: ETL, credential: OLD_KEY, category: 'credential-delete', action: 'iam.serviceAccountKeys.delete', actorChain: [ALICE] }],
    ['a-key-disable', { identity: ETL, credential: NEW_KEY, category: 'revoke', action: 'iam.serviceAccountKeys.disable' }],
    ['a-sa-delete', { identity: sa('retired'), credential: null, category: 'identity-delete', action: 'iam.serviceAccounts.delete' }],
    // No identity-disable category: the administrator's own action, with the account as the resource.
    ['a-sa-disable', { identity: ALICE, category: 'other', action: 'iam.serviceAccounts.disable', resource: `projects/${P}/serviceAccounts/${ETL}` }],
    ['a-sa-create', { identity: ALICE, category: 'other', action: 'iam.serviceAccounts.create', resource: `projects/${P}/serviceAccounts/${sa('new-bot')}` }],
    ['a-token', { identity: sa('deploy-bot'), category: 'token-issue', action: 'iam.serviceAccounts.getAccessToken', actorChain: [sa('ci-runner'), sa('deploy-bot')] }],
    ['a-denied', { identity: ETL, outcome: 'failure', action: 'compute.instances.delete', category: 'access' }],
    ['a-set-policy', { identity: ALICE, action: 'resourcemanager.projects.setIamPolicy', category: 'access' }],
  ])('%s', async (insertId, expected) => {
    expect(await eventAt(insertId)).toMatchObject(expected);
  });

  test('lifecycle records: the created key, the created account, the deleted account', async () => {
    const records = await read();
    expect(ofKind(records, 'credential')).toEqual([
      {
        id: NEW_KEY,
        identity: ETL,
        type: 'sa-key',
        issuedAt: Date.parse('2026-10-04T11:00:00Z'),
        expiresAt: null,
        lastRotatedAt: Date.parse('2026-10-04T11:00:00Z'),
        lastUsedAt: null,
        scopes: [],
        tenant: P,
        clientId: null,
        onBehalfOf: null,
        approval: null,
        revokedAt: null,
        createdBy: ALICE,
        active: true,
        providerManaged: false,
        source: { file: 'fixtures/gcp/audit-log.ndjson', line: at('a-key-create') },
      },
    ]);
    expect(ofKind(records, 'identity').map((i) => [i.id, i.status, i.createdAt, i.disabledAt, i.aliases, i.source.line])).toEqual([
      [sa('retired'), 'deleted', null, Date.parse('2026-10-07T14:00:00Z'), [`projects/${P}/serviceAccounts/${sa('retired')}`, '104857600000000000002'], at('a-sa-delete')],
      [sa('new-bot'), 'active', Date.parse('2026-10-12T08:00:00Z'), null, [`projects/${P}/serviceAccounts/${sa('new-bot')}`, '104857600000000000009'], at('a-sa-create')],
    ]);
  });

  test('non-audit entries are passed over; bad entries are skipped with their line and the rest is read', async () => {
    const { records, skips } = await runAdapter(gcpAuditLog, NDJSON);
    expect(skips).toEqual([
      { line: at('a-no-zone'), message: 'timestamp: time "2026-10-11T10:00:00" has no zone; add Z or an offset such as +00:00' },
      { line: at('a-no-method'), message: 'protoPayload.methodName is required' },
      { line: lineOf(NDJSON, '"a-broken"'), message: 'not valid JSON' },
    ]);
    expect(ofKind(records, 'event')).toHaveLength(11);
    expect(ofKind(records, 'event').some((e) => e.source.line === lineOf(NDJSON, 'textPayload'))).toBe(false);
  });

  test('gcloud logging read output (array): each entry at its line with its index; offsets are honoured', async () => {
    const { records, skips } = await runAdapter(gcpAuditLog, ARRAY, 'audit.json');
    const start = (id: string): number => lineOf(ARRAY, `"insertId": "${id}"`) - 1;
    expect(ofKind(records, 'event').map((e) => [e.identity, e.credential, e.action, e.time, e.source.line, e.source.pointer])).toEqual([
      [sa('report-reader'), null, 'storage.objects.get', Date.parse('2026-11-10T08:00:00Z'), start('b1'), '[0]'],
      [sa('deploy-bot'), '9a8b7c6d5e4f30211203f4e5d6c7b8a9', 'iam.serviceAccountKeys.list', Date.parse('2026-11-09T07:00:00Z'), start('b2'), '[1]'],
    ]);
    expect(skips).toEqual([{ line: start('b3'), message: '[2]: timestamp is required' }]);
  });

  test('a BOM and CRLF line ends do not matter', async () => {
    const line = JSON.stringify({
      logName: `projects/${P}/logs/cloudaudit.googleapis.com%2Fdata_access`,
      timestamp: '2026-01-01T00:00:00Z',
      protoPayload: { '@type': 'type.googleapis.com/google.cloud.audit.AuditLog', methodName: 'storage.objects.list', serviceName: 'storage.googleapis.com', authenticationInfo: { principalEmail: ETL } },
    });
    const path = tempFile('a.log', Buffer.concat([UTF8_BOM, Buffer.from(`${line}\r\n${line}\r\n`)]));
    const events = ofKind((await runAdapter(gcpAuditLog, path)).records, 'event');
    expect(events.map((e) => [e.identity, e.action, e.tenant, e.source.line])).toEqual([
      [ETL, 'storage.objects.list', P, 1],
      [ETL, 'storage.objects.list', P, 2],
    ]);
  });
});
