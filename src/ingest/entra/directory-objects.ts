import { basename } from 'node:path';
import {
  InputError,
  type Credential,
  type CredentialType,
  type Identity,
  type Instant,
  type NormalizedRecord,
  type SourceRef,
  type TrustStatement,
} from '../../model/index.js';
import { parseLocated, type LocatedDocument } from '../located-json.js';
import type { Adapter, AdapterContext, InputSource, Sniff } from '../adapter.js';
import { bool, ENTRA, field, isObj, parseEntraTime, text, textOf, type Obj } from './common.js';

/*
 * entra-directory-objects: service principals, application registrations and
 * federated identity credentials, as Graph JSON (`{"@odata.context":…,
 * "value":[…]}`, an array or one object) or as Graph PowerShell writes them
 * (`Get-MgServicePrincipal | ConvertTo-Json`: PascalCase keys, `\/Date(ms)\/`
 * dates, UTF-16LE — source.ts decodes it). Directory dumps are configuration,
 * so the whole document is parsed, by the YAML parser (JSON is YAML) so each
 * object keeps its line.
 *
 * Every object becomes an identity of type `app` keyed by appId, with the
 * object id and display name as aliases; application and service principal
 * of one appId merge in the inventory. Password credentials become
 * client-secret credentials and key credentials certificates, by keyId:
 * `secretText` and `hint` are never read. Federated identity credentials
 * become trust statements (issuer, pinned subject and audiences).
 *
 * Third party. An adapter sees one file, so the home tenant is decided per
 * file, first found wins: (1) a tenant id the file states (`tenantId` on the
 * wrapper or an object, or the tenant in an `@odata.id`); (2) the
 * appOwnerOrganizationId of a service principal whose application object is
 * in the same file (app registrations always live in the home tenant);
 * (3) the appOwnerOrganizationId held by more than half of the file's
 * `servicePrincipalType: Application` principals, Microsoft's own apps left
 * out. A service principal is third-party when its owner organisation is not
 * the home tenant. Microsoft's first-party apps and managed identities are
 * never third-party; with no home tenant, thirdParty is left unsaid.
 */

export const entraDirectoryObjects: Adapter = {
  id: 'entra-directory-objects',
  provider: ENTRA,
  title: 'Microsoft Entra ID service principals, applications and federated credentials (Graph JSON / PowerShell)',
  detection:
    'a JSON object or array with an "appId" key and a service principal or application key ' +
    '(servicePrincipalType, appOwnerOrganizationId, signInAudience, passwordCredentials, keyCredentials, ' +
    'requiredResourceAccess, servicePrincipalNames) in its first 64 KiB, any key case; or federated identity ' +
    'credentials (issuer, subject, audiences)',
  yields: ['identity', 'credential'],
  detect: detectDirectoryObjects,
  read: readDirectoryObjects,
};

const APP_ID_KEY = /"appId"\s*:/i;
const OBJECT_KEYS =
  /"(?:servicePrincipalType|appOwnerOrganizationId|appOwnerTenantId|signInAudience|passwordCredentials|keyCredentials|requiredResourceAccess|servicePrincipalNames)"\s*:/i;
const FIC_KEYS = [/"issuer"\s*:/i, /"subject"\s*:/i, /"audiences"\s*:/i];

function detectDirectoryObjects(sniff: Sniff): boolean {
  const head = sniff.head.trimStart();
  if (!head.startsWith('{') && !head.startsWith('[')) return false;
  return (APP_ID_KEY.test(head) && OBJECT_KEYS.test(head)) || FIC_KEYS.every((re) => re.test(head));
}

/** Tenants of Microsoft's own first-party applications (Microsoft Services, Microsoft corp). */
const MICROSOFT_TENANTS = new Set(['f8cdef31-a31e-4b4a-93e4-5f571e91255a', '72f988bf-86f1-41af-91ab-2d7cd011db47']);



type Kind = 'service-principal' | 'application' | 'federated-credential';

interface Entry {
  readonly object: Obj;
  readonly kind: Kind;
  readonly source: SourceRef;
}

