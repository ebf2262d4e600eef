import { describe, expect, test } from 'vitest';
import { entraOfficeActivity } from '../../src/ingest/entra/office-activity.js';
import { readSniff } from '../../src/ingest/sniff.js';
import { openInput } from '../../src/ingest/source.js';
import { fixture, lineOf, ofKind, runAdapter, tempFile } from './helpers.js';

const FILE = fixture('entra', 'office-activity.json');

async function detects(content: string): Promise<boolean> {
  return entraOfficeActivity.detect(await readSniff(openInput(tempFile('x.json', content), 'x.json')));
}

describe('entra-office-activity detection', () => {
  test.each([
    ['OfficeActivity row', '{"TimeGenerated":"2026-01-01T00:00:00Z","Operation":"MailItemsAccessed","OfficeWorkload":"Exchange"}\n', true],
    ['Management Activity API', '[{"CreationTime":"2026-01-01T00:00:00","Operation":"FileAccessed","Workload":"SharePoint","RecordType":6}]', true],
    ['AuditLogs row', '{"TimeGenerated":"2026-01-01T00:00:00Z","ActivityDisplayName":"Add application","InitiatedBy":"{}"}\n', false],
  ])('%s → %s', async (_name, content, expected) => {
    expect(await detects(content)).toBe(expected);
  });
});

describe('entra-office-activity records', () => {
  test('an app reading mail is an access event by the client app for the user; user-only rows are passed over', async () => {
    const { records, skips } = await runAdapter(entraOfficeActivity, FILE, 'o.json');
    expect(ofKind(records, 'event')).toEqual([
      {
        time: Date.parse('2026-10-06T08:00:00Z'),
        identity: 'aa000000-0000-4000-8000-000000000002',
        credential: null,
        action: 'MailItemsAccessed',
        resource: 'dana@acme.example',
        tenant: '11111111-1111-4111-8111-111111111111',
        environment: null,
        sourceIp: '198.51.100.9',
        userAgent: null,
        outcome: 'success',
        category: 'access',
        onBehalfOf: 'dana@acme.example',
        actorChain: [],
        provider: 'entra',
        source: { file: 'o.json', line: lineOf(FILE, '"TimeGenerated": "2026-10-06T08:00:00Z"') - 2, pointer: '[0]' },
      },
    ]);
    expect(skips).toEqual([
      {
        line: lineOf(FILE, '"TimeGenerated": "2026-10-06T08:02:00"') - 2,
        message: '[2]: TimeGenerated: time "2026-10-06T08:02:00" has no zone; add Z or an offset such as +00:00',
      },
    ]);
  });
});
