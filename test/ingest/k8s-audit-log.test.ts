import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { k8sAuditLog } from '../../src/ingest/k8s/audit-log.js';
import { detectAdapter } from '../../src/ingest/registry.js';
import { readSniff } from '../../src/ingest/sniff.js';
import { openInput } from '../../src/ingest/source.js';
import { fixture, lineOf, ofKind, runAdapter, tempFile, utf16le, UTF8_BOM } from './helpers.js';

const NDJSON = fixture('k8s', 'audit.ndjson');
const EVENT_LIST = fixture('k8s', 'audit-eventlist.json');
const SINGLE = fixture('k8s', 'audit-event.json');
const t = (iso: string): number => Date.parse(iso);
const deployer = 'system:serviceaccount:ci:deployer';

async function detects(name: string, content: string | Uint8Array): Promise<boolean> {
  const path = tempFile(name, content);
  return k8sAuditLog.detect(await readSniff(openInput(path, name)));
}

const EVENT = '{"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"a","stage":"ResponseComplete","verb":"get","user":{"username":"u"}}';

describe('k8s-audit-log detection', () => {
  test.each([
    ['NDJSON audit.k8s.io/v1 events', 'audit.log', `${EVENT}\n${EVENT}\n`, true],
    ['JSON array', 'a.json', `[${EVENT}]`, true],
    ['EventList', 'list.json', `{"kind":"EventList","apiVersion":"audit.k8s.io/v1","items":[${EVENT}]}`, true],
    ['older form without apiVersion', 'old.json', '{"kind":"Event","auditID":"a","verb":"get","user":{"username":"u"}}\n', true],
    ['core/v1 Event (not an audit event)', 'e.json', '{"kind":"Event","apiVersion":"v1","reason":"Pulled","involvedObject":{}}\n', false],
    ['Okta LogEvent', 'okta.json', '{"eventType":"user.session.start","published":"2026-01-01T00:00:00Z","actor":{"id":"x"}}\n', false],
    ['RBAC object', 'sa.json', '{"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"a"}}', false],
    ['not JSON', 'x.log', 'hello\n', false],
  ])('%s → %s', async (_name, file, content, expected) => {
    expect(await detects(file, content)).toBe(expected);
  });

  test('the fixtures are detected, and by this adapter in the registry', async () => {
    for (const file of [NDJSON, EVENT_LIST, SINGLE]) expect(detectAdapter(await readSniff(openInput(file, 'x')))?.id).toBe('k8s-audit-log');
  });
});