async function* readDirectoryObjects(input: InputSource, ctx: AdapterContext): AsyncGenerator<NormalizedRecord> {
  const whole = await input.text();
  const tree = parseLocated(whole, input.display);
  const root = tree.root;
  const file = input.display;

  const { items, prefix, wrapper } = itemsOf(root);
  if (items === undefined) throw new InputError('expected a JSON object or array of directory objects', file, 1);
  const context = wrapper === undefined ? null : textOf(wrapper, '@odata.context');

  const entries: Entry[] = [];
  for (const [i, item] of items.entries()) {
    const pointer = prefix === null ? '' : `${prefix}[${i}]`;
    const source: SourceRef = prefix === null ? { file, line: tree.lineOf(item, 1) } : { file, line: tree.lineOf(item, 1), pointer };
    const at = pointer === '' ? '' : `${pointer}: `;
    if (!isObj(item)) {
      ctx.skip(source.line, `${at}expected an object`);
      continue;
    }
    const kind = kindOf(item, context);
    if (kind === undefined) {
      ctx.skip(source.line, `${at}appId is required (a service principal or application), or issuer and subject (a federated credential)`);
      continue;
    }
    entries.push({ object: item, kind, source });
  }

  const home = homeTenant(entries, wrapper);
  const fileAppRef = appRefFromContext(context) ?? appRefFromName(input.path);
  for (const entry of entries) {
    if (entry.kind === 'federated-credential') {
      yield* federatedOnly(entry, fileAppRef, home, ctx);
      continue;
    }
    const identity = toIdentity(entry, home);
    yield { kind: 'identity', record: identity };
    yield* credentialsOf(entry, identity, tree, ctx);
  }
}

/** The list of objects: a top-level array, a Graph `value` wrapper, or one object. */
function itemsOf(root: unknown): { items: readonly unknown[] | undefined; prefix: string | null; wrapper: Obj | undefined } {
  if (Array.isArray(root)) return { items: root, prefix: '', wrapper: undefined };
  if (!isObj(root)) return { items: undefined, prefix: null, wrapper: undefined };
  const value = field(root, 'value');
  if (Array.isArray(value)) return { items: value, prefix: 'value', wrapper: root };
  return { items: [root], prefix: null, wrapper: root };
}

function kindOf(object: Obj, context: string | null): Kind | undefined {
  const odataType = (textOf(object, '@odata.type') ?? '').toLowerCase();
  const ctx = (context ?? '').toLowerCase();
  const appId = textOf(object, 'appId');
  if (appId === null) {
    return textOf(object, 'issuer') !== null && field(object, 'subject') !== undefined ? 'federated-credential' : undefined;
  }
  if (
    odataType.includes('serviceprincipal') ||
    ctx.includes('#serviceprincipals') ||
    ['servicePrincipalType', 'appOwnerOrganizationId', 'appOwnerTenantId', 'servicePrincipalNames'].some((k) => field(object, k) !== undefined)
  ) {
    return 'service-principal';
  }
  return 'application';
}

const GUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

function ownerOrganization(object: Obj): string | null {
  return textOf(object, 'appOwnerOrganizationId', 'appOwnerTenantId')?.toLowerCase() ?? null;
}

/** The tenant the file was exported from, by the rules in the header comment; null when it cannot be known. */
function homeTenant(entries: readonly Entry[], wrapper: Obj | undefined): string | null {
  for (const object of [...(wrapper === undefined ? [] : [wrapper]), ...entries.map((e) => e.object)]) {
    const stated = textOf(object, 'tenantId', 'homeTenantId');
    if (stated !== null) return stated.toLowerCase();
    const odataId = textOf(object, '@odata.id');
    const fromId = odataId === null ? undefined : /graph\.microsoft\.com\/v[^/]+\/([0-9a-f-]{36})\/directoryObjects\//i.exec(odataId)?.[1];
    if (fromId !== undefined) return fromId.toLowerCase();
  }
  const registered = new Set(entries.filter((e) => e.kind === 'application').map((e) => textOf(e.object, 'appId')));
  for (const entry of entries) {
    if (entry.kind !== 'service-principal' || !registered.has(textOf(entry.object, 'appId'))) continue;
    const owner = ownerOrganization(entry.object);
    if (owner !== null) return owner;
  }
  const owners = new Map<string, number>();
  let counted = 0;
  for (const entry of entries) {
    if (entry.kind !== 'service-principal' || textOf(entry.object, 'servicePrincipalType') !== 'Application') continue;
    const owner = ownerOrganization(entry.object);
    if (owner === null || MICROSOFT_TENANTS.has(owner)) continue;
    counted += 1;
    owners.set(owner, (owners.get(owner) ?? 0) + 1);
  }
  for (const [owner, count] of owners) if (count * 2 > counted) return owner;
  return null;
}

