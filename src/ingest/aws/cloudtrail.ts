import { parseInstant, type Credential, type Event, type EventCategory, type NormalizedRecord, type SourceRef } from '../../model/index.js';
import type { Adapter, AdapterContext, InputSource, Sniff } from '../adapter.js';
import { jsonRecords } from '../json-records.js';
import { firstJsonRecord, jsonLayout, type JsonLayout } from '../json-layout.js';
import { elementPointer } from '../pointers.js';

/*
 * aws-cloudtrail: CloudTrail records as S3 delivers them (`{"Records":[…]}`,
 * .json or .json.gz), as a JSON array or NDJSON (Athena/Logstash exports), and
 * `aws cloudtrail lookup-events` items, whose record is a JSON string in
 * `CloudTrailEvent`. Records are streamed one at a time.
 *
 * Only identifiers are read. AssumeRole / GetSessionToken / CreateAccessKey
 * responses carry secret keys and session tokens in responseElements; the only
 * response field ever read is `accessKey.accessKeyId`.
 */

const RECORDS = 'Records';
const LOOKUP_EVENTS = 'Events';

export const awsCloudTrail: Adapter = {
  id: 'aws-cloudtrail',
  provider: 'aws',
  title: 'AWS CloudTrail events',
  detection:
    'JSON whose first record is a CloudTrail event: a {"Records":[…]} wrapper ' +
    '(eventVersion, eventName, an *.amazonaws.com eventSource), a JSON array or NDJSON of records ' +
    'with eventName, an *.amazonaws.com eventSource and userIdentity, or `aws cloudtrail lookup-events` ' +
    'items (EventId, EventName, CloudTrailEvent), bare or in {"Events":[…]}; optionally .gz',
  yields: ['event', 'credential'],
  detect: detectCloudTrail,
  read: readCloudTrail,
};

function detectCloudTrail(sniff: Sniff): boolean {
  const wrapped = firstJsonRecord(sniff.head, RECORDS);
  if (wrapped !== undefined) {
    if (!isMapping(wrapped.value)) return false;
    if (wrapped.layout === 'wrapped') return isTrailRecord(wrapped.value, false);
    return isTrailRecord(wrapped.value, true) || isLookupItem(wrapped.value);
  }
  const events = firstJsonRecord(sniff.head, LOOKUP_EVENTS);
  if (events !== undefined) return events.layout === 'wrapped' && isMapping(events.value) && isLookupItem(events.value);
  // A first record longer than the head cannot be parsed; fall back to its opening fields.
  return !sniff.complete && jsonLayout(sniff.head, RECORDS) !== undefined && CUT_OFF_RECORD.every((re) => re.test(sniff.head));
}

/**
 * Event sources whose host name is not the service prefix IAM policies use,
 * so that actions in the logs match actions in grants (`monitoring` logs
 * CloudWatch calls that policies grant as `cloudwatch:*`).
 */
export const IAM_SERVICE_OF_SOURCE: Readonly<Record<string, string>> = {
  monitoring: 'cloudwatch',
  'streams.dynamodb': 'dynamodb',
  email: 'ses',
  'api.ecr': 'ecr',
  'api.mediatailor': 'mediatailor',
};

/**
 * IAM calls that are about another identity or key than the caller's own use:
 * the event becomes that identity's (or key's) lifecycle event. `subject` says
 * whose: `user` is the request's userName, else the calling IAM user itself;
 * `named-user` only the request's userName; `role` the request's roleName.
 * `key` says where the access key id is read. The SQL export
 * (src/engine/cloudtrail-sql.ts) is generated from this table.
 */
export interface IamLifecycleEvent {
  readonly category: EventCategory;
  readonly subject: 'user' | 'named-user' | 'role';
  readonly key: 'request' | 'response' | 'password' | null;
  /** Only when requestParameters.status is this (lower-cased). */
  readonly whenStatus?: string;
}

