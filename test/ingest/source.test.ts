import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { TextLine } from '../../src/ingest/adapter.js';
import { readSniff, SNIFF_CHARS, sniffName } from '../../src/ingest/sniff.js';
import { BomDecoder, decodeText, describeReadError, openInput, splitLines } from '../../src/ingest/source.js';
import { fixture, tempFile, UTF8_BOM, utf16be, utf16le } from './helpers.js';

async function collect(lines: AsyncIterable<TextLine>): Promise<[number, string][]> {
  const out: [number, string][] = [];
  for await (const { line, text } of lines) out.push([line, text]);
  return out;
}

async function* chunks(...parts: string[]): AsyncGenerator<string> {
  for (const part of parts) yield part;
}

async function* byteChunks(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

const EXPECTED: [number, string][] = [
  [1, 'first'],
  [2, ''],
  [3, 'third é ✓'],
];

describe('openInput().lines()', () => {
  test.each([
    ['LF', Buffer.from('first\n\nthird é ✓\n')],
    ['CRLF', Buffer.from('first\r\n\r\nthird é ✓\r\n')],
    ['no final newline', Buffer.from('first\n\nthird é ✓')],
    ['UTF-8 BOM', Buffer.concat([UTF8_BOM, Buffer.from('first\n\nthird é ✓\n')])],
    ['UTF-16LE BOM + CRLF', utf16le('first\r\n\r\nthird é ✓\r\n')],
    ['UTF-16BE BOM', utf16be('first\n\nthird é ✓\n')],
    ['gzip', gzipSync(Buffer.from('first\n\nthird é ✓\n'))],
    ['gzip of UTF-16LE', gzipSync(utf16le('first\r\n\r\nthird é ✓\r\n'))],
  ])('%s', async (_name, bytes) => {
    const path = tempFile('data.txt', bytes);
    expect(await collect(openInput(path, 'data.txt').lines())).toEqual(EXPECTED);
  });

  test('gzip is recognised by its magic bytes, not by its name', async () => {
    const plain = tempFile('looks-compressed.gz', 'not gzip at all\n');
    expect(await collect(openInput(plain, 'x').lines())).toEqual([[1, 'not gzip at all']]);
    const gz = tempFile('plain-name.ndjson', gzipSync('compressed\n'));
    expect(await collect(openInput(gz, 'x').lines())).toEqual([[1, 'compressed']]);
  });

  test('the committed gz fixture decompresses to the plain fixture', async () => {
    const text = await openInput(fixture('canonical', 'gz.events.ndjson.gz'), 'x').text();
    expect(text).toBe(readFileSync(fixture('canonical', 'app.events.ndjson'), 'utf8'));
  });

  test('empty file has no lines; a lone newline is one empty line', async () => {
    expect(await collect(openInput(tempFile('e', ''), 'e').lines())).toEqual([]);
    expect(await collect(openInput(tempFile('n', '\n'), 'n').lines())).toEqual([[1, '']]);
  });

  test('text() returns the decoded whole, BOM removed', async () => {
    const path = tempFile('t.yaml', utf16le('a: 1\r\nb: ü\r\n'));
    expect(await openInput(path, 't.yaml').text()).toBe('a: 1\r\nb: ü\r\n');
  });

  test('bytes() gives the decompressed bytes', async () => {
    const path = tempFile('b', gzipSync('hello'));
    const parts: Buffer[] = [];
    for await (const chunk of openInput(path, 'b').bytes()) parts.push(chunk as Buffer);
    expect(Buffer.concat(parts).toString('utf8')).toBe('hello');
  });

  test('a missing file fails on read with an errno error that describeReadError explains', async () => {
    const input = openInput('/nonexistent/nhi-audit/input.json', 'input.json');
    const error: unknown = await collect(input.lines()).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(describeReadError(error)).toBe('cannot read file: no such file (ENOENT)');
  });

  test('truncated gzip is reported as bad gzip data', async () => {
    const whole = gzipSync(Buffer.from('x'.repeat(10_000)));
    const path = tempFile('cut.gz', whole.subarray(0, whole.length - 20));
    const error: unknown = await openInput(path, 'cut.gz').text().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(describeReadError(error)).toMatch(/^cannot read gzip data: /);
  });

  test('describeReadError leaves programming errors alone', () => {
    expect(describeReadError(new TypeError('x is not a function'))).toBeUndefined();
    expect(describeReadError(Object.assign(new Error('closed'), { code: 'ERR_STREAM_PREMATURE_CLOSE' }))).toBeUndefined();
  });
});

describe('splitLines', () => {
  test('lines split across chunks, and CR at a chunk end before LF in the next', async () => {
    const lines = await collect(splitLines(chunks('ab', 'c\r', '\nde', 'f\r\n', '\n', 'g')));
    expect(lines).toEqual([
      [1, 'abc'],
      [2, 'def'],
      [3, ''],
      [4, 'g'],
    ]);
  });

  test('a CR inside a line is kept', async () => {
    expect(await collect(splitLines(chunks('a\rb\n')))).toEqual([[1, 'a\rb']]);
  });
});

describe('decodeText', () => {
  test('multi-byte characters split across one-byte chunks survive, in every encoding', async () => {
    const text = 'αβγ — ✓ 😀\n';
    for (const bytes of [Buffer.concat([UTF8_BOM, Buffer.from(text)]), Buffer.from(text), utf16le(text), utf16be(text)]) {
      const parts: string[] = [];
      for await (const part of decodeText(byteChunks(bytes, 1))) parts.push(part);
      expect(parts.join('')).toBe(text);
    }
  });

  test('UTF-8 decodes as TextDecoder does, for any bytes cut anywhere', () => {
    // Bytes biased towards UTF-8 lead and continuation bytes, so cut and invalid sequences are common.
    const byte = fc.oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0x80, max: 0xbf }), fc.integer({ min: 0xc0, max: 0xff }));
    fc.assert(
      fc.property(fc.array(byte, { maxLength: 64 }), fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 1, maxLength: 16 }), (values, sizes) => {
        // A leading ASCII byte keeps the BOM and UTF-16 sniffing out of the comparison.
        const bytes = Buffer.from([0x41, 0x42, 0x43, ...values]);
        const decoder = new BomDecoder();
        const parts: string[] = [];
        let at = 0;
        for (let i = 0; at < bytes.length; i += 1) {
          const size = sizes[i % sizes.length] ?? 1;
          parts.push(decoder.push(bytes.subarray(at, at + size)));
          at += size;
        }
        parts.push(decoder.end());
        expect(parts.join('')).toBe(new TextDecoder('utf-8').decode(bytes));
      }),
      { numRuns: 2000 },
    );
  });

  test('files shorter than a BOM decode', async () => {
    for (const text of ['', 'a', 'ab']) {
      const parts: string[] = [];
      for await (const part of decodeText(byteChunks(Buffer.from(text), 1))) parts.push(part);
      expect(parts.join('')).toBe(text);
    }
  });
});

