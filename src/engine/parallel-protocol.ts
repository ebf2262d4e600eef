/* Messages between a parallel scan and its reader threads (structured-clone data only). */
import type { DiscoveredFile } from '../ingest/discover.js';
import type { InputSummary, NormalizedRecord, SkippedInput } from '../model/index.js';
import type { EventBatch } from './event-batch.js';

export interface WorkerSetup {
  readonly files: readonly DiscoveredFile[];
  readonly strict: boolean;
  readonly maxRecordChars?: number;
  readonly inputTypes: readonly (readonly [string, string])[];
}

/** `read` queues a file; `folded` says one more batch of events was folded, so the reader may send another. */
export type ToWorker = { readonly type: 'read'; readonly index: number } | { readonly type: 'folded' };

export type FromWorker =
  | { readonly type: 'events'; readonly batch: EventBatch }
  | {
      readonly type: 'file';
      readonly index: number;
      /** Everything but events, in the order the adapter yielded it. Its events came before, as batches. */
      readonly records: readonly Exclude<NormalizedRecord, { kind: 'event' }>[];
      readonly events: number;
      readonly inputs: readonly InputSummary[];
      readonly skipped: readonly SkippedInput[];
    }
  | {
      readonly type: 'known-error';
      readonly index: number;
      readonly kind: 'usage' | 'config' | 'input';
      readonly message: string;
      readonly file: string | undefined;
      readonly line: number | undefined;
    }
  | { readonly type: 'bug'; readonly index: number; readonly message: string };