function thirdPartyOf(entry: Entry, home: string | null): boolean | undefined {
  if (entry.kind === 'application') return false;
  const owner = ownerOrganization(entry.object);
  if (owner === null) return undefined;
  if (MICROSOFT_TENANTS.has(owner) || textOf(entry.object, 'servicePrincipalType') === 'ManagedIdentity') return false;
  return home === null ? undefined : owner !== home;
}

function toIdentity(entry: Entry, home: string | null): Identity {
  const { object, source } = entry;
  const appId = textOf(object, 'appId') ?? '';
  const objectId = textOf(object, 'id');
  const displayName = textOf(object, 'displayName');
  const aliases = [...new Set([objectId, displayName].filter((a): a is string => a !== null && a !== appId))];
  const created = parseEntraTime(field(object, 'createdDateTime'));
  const trust = listField(object, 'federatedIdentityCredentials').filter(isObj).map(trustOf);
  const thirdParty = thirdPartyOf(entry, home);
  return {
    ...(trust.length === 0 ? {} : { trust }),
    ...(thirdParty === undefined ? {} : { thirdParty }),
    ...(displayName === null ? {} : { displayName }),
    id: appId,
    aliases,
    type: 'app',
    provider: ENTRA,
    tenant: home,
    environment: null,
    owner: ownerOf(object),
    consumers: [],
    createdAt: created.ok ? created.value : null,
    status: bool(field(object, 'accountEnabled')) === false ? 'disabled' : 'active',
    disabledAt: null,
    lastUsedAt: null,
    source,
  };
}

function listField(object: Obj, name: string): readonly unknown[] {
  const value = field(object, name);
  return Array.isArray(value) ? value : [];
}

/** The first owner (`$expand=owners`) by sign-in name, mail or id. */
function ownerOf(object: Obj): string | null {
  for (const owner of listField(object, 'owners')) {
    if (!isObj(owner)) continue;
    const id = textOf(owner, 'userPrincipalName', 'mail', 'appId', 'id', 'displayName');
    if (id !== null) return id;
  }
  return null;
}

/** A federated identity credential as a trust statement: the issuer may act as the app for the pinned subject and audiences. */
function trustOf(fic: Obj): TrustStatement {
  const issuer = textOf(fic, 'issuer') ?? '';
  const subject = textOf(fic, 'subject');
  const audiencesRaw = field(fic, 'audiences');
  const audiences = (Array.isArray(audiencesRaw) ? audiencesRaw : [audiencesRaw]).map(text).filter((a): a is string => a !== null);
  return {
    effect: 'allow',
    trustees: [{ kind: 'federated', id: issuer }],
    actions: ['federated-credential'],
    hasConditions: true,
    conditionKeys: ['sub', 'aud'],
    pinning: [
      { key: 'sub', values: subject === null ? [] : [subject] },
      { key: 'aud', values: audiences },
    ],
  };
}

/** Graph's `…#applications('<id>')/federatedIdentityCredentials` context names the application. */
function appRefFromContext(context: string | null): string | null {
  if (context === null) return null;
  return /applications(?:\('([^']+)'\)|\/([^/]+))\/federatedIdentityCredentials/i.exec(context)?.slice(1).find((g) => g !== undefined) ?? null;
}

/** `fic-<app id>.json`: the export names the application it was run for. */
function appRefFromName(path: string): string | null {
  return GUID.exec(basename(path))?.[0] ?? null;
}

