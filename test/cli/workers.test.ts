/*
 * Parallel ingestion must not change the report: the same inputs read by one
 * thread or several give byte-identical JSON and SARIF. Worker threads run the
 * built dist/ (npm test builds first).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BATCH_EVENTS, TABLE_LIMIT } from '../../src/engine/event-batch.js';
import { AS_OF, runCli } from '../helpers/cli.js';

// Many files of every kind, with records of the same identities spread across them, and a bad one.
const MIXED = ['fixtures/demo', 'fixtures/demo-native', 'fixtures/aws', 'fixtures/okta', 'fixtures/oauth', 'fixtures/canonical', 'fixtures/bad/*'];

async function scanWith(workers: string, format: string, extra: readonly string[] = []) {
  return runCli(['scan', ...MIXED, '--as-of', AS_OF, '--format', format, '--fail-on', 'none', '--workers', workers, ...extra]);
}

describe('scan --workers', () => {
  it.each(['json', 'sarif'])('gives the same %s report with 1, 2 and 3 workers', async (format) => {
    const one = await scanWith('1', format);
    expect(one.code, one.stderr).toBe(0);
    const two = await scanWith('2', format);
    const three = await scanWith('3', format);
    expect(two.stdout).toBe(one.stdout);
    expect(three.stdout).toBe(one.stdout);
    // The mix must actually exercise merging: events from several files and skipped bad records.
    const report = JSON.parse(format === 'json' ? one.stdout : (await scanWith('1', 'json')).stdout) as {
      inputs: unknown[];
      skipped: unknown[];
      logWindow: { events: number };
    };
    expect(report.inputs.length).toBeGreaterThan(10);
    expect(report.skipped.length).toBeGreaterThan(0);
    expect(report.logWindow.events).toBeGreaterThan(20);
  });

  it('stops at the first bad file in path order under --strict, whatever thread met it', async () => {
    const one = await scanWith('1', 'json', ['--strict']);
    const two = await scanWith('2', 'json', ['--strict']);
    expect(one.code).toBe(2);
    expect(two.code).toBe(2);
    expect(two.stderr).toBe(one.stderr);
    expect(two.stderr).toMatch(/^error: fixtures\/\S+: /);
  });

  it('gives the same report when a file\'s events span many batches and the string tables start over', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'nhi-batches-'));
    try {
      // Two CloudTrail files; every event a new address and object, so the tables fill and start over.
      const perFile = BATCH_EVENTS * 3 + 17;
      for (const file of ['a', 'b']) {
        const records = Array.from({ length: perFile }, (_, index) => ({
          eventVersion: '1.08',
          eventTime: new Date(Date.UTC(2026, 9, 1 + (index % 28), index % 24)).toISOString().replace('.000', ''),
          eventSource: index % 5 === 0 ? 'iam.amazonaws.com' : 's3.amazonaws.com',
          eventName: index % 5 === 0 ? 'CreateAccessKey' : 'GetObject',
          awsRegion: 'eu-west-1',
          sourceIPAddress: `10.${index % 250}.${Math.floor(index / 250) % 250}.${file === 'a' ? 1 : 2}`,
          userAgent: index % 3 === 0 ? 'aws-cli/2.13.1 Python/3.11' : 'Boto3/1.26.0 Python/3.11',
          ...(index % 7 === 0 ? { errorCode: 'AccessDenied' } : {}),
          recipientAccountId: '111122223333',
          userIdentity: {
            type: 'IAMUser',
            arn: `arn:aws:iam::111122223333:user/svc-${index % 40}`,
            accountId: '111122223333',
            accessKeyId: `AKIAEXAMPLE${String(index % 60).padStart(9, '0')}`,
            userName: `svc-${index % 40}`,
          },
          requestParameters: { bucketName: 'data', key: `${file}/object-${index}` },
          resources: [{ ARN: `arn:aws:s3:::data/${file}/object-${index}`, type: 'AWS::S3::Object' }],
        }));
        await writeFile(path.join(dir, `${file}.json`), JSON.stringify({ Records: records }));
      }
      expect(perFile * 2 * 2).toBeGreaterThan(TABLE_LIMIT);
      const scan = (workers: string) => runCli(['scan', dir, '--as-of', AS_OF, '--format', 'json', '--fail-on', 'none', '--workers', workers]);
      const one = await scan('1');
      expect(one.code, one.stderr).toBe(0);
      expect((JSON.parse(one.stdout) as { logWindow: { events: number } }).logWindow.events).toBe(perFile * 2);
      expect((await scan('2')).stdout).toBe(one.stdout);
      expect((await scan('3')).stdout).toBe(one.stdout);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it.each(['0', '-1', 'two', '1.5'])('rejects --workers %s as a usage error', async (value) => {
    const run = await runCli(['scan', 'fixtures/demo', '--workers', value]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--workers must be a positive whole number or auto');
  });
});
