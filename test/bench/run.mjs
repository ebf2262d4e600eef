// @ts-check
/*
 * `npm run bench`: generates a synthetic organisation (test/bench/generate.mjs)
 * and measures, on the same data in the same run:
 *   floor        read + gunzip + JSON.parse of the CloudTrail files, one thread
 *   1 thread     nhi-audit scan of the same files, end to end, JSON report (--workers 1)
 *   N threads    the same with every core (--workers N: N-1 reader threads parse, the main thread folds)
 *   whole org    every generated format (IAM dumps, credential reports, Okta, inventory)
 * with events/s, MB/s (uncompressed), the ratio to the floor and peak RSS.
 *
 *   npm run bench -- [--events N] [--identities N] [--repeat N] [--scaling] [--dir D]
 *   npm run bench -- --privilege     only the privilege section (test/bench/privilege.mjs):
 *                                    5,000 principals and 2,000 policies of one AWS account
 *
 * --repeat N runs the table's measurements N times, interleaved (floor, scans,
 * floor, scans…), and reports each one's best time with the range beside it:
 * on a shared machine the floor alone moves by a factor of two between runs.
 * --scaling runs the floor and the scan on one thread and on every core at 1×, 4× and 10× the
 * events with the same identities, to show time grows linearly with events
 * and peak memory does not. Generated data is kept in the OS temp dir
 * (reused when the same size is asked for again).
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate } from './generate.mjs';
import { benchPrivilege } from './privilege.mjs';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = path.join(REPO, 'bin', 'nhi-audit.js');
const PEAK_RSS = path.join(REPO, 'test', 'bench', 'peak-rss.mjs');
const FLOOR = path.join(REPO, 'test', 'bench', 'floor.mjs');
const AS_OF = '2026-11-01T00:00:00Z';

function option(args, name, fallback) {
  const index = args.indexOf(name);
  if (index === -1) return fallback;
  const value = args[index + 1];
  return value === undefined ? fallback : value;
}

/** Runs node with the peak-RSS hook; resolves wall seconds, peak RSS (MB) and stdout. */
async function measure(args) {
  const rssFile = path.join(await mkdtemp(path.join(os.tmpdir(), 'nhi-rss-')), 'rss');
  const started = process.hrtime.bigint();
  const stdout = await new Promise((resolve, reject) => {
    execFile(process.execPath, ['--import', PEAK_RSS, ...args], { env: { ...process.env, NHI_BENCH_RSS_FILE: rssFile, NO_COLOR: '1' }, maxBuffer: 1 << 28 }, (error, out, err) => {
      // Exit 1 means findings: a normal outcome of a scan.
      if (error !== null && error.code !== 1) reject(new Error(`${args.join(' ')} failed: ${err}`));
      else resolve(out);
    });
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const rssMb = Number(readFileSync(rssFile, 'utf8')) / 1024;
  rmSync(path.dirname(rssFile), { recursive: true, force: true });
  return { seconds, rssMb, stdout };
}

async function dataset(events, identities, dirOption) {
  const dir = dirOption ?? path.join(os.tmpdir(), `nhi-bench-${events}-${identities}`);
  const marker = path.join(dir, '.generated.json');
  if (existsSync(marker)) return { dir, ...JSON.parse(readFileSync(marker, 'utf8')) };
  rmSync(dir, { recursive: true, force: true });
  process.stderr.write(`generating ${events} events over ${identities} identities in ${dir} …\n`);
  const made = await generate(dir, { events, identities });
  await writeFile(marker, JSON.stringify(made));
  return { dir, ...made };
}

function scanArgs(target, workers) {
  return [CLI, 'scan', target, '--as-of', AS_OF, '--format', 'json', '--output', os.devNull, '--fail-on', 'none', '--workers', String(workers)];
}

/** The best of several runs of one measurement, with the range of times and the highest peak RSS. */
function best(results) {
  const times = results.map((result) => result.seconds);
  return {
    seconds: Math.min(...times),
    range: `${Math.min(...times).toFixed(1)}–${Math.max(...times).toFixed(1)}`,
    rssMb: Math.max(...results.map((result) => result.rssMb)),
    stdout: results[0]?.stdout ?? '',
  };
}

function row(name, result, events, bytes, floorSeconds) {
  return {
    run: name,
    seconds: result.seconds.toFixed(2),
    ...(result.range === undefined ? {} : { 'range s': result.range }),
    'events/s': Math.round(events / result.seconds).toLocaleString('en-US'),
    'MB/s': (bytes / 1e6 / result.seconds).toFixed(1),
    'x floor': floorSeconds === undefined ? '1.00' : (floorSeconds / result.seconds).toFixed(2),
    'peak RSS MB': result.rssMb.toFixed(0),
  };
}

function printTable(rows) {
  const columns = Object.keys(rows[0] ?? {});
  const widths = columns.map((column) => Math.max(column.length, ...rows.map((item) => String(item[column]).length)));
  const line = (cells) => cells.map((cell, index) => String(cell).padStart(widths[index] ?? 0)).join('  ');
  process.stdout.write(`${line(columns)}\n${rows.map((item) => line(columns.map((column) => item[column]))).join('\n')}\n`);
}

const args = process.argv.slice(2);
if (args.includes('--privilege')) {
  const result = await benchPrivilege();
  process.stdout.write(
    `privilege: ${result.principals} principals and ${result.policies} policies of one AWS account judged by NHI-PRIV-001/-002/-003 ` +
      `in ${result.seconds.toFixed(2)} s on one core (${result.escalations} escalation findings, ${result.wildcards} wildcard findings)\n`,
  );
  process.exit(0);
}
const events = Number(option(args, '--events', '1000000'));
const identities = Number(option(args, '--identities', '50000'));
const cores = os.availableParallelism();

const data = await dataset(events, identities, option(args, '--dir', undefined));
const trail = path.join(data.dir, 'cloudtrail');
process.stdout.write(
  `nhi-audit bench — ${data.events.toLocaleString('en-US')} CloudTrail events in ${data.files} .json.gz files ` +
    `(${(data.uncompressedTrailBytes / 1e6).toFixed(0)} MB uncompressed), ${identities.toLocaleString('en-US')} identities\n` +
    `machine: ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${cores} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}\n\n`,
);

const repeat = Math.max(1, Number(option(args, '--repeat', '1')));
const runs = { floor: [], single: [], parallel: [], whole: [] };
for (let round = 0; round < repeat; round += 1) {
  runs.floor.push(await measure([FLOOR, trail]));
  const floorFacts = JSON.parse(runs.floor[round].stdout);
  if (floorFacts.records !== data.events) throw new Error(`floor read ${floorFacts.records} records, expected ${data.events}`);
  runs.single.push(await measure(scanArgs(trail, 1)));
  runs.parallel.push(await measure(scanArgs(trail, cores)));
  runs.whole.push(await measure(scanArgs(data.dir, cores)));
}
const [floor, single, parallel, whole] = [runs.floor, runs.single, runs.parallel, runs.whole].map((results) => (repeat > 1 ? best(results) : results[0]));
printTable([
  row('floor (read+gunzip+JSON.parse)', floor, data.events, data.uncompressedTrailBytes, undefined),
  row('nhi-audit, 1 thread', single, data.events, data.uncompressedTrailBytes, floor.seconds),
  row(`nhi-audit, ${cores} threads`, parallel, data.events, data.uncompressedTrailBytes, floor.seconds),
  row(`whole org, ${cores} threads`, whole, data.events, data.uncompressedTrailBytes, floor.seconds),
]);
if (repeat > 1) process.stdout.write(`\n(best of ${repeat} interleaved runs each; x floor compares best times)\n`);
process.stdout.write('\n(whole org adds the IAM dumps, credential reports, Okta log and inventory to the same CloudTrail files)\n');

if (args.includes('--scaling')) {
  const scaling = [];
  for (const factor of [1, 4, 10]) {
    const scaled = factor === 1 ? data : await dataset(events * factor, identities, undefined);
    const scaledTrail = path.join(scaled.dir, 'cloudtrail');
    const scaledFloor = await measure([FLOOR, scaledTrail]);
    for (const threads of cores > 1 ? [1, cores] : [1]) {
      const result = await measure(scanArgs(scaledTrail, threads));
      scaling.push({
        events: (events * factor).toLocaleString('en-US'),
        threads,
        'floor s': scaledFloor.seconds.toFixed(2),
        seconds: result.seconds.toFixed(2),
        'x floor': (scaledFloor.seconds / result.seconds).toFixed(2),
        'µs/event': ((result.seconds * 1e6) / (events * factor)).toFixed(2),
        'peak RSS MB': result.rssMb.toFixed(0),
      });
    }
  }
  process.stdout.write(`\nscaling (${identities.toLocaleString('en-US')} identities):\n`);
  printTable(scaling);
}
