import {
  parseInstant,
  type Credential,
  type Grant,
  type GrantCondition,
  type Identity,
  type IdentityStatus,
  type Instant,
  type NormalizedRecord,
  type SourceRef,
} from '../../model/index.js';
import { describeType, isMapping } from '../canonical/fields.js';

/*
 * Shared by the GCP adapters: field access that accepts both spellings Google
 * exports use (Cloud Asset Inventory writes `asset_type`/`iam_policy` from
 * `gcloud asset export`, `assetType`/`iamPolicy` from the API), service-account
 * names and aliases, IAM policy bindings → grants, and key metadata →
 * credentials. Key material (`privateKeyData`) is never read.
 */

export const PROVIDER = 'gcp';

export type Fields = Readonly<Record<string, unknown>>;

/** A non-blank string, else null. */
export function text(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
}

/** `asset_type` → also tries `assetType`: the corpus has both spellings. */
export function field(fields: Fields, snake: string): unknown {
  const direct = fields[snake];
  if (direct !== undefined) return direct;
  return fields[snake.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase())];
}

export function mapping(value: unknown): Fields | undefined {
  return isMapping(value) ? value : undefined;
}

export function list(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}

/** `projects/P/...`, `//service.googleapis.com/projects/P/...` → P; `-` (any project) and absence → null. */
export function projectOf(name: string | null): string | null {
  if (name === null) return null;
  const match = /(?:^|\/)projects\/([^/]+)/.exec(name);
  const project = match?.[1];
  return project === undefined || project === '-' ? null : project;
}

/** The home project a user-managed service account's email names (`name@P.iam.gserviceaccount.com`, `P@appspot.gserviceaccount.com`). */
export function projectOfEmail(email: string): string | null {
  const iam = /@([a-z][a-z0-9-]*)\.iam\.gserviceaccount\.com$/i.exec(email);
  if (iam?.[1] !== undefined) return iam[1];
  const appspot = /^([a-z][a-z0-9-]*)@appspot\.gserviceaccount\.com$/i.exec(email);
  return appspot?.[1] ?? null;
}

/**
 * The service account a resource name points at: `projects/P/serviceAccounts/X[/keys/K]`
 * with X an email or a unique id (asset names use the unique id), else null.
 */
export function serviceAccountOf(name: string | null): string | null {
  if (name === null) return null;
  const match = /(?:^|\/)serviceAccounts\/([^/]+)/.exec(name);
  return match?.[1] ?? null;
}

/** The key id: the last segment of `…/serviceAccounts/X/keys/K`, else null. */
export function keyIdOf(name: string | null): string | null {
  if (name === null) return null;
  const match = /\/keys\/([^/]+)$/.exec(name);
  return match?.[1] ?? null;
}

/** The names that refer to one service account, for joining sources: its resource name and, when given, ids. */
export function serviceAccountAliases(email: string, project: string | null, ...ids: (string | null)[]): string[] {
  const aliases = new Set<string>();
  const home = projectOfEmail(email) ?? project;
  if (home !== null) aliases.add(`projects/${home}/serviceAccounts/${email}`);
  for (const id of ids) if (id !== null && id !== email) aliases.add(id);
  return [...aliases];
}

/** An Identity for a service account, with defaults for what the source does not say. */
export function serviceAccountIdentity(
  email: string,
  source: SourceRef,
  details: {
    readonly tenant?: string | null;
    readonly aliases?: readonly string[];
    readonly status?: IdentityStatus;
    readonly disabledAt?: Instant | null;
    readonly createdAt?: Instant | null;
    readonly displayName?: string | null;
  } = {},
): Identity {
  const displayName = details.displayName ?? null;
  return {
    id: email,
    aliases: details.aliases ?? serviceAccountAliases(email, details.tenant ?? null),
    type: 'service-account',
    provider: PROVIDER,
    tenant: projectOfEmail(email) ?? details.tenant ?? null,
    environment: null,
    owner: null,
    consumers: [],
    createdAt: details.createdAt ?? null,
    status: details.status ?? 'active',
    disabledAt: details.disabledAt ?? null,
    lastUsedAt: null,
    ...(displayName === null ? {} : { displayName }),
    source,
  };
}