export const IAM_LIFECYCLE_EVENTS: Readonly<Record<string, IamLifecycleEvent>> = {
  CreateAccessKey: { category: 'credential-create', subject: 'user', key: 'response' },
  // A console password has no id of its own: named as the credential report names it (`<user>#password`), so the two records meet.
  CreateLoginProfile: { category: 'credential-create', subject: 'user', key: 'password' },
  DeleteAccessKey: { category: 'credential-delete', subject: 'user', key: 'request' },
  UpdateAccessKey: { category: 'revoke', subject: 'user', key: 'request', whenStatus: 'inactive' },
  DeleteUser: { category: 'identity-delete', subject: 'named-user', key: null },
  DeleteRole: { category: 'identity-delete', subject: 'role', key: null },
};

/** An interactive sign-in (any event source); a failed one says so in responseElements. */
export const INTERACTIVE_LOGIN_EVENT = 'ConsoleLogin';
export const LOGIN_FAILURE = 'Failure';
/** AssumeRole hands the caller's authority on to the target role: a delegation hop. */
export const ROLE_CHAINING = { service: 'sts', eventName: 'AssumeRole' } as const;
/** Session keys: minted per session, never inventory credentials (see longTermKey). */
export const SESSION_KEY_PREFIX = 'ASIA';

const AWS_SOURCE = /^[a-z0-9-]+(\.[a-z0-9-]+)*\.amazonaws\.com$/;
const CUT_OFF_RECORD = [/"eventSource"\s*:\s*"[a-z0-9.-]+\.amazonaws\.com"/, /"eventName"\s*:\s*"/, /"eventVersion"\s*:\s*"/];

/**
 * CloudTrail records name an `*.amazonaws.com` event source. That also tells
 * them from S3/SNS/SQS notification payloads, which share the Records wrapper
 * and the field names but say `"eventSource": "aws:s3"`. A delivered file is
 * otherwise plain from the wrapper; a bare array or NDJSON needs userIdentity too.
 */
function isTrailRecord(value: Readonly<Record<string, unknown>>, bare: boolean): boolean {
  const source = value['eventSource'];
  if (typeof value['eventName'] !== 'string' || typeof source !== 'string' || !AWS_SOURCE.test(source)) return false;
  return bare ? isMapping(value['userIdentity']) : typeof value['eventVersion'] === 'string';
}

function isLookupItem(value: Readonly<Record<string, unknown>>): boolean {
  return (
    typeof value['EventId'] === 'string' &&
    typeof value['EventName'] === 'string' &&
    typeof value['CloudTrailEvent'] === 'string'
  );
}

async function* readCloudTrail(input: InputSource, ctx: AdapterContext): AsyncGenerator<NormalizedRecord> {
  // The wrapper key decides how the file is split, so look at the head first.
  const { head } = ctx.sniff;
  const lookupWrapper = jsonLayout(head, RECORDS) !== 'wrapped' && jsonLayout(head, LOOKUP_EVENTS) === 'wrapped';
  const wrapperKey = lookupWrapper ? LOOKUP_EVENTS : RECORDS;
  const layout: JsonLayout | undefined = jsonLayout(head, wrapperKey);
  const pointerPrefix = layout === 'wrapped' ? `${wrapperKey}[` : '[';
  for await (const { value, line, index } of jsonRecords(input, ctx, { wrapperKey })) {
    const source: SourceRef =
      layout === 'ndjson'
        ? { file: input.display, line }
        : { file: input.display, line, pointer: elementPointer(pointerPrefix, index) };
    const event = toEvent(value, source, ctx);
    if (event === undefined) continue;
    yield { kind: 'event', record: event };
    const created = createdKey(event);
    if (created !== undefined) yield { kind: 'credential', record: created };
  }
}

/**
 * A successful CreateAccessKey is also the key's record: its id, its user and
 * who created it. That links the key id CloudTrail uses to its user, which the
 * credential report (it has no key ids) cannot. Later deactivation or deletion
 * events revoke it through the usage fold.
 */
