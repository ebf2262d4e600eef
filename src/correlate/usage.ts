import {
  OWN_ACTION_CATEGORIES,
  TERMINATION_CATEGORIES,
  type Event,
  type Instant,
} from '../model/index.js';
import { CappedSet, compareActivity, type CappedSetData } from './capped-set.js';
import type { ActivityRef, ChainRef, LogCoverage, TerminationRef, UsageStats } from './views.js';
import { sourceNetwork, workloadKey } from './workload.js';

/** Distinct values kept per set; beyond this a set only says "more". */
export const DISTINCT_CAP = 64;
/** Termination events kept per key (earliest first); real keys see a handful. */
export const TERMINATION_CAP = 32;

/** Hops kept of the deepest delegation chain; deeper chains keep their true depth. */
const CHAIN_CAP = 16;

/**
 * The service an action belongs to: `s3` for AWS `s3:GetObject`, `iam` for a
 * GCP permission `iam.serviceAccountKeys.create`. Null for actions without a
 * service prefix (Kubernetes `get pods`, Entra activity names).
 */
export function serviceOf(action: string): string | null {
  const colon = action.indexOf(':');
  if (colon > 0) return action.slice(0, colon).toLowerCase();
  const dotted = /^([a-z][a-z0-9]*)\.[A-Za-z]/.exec(action);
  return dotted !== null && !action.includes(' ') ? (dotted[1] ?? null) : null;
}

/** What an event contributes to every accumulator it reaches, derived once per event. */
export interface EventFacts {
  readonly at: ActivityRef;
  readonly service: string | null;
  readonly network: string | null;
  readonly workload: string | null;
}

export function eventFacts(event: Event): EventFacts {
  return {
    at: { time: event.time, source: event.source },
    service: event.action === null ? null : serviceOf(event.action),
    network: event.sourceIp === null ? null : sourceNetwork(event.sourceIp),
    workload: workloadKey(event.userAgent, event.sourceIp),
  };
}

/** The deeper chain wins; on equal depth the earlier event, so merges are order-free. */
function deeper(current: ChainRef | null, candidate: ChainRef | null): ChainRef | null {
  if (candidate === null) return current;
  if (current === null) return candidate;
  if (candidate.depth !== current.depth) return candidate.depth > current.depth ? candidate : current;
  return compareActivity(candidate, current) < 0 ? candidate : current;
}

function earlier(current: ActivityRef | null, candidate: ActivityRef | null): ActivityRef | null {
  if (candidate === null) return current;
  if (current === null) return candidate;
  return compareActivity(candidate, current) < 0 ? candidate : current;
}

function later(current: ActivityRef | null, candidate: ActivityRef | null): ActivityRef | null {
  if (candidate === null) return current;
  if (current === null) return candidate;
  return compareActivity(candidate, current) > 0 ? candidate : current;
}

const SET_NAMES = ['actions', 'services', 'providers', 'tenants', 'environments', 'networks', 'userAgents', 'workloads'] as const;
type SetName = (typeof SET_NAMES)[number];
/** What an accumulator reports for a set nothing was added to (sets are created on first use: most keys fill few). */
const EMPTY_VIEW = { values: [], size: 0, overflow: false, firstSeen: new Map() } as const;
const EMPTY_DATA: CappedSetData = { values: new Map(), overflowed: false };

/** Sets whose values no rule cites with an event line: they keep no first sighting. */
const WITHOUT_EVIDENCE: ReadonlySet<SetName> = new Set(['services', 'providers', 'networks', 'workloads']);

/** An accumulator as plain data (see UsageAccumulator.toData). */
export interface AccumulatorData {
  /** events, ownActions, failures, refreshes, interactiveLogins */
  readonly counts: [number, number, number, number, number];
  /** firstUse, lastUse, lastFailure, lastRefresh, lastInteractiveLogin */
  readonly refs: [ActivityRef | null, ActivityRef | null, ActivityRef | null, ActivityRef | null, ActivityRef | null];
  readonly deepestChain: ChainRef | null;
  readonly sets: Readonly<Record<SetName, CappedSetData>>;
  readonly terminations: readonly TerminationRef[];
}

/** A fold as plain data, to cross from a worker thread (see UsageFold.toData). */
export interface FoldData {
  readonly maps: Readonly<Record<FoldMapName, ReadonlyMap<string, AccumulatorData>>>;
  readonly span: { readonly from: Instant | null; readonly to: Instant | null; readonly count: number };
  readonly tenantSpans: ReadonlyMap<string, LogCoverage>;
}

