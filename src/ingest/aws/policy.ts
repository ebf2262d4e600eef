import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { ConfigError, type Grant, type GrantCondition, type SourceRef, type TrustStatement, type TrusteeKind } from '../../model/index.js';
import { isMapping } from '../canonical/fields.js';

/*
 * IAM policy documents, shared by the AWS adapters: decoding (object or
 * URL-encoded JSON string), statements → Grants, and the table of AWS-managed
 * policies that an authorization-details dump attaches without including.
 */

/** The account id in `arn:aws:iam::<account>:…`, shared by the AWS adapters. */
export function accountOf(arn: string): string | null {
  const account = arn.split(':')[4];
  return account === undefined || account === '' ? null : account;
}

/**
 * A policy document as found in the input: an object, or the URL-encoded JSON
 * string some API versions return. Returns undefined when it is neither.
 */
export function decodePolicyDocument(value: unknown): Readonly<Record<string, unknown>> | undefined {
  if (isMapping(value)) return value;
  if (typeof value !== 'string') return undefined;
  let text = value.trim();
  // Encoded documents start with `%7B`; a plain JSON string needs no decoding.
  if (!text.startsWith('{')) {
    try {
      text = decodeURIComponent(text);
    } catch {
      return undefined;
    }
  }
  try {
    const parsed: unknown = JSON.parse(text);
    return isMapping(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** The Statement entry of a document, always as a list (a single object is allowed by IAM). */
export function statementsOf(document: Readonly<Record<string, unknown>>): readonly unknown[] {
  const statement = document['Statement'];
  if (Array.isArray(statement)) return statement;
  return statement === undefined || statement === null ? [] : [statement];
}

/** A string or list of strings, as IAM writes Action/Resource; non-strings are dropped. */
function stringList(value: unknown): string[] {
  const items: unknown[] = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
  return items.filter((item): item is string => typeof item === 'string').map((item) => item.trim());
}

/**
 * One Statement → one Grant, or undefined when it names no action (nothing granted).
 *
 * NotResource grants everything except the listed resources. The model has no
 * "not resources" flag, so it is recorded as resources `['*']` with
 * hasConditions true: never narrower than the truth (over-privilege rules still
 * see `*`), and flagged as "restricted in a way not shown".
 */
export function grantFromStatement(
  identity: string,
  statement: Readonly<Record<string, unknown>>,
  via: string,
  source: SourceRef,
): Grant | undefined {
  const notActions = statement['NotAction'] !== undefined && statement['Action'] === undefined;
  const actions = stringList(notActions ? statement['NotAction'] : statement['Action']);
  if (actions.length === 0 && !notActions) return undefined;
  const notResource = statement['NotResource'] !== undefined && statement['Resource'] === undefined;
  const resources = notResource ? ['*'] : stringList(statement['Resource']);
  const condition = statement['Condition'];
  const hasConditions = notResource || (isMapping(condition) && Object.keys(condition).length > 0);
  const effect = typeof statement['Effect'] === 'string' && statement['Effect'].toLowerCase() === 'deny' ? 'deny' : 'allow';
  // Keys only (`aws:CurrentTime` under DateLessThan), never values. NotResource is a restriction with no key.
  const conditionKeys = isMapping(condition)
    ? [...new Set(Object.values(condition).flatMap((keys) => (isMapping(keys) ? Object.keys(keys) : [])))].sort()
    : [];
  const conditions = conditionsOf(condition);
  return {
    identity,
    actions,
    notActions,
    // A statement without Resource (trust-policy style) is read as applying to everything.
    resources: resources.length === 0 ? ['*'] : resources,
    effect,
    via,
    hasConditions,
    ...(hasConditions && !notResource ? { conditionKeys } : {}),
    ...(notResource ? { notResources: stringList(statement['NotResource']) } : {}),
    ...(conditions.length === 0 ? {} : { conditions }),
    source,
  };
}

/** Condition keys whose values can be a shared secret: the key is kept, the values are not. */
const SECRET_CONDITION_KEYS = new Set(['sts:externalid']);

/** A statement's Condition block as a list, in the input's order. */
export function conditionsOf(condition: unknown): GrantCondition[] {
  if (!isMapping(condition)) return [];
  const out: GrantCondition[] = [];
  for (const [operator, keys] of Object.entries(condition)) {
    if (!isMapping(keys)) continue;
    for (const [key, values] of Object.entries(keys)) {
      const list: unknown[] = Array.isArray(values) ? values : [values];
      // Bool and Numeric conditions may be written as JSON booleans and numbers.
      const all = list.filter((value) => ['string', 'boolean', 'number'].includes(typeof value)).map((value) => String(value).trim());
      const kept = SECRET_CONDITION_KEYS.has(key.toLowerCase()) ? [] : all;
      out.push({ operator, key, values: kept });
    }
  }
  return out;
}

/** An AWS-managed policy from rules/data/aws-managed-policies.yaml. */
export interface ManagedPolicy {
  readonly arn: string;
  readonly name: string;
  readonly statements: readonly Readonly<Record<string, unknown>>[];
}

export const MANAGED_POLICIES_URL = new URL('../../../rules/data/aws-managed-policies.yaml', import.meta.url);

let managedTable: Promise<ReadonlyMap<string, ManagedPolicy>> | undefined;

/** The table of AWS-managed policies by ARN, read once per process. */
export function loadManagedPolicies(): Promise<ReadonlyMap<string, ManagedPolicy>> {
  managedTable ??= readFile(MANAGED_POLICIES_URL, 'utf8').then((text) =>
    parseManagedPolicies(text, fileURLToPath(MANAGED_POLICIES_URL)),
  );
  return managedTable;
}

/** Validates the table; a broken table is a packaging defect, reported as a config error. */
export function parseManagedPolicies(text: string, file: string): ReadonlyMap<string, ManagedPolicy> {
  const data: unknown = parseYaml(text);
  const fail = (message: string): ConfigError => new ConfigError(`AWS managed policy table: ${message}`, file);
  if (!isMapping(data)) throw fail('expected a mapping');
  if (data['version'] === undefined || data['reviewed'] === undefined) throw fail('version and reviewed are required');
  const policies = data['policies'];
  if (!Array.isArray(policies)) throw fail('policies: expected a list');
  const out = new Map<string, ManagedPolicy>();
  for (const [index, entry] of policies.entries()) {
    if (!isMapping(entry)) throw fail(`policies[${index}]: expected a mapping`);
    const { arn, name, statements } = entry;
    if (typeof arn !== 'string' || typeof name !== 'string' || !Array.isArray(statements)) {
      throw fail(`policies[${index}]: arn, name and statements are required`);
    }
    if (!statements.every(isMapping)) throw fail(`policies[${index}].statements: expected mappings`);
    out.set(arn, { arn, name, statements });
  }
  return out;
}

const TRUSTEE_KIND: Readonly<Record<string, TrusteeKind>> = { AWS: 'account', Service: 'service', Federated: 'federated' };

/** Condition-key suffixes whose values pin a federated caller (subject, audience, repository…). */
const PINNING_KEY_SUFFIXES = new Set(['sub', 'aud', 'amr', 'repository', 'repository_owner', 'job_workflow_ref', 'namespace', 'project_path', 'ref']);

/**
 * Condition operators that require the key to match the listed values.
 * Negated operators (`StringNotLike`) exclude callers rather than pin one, and
 * ARN, numeric or Null operators do not apply to token claims.
 */
const PINNING_OPERATOR = /^(?:ForAnyValue:|ForAllValues:)?String(?:Equals|Like|EqualsIgnoreCase)(?:IfExists)?$/;

/**
 * The values of the subject/audience conditions of one statement, merged per
 * key across operators. Only keys ending in a pinning suffix are kept: other
 * condition values (sts:ExternalId, source IPs) may be secrets or noise.
 */
function pinningOf(condition: unknown): { key: string; values: string[] }[] {
  if (!isMapping(condition)) return [];
  const byKey = new Map<string, Set<string>>();
  for (const [operator, keys] of Object.entries(condition)) {
    if (!PINNING_OPERATOR.test(operator) || !isMapping(keys)) continue;
    for (const [key, values] of Object.entries(keys)) {
      const suffix = key.slice(key.lastIndexOf(':') + 1).toLowerCase();
      if (!key.includes(':') || !PINNING_KEY_SUFFIXES.has(suffix)) continue;
      const kept = byKey.get(key) ?? new Set<string>();
      for (const value of stringList(values)) kept.add(value);
      byKey.set(key, kept);
    }
  }
  return [...byKey.entries()]
    .filter(([, values]) => values.size > 0)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, values]) => ({ key, values: [...values].sort() }));
}

