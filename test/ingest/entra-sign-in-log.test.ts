import { describe, expect, test } from 'vitest';
import { entraSignInLog } from '../../src/ingest/entra/sign-in-log.js';
import { readSniff } from '../../src/ingest/sniff.js';
import { openInput } from '../../src/ingest/source.js';
import { fixture, lineOf, ofKind, runAdapter, tempFile, UTF8_BOM } from './helpers.js';

const GRAPH = fixture('entra', 'sign-ins-graph.json');
const LA = fixture('entra', 'sign-ins-loganalytics.json');
const DIAG = fixture('entra', 'sign-ins-diagnostic.log');
const t = (iso: string): number => Date.parse(iso);

async function detects(content: string | Buffer): Promise<boolean> {
  return entraSignInLog.detect(await readSniff(openInput(tempFile('x.log', content), 'x.log')));
}

describe('entra-sign-in-log detection', () => {
  test.each([
    ['diagnostic record', '{"time":"2026-01-01T00:00:00Z","category":"ServicePrincipalSignInLogs","properties":{}}\n', true],
    ['records wrapper', '{"records":[{"time":"2026-01-01T00:00:00Z","category":"ManagedIdentitySignInLogs","properties":{}}]}', true],
    ['Log Analytics row', '[{"TimeGenerated":"2026-01-01T00:00:00Z","Type":"AADServicePrincipalSignInLogs","AppId":"a"}]', true],
    ['Graph signIn', '{"value":[{"createdDateTime":"2026-01-01T00:00:00Z","appId":"a","status":{"errorCode":0},"isInteractive":false}]}', true],
    ['audit log record', '{"time":"2026-01-01T00:00:00Z","category":"AuditLogs","properties":{}}\n', false],
    ['service principal list', '{"value":[{"appId":"a","servicePrincipalType":"Application"}]}', false],
    ['Okta event', '{"published":"2026-01-01T00:00:00Z","eventType":"user.session.start","actor":{"id":"x"}}\n', false],
  ])('%s → %s', async (_name, content, expected) => {
    expect(await detects(content)).toBe(expected);
  });
});

describe('entra-sign-in-log records', () => {
  test('Graph signIns: user sign-in is the app acting for the user; SP sign-in names its key; failures by errorCode', async () => {
    const { records, skips } = await runAdapter(entraSignInLog, GRAPH, 'g.json');
    expect(ofKind(records, 'event')).toEqual([
      {
        time: t('2026-10-01T10:00:00Z'),
        identity: 'aa000000-0000-4000-8000-000000000001',
        credential: null,
        action: 'signin:Microsoft Graph',
        resource: 'Microsoft Graph',
        tenant: '11111111-1111-4111-8111-111111111111',
        environment: null,
        sourceIp: '198.51.100.4',
        userAgent: 'Mozilla/5.0 (X11; Linux x86_64)',
        outcome: 'success',
        category: 'login-interactive',
        onBehalfOf: 'dana@acme.example',
        actorChain: [],
        provider: 'entra',
        source: { file: 'g.json', line: lineOf(GRAPH, '"id": "s1"') - 1, pointer: 'value[0]' },
      },
      expect.objectContaining({
        credential: 'c1000000-0000-4000-8000-000000000003',
        action: 'signin:797f4846-ba00-4fd7-ba43-dac1f8f63013',
        outcome: 'failure',
        category: 'access',
        onBehalfOf: null,
        source: { file: 'g.json', line: lineOf(GRAPH, '"id": "s2"') - 1, pointer: 'value[1]' },
      }),
    ]);
    expect(skips).toEqual([
      { line: lineOf(GRAPH, '"id": "s3"'), message: 'value[2]: createdDateTime: time "2026-10-01T12:00:00" has no zone; add Z or an offset such as +00:00' },
    ]);
  });

  test('Log Analytics rows: the directory tenant is AADTenantId, not the workspace TenantId; ResultType decides the outcome', async () => {
    const { records, skips } = await runAdapter(entraSignInLog, LA, 'la.json');
    expect(skips).toEqual([]);
    const events = ofKind(records, 'event');
    expect(events.map((e) => [e.identity, e.credential, e.tenant, e.action, e.outcome, e.sourceIp, e.time, e.source.line])).toEqual([
      [
        'aa000000-0000-4000-8000-000000000001',
        'c1000000-0000-4000-8000-000000000003',
        '11111111-1111-4111-8111-111111111111',
        'signin:Azure Key Vault',
        'success',
        '198.51.100.6',
        t('2026-10-02T09:00:00.123Z'),
        lineOf(LA, '"TimeGenerated": "2026-10-02T09:00:00.123Z"') - 2,
      ],
      [
        'bb000000-0000-4000-8000-000000000001',
        null,
        '11111111-1111-4111-8111-111111111111',
        'signin:https://management.azure.com/',
        'failure',
        null,
        t('2026-10-02T09:05:00Z'),
        lineOf(LA, '"TimeGenerated": "2026-10-02T09:05:00Z"') - 2,
      ],
    ]);
  });

  test('diagnostic NDJSON: managed identity and interactive user sign-ins; bad lines skipped with their line', async () => {
    const { records, skips } = await runAdapter(entraSignInLog, DIAG, 'd.log');
    const events = ofKind(records, 'event');
    expect(events.map((e) => [e.identity, e.category, e.outcome, e.sourceIp, e.tenant, e.source])).toEqual([
      ['bb000000-0000-4000-8000-000000000001', 'access', 'success', null, '11111111-1111-4111-8111-111111111111', { file: 'd.log', line: 1 }],
      ['aa000000-0000-4000-8000-000000000001', 'login-interactive', 'failure', '198.51.100.4', '11111111-1111-4111-8111-111111111111', { file: 'd.log', line: 2 }],
    ]);
    expect(skips).toEqual([
      { line: 3, message: 'appId (or servicePrincipalId) is required' },
      { line: 4, message: 'not valid JSON' },
    ]);
  });

  test('a {"records":[…]} wrapper with a BOM and CRLF is read with pointers', async () => {
    const body = '{"records":[\r\n{"time":"2026-10-03T06:00:00Z","category":"ServicePrincipalSignInLogs","properties":{"createdDateTime":"2026-10-03T06:00:00Z","appId":"aa","status":{"errorCode":0},"resourceDisplayName":"Microsoft Graph"}}\r\n]}\r\n';
    const path = tempFile('w.json', Buffer.concat([UTF8_BOM, Buffer.from(body)]));
    const { records } = await runAdapter(entraSignInLog, path, 'w.json');
    expect(ofKind(records, 'event').map((e) => [e.identity, e.source])).toEqual([['aa', { file: 'w.json', line: 2, pointer: 'records[0]' }]]);
  });
});
