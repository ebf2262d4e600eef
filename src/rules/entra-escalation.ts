/*
 * Entra ID privilege escalation for NHI-PRIV-002: the entra methods of
 * rules/data/escalation-methods.yaml, judged on what entra-permission-grants
 * says about each grant.
 *
 * - Resource app. Every method is a Microsoft Graph permission. A grant whose
 *   resource resolves to an app of the inputs other than Graph (appId
 *   00000003-0000-0000-c000-000000000000), or whose appRoleAssignment names
 *   another resource by display name, carries a same-named permission of that
 *   API and gives none of the methods: it is noted. A resource the inputs do
 *   not show is judged as Graph and the finding says so.
 * - Application or delegated. An appRoleAssignment (`via: app-role:…`) is an
 *   application permission: the app acts alone. An oauth2PermissionGrant
 *   (`consent` set, `via: delegated:…`) acts only with the signed-in user's
 *   own rights: a method held only that way is reported with that caveat and
 *   is not critical. A grant that says neither (a canonical inventory) is
 *   judged as an application permission and the finding says so.
 * - Reach. `on: tenant` (Application.ReadWrite.All) reaches every app and
 *   service principal of the holder's tenant: the finding names the apps of
 *   the inputs that hold more than the holder, with what they hold. When the
 *   inputs show other apps' permissions and none holds more, the method is
 *   not reported but noted (apps absent from the inputs may hold more); when
 *   they show no other app's permissions at all, it is reported, saying any
 *   app of the tenant may hold more. `on: owned` (Application.ReadWrite.OwnedBy)
 *   reaches the apps whose owner is the holder, judged one by one as GCP
 *   judges a binding on one service account; when no app of the inputs names
 *   any owner, the apps it owns cannot be known and it is reported saying so,
 *   and when owners are named but none is the holder it is noted (each app
 *   names only its first owner in the inputs).
 */
import type { InventoryView } from '../engine/rule-api.js';
import { formatSource, type Grant, type Identity } from '../model/index.js';
import { extraPrivileges, type EscalationNotes, type Granting, type Match, type Method } from './escalation-support.js';
import { grantedBy, isDenied, type Denies } from './privilege-support.js';
import { listWithMore, plural } from './support.js';

/** The appId of Microsoft Graph, the same in every tenant. */
export const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';
const GRAPH_NAME = 'Microsoft Graph';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type PermissionKind = 'application' | 'delegated' | 'unknown';

/** How a grant reached the app: an appRoleAssignment, an oauth2PermissionGrant, or the inputs do not say. */
export function permissionKind(grant: Grant): PermissionKind {
  if (grant.consent !== undefined || grant.via?.startsWith('delegated:') === true) return 'delegated';
  if (grant.via?.startsWith('app-role:') === true) return 'application';
  return 'unknown';
}

type Resource = { readonly kind: 'graph' } | { readonly kind: 'other'; readonly name: string } | { readonly kind: 'unseen'; readonly ref: string | null };

/** The API a grant's permission belongs to, from its resource (a service principal's object id or an appId) or the assignment's resource name. */
export function resourceOf(grant: Grant, inventory: InventoryView): Resource {
  const refs = grant.resources.filter((ref) => ref !== '*' && ref !== '');
  for (const ref of refs) {
    if (ref.toLowerCase() === GRAPH_APP_ID) return { kind: 'graph' };
    const app = inventory.identity(ref);
    if (app === undefined) continue;
    return app.id.toLowerCase() === GRAPH_APP_ID ? { kind: 'graph' } : { kind: 'other', name: `${app.displayName ?? app.id} (${app.id})` };
  }
  const named = grant.via?.startsWith('app-role:') === true ? grant.via.slice('app-role:'.length) : null;
  if (named === GRAPH_NAME) return { kind: 'graph' };
  if (named !== null && named !== 'unknown' && !GUID.test(named)) return { kind: 'other', name: named };
  return { kind: 'unseen', ref: refs[0] ?? null };
}

function resourceLabel(resource: Resource): string {
  if (resource.kind === 'graph') return GRAPH_NAME;
  if (resource.kind === 'other') return resource.name;
  return resource.ref === null ? 'an unnamed resource app' : `resource app ${resource.ref}`;
}

/** Problems only Entra meets, turned into notes by NHI-PRIV-002 through entraNoteLines. */
export interface EntraNotes {
  /** Grants of a Graph permission name on another API: `identity: "permission" of <api> (file:line)`. */
  readonly otherResource: string[];
  /** Application.ReadWrite.OwnedBy holders no app of the inputs names as owner: `identity (file:line)`. */
  readonly ownsNone: string[];
}

