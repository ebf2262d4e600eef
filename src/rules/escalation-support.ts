/*
 * Shared by the non-AWS privilege-escalation evaluators (gcp-, k8s- and
 * entra-escalation.ts) and NHI-PRIV-002: the catalog entries of
 * rules/data/escalation-methods.yaml, what a matched method holds, and how a
 * match is written in a finding.
 */
import { formatSource, type Evidence, type Grant, type Identity, type RuleData } from '../model/index.js';
import { dataContent, grantActionsText, isRecord, isStringList, viaText } from './privilege-support.js';
import { identityLabel, listWithMore } from './support.js';

export const DATA = 'escalation-methods';

/** One group of alternatives: one of `actions` must be granted where `on` says (`any` for a plain list). */
export interface Requirement {
  readonly actions: readonly string[];
  readonly on: string;
}

export interface Method {
  readonly provider: string;
  readonly id: string;
  readonly title: string | null;
  readonly source: string | null;
  /** Groups of alternatives: one entry of every group must be granted. */
  readonly requires: readonly Requirement[];
  readonly admin: boolean;
  readonly how: string;
  /** What the method reaches: `none` (it escalates by itself), or the kind of identity it takes over. */
  readonly target: string;
  /** Needs no permission: owning another app that can itself escalate. */
  readonly ownerOfPrivilegedApp: boolean;
}

function readRequirement(group: unknown): Requirement | null {
  if (isStringList(group) && group.length > 0) return { actions: group, on: 'any' };
  if (isRecord(group) && isStringList(group['actions']) && group['actions'].length > 0 && typeof group['on'] === 'string') {
    return { actions: group['actions'], on: group['on'] };
  }
  return null;
}

function readMethod(provider: string, entry: unknown, where: string): Method {
  if (!isRecord(entry) || typeof entry['id'] !== 'string' || typeof entry['how'] !== 'string' || typeof entry['admin'] !== 'boolean') {
    throw new Error(`rules/data/${DATA}.yaml: ${where} needs a string id, a string how and a boolean admin`);
  }
  const owner = entry['owner_of_privileged_app'] === true;
  const raw = entry['requires'] ?? [];
  const requires = Array.isArray(raw) ? raw.map(readRequirement) : [null];
  if (requires.some((group) => group === null) || (!owner && requires.length === 0)) {
    throw new Error(`rules/data/${DATA}.yaml: ${where} (${entry['id']}) needs requires: a list of groups of actions (a list, or {actions, on})`);
  }
  const text = (key: string): string | null => (typeof entry[key] === 'string' ? entry[key] : null);
  return {
    provider,
    id: entry['id'],
    title: text('title'),
    source: text('source'),
    requires: requires.filter((group): group is Requirement => group !== null),
    admin: entry['admin'],
    how: entry['how'],
    target: text('target') ?? 'none',
    ownerOfPrivilegedApp: owner,
  };
}

/** The non-AWS methods of the catalog (AWS methods are evaluated as a graph in aws-escalation.ts). */
export function readMethods(data: Readonly<Record<string, RuleData>>): Method[] {
  const providers = dataContent(data, DATA)['providers'];
  if (!isRecord(providers)) throw new Error(`rules/data/${DATA}.yaml: \`providers\` must map provider ids to lists of methods`);
  return Object.entries(providers).flatMap(([provider, list]) => {
    if (!Array.isArray(list)) throw new Error(`rules/data/${DATA}.yaml: providers.${provider} must be a list`);
    if (provider === 'aws') return [];
    return list.map((entry: unknown, index) => readMethod(provider, entry, `providers.${provider}[${index}]`));
  });
}

/** A mapping of names to lists of strings in the catalog (e.g. `gcp_roles`), empty when absent. */
export function readListMap(data: Readonly<Record<string, RuleData>>, key: string): ReadonlyMap<string, readonly string[]> {
  const raw = dataContent(data, DATA)[key];
  if (raw === undefined) return new Map();
  if (!isRecord(raw)) throw new Error(`rules/data/${DATA}.yaml: \`${key}\` must map names to lists`);
  const out = new Map<string, readonly string[]>();
  for (const [name, list] of Object.entries(raw)) {
    if (!isStringList(list)) throw new Error(`rules/data/${DATA}.yaml: ${key}.${name} must be a list of strings`);
    out.set(name, list);
  }
  return out;
}

/** A list of strings in the catalog (e.g. `k8s_harmless_roles`), empty when absent. */
export function readList(data: Readonly<Record<string, RuleData>>, key: string): readonly string[] {
  const raw = dataContent(data, DATA)[key];
  if (raw === undefined) return [];
  if (!isStringList(raw)) throw new Error(`rules/data/${DATA}.yaml: \`${key}\` must be a list of strings`);
  return raw;
}

/** One requirement met: the grant and the patterns in it that grant the action. */
export interface Granting {
  readonly grant: Grant;
  readonly key: string;
  readonly patterns: readonly string[];
}

