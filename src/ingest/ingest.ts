import {
  RECORD_KINDS,
  formatInstant,
  InputError,
  UsageError,
  type Instant,
  type InputSummary,
  type NormalizedRecord,
  type RecordKind,
  type SecretSighting,
  type SkippedInput,
} from '../model/index.js';
import type { Adapter, AdapterContext, InputSource, Sniff } from './adapter.js';
import type { DiscoveredFile } from './discover.js';
import { adapterById, detectAdapter } from './registry.js';
import { FileSecrets } from './secrets.js';
import { PREFETCH_DEPTH, prefetchFile, type Prefetched } from './prefetch.js';
import { readSniff } from './sniff.js';
import { decodeText, describeReadError, openInput, SNIFF_CHUNK_BYTES } from './source.js';

export interface IngestOptions {
  /** Any skipped record or file throws an InputError instead of being reported. */
  readonly strict: boolean;
  /** `--input-type`: adapter id per file, keyed by display path or absolute path. */
  readonly inputType?: ReadonlyMap<string, string>;
  /** The longest line or JSON element read, in characters (`scan --max-record-mb`); default MAX_LINE_CHARS. */
  readonly maxRecordChars?: number;
  /**
   * Read the next files ahead while one is parsed (default true). A caller
   * that hands ingest one file at a time has no next file to read ahead.
   */
  readonly readAhead?: boolean;
  /** Files the caller read ahead itself, by path (a reader thread, handed files one at a time, reads the next while parsing one). */
  readonly prefetched?: ReadonlyMap<string, Prefetched>;
  /** Called as each file starts (0-based index), e.g. for a progress display. */
  readonly onFile?: (index: number, file: DiscoveredFile) => void;
}

export interface IngestResult {
  /** Files that an adapter read, in the order given. */
  readonly inputs: InputSummary[];
  /** Records and files that could not be used, in the order met. */
  readonly skipped: SkippedInput[];
}

export const UNRECOGNISED_MESSAGE =
  'unrecognised format; see `nhi-audit formats` for what is read and how it is detected, ' +
  'or name the format with --input-type <type>=<path>';

// Fixed key order for InputSummary.records, so reports do not depend on record order.
const KIND_ORDER = RECORD_KINDS;

/**
 * Reads every file with its adapter, streaming normalized records to
 * `onRecord`. A problem with a record or a file is recorded and the rest goes
 * on — or, with `strict`, thrown at once as an InputError. Errors that are not
 * about the input (bugs, and anything `onRecord` throws) propagate unchanged.
 * When `onRecord` returns a promise, reading waits for it.
 */
