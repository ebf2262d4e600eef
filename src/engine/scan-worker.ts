/*
 * A worker thread of a parallel scan: reads the files it is handed, folds
 * their events itself and sends back, per file, the inventory records (for
 * the main thread to add in path order) and, at the end, its whole fold as
 * plain data. Events never cross threads; only their fold does.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { UsageFold } from '../correlate/index.js';
import type { DiscoveredFile } from '../ingest/discover.js';
import { ingest } from '../ingest/ingest.js';
import { KnownError, type NormalizedRecord } from '../model/index.js';
import type { FromWorker, ToWorker, WorkerSetup } from './parallel-protocol.js';

const port = parentPort;
if (port === null) throw new Error('scan-worker must run as a worker thread');
const setup = workerData as WorkerSetup;
const fold = new UsageFold();
const send = (message: FromWorker): void => port.postMessage(message);

async function readFile(index: number, file: DiscoveredFile): Promise<void> {
  const records: Exclude<NormalizedRecord, { kind: 'event' }>[] = [];
  let events = 0;
  const result = await ingest([file], { strict: setup.strict, readAhead: false, inputType: new Map(setup.inputTypes), ...(setup.maxRecordChars === undefined ? {} : { maxRecordChars: setup.maxRecordChars }) }, (record) => {
    if (record.kind === 'event') {
      fold.add(record.record);
      events += 1;
    } else {
      records.push(record);
    }
  });
  send({ type: 'file', index, records, events, inputs: result.inputs, skipped: result.skipped });
}

port.on('message', (message: ToWorker) => {
  if (message.type === 'finish') {
    send({ type: 'fold', fold: fold.toData() });
    port.close();
    return;
  }
  const file = setup.files[message.index];
  if (file === undefined) return;
  readFile(message.index, file).catch((error: unknown) => {
    // Known errors cross as data (classes do not survive the message); the main thread rebuilds them.
    if (error instanceof KnownError) {
      send({ type: 'known-error', index: message.index, kind: error.kind, message: error.message, file: error.file, line: error.line });
    } else {
      send({ type: 'bug', index: message.index, message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    }
  });
});