const FOLD_MAPS = ['byIdentityRef', 'byCredentialOnly', 'byCredential', 'byPrincipal', 'byDelegation'] as const;
type FoldMapName = (typeof FOLD_MAPS)[number];

/**
 * The fold of every event that named one key. `add` takes one event; `merge`
 * combines two folds exactly (commutative and associative), which is what
 * lets files be folded separately — per worker, per alias — and joined later.
 */
export class UsageAccumulator {
  private events = 0;
  private ownActions = 0;
  private failures = 0;
  private firstUse: ActivityRef | null = null;
  private lastUse: ActivityRef | null = null;
  private lastFailure: ActivityRef | null = null;
  private actions: CappedSet | undefined;
  private services: CappedSet | undefined;
  private providers: CappedSet | undefined;
  private deepestChain: ChainRef | null = null;
  private tenants: CappedSet | undefined;
  private environments: CappedSet | undefined;
  private networks: CappedSet | undefined;
  private userAgents: CappedSet | undefined;
  private workloads: CappedSet | undefined;
  private refreshes = 0;
  private lastRefresh: ActivityRef | null = null;
  private interactiveLogins = 0;
  private lastInteractiveLogin: ActivityRef | null = null;
  private terminations: TerminationRef[] = [];

  /** Folds one event; `facts` are what UsageFold derived once for all the keys the event names. */
  add(event: Event, facts: EventFacts = eventFacts(event)): void {
    this.events += 1;
    const at = facts.at;
    if (TERMINATION_CATEGORIES.has(event.category)) {
      // A refused revoke or delete ended nothing.
      if (event.outcome === 'success') this.addTerminations([{ ...at, category: event.category }]);
      return;
    }
    if (!OWN_ACTION_CATEGORIES.has(event.category)) return;

    this.ownActions += 1;
    if (event.outcome === 'failure') {
      this.failures += 1;
      this.lastFailure = later(this.lastFailure, at);
      return;
    }
    this.firstUse = earlier(this.firstUse, at);
    this.lastUse = later(this.lastUse, at);
    // Token issue and refresh are how the delegate gets to act, not actions within its scopes.
    if (event.category !== 'token-issue' && event.category !== 'token-refresh') {
      if (event.action !== null) (this.actions ??= new CappedSet(DISTINCT_CAP, true)).add(event.action, at);
      if (facts.service !== null) (this.services ??= new CappedSet(DISTINCT_CAP, false)).add(facts.service, at);
    }
    if (event.provider !== undefined) (this.providers ??= new CappedSet(DISTINCT_CAP, false)).add(event.provider, at);
    const depth = event.actorChain.length;
    if (depth > 0) {
      const deepest = this.deepestChain;
      // Build the chain record only when it would win.
      if (deepest === null || depth > deepest.depth || (depth === deepest.depth && compareActivity(at, deepest) < 0)) {
        this.deepestChain = { ...at, depth, chain: event.actorChain.slice(0, CHAIN_CAP) };
      }
    }
    if (event.tenant !== null) (this.tenants ??= new CappedSet(DISTINCT_CAP, true)).add(event.tenant, at);
    if (event.environment !== null) (this.environments ??= new CappedSet(DISTINCT_CAP, true)).add(event.environment, at);
    if (facts.network !== null) (this.networks ??= new CappedSet(DISTINCT_CAP, false)).add(facts.network, at);
    if (event.userAgent !== null) (this.userAgents ??= new CappedSet(DISTINCT_CAP, true)).add(event.userAgent, at);
    if (facts.workload !== null) (this.workloads ??= new CappedSet(DISTINCT_CAP, false)).add(facts.workload, at);
    if (event.category === 'token-refresh') {
      this.refreshes += 1;
      this.lastRefresh = later(this.lastRefresh, at);
    }
    if (event.category === 'login-interactive') {
      this.interactiveLogins += 1;
      this.lastInteractiveLogin = later(this.lastInteractiveLogin, at);
    }
  }

