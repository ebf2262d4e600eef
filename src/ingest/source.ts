import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { PassThrough, pipeline, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { InputError } from '../model/index.js';
import type { InputSource, TextLine } from './adapter.js';

/*
 * Opening input files: gzip by magic bytes, BOM-driven decoding, and a line
 * splitter that streams. Everything here is lazy — nothing touches the disk
 * until a reader asks — so errors surface where the caller can attribute them
 * to the file.
 */

const GZIP_MAGIC = [0x1f, 0x8b] as const;

/**
 * By default a line (or streamed JSON element) longer than this is refused
 * rather than risk an out-of-memory crash; line-oriented formats never come
 * near it. `scan --max-record-mb` sets another bound (in Mi characters).
 */
export const MAX_LINE_CHARS = 64 * 1024 * 1024;

/** How a bound is named in messages: the option that changes it. */
export function recordBoundText(maxChars: number): string {
  return `${maxChars} characters (--max-record-mb ${Number((maxChars / (1024 * 1024)).toFixed(3))})`;
}

/** Receives the decoded text of one read of a file, chunk by chunk. */
export interface TextReader {
  text(chunk: string): void;
  /** The read reached the end of the file; not called when it stopped early or failed. */
  end(): void;
}

/** Sees every read of an input as it streams (e.g. secret detection), without a read of its own. */
export interface TextObserver {
  /** A new read from the start of the file. */
  open(): TextReader;
}

export function openInput(path: string, display: string, observer?: TextObserver, maxRecordChars: number = MAX_LINE_CHARS): InputSource {
  const bytes = (): Readable => openBytes(path, observer);
  const lines = (): AsyncIterable<TextLine> => splitLines(decodeText(bytes()), display, maxRecordChars);
  const text = async (): Promise<string> => {
    const parts: string[] = [];
    for await (const chunk of decodeText(bytes())) parts.push(chunk);
    return parts.join('');
  };
  return { display, path, maxRecordChars, bytes, lines, text };
}

/**
 * Bytes per read and per inflated chunk. Node's defaults (64 KiB reads, 16 KiB
 * inflate output) cost a thread-pool round trip and a trip through every stream
 * stage per small chunk; at log volumes that waiting showed as a fifth of the
 * scan's time. Larger chunks keep memory per open file small all the same.
 */
const READ_CHUNK_BYTES = 512 * 1024;

/** The reader a byte stream's decoded text goes to, set by openBytes for decodeText. */
const TEXT_READER = Symbol('text reader');
type ObservedReadable = Readable & { [TEXT_READER]?: TextReader };
type ObservedPassThrough = PassThrough & { [TEXT_READER]?: TextReader };

/**
 * The file's bytes, gunzipped when it starts with the gzip magic (whatever its
 * name). With an observer, the stream carries a reader that decodeText feeds
 * the text it decodes anyway, so the observer costs no second decoding;
 * whoever reads an observed file reads it through decodeText.
 */
function openBytes(path: string, observer: TextObserver | undefined): Readable {
  const out: ObservedPassThrough = new PassThrough({ highWaterMark: READ_CHUNK_BYTES });
  if (observer !== undefined) out[TEXT_READER] = observer.open();
  void (async () => {
    let gzip: boolean;
    try {
      gzip = await startsWithGzipMagic(path);
    } catch (error) {
      out.destroy(error as Error);
      return;
    }
    // The reader may have given up while we peeked.
    if (out.destroyed) return;
    const file = createReadStream(path, { highWaterMark: READ_CHUNK_BYTES });
    // pipeline destroys every stage with the error, so the reader of `out` sees it;
    // the callback only has to exist.
    const done = (): void => undefined;
    if (gzip) pipeline(file, createGunzip({ chunkSize: READ_CHUNK_BYTES }), out, done);
    else pipeline(file, out, done);
  })();
  return out;
}

async function startsWithGzipMagic(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(GZIP_MAGIC.length);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    return bytesRead === GZIP_MAGIC.length && head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1];
  } finally {
    await handle.close();
  }
}

type Encoding = 'utf-8' | 'utf-16le' | 'utf-16be';

/**
 * The encoding by BOM; without one, UTF-16 is recognised by a NUL in the first
 * two bytes (every export starts with an ASCII character, which UTF-16 writes
 * with a zero byte and UTF-8 never does). Anything else is UTF-8.
 */
