import { readFile, stat } from 'node:fs/promises';
import { gunzip } from 'node:zlib';
import { startsGzip } from './source.js';

/*
 * Reading ahead. Files are read one after another on the thread that parses
 * them; streamed, each file's read and inflate ran while that thread waited
 * for it, and then the thread pool sat idle while the file was parsed. A
 * prefetch reads and inflates the next files (in Node's thread pool) while the
 * current one is parsed, so the parsing thread does not wait for bytes.
 *
 * A prefetch never reports a problem: when it cannot read or inflate a file
 * whole (missing, truncated, corrupt, too large) it gives up and the file is
 * streamed as before, so errors keep their messages and their place.
 */

/** Files read ahead of the one being parsed. */
export const PREFETCH_DEPTH = 2;
/** Files larger than this on disk are streamed: a prefetch holds the whole file. */
export const PREFETCH_MAX_BYTES = 16 * 1024 * 1024;
/** Inflated bytes a prefetch may hold (files larger than a whole-file parse are streamed anyway); a larger gzip file is streamed instead. */
export const PREFETCH_MAX_INFLATED_BYTES = 16 * 1024 * 1024;

/** The least output buffer: a trailer that tells of less (the last of several gzip members) still inflates in few steps. */
const MIN_CHUNK_BYTES = 64 * 1024;

/** A file's whole bytes, already inflated, or undefined when it must be streamed. */
export type Prefetched = Promise<Buffer | undefined>;

export function prefetchFile(path: string): Prefetched {
  return (async () => {
    try {
      const about = await stat(path);
      // A pipe or device is read by the stream, which says why it cannot be read twice.
      if (!about.isFile() || about.size > PREFETCH_MAX_BYTES) return undefined;
      const raw = await readFile(path);
      if (!startsGzip(raw)) return raw;
      // Inflate in one thread-pool job: in chunks, each next chunk would wait for this thread, busy parsing.
      // The gzip trailer ends with the inflated size (of the last member, mod 2^32): the output buffer's size.
      const chunkSize = Math.min(Math.max(raw.readUInt32LE(raw.length - 4), MIN_CHUNK_BYTES), PREFETCH_MAX_INFLATED_BYTES);
      return await new Promise<Buffer | undefined>((resolve) => {
        gunzip(raw, { chunkSize, maxOutputLength: PREFETCH_MAX_INFLATED_BYTES }, (error, inflated) => resolve(error === null ? inflated : undefined));
      });
    } catch {
      return undefined;
    }
  })();
}
