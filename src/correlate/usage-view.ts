import type { Inventory } from './inventory.js';
import { UsageAccumulator } from './accumulator.js';
import { delegationKey, type UsageFold } from './usage.js';
import type { LogCoverage, UsageStats, UsageView } from './views.js';

/**
 * Answers usage questions in terms of the inventory: an identity's usage is
 * the union of what events recorded under its id, its aliases, and its
 * credentials when an event named only the credential.
 */
export class CorrelatedUsage implements UsageView {
  private readonly identityCache = new Map<string, UsageStats | null>();

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
    return this.fold.byPrincipal.get(principalId)?.stats() ?? null;
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

function combine(parts: readonly UsageAccumulator[]): UsageStats | null {
  if (parts.length === 0) return null;
  if (parts.length === 1) return parts[0]?.stats() ?? null;
  const total = new UsageAccumulator();
  for (const part of parts) total.merge(part);
  return total.stats();
}
