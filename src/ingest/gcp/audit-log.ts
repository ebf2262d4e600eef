import {
  parseInstant,
  type Credential,
  type Event,
  type EventCategory,
  type NormalizedRecord,
  type SourceRef,
} from '../../model/index.js';
import type { Adapter, AdapterContext, InputSource, Sniff } from '../adapter.js';
import { describeType } from '../canonical/fields.js';
import { jsonRecords } from '../json-records.js';
import { firstJsonRecord, jsonLayout } from '../json-layout.js';
import {
  PROVIDER,
  field,
  keyCredential,
  keyIdOf,
  list,
  mapping,
  projectOf,
  serviceAccountAliases,
  serviceAccountIdentity,
  serviceAccountOf,
  text,
  type Fields,
} from './common.js';
import { elementPointer } from '../pointers.js';

/*
 * gcp-audit-log: Cloud Audit Logs LogEntry objects, as `gcloud logging read
 * --format=json` writes them (a JSON array) or as sinks and exporters write
 * them (NDJSON). Entries without an AuditLog protoPayload (textPayload,
 * jsonPayload, request logs) share the export and are passed over.
 *
 * Only identifiers are read. A CreateServiceAccountKey response may carry the
 * private key; the only response fields ever read are the key's name, type and
 * validity times, and a created account's email and ids.
 */

export const gcpAuditLog: Adapter = {
  id: 'gcp-audit-log',
  provider: 'gcp',
  title: 'GCP Cloud Audit Logs (gcloud logging read JSON, or NDJSON)',
  detection:
    'a JSON array or NDJSON whose first record is a Cloud Logging LogEntry: a "protoPayload" with an AuditLog ' +
    '"@type" or "methodName", or a "logName" of the form projects|organizations|folders|billingAccounts/…/logs/… with a "timestamp"',
  yields: ['event', 'identity', 'credential'],
  detect: detectAuditLog,
  read: readAuditLog,
};

const AUDIT_LOG_TYPE = 'type.googleapis.com/google.cloud.audit.AuditLog';
const LOG_NAME = /^(?:projects|organizations|folders|billingAccounts)\/[^/]+\/logs\/[^/]+$/;

function detectAuditLog(sniff: Sniff): boolean {
  const entry = mapping(firstJsonRecord(sniff.head)?.value);
  if (entry === undefined || typeof entry['timestamp'] !== 'string') return false;
  const payload = mapping(entry['protoPayload']);
  if (payload !== undefined && (payload['@type'] === AUDIT_LOG_TYPE || typeof payload['methodName'] === 'string')) return true;
  const logName = text(entry['logName']);
  return logName !== null && LOG_NAME.test(logName);
}

async function* readAuditLog(input: InputSource, ctx: AdapterContext): AsyncGenerator<NormalizedRecord> {
  const array = jsonLayout(ctx.sniff.head) === 'array';
  for await (const { value, line, index } of jsonRecords(input, ctx)) {
    const source: SourceRef = array ? { file: input.display, line, pointer: elementPointer('[', index) } : { file: input.display, line };
    const prefix = array ? `[${index}]: ` : '';
    const mapped = mapEntry(value, source);
    if (typeof mapped === 'string') ctx.skip(line, `${prefix}${mapped}`);
    else yield* mapped;
  }
}