export function emptyEntraNotes(): EntraNotes {
  return { otherResource: [], ownsNone: [] };
}

export interface EntraContext {
  readonly inventory: InventoryView;
  readonly methods: readonly Method[];
  readonly notes: EscalationNotes;
  readonly entra: EntraNotes;
}

interface Candidate extends Granting {
  readonly kind: PermissionKind;
  readonly resource: Resource;
}

/** Application permissions first, then those the inputs do not type, then delegated; Graph before an unseen resource; unconditioned first. */
function rank(candidate: Candidate): number {
  const kind = candidate.kind === 'application' ? 0 : candidate.kind === 'unknown' ? 1 : 2;
  return kind * 4 + (candidate.resource.kind === 'graph' ? 0 : 2) + Number(candidate.grant.hasConditions);
}

function consentText(grant: Grant): string {
  if (grant.consent === 'all-principals') return 'tenant-wide consent';
  if (grant.consent === 'principal') return 'consent by one user';
  return 'consent not in the inputs';
}

/** What the message says about how the chosen grants were judged. */
function caveats(chosen: readonly Candidate[]): string[] {
  const out: string[] = [];
  for (const candidate of chosen) {
    if (candidate.kind === 'delegated') {
      out.push(
        `held only as a delegated permission (${consentText(candidate.grant)}), which acts with the signed-in user's own rights: ` +
          'it raises privileges when a user allowed to do this uses the app, not on its own',
      );
    } else if (candidate.kind === 'unknown') {
      out.push('application or delegated permission: not in the inputs, judged as an application permission');
    }
    if (candidate.resource.kind === 'unseen') out.push(`${resourceLabel(candidate.resource)} is not in the inputs, judged as ${GRAPH_NAME}`);
  }
  return [...new Set(out)];
}

export function entraMatches(holder: Identity, grants: readonly Grant[], keys: readonly string[], denies: Denies, ctx: EntraContext): Match[] {
  const found: Match[] = [];
  for (const method of ctx.methods) {
    const groups = method.requires.map((requirement) => {
      const open = requirement.actions.filter((action) => !isDenied(denies, action));
      const out: Candidate[] = [];
      for (const [index, grant] of grants.entries()) {
        const patterns = [...new Set(open.flatMap((action) => grantedBy(grant, action)))];
        if (patterns.length === 0) continue;
        const resource = resourceOf(grant, ctx.inventory);
        if (resource.kind === 'other') {
          ctx.entra.otherResource.push(`${holder.id}: ${patterns.map((p) => `"${p}"`).join(', ')} of ${resource.name} (${formatSource(grant.source)})`);
          continue;
        }
        out.push({ grant, key: keys[index] ?? `grant:${holder.id}:${index}`, patterns, kind: permissionKind(grant), resource });
      }
      return out.sort((a, b) => rank(a) - rank(b));
    });
    const chosen = groups.map((group) => group[0]).filter((candidate): candidate is Candidate => candidate !== undefined);
    if (chosen.length < groups.length || chosen.length === 0) continue;
    const delegatedOnly = chosen.some((candidate) => candidate.kind === 'delegated');
    const said = caveats(chosen);
    const base = { method, grantings: chosen, ...(delegatedOnly && method.admin ? { admin: false } : {}) };
    if (method.target !== 'app') {
      found.push(said.length === 0 ? base : { ...base, reach: said.join('; ') });
      continue;
    }
    const on = method.requires.some((requirement) => requirement.on === 'owned') ? 'owned' : 'tenant';
    const first = chosen[0];
    if (first === undefined) continue;
    const reach = on === 'owned' ? ownedReach(holder, grants, first, method, ctx) : tenantReach(holder, grants, first, method, ctx);
    if (reach === null) continue;
    found.push({ ...base, reach: [reach.text, ...said].join('; '), targets: reach.targets });
  }
  return found;
}

interface Reach {
  readonly text: string;
  readonly targets: Identity[];
}

/** A grant's place for comparing what two apps hold: application or delegated, and of which API. */
function placer(inventory: InventoryView): (grant: Grant) => string {
  return (grant) => {
    const kind = permissionKind(grant);
    return ` (${kind === 'unknown' ? '' : `${kind}, `}${resourceLabel(resourceOf(grant, inventory))})`;
  };
}

function heldText(target: Identity, more: readonly string[]): string {
  return `${target.id}${target.displayName === undefined ? '' : ` "${target.displayName}"`}, which holds ${listWithMore(more, 3)}`;
}