function createdKey(event: Event): Credential | undefined {
  if (event.category !== 'credential-create' || event.outcome !== 'success') return undefined;
  if (event.credential === null || event.identity === null) return undefined;
  return {
    id: event.credential,
    identity: event.identity,
    type: event.credential.endsWith('#password') ? 'password' : 'access-key',
    issuedAt: event.time,
    expiresAt: null,
    lastRotatedAt: event.time,
    lastUsedAt: null,
    scopes: [],
    tenant: event.tenant,
    clientId: null,
    onBehalfOf: null,
    approval: null,
    revokedAt: null,
    createdBy: event.actorChain[0] ?? event.identity,
    active: true,
    source: event.source,
  };
}

type Fields = Readonly<Record<string, unknown>>;

function toEvent(value: unknown, source: SourceRef, ctx: AdapterContext): Event | undefined {
  // Only a skipped record needs its pointer in words: build it then, not for every event.
  const at = (): string => (source.pointer === undefined ? '' : `${source.pointer}: `);
  if (!isMapping(value)) {
    ctx.skip(source.line, `${at()}expected a JSON object, got ${describeType(value)}`);
    return undefined;
  }
  let record: Fields = value;
  const embedded = value['CloudTrailEvent'];
  if (typeof embedded === 'string') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(embedded) as unknown;
    } catch {
      ctx.skip(source.line, `${at()}CloudTrailEvent is not valid JSON`);
      return undefined;
    }
    if (!isMapping(parsed)) {
      ctx.skip(source.line, `${at()}CloudTrailEvent: expected a JSON object, got ${describeType(parsed)}`);
      return undefined;
    }
    record = parsed;
  }

  // Logstash exports move eventTime to @timestamp.
  const timeField = record['eventTime'] === undefined && record['@timestamp'] !== undefined ? '@timestamp' : 'eventTime';
  const eventTime = record[timeField];
  if (typeof eventTime !== 'string' || eventTime.trim() === '') {
    ctx.skip(source.line, `${at()}eventTime is required`);
    return undefined;
  }
  const time = parseInstant(eventTime);
  if (!time.ok) {
    ctx.skip(source.line, `${at()}${timeField}: ${time.reason}`);
    return undefined;
  }
  const eventName = text(record['eventName']);
  if (eventName === null) {
    ctx.skip(source.line, `${at()}eventName is required`);
    return undefined;
  }

  const eventSource = text(record['eventSource']);
  const service = eventSource === null ? null : serviceOfSource(eventSource);
  const tenant = text(record['recipientAccountId']);
  const ui = isMapping(record['userIdentity']) ? record['userIdentity'] : undefined;
  const actor = ui === undefined ? NO_ACTOR : actorOf(ui, tenant);
  const request: Fields = isMapping(record['requestParameters']) ? record['requestParameters'] : {};
  const account = (ui === undefined ? null : text(ui['accountId'])) ?? tenant;

  let identity = actor.identity;
  let credential = actor.credential;
  let actorChain: readonly string[] = actor.chain;
  let resource = resourceOf(record, request);
  let category: EventCategory = 'access';

  // Events about another identity: the event is that identity's, and the caller is recorded as the hop that acted.
  const retarget = (target: string | null, targetCredential: string | null, targetCategory: EventCategory): void => {
    category = targetCategory;
    const subject = target ?? actor.identity;
    if (subject !== actor.identity && actor.identity !== null) actorChain = [actor.identity];
    identity = subject;
    credential = targetCredential;
    resource ??= target;
  };

  const lifecycle = service === 'iam' && Object.hasOwn(IAM_LIFECYCLE_EVENTS, eventName) ? IAM_LIFECYCLE_EVENTS[eventName] : undefined;
  if (lifecycle !== undefined) {
    const named = (field: string, kind: 'user' | 'role'): string | null => {
      const name = text(request[field]);
      return name !== null && account !== null ? `arn:aws:iam::${account}:${kind}/${name}` : null;
    };
    const target =
      lifecycle.subject === 'role'
        ? named('roleName', 'role')
        : lifecycle.subject === 'named-user'
          ? named('userName', 'user')
          : (named('userName', 'user') ?? callerUser(actor));
    let key: string | null = null;
    if (lifecycle.key === 'response') {
      const response = isMapping(record['responseElements']) ? record['responseElements'] : {};
      const accessKey = isMapping(response['accessKey']) ? response['accessKey'] : {};
      key = text(accessKey['accessKeyId']);
    } else if (lifecycle.key === 'request') {
      key = text(request['accessKeyId']);
    } else if (lifecycle.key === 'password') {
      key = target === null ? null : `${target}#password`;
    }
    if (lifecycle.whenStatus === undefined || text(request['status'])?.toLowerCase() === lifecycle.whenStatus) {
      retarget(target, key, lifecycle.category);
    }
  } else if (service !== 'iam' && eventName === INTERACTIVE_LOGIN_EVENT) {
    category = 'login-interactive';
  } else if (service === ROLE_CHAINING.service && eventName === ROLE_CHAINING.eventName) {
    const target = text(request['roleArn']);
    // Role chaining: the caller hands its authority on to the target role.
    if (target !== null && actor.identity !== null) actorChain = [actor.identity, target];
  }

  const response = isMapping(record['responseElements']) ? record['responseElements'] : undefined;
  const failed =
    text(record['errorCode']) !== null || (eventName === INTERACTIVE_LOGIN_EVENT && response?.[INTERACTIVE_LOGIN_EVENT] === LOGIN_FAILURE);

  return {
    time: time.value,
    identity,
    credential,
    action: service === null ? eventName : actionOf(service, eventName),
    resource,
    tenant,
    environment: null,
    sourceIp: text(record['sourceIPAddress']),
    userAgent: text(record['userAgent']),
    outcome: failed ? 'failure' : 'success',
    category,
    onBehalfOf: null,
    actorChain,
    ...((category as EventCategory) === 'credential-create' && interactiveSession(record, ui) ? { actorInteractive: true } : {}),
    source,
  };
}

