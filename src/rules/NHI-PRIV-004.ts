/*
 * standing-privilege: admin-equivalent or escalation-capable permissions held
 * by a standing grant (no expiry, no time condition, no JIT eligibility) but
 * used on only a few days of the log window.
 */
import { defineRule } from '../engine/rule-api.js';
import { formatDate, formatDuration, type Grant, type Identity, type RuleData } from '../model/index.js';
import {
  dataContent,
  grantKeys,
  grantedBy,
  isAllActions,
  isDenied,
  isRecord,
  isStringList,
  patternsOverlap,
  quoteAll,
  resourceBreadth,
  unconditionalDenies,
  viaText,
} from './privilege-support.js';
import { evidence, identityLabel, identitySubject, listWithMore, plural } from './support.js';

interface Params {
  readonly max_active_days: number;
  readonly min_window: number;
}

/** Most days the fold keeps per action; more means "used regularly" for this rule. */
const DAY_CAP = 32;
const DAY_MS = 86_400_000;

/** Condition keys that bound a grant in time. */
const TIME_KEYS = /^(aws:CurrentTime|aws:EpochTime|request\.time)$/i;

/** Escalation-capable permissions per provider (every entry of every group), from escalation-methods.yaml. */
function escalationPermissions(data: Readonly<Record<string, RuleData>>): ReadonlyMap<string, readonly string[]> {
  const providers = dataContent(data, 'escalation-methods')['providers'];
  if (!isRecord(providers)) throw new Error('rules/data/escalation-methods.yaml: `providers` must map provider ids to lists of methods');
  const out = new Map<string, string[]>();
  for (const [provider, list] of Object.entries(providers)) {
    if (!Array.isArray(list)) throw new Error(`rules/data/escalation-methods.yaml: providers.${provider} must be a list`);
    const entries = list.flatMap((method: unknown) => {
      const requires = isRecord(method) ? method['requires'] : undefined;
      // A group is a list of actions (GCP, Kubernetes, Entra) or `{ actions, on }` (AWS, resource-aware).
      const groups: unknown[] = Array.isArray(requires) ? requires.map((group: unknown) => (isRecord(group) ? group['actions'] : group)) : [];
      return groups.filter(isStringList).flat();
    });
    out.set(provider, [...new Set(entries)]);
  }
  // GCP predefined roles that hold an escalation permission (the catalog's `gcp_roles`) count as the permission does.
  const roles = dataContent(data, 'escalation-methods')['gcp_roles'];
  const gcp = out.get('gcp');
  if (isRecord(roles) && gcp !== undefined) {
    const held = Object.entries(roles).filter(([, permissions]) => isStringList(permissions) && permissions.some((permission) => gcp.includes(permission)));
    out.set('gcp', [...gcp, ...held.map(([role]) => role)]);
  }
  return out;
}

/** Admin-equivalent role values per provider (lower case), from admin-equivalent-roles.yaml. */
function adminRoles(data: Readonly<Record<string, RuleData>>): ReadonlyMap<string, ReadonlySet<string>> {
  const roles = dataContent(data, 'admin-equivalent-roles')['roles'];
  if (!Array.isArray(roles)) throw new Error('rules/data/admin-equivalent-roles.yaml: `roles` must be a list');
  const out = new Map<string, Set<string>>();
  for (const role of roles) {
    if (!isRecord(role) || typeof role['provider'] !== 'string' || typeof role['value'] !== 'string') continue;
    const set = out.get(role['provider']) ?? new Set<string>();
    set.add(role['value'].toLowerCase());
    out.set(role['provider'], set);
  }
  return out;
}

/** Standing: no time condition and no eligibility naming its role or actions. Conditions of unknown keys count as standing. */
function standing(grant: Grant, identity: Identity, eligible: ReadonlySet<string>): 'standing' | 'unknown-conditions' | 'bounded' {
  if (grant.via !== null && eligible.has(grant.via.toLowerCase())) return 'bounded';
  if (grant.actions.some((action) => eligible.has(action.toLowerCase()))) return 'bounded';
  if (!grant.hasConditions) return 'standing';
  if (grant.conditionKeys === undefined) return identity.provider === 'custom' ? 'standing' : 'unknown-conditions';
  return grant.conditionKeys.some((key) => TIME_KEYS.test(key)) ? 'bounded' : 'standing';
}

