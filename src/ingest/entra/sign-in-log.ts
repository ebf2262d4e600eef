import type { Event, NormalizedRecord } from '../../model/index.js';
import type { Adapter, AdapterContext, InputSource, Sniff } from '../adapter.js';
import { describeType } from '../canonical/fields.js';
import {
  bool,
  ENTRA,
  field,
  firstLogRecord,
  isLogAnalyticsRow,
  isObj,
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
 * entra-sign-in-log: Entra ID sign-ins — user, non-interactive, service
 * principal and managed identity — as Graph returns them (`value[]` of
 * signIn), as Log Analytics exports them (SigninLogs / AAD*SignInLogs rows,
 * PascalCase columns) and as diagnostic settings stream them (`{"records":[…]}`
 * or one record per line, with the signIn in `properties`).
 *
 * The acting identity is the application (appId, else servicePrincipalId);
 * a user in a user sign-in is who it acted for. Only the credential's key id
 * is read; token identifiers are not kept.
 */

/** Diagnostic-settings categories and Log Analytics tables holding sign-ins. */
const DIAGNOSTIC_CATEGORIES = new Set([
  'SignInLogs',
  'NonInteractiveUserSignInLogs',
  'ServicePrincipalSignInLogs',
  'ManagedIdentitySignInLogs',
]);
const LOG_ANALYTICS_TABLES = new Set([
  'SigninLogs',
  'AADNonInteractiveUserSignInLogs',
  'AADServicePrincipalSignInLogs',
  'AADManagedIdentitySignInLogs',
]);
/** Where the sign-in was interactive by definition. */
const INTERACTIVE_KINDS = new Set(['SignInLogs', 'SigninLogs']);

export const entraSignInLog: Adapter = {
  id: 'entra-sign-in-log',
  provider: ENTRA,
  title: 'Microsoft Entra ID sign-in logs (Graph, Log Analytics, diagnostic settings)',
  detection:
    'JSON whose first record is a sign-in: a diagnostic-settings record with a sign-in "category" ' +
    '(SignInLogs, NonInteractiveUserSignInLogs, ServicePrincipalSignInLogs, ManagedIdentitySignInLogs) and "properties"; ' +
    'a Log Analytics row with TimeGenerated and Type SigninLogs / AAD*SignInLogs; or a Graph signIn ' +
    '(createdDateTime, appId, status) — bare, in {"value":[…]} or {"records":[…]}, as an array or NDJSON',
  yields: ['event'],
  detect: detectSignIn,
  read: readSignIns,
};

function detectSignIn(sniff: Sniff): boolean {
  const first = firstLogRecord(sniff.head);
  return first !== undefined && isSignIn(first);
}

function isSignIn(record: Obj): boolean {
  const category = text(record['category']);
  if (category !== null && DIAGNOSTIC_CATEGORIES.has(category) && isObj(record['properties'])) return true;
  const table = text(record['Type']);
  if (table !== null && LOG_ANALYTICS_TABLES.has(table) && record['TimeGenerated'] !== undefined) return true;
  return (
    typeof record['createdDateTime'] === 'string' &&
    typeof record['appId'] === 'string' &&
    isObj(record['status']) &&
    (record['isInteractive'] !== undefined || record['servicePrincipalId'] !== undefined || record['userPrincipalName'] !== undefined)
  );
}

async function* readSignIns(input: InputSource, ctx: AdapterContext): AsyncGenerator<NormalizedRecord> {
  for await (const record of logRecords(input, ctx)) {
    const event = toEvent(record);
    if (typeof event === 'string') {
      ctx.skip(record.source.line, `${where(record.source)}${event}`);
      continue;
    }
    yield { kind: 'event', record: event };
  }
}

/** One sign-in → one event, or the problem that makes it unusable. */
export function toEvent({ value, source }: LogRecord): Event | string {
  if (!isObj(value)) return `expected a JSON object, got ${describeType(value)}`;
  const outer = value;
  const properties = isObj(outer['properties']) ? outer['properties'] : undefined;
  const body = properties ?? outer;
  const laRow = isLogAnalyticsRow(outer);
  const get = (...names: string[]): string | null => textOf(body, ...names) ?? (properties === undefined ? null : textOf(outer, ...names));

  const timeField = ['createdDateTime', 'time', 'TimeGenerated'].find((name) => text(field(body, name) ?? field(outer, name)) !== null);
  if (timeField === undefined) return 'createdDateTime (or time / TimeGenerated) is required';
  const time = parseEntraTime(field(body, timeField) ?? field(outer, timeField));
  if (!time.ok) return `${timeField}: ${time.reason}`;

  const identity = get('appId', 'servicePrincipalId');
  if (identity === null) return 'appId (or servicePrincipalId) is required';

  const resourceName = get('resourceDisplayName');
  const resourceId = get('resourceId', 'ResourceIdentity');
  // A diagnostic record's own resourceId is the Azure resource path of the tenant, not the resource signed in to.
  const resource = resourceName ?? (resourceId !== null && !resourceId.startsWith('/') ? resourceId : null);
  const kind = text(outer['category']) ?? text(outer['Type']);
  const interactive = bool(field(body, 'isInteractive')) === true || (kind !== null && INTERACTIVE_KINDS.has(kind));
  const user = get('userPrincipalName', 'userId');
  const tenant = laRow
    ? textOf(outer, 'AADTenantId', 'ResourceTenantId', 'HomeTenantId')
    : (textOf(outer, 'tenantId') ?? get('resourceTenantId', 'homeTenantId') ?? tenantOfResourceId(text(outer['resourceId'])));

  return {
    time: time.value,
    identity,
    credential: get('servicePrincipalCredentialKeyId'),
    action: `signin:${resource ?? 'unknown'}`,
    resource,
    tenant,
    environment: null,
    sourceIp: get('ipAddress', 'callerIpAddress'),
    userAgent: get('userAgent'),
    outcome: outcomeOf(body, outer),
    category: interactive ? 'login-interactive' : 'access',
    // A service principal or managed identity signs in as itself; a user sign-in is the app acting for the user.
    onBehalfOf: user,
    actorChain: [],
    provider: ENTRA,
    source,
  };
}

/** `status.errorCode` (Graph, diagnostic) or `ResultType` (Log Analytics): 0 is success, anything else a failure. */
function outcomeOf(body: Obj, outer: Obj): 'success' | 'failure' {
  const status = objOf(body, 'status') ?? objOf(body, 'Status');
  const code = (status === undefined ? null : text(field(status, 'errorCode'))) ?? textOf(body, 'ResultType') ?? textOf(outer, 'resultType');
  return code === '0' ? 'success' : 'failure';
}
