/*
 * Helpers shared by the lifecycle and credential rules (CRED-001…003,
 * LIFE-002/003, OWN-001, TOKEN-002): typed params, credential owners, ages,
 * and the earliest activity after a moment that the usage fold can locate.
 */
import type { ActivityRef, InventoryView, UsageStats } from '../engine/rule-api.js';
import { CREDENTIAL_TYPES, daysBetween, type Credential, type CredentialType, type Identity, type Instant } from '../model/index.js';

/**
 * Validates a `string[]` param naming credential types; a typo in config
 * would otherwise silently make the rule judge nothing.
 */
export function credentialTypesParam(ruleId: string, name: string, values: readonly string[]): ReadonlySet<CredentialType> {
  const known: readonly string[] = CREDENTIAL_TYPES;
  const unknown = values.filter((value) => !known.includes(value));
  if (unknown.length > 0) {
    throw new Error(`${ruleId}: param ${name} names unknown credential types ${unknown.join(', ')} (known: ${known.join(', ')})`);
  }
  return new Set(values as readonly CredentialType[]);
}

/** The identity a credential belongs to, by its holder or its client id. */
export function credentialOwner(credential: Credential, inventory: InventoryView): Identity | undefined {
  return inventory.identity(credential.identity ?? '') ?? inventory.identity(credential.clientId ?? '');
}

/** The owner's id when known, else the reference the credential wrote; null when it names none. */
export function credentialOwnerRef(credential: Credential, inventory: InventoryView): string | null {
  return credentialOwner(credential, inventory)?.id ?? credential.identity ?? credential.clientId;
}

/** `1 day`, `143 days` — whole days between two instants. */
export function daysText(from: Instant, to: Instant): string {
  const days = daysBetween(from, to);
  return `${days} day${days === 1 ? '' : 's'}`;
}

/** The earliest successful own action after a moment that the fold can point to. */
export interface UseAfter extends ActivityRef {
  /** True when it is provably the first such action (the very first use came after the moment). */
  readonly exact: boolean;
}

/**
 * Events are folded, not kept, so "the first use after T" is only exact when
 * the first use of all came after T. Otherwise the earliest of every dated
 * reference the fold keeps (first sighting of each action, tenant, network,
 * user agent…, last refresh, last use) that falls after T is an upper bound:
 * the key was certainly in use after T by then.
 */
export function firstUseAfter(stats: UsageStats | null, after: Instant): UseAfter | null {
  if (stats === null || stats.lastUse === null || stats.lastUse.time <= after) return null;
  if (stats.firstUse !== null && stats.firstUse.time > after) return { ...stats.firstUse, exact: true };
  const candidates: ActivityRef[] = [stats.lastUse];
  for (const ref of [stats.lastRefresh, stats.lastInteractiveLogin]) if (ref !== null) candidates.push(ref);
  for (const set of [stats.actions, stats.services, stats.providers, stats.tenants, stats.environments, stats.networks, stats.userAgents, stats.workloads]) {
    candidates.push(...set.firstSeen.values());
  }
  const earliest = candidates
    .filter((ref) => ref.time > after)
    .sort((a, b) => a.time - b.time || a.source.file.localeCompare(b.source.file) || a.source.line - b.source.line)[0];
  return earliest === undefined ? null : { ...earliest, exact: false };
}
