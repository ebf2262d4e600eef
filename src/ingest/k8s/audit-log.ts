import {
  parseInstant,
  type Credential,
  type Event,
  type EventCategory,
  type NormalizedRecord,
  type SourceRef,
} from '../../model/index.js';
import type { Adapter, AdapterContext, InputSource, Sniff } from '../adapter.js';
import { describeType, isMapping } from '../canonical/fields.js';
import { jsonRecords } from '../json-records.js';
import { firstJsonRecord, jsonLayout } from '../json-layout.js';
import { INVALID, parseJson } from '../json-parse.js';
import {
  K8S_PROVIDER,
  SA_NAME_ANNOTATION,
  SA_TOKEN_SECRET_TYPE,
  serviceAccountId,
  serviceAccountIdentity,
  serviceAccountOfTokenSecretName,
  text,
} from './common.js';

/*
 * k8s-audit-log: API server audit events (audit.k8s.io/v1 Event, and the
 * older apiVersion-less form) as NDJSON (the log backend), a JSON array, an
 * EventList, or one event per file. Streamed record by record.
 *
 * Decisions:
 * - The acting identity is `user.username`, as the API server authenticated it;
 *   with impersonation the hop is recorded as actorChain [impersonator,
 *   impersonated] (outermost first), like AWS role chaining.
 * - One request is one event: ResponseComplete (or Panic) is kept; an earlier
 *   stage of the same auditID (RequestReceived, ResponseStarted) is dropped, and
 *   one that never gets a final stage is kept at the end of the file.
 * - Lifecycle categories (the event names the service account or token it is
 *   about, with the caller as the hop) only for requests that succeeded: a
 *   refused delete ended nothing, so it stays the caller's own access. A
 *   deleted service account is also yielded as an identity with status
 *   `deleted`, and a created token Secret as its credential.
 * - Secret request and response bodies are never read beyond `type` and
 *   `metadata`: at RequestResponse level they hold the token itself.
 */

type Mapping = Readonly<Record<string, unknown>>;

export const k8sAuditLog: Adapter = {
  id: 'k8s-audit-log',
  provider: K8S_PROVIDER,
  title: 'Kubernetes API server audit log (audit.k8s.io Event: NDJSON, JSON array, EventList)',
  detection:
    'NDJSON, a JSON array, an EventList or a single JSON object whose first record has kind "Event" and apiVersion audit.k8s.io/* (or, in the older form, an auditID, a verb and a user)',
  yields: ['event', 'credential', 'identity'],
  detect: detectAuditLog,
  read: readAuditLog,
};

const WRAPPER_KEY = 'items';

function detectAuditLog(sniff: Sniff): boolean {
  const first = firstJsonRecord(sniff.head, WRAPPER_KEY)?.value ?? singleObject(sniff);
  return isAuditEvent(first);
}

/** A pretty-printed single event (the layouts above need one value per line or an array). */
function singleObject(sniff: Sniff): unknown {
  if (!sniff.complete || !sniff.head.trimStart().startsWith('{')) return undefined;
  const value = parseJson(sniff.head);
  return value === INVALID ? undefined : value;
}

function isAuditEvent(value: unknown): boolean {
  if (!isMapping(value) || value['kind'] !== 'Event') return false;
  const apiVersion = text(value['apiVersion']);
  if (apiVersion !== null) return apiVersion.startsWith('audit.k8s.io/');
  return typeof value['auditID'] === 'string' && typeof value['verb'] === 'string' && isMapping(value['user']);
}

/** Stages after which nothing more is logged for a request. */
const FINAL_STAGES = new Set(['ResponseComplete', 'Panic']);
/** Bounds on the per-request bookkeeping, so memory stays bounded on any log. */
const MAX_PENDING = 10_000;
const MAX_FINISHED = 10_000;

async function* readAuditLog(input: InputSource, ctx: AdapterContext): AsyncGenerator<NormalizedRecord> {
  const layout = jsonLayout(ctx.sniff.head, WRAPPER_KEY);
  const records = layout === undefined ? singleRecord(input, ctx) : jsonRecords(input, ctx, { wrapperKey: WRAPPER_KEY });
  const pointerOf = (index: number): string | undefined =>
    layout === 'array' ? `/${index}` : layout === 'wrapped' ? `/${WRAPPER_KEY}/${index}` : undefined;

  // auditID → the mapped records of an earlier stage, waiting for the final stage.
  const pending = new Map<string, NormalizedRecord[]>();
  // auditIDs whose final stage has been seen: a later-logged earlier stage is then dropped.
  const finished = new Set<string>();
  for await (const { value, line, index } of records) {
    const pointer = pointerOf(index);
    const source: SourceRef = pointer === undefined ? { file: input.display, line } : { file: input.display, line, pointer };
    const mapped = mapAuditEvent(value, source);
    if (typeof mapped === 'string') {
      ctx.skip(line, mapped);
      continue;
    }
    const { auditId, stage, records: out } = mapped;
    if (auditId === null) {
      yield* out;
      continue;
    }
    if (stage === null || FINAL_STAGES.has(stage)) {
      pending.delete(auditId);
      remember(finished, auditId, MAX_FINISHED);
      yield* out;
      continue;
    }
    if (finished.has(auditId) || pending.has(auditId)) continue;
    pending.set(auditId, out);
    if (pending.size > MAX_PENDING) {
      // The oldest request that never finished within the window: keep what it said.
      const [oldest] = pending;
      if (oldest !== undefined) {
        pending.delete(oldest[0]);
        yield* oldest[1];
      }
    }
  }
  for (const out of pending.values()) yield* out;
}

