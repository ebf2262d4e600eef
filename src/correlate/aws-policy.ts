import { parseInstant, type Grant, type GrantCondition, type Identity, type Instant, type TrustStatement } from '../model/index.js';
import type { InventoryView } from './views.js';

/*
 * The AWS policy evaluator: answers "may P do A on R?" as IAM does for one
 * account's identity policies — inline, attached managed (default version),
 * group inline and attached — capped by the permissions boundary, with
 * explicit deny winning, NotAction, NotResource, wildcards in actions and
 * ARNs, and conditions judged three ways. Role trust policies answer "who may
 * assume R?". SCPs and resource policies are not part of the model: callers
 * say so once.
 *
 * R may hold wildcards and then means "some resource R matches": an allow
 * counts when its resource overlaps R, a deny only when it covers all of R.
 */

/** How a statement's conditions fare for an attacker holding the principal's credentials. */
export type ConditionJudgement = 'always' | 'never' | 'depends';

/** Values the request is known to carry (`iam:PassedToService` when passing a role to EC2). */
export type RequestKeys = Readonly<Record<string, string>>;

export interface Decision {
  readonly allowed: boolean;
  /** `always` when no condition stands in the way; `depends` when one might (said in `depends`). */
  readonly judgement: 'always' | 'depends';
  /** The allow statements that grant it (every one, in input order); empty when not allowed. */
  readonly allows: readonly Grant[];
  /** The deny statement that decided a refusal, or the conditional denies that might. */
  readonly denies: readonly Grant[];
  /** The boundary statements that let it through, where the identity has a boundary. */
  readonly boundary: readonly Grant[];
  /** Conditions that neither always nor never hold, in words (`aws:SourceIp IpAddress 10.0.0.0/8`). */
  readonly depends: readonly string[];
}

const DENIED: Omit<Decision, 'denies'> = { allowed: false, judgement: 'always', allows: [], boundary: [], depends: [] };

/* ---------- wildcard patterns ---------- */

function escapeRegExp(text: string): string {
  return text.replace(/[.+?^${}()|[\]\\/]/g, '\\$&');
}

const GLOBS = new Map<string, RegExp>();

/** `*` any run, `?` one character (IAM's two wildcards); case-insensitive when asked (actions). */
function globOf(pattern: string, caseInsensitive: boolean): RegExp {
  const key = `${caseInsensitive ? 'i' : 's'}${pattern}`;
  let found = GLOBS.get(key);
  if (found === undefined) {
    const body = [...pattern].map((c) => (c === '*' ? '.*' : c === '?' ? '.' : escapeRegExp(c))).join('');
    found = new RegExp(`^${body}$`, caseInsensitive ? 'is' : 's');
    if (GLOBS.size < 50_000) GLOBS.set(key, found);
  }
  return found;
}

/** Whether every value `specific` stands for matches `general` (a `*` in specific is matched only by a `*`). */
export function wildcardCovers(general: string, specific: string, caseInsensitive = false): boolean {
  return globOf(general, caseInsensitive).test(specific);
}

const OVERLAPS = new Map<string, boolean>();

/** `arn:partition:service:region:account:resource` → its six parts (the resource part keeps its colons). */
function arnParts(value: string): string[] | null {
  if (!value.startsWith('arn:')) return null;
  const parts = value.split(':');
  if (parts.length < 6) return null;
  return [...parts.slice(0, 5), parts.slice(5).join(':')];
}

/**
 * Whether some value matches both patterns (`iam:Put*` and `iam:*Policy` share
 * `iam:PutRolePolicy`). Two ARNs are compared part by part: a real ARN holds
 * one account, so a `*` region does not stretch over another account's id.
 */
export function wildcardsOverlap(a: string, b: string, caseInsensitive = false): boolean {
  // Every principal with the same managed policy asks the same questions: answer a repeat from
  // the patterns as written, without splitting, lower-casing or building a key.
  const table = caseInsensitive ? PAIRS_ANY_CASE : PAIRS_EXACT;
  let byRight = table.get(a);
  const known = byRight?.get(b);
  if (known !== undefined) return known;
  const left = arnParts(a);
  const right = arnParts(b);
  const result =
    left !== null && right !== null ? left.every((part, index) => textsOverlap(part, right[index] ?? '', caseInsensitive)) : textsOverlap(a, b, caseInsensitive);
  if (pairsKept < PAIRS_LIMIT) {
    if (byRight === undefined) table.set(a, (byRight = new Map()));
    byRight.set(b, result);
    pairsKept += 1;
  }
  return result;
}