/** One LogEntry → records; the problem in words when it cannot be used; nothing for non-audit entries. */
function mapEntry(value: unknown, source: SourceRef): NormalizedRecord[] | string {
  const entry = mapping(value);
  if (entry === undefined) return `expected a JSON object, got ${describeType(value)}`;
  const payload = mapping(entry['protoPayload']);
  const auditType = payload === undefined ? undefined : payload['@type'];
  const isAudit = payload !== undefined && (auditType === AUDIT_LOG_TYPE || (auditType === undefined && payload['methodName'] !== undefined));
  if (!isAudit) {
    // Other entries of a logging export are not errors; something that is no LogEntry at all is.
    return typeof entry['logName'] === 'string' || payload !== undefined
      ? []
      : 'expected a Cloud Logging entry (logName, timestamp, protoPayload)';
  }
  const rawTime = text(entry['timestamp']);
  if (rawTime === null) return 'timestamp is required';
  const parsed = parseInstant(rawTime);
  if (!parsed.ok) return `timestamp: ${parsed.reason}`;
  const time = parsed.value;
  const methodName = text(payload['methodName']);
  if (methodName === null) return 'protoPayload.methodName is required';
  const service = (text(payload['serviceName']) ?? '').replace(/\.googleapis\.com$/, '');

  const auth = mapping(payload['authenticationInfo']) ?? {};
  const caller = text(auth['principalEmail']) ?? text(auth['principalSubject']);
  const delegates = delegationChain(auth['serviceAccountDelegationInfo']);
  const callerChain = delegates.length > 0 && caller !== null ? [...delegates, caller] : [];
  const request = mapping(payload['request']) ?? {};
  const response = mapping(payload['response']) ?? {};
  const resourceName = text(payload['resourceName']);
  const status = mapping(payload['status']);
  const code = status === undefined ? 0 : status['code'];
  const outcome = typeof code === 'number' && code !== 0 ? 'failure' : 'success';
  const labels = mapping(mapping(entry['resource'])?.['labels']) ?? {};
  const metadata = mapping(payload['requestMetadata']) ?? {};

  const base: Event = {
    time,
    identity: caller,
    credential: keyIdOf(text(auth['serviceAccountKeyName'])) ?? text(auth['serviceAccountKeyName']),
    action: actionOf(service, methodName, payload['authorizationInfo'], resourceName),
    resource: resourceName,
    tenant: text(labels['project_id']) ?? projectOf(text(entry['logName'])),
    environment: null,
    sourceIp: text(metadata['callerIp']),
    userAgent: text(metadata['callerSuppliedUserAgent']),
    outcome,
    category: 'access',
    onBehalfOf: null,
    actorChain: callerChain,
    provider: PROVIDER,
    source,
  };

  const method = shortMethod(methodName);
  const lifecycle = service === 'iam' ? IAM_LIFECYCLE[method] : undefined;
  if (lifecycle !== undefined) return lifecycleRecords(base, lifecycle, { request, response, resourceName, caller });
  if (service === 'iamcredentials' && TOKEN_METHODS.has(method)) {
    // The caller obtains a token of the target account: the target acts, through the caller.
    const target = serviceAccountOf(text(request['name'])) ?? serviceAccountOf(resourceName);
    if (target === null) return [{ kind: 'event', record: base }];
    const chain = caller === null ? [target] : [...(callerChain.length > 0 ? callerChain : [caller]), target];
    return [{ kind: 'event', record: { ...base, identity: target, credential: null, category: 'token-issue', actorChain: chain } }];
  }
  if (service === 'sts' && method === 'ExchangeToken') return [{ kind: 'event', record: { ...base, category: 'token-issue' } }];
  return [{ kind: 'event', record: base }];
}

/** `google.iam.admin.v1.CreateServiceAccountKey` → `CreateServiceAccountKey`. */
function shortMethod(methodName: string): string {
  return methodName.slice(methodName.lastIndexOf('.') + 1);
}

/** Delegation hops, outermost first: each entry's first-party email or third-party subject. */
function delegationChain(value: unknown): string[] {
  const hops: string[] = [];
  for (const item of list(value)) {
    const hop = mapping(item);
    if (hop === undefined) continue;
    const first = mapping(hop['firstPartyPrincipal']);
    const third = mapping(hop['thirdPartyPrincipal']);
    const name =
      text(hop['principalSubject']) ??
      (first === undefined ? null : text(first['principalEmail'])) ??
      (third === undefined ? null : text(mapping(third['thirdPartyClaims'])?.['sub']));
    if (name !== null) hops.push(name);
  }
  return hops;
}

type Lifecycle =
  | 'key-create'
  | 'key-delete'
  | 'key-disable'
  | 'account-create'
  | 'account-delete'
  | 'account-disable';

const IAM_LIFECYCLE: Readonly<Record<string, Lifecycle>> = {
  CreateServiceAccountKey: 'key-create',
  UploadServiceAccountKey: 'key-create',
  DeleteServiceAccountKey: 'key-delete',
  DisableServiceAccountKey: 'key-disable',
  CreateServiceAccount: 'account-create',
  DeleteServiceAccount: 'account-delete',
  DisableServiceAccount: 'account-disable',
};

const LIFECYCLE_CATEGORY: Readonly<Record<Lifecycle, EventCategory>> = {
  'key-create': 'credential-create',
  'key-delete': 'credential-delete',
  'key-disable': 'revoke',
  'account-delete': 'identity-delete',
  // The model has no "identity created" or "identity disabled" category: these stay
  // the caller's own action (`other`), with the account as the resource.
  'account-create': 'other',
  'account-disable': 'other',
};

const TOKEN_METHODS = new Set(['GenerateAccessToken', 'GenerateIdToken', 'SignJwt', 'SignBlob']);

interface Parts {
  readonly request: Fields;
  readonly response: Fields;
  readonly resourceName: string | null;
  readonly caller: string | null;
}

