import {
  APPROVAL_STATUSES,
  CREDENTIAL_TYPES,
  EVENT_CATEGORIES,
  EVENT_OUTCOMES,
  GRANT_EFFECTS,
  IDENTITY_STATUSES,
  IDENTITY_TYPES,
  PRINCIPAL_KINDS,
  PRINCIPAL_STATUSES,
  type Event,
  type Grant,
  type Identity,
  type NormalizedRecord,
  type SourceRef,
  parseDuration,
} from '../../model/index.js';
import type { AdapterContext } from '../adapter.js';
import { FieldReader, describeType, isMapping, type FieldStyle } from './fields.js';

/*
 * The canonical record shapes (DESIGN.md §5, snake_case) mapped onto the model.
 * The inventory document and the CSV lists read the same records through
 * readListRecord; canonical events through readEvent.
 */

export const LIST_NAMES = ['tenants', 'principals', 'identities', 'credentials', 'approvals', 'provisioners', 'eligibilities'] as const;
export type ListName = (typeof LIST_NAMES)[number];

export function isListName(value: string): value is ListName {
  return (LIST_NAMES as readonly string[]).includes(value);
}

/** The fields each list understands. Anything else in a record is ignored. */
export const LIST_FIELDS: Readonly<Record<ListName, readonly string[]>> = {
  tenants: ['id', 'name', 'environment'],
  principals: ['id', 'kind', 'status', 'offboarded_at'],
  identities: [
    'id',
    'aliases',
    'type',
    'provider',
    'tenant',
    'environment',
    'owner',
    'consumers',
    'created_at',
    'status',
    'disabled_at',
    'last_used_at',
    // Owned and published by another organisation (a vendor's app or OAuth client); `display_name` names it where the id is opaque.
    'third_party',
    'display_name',
    'permissions',
    // OAuth clients: `public` (no secret: SPA, native, CLI) or `confidential`.
    'client_type',
  ],
  credentials: [
    'id',
    'identity',
    'type',
    'issued_at',
    'expires_at',
    'last_rotated_at',
    'last_used_at',
    'scopes',
    'tenant',
    'client_id',
    'on_behalf_of',
    'approval',
    'revoked_at',
    'created_by',
    'active',
  ],
  approvals: [
    'id',
    'delegate',
    'principal',
    'approver',
    'scopes',
    'tenant',
    'granted_at',
    'expires_at',
    'review_by',
    'last_reviewed_at',
    'status',
    'ended_at',
    'purpose',
  ],
  // Who may create credentials for identities of a provider (and tenant): the governed enrolment path.
  provisioners: ['provider', 'tenant', 'actors'],
  // Just-in-time eligibility: the identity may activate role_or_scope for at most max_duration.
  eligibilities: ['identity', 'role_or_scope', 'max_duration', 'approver'],
};

export const EVENT_FIELDS: readonly string[] = [
  'time',
  'identity',
  'credential',
  'action',
  'resource',
  'tenant',
  'environment',
  'source_ip',
  'user_agent',
  'outcome',
  'category',
  'on_behalf_of',
  'actor_chain',
  // Whoever did a credential-create is actor_chain[0]; actor_interactive says whether a person in a console/SSO session.
  'actor_interactive',
  // The token's decoded claims (never the raw token), kept as written.
  'claims',
];

/** Identity defaults when the input is silent (canonical inventories describe custom identities). */
const DEFAULT_IDENTITY_PROVIDER = 'custom';
/**
 * A credential without a type is taken as a generic static secret: the most
 * common thing an inventory lists by hand and the least specific model type.
 */
const DEFAULT_CREDENTIAL_TYPE = 'api-key';

export interface RecordInput {
  readonly values: Readonly<Record<string, unknown>>;
  /** How messages name the record, e.g. `identities[3]`; empty in one-record-per-line files. */
  readonly where: string;
  readonly style: FieldStyle;
  readonly source: SourceRef;
  /**
   * Lines of the entries of list-valued fields, where the format knows them
   * (YAML/JSON), so that each Grant points at its own permission entry.
   */
  readonly itemLines?: (list: readonly unknown[]) => readonly number[] | undefined;
}

/**
 * Reads one record of a canonical list. Returns the records it yields — an
 * identity also yields a Grant per permission — or nothing when it was skipped
 * (the reason has gone to ctx.skip).
 */