function tenantReach(holder: Identity, holderGrants: readonly Grant[], granting: Candidate, method: Method, ctx: EntraContext): Reach | null {
  const place = placer(ctx.inventory);
  const apps = ctx.inventory
    .identities()
    .filter((other) => other.provider === 'entra' && other.id !== holder.id && other.status !== 'deleted')
    .filter((other) => holder.tenant === null || other.tenant === null || other.tenant === holder.tenant);
  const under = holder.tenant === null ? 'its tenant' : `tenant ${holder.tenant}`;
  const listed = apps.filter((other) => ctx.inventory.grantsOf(other.id).some((grant) => grant.effect === 'allow'));
  if (listed.length === 0) {
    return { text: `reaching every app and service principal of ${under} (the inputs list no other app's permissions; any app of the tenant may hold more)`, targets: [] };
  }
  const stronger: { app: Identity; more: string[] }[] = [];
  for (const app of listed) {
    const more = extraPrivileges(holderGrants, ctx.inventory.grantsOf(app.id), place) ?? [];
    if (more.length > 0) stronger.push({ app, more });
  }
  if (stronger.length === 0) {
    ctx.notes.notMorePrivileged.push(
      `${holder.id} → every app of ${under} (${method.id}, ${formatSource(granting.grant.source)}; ${plural(listed.length, 'other app')} in the inputs, none holding more; apps absent from the inputs may hold more)`,
    );
    return null;
  }
  return {
    text: `reaching every app and service principal of ${under} (more privileged in the inputs: ${listWithMore(stronger.map(({ app, more }) => heldText(app, more)), 3)})`,
    targets: stronger.map(({ app }) => app),
  };
}

function ownedReach(holder: Identity, holderGrants: readonly Grant[], granting: Candidate, method: Method, ctx: EntraContext): Reach | null {
  const place = placer(ctx.inventory);
  const entraApps = ctx.inventory.identities().filter((other) => other.provider === 'entra' && other.status !== 'deleted');
  const owned = entraApps.filter((app) => app.id !== holder.id && app.owner !== null && ctx.inventory.identity(app.owner)?.id === holder.id);
  if (owned.length === 0) {
    if (entraApps.some((app) => app.owner !== null)) {
      ctx.entra.ownsNone.push(`${holder.id} (${method.id}, ${formatSource(granting.grant.source)})`);
      return null;
    }
    return { text: 'reaching the apps it owns (no app in the inputs names its owners, so which apps it owns is not known; any of them may hold more)', targets: [] };
  }
  const parts: string[] = [];
  const targets: Identity[] = [];
  for (const app of owned) {
    const more = extraPrivileges(holderGrants, ctx.inventory.grantsOf(app.id), place);
    if (more !== null && more.length === 0) {
      ctx.notes.notMorePrivileged.push(`${holder.id} → ${app.id} (${method.id}, ${formatSource(granting.grant.source)})`);
      continue;
    }
    targets.push(app);
    parts.push(more === null ? `${app.id} (its own permissions are not in the inputs, so it may hold more)` : heldText(app, more));
  }
  if (parts.length === 0) return null;
  return { text: `reaching the ${parts.length === 1 ? 'app' : 'apps'} it owns: ${listWithMore(parts, 3)}`, targets };
}

/** The notes of entraMatches, worded for NHI-PRIV-002. */
export function entraNoteLines(notes: EntraNotes): string[] {
  const out: string[] = [];
  if (notes.otherResource.length > 0) {
    out.push(
      `${plural(notes.otherResource.length, 'Entra grant')} ${notes.otherResource.length === 1 ? 'carries a Microsoft Graph permission name but belongs to another API, so it gives' : 'carry a Microsoft Graph permission name but belong to another API, so they give'} none of the Graph methods: ` +
        listWithMore(notes.otherResource, notes.otherResource.length),
    );
  }
  if (notes.ownsNone.length > 0) {
    out.push(
      `${plural(notes.ownsNone.length, 'identity')} holding Application.ReadWrite.OwnedBy ${notes.ownsNone.length === 1 ? 'is' : 'are'} not reported because no app in the inputs names ${notes.ownsNone.length === 1 ? 'it' : 'them'} as owner ` +
        `(the inputs give each app's first owner only, so an app ${notes.ownsNone.length === 1 ? 'it co-owns' : 'they co-own'} is not seen): ${listWithMore(notes.ownsNone, notes.ownsNone.length)}`,
    );
  }
  return out;
}
