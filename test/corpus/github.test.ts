/*
 * Real GitHub exports published by others (../shared/corpus/github, see its
 * MANIFEST.md): each must be detected by a GitHub adapter, read under strict
 * without a skip, and yield what the file really holds.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { githubAuditLog } from '../../src/ingest/github/audit-log.js';
import { githubCredentialList } from '../../src/ingest/github/credential-list.js';
import { detectAdapter } from '../../src/ingest/registry.js';
import { openInput } from '../../src/ingest/source.js';
import { readSniff } from '../../src/ingest/sniff.js';
import type { NormalizedRecord } from '../../src/model/index.js';
import { AS_OF, REPO, runCli } from '../helpers/cli.js';
import { ofKind, strictContext } from '../ingest/helpers.js';

const CORPUS = path.resolve(REPO, '../shared/corpus/github');
const present = existsSync(CORPUS);
const ELASTIC = 'org-audit-log-ndjson_elastic-testdata.log';
const SENTINEL = 'user-security-log-export-ndjson_azure-sentinel-asim-sample_pat-oauth-lifecycle.json';

async function readStrict(name: string): Promise<NormalizedRecord[]> {
  const input = openInput(path.join(CORPUS, name), name);
  const ctx = await strictContext(input, name);
  const records: NormalizedRecord[] = [];
  for await (const record of githubAuditLog.read(input, ctx)) records.push(record);
  return records;
}

describe.skipIf(!present)(`real GitHub exports in ${CORPUS}`, () => {
  it.each(present ? readdirSync(CORPUS).sort() : [])('%s is detected as a GitHub format', async (name) => {
    const adapter = detectAdapter(await readSniff(openInput(path.join(CORPUS, name), name)));
    expect(adapter?.id).toBe('github-audit-log');
  });

  it('no other provider\'s corpus file is claimed by a GitHub adapter', async () => {
    const root = path.dirname(CORPUS);
    const others = readdirSync(root, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile() && path.resolve(entry.parentPath) !== CORPUS)
      .map((entry) => path.join(entry.parentPath, entry.name));
    expect(others.length).toBeGreaterThan(20);
    for (const file of others) {
      const sniff = await readSniff(openInput(file, file));
      expect([githubAuditLog.detect(sniff), githubCredentialList.detect(sniff)], file).toEqual([false, false]);
    }
  });

  it('the Elastic org audit log: every entry an event, the token-made one an access by its token id', async () => {
    const records = await readStrict(ELASTIC);
    const events = ofKind(records, 'event');
    expect(events).toHaveLength(188);
    expect(events.filter((e) => e.tenant === 'Example-Org')).toHaveLength(155);
    // Line 187 has only @timestamp (no created_at); line 188 was made with a GitHub App server-to-server token.
    expect(events.find((e) => e.source.line === 187)).toMatchObject({ action: 'git.clone', identity: 'github-actions[bot]', time: 1655872622832 });
    expect(events.find((e) => e.source.line === 188)).toMatchObject({
      action: 'workflows.created_workflow_run',
      credential: 'gh-token:47641294178',
      category: 'access',
      tenant: 'matanolabs',
      resource: 'matanolabs/matano',
    });
    expect(events.filter((e) => e.category === 'consent').map((e) => [e.source.line, e.action])).toEqual([
      [16, 'org.oauth_app_access_approved'],
      [41, 'integration_installation.create'],
    ]);
  });

  it('the Sentinel security log: the PAT and OAuth lifecycle', async () => {
    const records = await readStrict(SENTINEL);
    expect(ofKind(records, 'event')).toHaveLength(63);
    const credentials = ofKind(records, 'credential');
    expect(credentials.map((c) => [c.source.line, c.type])).toEqual([
      [11, 'pat'],
      [14, 'pat'],
      [24, 'pat'],
      [25, 'pat'],
      [26, 'pat'],
      [29, 'pat'],
      [37, 'access-token'],
      [40, 'access-token'],
      [42, 'access-token'],
    ]);
    expect(credentials[0]).toMatchObject({ id: 'gh-token:KjZa/GOlvFtvgzAfpJVdPNhNKFc4Lxt2otCHw9fp3Po=', onBehalfOf: 'siteshjha11', tenant: 'x-sentinellabs' });
    const categories = ofKind(records, 'event').filter((e) => e.category !== 'other').map((e) => [e.source.line, e.category]);
    expect(categories).toEqual([
      [11, 'credential-create'],
      [12, 'revoke'],
      [13, 'revoke'],
      [14, 'credential-create'],
      [15, 'consent'],
      [24, 'credential-create'],
      [25, 'credential-create'],
      [26, 'credential-create'],
      [27, 'revoke'],
      [28, 'revoke'],
      [29, 'credential-create'],
      [30, 'consent'],
      [36, 'consent'],
      [37, 'credential-create'],
      [40, 'credential-create'],
      [41, 'consent'],
      [42, 'credential-create'],
    ]);
    // Line 54 has no actor: still an event, of nobody's own doing.
    expect(ofKind(records, 'event').find((e) => e.source.line === 54)).toMatchObject({ action: 'user.forgot_password', identity: null });
  });

  it('the directory scans under --strict with every file recognised', async () => {
    const run = await runCli(['scan', CORPUS, '--strict', '--as-of', AS_OF, '--format', 'json', '--fail-on', 'none']);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as { skipped: unknown[]; inputs: { file: string; format: string; records: Record<string, number> }[] };
    expect(report.skipped).toEqual([]);
    expect(report.inputs.map((input) => input.format)).toEqual(['github-audit-log', 'github-audit-log']);
    for (const input of report.inputs) expect(Object.values(input.records).reduce((a, b) => a + b, 0), input.file).toBeGreaterThan(0);
  });
});

describe.skipIf(present)('real GitHub exports', () => {
  it(`are skipped: ${CORPUS} does not exist (clone with ../shared beside the project to run them)`, () => {
    expect(present).toBe(false);
  });
});