export function readListRecord(list: ListName, input: RecordInput, ctx: AdapterContext): NormalizedRecord[] {
  const f = new FieldReader(input.values, input.where, input.style);
  const source = input.source;
  let out: NormalizedRecord[];
  switch (list) {
    case 'tenants':
      out = [
        {
          kind: 'tenant',
          record: { id: f.requiredString('id'), name: f.string('name'), environment: f.string('environment'), source },
        },
      ];
      break;
    case 'principals':
      out = [
        {
          kind: 'principal',
          record: {
            id: f.requiredString('id'),
            kind: f.enumOf('kind', PRINCIPAL_KINDS, 'human'),
            status: f.enumOf('status', PRINCIPAL_STATUSES, 'active'),
            offboardedAt: f.time('offboarded_at'),
            source,
          },
        },
      ];
      break;
    case 'identities': {
      const id = f.requiredString('id');
      out = [
        {
          kind: 'identity',
          record: {
            id,
            aliases: f.list('aliases'),
            type: f.enumOf('type', IDENTITY_TYPES, 'service-account'),
            provider: f.string('provider') ?? DEFAULT_IDENTITY_PROVIDER,
            tenant: f.string('tenant'),
            environment: f.string('environment'),
            owner: f.string('owner'),
            consumers: f.list('consumers'),
            createdAt: f.time('created_at'),
            status: f.enumOf('status', IDENTITY_STATUSES, 'active'),
            disabledAt: f.time('disabled_at'),
            lastUsedAt: f.time('last_used_at'),
            ...optionalIdentityFields(f),
            source,
          },
        },
      ];
      if (f.problem === undefined) out.push(...readPermissions(id, f, input, ctx));
      break;
    }
    case 'credentials':
      out = [
        {
          kind: 'credential',
          record: {
            id: f.requiredString('id'),
            identity: f.string('identity'),
            type: f.enumOf('type', CREDENTIAL_TYPES, DEFAULT_CREDENTIAL_TYPE),
            issuedAt: f.time('issued_at'),
            expiresAt: f.time('expires_at'),
            lastRotatedAt: f.time('last_rotated_at'),
            lastUsedAt: f.time('last_used_at'),
            scopes: f.list('scopes'),
            tenant: f.string('tenant'),
            clientId: f.string('client_id'),
            onBehalfOf: f.string('on_behalf_of'),
            approval: f.string('approval'),
            revokedAt: f.time('revoked_at'),
            createdBy: f.string('created_by'),
            active: f.bool('active', true),
            source,
          },
        },
      ];
      break;
    case 'approvals':
      out = [
        {
          kind: 'approval',
          record: {
            id: f.requiredString('id'),
            delegate: f.requiredString('delegate'),
            principal: f.string('principal'),
            approver: f.string('approver'),
            scopes: f.list('scopes'),
            tenant: f.string('tenant'),
            grantedAt: f.time('granted_at'),
            expiresAt: f.time('expires_at'),
            reviewBy: f.time('review_by'),
            lastReviewedAt: f.time('last_reviewed_at'),
            status: f.enumOf('status', APPROVAL_STATUSES, 'active'),
            endedAt: f.time('ended_at'),
            purpose: f.string('purpose'),
            source,
          },
        },
      ];
      break;
    case 'provisioners': {
      const actors = f.list('actors');
      if (actors.length === 0) f.fail('actors', 'is required: who may create credentials');
      out = [{ kind: 'provisioner', record: { provider: f.requiredString('provider'), tenant: f.string('tenant'), actors, source } }];
      break;
    }
    case 'eligibilities': {
      const duration = f.string('max_duration');
      const maxDuration = duration === null ? null : parseDuration(duration);
      if (duration !== null && maxDuration === null) f.fail('max_duration', `expected a duration such as 8h or 1d, got ${JSON.stringify(duration)}`);
      out = [
        {
          kind: 'eligibility',
          record: {
            identity: f.requiredString('identity'),
            roleOrScope: f.requiredString('role_or_scope'),
            maxDuration,
            approver: f.string('approver'),
            source,
          },
        },
      ];
      break;
    }
  }
  if (f.problem !== undefined) {
    ctx.skip(source.line, f.problem);
    return [];
  }
  return out;
}

const CLIENT_TYPES = ['public', 'confidential'] as const;

/** `third_party`, `display_name` and `client_type` are set on the Identity only when the input says them (the model keeps them optional). */
function optionalIdentityFields(f: FieldReader): Pick<Identity, 'thirdParty' | 'displayName' | 'clientType'> {
  const displayName = f.string('display_name');
  return {
    ...(f.has('third_party') ? { thirdParty: f.bool('third_party', false) } : {}),
    ...(displayName === null ? {} : { displayName }),
    ...(f.has('client_type') ? { clientType: f.enumOf('client_type', CLIENT_TYPES, 'confidential') } : {}),
  };
}

/**
 * Condition keys of a canonical grant's `conditions`: a list of keys, or a
 * mapping — AWS-shaped (`{DateLessThan: {aws:CurrentTime: …}}`, the inner keys)
 * or flat (`{request.time: …}`, its keys). Values are never kept.
 */
function conditionKeysOf(value: unknown): readonly string[] {
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string');
  if (!isMapping(value)) return [];
  const keys = Object.entries(value).flatMap(([key, inner]) => (isMapping(inner) ? Object.keys(inner) : [key]));
  return [...new Set(keys)].sort();
}

