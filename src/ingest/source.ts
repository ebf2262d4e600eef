import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { PassThrough, pipeline, Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { InputError } from '../model/index.js';
import type { InputSource, TextLine } from './adapter.js';
import type { Prefetched } from './prefetch.js';

/*
 * Opening input files: gzip by magic bytes, BOM-driven decoding, and a line
 * splitter that streams. Everything here is lazy — nothing touches the disk
 * until a reader asks — so errors surface where the caller can attribute them
 * to the file.
 */

const GZIP_MAGIC = [0x1f, 0x8b] as const;

/** Whether bytes start with the gzip magic: how a file is known to be gzip, whatever its name. */
export function startsGzip(head: Uint8Array): boolean {
  return head.length >= GZIP_MAGIC.length && head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1];
}

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

/**
 * @param chunkBytes bytes per read and per inflated chunk: large for reading
 * a file through, small for a look at its head (see SNIFF_CHUNK_BYTES).
 */
export function openInput(
  path: string,
  display: string,
  observer?: TextObserver,
  maxRecordChars: number = MAX_LINE_CHARS,
  chunkBytes: number = READ_CHUNK_BYTES,
  prefetched?: Prefetched,
): InputSource {
  const bytes = (): Readable => openBytes(path, observer, chunkBytes, prefetched);
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
/**
 * Bytes per read for a look at a file's head (detection needs 64 Ki characters):
 * with the large chunks a whole delivered CloudTrail file is read and a fifth of
 * it inflated just to be looked at, then again by the adapter.
 */
export const SNIFF_CHUNK_BYTES = 16 * 1024;

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
function openBytes(path: string, observer: TextObserver | undefined, chunkBytes: number, prefetched: Prefetched | undefined): Readable {
  const out: ObservedPassThrough = new PassThrough({ highWaterMark: chunkBytes });
  if (observer !== undefined) out[TEXT_READER] = observer.open();
  void (async () => {
    const whole = await prefetched;
    if (out.destroyed) return;
    if (whole !== undefined) {
      // Read ahead already: hand it over in the same chunks a read would give.
      pipeline(Readable.from(chunksOf(whole, chunkBytes), { objectMode: false }), out, () => undefined);
      return;
    }
    let gzip: boolean;
    try {
      gzip = await startsWithGzipMagic(path);
    } catch (error) {
      out.destroy(error as Error);
      return;
    }
    // The reader may have given up while we peeked.
    if (out.destroyed) return;
    const file = createReadStream(path, { highWaterMark: chunkBytes });
    // pipeline destroys every stage with the error, so the reader of `out` sees it;
    // the callback only has to exist.
    const done = (): void => undefined;
    if (gzip) pipeline(file, createGunzip({ chunkSize: chunkBytes }), out, done);
    else pipeline(file, out, done);
  })();
  return out;
}

function* chunksOf(bytes: Buffer, chunkBytes: number): Generator<Buffer> {
  for (let at = 0; at < bytes.length; at += chunkBytes) yield bytes.subarray(at, at + chunkBytes);
}

async function startsWithGzipMagic(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(GZIP_MAGIC.length);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    return startsGzip(head.subarray(0, bytesRead));
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
 * there is none) and is dropped; characters split across chunk boundaries are
 * kept intact. Invalid bytes become U+FFFD rather than failing the file.
 * UTF-8 — nearly every export — is decoded with Buffer#toString up to the
 * last whole character of each chunk, carrying the few bytes of a split one
 * over: TextDecoder in streaming mode decodes at less than half that speed.
 */
export class BomDecoder {
  private decoder: InstanceType<typeof TextDecoder> | undefined;
  private utf8 = false;
  // Up to three bytes are needed to recognise a BOM; chunks may be smaller.
  private pending: Buffer = Buffer.alloc(0);
  /** UTF-8: the start of a character the last chunk cut off (at most three bytes). */
  private carry: Buffer = EMPTY_BYTES;

  push(raw: Uint8Array): string {
    const chunk = Buffer.isBuffer(raw) ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
    if (this.utf8) return this.pushUtf8(chunk);
    if (this.decoder !== undefined) return this.decoder.decode(chunk, { stream: true });
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    if (this.pending.length < 3) return '';
    const encoding = encodingFromBom(this.pending);
    const head = this.pending;
    this.pending = EMPTY_BYTES;
    if (encoding !== 'utf-8') {
      this.decoder = new TextDecoder(encoding);
      return this.decoder.decode(head, { stream: true });
    }
    this.utf8 = true;
    return this.pushUtf8(hasUtf8Bom(head) ? head.subarray(3) : head);
  }

  end(): string {
    if (this.utf8) {
      // A character still cut off at the end is invalid: one U+FFFD, as TextDecoder gives.
      const rest = this.carry.length === 0 ? '' : this.carry.toString('utf8');
      this.carry = EMPTY_BYTES;
      return rest;
    }
    if (this.decoder !== undefined) return this.decoder.decode();
    // A file shorter than a BOM never got a decoder.
    const head = this.pending;
    if (encodingFromBom(head) !== 'utf-8') return new TextDecoder(encodingFromBom(head)).decode(head);
    return (hasUtf8Bom(head) ? head.subarray(3) : head).toString('utf8');
  }

  private pushUtf8(chunk: Buffer): string {
    let start = 0;
    let prefix = '';
    if (this.carry.length > 0) {
      // Complete the cut-off character with the continuation bytes that open this chunk.
      const needed = utf8Length(this.carry[0] ?? 0) - this.carry.length;
      let take = 0;
      while (take < needed && take < chunk.length && isContinuation(chunk[take] ?? 0)) take += 1;
      if (take < needed && take === chunk.length) {
        this.carry = Buffer.concat([this.carry, chunk]);
        return '';
      }
      prefix = Buffer.concat([this.carry, chunk.subarray(0, take)]).toString('utf8');
      this.carry = EMPTY_BYTES;
      start = take;
    }
    const cut = wholeCharactersEnd(chunk, start);
    if (cut < chunk.length) this.carry = Buffer.from(chunk.subarray(cut));
    const body = cut > start ? chunk.toString('utf8', start, cut) : '';
    return prefix.length === 0 ? body : prefix + body;
  }
}

const EMPTY_BYTES = Buffer.alloc(0);

function hasUtf8Bom(head: Buffer): boolean {
  return head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf;
}

function isContinuation(byte: number): boolean {
  return (byte & 0xc0) === 0x80;
}

/** Bytes of the UTF-8 sequence a lead byte opens (1 for ASCII and for bytes that open none). */
function utf8Length(lead: number): number {
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  if (lead >= 0xe0) return lead <= 0xef ? 3 : 1;
  if (lead >= 0xc2) return 2;
  return 1;
}

/**
 * Where the last complete character of chunk[start…] ends: the end, unless the
 * final one to three bytes open a multi-byte character that the next chunk completes.
 */
function wholeCharactersEnd(chunk: Buffer, start: number): number {
  const end = chunk.length;
  for (let back = 1; back <= 3 && end - back >= start; back += 1) {
    const byte = chunk[end - back] ?? 0;
    if (isContinuation(byte)) continue;
    // A lead byte: the character is whole if its sequence fits in what is left.
    return utf8Length(byte) > back ? end - back : end;
  }
  return end;
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
