import type { Grant, NormalizedRecord, SourceRef } from '../../model/index.js';
import { describeType, isMapping } from '../canonical/fields.js';
import { BOOTSTRAP_CLUSTER_ROLES, type PolicyRule } from './bootstrap-roles.js';
import { parseServiceAccountUsername, serviceAccountId, serviceAccountIdentity, strings, text } from './common.js';
import { clusterOf, namespaceOf, type Mapping } from './object-metadata.js';

/*
 * Roles and bindings: a binding's role is resolved from the roles in the same
 * file, then from the built-in ClusterRoles; a role found in neither becomes a
 * grant of `role:<Kind>/<name>` so the binding is never silently lost.
 */

export interface RoleRules {
  /** null: the role's rules are not known here (an aggregated role exported without its rules). */
  readonly rules: readonly PolicyRule[] | null;
}

export function roleKey(kind: 'Role' | 'ClusterRole', namespace: string, name: string): string {
  return kind === 'Role' ? `Role/${namespace}/${name}` : `ClusterRole/${name}`;
}

/** The rules of a Role/ClusterRole, null when it aggregates rules it does not list, or the problem. */
export function roleRules(value: Mapping): readonly PolicyRule[] | null | string {
  const raw = value['rules'];
  if (raw !== undefined && raw !== null && !Array.isArray(raw)) return `rules: expected a list, got ${describeType(raw)}`;
  const list: readonly unknown[] = Array.isArray(raw) ? raw : [];
  if (list.length === 0 && isMapping(value['aggregationRule'])) return null;
  const rules: PolicyRule[] = [];
  for (const [i, item] of list.entries()) {
    if (!isMapping(item)) return `rules[${i}]: expected a mapping, got ${describeType(item)}`;
    rules.push({
      verbs: strings(item['verbs']),
      resources: strings(item['resources']),
      resourceNames: strings(item['resourceNames']),
      nonResourceURLs: strings(item['nonResourceURLs']),
    });
  }
  return rules;
}

export function mapBinding(
  kind: 'RoleBinding' | 'ClusterRoleBinding',
  value: Mapping,
  source: SourceRef,
  roles: ReadonlyMap<string, RoleRules>,
  announced: Set<string>,
): NormalizedRecord[] | string {
  const roleRef = value['roleRef'];
  if (!isMapping(roleRef)) return roleRef === undefined || roleRef === null ? 'roleRef is required' : `roleRef: expected a mapping, got ${describeType(roleRef)}`;
  const roleKind = text(roleRef['kind']);
  const roleName = text(roleRef['name']);
  if (roleKind !== 'Role' && roleKind !== 'ClusterRole') return 'roleRef.kind: expected Role or ClusterRole';
  if (roleName === null) return 'roleRef.name is required';
  if (kind === 'ClusterRoleBinding' && roleKind === 'Role') return 'roleRef.kind: a ClusterRoleBinding can only name a ClusterRole';
  const subjectsRaw = value['subjects'];
  if (subjectsRaw !== undefined && subjectsRaw !== null && !Array.isArray(subjectsRaw)) {
    return `subjects: expected a list, got ${describeType(subjectsRaw)}`;
  }
  const namespace = namespaceOf(value);
  const tenant = clusterOf(value);
  const accounts = serviceAccountSubjects(Array.isArray(subjectsRaw) ? subjectsRaw : [], kind === 'RoleBinding' ? namespace : null);
  if (typeof accounts === 'string') return accounts;

  const via = `${roleKind}/${roleName}`;
  const scope = kind === 'RoleBinding' ? `namespace:${namespace}` : 'cluster';
  const rules = resolveRules(roleKind, roleName, namespace, roles);
  const out: NormalizedRecord[] = [];
  for (const account of accounts) {
    const id = serviceAccountId(account.namespace, account.name);
    if (!announced.has(id)) {
      announced.add(id);
      out.push({ kind: 'identity', record: serviceAccountIdentity(account.namespace, account.name, tenant, null, source) });
    }
    const grant = (actions: readonly string[], resources: readonly string[]): Grant => ({
      identity: id,
      actions,
      notActions: false,
      resources,
      effect: 'allow',
      via,
      hasConditions: false,
      scope,
      source,
    });
    if (rules === null) {
      // Unknown here: say which role, so the binding is visible and a reader can look the role up.
      out.push({ kind: 'grant', record: grant([`role:${via}`], ['*']) });
      continue;
    }
    for (const rule of rules) {
      const actions = ruleActions(rule);
      if (actions.length === 0) continue;
      out.push({ kind: 'grant', record: grant(actions, rule.resourceNames.length > 0 ? rule.resourceNames : ['*']) });
    }
  }
  return out;
}

/**
 * The service accounts among a binding's subjects: `kind: ServiceAccount`, or a
 * User named with a service-account username. Users and groups are people or
 * sets of identities, not one non-human identity, so they give no grant here.
 */
function serviceAccountSubjects(
  subjects: readonly unknown[],
  bindingNamespace: string | null,
): { namespace: string; name: string }[] | string {
  const out: { namespace: string; name: string }[] = [];
  for (const [i, subject] of subjects.entries()) {
    if (!isMapping(subject)) return `subjects[${i}]: expected a mapping, got ${describeType(subject)}`;
    const kind = text(subject['kind']);
    const name = text(subject['name']);
    if (name === null) return `subjects[${i}].name is required`;
    if (kind === 'ServiceAccount') {
      // A RoleBinding's subject defaults to the binding's namespace; a ClusterRoleBinding has none to lend.
      const namespace = text(subject['namespace']) ?? bindingNamespace;
      if (namespace === null) return `subjects[${i}].namespace is required for a ServiceAccount`;
      out.push({ namespace, name });
    } else if (kind === 'User') {
      const account = parseServiceAccountUsername(name);
      if (account !== undefined) out.push(account);
    }
  }
  return out;
}

function resolveRules(
  roleKind: 'Role' | 'ClusterRole',
  roleName: string,
  namespace: string,
  roles: ReadonlyMap<string, RoleRules>,
): readonly PolicyRule[] | null {
  const here = roles.get(roleKey(roleKind, namespace, roleName));
  if (here?.rules !== undefined && here.rules !== null) return here.rules;
  if (roleKind === 'ClusterRole') return BOOTSTRAP_CLUSTER_ROLES.get(roleName) ?? null;
  return null;
}

/** `<verb> <resource>` for every verb × resource (subresources as `pods/exec`) and verb × non-resource URL. */
export function ruleActions(rule: PolicyRule): string[] {
  const targets = [...rule.resources, ...rule.nonResourceURLs];
  const actions = rule.verbs.flatMap((verb) => targets.map((target) => `${verb} ${target}`));
  return [...new Set(actions)];
}