/** A policy member that is a service account, live or deleted; null for users, groups, domains and the rest. */
export function serviceAccountMember(member: string): { email: string; uid: string | null; deleted: boolean } | null {
  const live = /^serviceAccount:([^?\s]+)$/.exec(member);
  if (live?.[1] !== undefined) return { email: live[1], uid: null, deleted: false };
  const deleted = /^deleted:serviceAccount:([^?\s]+)(?:\?uid=(\d+))?$/.exec(member);
  if (deleted?.[1] !== undefined) return { email: deleted[1], uid: deleted[2] ?? null, deleted: true };
  return null;
}

/** Where a policy is attached, and what that means for its grants. */
export interface PolicyTarget {
  /** The project the policy belongs to, if the input says. */
  readonly project: string | null;
  /**
   * The resource the policy is attached to when it is not a whole project
   * (a bucket, a dataset, a service account, a folder, an organisation), else null.
   */
  readonly resource: string | null;
}

const CONTAINER = /^\/\/cloudresourcemanager\.googleapis\.com\/(projects|folders|organizations)\/([^/]+)$/;

/**
 * From a full resource name (`//cloudresourcemanager.googleapis.com/projects/P`,
 * `//storage.googleapis.com/bucket`) and the asset's ancestors (`projects/123`).
 */
export function policyTarget(name: string | null, ancestors: readonly unknown[]): PolicyTarget {
  const ancestorProject = ancestors.map(text).find((a) => a?.startsWith('projects/') === true) ?? null;
  const project = projectOf(name) ?? projectOf(ancestorProject);
  if (name === null) return { project, resource: null };
  const container = CONTAINER.exec(name);
  if (container?.[1] === 'projects') return { project, resource: null };
  if (container !== null) return { project, resource: `${container[1] ?? ''}/${container[2] ?? ''}` };
  return { project, resource: name };
}

/** One binding member's records, before de-duplication across bindings. */
export interface BindingRecords {
  readonly identity: Identity;
  readonly grant: Grant;
}

/**
 * The records of one IAM policy: per service-account member and role, a Grant
 * (actions = the role, via = the role) and the member's Identity. Users,
 * groups, domains, allUsers and project-role members are not non-human
 * identities and are passed over without a word. `at(i)` locates binding i.
 */
export function policyRecords(
  policy: Fields,
  target: PolicyTarget,
  at: (index: number) => SourceRef,
  skip: (source: SourceRef, message: string) => void,
): BindingRecords[] {
  const out: BindingRecords[] = [];
  for (const [index, binding] of list(policy['bindings']).entries()) {
    const source = at(index);
    const b = mapping(binding);
    if (b === undefined) {
      skip(source, `expected a binding object, got ${describeType(binding)}`);
      continue;
    }
    const role = text(b['role']);
    if (role === null) {
      skip(source, 'role is required');
      continue;
    }
    const condition = mapping(b['condition']);
    const hasConditions = condition !== undefined;
    // IAM Conditions are CEL expressions: what matters here is whether one reads the time, never its values.
    const expression = condition === undefined ? null : text(condition['expression']);
    const conditionKeys = expression === null ? undefined : expression.includes('request.time') ? ['request.time'] : [];
    const conditions = expression === null ? [] : timeBounds(expression);
    // A member listed twice in one binding is one grant.
    const members = new Set(list(b['members']).filter((m): m is string => typeof m === 'string').map((m) => m.trim()));
    for (const raw of members) {
      const member = serviceAccountMember(raw);
      if (member === null) continue;
      const identity = serviceAccountIdentity(member.email, source, {
        tenant: target.project,
        aliases: serviceAccountAliases(member.email, target.project, member.uid),
        status: member.deleted ? 'deleted' : 'active',
      });
      const grant: Grant = {
        identity: member.email,
        actions: [role],
        notActions: false,
        resources: [target.resource === null || CONTAINER_SCOPE.test(target.resource) ? '*' : target.resource],
        effect: 'allow',
        via: role,
        hasConditions,
        ...(conditionKeys === undefined ? {} : { conditionKeys }),
        ...(conditions.length === 0 ? {} : { conditions }),
        ...(target.resource === null ? {} : { scope: target.resource }),
        source,
      };
      out.push({ identity, grant });
    }
  }
  return out;
}