/**
 * Service-account and key lifecycle. Events about a key or an account name it
 * (identity, credential) and record the caller as the hop that acted; a
 * successful key creation also yields the key, a successful account creation
 * the account, a deletion the deleted account.
 */
function lifecycleRecords(base: Event, kind: Lifecycle, parts: Parts): NormalizedRecord[] {
  const { request, response, resourceName, caller } = parts;
  const category = LIFECYCLE_CATEGORY[kind];
  const ok = base.outcome === 'success';
  const callerHop = base.actorChain.length > 0 ? base.actorChain : caller === null ? [] : [caller];
  const out: NormalizedRecord[] = [];

  if (kind === 'account-create' || kind === 'account-disable') {
    const created = kind === 'account-create' ? createdAccount(request, response) : null;
    const subject = created ?? serviceAccountOf(text(request['name'])) ?? serviceAccountOf(resourceName);
    out.push({ kind: 'event', record: { ...base, category, resource: subject === null ? base.resource : `projects/${base.tenant ?? '-'}/serviceAccounts/${subject}` } });
    if (created !== null && ok) {
      const project = projectOf(text(request['name'])) ?? base.tenant;
      const ids = ['unique_id', 'oauth2_client_id'].map((name) => text(field(response, name)));
      out.push({
        kind: 'identity',
        record: serviceAccountIdentity(created, base.source, {
          tenant: project,
          aliases: serviceAccountAliases(created, project, ...ids),
          createdAt: base.time,
          displayName: text(field(response, 'display_name')),
        }),
      });
    }
    return out;
  }

  if (kind === 'account-delete') {
    const subject = serviceAccountOf(text(request['name'])) ?? serviceAccountOf(resourceName);
    out.push({ kind: 'event', record: { ...base, category, identity: subject ?? base.identity, credential: null, actorChain: callerHop } });
    // Only an email names the account the way inventories do; a unique id alone would make a second identity.
    if (ok && subject?.includes('@') === true) {
      out.push({
        kind: 'identity',
        record: serviceAccountIdentity(subject, base.source, {
          tenant: base.tenant,
          // The resource name often holds the unique id: another name for the same account.
          aliases: serviceAccountAliases(subject, base.tenant, serviceAccountOf(resourceName)),
          status: 'deleted',
          disabledAt: base.time,
        }),
      });
    }
    return out;
  }

  // Key events: the key is named in the response (create) or the request (delete, disable).
  const keyName = text(response['name']) ?? text(request['name']) ?? resourceName;
  const keyId = keyIdOf(keyName);
  const holder = serviceAccountOf(keyName) ?? serviceAccountOf(text(request['name'])) ?? serviceAccountOf(resourceName);
  const event: Event = { ...base, category, identity: holder, credential: keyId, actorChain: callerHop, resource: keyName ?? base.resource };
  out.push({ kind: 'event', record: event });
  if (kind === 'key-create' && ok && keyId !== null && keyName !== null) {
    const created = createdKey(event, keyName, response);
    if (created !== undefined) out.push({ kind: 'credential', record: created });
  }
  return out;
}

/** The email of a created account: from the response, else `account_id` in the project the request names. */
function createdAccount(request: Fields, response: Fields): string | null {
  const email = text(response['email']) ?? serviceAccountOf(text(response['name']));
  if (email !== null) return email;
  const accountId = text(field(request, 'account_id'));
  const project = projectOf(text(request['name']));
  return accountId !== null && project !== null ? `${accountId}@${project}.iam.gserviceaccount.com` : null;
}

/** The key a successful CreateServiceAccountKey made, from the response's name, type and validity. */
function createdKey(event: Event, keyName: string, response: Fields): Credential | undefined {
  const data: Record<string, unknown> = { name: keyName };
  for (const [snake, camel] of [
    ['valid_after_time', 'validAfterTime'],
    ['valid_before_time', 'validBeforeTime'],
    ['key_type', 'keyType'],
  ] as const) {
    const value = field(response, snake);
    if (value !== undefined) data[camel] = value;
  }
  const credential = keyCredential(data, null, event.source);
  if (typeof credential === 'string') return undefined;
  return {
    ...credential,
    issuedAt: credential.issuedAt ?? event.time,
    lastRotatedAt: credential.lastRotatedAt ?? event.time,
    tenant: credential.tenant ?? event.tenant,
    createdBy: event.actorChain[0] ?? null,
  };
}

/**
 * IAM permissions of methods whose audit entries may lack `authorizationInfo`
 * (keyed by the method's last segment; iam and iamcredentials only).
 */
