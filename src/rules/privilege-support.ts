/*
 * Helpers of the privilege, scope and tenancy rules (NHI-PRIV-*, NHI-SCOPE-001,
 * NHI-TENANT-001, NHI-ENV-001): action-pattern matching across providers, the
 * effect of deny and NotAction grants, grant evidence keys, and the services a
 * grant covers. Only the model and the rule API.
 */
import { actionService } from '../engine/rule-api.js';
import type { Grant, Identity, RuleData } from '../model/index.js';

type Breadth = 'everything' | 'whole-service';

// `*`, `*:*`, `*.*`, `*/*` (Azure) and `* *` (Kubernetes verb + resource): every action.
export function isAllActions(action: string): boolean {
  return ['*', '*:*', '*.*', '*/*', '* *'].includes(action.trim());
}

/**
 * How much a resource pattern covers: `*` and ARNs made only of wildcards
 * (`arn:aws:*:*:*`) cover everything; an ARN whose resource part is only
 * wildcards (`arn:aws:s3:::*`, `arn:aws:ec2:us-east-1:123456789012:*`) covers
 * a whole service. Anything naming a resource (`arn:aws:s3:::bucket/*`) is narrower.
 */
export function resourceBreadth(resource: string): Breadth | null {
  const text = resource.trim();
  if (text === '*') return 'everything';
  const parts = text.split(':');
  if (parts[0] !== 'arn' || parts.length < 5) return null;
  const afterPartition = parts.slice(2);
  if (afterPartition.every((part) => part === '*' || part === '') && afterPartition.includes('*')) return 'everything';
  const resourcePart = parts.slice(5).join(':');
  if (!/^[*/]+$/.test(resourcePart) || !resourcePart.includes('*')) return null;
  return parts[2] === '*' ? 'everything' : 'whole-service';
}

