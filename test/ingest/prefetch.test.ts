import { closeSync, mkdirSync, openSync, ftruncateSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { PREFETCH_MAX_BYTES, PREFETCH_MAX_INFLATED_BYTES, prefetchFile } from '../../src/ingest/prefetch.js';
import { openInput } from '../../src/ingest/source.js';
import { tempFile } from './helpers.js';

async function streamed(path: string, prefetched?: ReturnType<typeof prefetchFile>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of openInput(path, 'x', undefined, undefined, 1024, prefetched).bytes()) parts.push(chunk as Buffer);
  return Buffer.concat(parts);
}

const RECORDS = JSON.stringify({ Records: Array.from({ length: 500 }, (_, i) => ({ eventName: `Get${i}`, note: 'é✓'.repeat(i % 7) })) });

describe('prefetchFile', () => {
  test('a gzip file comes back inflated, and openInput hands over the same bytes as a streamed read', async () => {
    const path = tempFile('trail.json.gz', gzipSync(RECORDS));
    const whole = await prefetchFile(path);
    expect(whole?.toString('utf8')).toBe(RECORDS);
    expect(await streamed(path, prefetchFile(path))).toEqual(await streamed(path));
  });

  test('a plain file comes back as it is', async () => {
    const path = tempFile('trail.json', RECORDS);
    expect((await prefetchFile(path))?.toString('utf8')).toBe(RECORDS);
  });

  test('gzip members written one after another inflate to their concatenation, as when streamed', async () => {
    const path = tempFile('members.json.gz', Buffer.concat([gzipSync('{"Records":['), gzipSync('{"a":1}]}')]));
    expect((await prefetchFile(path))?.toString('utf8')).toBe('{"Records":[{"a":1}]}');
  });

  test('a truncated or corrupt gzip file is left to the stream, which reports it', async () => {
    const gz = gzipSync(RECORDS);
    const truncated = tempFile('cut.json.gz', gz.subarray(0, gz.length >> 1));
    expect(await prefetchFile(truncated)).toBeUndefined();
    await expect(streamed(truncated, prefetchFile(truncated))).rejects.toThrow(/unexpected end of file/);
    expect(await prefetchFile(tempFile('tiny.gz', Buffer.from([0x1f, 0x8b, 0x08])))).toBeUndefined();
  });

  test('what is not a regular file, is missing, or is too large is not read ahead', async () => {
    const dir = join(tempFile('placeholder', ''), '..', 'a-directory');
    mkdirSync(dir, { recursive: true });
    expect(await prefetchFile(dir)).toBeUndefined();
    expect(await prefetchFile(join(dir, 'missing.json'))).toBeUndefined();
    const large = tempFile('large.json', '');
    const handle = openSync(large, 'r+');
    ftruncateSync(handle, PREFETCH_MAX_BYTES + 1);
    closeSync(handle);
    expect(await prefetchFile(large)).toBeUndefined();
  });

  test('a gzip file that inflates past the bound is streamed instead', async () => {
    const path = tempFile('bomb.json.gz', gzipSync(Buffer.alloc(PREFETCH_MAX_INFLATED_BYTES + 1, 0x20)));
    expect(await prefetchFile(path)).toBeUndefined();
  });
});