export const rule = defineRule<Params>('NHI-PRIV-004', (ctx, sink) => {
  const { inventory, usage, params } = ctx;
  if (params.max_active_days >= DAY_CAP) throw new Error(`NHI-PRIV-004: max_active_days must be below ${DAY_CAP}`);
  const overall = usage.coverage();
  if (overall === null) {
    sink.notEvaluated('no access-log events were supplied, so no privileged use is known');
    return;
  }
  if (!inventory.has('grant')) {
    sink.notEvaluated('no grants were supplied (IAM dumps, RBAC, canonical permissions), so no standing privilege is known');
    return;
  }
  const escalation = escalationPermissions(ctx.data);
  const admin = adminRoles(ctx.data);
  const allEscalation = [...new Set([...escalation.values()].flat())];
  const shortWindow: string[] = [];
  const unknownConditions: string[] = [];

  for (const identity of inventory.identities()) {
    if (identity.status === 'deleted') continue;
    const grants = inventory.grantsOf(identity.id);
    if (grants.length === 0) continue;
    const stats = usage.forIdentity(identity.id);
    if (stats === null || stats.actionDays.size === 0) continue;
    const permissions = escalation.get(identity.provider) ?? allEscalation;
    const adminValues = admin.get(identity.provider) ?? new Set<string>();
    // Eligibilities, and approvals with an end date, bound what they name in time.
    const eligible = new Set([
      ...inventory.eligibilitiesOf(identity.id).map((e) => e.roleOrScope.toLowerCase()),
      ...inventory
        .approvalsFor(identity.id)
        .filter((approval) => approval.status === 'active' && approval.expiresAt !== null)
        .flatMap((approval) => approval.scopes.map((scope) => scope.toLowerCase())),
    ]);
    const denies = unconditionalDenies(grants);
    const keys = grantKeys(identity, grants);

    /** Privileged patterns each standing grant gives, by grant index. */
    const held = new Map<number, { readonly patterns: readonly string[]; readonly admin: boolean }>();
    for (const [index, grant] of grants.entries()) {
      if (grant.effect !== 'allow') continue;
      const state = standing(grant, identity, eligible);
      if (state === 'bounded') continue;
      const adminGrant =
        (grant.via !== null && adminValues.has(grant.via.toLowerCase())) ||
        grant.actions.some((action) => adminValues.has(action.toLowerCase())) ||
        (!grant.notActions && grant.actions.some(isAllActions) && grant.resources.some((r) => resourceBreadth(r) === 'everything'));
      const patterns = adminGrant ? permissions : permissions.filter((permission) => grantedBy(grant, permission).length > 0);
      const live = patterns.filter((permission) => !isDenied(denies, permission));
      if (live.length === 0) continue;
      held.set(index, { patterns: live, admin: adminGrant });
      if (state === 'unknown-conditions') unknownConditions.push(`${identity.id} (${viaText(grant)})`);
    }
    if (held.size === 0) continue;
    const privileged = [...new Set([...held.values()].flatMap((h) => h.patterns))];

    const days = new Set<number>();
    let more = false;
    const used: string[] = [];
    for (const [action, view] of stats.actionDays) {
      if (!privileged.some((permission) => patternsOverlap(permission, action))) continue;
      used.push(action);
      for (const day of view.days) days.add(day);
      if (view.more) more = true;
    }
    // Never used: unused-permissions' case. Used on many days: the privilege is needed, not standing idle.
    if (used.length === 0 || more || days.size > params.max_active_days) continue;

    const span = (identity.tenant === null ? null : usage.coverageOf(identity.tenant)) ?? overall;
    if (span.to - span.from < params.min_window) {
      shortWindow.push(identity.id);
      continue;
    }
    used.sort();
    const dayList = [...days].sort((a, b) => a - b).map((day) => formatDate(day * DAY_MS));
    const grantIndexes = [...held.keys()].filter((index) => (held.get(index)?.patterns ?? []).some((p) => used.some((a) => patternsOverlap(p, a))));
    // Name what makes each grant privileged: an admin grant's own actions, else the escalation permissions it gives.
    const grantTexts = grantIndexes.map((index) => {
      const grant = grants[index];
      const privilege = held.get(index);
      if (grant === undefined || privilege === undefined) return '';
      const named = privilege.admin ? (grant.notActions ? ['*'] : grant.actions) : [...privilege.patterns].sort();
      return `${quoteAll(named.slice(0, 5))}${named.length > 5 ? ` and ${named.length - 5} more` : ''} via ${viaText(grant)}`;
    });
    const isAdmin = grantIndexes.some((index) => held.get(index)?.admin === true);
    sink.report({
      messageId: isAdmin ? 'standing-admin' : 'standing-escalation',
      ...(isAdmin ? { severity: 'high' as const } : {}),
      message:
        `${identityLabel(identity)} holds ${isAdmin ? 'admin-equivalent' : 'escalation-capable'} permissions permanently ` +
        `(${listWithMore(grantTexts, 3)}: no expiry, no time condition, no just-in-time eligibility) but used them ` +
        `(${listWithMore(used)}) on only ${plural(days.size, 'day')} of the ${Math.floor((span.to - span.from) / DAY_MS) + 1}-day log window: ` +
        `${dayList.join(', ')}. Grant them just in time instead.`,
      subject: identitySubject(identity),
      evidence: [
        ...grantIndexes.flatMap((index) => {
          const grant = grants[index];
          const key = keys[index];
          return grant === undefined || key === undefined ? [] : [evidence(key, grant.source, `standing grant ${viaText(grant)}`)];
        }),
        ...used.flatMap((action) => {
          const first = stats.actions.firstSeen.get(action);
          return first === undefined ? [] : [evidence(`privileged-use:${identity.id}:${action}`, first.source, `first use of ${action}`)];
        }),
      ],
    });
  }
  if (shortWindow.length > 0) {
    sink.note(
      `privileged use on few days was not judged for ${listWithMore(shortWindow.sort(), 10)}: the log window of their tenant is shorter than ${formatDuration(params.min_window)}`,
    );
  }
  if (unknownConditions.length > 0) {
    sink.note(`grants with conditions whose keys the input does not name were judged standing: ${listWithMore(unknownConditions.sort(), 10)}`);
  }
});