/**
 * An identity's `permissions`: a string is one action/scope on every resource;
 * a mapping is a policy-like statement. A bad entry skips that grant only —
 * the identity and its other grants still count — but `permissions` that is not
 * a list at all is recorded on `f`, and the caller skips the identity.
 */
function readPermissions(
  identity: string,
  f: FieldReader,
  input: RecordInput,
  ctx: AdapterContext,
): NormalizedRecord[] {
  const value = f.raw('permissions');
  if (value === undefined) return [];
  let entries: readonly unknown[];
  if (input.style === 'csv') entries = f.list('permissions');
  else if (Array.isArray(value)) entries = value;
  else {
    // A wrong shape is a problem of the identity record itself: the caller skips it.
    f.fail('permissions', `expected a list, got ${describeType(value)}`);
    return [];
  }
  const lines = Array.isArray(value) ? input.itemLines?.(value) : undefined;
  const out: NormalizedRecord[] = [];
  for (const [index, entry] of entries.entries()) {
    const where = `${f.label('permissions')}[${index}]`;
    const line = lines?.[index] ?? input.source.line;
    const source: SourceRef = { ...input.source, line };
    const grant = readGrant(identity, entry, where, input.style, source);
    if (typeof grant === 'string') ctx.skip(line, grant);
    else out.push({ kind: 'grant', record: grant });
  }
  return out;
}

/** A Grant, or the problem with the entry. */
function readGrant(
  identity: string,
  entry: unknown,
  where: string,
  style: FieldStyle,
  source: SourceRef,
): Grant | string {
  if (typeof entry === 'string') {
    const action = entry.trim();
    if (action === '') return `${where}: is empty`;
    return { identity, actions: [action], notActions: false, resources: ['*'], effect: 'allow', via: null, hasConditions: false, source };
  }
  if (!isMapping(entry)) return `${where}: expected a string or a mapping, got ${describeType(entry)}`;
  const g = new FieldReader(entry, where, style);
  const actions = g.stringOrList('actions') ?? g.stringOrList('action');
  if (actions === undefined || actions.length === 0) g.fail('actions', 'is required (actions or action)');
  const resources = g.stringOrList('resources') ?? g.stringOrList('resource') ?? ['*'];
  const grant: Grant = {
    identity,
    actions: actions ?? [],
    notActions: g.bool('not_actions', false),
    resources,
    effect: g.enumOf('effect', GRANT_EFFECTS, 'allow'),
    via: g.string('via'),
    hasConditions: hasContent(g.raw('conditions')),
    ...(hasContent(g.raw('conditions')) ? { conditionKeys: conditionKeysOf(g.raw('conditions')) } : {}),
    source,
  };
  return g.problem ?? grant;
}

/**
 * `claims`, read leniently: an object is kept as written (a JSON string of one
 * is parsed); anything else is ignored rather than failing the event, since the
 * event is evidence whatever its claims say.
 */
function claimsOf(value: unknown): Pick<Event, 'claims'> {
  let claims = value;
  if (typeof claims === 'string') {
    try {
      claims = JSON.parse(claims) as unknown;
    } catch {
      return {};
    }
  }
  return isMapping(claims) ? { claims } : {};
}

function hasContent(value: unknown): boolean {
  if (value === undefined || value === null || value === false) return false;
  if (Array.isArray(value)) return value.length > 0;
  if (isMapping(value)) return Object.keys(value).length > 0;
  return true;
}

/** One canonical event. Returns undefined when skipped (the reason has gone to ctx.skip). */
export function readEvent(input: RecordInput, ctx: AdapterContext): Event | undefined {
  const f = new FieldReader(input.values, input.where, input.style);
  const event: Event = {
    time: f.requiredTime('time'),
    identity: f.string('identity'),
    credential: f.string('credential'),
    action: f.string('action'),
    resource: f.string('resource'),
    tenant: f.string('tenant'),
    environment: f.string('environment'),
    sourceIp: f.string('source_ip'),
    userAgent: f.string('user_agent'),
    outcome: f.enumOf('outcome', EVENT_OUTCOMES, 'success'),
    category: f.enumOf('category', EVENT_CATEGORIES, 'access'),
    onBehalfOf: f.string('on_behalf_of'),
    actorChain: f.list('actor_chain'),
    ...(f.has('actor_interactive') ? { actorInteractive: f.bool('actor_interactive', false) } : {}),
    ...claimsOf(input.values['claims']),
    source: input.source,
  };
  if (event.identity === null && event.credential === null) {
    f.fail('identity', 'an event needs identity or credential');
  }
  if (f.problem !== undefined) {
    ctx.skip(input.source.line, f.problem);
    return undefined;
  }
  return event;
}
