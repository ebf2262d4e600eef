/*
 * A reader thread of a parallel scan: reads the files it is handed, in the
 * order handed, and sends their events to the main thread in numbered
 * batches (event-batch.ts) for it to fold, then, per file, the inventory
 * records for the main thread to add in path order. Only a few batches wait
 * at a time: reading pauses until the main thread has folded one.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { DiscoveredFile } from '../ingest/discover.js';
import { ingest } from '../ingest/ingest.js';
import { prefetchFile, type Prefetched } from '../ingest/prefetch.js';
import { KnownError, type NormalizedRecord } from '../model/index.js';
import { EventBatchWriter } from './event-batch.js';
import type { FromWorker, ToWorker, WorkerSetup } from './parallel-protocol.js';

/** Batches sent and not yet folded before reading waits: enough that the main thread never runs dry. */
const BATCHES_IN_FLIGHT = 4;

const port = parentPort;
if (port === null) throw new Error('scan-worker must run as a worker thread');
const setup = workerData as WorkerSetup;
const options = { strict: setup.strict, readAhead: false, inputType: new Map(setup.inputTypes), ...(setup.maxRecordChars === undefined ? {} : { maxRecordChars: setup.maxRecordChars }) };
const send = (message: FromWorker, transfer: ArrayBuffer[] = []): void => port.postMessage(message, transfer);
const writer = new EventBatchWriter();
let inFlight = 0;
let resume: (() => void) | undefined;

/** Sends the batch so far; the promise, when there is one, settles once the main thread has room for more. */
function sendBatch(): Promise<void> | undefined {
  const taken = writer.take();
  if (taken === undefined) return undefined;
  send({ type: 'events', batch: taken.batch }, taken.transfer);
  inFlight += 1;
  return inFlight < BATCHES_IN_FLIGHT ? undefined : new Promise((settle) => (resume = settle));
}

async function readFile(index: number, file: DiscoveredFile, prefetched: Prefetched): Promise<void> {
  const records: Exclude<NormalizedRecord, { kind: 'event' }>[] = [];
  let events = 0;
  const result = await ingest([file], { ...options, prefetched: new Map([[file.path, prefetched]]) }, (record) => {
    if (record.kind !== 'event') {
      records.push(record);
      return undefined;
    }
    events += 1;
    return writer.add(record.record) ? sendBatch() : undefined;
  });
  // The file's last events go before its records, so the main thread has folded them when it takes the file.
  await sendBatch();
  send({ type: 'file', index, records, events, inputs: result.inputs, skipped: result.skipped });
}

async function readOrReport(index: number, file: DiscoveredFile, prefetched: Prefetched): Promise<void> {
  try {
    await readFile(index, file, prefetched);
  } catch (error) {
    // The scan stops at this file: its events not yet sent must not go with the next file's.
    writer.take();
    // Known errors cross as data (classes do not survive the message); the main thread rebuilds them.
    if (error instanceof KnownError) {
      send({ type: 'known-error', index, kind: error.kind, message: error.message, file: error.file, line: error.line });
    } else {
      send({ type: 'bug', index, message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    }
  }
}

// Files are parsed one after another in the order they were handed; the main thread hands the next before
// this one ends, and its bytes are read and inflated (in the thread pool) while this one is parsed.
let queue: Promise<void> = Promise.resolve();
port.on('message', (message: ToWorker) => {
  if (message.type === 'folded') {
    inFlight -= 1;
    if (inFlight < BATCHES_IN_FLIGHT && resume !== undefined) {
      const settle = resume;
      resume = undefined;
      settle();
    }
    return;
  }
  const file = setup.files[message.index];
  if (file === undefined) return;
  const prefetched = prefetchFile(file.path);
  queue = queue.then(() => readOrReport(message.index, file, prefetched));
});