describe('readSniff', () => {
  test('small file: whole head, complete, name without .gz', async () => {
    const path = tempFile('Cloud.Events.NDJSON.gz', gzipSync(utf16le('{"a":1}\r\n')));
    const sniff = await readSniff(openInput(path, 'dir/Cloud.Events.NDJSON.gz'));
    expect(sniff).toEqual({ display: 'dir/Cloud.Events.NDJSON.gz', name: 'cloud.events.ndjson', head: '{"a":1}\r\n', complete: true });
  });

  test('large file: head capped at 64 KiB of text, not complete', async () => {
    const path = tempFile('big.txt', 'y'.repeat(SNIFF_CHARS * 3));
    const sniff = await readSniff(openInput(path, 'big.txt'));
    expect(sniff.head.length).toBe(SNIFF_CHARS);
    expect(sniff.complete).toBe(false);
  });

  test('exactly 64 KiB is complete', async () => {
    const path = tempFile('edge.txt', 'z'.repeat(SNIFF_CHARS));
    const sniff = await readSniff(openInput(path, 'edge.txt'));
    expect(sniff.head.length).toBe(SNIFF_CHARS);
    expect(sniff.complete).toBe(true);
  });

  test('sniffName', () => {
    expect(sniffName('/a/b/Approvals.CSV.gz')).toBe('approvals.csv');
    expect(sniffName('x.gzip')).toBe('x.gzip');
  });
});
