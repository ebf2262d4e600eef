/*
 * AWS privilege escalation as a graph, for NHI-PRIV-002: the methods of
 * rules/data/escalation-methods.yaml (providers.aws), each a set of actions
 * that the policy evaluator must allow on the resources that matter (the
 * passed role, another user, a customer-managed policy), and chains of them
 * through identities the method reaches (a role it passes or assumes, a user
 * it takes over) up to a depth. A principal escalates when a method works by
 * itself (it rewrites permissions) or when it reaches an identity that is
 * admin-equivalent or escalates in turn.
 */
import { AwsPolicyEvaluator, type Decision, type InventoryView } from '../engine/rule-api.js';
import { formatSource, type Evidence, type Grant, type Identity, type Instant, type RuleData } from '../model/index.js';
import { dataContent, isRecord, isStringList, quoteAll, viaText } from './privilege-support.js';

type Target = 'none' | 'other-user' | 'any-role' | 'assumable-role' | 'role-trusting';
const TARGETS: readonly Target[] = ['none', 'other-user', 'any-role', 'assumable-role', 'role-trusting'];

interface Requirement {
  readonly actions: readonly string[];
  /** `target`, or an ARN pattern with `{account}`. */
  readonly on: string;
}

export interface AwsMethod {
  readonly id: string;
  readonly title: string;
  readonly source: string;
  readonly admin: boolean;
  readonly target: Target;
  readonly service: string | null;
  readonly requires: readonly Requirement[];
  readonly how: string;
}

/** Actions an admin-equivalent identity may do on every resource, unconditionally. */
const ADMIN_PROBES = ['iam:PutRolePolicy', 'iam:AttachRolePolicy', 'iam:PutUserPolicy', 'iam:CreatePolicyVersion', 'iam:PassRole', 'sts:AssumeRole', 'ec2:RunInstances', 's3:GetObject', 'lambda:CreateFunction'];

export function readAwsMethods(data: Readonly<Record<string, RuleData>>): AwsMethod[] {
  const providers = dataContent(data, 'escalation-methods')['providers'];
  const list = isRecord(providers) ? providers['aws'] : undefined;
  if (!Array.isArray(list)) return [];
  return list.map((entry: unknown, index) => {
    const where = `rules/data/escalation-methods.yaml: providers.aws[${index}]`;
    if (!isRecord(entry)) throw new Error(`${where} must be a mapping`);
    const { id, title, source, admin, target, service, requires, how } = entry;
    if (typeof id !== 'string' || typeof title !== 'string' || typeof source !== 'string' || typeof how !== 'string' || typeof admin !== 'boolean') {
      throw new Error(`${where} needs string id, title, source and how, and a boolean admin`);
    }
    if (typeof target !== 'string' || !TARGETS.includes(target as Target)) throw new Error(`${where} (${id}): target must be one of ${TARGETS.join(', ')}`);
    if (target === 'role-trusting' && typeof service !== 'string') throw new Error(`${where} (${id}): role-trusting needs a service`);
    if (!Array.isArray(requires) || requires.length === 0) throw new Error(`${where} (${id}): requires must list {actions, on}`);
    const parsed = requires.map((group: unknown) => {
      if (!isRecord(group) || !isStringList(group['actions']) || typeof group['on'] !== 'string') throw new Error(`${where} (${id}): each requires entry needs actions and on`);
      return { actions: group['actions'], on: group['on'] };
    });
    return { id, title, source, admin, target: target as Target, service: typeof service === 'string' ? service : null, requires: parsed, how };
  });
}

/** One hop: a method (or an assumption) from one identity, with the statements that allow it. */
interface Hop {
  readonly method: AwsMethod;
  readonly from: Identity;
  /** The identity reached; null for a method that escalates by itself. */
  readonly to: Identity | null;
  /** A target the inputs do not list (no role trusts the service, no other user): judged the risky way. */
  readonly unlisted: string | null;
  readonly decisions: readonly { readonly action: string; readonly decision: Decision }[];
  readonly trust: string | null;
}