/**
 * A role's trust policy (AssumeRolePolicyDocument) as TrustStatements: who may
 * assume the role, with which action, the condition keys that bound it, and
 * the values of the subject/audience keys that pin a federated caller, and
 * every condition with its operator (an external id's value is not kept).
 */
export function trustStatements(value: unknown): TrustStatement[] {
  const document = decodePolicyDocument(value);
  if (document === undefined) return [];
  const statements: TrustStatement[] = [];
  for (const raw of statementsOf(document)) {
    if (!isMapping(raw)) continue;
    const principal = raw['Principal'];
    const trustees: { kind: TrusteeKind; id: string }[] = [];
    if (principal === '*') trustees.push({ kind: 'any', id: '*' });
    else if (isMapping(principal)) {
      for (const [key, ids] of Object.entries(principal)) {
        for (const id of stringList(ids)) trustees.push({ kind: id === '*' ? 'any' : (TRUSTEE_KIND[key] ?? 'other'), id });
      }
    }
    const condition = raw['Condition'];
    const conditionKeys = isMapping(condition)
      ? [...new Set(Object.values(condition).flatMap((keys) => (isMapping(keys) ? Object.keys(keys) : [])))].sort()
      : [];
    const pinning = pinningOf(condition);
    const conditions = conditionsOf(condition);
    statements.push({
      effect: raw['Effect'] === 'Deny' ? 'deny' : 'allow',
      trustees,
      actions: stringList(raw['Action']),
      hasConditions: conditionKeys.length > 0,
      conditionKeys,
      ...(pinning.length === 0 ? {} : { pinning }),
      ...(conditions.length === 0 ? {} : { conditions }),
    });
  }
  return statements;
}
