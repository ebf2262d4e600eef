import type { Credential, CredentialType, Instant, NormalizedRecord, SourceRef } from '../../model/index.js';
import type { Adapter, AdapterContext, InputSource, Sniff } from '../adapter.js';
import { describeType, isMapping } from '../canonical/fields.js';
import { jsonRecords } from '../json-records.js';
import { firstJsonRecord, jsonLayout } from '../json-layout.js';
import { githubTime, scopeList, text, tokenCredentialId, type Mapping } from './fields.js';

/*
 * github-credential-list: what an organisation lets in, as the REST API lists
 * it — fine-grained PATs with access to the organisation
 * (`GET /orgs/{org}/personal-access-tokens`) and SAML SSO credential
 * authorizations (`GET /orgs/{org}/credential-authorizations`: classic PATs,
 * SSH keys, app tokens). Each element becomes a Credential described by
 * metadata; `token_last_eight` is part of the token and is never read.
 */

export const githubCredentialList: Adapter = {
  id: 'github-credential-list',
  provider: 'github',
  title: 'GitHub fine-grained PAT and credential-authorization listings (REST API JSON)',
  detection:
    'JSON array or NDJSON whose first element has "token_id" and an "owner" object (fine-grained PAT listing), ' +
    'or "credential_id", "credential_type" and "login" (credential authorizations)',
  yields: ['credential'],
  detect: detectCredentialList,
  read: readCredentialList,
};

type Listing = 'pat' | 'authorization';

function listingOf(value: unknown): Listing | undefined {
  if (!isMapping(value)) return undefined;
  if (Object.hasOwn(value, 'token_id') && isMapping(value['owner']) && !Object.hasOwn(value, 'action')) return 'pat';
  if (Object.hasOwn(value, 'credential_id') && Object.hasOwn(value, 'credential_type') && Object.hasOwn(value, 'login')) return 'authorization';
  return undefined;
}

function detectCredentialList(sniff: Sniff): boolean {
  return listingOf(firstJsonRecord(sniff.head)?.value) !== undefined;
}

async function* readCredentialList(input: InputSource, ctx: AdapterContext): AsyncGenerator<NormalizedRecord> {
  const array = jsonLayout(ctx.sniff.head) === 'array';
  // The first element says which listing the file is; every element is read as that one.
  const listing = listingOf(firstJsonRecord(ctx.sniff.head)?.value) ?? 'pat';
  for await (const { value, line, index } of jsonRecords(input, ctx)) {
    const source: SourceRef = array ? { file: input.display, line, pointer: `/${index}` } : { file: input.display, line };
    const mapped = mapListing(value, source, listing);
    if (typeof mapped === 'string') {
      ctx.skip(line, array ? `/${index}: ${mapped}` : mapped);
      continue;
    }
    yield { kind: 'credential', record: mapped };
  }
}

function mapListing(value: unknown, source: SourceRef, listing: Listing): Credential | string {
  if (!isMapping(value)) return `expected a JSON object, got ${describeType(value)}`;
  return listing === 'pat' ? patCredential(value, source) : authorizedCredential(value, source);
}

/** Reads the named time fields, or says which one is wrong. */
function times<const K extends string>(entry: Mapping, fields: readonly K[]): Record<K, Instant | null> | string {
  const out: Partial<Record<K, Instant | null>> = {};
  for (const field of fields) {
    const parsed = githubTime(entry[field], field);
    if (!parsed.ok) return parsed.reason;
    out[field] = parsed.value;
  }
  return out as Record<K, Instant | null>;
}

const PAT_TIMES = ['access_granted_at', 'token_expires_at', 'token_last_used_at'] as const;

function patCredential(entry: Mapping, source: SourceRef): Credential | string {
  const owner = isMapping(entry['owner']) ? text(entry['owner']['login']) : null;
  if (owner === null) return 'owner.login: is required';
  const grantId = text(entry['id']);
  const id = tokenCredentialId(text(entry['token_id']), null) ?? (grantId === null ? null : `gh-pat:${grantId}`);
  if (id === null) return 'token_id: is required (or id)';
  const at = times(entry, PAT_TIMES);
  if (typeof at === 'string') return at;
  return {
    id,
    identity: null,
    type: 'pat',
    issuedAt: at.access_granted_at,
    expiresAt: at.token_expires_at,
    lastRotatedAt: null,
    lastUsedAt: at.token_last_used_at,
    scopes: permissionScopes(entry['permissions']),
    tenant: text(entry['org']),
    clientId: null,
    onBehalfOf: owner,
    approval: null,
    revokedAt: null,
    createdBy: owner,
    active: entry['token_expired'] !== true,
    source,
  };
}

/**
 * Fine-grained permissions as `<permission>:<level>`: repository permissions
 * keep GitHub's name (`contents:write`), organisation ones are prefixed
 * (`organization_administration:write`) so they cannot be mistaken for the
 * repository permission of the same name.
 */
export function permissionScopes(permissions: unknown): string[] {
  if (!isMapping(permissions)) return [];
  const scopes: string[] = [];
  for (const [group, levels] of Object.entries(permissions)) {
    if (!isMapping(levels)) continue;
    for (const [name, level] of Object.entries(levels)) {
      const value = text(level);
      if (value === null) continue;
      const qualified = group === 'organization' && !name.startsWith('organization_') ? `organization_${name}` : name;
      scopes.push(`${qualified}:${value}`);
    }
  }
  return scopes.sort();
}

const AUTHORIZATION_TIMES = ['credential_authorized_at', 'credential_accessed_at', 'authorized_credential_expires_at'] as const;

function authorizedCredential(entry: Mapping, source: SourceRef): Credential | string {
  const credentialId = text(entry['credential_id']);
  if (credentialId === null) return 'credential_id: is required';
  const login = text(entry['login']);
  if (login === null) return 'login: is required';
  const at = times(entry, AUTHORIZATION_TIMES);
  if (typeof at === 'string') return at;
  const type = authorizationType(text(entry['credential_type']));
  // An SSH key is named by fingerprint, as the audit log's key events name it; other credentials by authorization id.
  const fingerprint = type === 'ssh-key' ? text(entry['fingerprint']) : null;
  return {
    id: fingerprint === null ? `gh-cred:${credentialId}` : `gh-ssh:${fingerprint}`,
    identity: null,
    type,
    issuedAt: at.credential_authorized_at,
    expiresAt: at.authorized_credential_expires_at,
    lastRotatedAt: null,
    lastUsedAt: at.credential_accessed_at,
    scopes: scopeList(entry['scopes']),
    tenant: text(entry['org']),
    clientId: null,
    onBehalfOf: login,
    approval: null,
    revokedAt: null,
    createdBy: login,
    active: true,
    source,
  };
}

/** `personal access token` → pat, `SSH key` → ssh-key, app and OAuth tokens → access-token. */
function authorizationType(credentialType: string | null): CredentialType {
  const kind = (credentialType ?? '').toLowerCase();
  if (kind.includes('ssh')) return 'ssh-key';
  if (kind.includes('personal access token')) return 'pat';
  return 'access-token';
}