const PAIRS_EXACT = new Map<string, Map<string, boolean>>();
const PAIRS_ANY_CASE = new Map<string, Map<string, boolean>>();
const PAIRS_LIMIT = 200_000;
let pairsKept = 0;

function textsOverlap(a: string, b: string, caseInsensitive: boolean): boolean {
  const left = caseInsensitive ? a.toLowerCase() : a;
  const right = caseInsensitive ? b.toLowerCase() : b;
  if (!left.includes('*') && !left.includes('?')) return globOf(right, false).test(left);
  if (!right.includes('*') && !right.includes('?')) return globOf(left, false).test(right);
  const key = `${left}\u0000${right}`;
  const cached = OVERLAPS.get(key);
  if (cached !== undefined) return cached;
  const memo = new Map<number, boolean>();
  const width = right.length + 1;
  const meet = (i: number, j: number): boolean => {
    const k = i * width + j;
    const known = memo.get(k);
    if (known !== undefined) return known;
    let result: boolean;
    if (i === left.length && j === right.length) result = true;
    else if (left[i] === '*') result = meet(i + 1, j) || (j < right.length && meet(i, j + 1));
    else if (right[j] === '*') result = meet(i, j + 1) || (i < left.length && meet(i + 1, j));
    else result = i < left.length && j < right.length && (left[i] === right[j] || left[i] === '?' || right[j] === '?') && meet(i + 1, j + 1);
    memo.set(k, result);
    return result;
  };
  const result = meet(0, 0);
  if (OVERLAPS.size < 100_000) OVERLAPS.set(key, result);
  return result;
}

/* ---------- conditions ---------- */

/** Keys whose value an attacker acting now always brings to a request with a fresh session. */
const TIME_KEYS = new Set(['aws:tokenissuetime', 'aws:currenttime', 'aws:epochtime']);

function conditionText(condition: GrantCondition): string {
  const values = condition.values.length === 0 ? '' : ` ${condition.values.map((value) => `"${value}"`).join(', ')}`;
  return `${condition.key} ${condition.operator}${values}`;
}

function stringTest(base: string, value: string, candidates: readonly string[]): boolean {
  const ignoreCase = /IgnoreCase$/.test(base);
  if (/Like$/.test(base)) return candidates.some((candidate) => wildcardCovers(candidate, value, ignoreCase));
  return candidates.some((candidate) => (ignoreCase ? candidate.toLowerCase() === value.toLowerCase() : candidate === value));
}

/**
 * One condition, for a request made now (`asOf`) by whoever holds the
 * principal's credentials. Dates on the session's time are decided by the
 * clock; a key the request is known to carry is tested; any other key
 * depends on the caller and is kept, in words.
 */
export function judgeCondition(condition: GrantCondition, asOf: Instant, keys: RequestKeys): ConditionJudgement {
  const key = condition.key.toLowerCase();
  const operator = condition.operator.replace(/^(ForAnyValue|ForAllValues):/, '');
  const ifExists = operator.endsWith('IfExists');
  const base = ifExists ? operator.slice(0, -'IfExists'.length) : operator;
  const known = Object.entries(keys).find(([name]) => name.toLowerCase() === key)?.[1];
  if (known !== undefined && /^(String|Arn)/.test(base)) {
    const negated = /Not/.test(base);
    const test = stringTest(base.replace('Not', '').replace(/^Arn/, 'String'), known, condition.values);
    return test !== negated ? 'always' : 'never';
  }
  if (TIME_KEYS.has(key) && /^Date/.test(base) && condition.values.length > 0) {
    const bounds = condition.values.map((value) => parseInstant(value));
    if (bounds.every((bound) => bound.ok)) {
      const times = bounds.map((bound) => (bound.ok ? bound.value : 0));
      // The attacker's session is issued now, and stays valid for hours.
      const now = asOf;
      const holds = (bound: number): boolean => {
        if (base === 'DateGreaterThan' || base === 'DateGreaterThanEquals') return now >= bound;
        if (base === 'DateLessThan' || base === 'DateLessThanEquals') return now <= bound;
        if (base === 'DateEquals') return now === bound;
        if (base === 'DateNotEquals') return now !== bound;
        return true;
      };
      return times.some(holds) ? 'always' : 'never';
    }
  }
  return 'depends';
}