/** The application a lone federated credential belongs to: from the record, its @odata.id, the file's context or name. */
function appRefOf(fic: Obj, fileAppRef: string | null): string | null {
  const own = textOf(fic, 'appId', 'applicationId', 'applicationObjectId');
  if (own !== null) return own;
  const odataId = textOf(fic, '@odata.id');
  const fromId = odataId === null ? undefined : /applications\/([^/]+)\/federatedIdentityCredentials/i.exec(odataId)?.[1];
  return fromId ?? fileAppRef;
}

/**
 * A federated credential listed on its own (`Get-MgApplicationFederatedIdentityCredential`)
 * is trust for its application, keyed by whatever reference names that app. When
 * nothing in the file names it, the credential stands as a `workload` identity of
 * its own (id = the credential's id), so the trust it opens is still audited.
 */
function* federatedOnly(entry: Entry, fileAppRef: string | null, home: string | null, ctx: AdapterContext): Generator<NormalizedRecord> {
  const { object, source } = entry;
  const ficId = textOf(object, 'id');
  const appRef = appRefOf(object, fileAppRef);
  const id = appRef ?? ficId;
  if (id === null) {
    ctx.skip(source.line, `${source.pointer === undefined ? '' : `${source.pointer}: `}id is required when nothing names the application`);
    return;
  }
  const name = textOf(object, 'name');
  const identity: Identity = {
    trust: [trustOf(object)],
    ...(appRef === null && name !== null ? { displayName: name } : {}),
    id,
    aliases: appRef === null && name !== null && name !== id ? [name] : [],
    type: appRef === null ? 'workload' : 'app',
    provider: ENTRA,
    tenant: home,
    environment: null,
    owner: null,
    consumers: [],
    createdAt: null,
    status: 'active',
    disabledAt: null,
    lastUsedAt: null,
    source,
  };
  yield { kind: 'identity', record: identity };
}

const CREDENTIAL_LISTS: readonly (readonly [string, CredentialType])[] = [
  ['passwordCredentials', 'client-secret'],
  ['keyCredentials', 'certificate'],
];

function* credentialsOf(entry: Entry, identity: Identity, tree: LocatedDocument, ctx: AdapterContext): Generator<NormalizedRecord> {
  const base = entry.source.pointer;
  for (const [listName, type] of CREDENTIAL_LISTS) {
    for (const [j, item] of listField(entry.object, listName).entries()) {
      // The pointer names the key as the file spells it (PasswordCredentials in PowerShell output).
      const key = Object.keys(entry.object).find((k) => k.toLowerCase() === listName.toLowerCase()) ?? listName;
      const pointer = `${base === undefined || base === '' ? '' : `${base}.`}${key}[${j}]`;
      const line = tree.lineOf(item, entry.source.line);
      const source: SourceRef = { file: entry.source.file, line, pointer };
      if (!isObj(item)) {
        ctx.skip(line, `${pointer}: expected an object`);
        continue;
      }
      const credential = toCredential(item, type, identity, source);
      if (typeof credential === 'string') {
        ctx.skip(line, `${pointer}.${credential}`);
        continue;
      }
      yield { kind: 'credential', record: credential };
    }
  }
}

function toCredential(item: Obj, type: CredentialType, identity: Identity, source: SourceRef): Credential | string {
  const keyId = textOf(item, 'keyId');
  if (keyId === null) return 'keyId: is required';
  const times: { issuedAt: Instant | null; expiresAt: Instant | null } = { issuedAt: null, expiresAt: null };
  for (const [key, name] of [
    ['issuedAt', 'startDateTime'],
    ['expiresAt', 'endDateTime'],
  ] as const) {
    const raw = field(item, name);
    if (raw === null || raw === undefined || raw === '') continue;
    const parsed = parseEntraTime(raw);
    if (!parsed.ok) return `${name}: ${parsed.reason}`;
    times[key] = parsed.value;
  }
  return {
    id: keyId.toLowerCase(),
    identity: identity.id,
    type,
    issuedAt: times.issuedAt,
    expiresAt: times.expiresAt,
    lastRotatedAt: null,
    lastUsedAt: null,
    scopes: [],
    tenant: identity.tenant,
    clientId: identity.id,
    onBehalfOf: null,
    approval: null,
    revokedAt: null,
    createdBy: null,
    active: true,
    source,
  };
}
