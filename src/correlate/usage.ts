import type { Event, Instant, UsageSummary } from '../model/index.js';
import { UsageAccumulator } from './accumulator.js';
import { eventFacts, type EventFacts } from './event-facts.js';
import { compareActivity } from './capped-set.js';
import type { ActivityRef, LogCoverage } from './views.js';

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
  /**
   * Principal → credentials an event named together with it (use, issue,
   * refresh, consent, revoke): the link that lets a revocation naming only the
   * credential end the principal's delegation. Grows with credentials, not events.
   */
  readonly credentialsByPrincipal = new Map<string, Set<string>>();
  /**
   * Identity reference → its latest successful consent or grant. A grant removed
   * and then given again (Entra writes an update as Remove + Add delegated
   * permission grant) did not end the delegation.
   */
  readonly lastConsent = new Map<string, ActivityRef>();
  private from: Instant | null = null;
  private to: Instant | null = null;
  private count = 0;
  /** Log span per tenant: tenants are few (accounts, projects), so this stays small. */
  private readonly tenantSpans = new Map<string, { from: Instant; to: Instant; events: number }>();

  /** `facts`: what eventFacts gives, when the caller derived them already. */
  add(event: Event, facts: EventFacts = eventFacts(event)): void {
    this.count += 1;
    if (this.from === null || event.time < this.from) this.from = event.time;
    if (this.to === null || event.time > this.to) this.to = event.time;
    if (event.tenant !== null) widen(this.tenantSpans, event.tenant, { from: event.time, to: event.time, events: 1 });
    if (event.category === 'consent' && event.outcome === 'success' && event.identity !== null) laterConsent(this.lastConsent, event.identity, facts.at);
    if (event.identity !== null) accumulator(this.byIdentityRef, event.identity, true).add(event, facts);
    if (event.credential !== null) {
      accumulator(this.byCredential, event.credential).add(event, facts);
      if (event.identity === null) accumulator(this.byCredentialOnly, event.credential, true).add(event, facts);
    }
    if (event.onBehalfOf !== null) {
      accumulator(this.byPrincipal, event.onBehalfOf).add(event, facts);
      const actor = event.identity ?? event.credential;
      if (actor !== null) accumulator(this.byDelegation, delegationKey(actor, event.onBehalfOf)).add(event, facts);
      if (event.credential !== null) link(this.credentialsByPrincipal, event.onBehalfOf, [event.credential]);
    }
  }

  /**
   * Merges a pre-folded summary (a row of the SQL export's result) as if its
   * events had been folded here: a key's summary joins that key's
   * accumulator, a log or tenant span widens the fold's span.
   */
  addSummary(summary: UsageSummary): void {
    switch (summary.scope) {
      case 'log':
        this.count += summary.events;
        if (summary.firstUse !== null && (this.from === null || summary.firstUse.time < this.from)) this.from = summary.firstUse.time;
        if (summary.lastUse !== null && (this.to === null || summary.lastUse.time > this.to)) this.to = summary.lastUse.time;
        return;
      case 'tenant':
        if (summary.firstUse !== null && summary.lastUse !== null) {
          widen(this.tenantSpans, summary.key, { from: summary.firstUse.time, to: summary.lastUse.time, events: summary.events });
        }
        return;
      case 'identity':
        return accumulator(this.byIdentityRef, summary.key).merge(UsageAccumulator.fromSummary(summary));
      case 'credential':
        return accumulator(this.byCredential, summary.key).merge(UsageAccumulator.fromSummary(summary));
      case 'credential-only':
        return accumulator(this.byCredentialOnly, summary.key).merge(UsageAccumulator.fromSummary(summary));
    }
  }

  coverage(): LogCoverage | null {
    if (this.from === null || this.to === null) return null;
    return { from: this.from, to: this.to, events: this.count };
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

/** The actor and principal of a `delegationKey`. */
export function splitDelegationKey(key: string): { readonly actor: string; readonly principal: string } {
  const at = key.indexOf(PAIR);
  return { actor: key.slice(0, at), principal: key.slice(at + 1) };
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

function laterConsent(map: Map<string, ActivityRef>, identity: string, at: ActivityRef): void {
  const known = map.get(identity);
  if (known === undefined || compareActivity(at, known) > 0) map.set(identity, at);
}

function link(map: Map<string, Set<string>>, key: string, values: Iterable<string>): void {
  let set = map.get(key);
  if (set === undefined) {
    set = new Set();
    map.set(key, set);
  }
  for (const value of values) set.add(value);
}