function judgeAll(grant: Grant, asOf: Instant, keys: RequestKeys): { judgement: ConditionJudgement; depends: string[] } {
  const depends: string[] = [];
  for (const condition of grant.conditions ?? []) {
    const judgement = judgeCondition(condition, asOf, keys);
    if (judgement === 'never') return { judgement: 'never', depends: [] };
    if (judgement === 'depends') depends.push(conditionText(condition));
  }
  // A statement that had conditions the source did not give us (hasConditions without a list) depends on them.
  if (grant.conditions === undefined && grant.hasConditions && grant.notResources === undefined) depends.push('conditions not shown in the input');
  return { judgement: depends.length > 0 ? 'depends' : 'always', depends };
}

/** How a statement's conditions fare as a whole: `never` when one can never hold for an attacker acting now. */
export function statementConditions(grant: Grant, asOf: Instant): ConditionJudgement {
  return judgeAll(grant, asOf, {}).judgement;
}

/* ---------- statements ---------- */

/**
 * Policy variables resolved for the principal: `${aws:username}` (a user's
 * name; a role has none, so the pattern matches nothing), `${aws:PrincipalArn}`;
 * others depend on the request and become `*` (the risky reading).
 */
function substitute(pattern: string, principal: Identity): string {
  if (!pattern.includes('${')) return pattern;
  const name = principal.id.slice(principal.id.lastIndexOf('/') + 1);
  return pattern.replace(/\$\{([^}]*)\}/g, (_match, variable: string) => {
    const lower = variable.toLowerCase();
    if (lower === 'aws:username') return principal.type === 'user' ? name : '\u0000';
    if (lower === 'aws:principalarn' || lower === 'aws:userid') return lower === 'aws:principalarn' ? principal.id : '*';
    if (lower === '*' || lower === '?' || lower === '$') return lower;
    return '*';
  });
}

function actionApplies(grant: Grant, action: string): boolean {
  const matches = grant.actions.some((pattern) => wildcardsOverlap(pattern, action, true));
  if (!grant.notActions) return matches;
  // NotAction applies unless an exclusion covers the whole of `action`.
  return !grant.actions.some((pattern) => wildcardCovers(pattern, action, true));
}

/** Whether the statement applies to every action `pattern` stands for (`s3:*` covers `s3:*`; NotAction `iam:*` does not cover `*`). */
function actionCoveredWhole(grant: Grant, pattern: string): boolean {
  if (grant.notActions) return !grant.actions.some((excluded) => wildcardsOverlap(excluded, pattern, true));
  return grant.actions.some((granted) => wildcardCovers(granted, pattern, true));
}

function actionCoveredByDeny(grant: Grant, action: string): boolean {
  if (grant.notActions) return !grant.actions.some((pattern) => wildcardsOverlap(pattern, action, true));
  return grant.actions.some((pattern) => wildcardCovers(pattern, action, true));
}

function resourceOverlaps(grant: Grant, resource: string, principal: Identity): boolean {
  if (grant.notResources !== undefined) return !grant.notResources.some((pattern) => wildcardCovers(substitute(pattern, principal), resource));
  return grant.resources.some((pattern) => wildcardsOverlap(substitute(pattern, principal), resource));
}

function resourceCovered(grant: Grant, resource: string, principal: Identity): boolean {
  if (grant.notResources !== undefined) return !grant.notResources.some((pattern) => wildcardsOverlap(substitute(pattern, principal), resource));
  return grant.resources.some((pattern) => wildcardCovers(substitute(pattern, principal), resource));
}

interface Applying {
  readonly grants: Grant[];
  readonly depends: string[];
  readonly always: boolean;
}

