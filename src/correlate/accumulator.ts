import { OWN_ACTION_CATEGORIES, SUMMARY_SET_NAMES, TERMINATION_CATEGORIES, type Event, type SummarySetName, type UsageSummary } from '../model/index.js';
import { ActionDays, dayOf, type ActionDaysData } from './action-days.js';
import { compareActivity, type CappedSetData } from './capped-set.js';
import { doubleArray, packIfEarlier, packIfLater, unpack } from './evidence.js';
import { SetGroup } from './set-group.js';
import { eventFacts, type EventFacts } from './event-facts.js';
import type { ActivityRef, ChainRef, CreationRef, TerminationRef, UsageStats } from './views.js';

/** Distinct values kept per set; beyond this a set only says "more". */
export const DISTINCT_CAP = 64;
/** Termination events kept per key (earliest first); real keys see a handful. */
export const TERMINATION_CAP = 32;

/** Hops kept of the deepest delegation chain; deeper chains keep their true depth. */
const CHAIN_CAP = 16;

/** The deeper chain wins; on equal depth the earlier event, so merges are order-free. */
function deeper(current: ChainRef | null, candidate: ChainRef | null): ChainRef | null {
  if (candidate === null) return current;
  if (current === null) return candidate;
  if (candidate.depth !== current.depth) return candidate.depth > current.depth ? candidate : current;
  return compareActivity(candidate, current) < 0 ? candidate : current;
}

function earlierCreation(current: CreationRef | null, candidate: CreationRef | null): CreationRef | null {
  if (candidate === null) return current;
  if (current === null) return candidate;
  return compareActivity(candidate, current) < 0 ? candidate : current;
}

const SET_NAMES = SUMMARY_SET_NAMES;
type SetName = SummarySetName;
const EMPTY_DAYS: ReadonlyMap<string, never> = new Map<string, never>();
const EMPTY_DATA: CappedSetData = { values: new Map(), overflowed: false };

/** Sets whose values no rule cites with an event line: they keep no first sighting. */
const WITHOUT_EVIDENCE: ReadonlySet<SetName> = new Set(['services', 'providers', 'networks', 'workloads']);
/** Each set's number in an accumulator's SetGroup. */
const ACTIONS = SET_NAMES.indexOf('actions');
const SERVICES = SET_NAMES.indexOf('services');
const PROVIDERS = SET_NAMES.indexOf('providers');
const TENANTS = SET_NAMES.indexOf('tenants');
const ENVIRONMENTS = SET_NAMES.indexOf('environments');
const NETWORKS = SET_NAMES.indexOf('networks');
const USER_AGENTS = SET_NAMES.indexOf('userAgents');
const WORKLOADS = SET_NAMES.indexOf('workloads');
const SET_EVIDENCE: readonly boolean[] = SET_NAMES.map((name) => !WITHOUT_EVIDENCE.has(name));

/** Slots of the kept refs, in AccumulatorData.refs order. */
const REF = { firstUse: 0, lastUse: 1, lastFailure: 2, lastRefresh: 3, lastInteractiveLogin: 4, firstRefresh: 5, lastReuse: 6 } as const;
/** Per slot: it keeps the earliest sighting (else the latest). */
const KEEPS_EARLIEST: readonly boolean[] = [true, false, false, false, false, true, false];

/** An accumulator as plain data (see UsageAccumulator.toData). */
export interface AccumulatorData {
  /** events, ownActions, failures, refreshes, interactiveLogins, reuses */
  readonly counts: [number, number, number, number, number, number];
  /** firstUse, lastUse, lastFailure, lastRefresh, lastInteractiveLogin, firstRefresh, lastReuse */
  readonly refs: [
    ActivityRef | null,
    ActivityRef | null,
    ActivityRef | null,
    ActivityRef | null,
    ActivityRef | null,
    ActivityRef | null,
    ActivityRef | null,
  ];
  readonly creation: CreationRef | null;
  readonly tracksDays: boolean;
  readonly actionDays: { readonly actions: ActionDaysData; readonly overflowed: boolean } | null;
  readonly deepestChain: ChainRef | null;
  readonly sets: Readonly<Record<SetName, CappedSetData>>;
  readonly terminations: readonly TerminationRef[];
}

