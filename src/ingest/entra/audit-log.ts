import type { Event, EventCategory, NormalizedRecord } from '../../model/index.js';
import type { Adapter, AdapterContext, InputSource, Sniff } from '../adapter.js';
import { describeType } from '../canonical/fields.js';
import {
  ENTRA,
  field,
  firstLogRecord,
  isLogAnalyticsRow,
  isObj,
  listOf,
  logRecords,
  objOf,
  parseEntraTime,
  tenantOfResourceId,
  text,
  textOf,
  where,
  type LogRecord,
  type Obj,
} from './common.js';

/*
 * entra-audit-log: Entra ID directory audit logs — Graph `directoryAudits`,
 * Log Analytics `AuditLogs` rows (InitiatedBy / TargetResources /
 * AdditionalDetails as JSON strings) and diagnostic-settings records
 * (`category: AuditLogs`, the directoryAudit in `properties`).
 *
 * Lifecycle activities (credentials added or removed, consent, grant removal,
 * owner removal, deletion) become events about their target application or
 * service principal, with the initiator as the hop that acted; every other
 * activity is the initiator's own action. Key ids are read from the
 * KeyDescription modified property (`KeyIdentifier=<guid>`); nothing else of
 * a key description is kept.
 */

export const entraAuditLog: Adapter = {
  id: 'entra-audit-log',
  provider: ENTRA,
  title: 'Microsoft Entra ID audit logs (Graph directoryAudits, Log Analytics AuditLogs, diagnostic settings)',
  detection:
    'JSON whose first record is a directory audit: a diagnostic-settings record with "category": "AuditLogs" and "properties"; ' +
    'a Log Analytics row with TimeGenerated, ActivityDisplayName and InitiatedBy; or a Graph directoryAudit ' +
    '(activityDisplayName, activityDateTime, initiatedBy) — bare, in {"value":[…]} or {"records":[…]}, as an array or NDJSON',
  yields: ['event'],
  detect: detectAudit,
  read: readAudits,
};

function detectAudit(sniff: Sniff): boolean {
  const first = firstLogRecord(sniff.head);
  if (first === undefined) return false;
  if (first['category'] === 'AuditLogs' && isObj(first['properties'])) return true;
  if (isLogAnalyticsRow(first)) return typeof first['ActivityDisplayName'] === 'string' && first['InitiatedBy'] !== undefined;
  return typeof first['activityDisplayName'] === 'string' && typeof first['activityDateTime'] === 'string' && first['initiatedBy'] !== undefined;
}

async function* readAudits(input: InputSource, ctx: AdapterContext): AsyncGenerator<NormalizedRecord> {
  for await (const record of logRecords(input, ctx)) {
    const events = toEvents(record);
    if (typeof events === 'string') {
      ctx.skip(record.source.line, `${where(record.source)}${events}`);
      continue;
    }
    for (const event of events) yield { kind: 'event', record: event };
  }
}

/** Activity names compared without case, dash style or spacing: Entra writes "Update application – Certificates and secrets management ". */
function activityKey(activity: string): string {
  return activity
    .toLowerCase()
    .replace(/[\u2012-\u2015-]/g, '-')
    .replace(/\s+/g, ' ')
    .trim();
}

type Lifecycle = EventCategory | 'credential-change';

/** Activities that change an application's or service principal's lifecycle; the rest are `other`. */
const LIFECYCLE: ReadonlyMap<string, Lifecycle> = new Map<string, Lifecycle>([
  ['add service principal credentials', 'credential-create'],
  ['remove service principal credentials', 'credential-delete'],
  // Adds or removes secrets and certificates: which one is read from the key ids before and after.
  ['update application - certificates and secrets management', 'credential-change'],
  ['add delegated permission grant', 'consent'],
  ['consent to application', 'consent'],
  ['add app role assignment to service principal', 'consent'],
  ['remove delegated permission grant', 'revoke'],
  ['remove app role assignment from service principal', 'revoke'],
  ['revoke consent', 'revoke'],
  ['remove owner from application', 'disconnect'],
  ['remove owner from service principal', 'disconnect'],
  ['delete application', 'identity-delete'],
  ['hard delete application', 'identity-delete'],
  ['delete service principal', 'identity-delete'],
]);

/** Grant activities are about the client app, which is not the first target (that one is the API, e.g. Microsoft Graph). */
const CLIENT_TARGET_ACTIVITIES = new Set(['add delegated permission grant', 'remove delegated permission grant']);

const APP_TARGET_TYPES = new Set(['serviceprincipal', 'application']);

interface Target {
  readonly id: string | null;
  readonly displayName: string | null;
  readonly type: string | null;
  readonly modified: readonly Obj[];
}

