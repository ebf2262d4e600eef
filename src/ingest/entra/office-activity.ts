import type { Event, NormalizedRecord } from '../../model/index.js';
import type { Adapter, AdapterContext, InputSource, Sniff } from '../adapter.js';
import { describeType } from '../canonical/fields.js';
import { ENTRA, field, firstLogRecord, isObj, logRecords, parseEntraTime, text, textOf, where, type LogRecord } from './common.js';

/*
 * entra-office-activity: Microsoft 365 unified audit records as Log Analytics
 * stores them (the OfficeActivity table: TimeGenerated, Operation,
 * OfficeWorkload) and as the Management Activity API returns them
 * (CreationTime, Operation, Workload). Only records an application performed
 * — those naming ClientAppId or AppId, e.g. MailItemsAccessed through Graph —
 * are NHI activity and become events; records of people working in their own
 * mailbox or site carry no app and are passed over.
 *
 * The acting app is ClientAppId (the client that called), else AppId; the
 * user whose data it touched (UserId) is who it acted for.
 */

export const entraOfficeActivity: Adapter = {
  id: 'entra-office-activity',
  provider: ENTRA,
  title: 'Microsoft 365 unified audit log / OfficeActivity (app access such as MailItemsAccessed)',
  detection:
    'JSON whose first record has "Operation" and "OfficeWorkload" (Log Analytics OfficeActivity) ' +
    'or "Operation", "Workload", "RecordType" and "CreationTime" (Management Activity API) — an array, NDJSON or {"value":[…]}',
  yields: ['event'],
  detect: detectOfficeActivity,
  read: readOfficeActivity,
};

function detectOfficeActivity(sniff: Sniff): boolean {
  const first = firstLogRecord(sniff.head);
  if (first === undefined || typeof first['Operation'] !== 'string') return false;
  if (first['OfficeWorkload'] !== undefined && first['TimeGenerated'] !== undefined) return true;
  return first['Workload'] !== undefined && first['RecordType'] !== undefined && first['CreationTime'] !== undefined;
}

async function* readOfficeActivity(input: InputSource, ctx: AdapterContext): AsyncGenerator<NormalizedRecord> {
  for await (const record of logRecords(input, ctx)) {
    const event = toEvent(record);
    if (typeof event === 'string') {
      ctx.skip(record.source.line, `${where(record.source)}${event}`);
      continue;
    }
    if (event !== undefined) yield { kind: 'event', record: event };
  }
}

/** Results that mean the operation did not happen. */
const FAILED = new Set(['failed', 'failure', 'false']);

/** An app's activity → an event; undefined for a person's own activity; a string for an unusable record. */
function toEvent({ value, source }: LogRecord): Event | undefined | string {
  if (!isObj(value)) return `expected a JSON object, got ${describeType(value)}`;
  const operation = textOf(value, 'Operation');
  if (operation === null) return 'Operation is required';
  const app = textOf(value, 'ClientAppId', 'AppId', 'ApplicationId');
  if (app === null) return undefined;
  const timeField = ['TimeGenerated', 'CreationTime'].find((name) => text(field(value, name)) !== null);
  if (timeField === undefined) return 'TimeGenerated (or CreationTime) is required';
  const time = parseEntraTime(field(value, timeField));
  if (!time.ok) return `${timeField}: ${time.reason}`;
  const status = textOf(value, 'ResultStatus');
  return {
    time: time.value,
    identity: app,
    credential: null,
    action: operation,
    resource: textOf(value, 'MailboxOwnerUPN', 'ObjectId', 'OfficeObjectId') ?? textOf(value, 'OfficeWorkload', 'Workload'),
    tenant: textOf(value, 'OrganizationId', 'AADTenantId'),
    environment: null,
    sourceIp: textOf(value, 'Client_IPAddress', 'ClientIPAddress', 'ClientIP'),
    userAgent: textOf(value, 'UserAgent'),
    // The log records an operation that happened unless it says it failed.
    outcome: status !== null && FAILED.has(status.toLowerCase()) ? 'failure' : 'success',
    category: 'access',
    onBehalfOf: textOf(value, 'UserId'),
    actorChain: [],
    provider: ENTRA,
    source,
  };
}