function allowsOf(statements: readonly Grant[], principal: Identity, action: string, resource: string, asOf: Instant, keys: RequestKeys, whole = false): Applying {
  const grants: Grant[] = [];
  const depends: string[] = [];
  let always = false;
  for (const grant of statements) {
    if (grant.effect !== 'allow') continue;
    if (whole ? !actionCoveredWhole(grant, action) || !resourceCovered(grant, resource, principal) : !actionApplies(grant, action) || !resourceOverlaps(grant, resource, principal)) continue;
    const judged = judgeAll(grant, asOf, keys);
    if (judged.judgement === 'never') continue;
    grants.push(grant);
    if (judged.judgement === 'always') always = true;
    else depends.push(...judged.depends);
  }
  return { grants, depends: always ? [] : depends, always };
}

/**
 * "May `principal` do `action` on (some resource matching) `resource`?",
 * from its identity policies and permissions boundary. With `whole`, the
 * question is "every action `action` stands for, on every resource
 * `resource` stands for": an allow (and the boundary) must then cover both
 * whole, while a deny still cancels only what it covers whole.
 */
export function decide(
  principal: Identity,
  grants: readonly Grant[],
  boundary: readonly Grant[],
  action: string,
  resource: string,
  asOf: Instant,
  keys: RequestKeys = {},
  whole = false,
): Decision {
  const conditionalDenies: Grant[] = [];
  const dependsOnDeny: string[] = [];
  for (const grant of [...grants, ...boundary]) {
    if (grant.effect !== 'deny' || !actionCoveredByDeny(grant, action) || !resourceCovered(grant, resource, principal)) continue;
    const judged = judgeAll(grant, asOf, keys);
    if (judged.judgement === 'always') return { ...DENIED, denies: [grant] };
    if (judged.judgement === 'depends') {
      conditionalDenies.push(grant);
      dependsOnDeny.push(...judged.depends.map((text) => `unless a deny applies (${text})`));
    }
  }
  const allows = allowsOf(grants, principal, action, resource, asOf, keys, whole);
  if (allows.grants.length === 0) return { ...DENIED, denies: [] };
  let capped: Applying = { grants: [], depends: [], always: true };
  if (boundary.length > 0) {
    capped = allowsOf(boundary, principal, action, resource, asOf, keys, whole);
    if (capped.grants.length === 0) return { ...DENIED, denies: [], boundary: [] };
  }
  const depends = [...allows.depends, ...capped.depends, ...dependsOnDeny];
  return {
    allowed: true,
    judgement: depends.length === 0 ? 'always' : 'depends',
    allows: allows.grants,
    denies: conditionalDenies,
    boundary: capped.grants,
    depends,
  };
}

/** One allow statement and the resources it reaches for an action, after the unconditional denies. */
export interface ResourceReach {
  readonly grant: Grant;
  /** Resource patterns as written (variables resolved), or the NotResource exceptions. */
  readonly resources: readonly string[];
  readonly except: boolean;
  readonly judgement: 'always' | 'depends';
}

/** "On which resources may `principal` do `action`?": each allow statement that reaches some resource for it. */
export function resourcesFor(principal: Identity, grants: readonly Grant[], boundary: readonly Grant[], action: string, asOf: Instant): ResourceReach[] {
  const out: ResourceReach[] = [];
  for (const grant of grants) {
    if (grant.effect !== 'allow' || !actionApplies(grant, action)) continue;
    const except = grant.notResources !== undefined;
    const patterns = (except ? (grant.notResources ?? []) : grant.resources).map((pattern) => substitute(pattern, principal));
    const probe = except ? '*' : patterns;
    const reachable = (Array.isArray(probe) ? probe : [probe]).some((pattern) => decide(principal, [grant, ...grants.filter((g) => g.effect === 'deny')], boundary, action, pattern, asOf).allowed);
    if (!reachable) continue;
    const judged = judgeAll(grant, asOf, {});
    out.push({ grant, resources: patterns, except, judgement: judged.judgement === 'always' ? 'always' : 'depends' });
  }
  return out;
}

/* ---------- trust ---------- */