function toEvents({ value, source }: LogRecord): Event[] | string {
  if (!isObj(value)) return `expected a JSON object, got ${describeType(value)}`;
  const outer = value;
  const properties = isObj(outer['properties']) ? outer['properties'] : undefined;
  const body = properties ?? outer;

  const timeField = ['activityDateTime', 'time', 'TimeGenerated'].find((name) => text(field(body, name) ?? field(outer, name)) !== null);
  if (timeField === undefined) return 'activityDateTime (or time / TimeGenerated) is required';
  const time = parseEntraTime(field(body, timeField) ?? field(outer, timeField));
  if (!time.ok) return `${timeField}: ${time.reason}`;
  const activity = textOf(body, 'activityDisplayName') ?? textOf(outer, 'operationName');
  if (activity === null) return 'activityDisplayName (or operationName) is required';

  const initiatedBy = objOf(body, 'initiatedBy') ?? {};
  const initiator = initiatorOf(initiatedBy);
  const targets = listOf(body, 'targetResources').filter(isObj).map(targetOf);
  const details = listOf(body, 'additionalDetails').filter(isObj);
  const laRow = isLogAnalyticsRow(outer);
  const result = textOf(body, 'result') ?? textOf(outer, 'Result');

  const base: Event = {
    time: time.value,
    identity: initiator.id,
    credential: null,
    action: activity,
    resource: null,
    tenant: laRow
      ? textOf(outer, 'AADTenantId')
      : (textOf(outer, 'tenantId') ?? tenantOfResourceId(text(outer['resourceId']))),
    environment: null,
    sourceIp: initiator.ip ?? textOf(outer, 'callerIpAddress'),
    userAgent: textOf(body, 'userAgent') ?? detail(details, 'User-Agent'),
    outcome: result !== null && result.toLowerCase() === 'success' ? 'success' : 'failure',
    category: 'other',
    onBehalfOf: null,
    actorChain: [],
    provider: ENTRA,
    source,
  };

  const key = activityKey(activity);
  const lifecycle = LIFECYCLE.get(key);
  if (lifecycle === undefined) {
    const target = targets[0];
    return [{ ...base, resource: target?.id ?? target?.displayName ?? null }];
  }
  const appTargets = targets.filter((t) => t.type !== null && APP_TARGET_TYPES.has(t.type.toLowerCase()));
  const subject = CLIENT_TARGET_ACTIVITIES.has(key) ? clientOf(targets) : (appTargets[0] ?? targets[0]);
  const about = (category: EventCategory, credential: string | null): Event => ({
    ...base,
    identity: subject?.id ?? null,
    credential,
    resource: (CLIENT_TARGET_ACTIVITIES.has(key) ? targets[0]?.displayName : subject?.displayName) ?? subject?.id ?? null,
    category,
    actorChain: initiator.id !== null && initiator.id !== subject?.id ? [initiator.id] : [],
  });

  if (lifecycle === 'credential-change' || lifecycle === 'credential-create' || lifecycle === 'credential-delete') {
    const { added, removed } = keyChanges(subject?.modified ?? []);
    const events = [
      ...added.map((keyId) => about('credential-create', keyId)),
      ...removed.map((keyId) => about('credential-delete', keyId)),
    ];
    if (events.length > 0) return events;
    // No key ids in the record: the activity still says what happened, to which app.
    return [about(lifecycle === 'credential-change' ? 'credential-create' : lifecycle, null)];
  }
  return [about(lifecycle, null)];
}

interface Initiator {
  readonly id: string | null;
  readonly ip: string | null;
}

/** `initiatedBy.user` (by UPN) or `initiatedBy.app` (by appId, else service principal id, else name). */
function initiatorOf(initiatedBy: Obj): Initiator {
  const user = objOf(initiatedBy, 'user');
  if (user !== undefined) {
    return { id: textOf(user, 'userPrincipalName', 'id', 'displayName'), ip: textOf(user, 'ipAddress') };
  }
  const app = objOf(initiatedBy, 'app');
  if (app !== undefined) return { id: textOf(app, 'appId', 'servicePrincipalId', 'displayName'), ip: null };
  return { id: null, ip: null };
}

function targetOf(target: Obj): Target {
  return {
    id: textOf(target, 'id'),
    displayName: textOf(target, 'displayName'),
    type: textOf(target, 'type'),
    modified: listOf(target, 'modifiedProperties').filter(isObj),
  };
}

/** The client service principal of a delegated grant: named in ServicePrincipal.ObjectID, else the second target. */
function clientOf(targets: readonly Target[]): Target | undefined {
  for (const target of targets) {
    const objectId = modifiedValue(target.modified, 'ServicePrincipal.ObjectID');
    if (objectId !== null) return targets.find((t) => t.id === objectId) ?? { id: objectId, displayName: null, type: 'ServicePrincipal', modified: [] };
  }
  return targets[1] ?? targets[0];
}

/** A modified property's new value, with the JSON quoting Entra puts around it removed. */
function modifiedValue(modified: readonly Obj[], name: string): string | null {
  const property = modified.find((p) => textOf(p, 'displayName') === name);
  const raw = property === undefined ? null : text(field(property, 'newValue'));
  return raw === null ? null : text(raw.replace(/^"|"$/g, ''));
}

const KEY_IDENTIFIER = /KeyIdentifier=([0-9a-f-]{36})/gi;

/** Key ids in the KeyDescription property before and after: those only after were added, those only before removed. */
function keyChanges(modified: readonly Obj[]): { added: string[]; removed: string[] } {
  const description = modified.find((p) => textOf(p, 'displayName') === 'KeyDescription');
  if (description === undefined) return { added: [], removed: [] };
  const ids = (value: unknown): Set<string> => new Set([...(text(value) ?? '').matchAll(KEY_IDENTIFIER)].map((m) => (m[1] ?? '').toLowerCase()));
  const before = ids(field(description, 'oldValue'));
  const after = ids(field(description, 'newValue'));
  return {
    added: [...after].filter((id) => !before.has(id)),
    removed: [...before].filter((id) => !after.has(id)),
  };
}

function detail(details: readonly Obj[], key: string): string | null {
  const found = details.find((d) => textOf(d, 'key') === key);
  return found === undefined ? null : textOf(found, 'value');
}
