// @ts-check
/*
 * Preloaded (`node --import`) into a measured process: on exit it writes the
 * process's peak resident set size (KiB, all threads) to the file named by
 * NHI_BENCH_RSS_FILE, so the runner can compare processes it does not own.
 */
import { writeFileSync } from 'node:fs';

const target = process.env['NHI_BENCH_RSS_FILE'];
if (target !== undefined) {
  process.on('exit', () => writeFileSync(target, String(process.resourceUsage().maxRSS)));
}