export interface AssumeDecision {
  readonly allowed: boolean;
  /** True when the trust policy names the principal itself: no identity permission is needed then (same account). */
  readonly namedDirectly: boolean;
  /** Trust statements with conditions that depend on the request: the assumption depends on them. */
  readonly conditional: boolean;
  /** How the trust policy lets it in, in words (`trusts arn:…:user/x`, `trusts account 123…`, with the conditions it depends on). */
  readonly how: string;
  /** When it names the principal but a condition shuts it out: which statement and why, in words; else null. */
  readonly refused: string | null;
}

const NO_ASSUME: AssumeDecision = { allowed: false, namedDirectly: false, conditional: false, how: '', refused: null };

/** The account of an ARN or a bare account id. */
function accountOfRef(ref: string): string | null {
  if (/^\d{12}$/.test(ref)) return ref;
  const account = ref.split(':')[4];
  return account === undefined || account === '' ? null : account;
}

/**
 * What a trust statement's conditions make of one caller: the keys the caller
 * brings are known (`aws:PrincipalArn`, `aws:PrincipalAccount`,
 * `aws:PrincipalType`) and the clock decides dates; the rest depend on the
 * request (MFA, source IP, an external id) and are kept in words.
 */
function judgeTrust(statement: TrustStatement, principal: Identity, account: string | null, asOf: Instant): { judgement: ConditionJudgement; depends: string[]; never: string | null } {
  if (statement.conditions === undefined) {
    // An input that gave only the keys: every one depends.
    return statement.hasConditions ? { judgement: 'depends', depends: [`conditions on ${statement.conditionKeys.join(', ')}`], never: null } : { judgement: 'always', depends: [], never: null };
  }
  const keys: Record<string, string> = { 'aws:PrincipalArn': principal.id, 'aws:PrincipalType': principal.type === 'user' ? 'User' : 'AssumedRole' };
  if (account !== null) keys['aws:PrincipalAccount'] = account;
  const depends: string[] = [];
  for (const condition of statement.conditions) {
    const judgement = judgeCondition(condition, asOf, keys);
    if (judgement === 'never') return { judgement, depends: [], never: conditionText(condition) };
    if (judgement === 'depends') depends.push(conditionText(condition));
  }
  return { judgement: depends.length > 0 ? 'depends' : 'always', depends, never: null };
}

/**
 * Whether `role`'s trust policy lets `principal` call sts:AssumeRole: a
 * statement naming it (or the assumed-role session of a role), its account
 * root, or `*`, whose conditions can hold for it, with no deny naming it
 * whose conditions always hold.
 */
export function trustAllows(role: Identity, principal: Identity, inventory: InventoryView, asOf: Instant): AssumeDecision {
  let best: AssumeDecision = NO_ASSUME;
  const refusals: string[] = [];
  const principalAccount = principal.tenant ?? accountOfRef(principal.id);
  for (const statement of role.trust ?? []) {
    if (!statement.actions.some((action) => wildcardsOverlap(action, 'sts:AssumeRole', true))) continue;
    for (const trustee of statement.trustees) {
      const named = trustee.kind === 'account' && inventory.identity(trustee.id)?.id === principal.id;
      const account = trustee.kind === 'account' && !named && /(^\d{12}$)|(:root$)/.test(trustee.id) && accountOfRef(trustee.id) === principalAccount;
      const anyone = trustee.kind === 'any' || (trustee.kind === 'account' && trustee.id === '*');
      if (!named && !account && !anyone) continue;
      const judged = judgeTrust(statement, principal, principalAccount, asOf);
      if (statement.effect === 'deny') {
        // A deny that may not apply to the attacker's request is not counted on (the risky reading).
        if (judged.judgement === 'always') return { ...NO_ASSUME, refused: `a deny in its trust policy names ${trustee.id}` };
        continue;
      }
      const how = named ? `trusts ${trustee.id}` : anyone ? 'trusts any principal ("*")' : `trusts account ${trustee.id}`;
      if (judged.judgement === 'never') {
        refusals.push(`it ${how}, but only under ${judged.never ?? 'a condition'}, which can never hold for ${principal.id}`);
        continue;
      }
      const conditional = judged.judgement === 'depends';
      const found: AssumeDecision = { allowed: true, namedDirectly: named, conditional, how: conditional ? `${how} under ${judged.depends.join(', ')}` : how, refused: null };
      // Prefer an unconditional, direct trust: it needs the least from the caller.
      if (!best.allowed || (best.conditional && !found.conditional) || (!best.namedDirectly && found.namedDirectly && found.conditional === best.conditional)) best = found;
    }
  }
  if (!best.allowed && refusals.length > 0) return { ...NO_ASSUME, refused: refusals.join('; ') };
  return best;
}

