/*
 * uncorrelated-activity: an actor acts in the logs of a provider and tenant
 * for which an inventory was supplied, yet appears in none of the inventory
 * inputs — activity that cannot be tied to any known identity. An actor a
 * token's RFC 8693 `act` chain names is judged the same way, against the
 * inventory and the approvals.
 */
import { defineRule, type InventoryView, type UsageStats } from '../engine/rule-api.js';
import { formatSource, type Credential, type Identity, type SourceRef } from '../model/index.js';
import { DataReader, activityEvidence, activityTime, dataContent, globMatcher } from './hygiene-support.js';
import { credentialEvidence, formatActivity, listWithMore, partyText, plural } from './support.js';

interface ServiceActor {
  readonly matches: (ref: string) => boolean;
  readonly what: string;
}

function readServiceActors(content: Readonly<Record<string, unknown>>): ServiceActor[] {
  const read = new DataReader('provider-service-actors');
  return read.list(content['actors'], 'actors').map((raw, index) => {
    const entry = read.mapping(raw, `actors[${index}]`);
    read.string(entry['provider'], `actors[${index}].provider`);
    return {
      matches: globMatcher(read.string(entry['pattern'], `actors[${index}].pattern`)),
      what: read.string(entry['what'], `actors[${index}].what`),
    };
  });
}

/** Which providers and tenants the inventory describes, so an actor is only judged where an inventory was given. */
class InventoryScope {
  /** provider → tenants its identities are bound to (empty: the inventory does not say). */
  private readonly tenantsByProvider = new Map<string, Set<string>>();

  constructor(identities: readonly Identity[]) {
    for (const identity of identities) {
      const tenants = this.tenantsByProvider.get(identity.provider) ?? new Set<string>();
      if (identity.tenant !== null) tenants.add(identity.tenant);
      this.tenantsByProvider.set(identity.provider, tenants);
    }
  }

  /** null provider: the log did not say; then any inventory with that tenant counts. */
  covers(provider: string | null, tenant: string | null): boolean {
    const providers = provider === null ? [...this.tenantsByProvider.keys()] : [provider];
    return providers.some((name) => {
      const tenants = this.tenantsByProvider.get(name);
      if (tenants === undefined) return false;
      // Identities without tenants cover the provider as a whole.
      return tenant === null || tenants.size === 0 || tenants.has(tenant);
    });
  }
}

interface Place {
  readonly provider: string | null;
  readonly tenant: string | null;
}

function placeText(place: Place): string {
  if (place.provider === null) return place.tenant === null ? 'logs that name no provider or tenant' : `tenant ${place.tenant}`;
  return place.tenant === null ? place.provider : `${place.provider}/${place.tenant}`;
}

/** Every provider × tenant the actor's own actions were seen in (null where the logs did not say). */
function placesOf(stats: UsageStats): Place[] {
  const providers = stats.providers.values.length === 0 ? [null] : stats.providers.values;
  const tenants = stats.tenants.values.length === 0 ? [null] : stats.tenants.values;
  return providers.flatMap((provider) => tenants.map((tenant) => ({ provider, tenant })));
}

/**
 * Actors that tokens' `act` chains name but that no identity (by id or
 * alias), principal or approval (delegate, principal, approver) accounts for;
 * each with the first token, in evidence order, that names it.
 */
function unaccountedChainActors(inventory: InventoryView): Map<string, Credential> {
  const accounted = new Set<string>();
  for (const approval of inventory.approvals()) {
    for (const ref of [approval.delegate, approval.principal, approval.approver]) if (ref !== null) accounted.add(ref);
  }
  const found = new Map<string, Credential>();
  const tokens = inventory.credentials().filter((credential) => (credential.actorChain?.length ?? 0) > 0);
  for (const token of [...tokens].sort((a, b) => compareSources(a.source, b.source))) {
    for (const actor of token.actorChain ?? []) {
      const ref = actor.sub;
      if (found.has(ref) || accounted.has(ref) || inventory.identity(ref) !== undefined || inventory.principal(ref) !== undefined) continue;
      found.set(ref, token);
    }
  }
  return found;
}

function compareSources(a: SourceRef, b: SourceRef): number {
  return a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line;
}

