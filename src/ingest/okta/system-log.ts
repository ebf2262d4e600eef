import { createHash } from 'node:crypto';
import {
  parseInstant,
  type Credential,
  type Event,
  type EventCategory,
  type Identity,
  type IdentityStatus,
  type Instant,
  type NormalizedRecord,
  type Principal,
  type SourceRef,
} from '../../model/index.js';
import type { Adapter, AdapterContext, InputSource, Sniff } from '../adapter.js';
import { describeType, isMapping } from '../canonical/fields.js';
import { jsonRecords } from '../json-records.js';
import { firstJsonRecord, jsonLayout } from '../json-layout.js';
import { elementPointer } from '../pointers.js';

/*
 * okta-system-log: Okta System Log LogEvent objects, as the API returns them
 * (a JSON array) or as exporters write them (NDJSON). Streamed record by
 * record. Only ids are taken from token events — never token values — and
 * unknown fields are never quoted in messages.
 */

export const oktaSystemLog: Adapter = {
  id: 'okta-system-log',
  provider: 'okta',
  title: 'Okta System Log (JSON array or NDJSON)',
  detection: 'JSON array or NDJSON whose first record is an object with "eventType", "published" and "actor"',
  yields: ['event', 'credential', 'principal', 'identity'],
  detect: detectOkta,
  read: readOkta,
};

type Mapping = Readonly<Record<string, unknown>>;

function detectOkta(sniff: Sniff): boolean {
  const first = firstJsonRecord(sniff.head)?.value;
  return (
    isMapping(first) &&
    typeof first['eventType'] === 'string' &&
    typeof first['published'] === 'string' &&
    isMapping(first['actor'])
  );
}

async function* readOkta(input: InputSource, ctx: AdapterContext): AsyncGenerator<NormalizedRecord> {
  // In an array (often one line from the API) the line alone may not locate a record.
  const array = jsonLayout(ctx.sniff.head) === 'array';
  // An active client app is announced once per file (at its first OAuth event), not once per token event.
  const announced = new Set<string>();
  for await (const { value, line, index } of jsonRecords(input, ctx)) {
    const source: SourceRef = array ? { file: input.display, line, pointer: elementPointer('/', index) } : { file: input.display, line };
    const mapped = mapLogEvent(value, source);
    if (typeof mapped === 'string') {
      ctx.skip(line, mapped);
      continue;
    }
    for (const record of mapped) {
      if (record.kind === 'identity' && record.record.status === 'active') {
        if (announced.has(record.record.id)) continue;
        announced.add(record.record.id);
      }
      yield record;
    }
  }
}

/** Actor / target types that are OAuth client applications rather than people. */
const CLIENT_APP_TYPES = new Set(['PublicClientApp', 'AppInstance']);

/**
 * Heuristic for "this login is a machine": an alternateId whose local part
 * starts or ends with a service-account word (`svc-billing@…`, `ci_bot@…`,
 * `integration.sync@…`) or is a no-reply style address. Okta has no
 * service-account flag on users, so naming convention is all there is.
 */
const SERVICE_ACCOUNT_NAME =
  /^(?:svc|service|sa|bot|api|app|automation|integration|system|robot|ci|noreply|no-reply)(?:[-_.]|$)|[-_.](?:svc|service|sa|bot|api|automation|integration|robot|ci)$/i;

export function looksLikeServiceAccount(alternateId: string): boolean {
  const local = alternateId.split('@')[0] ?? alternateId;
  return SERVICE_ACCOUNT_NAME.test(local);
}

interface Party {
  readonly id: string | null;
  readonly type: string | null;
  readonly alternateId: string | null;
  readonly displayName: string | null;
}

/**
 * Maps one LogEvent to records, or returns the problem (naming the field)
 * when the record cannot be used.
 */