export interface AwsFinding {
  readonly admin: boolean;
  readonly text: string;
  readonly evidence: readonly Evidence[];
}

function accountOf(identity: Identity): string {
  return identity.tenant ?? identity.id.split(':')[4] ?? '*';
}

function statementText(action: string, decision: Decision): string {
  const grant = decision.allows[0];
  if (grant === undefined) return `"${action}"`;
  const what = grant.notActions ? `all actions except ${quoteAll(grant.actions)}` : `"${action}"`;
  const on = grant.notResources !== undefined ? `all resources except ${quoteAll(grant.notResources)}` : quoteAll(grant.resources);
  const depends = decision.depends.length > 0 ? `, depending on ${decision.depends.join('; ')}` : '';
  const boundary = decision.boundary[0] === undefined ? '' : `, within boundary ${viaText(decision.boundary[0])} (${formatSource(decision.boundary[0].source)})`;
  return `${what} on ${on} via ${viaText(grant)} (${formatSource(grant.source)}${depends}${boundary})`;
}

function identityText(identity: Identity): string {
  return `${identity.type} ${identity.id}`;
}

function hopText(hop: Hop): string {
  const statements =
    hop.decisions.length === 0
      ? 'no permission of its own needed (same account, the trust policy names it)'
      : hop.decisions.map(({ action, decision }) => statementText(action, decision)).join(' + ');
  const target = hop.to !== null ? ` — reaches ${identityText(hop.to)} (${formatSource(hop.to.source)})` : hop.unlisted !== null ? ` — ${hop.unlisted}` : '';
  const trust = hop.trust === null ? '' : `, whose trust policy ${hop.trust}`;
  return `${hop.method.id} (${hop.method.title}): ${statements}${target}${trust}: ${hop.method.how}`;
}

