/*
 * Kubernetes privilege escalation for NHI-PRIV-002: the k8s methods of
 * rules/data/escalation-methods.yaml, judged where each binding applies (a
 * RoleBinding only in its namespace, a ClusterRoleBinding everywhere; a
 * method needing two permissions only where both apply) and against what the
 * method reaches: the roles `bind` may bind (resourceNames naming only
 * harmless roles is a near-miss), whom `impersonate` may become, and the more
 * privileged service account a pod, a token request or a token Secret of the
 * namespace hands over. A method that reaches only identities holding nothing
 * more than the holder is not reported but noted.
 */
import type { InventoryView } from '../engine/rule-api.js';
import { formatSource, type Grant, type Identity } from '../model/index.js';
import type { EscalationNotes, Granting, Match, Method } from './escalation-support.js';
import { isDenied, patternCovers, patternsOverlap, type Denies } from './privilege-support.js';
import { listWithMore } from './support.js';

export interface K8sContext {
  readonly inventory: InventoryView;
  readonly methods: readonly Method[];
  readonly harmlessRoles: ReadonlySet<string>;
  readonly notes: EscalationNotes;
}

/** Where a grant applies: a namespace, or null for the whole cluster (a ClusterRoleBinding, or a grant that does not say). */
function namespaceOf(grant: Grant): string | null {
  return grant.scope?.startsWith('namespace:') === true ? grant.scope.slice('namespace:'.length) : null;
}

const ACCOUNT = /^system:serviceaccount:([^:]+):([^:]+)$/;

function accountParts(id: string): { namespace: string; name: string } | null {
  const parts = ACCOUNT.exec(id);
  return parts?.[1] === undefined || parts[2] === undefined ? null : { namespace: parts[1], name: parts[2] };
}

/** The resourceNames a grant is limited to, or null for every name. */
const namesOf = (grant: Grant): readonly string[] | null => (grant.resources.includes('*') ? null : grant.resources);
const inWords = (namespace: string | null): string => (namespace === null ? 'every namespace' : `namespace ${namespace}`);

/** Where two places overlap: null (cluster) meets anything; two namespaces only when equal. `undefined` when they do not. */
function meet(a: string | null, b: string | null): string | null | undefined {
  if (a === null) return b;
  if (b === null || a === b) return a;
  return undefined;
}

/** Whether `grant` of the holder already gives `action` on what `wanted` gives it on. */
function covers(grant: Grant, action: string, wanted: Grant): boolean {
  if (grant.effect !== 'allow' || grant.notActions) return false;
  if (meet(namespaceOf(grant), namespaceOf(wanted)) !== namespaceOf(wanted)) return false;
  const names = namesOf(grant);
  const wantedNames = namesOf(wanted);
  if (names !== null && (wantedNames === null || !wantedNames.every((name) => names.includes(name)))) return false;
  return grant.actions.some((pattern) => patternCovers(pattern, action));
}

/** What `target` may do that `holder` may not, in words (`"get secrets" in namespace:prod`); empty when nothing. */
function extraOf(holderGrants: readonly Grant[], targetGrants: readonly Grant[]): string[] {
  const out = new Set<string>();
  for (const grant of targetGrants) {
    if (grant.effect !== 'allow' || grant.notActions) continue;
    const names = namesOf(grant);
    const place = `${grant.scope ?? 'cluster'}${names === null ? '' : `, ${names.join(', ')}`}`;
    for (const action of grant.actions) {
      if (action.startsWith('role:')) continue;
      if (!holderGrants.some((own) => covers(own, action, grant))) out.add(`"${action}" (${place})`);
    }
  }
  return [...out].sort();
}

interface Combination {
  readonly first: Granting;
  readonly rest: readonly Granting[];
  /** Where all of them apply together. */
  readonly namespace: string | null;
}

/** Every way to meet the method's requirements in one place, first requirement's grant first. */
function combinations(groups: readonly (readonly Granting[])[]): Combination[] {
  const [head, ...tail] = groups;
  const out: Combination[] = [];
  for (const first of head ?? []) {
    let namespace: string | null | undefined = namespaceOf(first.grant);
    const rest: Granting[] = [];
    for (const group of tail) {
      const fit = group.find((granting) => namespace !== undefined && meet(namespace, namespaceOf(granting.grant)) !== undefined);
      if (fit === undefined || namespace === undefined) {
        namespace = undefined;
        break;
      }
      namespace = meet(namespace, namespaceOf(fit.grant));
      rest.push(fit);
    }
    if (namespace !== undefined) out.push({ first, rest, namespace });
  }
  return out;
}

interface Hit {
  readonly reach: string | null;
  readonly targets: readonly Identity[];
  /** Whether this hit reaches cluster admin (a namespaced bind or impersonation does not). */
  readonly admin: boolean;
}