export const rule = defineRule('NHI-CORR-001', (ctx, sink) => {
  const { inventory, usage } = ctx;
  const chained = inventory.credentials().some((credential) => (credential.actorChain?.length ?? 0) > 0);
  if (usage.coverage() === null && !chained) {
    sink.notEvaluated('no access-log events and no tokens with an act (actor) chain were supplied');
    return;
  }
  const identities = inventory.identities();
  if (identities.length === 0) {
    sink.notEvaluated('no identity inventory was supplied, so no actor in the logs or in token act chains can be checked against it');
    return;
  }

  // An actor a token says acted for its subject is activity as much as a log line is.
  for (const [ref, token] of [...unaccountedChainActors(inventory)].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const chain = (token.actorChain ?? []).map(partyText).join(' → ');
    sink.report({
      messageId: 'uncorrelated-chain-actor',
      message:
        `${ref} acted in the delegation chain of token ${token.id}${token.onBehalfOf === null ? '' : ` for ${token.onBehalfOf}`} (act chain ${chain}) ` +
        `but appears in no inventory input or approval (${formatSource(token.source)}).`,
      subject: { kind: 'identity', id: ref, ...(token.tenant === null ? {} : { tenant: token.tenant }) },
      evidence: [credentialEvidence(token, `token ${token.id}: act chain ${chain}`)],
    });
  }
  if (usage.coverage() === null) {
    sink.note('no access-log events were supplied: only the actors in token act chains were checked against the inventory');
    return;
  }
  const serviceActors = readServiceActors(dataContent(ctx.data, 'provider-service-actors'));
  const scope = new InventoryScope(identities);
  const uncovered = new Map<string, number>();

  const actors = [
    ...usage.unresolvedIdentities().map((ref) => ({ ref, kind: 'identity' as const, stats: usage.forIdentity(ref) })),
    ...usage.unresolvedCredentials().map((ref) => ({ ref, kind: 'credential' as const, stats: usage.forCredential(ref) })),
  ];
  for (const { ref, kind, stats } of actors) {
    // A known person (a principal) or the provider's own machinery is not an unknown actor.
    if (inventory.principal(ref) !== undefined) continue;
    if (serviceActors.some((actor) => actor.matches(ref))) continue;
    if (stats === null || stats.firstUse === null || stats.lastUse === null) continue; // only events about it, none by it
    const places = placesOf(stats);
    const judged = places.filter((place) => scope.covers(place.provider, place.tenant));
    for (const place of places.filter((candidate) => !judged.includes(candidate))) {
      const key = placeText(place);
      uncovered.set(key, (uncovered.get(key) ?? 0) + 1);
    }
    const [where] = judged;
    if (where === undefined) continue;
    const actions = stats.actions.values.length === 0 ? '' : `; actions ${listWithMore(stats.actions.values)}${stats.actions.overflow ? ' and more' : ''}`;
    // A credential alone in the logs: "the token worked", with no identity or credential record behind it.
    const who = kind === 'identity' ? ref : `Credential ${ref}, used with no identity named,`;
    sink.report({
      messageId: kind === 'identity' ? 'uncorrelated-actor' : 'uncorrelated-credential',
      message:
        `${who} acted in ${listWithMore(judged.map(placeText))} but appears in no inventory input for it: ` +
        `${plural(stats.ownActions, 'own action')} from ${formatActivity(stats.firstUse)} to ${formatActivity(stats.lastUse)}${actions}.`,
      subject: {
        kind,
        id: ref,
        ...(where.provider === null ? {} : { provider: where.provider }),
        ...(where.tenant === null ? {} : { tenant: where.tenant }),
      },
      evidence: [
        activityEvidence(`first-use:${kind}:${ref}`, stats.firstUse, `first action of ${ref} at ${activityTime(stats.firstUse)}`),
        activityEvidence(`last-use:${kind}:${ref}`, stats.lastUse, `last action of ${ref} at ${activityTime(stats.lastUse)}`),
      ],
    });
  }
  for (const [place, actors] of [...uncovered.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    sink.note(`not evaluated for ${place}: no inventory input (${plural(actors, 'actor')} not in the inventory acted there)`);
  }
});
