/*
 * GCP privilege escalation for NHI-PRIV-002: the gcp methods of
 * rules/data/escalation-methods.yaml, with predefined roles expanded through
 * its `gcp_roles`, judged where each binding applies. A binding on the
 * project, a folder or the organisation reaches every service account below
 * it; a binding on one service account (its own IAM policy) reaches only that
 * one, and a method whose every target holds nothing more than the holder is
 * not reported but noted. A binding on another resource (a bucket, a dataset)
 * gives none of the project-level methods. A binding whose condition ends
 * before `asOf` (`request.time < timestamp(…)`) is left out and noted; any
 * other condition makes the method depend on it, which the message says.
 */
import type { InventoryView } from '../engine/rule-api.js';
import { formatSource, parseInstant, type Grant, type Identity, type Instant } from '../model/index.js';
import { extraPrivileges, type EscalationNotes, type Granting, type Match, type Method } from './escalation-support.js';
import { isDenied, patternsOverlap, type Denies } from './privilege-support.js';
import { listWithMore } from './support.js';

type Place =
  | { readonly kind: 'project' | 'folder' | 'organization' }
  | { readonly kind: 'service-account'; readonly account: string }
  | { readonly kind: 'resource'; readonly name: string };

const SERVICE_ACCOUNT = /^\/\/iam\.googleapis\.com\/projects\/[^/]+\/serviceAccounts\/([^/]+)$/;

/** Where a binding applies, from the grant's scope (none: the project the policy belongs to). */
export function placeOf(grant: Grant): Place {
  const scope = grant.scope;
  if (scope === undefined) return { kind: 'project' };
  if (scope.startsWith('folders/')) return { kind: 'folder' };
  if (scope.startsWith('organizations/')) return { kind: 'organization' };
  const account = SERVICE_ACCOUNT.exec(scope)?.[1];
  return account === undefined ? { kind: 'resource', name: scope } : { kind: 'service-account', account };
}

const REACHES: Readonly<Record<string, readonly Place['kind'][]>> = {
  any: ['project', 'folder', 'organization', 'service-account', 'resource'],
  project: ['project', 'folder', 'organization'],
  folder: ['folder', 'organization'],
  organization: ['organization'],
  target: ['project', 'folder', 'organization', 'service-account'],
};

/** The end of a binding's condition when it ended before `asOf`, else null. */
function endedBefore(grant: Grant, asOf: Instant): string | null {
  for (const condition of grant.conditions ?? []) {
    if (condition.key !== 'request.time' || condition.operator !== 'DateLessThan') continue;
    const end = condition.values[0];
    const parsed = end === undefined ? null : parseInstant(end);
    if (end !== undefined && parsed?.ok === true && parsed.value <= asOf) return end;
  }
  return null;
}

/** The patterns of a grant that grant `permission`: a permission pattern, or a predefined role that holds it. */
function patternsFor(grant: Grant, permission: string, roles: ReadonlyMap<string, readonly string[]>): string[] {
  if (grant.effect !== 'allow' || grant.notActions) return [];
  return grant.actions.filter((action) => {
    const expanded = roles.get(action);
    if (expanded !== undefined) return expanded.includes(permission);
    return !isRole(action) && patternsOverlap(action, permission);
  });
}

function isRole(action: string): boolean {
  return action.startsWith('roles/') || /^(projects|organizations)\/[^/]+\/roles\//.test(action);
}

interface Placed extends Granting {
  readonly place: Place;
}

export interface GcpContext {
  readonly inventory: InventoryView;
  readonly methods: readonly Method[];
  readonly roles: ReadonlyMap<string, readonly string[]>;
  readonly asOf: Instant;
  readonly notes: EscalationNotes;
}