function mapLogEvent(value: unknown, source: SourceRef): NormalizedRecord[] | string {
  if (!isMapping(value)) return `expected a JSON object, got ${describeType(value)}`;
  const eventType = value['eventType'];
  if (typeof eventType !== 'string' || eventType.trim() === '') {
    return eventType === undefined || eventType === null ? 'eventType: is required' : `eventType: expected a string, got ${describeType(eventType)}`;
  }
  const publishedRaw = value['published'];
  if (typeof publishedRaw !== 'string') {
    return publishedRaw === undefined || publishedRaw === null
      ? 'published: is required'
      : `published: expected an ISO-8601 time string, got ${describeType(publishedRaw)}`;
  }
  const parsed = parseInstant(publishedRaw);
  if (!parsed.ok) return `published: ${parsed.reason}`;
  const time = parsed.value;

  const actorRaw = value['actor'];
  if (!isMapping(actorRaw)) {
    return actorRaw === undefined || actorRaw === null ? 'actor: is required' : `actor: expected a mapping, got ${describeType(actorRaw)}`;
  }
  const actor = party(actorRaw);
  const targetRaw = value['target'];
  if (targetRaw !== undefined && targetRaw !== null && !Array.isArray(targetRaw)) {
    return `target: expected a list, got ${describeType(targetRaw)}`;
  }
  const targets = Array.isArray(targetRaw) ? targetRaw.filter(isMapping).map(party) : [];
  const debugContext = value['debugContext'];
  const debug: Mapping = isMapping(debugContext) && isMapping(debugContext['debugData']) ? debugContext['debugData'] : {};

  const client = value['client'];
  const clientMap: Mapping = isMapping(client) ? client : {};
  const userAgent = isMapping(clientMap['userAgent']) ? text(clientMap['userAgent']['rawUserAgent']) : null;
  const outcomeRaw = value['outcome'];
  const result = isMapping(outcomeRaw) ? text(outcomeRaw['result']) : null;
  // Only an explicit SUCCESS/ALLOW counts as success: an event without a result proves no use.
  const outcome = result !== null && ['SUCCESS', 'ALLOW'].includes(result.toUpperCase()) ? 'success' : 'failure';

  const base: Event = {
    time,
    identity: actor.alternateId ?? actor.id,
    credential: null,
    action: eventType,
    resource: null,
    tenant: text(debug['orgId']) ?? text(debug['tenantId']) ?? text(debug['org']),
    environment: null,
    sourceIp: text(clientMap['ipAddress']),
    userAgent,
    outcome,
    category: 'other',
    onBehalfOf: null,
    actorChain: [],
    source,
  };
  const out: NormalizedRecord[] = [];
  const event = (patch: Partial<Event>): void => {
    out.push({ kind: 'event', record: { ...base, ...patch } });
  };

  // The app an OAuth event is about: a client-app actor or target, else debugData.clientId.
  const app = [actor, ...targets].find((p) => p.type !== null && CLIENT_APP_TYPES.has(p.type));
  const clientId = app?.id ?? text(debug['clientId']);
  const user = userOf(actor, targets);
  // The client app itself, with its label and login as aliases, so approvals and
  // inventories that name the app the way people do meet its client id.
  if (app !== undefined && app.id !== null && eventType.startsWith('app.oauth2.') && outcome === 'success') {
    out.push({ kind: 'identity', record: appIdentity(app, app.id, 'active', null, source) });
  }

  if (eventType.startsWith('app.oauth2.as.token.grant.')) {
    const kind = eventType.slice('app.oauth2.as.token.grant.'.length);
    const grantType = text(debug['grantType']);
    const presented = text(debug['refreshTokenId']);
    const isRefresh = grantType === 'refresh_token';
    let credentialId: string | null = isRefresh ? presented : null;
    if (kind === 'refresh_token') {
      const target = targets.find((t) => t.type === 'refresh_token');
      const issued =
        text(debug['grantedRefreshTokenId']) ??
        (isRefresh ? null : presented) ??
        text(debug['tokenId']) ??
        target?.id ??
        hashedId(clientId, user);
      const credential: Credential = {
        id: issued,
        identity: clientId,
        type: 'refresh-token',
        issuedAt: time,
        // The authorization server's policy decides; the log does not say.
        expiresAt: null,
        expiryUnknown: true,
        lastRotatedAt: null,
        lastUsedAt: null,
        scopes: scopesOf(debug['grantedScopes']),
        tenant: base.tenant,
        clientId,
        onBehalfOf: user,
        approval: null,
        revokedAt: null,
        createdBy: null,
        active: true,
        source,
      };
      if (outcome === 'success') out.push({ kind: 'credential', record: credential });
      credentialId ??= issued;
    }
    const category: EventCategory = isRefresh ? 'token-refresh' : 'token-issue';
    event({ identity: clientId, credential: credentialId, category, onBehalfOf: user });
    return out;
  }

  switch (eventType) {
    case 'app.oauth2.as.token.revoke': {
      const target = targets.find((t) => t.type === 'refresh_token' || t.type === 'access_token');
      const credential = text(debug['tokenId']) ?? text(debug['refreshTokenId']) ?? target?.id ?? null;
      // The actor of a revoke is whoever revoked (often an admin), not the token's user: only a User target names them.
      // Without one, the token id ties the revoke to the person its grants and refreshes acted for.
      const owner = targets.find((t) => t.type === 'User');
      event({ identity: clientId, credential, category: 'revoke', onBehalfOf: owner === undefined ? null : (owner.alternateId ?? owner.id) });
      return out;
    }
    case 'app.oauth2.as.token.detect_reuse': {
      // The server saw a rotated-away refresh token presented again: a replay signal about that token.
      const target = targets.find((t) => t.type === 'refresh_token');
      const credential = text(debug['refreshTokenId']) ?? text(debug['tokenId']) ?? target?.id ?? null;
      event({ identity: clientId, credential, category: 'token-reuse', onBehalfOf: user });
      return out;
    }
    case 'app.oauth2.as.consent.grant':
      event({ identity: clientId, category: 'consent', onBehalfOf: user });
      return out;
    case 'app.oauth2.as.consent.revoke':
      event({ identity: clientId, category: 'disconnect', onBehalfOf: user });
      return out;
    case 'user.lifecycle.deactivate':
    case 'user.lifecycle.suspend': {
      const target = targets.find((t) => t.type === 'User');
      const id = target?.alternateId ?? target?.id ?? null;
      if (id === null) return 'target: a user lifecycle event needs a User target';
      event({ identity: id, category: 'offboard' });
      if (outcome === 'success') {
        const principal: Principal = {
          id,
          kind: 'human',
          status: eventType === 'user.lifecycle.deactivate' ? 'offboarded' : 'disabled',
          offboardedAt: time,
          source,
        };
        out.push({ kind: 'principal', record: principal });
      }
      return out;
    }
    case 'application.lifecycle.deactivate':
    case 'application.lifecycle.delete':
    case 'application.lifecycle.activate':
    case 'application.lifecycle.create': {
      const target = targets.find((t) => t.type === 'AppInstance');
      const appId = target?.id ?? null;
      if (target === undefined || appId === null) return 'target: an application lifecycle event needs an AppInstance target with an id';
      const ending = eventType.endsWith('.deactivate') || eventType.endsWith('.delete');
      event({ identity: appId, category: ending ? 'identity-delete' : 'other' });
      if (ending && outcome === 'success') {
        const status = eventType.endsWith('.delete') ? 'deleted' : 'disabled';
        out.push({ kind: 'identity', record: appIdentity(target, appId, status, time, source) });
      }
      return out;
    }
    case 'system.api_token.create':
    case 'system.api_token.revoke': {
      const target = targets.find((t) => t.type === 'Token' || t.type === 'ApiToken') ?? targets[0];
      const tokenId = target?.id ?? null;
      if (tokenId === null) return 'target: an API token event needs a target with the token id';
      if (eventType === 'system.api_token.revoke') {
        // Okta does not name the token's owner here, and the actor may be another admin.
        event({ identity: null, credential: tokenId, category: 'revoke' });
        return out;
      }
      const holder = actor.alternateId ?? actor.id;
      // Okta API tokens are created in the Admin Console: a User actor did it in a browser session.
      event({ identity: holder, credential: tokenId, category: 'credential-create', ...(actor.type === 'User' ? { actorInteractive: true } : {}) });
      if (outcome === 'success') {
        const credential: Credential = {
          id: tokenId,
          identity: holder,
          type: 'api-key',
          issuedAt: time,
          expiresAt: null,
          expiryUnknown: true,
          lastRotatedAt: null,
          lastUsedAt: null,
          scopes: [],
          tenant: base.tenant,
          clientId: null,
          onBehalfOf: null,
          approval: null,
          revokedAt: null,
          createdBy: holder,
          active: true,
          source,
        };
        out.push({ kind: 'credential', record: credential });
      }
      return out;
    }
    case 'user.session.start': {
      const machine = actor.type !== 'User' || (actor.alternateId !== null && looksLikeServiceAccount(actor.alternateId));
      event({ category: machine ? 'login-interactive' : 'other' });
      return out;
    }
    default:
      event({});
      return out;
  }
}

