import type {
  Credential,
  CredentialType,
  Event,
  Grant,
  Identity,
  IdentityStatus,
  Instant,
  NormalizedRecord,
  SourceRef,
} from '../../model/index.js';
import { describeType, isMapping } from '../canonical/fields.js';
import { githubTime, PROVIDER, scopeList, text, tokenCredentialId, type Mapping } from './fields.js';

/*
 * One GitHub audit-log / security-log entry → normalized records. The entry is
 * a mapping of field names to values, whether it came from JSON or a CSV row.
 * Only ids are taken from token events: `hashed_token` is a hash, never the
 * token, and unknown fields are never quoted in messages.
 */

/** What a mapped entry yields, or the problem (naming the field) when it cannot be used. */
export type MappedEntry = NormalizedRecord[] | string;

/** `hashed_token` → `token_id`, learned from entries that carry both, so every event about a token names it the same way. */
export type TokenIds = ReadonlyMap<string, string>;

/** How an entry's `programmatic_access_type` says the action was authenticated. */
interface TokenKind {
  readonly type: CredentialType;
  /** The app the token belongs to, where the entry names one; null for personal access tokens. */
  readonly app: string | null;
  /** True when a person stands behind the token (PATs, OAuth and user-to-server tokens). */
  readonly forUser: boolean;
}

function tokenKind(accessType: string, entry: Mapping): TokenKind {
  const kind = accessType.toLowerCase();
  if (kind.includes('personal access token')) return { type: 'pat', app: null, forUser: true };
  if (kind.includes('server-to-server')) return { type: 'access-token', app: githubAppOf(entry) ?? text(entry['actor']), forUser: false };
  if (kind.includes('user-to-server')) return { type: 'access-token', app: githubAppOf(entry) ?? oauthAppOf(entry), forUser: true };
  return { type: 'access-token', app: oauthAppOf(entry) ?? githubAppOf(entry), forUser: true };
}

/** A GitHub App as the log names it (`integration` is its name or slug). */
function githubAppOf(entry: Mapping): string | null {
  return text(entry['integration']) ?? text(entry['integration_id']);
}

/** An OAuth app as the log names it: its id, else its name. */
function oauthAppOf(entry: Mapping): string | null {
  return text(entry['oauth_application_id']) ?? text(entry['oauth_application_name']);
}

/** Token lifecycle actions: what each one means for the token it is about. */
const TOKEN_CREATE = new Set([
  'personal_access_token.create',
  'personal_access_token.regenerate',
  'oauth_access.create',
  'oauth_access.regenerate',
]);
const TOKEN_REVOKE = new Set([
  'personal_access_token.destroy',
  'personal_access_token.access_revoked',
  'personal_access_token.auto_revoked',
  'oauth_access.destroy',
  'oauth_access.revoke',
]);
const KEY_CREATE = new Set(['public_key.create', 'repo.add_deploy_key', 'deploy_key.create']);
const KEY_DELETE = new Set(['public_key.delete', 'repo.remove_deploy_key', 'deploy_key.delete']);
const OFFBOARD = new Set(['org.remove_member', 'org.remove_outside_collaborator', 'business.remove_member']);
/** Requests for access: the requester acting as themselves, not the token acting. */
const TOKEN_REQUEST = /^personal_access_token\.request_/;

/** Failed sign-ins and challenges: the audit log records everything else only once it happened. */
const FAILURE_ACTION = /(?:^|[._])failed(?:[._]|$)|_failure$/;

/** The entry's time: `@timestamp` (export and streaming) or `created_at` (API). */
function entryTime(entry: Mapping): { ok: true; value: Instant } | { ok: false; reason: string } {
  for (const field of ['@timestamp', 'created_at'] as const) {
    const parsed = githubTime(entry[field], field);
    if (!parsed.ok) return parsed;
    if (parsed.value !== null) return { ok: true, value: parsed.value };
  }
  return { ok: false, reason: 'created_at: is required (or @timestamp)' };
}

