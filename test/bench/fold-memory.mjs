// @ts-check
/*
 * The usage fold's live heap after reading a directory of event logs: what
 * the fold keeps, without the garbage V8 has not collected yet (peak RSS is
 * that plus the heap's growth).
 *
 *   npm run build && node --expose-gc test/bench/fold-memory.mjs DIR
 *   e.g. DIR = $TMPDIR/nhi-bench-1000000-50000/cloudtrail (made by npm run bench)
 */
import { UsageFold } from '../../dist/correlate/index.js';
import { discover } from '../../dist/ingest/discover.js';
import { ingest } from '../../dist/ingest/ingest.js';

const dir = process.argv[2];
const gc = /** @type {(() => void) | undefined} */ (globalThis.gc);
if (dir === undefined || gc === undefined) {
  process.stderr.write('usage: node --expose-gc test/bench/fold-memory.mjs DIR\n');
  process.exit(2);
}
const fold = new UsageFold();
let events = 0;
await ingest(await discover([dir], process.cwd()), { strict: false }, (record) => {
  if (record.kind !== 'event') return;
  fold.add(record.record);
  events += 1;
});
gc();
gc();
const { heapUsed } = process.memoryUsage();
process.stdout.write(`${events} events: live heap ${(heapUsed / 1e6).toFixed(0)} MB with the fold of ${fold.byIdentityRef.size} identity keys\n`);