/**
 * A person at the console or signed in through IAM Identity Center: the
 * console marks its calls `sessionCredentialFromConsole`, and SSO sessions are
 * of `AWSReservedSSO_*` roles. Other callers may be people too; the log does not say.
 */
function interactiveSession(record: Fields, ui: Fields | undefined): boolean {
  if (record['sessionCredentialFromConsole'] === 'true' || record['sessionCredentialFromConsole'] === true) return true;
  const context = ui !== undefined && isMapping(ui['sessionContext']) ? ui['sessionContext'] : {};
  const issuer = isMapping(context['sessionIssuer']) ? context['sessionIssuer'] : {};
  return text(issuer['userName'])?.startsWith('AWSReservedSSO_') ?? false;
}

interface Actor {
  readonly identity: string | null;
  readonly credential: string | null;
  readonly chain: readonly string[];
  /** The caller is an IAM user: then "no userName" in an access-key call means its own key. */
  readonly isUser: boolean;
}

const NO_ACTOR: Actor = { identity: null, credential: null, chain: [], isUser: false };

function callerUser(actor: Actor): string | null {
  return actor.isUser ? actor.identity : null;
}

/** Who acted, from userIdentity. Only the access key id is read, never key material. */
function actorOf(ui: Fields, tenant: string | null): Actor {
  const type = text(ui['type']);
  const arn = text(ui['arn']);
  const principalId = text(ui['principalId']);
  const account = text(ui['accountId']) ?? tenant;
  const credential = longTermKey(text(ui['accessKeyId']));
  const context = isMapping(ui['sessionContext']) ? ui['sessionContext'] : {};
  const issuer = isMapping(context['sessionIssuer']) ? context['sessionIssuer'] : {};
  const issuerArn = text(issuer['arn']);
  switch (type) {
    case 'IAMUser': {
      const userName = text(ui['userName']);
      const derived = userName !== null && account !== null ? `arn:aws:iam::${account}:user/${userName}` : principalId;
      return { identity: arn ?? derived, credential, chain: [], isUser: true };
    }
    case 'AssumedRole': {
      // The role is the identity; the session (its ARN names the session) is context.
      const role = issuerArn ?? roleFromSession(arn) ?? arn ?? principalId;
      return { identity: role, credential, chain: arn !== null && arn !== role ? [arn] : [], isUser: false };
    }
    case 'FederatedUser': {
      const identity = issuerArn ?? arn ?? principalId;
      return { identity, credential, chain: arn !== null && arn !== identity ? [arn] : [], isUser: false };
    }
    case 'AWSService':
      return { identity: text(ui['invokedBy']) ?? principalId, credential: null, chain: [], isUser: false };
    case 'Root':
      return {
        identity: account !== null ? `arn:aws:iam::${account}:root` : (arn ?? principalId),
        credential,
        chain: [],
        isUser: false,
      };
    default:
      return { identity: principalId ?? arn, credential, chain: [], isUser: false };
  }
}