const CONTAINER_SCOPE = /^(folders|organizations)\//;

const TIME_BOUND = /^\(?\s*request\.time\s*(<=?|>=?)\s*timestamp\(\s*["']([^"']+)["']\s*\)\s*\)?$/;

/**
 * The time bounds of a condition that is a plain conjunction (`&&`, no `||`
 * or `!`): each `request.time < timestamp("…")` part as `DateLessThan`
 * (`>` as `DateGreaterThan`) with its time, so a rule can tell a binding
 * that expired before `asOf`. Other parts and other expressions give nothing.
 */
export function timeBounds(expression: string): GrantCondition[] {
  if (/\|\||!(?!=)/.test(expression)) return [];
  const out: GrantCondition[] = [];
  for (const part of expression.split('&&')) {
    const bound = TIME_BOUND.exec(part.trim());
    if (bound?.[1] === undefined || bound[2] === undefined || !parseInstant(bound[2]).ok) continue;
    out.push({ operator: bound[1].startsWith('<') ? 'DateLessThan' : 'DateGreaterThan', key: 'request.time', values: [bound[2]] });
  }
  return out;
}

/**
 * Records of a policy with one Identity per service account. A live member
 * wins over a deleted one of the same email (a recreated account): GCP binds
 * the deleted one by its old uid, so it grants the new account nothing.
 */
export function* dedupedPolicyRecords(records: readonly BindingRecords[], seen: Set<string>): Generator<NormalizedRecord> {
  const live = new Set(records.filter((r) => r.identity.status !== 'deleted').map((r) => r.identity.id));
  for (const { identity, grant } of records) {
    if (identity.status === 'deleted' && live.has(identity.id)) continue;
    if (!seen.has(identity.id)) {
      seen.add(identity.id);
      yield { kind: 'identity', record: identity };
    }
    yield { kind: 'grant', record: grant };
  }
}

/** GCP writes `9999-12-31T23:59:59Z` for a key that never expires. */
const NEVER = /^9999-/;

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

/** A zoned time field, null when absent; `never` dates become null when `never` is set. */
export function timeField(fields: Fields, name: string, options: { never?: boolean } = {}): Parsed<Instant | null> {
  const raw = text(fields[name]);
  if (raw === null) return { ok: true, value: null };
  if (options.never === true && NEVER.test(raw)) return { ok: true, value: null };
  const parsed = parseInstant(raw);
  return parsed.ok ? parsed : { ok: false, reason: `${name}: ${parsed.reason}` };
}

/**
 * A ServiceAccountKey (the `keys list` item or a CAI asset's `resource.data`)
 * → Credential. `fallbackName` is the asset name when the data has no `name`.
 * Returns the problem when the record cannot be used.
 */
export function keyCredential(data: Fields, fallbackName: string | null, source: SourceRef): Credential | string {
  const name = text(data['name']) ?? fallbackName;
  const id = keyIdOf(name);
  if (id === null) return 'name: expected projects/…/serviceAccounts/…/keys/<key id>';
  const issued = timeField(data, 'validAfterTime');
  if (!issued.ok) return issued.reason;
  const expires = timeField(data, 'validBeforeTime', { never: true });
  if (!expires.ok) return expires.reason;
  const holder = serviceAccountOf(name);
  const keyType = text(data['keyType']);
  return {
    id,
    identity: holder,
    type: 'sa-key',
    issuedAt: issued.value,
    expiresAt: expires.value,
    // A key is never rotated in place: its creation is its last rotation.
    lastRotatedAt: issued.value,
    lastUsedAt: null,
    scopes: [],
    tenant: projectOf(name) ?? (holder === null ? null : projectOfEmail(holder)),
    clientId: null,
    onBehalfOf: null,
    approval: null,
    revokedAt: null,
    createdBy: null,
    active: data['disabled'] !== true,
    ...(keyType === null ? {} : { providerManaged: keyType === 'SYSTEM_MANAGED' }),
    source,
  };
}
