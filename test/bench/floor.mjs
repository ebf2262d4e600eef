// @ts-check
/*
 * The floor nhi-audit is measured against: read every .json.gz file under a
 * directory, gunzip it, JSON.parse it and touch each record's actor. One
 * thread, nothing else — what any tool must at least spend on the same data.
 *
 *   node test/bench/floor.mjs <dir>   → prints {"files","records","bytes"} as JSON
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';

const gunzipAsync = promisify(gunzip);

async function* files(dir) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* files(full);
    else if (entry.name.endsWith('.json.gz')) yield full;
  }
}

const [dir] = process.argv.slice(2);
if (dir === undefined) {
  process.stderr.write('usage: node test/bench/floor.mjs <dir>\n');
  process.exit(2);
}
let count = 0;
let records = 0;
let bytes = 0;
let actors = 0;
for await (const file of files(dir)) {
  const text = (await gunzipAsync(await readFile(file))).toString('utf8');
  bytes += text.length;
  count += 1;
  const parsed = JSON.parse(text);
  for (const record of parsed.Records) {
    records += 1;
    if (typeof record.userIdentity?.arn === 'string') actors += 1;
  }
}
process.stdout.write(`${JSON.stringify({ files: count, records, bytes, actors })}\n`);