/** Whether the trust policy lets an AWS service (`ec2.amazonaws.com`) assume the role unconditionally or under conditions. */
export function trustsService(role: Identity, service: string): boolean {
  return (role.trust ?? []).some(
    (statement) =>
      statement.effect === 'allow' &&
      statement.actions.some((action) => wildcardsOverlap(action, 'sts:AssumeRole', true)) &&
      statement.trustees.some((trustee) => trustee.kind === 'service' && trustee.id.toLowerCase() === service.toLowerCase()),
  );
}

/** The evaluator over one inventory: the identity's grants and boundary looked up once. */
export class AwsPolicyEvaluator {
  constructor(
    private readonly inventory: InventoryView,
    private readonly asOf: Instant,
  ) {}

  may(principal: Identity, action: string, resource: string, keys: RequestKeys = {}): Decision {
    return decide(principal, this.inventory.grantsOf(principal.id), this.inventory.boundaryOf(principal.id), action, resource, this.asOf, keys);
  }

  /** "May `principal` do every action `pattern` stands for on every resource `resource` stands for?" (see `decide`'s `whole`). */
  mayAll(principal: Identity, pattern: string, resource: string): Decision {
    return decide(principal, this.inventory.grantsOf(principal.id), this.inventory.boundaryOf(principal.id), pattern, resource, this.asOf, {}, true);
  }

  /** The principal's permissions boundary statements (empty when it has none). */
  boundaryOf(principal: Identity): readonly Grant[] {
    return this.inventory.boundaryOf(principal.id);
  }

  resourcesFor(principal: Identity, action: string): ResourceReach[] {
    return resourcesFor(principal, this.inventory.grantsOf(principal.id), this.inventory.boundaryOf(principal.id), action, this.asOf);
  }

  /** "Who may assume `role`?": every identity its trust lets in and whose own policies allow sts:AssumeRole on it where that is needed. */
  whoMayAssume(role: Identity): { readonly identity: Identity; readonly trust: AssumeDecision; readonly decision: Decision | null }[] {
    const out: { identity: Identity; trust: AssumeDecision; decision: Decision | null }[] = [];
    for (const candidate of this.inventory.identities()) {
      if (candidate.id === role.id || candidate.provider !== 'aws') continue;
      const found = this.assume(candidate, role);
      if (found !== null) out.push({ identity: candidate, ...found });
    }
    return out;
  }

  /** Why `role`'s trust policy shuts `principal` out although it names it (a condition that can never hold for it), or null. */
  trustRefusal(principal: Identity, role: Identity): string | null {
    return trustAllows(role, principal, this.inventory, this.asOf).refused;
  }

  /** Whether `principal` may assume `role`, and what decided it; null when it may not. */
  assume(principal: Identity, role: Identity): { readonly trust: AssumeDecision; readonly decision: Decision | null } | null {
    const trust = trustAllows(role, principal, this.inventory, this.asOf);
    if (!trust.allowed) return null;
    const decision = this.may(principal, 'sts:AssumeRole', role.id);
    // Same account, named in the trust policy: the trust alone suffices unless a deny says otherwise.
    if (trust.namedDirectly && !decision.allowed && decision.denies.length === 0 && accountOfRef(role.id) === accountOfRef(principal.id)) {
      const deny = decide(principal, this.inventory.grantsOf(principal.id).filter((grant) => grant.effect === 'deny'), [], 'sts:AssumeRole', role.id, this.asOf);
      return deny.denies.length > 0 ? null : { trust, decision: null };
    }
    return decision.allowed ? { trust, decision } : null;
  }
}