function appIdentity(target: Party, id: string, status: IdentityStatus, disabledAt: Instant | null, source: SourceRef): Identity {
  const aliases = [target.alternateId, target.displayName].filter((a): a is string => a !== null && a !== id);
  return {
    id,
    aliases: [...new Set(aliases)],
    type: 'app',
    provider: 'okta',
    tenant: null,
    environment: null,
    owner: null,
    consumers: [],
    createdAt: null,
    status,
    disabledAt,
    lastUsedAt: null,
    source,
  };
}

/** The human in an OAuth event: a User target, else a User actor; by login (alternateId). */
function userOf(actor: Party, targets: readonly Party[]): string | null {
  const target = targets.find((t) => t.type === 'User');
  if (target !== undefined) return target.alternateId ?? target.id;
  if (actor.type === 'User') return actor.alternateId ?? actor.id;
  return null;
}

/** A stable stand-in id when Okta names no token id: a hash of client and user, never a token value. */
function hashedId(clientId: string | null, user: string | null): string {
  const digest = createHash('sha256')
    .update(`${clientId ?? ''}\n${user ?? ''}`)
    .digest('hex');
  return `sha256:${digest}`;
}

function scopesOf(value: unknown): readonly string[] {
  if (typeof value === 'string') return value.split(/[\s,]+/).filter((s) => s !== '');
  if (Array.isArray(value)) return value.filter((s): s is string => typeof s === 'string' && s.trim() !== '').map((s) => s.trim());
  return [];
}

function party(value: Mapping): Party {
  return {
    id: text(value['id']),
    type: text(value['type']),
    alternateId: text(value['alternateId']),
    displayName: text(value['displayName']),
  };
}

/** A non-blank string, trimmed; anything else is null. */
function text(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
}
