import { describe, expect, test } from 'vitest';
import { SUMMARY_COLUMNS, usageSummary } from '../../src/ingest/canonical/usage-summary.js';
import { detectAdapter } from '../../src/ingest/registry.js';
import { readSniff } from '../../src/ingest/sniff.js';
import { openInput } from '../../src/ingest/source.js';
import { ofKind, runAdapter, tempFile } from './helpers.js';

const HEADER = SUMMARY_COLUMNS.join(',');
const OBJECT = 's3://trail/AWSLogs/111122223333/CloudTrail/eu-west-1/2026/10/01/x.json.gz';

/** A CSV row with the given cells (by column), quoted as Athena writes every cell. */
function csvRow(cells: Readonly<Record<string, string>>): string {
  return SUMMARY_COLUMNS.map((column) => `"${(cells[column] ?? '').replace(/"/g, '""')}"`).join(',');
}

const ref = (time: string, id: string): string => JSON.stringify([time, OBJECT, id]);
const IDENTITY_ROW = {
  nhi_usage_summary: 'v1',
  scope: 'identity',
  key: 'arn:aws:iam::111122223333:user/ci',
  events: '3',
  own_actions: '3',
  failures: '1',
  first_use: ref('2026-10-01T10:00:00Z', 'e-1'),
  last_use: ref('2026-10-02T10:00:00Z', 'e-2'),
  last_failure: ref('2026-10-01T11:00:00Z', 'e-3'),
  actions: JSON.stringify([['s3:GetObject', '2026-10-01T10:00:00Z', OBJECT, 'e-1']]),
  actions_total: '70',
  terminations: JSON.stringify([['revoke', '2026-10-03T00:00:00Z', OBJECT, 'e-9']]),
};

describe('usage-summary detection', () => {
  test.each([
    ['Athena/DuckDB CSV', `${HEADER}\n`, true],
    ['NDJSON', `{"nhi_usage_summary":"v1","scope":"log","key":""}\n`, true],
    ['another CSV', 'id,kind,status\n', false],
    ['CSV with the marker later', `scope,nhi_usage_summary,key\n`, false],
    ['JSON without the marker', '{"scope":"identity"}\n', false],
  ])('%s → %s', async (_name, content, expected) => {
    const path = tempFile('result.csv', content);
    const sniff = await readSniff(openInput(path, 'result.csv'));
    expect(usageSummary.detect(sniff)).toBe(expected);
    if (expected) expect(detectAdapter(sniff)?.id).toBe('usage-summary');
  });
});

describe('usage-summary rows', () => {
  test('a key row: counts, references naming the log object and event id, sets with totals, terminations', async () => {
    const path = tempFile('summary.csv', `${HEADER}\n${csvRow(IDENTITY_ROW)}\n`);
    const { records, skips } = await runAdapter(usageSummary, path, 'summary.csv');
    expect(skips).toEqual([]);
    const [summary] = ofKind(records, 'usage-summary');
    expect(summary).toMatchObject({ scope: 'identity', key: 'arn:aws:iam::111122223333:user/ci', events: 3, failures: 1 });
    expect(summary?.firstUse).toEqual({ time: Date.parse('2026-10-01T10:00:00Z'), source: { file: 'summary.csv', line: 2, pointer: `${OBJECT}, eventID e-1` } });
    expect(summary?.sets.actions?.total).toBe(70);
    expect(summary?.terminations.map((t) => t.category)).toEqual(['revoke']);
  });

  test('a created-key row is the key\'s credential record', async () => {
    const row = { nhi_usage_summary: 'v1', scope: 'created-key', key: 'AKIAEXAMPLE000000001', first_use: ref('2026-10-05T00:00:00Z', 'e-5'), key_identity: 'arn:aws:iam::111122223333:user/app', created_by: 'arn:aws:iam::111122223333:user/admin', key_tenant: '111122223333' };
    const path = tempFile('summary.ndjson', `${JSON.stringify(row)}\n`);
    const { records } = await runAdapter(usageSummary, path, 'summary.ndjson');
    expect(ofKind(records, 'credential')).toMatchObject([{ id: 'AKIAEXAMPLE000000001', type: 'access-key', identity: 'arn:aws:iam::111122223333:user/app', createdBy: 'arn:aws:iam::111122223333:user/admin', issuedAt: Date.parse('2026-10-05T00:00:00Z') }]);
  });

  test('bad rows are skipped with their line; the others are read', async () => {
    const lines = [
      HEADER,
      csvRow({ ...IDENTITY_ROW, nhi_usage_summary: 'v9' }),
      csvRow({ ...IDENTITY_ROW, scope: 'workload' }),
      csvRow({ ...IDENTITY_ROW, first_use: '[not json' }),
      csvRow({ ...IDENTITY_ROW, last_use: ref('2026-10-02 10:00:00', 'e-2') }),
      csvRow({ ...IDENTITY_ROW, events: '-1' }),
      csvRow(IDENTITY_ROW),
    ];
    const { records, skips } = await runAdapter(usageSummary, tempFile('summary.csv', `${lines.join('\n')}\n`), 'summary.csv');
    expect(skips.map((skip) => skip.line)).toEqual([2, 3, 4, 5, 6]);
    expect(skips[0]?.message).toMatch(/nhi_usage_summary: expected "v1"/);
    expect(skips[2]?.message).toBe('first_use: not valid JSON');
    expect(skips[3]?.message).toMatch(/^last_use: /);
    expect(ofKind(records, 'usage-summary')).toHaveLength(1);
  });
});