export function gcpMatches(holder: Identity, grants: readonly Grant[], keys: readonly string[], denies: Denies, ctx: GcpContext): Match[] {
  const live: { grant: Grant; key: string }[] = [];
  for (const [index, grant] of grants.entries()) {
    const ended = endedBefore(grant, ctx.asOf);
    if (ended !== null) {
      ctx.notes.neverHolds.push(`${holder.id}: ${grant.actions.join(', ')} (${formatSource(grant.source)}, condition ended ${ended})`);
      continue;
    }
    for (const action of grant.actions) if (isRole(action) && !ctx.roles.has(action)) ctx.notes.unexpanded.add(`${action} (${formatSource(grant.source)})`);
    live.push({ grant, key: keys[index] ?? `grant:${holder.id}:${index}` });
  }
  const found: Match[] = [];
  for (const method of ctx.methods) {
    const groups = method.requires.map((requirement) => {
      const allowed = REACHES[requirement.on] ?? REACHES['any'] ?? [];
      const open = requirement.actions.filter((action) => !isDenied(denies, action));
      const out: Placed[] = [];
      for (const { grant, key } of live) {
        const place = placeOf(grant);
        if (!allowed.includes(place.kind)) continue;
        const patterns = [...new Set(open.flatMap((action) => patternsFor(grant, action, ctx.roles)))];
        if (patterns.length > 0) out.push({ grant, key, patterns, place });
      }
      // Unconditional bindings first: the message then names the one that needs no condition.
      return out.sort((a, b) => Number(a.grant.hasConditions) - Number(b.grant.hasConditions));
    });
    if (groups.some((group) => group.length === 0)) continue;
    if (method.target !== 'service-account') {
      found.push({ method, grantings: groups.map((group) => group[0]).filter((g): g is Placed => g !== undefined) });
      continue;
    }
    const targetIndex = method.requires.findIndex((requirement) => requirement.on === 'target');
    const reach = reachOf(holder, grants, groups[targetIndex] ?? [], method, ctx);
    if (reach === null) continue;
    const grantings = groups.map((group, index) => (index === targetIndex ? reach.granting : group[0])).filter((g): g is Placed => g !== undefined);
    found.push({ method, grantings, reach: reach.text, targets: reach.targets });
  }
  return found;
}

/** The service accounts a method's target grants reach, in words; null when every one holds nothing more. */
function reachOf(
  holder: Identity,
  holderGrants: readonly Grant[],
  grantings: readonly Placed[],
  method: Method,
  ctx: GcpContext,
): { granting: Placed; text: string; targets: Identity[] } | null {
  const where = (grant: Grant): string => (grant.scope === undefined ? '' : ` on ${grant.scope}`);
  const extra = (target: string): string[] | null => extraPrivileges(holderGrants, ctx.inventory.grantsOf(target), where);
  const broad = grantings.find((granting) => granting.place.kind !== 'service-account');
  if (broad !== undefined) {
    const under = broad.place.kind === 'project' ? `project ${holder.tenant ?? '(unnamed)'}` : `its ${broad.place.kind} ${broad.grant.scope ?? ''}`;
    const accounts = ctx.inventory
      .identities()
      .filter((other) => other.provider === 'gcp' && other.id !== holder.id && other.status !== 'deleted')
      .filter((other) => broad.place.kind !== 'project' || holder.tenant === null || other.tenant === holder.tenant);
    const stronger = accounts.filter((other) => (extra(other.id)?.length ?? 0) > 0);
    const named = stronger.length > 0 ? `more privileged in the inputs: ${listWithMore(stronger.map((other) => other.id))}` : 'none in the inputs holds more than it; one created later would be reached too';
    return { granting: broad, text: `reaching every service account of ${under} (${named})`, targets: stronger };
  }
  const parts: string[] = [];
  const targets: Identity[] = [];
  let chosen: Placed | undefined;
  for (const granting of grantings) {
    if (granting.place.kind !== 'service-account') continue;
    const account = granting.place.account;
    const target = ctx.inventory.identity(account);
    const more = target === undefined ? null : target.id === holder.id ? [] : extra(target.id);
    if (more !== null && more.length === 0) {
      ctx.notes.notMorePrivileged.push(`${holder.id} → ${account} (${method.id}, ${formatSource(granting.grant.source)})`);
      continue;
    }
    chosen ??= granting;
    if (target !== undefined) targets.push(target);
    parts.push(more === null ? `${account} (its own grants are not in the inputs, so it may hold more)` : `${account}, which holds ${listWithMore(more)}`);
  }
  if (chosen === undefined) return null;
  return { granting: chosen, text: `reaching service account ${parts.join('; ')}`, targets };
}