const NO_TERMINATIONS: readonly TerminationRef[] = Object.freeze([]);

/**
 * The fold of every event that named one key. `add` takes one event; `merge`
 * combines two folds exactly (commutative and associative), which is what
 * lets keys be folded separately — per alias, per pre-folded summary — and joined later.
 */
export class UsageAccumulator {
  /** `tracksDays`: keep per-action days of use (identity keys only: they cost memory per action). */
  constructor(readonly tracksDays = false) {}

  private events = 0;
  private ownActions = 0;
  private failures = 0;
  /**
   * The kept first and last sightings (REF order), three numbers each
   * (evidence.ts), grown as far as the highest slot written. As objects, each
   * event's ref lived on as some key's last use until a later event replaced
   * it: by then it had outlived the young generation, so every event left
   * garbage in the old one.
   */
  private refs: number[] | null = null;
  /** actions, services, providers, tenants, environments, networks, userAgents, workloads (SET_NAMES order). */
  private readonly sets = new SetGroup(DISTINCT_CAP, SET_EVIDENCE);
  private deepestChain: ChainRef | null = null;
  private refreshes = 0;
  private reuses = 0;
  private creation: CreationRef | null = null;
  private actionDays: ActionDays | undefined;
  private interactiveLogins = 0;
  /** Replaced, never changed in place: most keys share the one empty list. */
  private terminations: readonly TerminationRef[] = NO_TERMINATIONS;

  /** Folds one event; `facts` are what UsageFold derived once for all the keys the event names. */
  add(event: Event, facts: EventFacts = eventFacts(event)): void {
    this.events += 1;
    const at = facts.at;
    if (TERMINATION_CATEGORIES.has(event.category)) {
      // A refused revoke or delete ended nothing.
      if (event.outcome === 'success') {
        this.addTerminations([{ ...at, category: event.category, ...(event.credential === null ? {} : { credential: event.credential }) }]);
      }
      return;
    }
    if (event.category === 'token-reuse') {
      this.reuses += 1;
      this.keepLater(REF.lastReuse, at);
      return;
    }
    if (event.category === 'credential-create') {
      if (event.outcome === 'success') {
        // Adapters record who did a lifecycle action as the first hop (an assumed-role session as its role).
        const creation: CreationRef = { ...at, by: event.actorChain[0] ?? null, interactive: event.actorInteractive ?? null };
        this.creation = earlierCreation(this.creation, creation);
      }
      return;
    }
    if (!OWN_ACTION_CATEGORIES.has(event.category)) return;

    this.ownActions += 1;
    if (event.outcome === 'failure') {
      this.failures += 1;
      this.keepLater(REF.lastFailure, at);
      return;
    }
    this.keepEarlier(REF.firstUse, at);
    this.keepLater(REF.lastUse, at);
    // Token issue and refresh are how the delegate gets to act, not actions within its scopes.
    if (event.category !== 'token-issue' && event.category !== 'token-refresh') {
      if (event.action !== null) {
        this.sets.add(ACTIONS, event.action, at);
        if (this.tracksDays) (this.actionDays ??= new ActionDays(DISTINCT_CAP)).add(event.action, dayOf(event.time));
      }
      if (facts.service !== null) this.sets.add(SERVICES, facts.service, at);
    }
    if (event.provider !== undefined) this.sets.add(PROVIDERS, event.provider, at);
    const depth = event.actorChain.length;
    if (depth > 0) {
      const deepest = this.deepestChain;
      // Build the chain record only when it would win.
      if (deepest === null || depth > deepest.depth || (depth === deepest.depth && compareActivity(at, deepest) < 0)) {
        // Spelled out: a spread of `at` gave each record a property array of its own (3 MB at 400 k events).
        this.deepestChain = { time: at.time, source: at.source, depth, chain: event.actorChain.slice(0, CHAIN_CAP) };
      }
    }
    if (event.tenant !== null) this.sets.add(TENANTS, event.tenant, at);
    if (event.environment !== null) this.sets.add(ENVIRONMENTS, event.environment, at);
    if (facts.network !== null) this.sets.add(NETWORKS, facts.network, at);
    if (event.userAgent !== null) this.sets.add(USER_AGENTS, event.userAgent, at);
    if (facts.workload !== null) this.sets.add(WORKLOADS, facts.workload, at);
    if (event.category === 'token-refresh') {
      this.refreshes += 1;
      this.keepEarlier(REF.firstRefresh, at);
      this.keepLater(REF.lastRefresh, at);
    }
    if (event.category === 'login-interactive') {
      this.interactiveLogins += 1;
      this.keepLater(REF.lastInteractiveLogin, at);
    }
  }