export function mapAuditEntry(value: unknown, source: SourceRef, tokenIds: TokenIds): MappedEntry {
  if (!isMapping(value)) return `expected a JSON object, got ${describeType(value)}`;
  const entry = value;
  const action = text(entry['action']);
  if (action === null) return 'action: is required';
  const time = entryTime(entry);
  if (!time.ok) return time.reason;

  const actor = text(entry['actor']);
  const user = text(entry['user']);
  const tenant = text(entry['org']) ?? text(entry['business']);
  const hashed = text(entry['hashed_token']);
  const tokenId = text(entry['token_id']) ?? (hashed === null ? null : (tokenIds.get(hashed) ?? null));
  const credentialId = tokenCredentialId(tokenId, hashed);
  const accessType = text(entry['programmatic_access_type']);
  const token = accessType === null ? null : tokenKind(accessType, entry);

  const base: Event = {
    time: time.value,
    identity: actor,
    credential: null,
    action,
    resource: text(entry['repo']) ?? text(entry['repository']),
    tenant,
    environment: null,
    sourceIp: text(entry['actor_ip']),
    userAgent: text(entry['user_agent']),
    outcome: FAILURE_ACTION.test(action) ? 'failure' : 'success',
    category: 'other',
    onBehalfOf: null,
    actorChain: [],
    provider: PROVIDER,
    source,
  };
  const out: NormalizedRecord[] = [];
  const event = (patch: Partial<Event>): MappedEntry => {
    out.push({ kind: 'event', record: { ...base, ...patch } });
    return out;
  };
  const ctx: EntryContext = { entry, action, time: time.value, actor, user, tenant, source };

  if (TOKEN_CREATE.has(action)) {
    const kind = token ?? { type: action.startsWith('personal_access_token.') ? 'pat' : 'access-token', app: oauthAppOf(entry), forUser: true };
    if (credentialId !== null) {
      const credential = tokenCredential(ctx, credentialId, kind);
      if (typeof credential === 'string') return credential;
      out.push({ kind: 'credential', record: credential });
    }
    return event({ identity: kind.app, credential: credentialId, category: 'credential-create' });
  }
  if (TOKEN_REVOKE.has(action)) {
    // `user` is the token's owner (the actor may be an organisation admin): the revoke ends access held for them.
    return event({ identity: token?.app ?? null, credential: credentialId, category: 'revoke', onBehalfOf: user });
  }
  if (KEY_CREATE.has(action) || KEY_DELETE.has(action)) {
    const keyId = keyCredentialId(entry);
    const creating = KEY_CREATE.has(action);
    if (creating && keyId !== null) out.push({ kind: 'credential', record: keyCredential(ctx, keyId) });
    return event({ identity: null, credential: keyId, category: creating ? 'credential-create' : 'credential-delete' });
  }
  if (OFFBOARD.has(action)) {
    if (user === null) return 'user: a member removal must name the removed user';
    if (base.outcome === 'success') {
      out.push({ kind: 'principal', record: { id: user, kind: 'human', status: 'offboarded', offboardedAt: time.value, source } });
    }
    return event({ identity: user, category: 'offboard' });
  }
  if (TOKEN_REQUEST.test(action)) return event({});

  switch (action) {
    case 'personal_access_token.access_granted':
      // The organisation let the token in: consent for the person behind it.
      return event({ identity: null, credential: credentialId, category: 'consent', onBehalfOf: user ?? actor });
    case 'oauth_authorization.create':
    case 'org.oauth_app_access_approved': {
      const app = oauthAppOf(entry) ?? githubAppOf(entry);
      if (app !== null) {
        out.push({ kind: 'identity', record: appIdentity(ctx, app, 'active', null, false) });
        const grant = scopeGrant(ctx, app);
        if (grant !== null) out.push({ kind: 'grant', record: grant });
      }
      const forUser = action === 'oauth_authorization.create' ? (user ?? actor) : null;
      return event({ identity: app, category: 'consent', onBehalfOf: forUser });
    }
    case 'oauth_authorization.destroy':
    case 'org.oauth_app_access_revoked': {
      const forUser = action === 'oauth_authorization.destroy' ? (user ?? actor) : null;
      return event({ identity: oauthAppOf(entry) ?? githubAppOf(entry), category: 'disconnect', onBehalfOf: forUser });
    }
    case 'integration_installation.create': {
      const app = githubAppOf(entry);
      if (app !== null) {
        out.push({ kind: 'identity', record: appIdentity(ctx, app, 'active', null, true) });
        const grant = scopeGrant(ctx, app);
        if (grant !== null) out.push({ kind: 'grant', record: grant });
      }
      return event({ identity: app, category: 'consent' });
    }
    case 'integration_installation.destroy':
    case 'integration_installation.suspend': {
      const app = githubAppOf(entry);
      const status: IdentityStatus = action.endsWith('.destroy') ? 'deleted' : 'disabled';
      if (app !== null && base.outcome === 'success') out.push({ kind: 'identity', record: appIdentity(ctx, app, status, time.value, true) });
      return event({ identity: app, category: 'disconnect' });
    }
    default:
      break;
  }

  if (token !== null) {
    // An action made with a token: the token (and its app, if any) acted, for the actor.
    const identity = token.forUser ? token.app : (token.app ?? actor);
    return event({ identity, credential: credentialId, category: 'access', onBehalfOf: token.forUser ? actor : null });
  }
  return event({});
}