export function awsEscalations(
  identities: readonly Identity[],
  inventory: InventoryView,
  asOf: Instant,
  data: Readonly<Record<string, RuleData>>,
  maxDepth: number,
): { readonly everything: ReadonlySet<string>; readonly findings: ReadonlyMap<string, AwsFinding>; readonly refusals: readonly string[] } {
  const methods = readAwsMethods(data);
  const evaluator = new AwsPolicyEvaluator(inventory, asOf);
  /** Roles a principal would reach but whose trust policy shuts it out by a condition: noted, so a reader sees why. */
  const refusals = new Set<string>();
  const all = inventory.identities().filter((identity) => identity.provider === 'aws' && identity.status !== 'deleted');

  /** Admin-equivalent: every probe allowed on every resource, unconditionally, by a `*` or NotAction allow. */
  const admins = new Map<string, Grant>();
  for (const identity of all) {
    const decisions = ADMIN_PROBES.map((action) => evaluator.may(identity, action, '*'));
    if (!decisions.every((decision) => decision.allowed && decision.judgement === 'always')) continue;
    const broad = decisions[0]?.allows.find((grant) => grant.notActions || grant.actions.some((action) => action === '*' || action === '*:*'));
    if (broad !== undefined) admins.set(identity.id, broad);
  }

  const allowedGroup = (principal: Identity, requirement: Requirement, target: Identity | null, service: string | null): { action: string; decision: Decision } | null => {
    const account = accountOf(principal);
    for (const action of requirement.actions) {
      const resource = requirement.on === 'target' ? (target?.id ?? '*') : requirement.on.replaceAll('{account}', account);
      const keys = action.toLowerCase() === 'iam:passrole' && service !== null ? { 'iam:PassedToService': service } : {};
      const decision = evaluator.may(principal, action, resource, keys);
      if (decision.allowed) return { action, decision };
    }
    return null;
  };
  const allowedAll = (principal: Identity, method: AwsMethod, target: Identity | null): Hop['decisions'] | null => {
    const out: { action: string; decision: Decision }[] = [];
    for (const requirement of method.requires) {
      const found = allowedGroup(principal, requirement, target, method.service);
      if (found === null) return null;
      out.push(found);
    }
    return out;
  };

  /**
   * The identities a round may reach, indexed so each principal looks only at
   * its own candidates: users and roles by account, roles by the service that
   * may assume them, and by who their trust policy names.
   */
  interface Pool {
    readonly users: ReadonlyMap<string, Identity[]>;
    readonly roles: ReadonlyMap<string, Identity[]>;
    readonly byService: ReadonlyMap<string, Identity[]>;
    readonly byTrustee: ReadonlyMap<string, Identity[]>;
  }
  const push = (map: Map<string, Identity[]>, key: string, identity: Identity): void => {
    const list = map.get(key);
    if (list === undefined) map.set(key, [identity]);
    else if (!list.includes(identity)) list.push(identity);
  };
  const indexPool = (identities: readonly Identity[]): Pool => {
    const users = new Map<string, Identity[]>();
    const roles = new Map<string, Identity[]>();
    const byService = new Map<string, Identity[]>();
    const byTrustee = new Map<string, Identity[]>();
    // Admin-equivalent targets first: the shortest story.
    const ordered = [...identities].sort((x, y) => Number(admins.has(y.id)) - Number(admins.has(x.id)));
    for (const identity of ordered) {
      if (identity.type === 'user' && !/:root$/.test(identity.id)) push(users, accountOf(identity), identity);
      if (identity.type !== 'role') continue;
      push(roles, accountOf(identity), identity);
      for (const statement of identity.trust ?? []) {
        if (statement.effect !== 'allow') continue;
        for (const trustee of statement.trustees) {
          if (trustee.kind === 'service') push(byService, `${accountOf(identity)} ${trustee.id.toLowerCase()}`, identity);
          else if (trustee.kind === 'any' || trustee.id === '*') push(byTrustee, '*', identity);
          else if (trustee.kind === 'account') {
            const account = /^\d{12}$/.test(trustee.id) ? trustee.id : /:root$/.test(trustee.id) ? (trustee.id.split(':')[4] ?? '') : null;
            push(byTrustee, account !== null ? `account ${account}` : (inventory.identity(trustee.id)?.id ?? trustee.id), identity);
          }
        }
      }
    }
    return { users, roles, byService, byTrustee };
  };

  /** What a method can reach from `principal` in a pool (the principal itself excluded). */
  const candidates = (principal: Identity, method: AwsMethod, pool: Pool): readonly Identity[] => {
    const account = accountOf(principal);
    const list =
      method.target === 'other-user'
        ? pool.users.get(account)
        : method.target === 'role-trusting'
          ? pool.byService.get(`${account} ${(method.service ?? '').toLowerCase()}`)
          : method.target === 'any-role'
            ? pool.roles.get(account)
            : method.target === 'assumable-role'
              ? [...(pool.byTrustee.get(principal.id) ?? []), ...(pool.byTrustee.get(`account ${account}`) ?? []), ...(pool.byTrustee.get('*') ?? [])]
              : [];
    return (list ?? []).filter((identity) => identity.id !== principal.id);
  };

  /** Whether the method's permissions are allowed on some resource at all: checked once per principal and method. */
  const possible = new Map<string, boolean>();
  const mayAtAll = (principal: Identity, method: AwsMethod): boolean => {
    if (method.target === 'assumable-role') return true;
    const key = `${principal.id}\u0000${method.id}`;
    let known = possible.get(key);
    if (known === undefined) {
      const kind = method.target === 'other-user' ? 'user' : 'role';
      known = allowedAll(principal, method, { ...principal, id: `arn:aws:iam::${accountOf(principal)}:${kind}/*` }) !== null;
      possible.set(key, known);
    }
    return known;
  };

  const paths = new Map<string, Hop>();
  /** Every method that works by itself, per principal: the message names the others too. */
  const also = new Map<string, string[]>();
  // Methods that work by themselves.
  for (const principal of identities) {
    if (admins.has(principal.id)) continue;
    for (const method of methods) {
      if (method.target !== 'none') continue;
      const decisions = allowedAll(principal, method, null);
      if (decisions !== null) {
        also.set(principal.id, [...(also.get(principal.id) ?? []), method.id]);
        const known = paths.get(principal.id);
        if (known === undefined || (!known.method.admin && method.admin)) paths.set(principal.id, { method, from: principal, to: null, unlisted: null, decisions, trust: null });
      }
    }
  }
  // Chains: each round adds the identities that reach, in one hop, one already known to be powerful.
  const powerful = (): Identity[] => all.filter((identity) => admins.has(identity.id) || paths.has(identity.id));
  for (let depth = 1; depth <= maxDepth; depth += 1) {
    const found = powerful();
    if (found.length === 0) break;
    const pool = indexPool(found);
    const added: [string, Hop][] = [];
    for (const principal of identities) {
      if (admins.has(principal.id) || paths.has(principal.id)) continue;
      search: for (const method of methods) {
        if (method.target === 'none' || !mayAtAll(principal, method)) continue;
        for (const target of candidates(principal, method, pool)) {
          if (method.target === 'assumable-role') {
            const assumed = evaluator.assume(principal, target);
            if (assumed === null) {
              const refused = evaluator.trustRefusal(principal, target);
              if (refused !== null) refusals.add(`${principal.id} → ${target.id}: ${refused} (${formatSource(target.source)})`);
              continue;
            }
            const decisions = assumed.decision === null ? [] : [{ action: 'sts:AssumeRole', decision: assumed.decision }];
            added.push([principal.id, { method, from: principal, to: target, unlisted: null, decisions, trust: assumed.trust.how }]);
            break search;
          }
          const decisions = allowedAll(principal, method, target);
          if (decisions === null) continue;
          added.push([principal.id, { method, from: principal, to: target, unlisted: null, decisions, trust: null }]);
          break search;
        }
      }
    }
    if (added.length === 0) break;
    for (const [id, hop] of added) paths.set(id, hop);
  }

  // Targets the inputs do not list: where they do not list the whole account, a method whose
  // permission names its target by pattern is judged the risky way, with a target it does not list.
  const listedAccounts = new Set(all.filter((identity) => identity.tenantListed === true).map(accountOf));
  for (const principal of identities) {
    if (admins.has(principal.id) || paths.has(principal.id)) continue;
    const account = accountOf(principal);
    if (listedAccounts.has(account)) continue;
    for (const method of methods) {
      if (method.target === 'none' || method.target === 'assumable-role' || !method.requires.some((requirement) => requirement.on === 'target')) continue;
      const kind = method.target === 'other-user' ? 'user' : 'role';
      // Some identity the inputs do not show: any name a pattern allows, or one its statements name.
      const targetActions = method.requires.filter((requirement) => requirement.on === 'target').flatMap((requirement) => requirement.actions);
      const named = targetActions
        .flatMap((action) => evaluator.resourcesFor(principal, action))
        .flatMap((reach) => (reach.except ? [] : reach.resources))
        .filter((arn) => arn.includes(`:${kind}/`) && !arn.includes('*') && inventory.identity(arn) === undefined);
      const ids = [`arn:aws:iam::${account}:${kind}/(${kind === 'user' ? 'a user' : 'a role'} the inputs do not list)`, ...named];
      let decisions: Hop['decisions'] | null = null;
      for (const id of ids) {
        decisions = allowedAll(principal, method, { ...principal, id });
        if (decisions !== null) break;
      }
      if (decisions === null) continue;
      const what = method.target === 'other-user' ? 'other users' : method.target === 'any-role' ? 'roles' : `roles ${method.service ?? ''} can assume`;
      paths.set(principal.id, { method, from: principal, to: null, unlisted: `the inputs do not list every identity of account ${account}, so it may reach ${what} they do not show, any of which may be more privileged`, decisions, trust: null });
      break;
    }
  }

  const findings = new Map<string, AwsFinding>();
  for (const principal of identities) {
    const first = paths.get(principal.id);
    if (first === undefined) continue;
    const hops: Hop[] = [];
    let hop: Hop | undefined = first;
    while (hop !== undefined && hops.length <= maxDepth) {
      hops.push(hop);
      hop = hop.to === null ? undefined : paths.get(hop.to.id);
    }
    const last = hops[hops.length - 1];
    const end = last?.to ?? null;
    const adminGrant = end === null ? undefined : admins.get(end.id);
    const admin = hops.some((step) => step.method.admin) || adminGrant !== undefined;
    const ending =
      end !== null && adminGrant !== undefined
        ? `; ${identityText(end)} is admin-equivalent: ${adminGrant.notActions ? `all actions except ${quoteAll(adminGrant.actions)}` : quoteAll(adminGrant.actions)} on ${quoteAll(adminGrant.resources)} via ${viaText(adminGrant)} (${formatSource(adminGrant.source)})`
        : '';
    const others = (also.get(principal.id) ?? []).filter((id) => id !== first.method.id);
    const more = others.length === 0 ? '' : `; it can also escalate through ${others.join(', ')}`;
    const text =
      hops.length === 1
        ? `${hopText(first)}${ending}${more}`
        : `a chain of ${hops.length} hops: ${hops.map((step, index) => `(${index + 1}) ${index === 0 ? '' : `as ${step.from.id}, `}${hopText(step)}`).join(' → ')}${ending}`;
    const evidence: Evidence[] = [];
    const seen = new Set<string>();
    const keys = new Map<string, number>();
    for (const step of hops) {
      for (const { action, decision } of step.decisions) {
        for (const grant of [...decision.allows.slice(0, 1), ...decision.boundary.slice(0, 1)]) {
          if (seen.has(`statement:${formatSource(grant.source)}`)) continue;
          seen.add(`statement:${formatSource(grant.source)}`);
          // Keys as the grant evidence of every privilege rule: `grant:<holder>:<via>`, numbered when one policy gives several.
          const base = `grant:${step.from.id}:${grant.via ?? formatSource(grant.source)}`;
          const count = (keys.get(base) ?? 0) + 1;
          keys.set(base, count);
          const what = grant.notActions ? `all actions except ${quoteAll(grant.actions)}` : `"${action}"`;
          const kind = grant.boundary === true ? 'boundary allows' : 'allow';
          const holder = step.from.id === principal.id ? '' : ` (held by ${step.from.id})`;
          evidence.push({ key: count === 1 ? base : `${base}#${count}`, source: grant.source, summary: `${kind} ${what} via ${viaText(grant)}${holder}: enables ${step.method.id}` });
        }
      }
      if (step.to !== null && !seen.has(`identity:${step.to.id}`)) {
        seen.add(`identity:${step.to.id}`);
        evidence.push({ key: `reached:${step.to.id}`, source: step.to.source, summary: `${step.to.type} ${step.to.id}, reached through ${step.method.id}` });
      }
    }
    if (adminGrant !== undefined && !seen.has(`statement:${formatSource(adminGrant.source)}`)) {
      evidence.push({ key: `statement:${formatSource(adminGrant.source)}`, source: adminGrant.source, summary: `allow statement of ${viaText(adminGrant)}: admin-equivalent` });
    }
    findings.set(principal.id, { admin, text, evidence });
  }
  return { everything: new Set(identities.filter((identity) => admins.has(identity.id)).map((identity) => identity.id)), findings, refusals: [...refusals].sort() };
}