function remember(set: Set<string>, key: string, cap: number): void {
  set.add(key);
  if (set.size > cap) {
    const [oldest] = set;
    if (oldest !== undefined) set.delete(oldest);
  }
}

/** A file holding one pretty-printed event: small by nature, so read whole. */
async function* singleRecord(input: InputSource, ctx: AdapterContext): AsyncGenerator<{ value: unknown; line: number; index: number }> {
  const raw = await input.text();
  if (raw.trim() === '') return;
  const value = parseJson(raw);
  const line = raw.slice(0, raw.search(/\S/)).split('\n').length;
  if (value === INVALID) {
    ctx.skip(line, 'not valid JSON');
    return;
  }
  yield { value, line, index: 0 };
}

interface Mapped {
  readonly auditId: string | null;
  readonly stage: string | null;
  readonly records: NormalizedRecord[];
}

function mapAuditEvent(value: unknown, source: SourceRef): Mapped | string {
  if (!isMapping(value)) return `expected a JSON object, got ${describeType(value)}`;
  const user = value['user'];
  if (!isMapping(user)) return user === undefined || user === null ? 'user: is required' : `user: expected a mapping, got ${describeType(user)}`;
  const username = text(user['username']);
  if (username === null) return 'user.username: is required';
  const verb = text(value['verb']);
  if (verb === null) return 'verb: is required';
  const timeField = (['stageTimestamp', 'requestReceivedTimestamp', 'timestamp'] as const).find((f) => value[f] !== undefined && value[f] !== null);
  if (timeField === undefined) return 'stageTimestamp: is required';
  const timeRaw = value[timeField];
  if (typeof timeRaw !== 'string') return `${timeField}: expected an ISO-8601 time string, got ${describeType(timeRaw)}`;
  const time = parseInstant(timeRaw);
  if (!time.ok) return `${timeField}: ${time.reason}`;

  const objectRef = isMapping(value['objectRef']) ? value['objectRef'] : undefined;
  const target = objectRef === undefined ? undefined : targetOf(objectRef);
  const path = nonResourcePath(value['requestURI']);
  const action = target === undefined ? (path === null ? verb : `${verb} ${path}`) : `${verb} ${target.kind}`;
  const annotations = isMapping(value['annotations']) ? value['annotations'] : {};
  const outcome = outcomeOf(value['responseStatus'], annotations);
  const impersonated = isMapping(value['impersonatedUser']) ? text(value['impersonatedUser']['username']) : null;
  const sourceIps = value['sourceIPs'];

  const base: Event = {
    time: time.value,
    identity: username,
    credential: null,
    action,
    resource: target?.path ?? path,
    tenant: clusterOf(annotations),
    environment: null,
    sourceIp: Array.isArray(sourceIps) ? text(sourceIps[0]) : null,
    userAgent: text(value['userAgent']),
    outcome,
    category: 'access',
    onBehalfOf: null,
    actorChain: impersonated === null ? [] : [username, impersonated],
    provider: K8S_PROVIDER,
    source,
  };
  const records: NormalizedRecord[] = [];
  const lifecycle = target !== undefined && outcome === 'success' ? lifecycleOf(verb, target, value, base, username) : undefined;
  if (lifecycle === undefined) {
    records.push({ kind: 'event', record: base });
  } else {
    records.push({ kind: 'event', record: lifecycle.event });
    if (lifecycle.record !== undefined) records.push(lifecycle.record);
  }
  return { auditId: text(value['auditID']), stage: text(value['stage']), records };
}

interface Target {
  readonly resource: string;
  readonly subresource: string | null;
  readonly namespace: string | null;
  readonly name: string | null;
  /** `pods` or `pods/exec`. */
  readonly kind: string;
  /** `<namespace>/<resource>/<name>`, leaving out what the request does not name. */
  readonly path: string;
}

function targetOf(objectRef: Mapping): Target | undefined {
  const resource = text(objectRef['resource']);
  if (resource === null) return undefined;
  const subresource = text(objectRef['subresource']);
  const namespace = text(objectRef['namespace']);
  const name = text(objectRef['name']);
  const path = [namespace, resource, name].filter((part): part is string => part !== null).join('/');
  return { resource, subresource, namespace, name, kind: subresource === null ? resource : `${resource}/${subresource}`, path };
}

