// @ts-check
/*
 * Is DuckDB a better engine than the streaming scan for a large local folder?
 * On the same generated CloudTrail (test/bench/generate.mjs) this measures
 *   streaming   nhi-audit scan of the CloudTrail + authorization details, 1 worker
 *   duckdb      the `nhi-audit sql --dialect duckdb --input` query in embedded
 *               DuckDB, COPY to CSV (its own process), then the scan of that CSV
 *               + authorization details
 * with wall and CPU seconds and peak RSS of each process (under /usr/bin/time),
 * and checks both give the same findings.
 *
 *   npm run build && node test/bench/sql-engine.mjs [--events N] [--identities N] [--threads N]
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate } from './generate.mjs';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = path.join(REPO, 'bin', 'nhi-audit.js');
const AS_OF = '2026-11-01T00:00:00Z';

function option(name, fallback) {
  const index = process.argv.indexOf(name);
  return index === -1 ? fallback : Number(process.argv[index + 1] ?? fallback);
}

/** Runs node under /usr/bin/time: wall and CPU seconds (user + system, all threads) and peak RSS, so a loaded machine shows in wall time only. */
async function measure(args) {
  const statsFile = path.join(await mkdtemp(path.join(os.tmpdir(), 'nhi-time-')), 'time');
  const stdout = await new Promise((resolve, reject) => {
    execFile('/usr/bin/time', ['-f', '%e %U %S %M', '-o', statsFile, process.execPath, ...args], { env: { ...process.env, NO_COLOR: '1' }, maxBuffer: 1 << 28 }, (error, out, err) => {
      // Exit 1 means findings: a normal outcome of a scan.
      if (error !== null && error.code !== 1) reject(new Error(`${args.join(' ')} failed: ${err}`));
      else resolve(out);
    });
  });
  const [wall, user, system, rssKb] = readFileSync(statsFile, 'utf8').trim().split('\n').pop().split(' ').map(Number);
  rmSync(path.dirname(statsFile), { recursive: true, force: true });
  return { seconds: wall, cpu: user + system, rssMb: rssKb / 1024, stdout: String(stdout) };
}

const events = option('--events', 200_000);
const identities = option('--identities', 10_000);
const threads = option('--threads', os.availableParallelism());
const dir = path.join(os.tmpdir(), `nhi-bench-sql-${events}-${identities}`);
if (!existsSync(path.join(dir, '.generated'))) {
  rmSync(dir, { recursive: true, force: true });
  process.stderr.write(`generating ${events} events over ${identities} identities in ${dir} …\n`);
  await generate(dir, { events, identities });
  await writeFile(path.join(dir, '.generated'), '');
}
// Everything but the CloudTrail and Okta log: IAM dumps, credential reports, the canonical inventory.
const authz = readdirSync(dir).filter((name) => name.startsWith('authz-') || name.startsWith('credential-report-') || name === 'inventory.yaml').map((name) => path.join(dir, name));
const summary = path.join(dir, 'usage-summary.csv');
const runner = path.join(dir, 'run-duckdb.mjs');
await writeFile(
  runner,
  `import { DuckDBInstance } from ${JSON.stringify(path.join(REPO, 'node_modules/@duckdb/node-api/lib/index.js'))};\n` +
    `import { cloudTrailUsageSql } from ${JSON.stringify(path.join(REPO, 'dist/engine/cloudtrail-sql.js'))};\n` +
    `const connection = await (await DuckDBInstance.create(':memory:', { threads: '${threads}' })).connect();\n` +
    `await connection.run(\`COPY (\${cloudTrailUsageSql({ dialect: 'duckdb', input: ${JSON.stringify(`${dir}/cloudtrail/**/*.json.gz`)} })}) TO ${JSON.stringify(summary).replace(/"/g, "'")} (HEADER)\`);\n`,
);

const scanArgs = (inputs) => [CLI, 'scan', ...inputs, '--as-of', AS_OF, '--format', 'json', '--workers', '1', '--fail-on', 'none'];
const streaming = await measure(scanArgs([path.join(dir, 'cloudtrail'), ...authz]));
const query = await measure([runner]);
const fromSummary = await measure(scanArgs([summary, ...authz]));
const shape = (stdout) => JSON.parse(stdout).findings.map((f) => `${f.ruleId} ${f.subject.id}`).join('\n');
const same = shape(streaming.stdout) === shape(fromSummary.stdout);

const row = (name, run) => `${name.padStart(34)} ${run.seconds.toFixed(2).padStart(8)} ${run.cpu.toFixed(2).padStart(8)} ${String(Math.round(run.rssMb)).padStart(12)}`;
const total = { seconds: query.seconds + fromSummary.seconds, cpu: query.cpu + fromSummary.cpu, rssMb: Math.max(query.rssMb, fromSummary.rssMb) };
process.stdout.write(
  `${events.toLocaleString('en')} events, ${identities.toLocaleString('en')} identities, DuckDB threads ${threads}, Node ${process.version}, load average ${os.loadavg()[0].toFixed(1)} on ${os.availableParallelism()} cores\n` +
    `${'run'.padStart(34)} ${'wall s'.padStart(8)} ${'CPU s'.padStart(8)} ${'peak RSS MB'.padStart(12)}\n` +
    `${row('streaming scan, 1 worker', streaming)}\n` +
    `${row('duckdb query → usage-summary.csv', query)}\n` +
    `${row('scan of the summary', fromSummary)}\n` +
    `${row('duckdb total', total)}\n` +
    `same findings: ${same} (${JSON.parse(streaming.stdout).findings.length} findings); summary ${(readFileSync(summary).length / 1e6).toFixed(1)} MB\n`,
);