/**
 * Only long-term access keys (AKIA…) are credentials of the inventory. Session
 * keys (ASIA…) are minted per AssumeRole or GetSessionToken and live for hours:
 * folding each as a credential would make memory grow with sessions, i.e.
 * with log volume, while the session's role already carries the activity.
 */
function longTermKey(keyId: string | null): string | null {
  return keyId !== null && keyId.startsWith(SESSION_KEY_PREFIX) ? null : keyId;
}

/** `arn:aws:sts::123:assumed-role/Name/session` → `arn:aws:iam::123:role/Name` (the role's path is not in the session ARN). */
function roleFromSession(arn: string | null): string | null {
  const match = arn === null ? null : /^arn:([^:]+):sts::(\d+):assumed-role\/([^/]+)\/.+$/.exec(arn);
  if (match === null) return null;
  const [, partition, account, role] = match;
  return `arn:${partition ?? 'aws'}:iam::${account ?? ''}:role/${role ?? ''}`;
}

/** The first resource ARN, or a simple hint from the request; null when there is nothing plain to point at. */
function resourceOf(record: Fields, request: Fields): string | null {
  const resources = record['resources'];
  if (Array.isArray(resources)) {
    for (const item of resources) {
      if (isMapping(item)) {
        const arn = text(item['ARN']);
        if (arn !== null) return arn;
      }
    }
  }
  const roleArn = text(request['roleArn']);
  if (roleArn !== null) return roleArn;
  const bucket = text(request['bucketName']);
  if (bucket !== null) {
    const key = text(request['key']);
    return key === null ? `arn:aws:s3:::${bucket}` : `arn:aws:s3:::${bucket}/${key}`;
  }
  return null;
}

/*
 * A trail names a few dozen services and a few hundred calls, millions of
 * times over: derive each service and action string once and hand out the same
 * string every time, which also spares the fold re-hashing fresh copies.
 * Bounded, in case a log is unlike any trail.
 */
const NAMES_LIMIT = 16_384;
const SERVICE_OF_SOURCE = new Map<string, string>();
const ACTION_OF = new Map<string, Map<string, string>>();
let actionsKept = 0;

function serviceOfSource(eventSource: string): string {
  let service = SERVICE_OF_SOURCE.get(eventSource);
  if (service === undefined) {
    const host = eventSource.replace(/\.amazonaws\.com$/, '');
    service = IAM_SERVICE_OF_SOURCE[host] ?? host;
    if (SERVICE_OF_SOURCE.size >= NAMES_LIMIT) SERVICE_OF_SOURCE.clear();
    SERVICE_OF_SOURCE.set(eventSource, service);
  }
  return service;
}

function actionOf(service: string, eventName: string): string {
  let byName = ACTION_OF.get(service);
  if (byName === undefined) {
    byName = new Map();
    ACTION_OF.set(service, byName);
  }
  let action = byName.get(eventName);
  if (action === undefined) {
    if (actionsKept >= NAMES_LIMIT) {
      ACTION_OF.clear();
      actionsKept = 0;
      ACTION_OF.set(service, (byName = new Map()));
    }
    action = `${service}:${eventName}`;
    byName.set(eventName, action);
    actionsKept += 1;
  }
  return action;
}

function isMapping(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A non-blank string (account ids may arrive as numbers), else null. */
function text(value: unknown): string | null {
  if (typeof value === 'string') {
    const trimmed = value.trim();
    return trimmed === '' ? null : trimmed;
  }
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}

/** What a value is, in words — never the value itself. */
function describeType(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'a mapping' : `a ${typeof value}`;
}