export interface Match {
  readonly method: Method;
  readonly grantings: readonly Granting[];
  /** For the ownership method: the owned app and how it can escalate. */
  readonly ownedApp?: { readonly app: Identity; readonly methods: readonly string[] };
  /** What the method reaches (target identities, what they hold), in words. */
  readonly reach?: string;
  /** The identities the method reaches, for evidence. */
  readonly targets?: readonly Identity[];
  /** Overrides `method.admin` for this match, where that depends on more than the method: a namespaced Kubernetes bind, an Entra method held only as a delegated permission. */
  readonly admin?: boolean;
}

export const isAdminMatch = (match: Match): boolean => match.admin ?? match.method.admin;

/** Problems met while judging, turned into notes by NHI-PRIV-002. */
export interface EscalationNotes {
  /** Roles no catalog entry expands (custom roles, predefined roles not listed): `role (file:line)`. */
  readonly unexpanded: Set<string>;
  /** Grants left out because their condition can never hold: `identity: role (file:line, why)`. */
  readonly neverHolds: string[];
  /** Methods that reach only identities holding nothing more: `identity → target (method)`. */
  readonly notMorePrivileged: string[];
  /** Kubernetes bindings to a role the inputs do not define: `identity: ClusterRole/x (file:line)`. */
  readonly unresolvedK8s: Set<string>;
}

export function emptyNotes(): EscalationNotes {
  return { unexpanded: new Set(), neverHolds: [], notMorePrivileged: [], unresolvedK8s: new Set() };
}

export function grantingText(granting: Granting): string {
  const limit = granting.grant.hasConditions ? ', depends on a condition on the binding' : '';
  const scope = granting.grant.scope === undefined ? '' : ` on ${granting.grant.scope}`;
  return `${grantActionsText(granting.grant, granting.patterns)} via ${viaText(granting.grant)}${scope} (${formatSource(granting.grant.source)}${limit})`;
}

export function matchText(match: Match): string {
  if (match.ownedApp !== undefined) {
    const { app, methods } = match.ownedApp;
    return `${match.method.id} — owner of ${identityLabel(app).toLowerCase()} (${formatSource(app.source)}), which can escalate through ${listWithMore(methods)}: ${match.method.how}`;
  }
  const reach = match.reach === undefined ? '' : `, ${match.reach}`;
  return `${match.method.id} — ${match.grantings.map(grantingText).join(' + ')}${reach}: ${match.method.how}`;
}

export function matchEvidence(matches: readonly Match[]): Evidence[] {
  const byKey = new Map<string, { granting: Granting; methods: string[] }>();
  const owned: Evidence[] = [];
  const targets = new Map<string, { target: Identity; methods: string[] }>();
  for (const match of matches) {
    if (match.ownedApp !== undefined) {
      const { app, methods } = match.ownedApp;
      owned.push({ key: `owned-app:${app.id}`, source: app.source, summary: `${app.type} ${app.id}, owned by this identity, can escalate through ${methods.join(', ')}` });
      continue;
    }
    for (const granting of match.grantings) {
      const known = byKey.get(granting.key);
      if (known === undefined) byKey.set(granting.key, { granting, methods: [match.method.id] });
      else if (!known.methods.includes(match.method.id)) known.methods.push(match.method.id);
    }
    for (const target of match.targets ?? []) {
      const known = targets.get(target.id);
      if (known === undefined) targets.set(target.id, { target, methods: [match.method.id] });
      else if (!known.methods.includes(match.method.id)) known.methods.push(match.method.id);
    }
  }
  const grants = [...byKey.entries()].map(([key, { granting, methods }]) => ({
    key,
    source: granting.grant.source,
    summary: `allow ${grantActionsText(granting.grant, granting.patterns)} via ${viaText(granting.grant)}: enables ${methods.join(', ')}`,
  }));
  const reached = [...targets.values()].map(({ target, methods }) => ({
    key: `target:${target.id}`,
    source: target.source,
    summary: `${target.type} ${target.id}, reached through ${methods.join(', ')}`,
  }));
  return [...grants, ...reached, ...owned];
}

/**
 * What `target` holds that `holder` does not, as `action@where` strings, or
 * null when the inputs show no grant of the target at all.
 */
export function extraPrivileges(holderGrants: readonly Grant[], targetGrants: readonly Grant[], placeOf: (grant: Grant) => string): string[] | null {
  const allows = targetGrants.filter((grant) => grant.effect === 'allow');
  if (allows.length === 0) return null;
  const key = (grant: Grant, action: string): string => `${action}${placeOf(grant)}`;
  const own = new Set(holderGrants.filter((grant) => grant.effect === 'allow').flatMap((grant) => grant.actions.map((action) => key(grant, action))));
  return [...new Set(allows.flatMap((grant) => grant.actions.map((action) => key(grant, action))))].filter((entry) => !own.has(entry)).sort();
}
