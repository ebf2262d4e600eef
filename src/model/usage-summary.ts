import type { EventCategory } from './entities.js';
import type { SourceRef } from './source.js';
import type { Instant } from './time.js';

/*
 * A pre-folded usage summary: what the usage fold would hold for one key
 * after folding its events, computed elsewhere (the SQL `nhi-audit sql`
 * prints, run in Athena, Trino or DuckDB) and read back as an input. The
 * correlator merges it into the fold exactly as if the events had been
 * folded here.
 */

/** A moment of use and the record that shows it (for a summary: the summary row, naming the original log object and event). */
export interface SummaryRef {
  readonly time: Instant;
  readonly source: SourceRef;
}

/** The distinct-value sets of the fold, by name. */
export const SUMMARY_SET_NAMES = ['actions', 'services', 'providers', 'tenants', 'environments', 'networks', 'userAgents', 'workloads'] as const;
export type SummarySetName = (typeof SUMMARY_SET_NAMES)[number];

/** A capped set as the summary states it: the values kept, each with its first sighting, and how many distinct values there were. */
export interface SummarySet {
  readonly values: readonly { readonly value: string; readonly firstSeen: SummaryRef }[];
  /** Distinct values seen, kept or not: more than `values.length` means the set overflowed its cap. */
  readonly total: number;
}

/**
 * What the summary is about: one key of the fold (an identity, a credential,
 * a credential named without an identity), or the log's span as a whole or
 * for one tenant (`firstUse`/`lastUse` are then the earliest and latest event).
 */
export const SUMMARY_SCOPES = ['identity', 'credential', 'credential-only', 'log', 'tenant'] as const;
export type SummaryScope = (typeof SUMMARY_SCOPES)[number];

export interface UsageSummary {
  readonly scope: SummaryScope;
  /** The key as the events wrote it; empty for `log`. */
  readonly key: string;
  readonly events: number;
  readonly ownActions: number;
  readonly failures: number;
  readonly refreshes: number;
  readonly interactiveLogins: number;
  readonly firstUse: SummaryRef | null;
  readonly lastUse: SummaryRef | null;
  readonly lastFailure: SummaryRef | null;
  readonly lastRefresh: SummaryRef | null;
  readonly lastInteractiveLogin: SummaryRef | null;
  readonly deepestChain: (SummaryRef & { readonly depth: number; readonly chain: readonly string[] }) | null;
  readonly sets: Readonly<Partial<Record<SummarySetName, SummarySet>>>;
  /** Successful revocations and deletions, earliest first. */
  readonly terminations: readonly (SummaryRef & { readonly category: EventCategory })[];
  readonly source: SourceRef;
}