function globRegExp(pattern: string, caseInsensitive: boolean): RegExp {
  const body = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\/]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${body}$`, caseInsensitive ? 'i' : '');
}

/** Whether `value` matches a glob where only `*` is a wildcard (any run of characters, spaces included). */
export function globMatches(pattern: string, value: string, caseInsensitive: boolean): boolean {
  return globRegExp(pattern.trim(), caseInsensitive).test(value.trim());
}

/** AWS action names (`s3:GetObject`) are case-insensitive; OAuth scopes and Kubernetes verbs are not. */
export function isAwsStyleAction(action: string): boolean {
  return /^[A-Za-z0-9*-]+:[A-Za-z0-9*]+$/.test(action.trim());
}

/**
 * Whether every action `specific` can stand for is matched by `general`
 * (`iam:*` covers `iam:Put*` and `iam:PutRolePolicy`; `iam:Put*` does not cover
 * `iam:*`). A `*` in `specific` is only matched by a `*` in `general`. Case-insensitive.
 */
export function patternCovers(general: string, specific: string): boolean {
  return globRegExp(general.trim(), true).test(specific.trim());
}

/**
 * Whether some action matches both patterns (`iam:Put*` and `iam:*Policy`
 * share `iam:PutRolePolicy`; `* *` and `create pods/exec` share it). Case-insensitive.
 */
export function patternsOverlap(a: string, b: string): boolean {
  // Managed policies repeat the same hundreds of actions for every identity that has them:
  // remember answers by the patterns as written, so a repeat costs two lookups and no new strings.
  let byRight = OVERLAPS.get(a);
  const cached = byRight?.get(b);
  if (cached !== undefined) return cached;
  const left = a.trim().toLowerCase();
  const right = b.trim().toLowerCase();
  const result = literalPrefixesAgree(left, right) && wildcardsMeet(left, right);
  if (overlapsKept < OVERLAP_CACHE_LIMIT) {
    if (byRight === undefined) OVERLAPS.set(a, (byRight = new Map()));
    byRight.set(b, result);
    overlapsKept += 1;
  }
  return result;
}

const OVERLAPS = new Map<string, Map<string, boolean>>();
const OVERLAP_CACHE_LIMIT = 100_000;
let overlapsKept = 0;

/** Text before the first `*` of each must agree where both have it: `ec2:Describe*` never meets `iam:Put*`. */
function literalPrefixesAgree(left: string, right: string): boolean {
  const leftStar = left.indexOf('*');
  const rightStar = right.indexOf('*');
  const length = Math.min(leftStar === -1 ? left.length : leftStar, rightStar === -1 ? right.length : rightStar);
  for (let index = 0; index < length; index += 1) if (left.charCodeAt(index) !== right.charCodeAt(index)) return false;
  return true;
}

function wildcardsMeet(left: string, right: string): boolean {
  const memo = new Map<number, boolean>();
  const width = right.length + 1;
  const meet = (i: number, j: number): boolean => {
    const key = i * width + j;
    const known = memo.get(key);
    if (known !== undefined) return known;
    let result: boolean;
    if (i === left.length && j === right.length) result = true;
    else if (left[i] === '*') result = meet(i + 1, j) || (j < right.length && meet(i, j + 1));
    else if (right[j] === '*') result = meet(i, j + 1) || (i < left.length && meet(i + 1, j));
    else result = i < left.length && j < right.length && left[i] === right[j] && meet(i + 1, j + 1);
    memo.set(key, result);
    return result;
  };
  return meet(0, 0);
}

/**
 * Explicit denies that apply everywhere: unconditional and on every resource.
 * `actions` lists denied patterns; each entry of `allExcept` is a deny
 * NotAction list (everything is denied except what it names).
 */
export interface Denies {
  readonly actions: readonly string[];
  readonly allExcept: readonly (readonly string[])[];
}

export function unconditionalDenies(grants: readonly Grant[]): Denies {
  const everywhere = grants.filter(
    (grant) =>
      grant.effect === 'deny' && !grant.hasConditions && grant.resources.some((resource) => resourceBreadth(resource) === 'everything'),
  );
  return {
    actions: everywhere.filter((grant) => !grant.notActions).flatMap((grant) => grant.actions),
    allExcept: everywhere.filter((grant) => grant.notActions).map((grant) => grant.actions),
  };
}

/**
 * Whether an explicit deny removes every action `pattern` stands for. An explicit
 * deny always wins over an allow, so an allow it covers grants nothing.
 */
export function isDenied(denies: Denies, pattern: string): boolean {
  if (denies.actions.some((deny) => patternCovers(deny, pattern))) return true;
  // Deny NotAction: denied unless the pattern could fall among the exceptions.
  return denies.allExcept.some((exceptions) => !exceptions.some((exception) => patternsOverlap(exception, pattern)));
}

/**
 * The patterns of an allow grant that grant (part of) `wanted`, in the grant's
 * own words — empty when it grants none of it. A NotAction grant grants
 * `wanted` unless one of its exclusions covers it whole.
 */
export function grantedBy(grant: Grant, wanted: string): readonly string[] {
  if (grant.effect !== 'allow') return [];
  if (grant.notActions) return grant.actions.some((excluded) => patternCovers(excluded, wanted)) ? [] : ['*'];
  return grant.actions.filter((action) => patternsOverlap(action, wanted));
}

/** `"iam:*"` or `all actions except "iam:*"`: what a grant says, for messages. */
export function grantActionsText(grant: Grant, patterns: readonly string[]): string {
  return grant.notActions ? `all actions except ${quoteAll(grant.actions)}` : quoteAll(patterns);
}

/** The policy, role or binding a grant comes through, for messages. */
export function viaText(grant: Grant): string {
  return grant.via === null ? 'an unnamed grant' : grant.via;
}

export function quoteAll(values: readonly string[]): string {
  return values.map((value) => `"${value}"`).join(', ');
}

/** Evidence keys `grant:<identity>:<via or index>`, made unique when one policy has several statements. */
export function grantKeys(identity: Identity, grants: readonly Grant[]): string[] {
  const seen = new Map<string, number>();
  return grants.map((grant, index) => {
    const base = `grant:${identity.id}:${grant.via ?? String(index)}`;
    const count = (seen.get(base) ?? 0) + 1;
    seen.set(base, count);
    return count === 1 ? base : `${base}#${count}`;
  });
}

/**
 * The service of an action or role: the event fold's `serviceOf` (`s3` of
 * `s3:GetObject`, `iam` of `iam.serviceAccountKeys.create`), plus GCP
 * predefined roles, which only grants carry (`storage` of `roles/storage.admin`).
 */
export function serviceOf(action: string): string | null {
  const text = action.trim();
  const role = /^roles\/([a-z][a-z0-9]*)\.[A-Za-z]/.exec(text);
  if (role !== null) return role[1] ?? null;
  return actionService(text);
}

/** GCP basic roles span every service of the project. */
const BASIC_ROLES = new Set(['roles/owner', 'roles/editor', 'roles/viewer']);

/** What an allow grant's action covers at service level: one service, every service, or nothing with a service. */
export function serviceReach(action: string): { readonly service: string } | 'every-service' | null {
  const text = action.trim();
  if (isAllActions(text) || BASIC_ROLES.has(text.toLowerCase())) return 'every-service';
  const service = serviceOf(text);
  if (service === null) return null;
  // `*:Get*` (ReadOnlyAccess) reaches into every service.
  return service.includes('*') ? 'every-service' : { service };
}

/** A rule's data file content, or a clear error naming the file. */
export function dataContent(data: Readonly<Record<string, RuleData>>, name: string): Readonly<Record<string, unknown>> {
  const found = data[name];
  if (found === undefined) throw new Error(`rules/data/${name}.yaml was not loaded`);
  return found.content;
}

export function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isStringList(value: unknown): value is readonly string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string' && item.trim() !== '');
}
