import type { EventCategory } from '../model/index.js';
import type { Inventory } from './inventory.js';
import { TERMINATION_CAP, UsageAccumulator } from './accumulator.js';
import { compareActivity } from './capped-set.js';
import { delegationKey, splitDelegationKey, type UsageFold } from './usage.js';
import type { ActivityRef, LogCoverage, TerminationRef, UsageStats, UsageView } from './views.js';

/**
 * Ends of an identity, naming no credential, that end its delegation for
 * everyone it acted for: its grant or consent removed (revoke), its access
 * disconnected, or the identity deleted. A credential-delete naming no key
 * (an app lost *a* secret) is not one of them.
 */
const DELEGATION_ENDS: ReadonlySet<EventCategory> = new Set<EventCategory>(['revoke', 'disconnect', 'identity-delete']);

/**
 * Answers usage questions in terms of the inventory: an identity's usage is
 * the union of what events recorded under its id, its aliases, and its
 * credentials when an event named only the credential.
 */
export class CorrelatedUsage implements UsageView {
  private readonly identityCache = new Map<string, UsageStats | null>();
  private readonly principalCache = new Map<string, UsageStats | null>();
  /** Principal → identity references that acted for it, from the delegation keys; built on first use. */
  private actorsByPrincipal: Map<string, string[]> | undefined;

  constructor(
    private readonly fold: UsageFold,
    private readonly inventory: Inventory,
  ) {}

  coverage(): LogCoverage | null {
    return this.fold.coverage();
  }

  coverageOf(tenant: string): LogCoverage | null {
    return this.fold.coverageOf(tenant);
  }

  tenantsSeen(): readonly string[] {
    return this.fold.tenantsSeen();
  }

  forIdentity(identityId: string): UsageStats | null {
    const id = this.inventory.resolveIdentity(identityId);
    if (id === undefined) return this.fold.byIdentityRef.get(identityId)?.stats() ?? null;
    const cached = this.identityCache.get(id);
    if (cached !== undefined) return cached;
    const parts: UsageAccumulator[] = [];
    for (const ref of this.inventory.referencesOf(id)) {
      const part = this.fold.byIdentityRef.get(ref);
      if (part !== undefined) parts.push(part);
    }
    for (const credential of this.inventory.credentialsOf(id)) {
      const part = this.fold.byCredentialOnly.get(credential.id);
      if (part !== undefined) parts.push(part);
    }
    const stats = combine(parts);
    this.identityCache.set(id, stats);
    return stats;
  }

  forCredential(credentialId: string): UsageStats | null {
    return this.fold.byCredential.get(credentialId)?.stats() ?? null;
  }

  forPrincipal(principalId: string): UsageStats | null {
    const cached = this.principalCache.get(principalId);
    if (cached !== undefined) return cached;
    const own = this.fold.byPrincipal.get(principalId)?.stats() ?? null;
    const ends: TerminationRef[] = [];
    for (const credentialId of this.credentialsActingFor(principalId)) {
      for (const end of this.forCredential(credentialId)?.terminations ?? []) ends.push({ ...end, credential: credentialId });
    }
    for (const actor of this.identitiesActingFor(principalId)) {
      const regranted = this.lastConsentOf(actor);
      for (const end of this.forIdentity(actor)?.terminations ?? []) {
        if (end.credential !== undefined || !DELEGATION_ENDS.has(end.category)) continue;
        // Consent given again at or after the removal: the grant was replaced, the delegation went on.
        if (end.category !== 'identity-delete' && regranted !== null && regranted.time >= end.time) continue;
        ends.push(end);
      }
    }
    let stats = own;
    if (ends.length > 0) {
      const base = own ?? new UsageAccumulator().stats();
      stats = { ...base, terminations: uniqueTerminations([...base.terminations, ...ends]) };
    }
    this.principalCache.set(principalId, stats);
    return stats;
  }

  credentialsActingFor(principalId: string): readonly string[] {
    const ids = new Set(this.fold.credentialsByPrincipal.get(principalId) ?? []);
    for (const credential of this.inventory.credentialsActingFor(principalId)) ids.add(credential.id);
    return [...ids].sort();
  }

  /** The latest consent recorded under any reference of the identity. */
  private lastConsentOf(identityRef: string): ActivityRef | null {
    const id = this.inventory.resolveIdentity(identityRef);
    const refs = id === undefined ? [identityRef] : this.inventory.referencesOf(id);
    let latest: ActivityRef | null = null;
    for (const ref of refs) {
      const at = this.fold.lastConsent.get(ref);
      if (at !== undefined && (latest === null || compareActivity(at, latest) > 0)) latest = at;
    }
    return latest;
  }

  /** Identity references (resolved where the inventory knows them) that events show acting for the principal. */
  private identitiesActingFor(principalId: string): readonly string[] {
    if (this.actorsByPrincipal === undefined) {
      const index = new Map<string, string[]>();
      for (const key of this.fold.byDelegation.keys()) {
        const { actor, principal } = splitDelegationKey(key);
        // A delegation key names the identity, else the credential when the event named no identity.
        if (!this.fold.byIdentityRef.has(actor)) continue;
        const list = index.get(principal);
        if (list === undefined) index.set(principal, [actor]);
        else list.push(actor);
      }
      this.actorsByPrincipal = index;
    }
    const refs = this.actorsByPrincipal.get(principalId) ?? [];
    return [...new Set(refs.map((ref) => this.inventory.resolveIdentity(ref) ?? ref))].sort();
  }

  forDelegation(identityId: string, principalId: string): UsageStats | null {
    const id = this.inventory.resolveIdentity(identityId);
    const refs = id === undefined ? [identityId] : [...this.inventory.referencesOf(id)];
    if (id !== undefined) refs.push(...this.inventory.credentialsOf(id).map((credential) => credential.id));
    const parts: UsageAccumulator[] = [];
    for (const ref of new Set(refs)) {
      const part = this.fold.byDelegation.get(delegationKey(ref, principalId));
      if (part !== undefined) parts.push(part);
    }
    return combine(parts);
  }

  unresolvedCredentials(): readonly string[] {
    return [...this.fold.byCredentialOnly.keys()].filter((ref) => this.inventory.credential(ref) === undefined).sort();
  }

  unresolvedIdentities(): readonly string[] {
    const unresolved: string[] = [];
    for (const ref of this.fold.byIdentityRef.keys()) {
      if (this.inventory.resolveIdentity(ref) === undefined) unresolved.push(ref);
    }
    return unresolved.sort();
  }
}

/** Sorted, one entry per record and credential (an event can reach a principal both directly and through its credential). */
function uniqueTerminations(refs: readonly TerminationRef[]): TerminationRef[] {
  const seen = new Map<string, TerminationRef>();
  for (const ref of [...refs].sort(compareActivity)) {
    const key = `${ref.source.file}\u0000${ref.source.line}\u0000${ref.source.pointer ?? ''}\u0000${ref.credential ?? ''}`;
    if (!seen.has(key)) seen.set(key, ref);
  }
  return [...seen.values()].slice(0, TERMINATION_CAP);
}

function combine(parts: readonly UsageAccumulator[]): UsageStats | null {
  if (parts.length === 0) return null;
  if (parts.length === 1) return parts[0]?.stats() ?? null;
  const total = new UsageAccumulator();
  for (const part of parts) total.merge(part);
  return total.stats();
}