describe('k8s-audit-log records (NDJSON)', () => {
  const display = 'fixtures/k8s/audit.ndjson';
  const run = () => runAdapter(k8sAuditLog, NDJSON, display);
  // The line of a request's last logged stage (a1 is logged twice).
  const at = (auditId: string): number =>
    auditId === 'a1' ? lineOf(NDJSON, '"auditID":"a1","stage":"ResponseComplete"') : lineOf(NDJSON, `"auditID":"${auditId}"`);
  const eventAt = async (auditId: string) => {
    const found = ofKind((await run()).records, 'event').filter((e) => e.source.line === at(auditId));
    expect(found).toHaveLength(1);
    return found[0];
  };

  test('malformed records are skipped with their line and field; the rest comes through', async () => {
    const { records, skips } = await run();
    expect(skips).toEqual([
      { line: at('a10'), message: 'stageTimestamp: time "2026-03-02T10:00:00" has no zone; add Z or an offset such as +00:00' },
      { line: lineOf(NDJSON, 'NOT JSON'), message: 'not valid JSON' },
      { line: at('a11'), message: 'user: is required' },
    ]);
    expect(ofKind(records, 'event')).toHaveLength(12);
  });

  test('a service account reading a pod: access event with the verb + resource action and the namespace/resource/name', async () => {
    expect(await eventAt('a1')).toEqual({
      time: t('2026-03-01T10:00:01Z'),
      identity: deployer,
      credential: null,
      action: 'get pods',
      resource: 'ci/pods/web-1',
      tenant: null,
      environment: null,
      sourceIp: '10.0.4.17',
      userAgent: 'kubectl/v1.30.2 (linux/amd64) kubernetes/3968350',
      outcome: 'success',
      category: 'access',
      onBehalfOf: null,
      actorChain: [],
      provider: 'k8s',
      source: { file: display, line: at('a1') },
    });
  });

  test('RequestReceived and ResponseComplete of one request count once; a request that never completed is kept', async () => {
    const events = ofKind((await run()).records, 'event');
    expect(events.filter((e) => e.action === 'get pods' && e.resource === 'ci/pods/web-1')).toHaveLength(1);
    const unfinished = events.filter((e) => e.source.line === at('z9'));
    expect(unfinished.map((e) => [e.action, e.outcome, e.time])).toEqual([['watch configmaps', 'success', t('2026-03-02T10:10:00Z')]]);
  });

  test('impersonation: the impersonator acts, the chain records the hop', async () => {
    expect(await eventAt('a2')).toMatchObject({
      identity: deployer,
      action: 'create pods/exec',
      resource: 'ci/pods/web-1',
      actorChain: [deployer, 'system:serviceaccount:ci:builder'],
      outcome: 'success',
      category: 'access',
    });
  });

  test.each([
    ['a3', { identity: 'alice@example.com', action: 'list secrets', resource: 'ci/secrets', outcome: 'failure', category: 'access' }],
    ['a4', { identity: 'system:serviceaccount:ci:old-bot', action: 'delete serviceaccounts', category: 'identity-delete', actorChain: ['alice@example.com'] }],
    [
      'a5',
      { identity: deployer, action: 'create serviceaccounts/token', category: 'token-issue', actorChain: ['system:node:node-1'], sourceIp: null, userAgent: null },
    ],
    [
      'a7',
      { identity: 'system:serviceaccount:ci:builder', credential: 'ci/builder-token-abcde', category: 'credential-delete', actorChain: ['alice@example.com'] },
    ],
    // A refused delete ended nothing: it stays the caller's failed access.
    ['a8', { identity: deployer, action: 'delete serviceaccounts', outcome: 'failure', category: 'access', actorChain: [] }],
    ['a9', { identity: deployer, action: 'get /healthz', resource: '/healthz', outcome: 'success' }],
    ['a12', { identity: 'system:serviceaccount:monitoring:scraper', action: 'list nodes', resource: 'nodes', tenant: 'prod-eu' }],
    ['a13', { action: 'create deployments', outcome: 'failure', category: 'access' }],
  ])('%s', async (auditId, expected) => {
    expect(await eventAt(auditId)).toMatchObject(expected);
  });

  test('deleting a service account: the account is yielded as deleted from that moment; a refused delete yields nothing', async () => {
    const identities = ofKind((await run()).records, 'identity');
    expect(identities).toEqual([
      {
        id: 'system:serviceaccount:ci:old-bot',
        aliases: ['ci/old-bot'],
        type: 'service-account',
        provider: 'k8s',
        tenant: null,
        environment: null,
        owner: null,
        consumers: [],
        createdAt: null,
        status: 'deleted',
        disabledAt: t('2026-03-02T09:00:00Z'),
        lastUsedAt: null,
        source: { file: display, line: at('a4') },
      },
    ]);
  });

  test('creating a service-account-token Secret: credential-create about the account, and the never-expiring credential', async () => {
    const { records } = await run();
    expect(await eventAt('a6')).toMatchObject({
      identity: 'system:serviceaccount:ci:builder',
      credential: 'ci/builder-long-lived',
      category: 'credential-create',
      actorChain: ['alice@example.com'],
    });
    expect(ofKind(records, 'credential')).toEqual([
      {
        id: 'ci/builder-long-lived',
        identity: 'system:serviceaccount:ci:builder',
        type: 'sa-token',
        issuedAt: t('2026-03-02T09:20:00Z'),
        expiresAt: null,
        lastRotatedAt: null,
        lastUsedAt: null,
        scopes: [],
        tenant: null,
        clientId: null,
        onBehalfOf: null,
        approval: null,
        revokedAt: null,
        createdBy: 'alice@example.com',
        active: true,
        source: { file: display, line: at('a6') },
      },
    ]);
  });

  test('the token in a logged request body never reaches a record', async () => {
    expect(JSON.stringify((await run()).records)).not.toContain('ZmFrZS1hdWRpdC10b2tlbg');
  });

  test.each([
    ['UTF-8 BOM', (s: string) => Buffer.concat([UTF8_BOM, Buffer.from(s)])],
    ['UTF-16LE', (s: string) => utf16le(s)],
    ['CRLF', (s: string) => Buffer.from(s.replace(/\n/g, '\r\n'))],
    ['gzip', (s: string) => gzipSync(Buffer.from(s))],
  ])('%s input reads the same records with the same lines', async (_name, encode) => {
    const original = await run();
    const path = tempFile('audit.log.gz', encode(readFileSync(NDJSON, 'utf8')));
    const again = await runAdapter(k8sAuditLog, path, display);
    expect(again.records).toEqual(original.records);
    expect(again.skips).toEqual(original.skips);
  });
});

