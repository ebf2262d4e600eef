/* Messages between a parallel scan and its worker threads (structured-clone data only). */
import type { FoldData } from '../correlate/index.js';
import type { DiscoveredFile } from '../ingest/discover.js';
import type { InputSummary, NormalizedRecord, SkippedInput } from '../model/index.js';

export interface WorkerSetup {
  readonly files: readonly DiscoveredFile[];
  readonly strict: boolean;
  readonly maxRecordChars?: number;
  readonly inputTypes: readonly (readonly [string, string])[];
}

export type ToWorker = { readonly type: 'read'; readonly index: number } | { readonly type: 'finish' };

export type FromWorker =
  | {
      readonly type: 'file';
      readonly index: number;
      /** Everything but events, in the order the adapter yielded it. */
      readonly records: readonly Exclude<NormalizedRecord, { kind: 'event' }>[];
      readonly events: number;
      readonly inputs: readonly InputSummary[];
      readonly skipped: readonly SkippedInput[];
    }
  | { readonly type: 'fold'; readonly fold: FoldData }
  | {
      readonly type: 'known-error';
      readonly index: number;
      readonly kind: 'usage' | 'config' | 'input';
      readonly message: string;
      readonly file: string | undefined;
      readonly line: number | undefined;
    }
  | { readonly type: 'bug'; readonly index: number; readonly message: string };