function encodingFromBom(head: Uint8Array): Encoding {
  if (head[0] === 0xff && head[1] === 0xfe) return 'utf-16le';
  if (head[0] === 0xfe && head[1] === 0xff) return 'utf-16be';
  if (head.length >= 2 && head[0] !== 0 && head[1] === 0) return 'utf-16le';
  if (head.length >= 2 && head[0] === 0 && head[1] !== 0) return 'utf-16be';
  return 'utf-8';
}

/**
 * Decodes bytes pushed in chunks. The BOM picks the encoding (UTF-8 when
 * there is none) and is dropped; TextDecoder in streaming mode keeps characters
 * split across chunk boundaries intact. Invalid bytes become U+FFFD rather than
 * failing the file.
 */
export class BomDecoder {
  private decoder: InstanceType<typeof TextDecoder> | undefined;
  // Up to three bytes are needed to recognise a BOM; chunks may be smaller.
  private pending: Buffer = Buffer.alloc(0);

  push(raw: Uint8Array): string {
    const chunk = Buffer.isBuffer(raw) ? raw : Buffer.from(raw);
    if (this.decoder !== undefined) return this.decoder.decode(chunk, { stream: true });
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    if (this.pending.length < 3) return '';
    this.decoder = new TextDecoder(encodingFromBom(this.pending));
    return this.decoder.decode(this.pending, { stream: true });
  }

  end(): string {
    // A file shorter than a BOM never got a decoder.
    return this.decoder === undefined ? new TextDecoder(encodingFromBom(this.pending)).decode(this.pending) : this.decoder.decode();
  }
}

/** Decodes a byte stream to text chunks (see BomDecoder). */
export async function* decodeText(bytes: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  const decoder = new BomDecoder();
  const reader = (bytes as ObservedReadable)[TEXT_READER];
  for await (const raw of bytes) {
    const text = decoder.push(raw);
    if (text.length > 0) {
      reader?.text(text);
      yield text;
    }
  }
  const rest = decoder.end();
  if (rest.length > 0) {
    reader?.text(rest);
    yield rest;
  }
  reader?.end();
}

/**
 * Splits text chunks into numbered lines on LF, dropping a CR before it. A last
 * line without a newline is still a line; a trailing newline does not make an
 * empty extra line. Only the current line is held in memory.
 */
export async function* splitLines(chunks: AsyncIterable<string>, display = '', maxChars: number = MAX_LINE_CHARS): AsyncGenerator<TextLine> {
  let parts: string[] = [];
  let partsLength = 0;
  let line = 1;
  for await (const chunk of chunks) {
    let start = 0;
    let newline = chunk.indexOf('\n', start);
    while (newline !== -1) {
      let text = chunk.slice(start, newline);
      if (parts.length > 0) {
        parts.push(text);
        text = parts.join('');
        parts = [];
        partsLength = 0;
      }
      yield { text: text.endsWith('\r') ? text.slice(0, -1) : text, line };
      line += 1;
      start = newline + 1;
      newline = chunk.indexOf('\n', start);
    }
    if (start < chunk.length) {
      partsLength += chunk.length - start;
      if (partsLength > maxChars) {
        throw new InputError(`line is longer than ${recordBoundText(maxChars)}; refused`, display, line);
      }
      parts.push(start === 0 ? chunk : chunk.slice(start));
    }
  }
  if (parts.length > 0) {
    const text = parts.join('');
    yield { text: text.endsWith('\r') ? text.slice(0, -1) : text, line };
  }
}

const ERRNO_TEXT: Readonly<Record<string, string>> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'is a directory',
  EMFILE: 'too many open files',
  EIO: 'I/O error',
  // A FIFO or socket: every input is read more than once (sniff, then read), which a pipe cannot do.
  ESPIPE: 'it is a pipe, and inputs are read more than once; save it to a file first',
  Z_DATA_ERROR: 'corrupt gzip data',
  Z_BUF_ERROR: 'truncated gzip data',
};

/**
 * A one-line description of an error from reading a file (fs or zlib), or
 * undefined when the error is not an I/O problem — then it is a bug and must
 * not be dressed up as bad input.
 */
export function describeReadError(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const code = (error as NodeJS.ErrnoException).code;
  if (typeof code !== 'string') return undefined;
  if (code.startsWith('Z_')) return `cannot read gzip data: ${ERRNO_TEXT[code] ?? code}`;
  if (!/^E[A-Z]+$/.test(code)) return undefined;
  return `cannot read file: ${ERRNO_TEXT[code] ?? code.toLowerCase()} (${code})`;
}