describe('k8s-audit-log stage and secret edge cases', () => {
  const line = (fields: Record<string, unknown>): string =>
    JSON.stringify({
      kind: 'Event',
      apiVersion: 'audit.k8s.io/v1',
      verb: 'delete',
      user: { username: 'alice' },
      stageTimestamp: '2026-05-01T00:00:00Z',
      responseStatus: { code: 200 },
      ...fields,
    });

  test('an earlier stage logged after the final one is not counted again', async () => {
    const path = tempFile(
      'late.log',
      [line({ auditID: 'r1', stage: 'ResponseComplete' }), line({ auditID: 'r1', stage: 'RequestReceived', responseStatus: undefined })].join('\n'),
    );
    const { records } = await runAdapter(k8sAuditLog, path, 'late.log');
    expect(ofKind(records, 'event').map((e) => e.source.line)).toEqual([1]);
  });

  test.each([
    ['a Secret not named like a legacy token', 'db-password', 'access', 'alice'],
    ['a legacy-named token Secret', 'ci-bot-token-q2w3e', 'credential-delete', 'system:serviceaccount:ns1:ci-bot'],
  ])('deleting %s', async (_name, secret, category, identity) => {
    const path = tempFile('s.log', line({ auditID: 's', stage: 'ResponseComplete', objectRef: { resource: 'secrets', namespace: 'ns1', name: secret } }));
    const { records } = await runAdapter(k8sAuditLog, path, 's.log');
    expect(ofKind(records, 'event').map((e) => [e.category, e.identity])).toEqual([[category, identity]]);
  });
});

describe('k8s-audit-log records (EventList and a single pretty-printed event)', () => {
  test('EventList items carry their line and an /items/<n> pointer; deleting a service account is identity-delete', async () => {
    const display = 'fixtures/k8s/audit-eventlist.json';
    const { records, skips } = await runAdapter(k8sAuditLog, EVENT_LIST, display);
    expect(skips).toEqual([]);
    const itemLine = (auditId: string): number => lineOf(EVENT_LIST, `"auditID": "${auditId}"`) - 4;
    expect(ofKind(records, 'event').map((e) => [e.identity, e.action, e.category, e.source])).toEqual([
      [deployer, 'get pods', 'access', { file: display, line: itemLine('l1'), pointer: '/items/0' }],
      [deployer, 'delete serviceaccounts', 'identity-delete', { file: display, line: itemLine('l2'), pointer: '/items/1' }],
    ]);
  });

  test('one pretty-printed event per file', async () => {
    const { records, skips } = await runAdapter(k8sAuditLog, SINGLE, 'audit-event.json');
    expect(skips).toEqual([]);
    expect(ofKind(records, 'event').map((e) => [e.identity, e.action, e.time, e.source])).toEqual([
      [deployer, 'create pods/exec', t('2026-04-02T10:00:00Z'), { file: 'audit-event.json', line: 1 }],
    ]);
  });
});