  merge(other: UsageAccumulator): void {
    this.events += other.events;
    this.ownActions += other.ownActions;
    this.failures += other.failures;
    this.firstUse = earlier(this.firstUse, other.firstUse);
    this.lastUse = later(this.lastUse, other.lastUse);
    this.lastFailure = later(this.lastFailure, other.lastFailure);
    if (other.actions !== undefined) (this.actions ??= new CappedSet(DISTINCT_CAP, true)).merge(other.actions);
    if (other.services !== undefined) (this.services ??= new CappedSet(DISTINCT_CAP, false)).merge(other.services);
    if (other.providers !== undefined) (this.providers ??= new CappedSet(DISTINCT_CAP, false)).merge(other.providers);
    this.deepestChain = deeper(this.deepestChain, other.deepestChain);
    if (other.tenants !== undefined) (this.tenants ??= new CappedSet(DISTINCT_CAP, true)).merge(other.tenants);
    if (other.environments !== undefined) (this.environments ??= new CappedSet(DISTINCT_CAP, true)).merge(other.environments);
    if (other.networks !== undefined) (this.networks ??= new CappedSet(DISTINCT_CAP, false)).merge(other.networks);
    if (other.userAgents !== undefined) (this.userAgents ??= new CappedSet(DISTINCT_CAP, true)).merge(other.userAgents);
    if (other.workloads !== undefined) (this.workloads ??= new CappedSet(DISTINCT_CAP, false)).merge(other.workloads);
    this.refreshes += other.refreshes;
    this.lastRefresh = later(this.lastRefresh, other.lastRefresh);
    this.interactiveLogins += other.interactiveLogins;
    this.lastInteractiveLogin = later(this.lastInteractiveLogin, other.lastInteractiveLogin);
    this.addTerminations(other.terminations);
  }

  stats(): UsageStats {
    return {
      events: this.events,
      ownActions: this.ownActions,
      failures: this.failures,
      firstUse: this.firstUse,
      lastUse: this.lastUse,
      lastFailure: this.lastFailure,
      actions: this.actions?.view() ?? EMPTY_VIEW,
      services: this.services?.view() ?? EMPTY_VIEW,
      providers: this.providers?.view() ?? EMPTY_VIEW,
      deepestChain: this.deepestChain,
      tenants: this.tenants?.view() ?? EMPTY_VIEW,
      environments: this.environments?.view() ?? EMPTY_VIEW,
      networks: this.networks?.view() ?? EMPTY_VIEW,
      userAgents: this.userAgents?.view() ?? EMPTY_VIEW,
      workloads: this.workloads?.view() ?? EMPTY_VIEW,
      refreshes: this.refreshes,
      lastRefresh: this.lastRefresh,
      interactiveLogins: this.interactiveLogins,
      lastInteractiveLogin: this.lastInteractiveLogin,
      terminations: this.terminations,
    };
  }

  /** Plain data for a worker message; `fromData` rebuilds an equal accumulator. */
  toData(): AccumulatorData {
    const sets = {} as Record<SetName, CappedSetData>;
    for (const name of SET_NAMES) sets[name] = this[name]?.toData() ?? EMPTY_DATA;
    return {
      counts: [this.events, this.ownActions, this.failures, this.refreshes, this.interactiveLogins],
      refs: [this.firstUse, this.lastUse, this.lastFailure, this.lastRefresh, this.lastInteractiveLogin],
      deepestChain: this.deepestChain,
      sets,
      terminations: this.terminations,
    };
  }

  static fromData(data: AccumulatorData): UsageAccumulator {
    const accumulator = new UsageAccumulator();
    [accumulator.events, accumulator.ownActions, accumulator.failures, accumulator.refreshes, accumulator.interactiveLogins] = data.counts;
    [accumulator.firstUse, accumulator.lastUse, accumulator.lastFailure, accumulator.lastRefresh, accumulator.lastInteractiveLogin] = data.refs;
    accumulator.deepestChain = data.deepestChain;
    accumulator.terminations = [...data.terminations];
    for (const name of SET_NAMES) {
      const set = data.sets[name];
      if (set.values.size > 0 || set.overflowed) accumulator[name] = CappedSet.fromData(DISTINCT_CAP, set, !WITHOUT_EVIDENCE.has(name));
    }
    return accumulator;
  }

  private addTerminations(refs: readonly TerminationRef[]): void {
    if (refs.length === 0) return;
    // Keep the earliest: a revocation's first occurrence is what lifecycle rules compare against.
    this.terminations = [...this.terminations, ...refs].sort(compareActivity).slice(0, TERMINATION_CAP);
  }
}

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
    if (event.identity !== null) accumulator(this.byIdentityRef, event.identity).add(event, facts);
    if (event.credential !== null) {
      accumulator(this.byCredential, event.credential).add(event, facts);
      if (event.identity === null) accumulator(this.byCredentialOnly, event.credential).add(event, facts);
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

function accumulator(map: Map<string, UsageAccumulator>, key: string): UsageAccumulator {
  let found = map.get(key);
  if (found === undefined) {
    found = new UsageAccumulator();
    map.set(key, found);
  }
  return found;
}

function mergeMaps(into: Map<string, UsageAccumulator>, from: ReadonlyMap<string, UsageAccumulator>): void {
  for (const [key, value] of from) accumulator(into, key).merge(value);
}
