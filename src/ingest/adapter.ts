import type { Readable } from 'node:stream';
import type { NormalizedRecord, RecordKind } from '../model/index.js';

/** A numbered line of text; `line` is 1-based. */
export interface TextLine {
  readonly text: string;
  readonly line: number;
}

/**
 * An input file opened for reading. `.gz` is decompressed transparently and a
 * UTF-8/UTF-16 BOM removed, so adapters only ever see text. Each call starts
 * a fresh read of the file.
 */
export interface InputSource {
  /** Path for messages and evidence: relative to the working directory, `/` separators. */
  readonly display: string;
  /** Absolute path on disk. */
  readonly path: string;
  /** The longest line or streamed JSON element (characters) a reader may hold; longer is an input error. */
  readonly maxRecordChars: number;
  /** Decompressed bytes as a stream. */
  bytes(): Readable;
  /** Lines, streamed; never the whole file in one string. Handles LF and CRLF. */
  lines(): AsyncIterable<TextLine>;
  /**
   * The whole decoded text. Only for formats that are small by nature
   * (configuration and inventory documents), never for logs.
   */
  text(): Promise<string>;
}

/** What detection gets to look at: the start of the decoded content and the name. */
export interface Sniff {
  readonly display: string;
  /** Base name without a `.gz` suffix, lower-cased. */
  readonly name: string;
  /** Up to the first 64 KiB of decoded text, BOM removed. */
  readonly head: string;
  /** True when `head` is the whole file. */
  readonly complete: boolean;
}

/** Passed to an adapter while it reads one file. */
export interface AdapterContext {
  /** The start of the file as detection saw it: adapters read it from here instead of opening the file again. */
  readonly sniff: Sniff;
  /**
   * One record cannot be used: say why, with its line (0 if none). The record is
   * skipped and the scan goes on; under `--strict` this throws and the scan stops.
   */
  skip(line: number, message: string): void;
}

/**
 * One adapter per native format. It knows its format and the model, nothing
 * else: it never sees rules, reporters or other files.
 */
export interface Adapter {
  /** Stable id, shown in reports and accepted by `--input-type`, e.g. `canonical-events`. */
  readonly id: string;
  readonly provider: string;
  readonly title: string;
  /** How detection recognises the format, in words, for `nhi-audit formats`. */
  readonly detection: string;
  readonly yields: readonly RecordKind[];
  /** Decide from content (and, only as a tie-breaker, the name) whether this adapter reads the file. */
  detect(sniff: Sniff): boolean;
  /**
   * Stream the file's records. Problems with single records go to `ctx.skip`;
   * a file that cannot be read at all throws an InputError (with a line when known).
   */
  read(input: InputSource, ctx: AdapterContext): AsyncIterable<NormalizedRecord>;
}