const METHOD_PERMISSIONS: Readonly<Record<string, string>> = {
  CreateServiceAccount: 'iam.serviceAccounts.create',
  DeleteServiceAccount: 'iam.serviceAccounts.delete',
  DisableServiceAccount: 'iam.serviceAccounts.disable',
  EnableServiceAccount: 'iam.serviceAccounts.enable',
  UndeleteServiceAccount: 'iam.serviceAccounts.undelete',
  GetServiceAccount: 'iam.serviceAccounts.get',
  ListServiceAccounts: 'iam.serviceAccounts.list',
  UpdateServiceAccount: 'iam.serviceAccounts.update',
  PatchServiceAccount: 'iam.serviceAccounts.update',
  CreateServiceAccountKey: 'iam.serviceAccountKeys.create',
  UploadServiceAccountKey: 'iam.serviceAccountKeys.create',
  DeleteServiceAccountKey: 'iam.serviceAccountKeys.delete',
  DisableServiceAccountKey: 'iam.serviceAccountKeys.disable',
  EnableServiceAccountKey: 'iam.serviceAccountKeys.enable',
  GetServiceAccountKey: 'iam.serviceAccountKeys.get',
  ListServiceAccountKeys: 'iam.serviceAccountKeys.list',
  CreateRole: 'iam.roles.create',
  UpdateRole: 'iam.roles.update',
  DeleteRole: 'iam.roles.delete',
  GenerateAccessToken: 'iam.serviceAccounts.getAccessToken',
  GenerateIdToken: 'iam.serviceAccounts.getOpenIdToken',
  SignJwt: 'iam.serviceAccounts.signJwt',
  SignBlob: 'iam.serviceAccounts.signBlob',
};

/** GKE control-plane methods (`google.container.v1.ClusterManager.GetCluster`). */
const CONTAINER_PERMISSIONS: Readonly<Record<string, string>> = {
  GetCluster: 'container.clusters.get',
  ListClusters: 'container.clusters.list',
  CreateCluster: 'container.clusters.create',
  UpdateCluster: 'container.clusters.update',
  DeleteCluster: 'container.clusters.delete',
  GetOperation: 'container.operations.get',
};

const IAM_POLICY_METHODS: Readonly<Record<string, string>> = {
  SetIamPolicy: 'setIamPolicy',
  GetIamPolicy: 'getIamPolicy',
  TestIamPermissions: 'testIamPermissions',
};

/** An IAM permission: `service.resource.verb` (`storage.objects.get`); GKE's own `io.k8s.*` names are not. */
const PERMISSION = /^[a-z][a-zA-Z0-9]*(?:\.[a-zA-Z0-9]+){2,}$/;

/**
 * The action in IAM permission syntax: the permission the entry says was
 * checked, else the method's known permission, else `<service>.<method>`.
 */
function actionOf(service: string, methodName: string, authorizationInfo: unknown, resourceName: string | null): string {
  for (const item of list(authorizationInfo)) {
    const permission = text(mapping(item)?.['permission']);
    if (permission !== null && PERMISSION.test(permission) && !permission.startsWith('io.k8s.')) return permission;
  }
  const method = shortMethod(methodName);
  const known = service === 'iam' || service === 'iamcredentials' ? METHOD_PERMISSIONS[method] : service === 'container' ? CONTAINER_PERMISSIONS[method] : undefined;
  if (known !== undefined) return known;
  const policyVerb = IAM_POLICY_METHODS[method];
  if (policyVerb !== undefined) {
    const container = service === 'cloudresourcemanager' ? /^(projects|folders|organizations)\//.exec(resourceName ?? '')?.[1] : undefined;
    return container === undefined ? `${service}.${policyVerb}` : `resourcemanager.${container}.${policyVerb}`;
  }
  // `beta.compute.instances.insert` and `storage.objects.get` already read as permissions.
  const unversioned = methodName.replace(/^(?:v\d+\w*|beta|alpha)\./, '');
  if (service !== '' && unversioned.startsWith(`${service}.`)) return unversioned;
  // GKE's Kubernetes API (`io.k8s.core.v1.pods.list`) is authorised by `container.<resource>.<verb>`.
  const k8s = /^io\.k8s\.(?:[a-z0-9-]+\.)*v\d\w*\.([a-zA-Z]+)\.([a-zA-Z]+)$/.exec(methodName);
  if (service === 'k8s.io' && k8s !== null) return `container.${k8s[1] ?? ''}.${k8s[2] ?? ''}`;
  return service === '' ? methodName : `${service}.${method}`;
}
