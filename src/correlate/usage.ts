import type { Event, Instant } from '../model/index.js';
import { UsageAccumulator, type AccumulatorData } from './accumulator.js';
import { eventFacts } from './event-facts.js';
import type { LogCoverage } from './views.js';

/** A fold as plain data, to cross from a worker thread (see UsageFold.toData). */
export interface FoldData {
  readonly maps: Readonly<Record<FoldMapName, ReadonlyMap<string, AccumulatorData>>>;
  readonly span: { readonly from: Instant | null; readonly to: Instant | null; readonly count: number };
  readonly tenantSpans: ReadonlyMap<string, LogCoverage>;
}

const FOLD_MAPS = ['byIdentityRef', 'byCredentialOnly', 'byCredential', 'byPrincipal', 'byDelegation'] as const;
type FoldMapName = (typeof FOLD_MAPS)[number];

/** Separator for composite keys; cannot occur in ids read from text formats. */
const PAIR = '\u0000';

/**
 * Folds events into per-key accumulators as they stream past; the events
 * themselves are dropped. Keys are the references exactly as events wrote
 * them: resolving aliases needs the whole inventory, so it happens at query time.
 */
export class UsageFold {
  readonly byIdentityRef = new Map<string, UsageAccumulator>();
  /** Events that named a credential but no identity; attributed via the credential's owner at query time. */
  readonly byCredentialOnly = new Map<string, UsageAccumulator>();
  readonly byCredential = new Map<string, UsageAccumulator>();
  readonly byPrincipal = new Map<string, UsageAccumulator>();
  readonly byDelegation = new Map<string, UsageAccumulator>();
  private from: Instant | null = null;
  private to: Instant | null = null;
  private count = 0;
  /** Log span per tenant: tenants are few (accounts, projects), so this stays small. */
  private readonly tenantSpans = new Map<string, { from: Instant; to: Instant; events: number }>();

  add(event: Event): void {
    this.count += 1;
    if (this.from === null || event.time < this.from) this.from = event.time;
    if (this.to === null || event.time > this.to) this.to = event.time;
    if (event.tenant !== null) widen(this.tenantSpans, event.tenant, { from: event.time, to: event.time, events: 1 });
    const facts = eventFacts(event);
    if (event.identity !== null) accumulator(this.byIdentityRef, event.identity, true).add(event, facts);
    if (event.credential !== null) {
      accumulator(this.byCredential, event.credential).add(event, facts);
      if (event.identity === null) accumulator(this.byCredentialOnly, event.credential, true).add(event, facts);
    }
    if (event.onBehalfOf !== null) {
      accumulator(this.byPrincipal, event.onBehalfOf).add(event, facts);
      const actor = event.identity ?? event.credential;
      if (actor !== null) accumulator(this.byDelegation, delegationKey(actor, event.onBehalfOf)).add(event, facts);
    }
  }

  /** Joins another fold (e.g. a worker's) into this one. */
  merge(other: UsageFold): void {
    this.count += other.count;
    if (other.from !== null && (this.from === null || other.from < this.from)) this.from = other.from;
    if (other.to !== null && (this.to === null || other.to > this.to)) this.to = other.to;
    mergeMaps(this.byIdentityRef, other.byIdentityRef);
    mergeMaps(this.byCredentialOnly, other.byCredentialOnly);
    mergeMaps(this.byCredential, other.byCredential);
    mergeMaps(this.byPrincipal, other.byPrincipal);
    mergeMaps(this.byDelegation, other.byDelegation);
    for (const [tenant, span] of other.tenantSpans) widen(this.tenantSpans, tenant, span);
  }

  coverage(): LogCoverage | null {
    if (this.from === null || this.to === null) return null;
    return { from: this.from, to: this.to, events: this.count };
  }

  toData(): FoldData {
    const maps = {} as Record<FoldMapName, Map<string, AccumulatorData>>;
    for (const name of FOLD_MAPS) maps[name] = new Map([...this[name]].map(([key, value]) => [key, value.toData()]));
    return { maps, span: { from: this.from, to: this.to, count: this.count }, tenantSpans: new Map(this.tenantSpans) };
  }

  static fromData(data: FoldData): UsageFold {
    const fold = new UsageFold();
    for (const name of FOLD_MAPS) {
      for (const [key, value] of data.maps[name]) fold[name].set(key, UsageAccumulator.fromData(value));
    }
    fold.from = data.span.from;
    fold.to = data.span.to;
    fold.count = data.span.count;
    for (const [tenant, span] of data.tenantSpans) fold.tenantSpans.set(tenant, { ...span });
    return fold;
  }

  /** The span of events that named this tenant, or null when none did. */
  coverageOf(tenant: string): LogCoverage | null {
    return this.tenantSpans.get(tenant) ?? null;
  }

  /** Tenants that events named, sorted. */
  tenantsSeen(): readonly string[] {
    return [...this.tenantSpans.keys()].sort();
  }
}

function widen(spans: Map<string, { from: Instant; to: Instant; events: number }>, tenant: string, span: LogCoverage): void {
  const known = spans.get(tenant);
  if (known === undefined) {
    spans.set(tenant, { ...span });
    return;
  }
  if (span.from < known.from) known.from = span.from;
  if (span.to > known.to) known.to = span.to;
  known.events += span.events;
}

export function delegationKey(actor: string, principal: string): string {
  return `${actor}${PAIR}${principal}`;
}

/** `tracksDays` for identity keys: only they keep per-action days of use. */
function accumulator(map: Map<string, UsageAccumulator>, key: string, tracksDays = false): UsageAccumulator {
  let found = map.get(key);
  if (found === undefined) {
    found = new UsageAccumulator(tracksDays);
    map.set(key, found);
  }
  return found;
}

function mergeMaps(into: Map<string, UsageAccumulator>, from: ReadonlyMap<string, UsageAccumulator>): void {
  for (const [key, value] of from) accumulator(into, key, value.tracksDays).merge(value);
}
