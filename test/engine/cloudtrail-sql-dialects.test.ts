/*
 * The Athena and Trino dialects, without an Athena or Trino to run them on.
 * What this proves: the query parses in DuckDB's grammar (json_serialize_sql),
 * and, with Trino's functions emulated by DuckDB macros (named trino_* by a
 * rewrite of the call names only) over a DuckDB table in Athena's
 * cloudtrail_logs layout (the table `--dialect duckdb --print-ddl` creates:
 * useridentity a STRUCT, requestparameters and responseelements JSON text; "$path" added), it returns exactly the rows the duckdb
 * dialect returns over the files. What it does not prove: that Trino's own
 * parser and functions accept every construct (they are standard Trino:
 * FILTER, min_by/max_by, array_agg ORDER BY, slice, json_format).
 * (node-sql-parser 5.4.0's trino and athena grammars were tried: they reject
 * FILTER (WHERE …) on aggregates, so they cannot check this query.)
 * Also: every derivation table of the CloudTrail adapter appears in each dialect.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DISTINCT_CAP, TERMINATION_CAP } from '../../src/correlate/accumulator.js';
import { SQL_DIALECTS, cloudTrailDdl, cloudTrailUsageSql } from '../../src/engine/cloudtrail-sql.js';
import { IAM_LIFECYCLE_EVENTS, IAM_SERVICE_OF_SOURCE, INTERACTIVE_LOGIN_EVENT, ROLE_CHAINING } from '../../src/ingest/aws/cloudtrail.js';
import { writeCloudTrailBundle } from '../helpers/cloudtrail-bundle.js';
import { runCli } from '../helpers/cli.js';

/** Trino functions DuckDB lacks or spells differently, as DuckDB macros. */
const TRINO_MACROS = [
  `CREATE MACRO trino_from_iso8601_timestamp(x) AS CAST(x AS TIMESTAMPTZ)`,
  `CREATE MACRO trino_to_unixtime(ts) AS epoch(ts)`,
  `CREATE MACRO trino_regexp_like(s, p) AS regexp_matches(s, p)`,
  // Trino replaces every match and names groups $1; DuckDB needs 'g' and \\1.
  `CREATE MACRO trino_regexp_replace(s, p, r) AS regexp_replace(s, p, replace(r, '$', '\\'), 'g')`,
  `CREATE MACRO trino_json_format(j) AS CAST(j AS VARCHAR)`,
  `CREATE MACRO trino_json_extract_scalar(j, p) AS json_extract_string(j, p)`,
  `CREATE MACRO trino_slice(l, start, n) AS list_slice(l, start, start + n - 1)`,
];
const TRINO_ONLY = ['from_iso8601_timestamp', 'to_unixtime', 'regexp_like', 'regexp_replace', 'json_format', 'json_extract_scalar', 'slice'];

function asDuckdbCalls(sql: string): string {
  return sql.replace(new RegExp(`\\b(${TRINO_ONLY.join('|')})\\(`, 'g'), 'trino_$1(');
}

let dir: string;
let trail: string;
let connection: DuckDBConnection;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'nhi-sql-dialects-'));
  trail = await writeCloudTrailBundle(dir);
  connection = await (await DuckDBInstance.create(':memory:')).connect();
  for (const macro of TRINO_MACROS) await connection.run(macro);
  // The table `--dialect duckdb --print-ddl` prints, and Athena's "$path" over it.
  await connection.run(cloudTrailDdl('duckdb', 'cloudtrail_logs', `${trail}/**/*.json*`));
  await connection.run(`CREATE VIEW athena_layout AS SELECT *, filename AS "$path" FROM cloudtrail_logs`);
});

afterAll(async () => {
  connection?.closeSync();
  await rm(dir, { recursive: true, force: true });
});

async function rows(sql: string): Promise<unknown[]> {
  return (await connection.runAndReadAll(sql)).getRowObjectsJson();
}