export async function ingest(
  files: readonly DiscoveredFile[],
  options: IngestOptions,
  onRecord: (record: NormalizedRecord) => void | Promise<void>,
): Promise<IngestResult> {
  // Resolve every override first: a mistyped --input-type is a usage error before any reading.
  const overrides = new Map<string, Adapter>();
  for (const file of files) {
    const id = options.inputType?.get(file.display) ?? options.inputType?.get(file.path);
    if (id === undefined) continue;
    const adapter = adapterById(id);
    if (adapter === undefined) {
      throw new UsageError(`unknown input type "${id}" for ${file.display}; see \`nhi-audit formats\``);
    }
    overrides.set(file.path, adapter);
  }

  const inputs: InputSummary[] = [];
  const skipped: SkippedInput[] = [];

  // The next files are read and inflated in the thread pool while this one is parsed. Each read
  // takes several thread-pool steps, and a step waits for this thread to start the next: reading
  // more than one file ahead keeps one in progress while the thread is busy.
  const readAhead = options.readAhead ?? true;
  const ahead: (Prefetched | undefined)[] = readAhead ? files.slice(0, PREFETCH_DEPTH + 1).map((file) => prefetchFile(file.path)) : [];
  for (const [index, file] of files.entries()) {
    const prefetched = ahead.shift() ?? options.prefetched?.get(file.path);
    const next = files[index + PREFETCH_DEPTH + 1];
    if (readAhead && next !== undefined) ahead.push(prefetchFile(next.path));
    options.onFile?.(index, file);
    let fileSkips = 0;
    const report = (line: number, message: string): void => {
      if (options.strict) throw new InputError(message, file.display, line);
      skipped.push({ file: file.display, line, message });
      fileSkips += 1;
    };
    // Secret detection watches every read of the file the adapter makes, so no byte goes unscanned.
    const secrets = new FileSecrets(file.display);
    const input = openInput(file.path, file.display, secrets, options.maxRecordChars, undefined, prefetched);

    // One look at the head serves both detection and the adapter. It is read in small chunks and
    // not watched for secrets: the adapter's read (or the dedicated one below) passes every byte.
    let sniff: Sniff;
    try {
      sniff = await readSniff(openInput(file.path, file.display, undefined, options.maxRecordChars, SNIFF_CHUNK_BYTES, prefetched));
    } catch (error) {
      const problem = asInputProblem(error);
      report(problem.line, problem.message);
      continue;
    }
    const adapter = overrides.get(file.path) ?? detectAdapter(sniff);
    if (adapter === undefined) {
      report(0, UNRECOGNISED_MESSAGE);
      // A file no adapter reads (a key file, a config dump) is still scanned: that is where raw secrets sit.
      for (const sighting of await scanSecrets(input, secrets, true, report)) await onRecord({ kind: 'secret', record: sighting });
      continue;
    }

    const counts = new Map<RecordKind, number>();
    let first: Instant | undefined;
    let last: Instant | undefined;
    const ctx: AdapterContext = { skip: report, sniff };
    // What onRecord throws is the caller's, never the input's: it must pass through untouched.
    let consumerFailed = false;
    let readFailed = false;
    try {
      for await (const record of adapter.read(input, ctx)) {
        counts.set(record.kind, (counts.get(record.kind) ?? 0) + 1);
        if (record.kind === 'event') {
          const time = record.record.time;
          if (first === undefined || time < first) first = time;
          if (last === undefined || time > last) last = time;
        }
        consumerFailed = true;
        // A consumer that cannot keep up (a worker whose batches wait to be folded) makes reading wait.
        const waiting = onRecord(record);
        if (waiting !== undefined) await waiting;
        consumerFailed = false;
      }
    } catch (error) {
      if (consumerFailed) throw error;
      // Under strict, `report` threw this already-located InputError: let it out as is.
      if (options.strict && error instanceof InputError && error.file !== undefined) throw error;
      const problem = asInputProblem(error);
      report(problem.line, problem.message);
      readFailed = true;
    }

    // A sighting is a record like any other: counted in the file's summary, never an input error.
    for (const sighting of await scanSecrets(input, secrets, readFailed, report)) {
      counts.set('secret', (counts.get('secret') ?? 0) + 1);
      await onRecord({ kind: 'secret', record: sighting });
    }

    const records: Partial<Record<RecordKind, number>> = {};
    for (const kind of KIND_ORDER) {
      const count = counts.get(kind);
      if (count !== undefined) records[kind] = count;
    }
    const summary: InputSummary = { file: file.display, format: adapter.id, records, skipped: fileSkips };
    inputs.push(
      first === undefined || last === undefined
        ? summary
        : { ...summary, window: { from: formatInstant(first), to: formatInstant(last) } },
    );
  }
  return { inputs, skipped };
}

/**
 * The file's secret sightings. When the adapter's reads stopped before the end
 * (it needed only part of the file, or gave up on it), one more read passes
 * the rest through detection. If that read fails too, the problem is reported
 * once: not again when the adapter already reported the file.
 */
async function scanSecrets(
  input: InputSource,
  secrets: FileSecrets,
  readFailed: boolean,
  report: (line: number, message: string) => void,
): Promise<SecretSighting[]> {
  if (!secrets.complete) {
    try {
      // Reading is the scan: the observer sees every chunk.
      for await (const chunk of decodeText(input.bytes())) void chunk;
    } catch (error) {
      const problem = asInputProblem(error);
      if (!readFailed) report(problem.line, problem.message);
    }
  }
  return secrets.sightings();
}

/**
 * The line and message of an error that is the input's fault; rethrows
 * anything else, since that is a bug and must not be reported as bad input.
 */
function asInputProblem(error: unknown): { line: number; message: string } {
  if (error instanceof InputError) return { line: error.line ?? 0, message: error.message };
  const described = describeReadError(error);
  if (described !== undefined) return { line: 0, message: described };
  throw error;
}