/** A non-resource request (`/api`, `/healthz`) names only its URL; the query string is dropped. */
function nonResourcePath(uri: unknown): string | null {
  const raw = text(uri);
  if (raw === null) return null;
  const query = raw.indexOf('?');
  return query === -1 ? raw : raw.slice(0, query);
}

/**
 * By HTTP status where there is one; before the response (RequestReceived),
 * by the authorizer's decision; with neither the event proves no use.
 */
function outcomeOf(status: unknown, annotations: Mapping): 'success' | 'failure' {
  const code = isMapping(status) ? status['code'] : undefined;
  if (typeof code === 'number') return code >= 400 ? 'failure' : 'success';
  return annotations['authorization.k8s.io/decision'] === 'allow' ? 'success' : 'failure';
}

/**
 * Audit events do not name the cluster. Some pipelines stamp it as an
 * annotation: `cluster-name` or any `<prefix>/cluster-name` key
 * (e.g. `cluster.x-k8s.io/cluster-name`).
 */
function clusterOf(annotations: Mapping): string | null {
  for (const [key, value] of Object.entries(annotations)) {
    if (key === 'cluster-name' || key.endsWith('/cluster-name')) return text(value);
  }
  return null;
}

interface Lifecycle {
  readonly event: Event;
  /** What the event tells about its subject: a created token, a deleted account. */
  readonly record?: NormalizedRecord;
}

/** Requests that change a service account or its tokens: the event is about them. */
function lifecycleOf(verb: string, target: Target, value: Mapping, base: Event, caller: string): Lifecycle | undefined {
  const namespace = target.namespace;
  const name = target.name;
  if (namespace === null || name === null) return undefined;
  const about = (identity: string | null, credential: string | null, category: EventCategory): Event => ({
    ...base,
    identity,
    credential,
    category,
    // The caller (and whom it impersonated) acted on the subject: recorded as the hop.
    actorChain: base.actorChain.length > 0 ? base.actorChain : [caller],
  });

  if (target.resource === 'serviceaccounts' && target.subresource === null && verb === 'delete') {
    // The account is gone from this moment: rules judge later activity against it.
    const deleted = serviceAccountIdentity(namespace, name, base.tenant, null, base.source, { status: 'deleted', at: base.time });
    return { event: about(deleted.id, null, 'identity-delete'), record: { kind: 'identity', record: deleted } };
  }
  if (target.resource === 'serviceaccounts' && target.subresource === 'token' && verb === 'create') {
    // Counted as the account's own use, but the address and client are the requester's (usually a kubelet),
    // not a workload of the account: kept out so they do not look like another consumer.
    return { event: { ...about(serviceAccountId(namespace, name), null, 'token-issue'), sourceIp: null, userAgent: null } };
  }
  if (target.resource !== 'secrets' || target.subresource !== null) return undefined;
  if (verb !== 'create' && verb !== 'delete') return undefined;
  const secret = secretOf(value);
  const account = secret.account ?? (secret.type === null ? (serviceAccountOfTokenSecretName(name) ?? null) : null);
  const isToken = secret.type === SA_TOKEN_SECRET_TYPE || (secret.type === null && account !== null);
  if (!isToken) return undefined;
  const holder = account === null ? null : serviceAccountId(namespace, account);
  const credentialId = `${namespace}/${name}`;
  if (verb === 'delete') return { event: about(holder, credentialId, 'credential-delete') };
  const credential: Credential = {
    id: credentialId,
    identity: holder,
    type: 'sa-token',
    issuedAt: base.time,
    expiresAt: null,
    lastRotatedAt: null,
    lastUsedAt: null,
    scopes: [],
    tenant: base.tenant,
    clientId: null,
    onBehalfOf: null,
    approval: null,
    revokedAt: null,
    createdBy: base.actorChain.at(-1) ?? caller,
    active: true,
    source: base.source,
  };
  return { event: about(holder, credentialId, 'credential-create'), record: { kind: 'credential', record: credential } };
}

/**
 * The Secret's type and service account, from the request or response body
 * when the audit level recorded one. Only `type` and `metadata.annotations`
 * are looked at — never `data`.
 */
function secretOf(value: Mapping): { type: string | null; account: string | null } {
  for (const key of ['responseObject', 'requestObject']) {
    const body = value[key];
    if (!isMapping(body) || body['kind'] !== 'Secret') continue;
    const metadata = isMapping(body['metadata']) ? body['metadata'] : {};
    const annotations = isMapping(metadata['annotations']) ? metadata['annotations'] : {};
    return { type: text(body['type']), account: text(annotations[SA_NAME_ANNOTATION]) };
  }
  return { type: null, account: null };
}