interface EntryContext {
  readonly entry: Mapping;
  readonly action: string;
  readonly time: Instant;
  readonly actor: string | null;
  readonly user: string | null;
  readonly tenant: string | null;
  readonly source: SourceRef;
}

/** Fields that may carry a token's expiry in an audit entry. */
const EXPIRY_FIELDS = ['token_expires_at', 'expires_at'] as const;

function tokenCredential(ctx: EntryContext, id: string, kind: TokenKind): Credential | string {
  let expiresAt: Instant | null = null;
  for (const field of EXPIRY_FIELDS) {
    const parsed = githubTime(ctx.entry[field], field);
    if (!parsed.ok) return parsed.reason;
    expiresAt ??= parsed.value;
  }
  const regenerated = ctx.action.endsWith('.regenerate');
  return {
    id,
    identity: kind.app,
    type: kind.type,
    issuedAt: ctx.time,
    expiresAt,
    // Most create entries do not log the expiry: absent means unknown, not never.
    ...(expiresAt === null ? { expiryUnknown: true } : {}),
    lastRotatedAt: regenerated ? ctx.time : null,
    lastUsedAt: null,
    scopes: scopesOf(ctx.entry),
    tenant: ctx.tenant,
    clientId: text(ctx.entry['oauth_application_id']),
    onBehalfOf: ctx.user ?? ctx.actor,
    approval: null,
    revokedAt: null,
    createdBy: ctx.actor,
    active: true,
    source: ctx.source,
  };
}

/** SSH keys are named by fingerprint (what GitHub shows); the key id where no fingerprint is logged. */
function keyCredentialId(entry: Mapping): string | null {
  const fingerprint = text(entry['fingerprint']);
  if (fingerprint !== null) return `gh-ssh:${fingerprint}`;
  const id = text(entry['public_key_id']) ?? text(entry['key_id']) ?? text(entry['deploy_key_id']);
  return id === null ? null : `gh-key:${id}`;
}

function keyCredential(ctx: EntryContext, id: string): Credential {
  // A deploy key belongs to a repository, not a person; a user key acts for its user.
  const deployKey = ctx.action.includes('deploy_key');
  return {
    id,
    identity: null,
    type: 'ssh-key',
    issuedAt: ctx.time,
    expiresAt: null,
    lastRotatedAt: null,
    lastUsedAt: null,
    scopes: deployKey ? [ctx.entry['read_only'] === true || ctx.entry['read_only'] === 'true' ? 'read' : 'write'] : [],
    tenant: ctx.tenant,
    clientId: null,
    onBehalfOf: deployKey ? null : (ctx.user ?? ctx.actor),
    approval: null,
    revokedAt: null,
    createdBy: ctx.actor,
    active: true,
    source: ctx.source,
  };
}

function scopesOf(entry: Mapping): string[] {
  return scopeList(entry['token_scopes'] ?? entry['scopes'] ?? entry['oauth_scopes']);
}

/** The scopes an app was authorised or installed with, as a grant on the organisation. */
function scopeGrant(ctx: EntryContext, app: string): Grant | null {
  const scopes = scopesOf(ctx.entry);
  if (scopes.length === 0) return null;
  const perUser = ctx.action === 'oauth_authorization.create';
  return {
    identity: app,
    actions: scopes,
    notActions: false,
    resources: [ctx.tenant ?? '*'],
    effect: 'allow',
    via: ctx.action,
    hasConditions: false,
    consent: perUser ? 'principal' : 'all-principals',
    source: ctx.source,
  };
}

function appIdentity(ctx: EntryContext, id: string, status: IdentityStatus, disabledAt: Instant | null, installed: boolean): Identity {
  const names = [text(ctx.entry['oauth_application_name']), text(ctx.entry['oauth_application_id']), text(ctx.entry['integration'])];
  const aliases = [...new Set(names.filter((n): n is string => n !== null && n !== id))];
  // An OAuth app's id is a number: its name is what people recognise.
  const displayName = text(ctx.entry['oauth_application_name']) ?? text(ctx.entry['integration']);
  return {
    id,
    aliases,
    type: 'app',
    provider: PROVIDER,
    tenant: ctx.tenant,
    environment: null,
    owner: null,
    consumers: [],
    // The entry dates an authorisation or installation, not the app's creation.
    createdAt: null,
    status,
    disabledAt,
    lastUsedAt: null,
    // An installed GitHub App is published by another account; an OAuth app's owner the log does not say.
    ...(installed ? { thirdParty: true } : {}),
    ...(displayName === null || displayName === id ? {} : { displayName }),
    source: ctx.source,
  };
}