export function k8sMatches(holder: Identity, grants: readonly Grant[], keys: readonly string[], denies: Denies, ctx: K8sContext): Match[] {
  for (const grant of grants) {
    const unresolved = grant.actions.find((action) => action.startsWith('role:'));
    if (unresolved !== undefined) ctx.notes.unresolvedK8s.add(`${holder.id}: ${unresolved.slice('role:'.length)} (${formatSource(grant.source)})`);
  }
  const extra = (target: string): string[] => extraOf(grants, ctx.inventory.grantsOf(target));
  const accounts = (namespace: string | null): Identity[] =>
    ctx.inventory
      .identities()
      .filter((other) => other.provider === 'k8s' && other.id !== holder.id && other.status !== 'deleted' && accountParts(other.id) !== null)
      .filter((other) => namespace === null || accountParts(other.id)?.namespace === namespace);
  const stronger = (candidates: readonly Identity[]): { identity: Identity; extra: string[] }[] =>
    candidates.map((identity) => ({ identity, extra: extra(identity.id) })).filter((entry) => entry.extra.length > 0);
  const holding = (entries: readonly { identity: Identity; extra: string[] }[]): string =>
    listWithMore(
      entries.map((entry) => `${entry.identity.id} (holds ${listWithMore(entry.extra, 3)})`),
      3,
    );

  /** What one way of meeting the method reaches, or a reason (noted) why it reaches nothing worth having. */
  const judge = (method: Method, combination: Combination): Hit | string => {
    const { first, namespace } = combination;
    const names = namesOf(first.grant);
    const admin = method.admin && namespace === null;
    switch (method.target) {
      case 'role': {
        if (names === null) return { reach: `any role, in ${inWords(namespace)}`, targets: [], admin };
        const harmful = names.filter((role) => !ctx.harmlessRoles.has(role));
        if (harmful.length === 0) return `roles ${names.join(', ')}, which grant nothing worth having`;
        return { reach: `roles ${harmful.join(', ')} in ${inWords(namespace)}`, targets: [], admin };
      }
      case 'impersonation': {
        const people = first.patterns.some((pattern) => !/ serviceaccounts$/.test(pattern.trim()));
        // Users and groups are cluster-wide: a RoleBinding cannot let anyone impersonate them.
        if (people && namespace === null) {
          const who = names === null ? 'any user or group, system:masters included' : names.includes('system:masters') ? `${names.join(', ')} (system:masters: cluster admin)` : `${names.join(', ')} (what they hold is not in the inputs)`;
          return { reach: `impersonating ${who}`, targets: [], admin: method.admin && (names === null || names.includes('system:masters')) };
        }
        const candidates = accounts(namespace).filter((other) => names === null || names.includes(accountParts(other.id)?.name ?? ''));
        const missing = names === null ? [] : names.filter((name) => !candidates.some((other) => accountParts(other.id)?.name === name));
        const found = stronger(candidates);
        if (found.length === 0 && missing.length === 0) {
          return `service accounts ${names === null ? `of ${inWords(namespace)}` : names.join(', ')}, which hold nothing more${people ? ' (a RoleBinding cannot let it impersonate users or groups)' : ''}`;
        }
        const parts = [...found.map((entry) => `${entry.identity.id}, which holds ${listWithMore(entry.extra, 3)}`), ...missing.map((name) => `${name} (not in the inputs, so it may hold more)`)];
        return { reach: `impersonating service account ${listWithMore(parts, 3)} in ${inWords(namespace)}`, targets: found.map((entry) => entry.identity), admin: false };
      }
      case 'service-account': {
        // resourceNames name service accounts only for a token request; `create` cannot be limited by
        // name, and for pods/exec they name pods, whose service account the inputs do not say.
        const tokenRequest = first.patterns.every((pattern) => /serviceaccounts\/token$/.test(pattern.trim()));
        const candidates = accounts(namespace).filter((other) => !tokenRequest || names === null || names.includes(accountParts(other.id)?.name ?? ''));
        const found = stronger(candidates);
        if (found.length === 0) return `${inWords(namespace)}, where the inputs show no more privileged service account${tokenRequest && names !== null ? ` named ${names.join(', ')}` : ''}`;
        const pods = !tokenRequest && names !== null && first.patterns.some((pattern) => /pods\/(exec|attach|\*)$/.test(pattern.trim())) ? ` (pods ${names.join(', ')}; which service account they run as is not in the inputs)` : '';
        return { reach: `in ${inWords(namespace)}${pods}, reaching more privileged service account ${holding(found)}`, targets: found.map((entry) => entry.identity), admin };
      }
      case 'token-secret': {
        const secrets = ctx.inventory
          .credentials()
          .filter((credential) => credential.type === 'sa-token' && credential.expiryUnknown !== true && credential.identity !== null && credential.identity !== holder.id)
          .filter((credential) => namespace === null || credential.id.startsWith(`${namespace}/`))
          .filter((credential) => names === null || names.includes(credential.id.slice(credential.id.indexOf('/') + 1)));
        // A deleted service account's token no longer authenticates, whatever Secret is left behind.
        const dead = secrets.filter((credential) => ctx.inventory.identity(credential.identity ?? '')?.status === 'deleted');
        const found = secrets
          .filter((credential) => !dead.includes(credential))
          .map((credential) => ({ credential, extra: extra(credential.identity ?? '') }))
          .filter((entry) => entry.extra.length > 0);
        if (found.length === 0) {
          const left = dead.length === 0 ? '' : ` (the token Secret ${dead.map((credential) => credential.id).join(', ')} belongs to a deleted service account, so it no longer authenticates)`;
          return `${inWords(namespace)}, where the inputs show no token Secret of a more privileged service account${left}`;
        }
        const parts = found.map(({ credential, extra: more }) => `${credential.id} (${formatSource(credential.source)}) of ${credential.identity ?? ''}, which holds ${listWithMore(more, 3)}`);
        const targets = found.map(({ credential }) => ctx.inventory.identity(credential.identity ?? '')).filter((other): other is Identity => other !== undefined);
        return { reach: `reading token Secret ${listWithMore(parts, 3)}`, targets, admin };
      }
      default:
        return { reach: namespace === null ? null : `in ${inWords(namespace)}`, targets: [], admin };
    }
  };

  const found: Match[] = [];
  for (const method of ctx.methods) {
    const groups = method.requires.map((requirement) => {
      const open = requirement.actions.filter((action) => !isDenied(denies, action));
      const out: Granting[] = [];
      for (const [index, grant] of grants.entries()) {
        if (grant.effect !== 'allow' || grant.notActions) continue;
        // A cluster-scoped resource (nodes, CSRs) is only granted by a ClusterRoleBinding.
        if (requirement.on === 'cluster' && namespaceOf(grant) !== null) continue;
        const patterns = grant.actions.filter((action) => open.some((wanted) => patternsOverlap(action, wanted)));
        if (patterns.length > 0) out.push({ grant, key: keys[index] ?? `grant:${holder.id}:${index}`, patterns });
      }
      return out;
    });
    if (groups.some((group) => group.length === 0)) {
      // A RoleBinding cannot grant a cluster-scoped resource: say so rather than pass over it.
      // Only a grant that names the resource itself: a namespaced `get *` is not a mistake.
      const named = new Set(method.requires.filter((requirement) => requirement.on === 'cluster').flatMap((requirement) => requirement.actions.map((action) => action.toLowerCase())));
      const inert = grants.filter((grant) => grant.effect === 'allow' && namespaceOf(grant) !== null && grant.actions.some((action) => named.has(action.trim().toLowerCase())));
      for (const grant of inert) {
        ctx.notes.notMorePrivileged.push(`${holder.id} → nothing: ${method.id} needs a ClusterRoleBinding, and ${grant.scope ?? ''} (${formatSource(grant.source)}) grants cluster-scoped resources in one namespace, where they do not apply`);
      }
      continue;
    }
    const ways = combinations(groups);
    if (ways.length === 0) {
      const places = groups.map((group) => group.map((granting) => `${granting.grant.scope ?? 'cluster'} (${formatSource(granting.grant.source)})`).join(', '));
      ctx.notes.notMorePrivileged.push(`${holder.id} → nothing: its grants for ${method.id} apply in different namespaces (${places.join(' and ')})`);
      continue;
    }
    let hit: { combination: Combination; found: Hit } | null = null;
    const weak: string[] = [];
    for (const combination of ways) {
      const judged = judge(method, combination);
      if (typeof judged === 'string') {
        weak.push(`${judged} (${formatSource(combination.first.grant.source)})`);
        continue;
      }
      // Keep the widest reach: a cluster-admin hit over a namespaced one.
      if (hit === null || (judged.admin && !hit.found.admin)) hit = { combination, found: judged };
      if (judged.admin) break;
    }
    if (hit === null) {
      for (const why of weak) ctx.notes.notMorePrivileged.push(`${holder.id} → ${why} (${method.id})`);
      continue;
    }
    const { combination, found: reached } = hit;
    found.push({
      method,
      grantings: [combination.first, ...combination.rest],
      ...(reached.reach === null ? {} : { reach: reached.reach }),
      targets: reached.targets,
      admin: reached.admin,
    });
  }
  return found;
}