  merge(other: UsageAccumulator): void {
    this.events += other.events;
    this.ownActions += other.ownActions;
    this.failures += other.failures;
    this.mergeRefs(other.refList());
    this.sets.merge(other.sets, SET_NAMES.length);
    this.deepestChain = deeper(this.deepestChain, other.deepestChain);
    this.refreshes += other.refreshes;
    this.reuses += other.reuses;
    this.creation = earlierCreation(this.creation, other.creation);
    if (other.actionDays !== undefined) (this.actionDays ??= new ActionDays(DISTINCT_CAP)).merge(other.actionDays);
    this.interactiveLogins += other.interactiveLogins;
    this.addTerminations(other.terminations);
  }

  stats(): UsageStats {
    const days = this.actionDays?.view();
    const [firstUse, lastUse, lastFailure, lastRefresh, lastInteractiveLogin, firstRefresh, lastReuse] = this.refList();
    return {
      events: this.events,
      ownActions: this.ownActions,
      failures: this.failures,
      firstUse,
      lastUse,
      lastFailure,
      actions: this.sets.view(ACTIONS),
      services: this.sets.view(SERVICES),
      providers: this.sets.view(PROVIDERS),
      deepestChain: this.deepestChain,
      tenants: this.sets.view(TENANTS),
      environments: this.sets.view(ENVIRONMENTS),
      networks: this.sets.view(NETWORKS),
      userAgents: this.sets.view(USER_AGENTS),
      workloads: this.sets.view(WORKLOADS),
      refreshes: this.refreshes,
      firstRefresh,
      lastRefresh,
      reuses: this.reuses,
      lastReuse,
      creation: this.creation,
      actionDays: days?.days ?? EMPTY_DAYS,
      actionDaysOverflow: days?.overflow ?? false,
      interactiveLogins: this.interactiveLogins,
      lastInteractiveLogin,
      terminations: this.terminations,
    };
  }

  /** Plain data for a worker message; `fromData` rebuilds an equal accumulator. */
  toData(): AccumulatorData {
    const sets = {} as Record<SetName, CappedSetData>;
    for (const [index, name] of SET_NAMES.entries()) sets[name] = this.sets.toData(index);
    return {
      counts: [this.events, this.ownActions, this.failures, this.refreshes, this.interactiveLogins, this.reuses],
      refs: this.refList(),
      creation: this.creation,
      tracksDays: this.tracksDays,
      actionDays: this.actionDays?.toData() ?? null,
      deepestChain: this.deepestChain,
      sets,
      terminations: this.terminations,
    };
  }

  static fromData(data: AccumulatorData): UsageAccumulator {
    const accumulator = new UsageAccumulator(data.tracksDays);
    [accumulator.events, accumulator.ownActions, accumulator.failures, accumulator.refreshes, accumulator.interactiveLogins, accumulator.reuses] =
      data.counts;
    accumulator.mergeRefs(data.refs);
    accumulator.creation = data.creation;
    if (data.actionDays !== null) accumulator.actionDays = ActionDays.fromData(DISTINCT_CAP, data.actionDays);
    accumulator.deepestChain = data.deepestChain;
    accumulator.terminations = [...data.terminations];
    for (const [index, name] of SET_NAMES.entries()) accumulator.sets.addData(index, data.sets[name]);
    return accumulator;
  }

