/*
 * The SQL export against the in-process path: the same generated CloudTrail
 * delivery folded by the adapter + UsageFold, and by the `--dialect duckdb`
 * query run in embedded DuckDB whose result (COPY … TO CSV) is read back as a
 * usage summary. The folds must agree key by key, and the scans must give the
 * same findings.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageFold, type UsageAccumulator } from '../../src/correlate/index.js';
import { DISTINCT_CAP } from '../../src/correlate/accumulator.js';
import { cloudTrailUsageSql } from '../../src/engine/cloudtrail-sql.js';
import { discover } from '../../src/ingest/discover.js';
import { ingest } from '../../src/ingest/ingest.js';
import type { Report } from '../../src/model/index.js';
import { writeCloudTrailBundle } from '../helpers/cloudtrail-bundle.js';
import { REPO, runCli } from '../helpers/cli.js';

const AUTHZ = path.join(REPO, 'fixtures/demo-native/aws/authorization-details.json');
const INVENTORY = path.join(REPO, 'fixtures/demo-native/inventory.yaml');
const AS_OF = '2026-11-20T00:00:00Z';

let dir: string;
let trail: string;
let summaryCsv: string;
let summaryNdjson: string;
let connection: DuckDBConnection;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'nhi-sql-'));
  trail = await writeCloudTrailBundle(dir);
  const instance = await DuckDBInstance.create(':memory:');
  connection = await instance.connect();
  const query = cloudTrailUsageSql({ dialect: 'duckdb', input: `${trail}/**/*.json*` });
  summaryCsv = path.join(dir, 'usage-summary.csv');
  summaryNdjson = path.join(dir, 'usage-summary.ndjson');
  await connection.run(`COPY (${query}) TO '${summaryCsv}' (HEADER)`);
  await connection.run(`COPY (${query}) TO '${summaryNdjson}' (FORMAT json)`);
});

afterAll(async () => {
  connection?.closeSync();
  await rm(dir, { recursive: true, force: true });
});

/** Folds the inputs' events and summaries as the correlator does. */
async function foldOf(patterns: readonly string[]): Promise<UsageFold> {
  const fold = new UsageFold();
  const files = await discover(patterns, REPO);
  await ingest(files, { strict: false }, (record) => {
    if (record.kind === 'event') fold.add(record.record);
    if (record.kind === 'usage-summary') fold.addSummary(record.record);
  });
  return fold;
}

/** An accumulator without its evidence positions (the summary's point at summary rows): times, counts and values. */
function comparable(accumulator: UsageAccumulator): unknown {
  const stats = accumulator.stats();
  const time = (ref: { time: number } | null): number | null => ref?.time ?? null;
  const set = (view: { values: readonly string[]; size: number; overflow: boolean; firstSeen: ReadonlyMap<string, { time: number }> }): unknown => ({
    values: view.values,
    size: view.size,
    overflow: view.overflow,
    firstSeen: [...view.firstSeen].map(([value, ref]) => [value, ref.time]),
  });
  return {
    counts: [stats.events, stats.ownActions, stats.failures, stats.refreshes, stats.interactiveLogins],
    refs: [stats.firstUse, stats.lastUse, stats.lastFailure, stats.lastRefresh, stats.lastInteractiveLogin].map(time),
    chain: stats.deepestChain === null ? null : { depth: stats.deepestChain.depth, chain: stats.deepestChain.chain, time: stats.deepestChain.time },
    sets: {
      actions: set(stats.actions),
      services: set(stats.services),
      providers: set(stats.providers),
      tenants: set(stats.tenants),
      environments: set(stats.environments),
      networks: set(stats.networks),
      userAgents: set(stats.userAgents),
      workloads: set(stats.workloads),
    },
    terminations: stats.terminations.map((ref) => [ref.category, ref.time]),
  };
}

function mapOf(map: ReadonlyMap<string, UsageAccumulator>): Record<string, unknown> {
  return Object.fromEntries([...map].sort(([a], [b]) => (a < b ? -1 : 1)).map(([key, value]) => [key, comparable(value)]));
}

describe('the duckdb SQL export folds what the adapter folds', () => {
  it.each([['CSV'], ['NDJSON']])('key by key, read back from %s', async (format) => {
    const native = await foldOf([trail]);
    const summary = await foldOf([format === 'CSV' ? summaryCsv : summaryNdjson]);
    expect(native.byIdentityRef.size).toBeGreaterThan(8);
    expect(mapOf(summary.byIdentityRef)).toEqual(mapOf(native.byIdentityRef));
    expect(mapOf(summary.byCredential)).toEqual(mapOf(native.byCredential));
    expect(mapOf(summary.byCredentialOnly)).toEqual(mapOf(native.byCredentialOnly));
    expect(summary.coverage()).toEqual(native.coverage());
    expect(summary.tenantsSeen()).toEqual(native.tenantsSeen());
    for (const tenant of native.tenantsSeen()) expect(summary.coverageOf(tenant)).toEqual(native.coverageOf(tenant));
  });

  it('covers every lifecycle category, failures, chains and the caps', async () => {
    const native = await foldOf([trail]);
    const categories = new Set([...native.byIdentityRef.values(), ...native.byCredential.values()].flatMap((acc) => acc.stats().terminations.map((ref) => ref.category)));
    expect([...categories].sort()).toEqual(['credential-delete', 'identity-delete', 'revoke']);
    const metrics = native.byIdentityRef.get('arn:aws:iam::430011223344:user/metrics-reader')?.stats();
    expect(metrics?.actions.overflow).toBe(true);
    expect(metrics?.actions.size).toBe(DISTINCT_CAP);
    expect(metrics?.userAgents.overflow).toBe(true);
    const tms = native.byIdentityRef.get('arn:aws:iam::430011223344:user/tms-integration')?.stats();
    expect(tms?.interactiveLogins).toBe(2);
    expect(tms?.failures).toBe(1);
    const bootstrap = native.byIdentityRef.get('arn:aws:iam::430011223344:role/platform-bootstrap')?.stats();
    expect(bootstrap?.deepestChain?.depth).toBe(2);
  });

  it('has IPv4, IPv6 and hostname sources and hostile user agents in the bundle', async () => {
    const native = await foldOf([trail]);
    const ci = native.byIdentityRef.get('arn:aws:iam::430011223344:user/ci-deployer')?.stats();
    expect(ci?.networks.values).toEqual(expect.arrayContaining(['0:0:0::/48', '2001:db8:12::/48', 'fe80:0:0::/48', '10.20.31.0/24', '1:2:3', 'x.y']));
    expect(ci?.workloads.values).toEqual(expect.arrayContaining(['evil-client from 198.51.100.0/24', 'csi-tool from 2001:db8:12::/48', 'boto3 from 10.20.30.0/24']));
  });
});

async function scanJson(paths: readonly string[], workers = '1'): Promise<Report> {
  const run = await runCli(['scan', ...paths, '--as-of', AS_OF, '--format', 'json', '--fail-on', 'none', '--workers', workers]);
  expect(run.stderr).not.toMatch(/error/);
  return JSON.parse(run.stdout) as Report;
}

describe('scanning the summary instead of the log', () => {
  it('gives the same findings (rules, subjects, counts) as scanning the raw CloudTrail', async () => {
    const native = await scanJson([trail, AUTHZ, INVENTORY]);
    const summary = await scanJson([summaryCsv, AUTHZ, INVENTORY]);
    const shape = (report: Report): unknown => report.findings.map((finding) => [finding.ruleId, finding.messageId, finding.subject.kind, finding.subject.id, finding.severity]);
    expect(native.findings.length).toBeGreaterThan(5);
    expect(shape(summary)).toEqual(shape(native));
    expect(summary.summary).toEqual(native.summary);
    expect(summary.logWindow).toEqual(native.logWindow);
    expect(summary.evaluations.map((e) => [e.ruleId, e.status, e.findings])).toEqual(native.evaluations.map((e) => [e.ruleId, e.status, e.findings]));
    // Worker threads hand summary rows to the main thread like any other record.
    expect(shape(await scanJson([summaryCsv, AUTHZ, INVENTORY], '2'))).toEqual(shape(native));
  });

  it('points evidence at the summary row and names the log object and event id', async () => {
    const summary = await scanJson([summaryCsv, AUTHZ, INVENTORY]);
    const fromSummary = summary.findings.flatMap((finding) => finding.evidence).filter((evidence) => evidence.source.file.endsWith('usage-summary.csv'));
    expect(fromSummary.length).toBeGreaterThan(0);
    for (const evidence of fromSummary) {
      expect(evidence.source.line).toBeGreaterThan(1);
      expect(evidence.source.pointer).toMatch(/CloudTrail_eu-central-1_\d{8}T0000Z_[abc]\.json(\.gz)?, eventID 00000000-0000-4000-8000-\d{12}$/);
    }
  });
});
