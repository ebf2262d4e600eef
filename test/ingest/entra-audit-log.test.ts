import { describe, expect, test } from 'vitest';
import { entraAuditLog } from '../../src/ingest/entra/audit-log.js';
import { readSniff } from '../../src/ingest/sniff.js';
import { openInput } from '../../src/ingest/source.js';
import { fixture, lineOf, ofKind, runAdapter, tempFile } from './helpers.js';

const GRAPH = fixture('entra', 'audit-graph.json');
const t = (iso: string): number => Date.parse(iso);
const at = (id: string): number => lineOf(GRAPH, `"id": "${id}"`) - 1;

async function detects(content: string): Promise<boolean> {
  return entraAuditLog.detect(await readSniff(openInput(tempFile('x.log', content), 'x.log')));
}

describe('entra-audit-log detection', () => {
  test.each([
    ['diagnostic AuditLogs', '{"time":"2026-01-01T00:00:00Z","category":"AuditLogs","properties":{}}\n', true],
    ['Graph directoryAudit', '{"value":[{"activityDisplayName":"Add application","activityDateTime":"2026-01-01T00:00:00Z","initiatedBy":{}}]}', true],
    ['Log Analytics AuditLogs', '{"TimeGenerated":"2026-01-01T00:00:00Z","ActivityDisplayName":"Add application","InitiatedBy":"{}"}\n', true],
    ['sign-in record', '{"time":"2026-01-01T00:00:00Z","category":"SignInLogs","properties":{}}\n', false],
    ['OfficeActivity row', '[{"TimeGenerated":"2026-01-01T00:00:00Z","Operation":"MailItemsAccessed","OfficeWorkload":"Exchange"}]', false],
  ])('%s → %s', async (_name, content, expected) => {
    expect(await detects(content)).toBe(expected);
  });
});

describe('entra-audit-log records (Graph directoryAudits)', () => {
  test.each([
    ['Directory_1', 'd1000000-0000-4000-8000-000000000001', 'c1000000-0000-4000-8000-000000000003', 'credential-delete', 'success', ['dana@acme.example']],
    ['Directory_2', 'd1000000-0000-4000-8000-000000000002', null, 'revoke', 'success', ['dana@acme.example']],
    ['Directory_3', 'a1000000-0000-4000-8000-000000000001', null, 'disconnect', 'success', ['aa000000-0000-4000-8000-000000000001']],
    ['Directory_4', 'd1000000-0000-4000-8000-000000000002', null, 'identity-delete', 'failure', ['dana@acme.example']],
    // Not a lifecycle activity: the initiator's own action (an app without appId, by its service principal id).
    ['Directory_5', 'd1000000-0000-4000-8000-000000000001', null, 'other', 'success', []],
  ])('%s → identity %s, credential %s, %s', async (id, identity, credential, category, outcome, chain) => {
    const { records } = await runAdapter(entraAuditLog, GRAPH, 'a.json');
    const found = ofKind(records, 'event').filter((e) => e.source.line === at(id));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ identity, credential, category, outcome, actorChain: chain, provider: 'entra', source: { file: 'a.json', line: at(id) } });
  });

  test('the first event in full; a record without a time is skipped with its line', async () => {
    const { records, skips } = await runAdapter(entraAuditLog, GRAPH, 'a.json');
    expect(ofKind(records, 'event')[0]).toEqual({
      time: t('2026-10-05T10:00:00Z'),
      identity: 'd1000000-0000-4000-8000-000000000001',
      credential: 'c1000000-0000-4000-8000-000000000003',
      action: 'Remove service principal credentials',
      resource: 'Inventory Sync',
      tenant: null,
      environment: null,
      sourceIp: '198.51.100.4',
      userAgent: 'Microsoft Azure Graph Client Library',
      outcome: 'success',
      category: 'credential-delete',
      onBehalfOf: null,
      actorChain: ['dana@acme.example'],
      provider: 'entra',
      source: { file: 'a.json', line: at('Directory_1'), pointer: 'value[0]' },
    });
    expect(skips).toEqual([{ line: at('Directory_6'), message: 'value[5]: activityDateTime (or time / TimeGenerated) is required' }]);
  });

  test('Log Analytics row: stringified JSON columns, en dash activity, key added from KeyDescription', async () => {
    const row = {
      TenantId: 'workspace',
      AADTenantId: '11111111-1111-4111-8111-111111111111',
      TimeGenerated: '2026-10-07T10:00:00Z',
      OperationName: 'Update application – Certificates and secrets management ',
      ActivityDisplayName: 'Update application – Certificates and secrets management ',
      Result: 'success',
      InitiatedBy: JSON.stringify({ user: { userPrincipalName: 'dana@acme.example' } }),
      TargetResources: JSON.stringify([
        {
          id: 'a1000000-0000-4000-8000-000000000001',
          displayName: 'Inventory Sync',
          type: 'Application',
          modifiedProperties: [{ displayName: 'KeyDescription', oldValue: '[]', newValue: '["[KeyIdentifier=C1000000-0000-4000-8000-0000000000AA,KeyType=Password,KeyUsage=Verify,DisplayName=x]"]' }],
        },
      ]),
      Type: 'AuditLogs',
    };
    const { records, skips } = await runAdapter(entraAuditLog, tempFile('la.json', `${JSON.stringify(row)}\n`), 'la.json');
    expect(skips).toEqual([]);
    expect(ofKind(records, 'event')).toEqual([
      expect.objectContaining({
        identity: 'a1000000-0000-4000-8000-000000000001',
        credential: 'c1000000-0000-4000-8000-0000000000aa',
        category: 'credential-create',
        tenant: '11111111-1111-4111-8111-111111111111',
        actorChain: ['dana@acme.example'],
        source: { file: 'la.json', line: 1 },
      }),
    ]);
  });
});