describe.each(['athena', 'trino'] as const)('the %s dialect', (dialect) => {
  it('parses (DuckDB grammar) and, with Trino functions emulated, returns what the duckdb dialect returns', async () => {
    const sql = cloudTrailUsageSql({ dialect, table: 'athena_layout' });
    const parsed = (await rows(`SELECT json_serialize_sql(${quote(sql)}) AS tree`))[0] as { tree: string };
    expect(JSON.parse(parsed.tree)).toMatchObject({ error: false });
    const emulated = await rows(asDuckdbCalls(sql));
    const reference = await rows(cloudTrailUsageSql({ dialect: 'duckdb', input: `${trail}/**/*.json*` }));
    expect(reference.length).toBeGreaterThan(20);
    expect(emulated).toEqual(reference);
  });

  it('narrows to --from/--to', async () => {
    const all = await rows(asDuckdbCalls(cloudTrailUsageSql({ dialect, table: 'athena_layout' })));
    const narrowed = await rows(asDuckdbCalls(cloudTrailUsageSql({ dialect, table: 'athena_layout', from: Date.parse('2026-10-03T00:00:00Z'), to: Date.parse('2026-10-05T00:00:00Z') })));
    const log = (result: unknown[]): number => Number((result.find((row) => (row as { scope: string }).scope === 'log') as { events: string }).events);
    expect(log(narrowed)).toBeGreaterThan(0);
    expect(log(narrowed)).toBeLessThan(log(all));
  });
});

describe('the duckdb dialect over a table', () => {
  it('returns from the --print-ddl table what it returns from the files', async () => {
    const overTable = await rows(cloudTrailUsageSql({ dialect: 'duckdb' }));
    const overFiles = await rows(cloudTrailUsageSql({ dialect: 'duckdb', input: `${trail}/**/*.json*` }));
    expect(overTable.length).toBeGreaterThan(20);
    expect(overTable).toEqual(overFiles);
  });
});

function quote(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

describe('the query is generated from the adapter tables', () => {
  it.each(SQL_DIALECTS.map((dialect) => [dialect]))('%s: every category mapping, service prefix and cap appears', (dialect) => {
    const sql = cloudTrailUsageSql({ dialect, ...(dialect === 'duckdb' ? { input: 'logs/*.json.gz' } : {}) });
    for (const [eventName, lifecycle] of Object.entries(IAM_LIFECYCLE_EVENTS)) {
      expect(sql).toContain(`WHEN service = 'iam' AND event_name = '${eventName}'${lifecycle.whenStatus === undefined ? '' : ` AND lower(req_status) = '${lifecycle.whenStatus}'`} THEN '${lifecycle.category}'`);
    }
    for (const [host, service] of Object.entries(IAM_SERVICE_OF_SOURCE)) expect(sql).toContain(`WHEN '${host}' THEN '${service}'`);
    expect(sql).toContain(`event_name = '${INTERACTIVE_LOGIN_EVENT}' THEN 'login-interactive'`);
    expect(sql).toContain(`service = '${ROLE_CHAINING.service}' AND event_name = '${ROLE_CHAINING.eventName}'`);
    expect(sql).toContain(`1, ${DISTINCT_CAP})`);
    expect(sql).toContain(`1, ${TERMINATION_CAP})`);
  });

  it('rejects a table name that is not one and --input outside duckdb', async () => {
    expect((await runCli(['sql', '--dialect', 'athena', '--table', 'x; DROP TABLE y'])).code).toBe(2);
    const run = await runCli(['sql', '--dialect', 'trino', '--input', 'a/*.json']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--input reads files with DuckDB/);
  });

  it('prints the query and the DDL it assumes from the CLI', async () => {
    const query = await runCli(['sql', '--dialect', 'athena', '--table', 'audit.cloudtrail_logs', '--from', '2026-01-01', '--to', '2026-02-01']);
    expect(query.code).toBe(0);
    expect(query.stdout).toContain('FROM audit.cloudtrail_logs');
    expect(query.stdout).toContain(`ts >= from_iso8601_timestamp('2026-01-01T00:00:00.000Z')`);
    const ddl = await runCli(['sql', '--dialect', 'athena', '--print-ddl']);
    expect(ddl.stdout).toMatch(/^-- Athena's documented CloudTrail table[\s\S]*CREATE EXTERNAL TABLE cloudtrail_logs \([\s\S]*useridentity STRUCT<type:STRING/);
    expect(cloudTrailDdl('trino')).toContain('useridentity ROW(type VARCHAR');
  });
});
