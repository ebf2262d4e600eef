/*
 * Parallel ingestion: reader threads parse files, handed out in path order,
 * and send their events back in batches, which this thread folds as they
 * come (the fold does not depend on event order). Inventory records come
 * back per file and are added in path order — the order a single-threaded
 * scan uses, so merges of the same record from two sources resolve
 * identically. The report is therefore the same whatever the number of
 * readers, and there is one fold, not one per thread to merge.
 */
import { Worker } from 'node:worker_threads';
import type { Correlator } from '../correlate/index.js';
import type { DiscoveredFile } from '../ingest/discover.js';
import type { IngestResult } from '../ingest/ingest.js';
import { ConfigError, InputError, UsageError, type InputSummary, type KnownError, type SkippedInput } from '../model/index.js';
import { EventBatchReader } from './event-batch.js';
import type { FromWorker, ToWorker, WorkerSetup } from './parallel-protocol.js';

/** Files a reader holds at once: the one it reads and the next, so it never waits to be handed one. */
const FILES_AHEAD = 2;

export interface ParallelOptions {
  readonly strict: boolean;
  readonly maxRecordChars?: number;
  readonly inputTypes: ReadonlyMap<string, string>;
  /** Reader threads; this thread folds what they read. */
  readonly readers: number;
  /** Told when a file's results have been taken in (in path order). */
  readonly onFileDone?: (index: number, file: DiscoveredFile, records: number) => void;
}

/**
 * The compiled worker. Under the test runner this module is TypeScript in
 * src/, which a worker thread cannot load: use the built copy in dist/ then.
 */
function workerUrl(): URL {
  return import.meta.url.endsWith('.ts')
    ? new URL('../../dist/engine/scan-worker.js', import.meta.url)
    : new URL('./scan-worker.js', import.meta.url);
}

type FileResult = Extract<FromWorker, { type: 'file' }>;
type Failure = { readonly index: number; readonly error: Error };

function rebuild(message: Extract<FromWorker, { type: 'known-error' }>): KnownError {
  switch (message.kind) {
    case 'usage':
      return new UsageError(message.message, message.file, message.line);
    case 'config':
      return new ConfigError(message.message, message.file, message.line);
    case 'input':
      return new InputError(message.message, message.file, message.line);
  }
}

export async function ingestInWorkers(
  files: readonly DiscoveredFile[],
  options: ParallelOptions,
  correlator: Correlator,
): Promise<IngestResult> {
  if (files.length === 0) return { inputs: [], skipped: [] };
  const setup: WorkerSetup = { files, strict: options.strict, inputTypes: [...options.inputTypes], ...(options.maxRecordChars === undefined ? {} : { maxRecordChars: options.maxRecordChars }) };
  const workers = Array.from({ length: Math.max(1, Math.min(options.readers, files.length)) }, () => new Worker(workerUrl(), { workerData: setup }));
  const inputs: InputSummary[] = [];
  const skipped: SkippedInput[] = [];
  const pending = new Map<number, FileResult>();
  let nextToTake = 0;
  let nextToHand = 0;
  let failure: Failure | undefined;

  try {
    await new Promise<void>((resolve, reject) => {
      const fail = (found: Failure): void => {
        // Keep the failure of the earliest file, as a single-threaded scan would have met it first.
        if (failure === undefined || found.index < failure.index) failure = found;
        if (nextToTake >= failure.index) reject(failure.error);
      };
      const handOut = (worker: Worker): void => {
        if (nextToHand >= files.length) return;
        const message: ToWorker = { type: 'read', index: nextToHand++ };
        worker.postMessage(message);
      };
      const take = (): void => {
        for (let result = pending.get(nextToTake); result !== undefined; result = pending.get(nextToTake)) {
          pending.delete(nextToTake);
          for (const record of result.records) correlator.add(record);
          inputs.push(...result.inputs);
          skipped.push(...result.skipped);
          const file = files[nextToTake];
          if (file !== undefined) options.onFileDone?.(nextToTake, file, result.records.length + result.events);
          nextToTake += 1;
        }
        if (failure !== undefined && nextToTake >= failure.index) reject(failure.error);
        else if (nextToTake === files.length) resolve();
      };
      const folded: ToWorker = { type: 'folded' };
      for (const worker of workers) {
        const reader = new EventBatchReader();
        worker.on('message', (message: FromWorker) => {
          switch (message.type) {
            case 'events':
              try {
                reader.read(message.batch, (event, facts) => correlator.addEvent(event, facts));
              } catch (error) {
                // A bug in the fold: the scan fails with it (exit 3), rather than the process in a message handler.
                reject(error);
                return;
              }
              worker.postMessage(folded);
              return;
            case 'file':
              // Its events were sent first, on the same channel: they are folded already.
              pending.set(message.index, message);
              take();
              handOut(worker);
              return;
            case 'known-error':
              fail({ index: message.index, error: rebuild(message) });
              return;
            case 'bug':
              fail({ index: message.index, error: new Error(`worker failed: ${message.message}`) });
              return;
          }
        });
        worker.on('error', reject);
        for (let held = 0; held < FILES_AHEAD; held += 1) handOut(worker);
      }
    });
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
  return { inputs, skipped };
}