  /**
   * The accumulator a pre-folded summary describes (the SQL export's result
   * read back): what folding the summarised events here would have built.
   */
  static fromSummary(summary: UsageSummary): UsageAccumulator {
    const sets = {} as Record<SetName, CappedSetData>;
    for (const name of SET_NAMES) {
      const set = summary.sets[name];
      if (set === undefined) {
        sets[name] = EMPTY_DATA;
        continue;
      }
      const kept = [...set.values].sort((a, b) => (a.value < b.value ? -1 : a.value > b.value ? 1 : 0)).slice(0, DISTINCT_CAP);
      sets[name] = { values: new Map(kept.map(({ value, firstSeen }) => [value, firstSeen])), overflowed: set.total > kept.length };
    }
    const chain = summary.deepestChain;
    return UsageAccumulator.fromData({
      // The SQL export does not (yet) carry detected reuses, the first refresh, the creator of a key or
      // per-action days of use: a summary leaves them unknown (the README lists this difference).
      counts: [summary.events, summary.ownActions, summary.failures, summary.refreshes, summary.interactiveLogins, 0],
      refs: [summary.firstUse, summary.lastUse, summary.lastFailure, summary.lastRefresh, summary.lastInteractiveLogin, null, null],
      creation: null,
      tracksDays: false,
      actionDays: null,
      deepestChain: chain === null ? null : { time: chain.time, source: chain.source, depth: chain.depth, chain: chain.chain.slice(0, CHAIN_CAP) },
      sets,
      terminations: [...summary.terminations].sort(compareActivity).slice(0, TERMINATION_CAP),
    });
  }

  /** The kept refs in REF order (AccumulatorData's), null where none was kept. */
  private refList(): AccumulatorData['refs'] {
    const refs = this.refs;
    const at = (slot: number): ActivityRef | null =>
      refs === null || refs.length <= slot * 3 || !Number.isFinite(refs[slot * 3]) ? null : unpack(refs, slot * 3);
    return [at(0), at(1), at(2), at(3), at(4), at(5), at(6)];
  }

  private mergeRefs(refs: AccumulatorData['refs']): void {
    for (let slot = 0; slot < refs.length; slot += 1) {
      const ref = refs[slot] ?? null;
      if (ref === null) continue;
      if (KEEPS_EARLIEST[slot] === true) this.keepEarlier(slot, ref);
      else this.keepLater(slot, ref);
    }
  }

  private keepEarlier(slot: number, at: ActivityRef): void {
    packIfEarlier(this.room(slot), slot * 3, at);
  }

  private keepLater(slot: number, at: ActivityRef): void {
    packIfLater(this.room(slot), slot * 3, at);
  }

  /** `refs`, grown to hold `slot`; a slot not yet written holds the time nothing can beat. */
  private room(slot: number): number[] {
    const refs = this.refs;
    if (refs !== null && refs.length > slot * 3) return refs;
    const used = refs?.length ?? 0;
    const grown = doubleArray((slot + 1) * 3);
    for (let index = 0; index < used; index += 1) grown[index] = refs?.[index] ?? 0;
    for (let index = used / 3; index <= slot; index += 1) grown[index * 3] = KEEPS_EARLIEST[index] === true ? Infinity : -Infinity;
    this.refs = grown;
    return grown;
  }

  private addTerminations(refs: readonly TerminationRef[]): void {
    if (refs.length === 0) return;
    // Keep the earliest: a revocation's first occurrence is what lifecycle rules compare against.
    this.terminations = [...this.terminations, ...refs].sort(compareActivity).slice(0, TERMINATION_CAP);
  }
}
