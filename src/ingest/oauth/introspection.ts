import { createHash } from 'node:crypto';
import type { Credential, CredentialType, Instant, NormalizedRecord, SourceRef } from '../../model/index.js';
import { instantFromEpochMs } from '../../model/index.js';
import type { Adapter, AdapterContext, InputSource, Sniff } from '../adapter.js';
import { describeType, isMapping } from '../canonical/fields.js';
import { INVALID, firstJsonRecord, jsonLayout, jsonRecords, parseJson, type JsonRecord } from '../json-records.js';

/*
 * oauth-introspection: RFC 7662 token introspection responses — one object, a
 * JSON array of them, or NDJSON. Each response becomes a Credential described
 * by metadata only: a raw token someone saved next to the response is dropped
 * before anything (including the fallback id hash) looks at the record.
 */

export const oauthIntrospection: Adapter = {
  id: 'oauth-introspection',
  provider: 'oauth',
  title: 'OAuth 2.0 token introspection responses (RFC 7662)',
  detection:
    'a JSON object, JSON array or NDJSON whose first record has a boolean "active" and at least one of client_id, scope, token_type, exp, sub, jti',
  yields: ['credential'],
  detect: detectIntrospection,
  read: readIntrospection,
};

type Mapping = Readonly<Record<string, unknown>>;

const MEMBERS = ['client_id', 'scope', 'token_type', 'exp', 'sub', 'jti'] as const;
/** Members that may carry the token itself: never stored, printed or hashed. */
const SECRET_MEMBERS = new Set(['token', 'access_token', 'refresh_token', 'id_token']);

function isIntrospection(value: unknown): boolean {
  return (
    isMapping(value) &&
    typeof value['active'] === 'boolean' &&
    // Other formats' headers: canonical documents carry these, responses never do.
    !Object.hasOwn(value, 'kind') &&
    !Object.hasOwn(value, 'apiVersion') &&
    MEMBERS.some((m) => Object.hasOwn(value, m))
  );
}

function detectIntrospection(sniff: Sniff): boolean {
  const first = firstJsonRecord(sniff.head);
  if (first !== undefined && first.layout === 'ndjson') {
    // A bare `{"active": false}` says nothing about the format: decide on the first line that does.
    for (const line of sniff.head.split('\n')) {
      const value = parseJson(line);
      if (isMapping(value) && Object.keys(value).length === 1 && value['active'] === false) continue;
      if (line.trim() !== '') return isIntrospection(value);
    }
    return false;
  }
  if (first !== undefined) return isIntrospection(first.value);
  // A single pretty-printed response (`curl … | jq`): small, so the whole head is it.
  if (!sniff.complete) return false;
  return isIntrospection(parseJson(sniff.head));
}

async function* readIntrospection(input: InputSource, ctx: AdapterContext): AsyncGenerator<NormalizedRecord> {
  const head = ctx.sniff.head;
  // In an array the line alone may not locate a record (one-line arrays).
  const array = jsonLayout(head) === 'array';
  for await (const { value, line, index } of records(input, head, ctx)) {
    const source: SourceRef = array ? { file: input.display, line, pointer: `/${index}` } : { file: input.display, line };
    const mapped = mapResponse(value, source);
    if (typeof mapped === 'string') ctx.skip(line, mapped);
    else if (mapped !== null) yield { kind: 'credential', record: mapped };
  }
}

/**
 * NDJSON and arrays stream through jsonRecords. A lone pretty-printed object
 * is not a record layout jsonRecords knows; introspection responses are small
 * by nature, so it is read whole.
 */
async function* records(input: InputSource, head: string, ctx: AdapterContext): AsyncGenerator<JsonRecord> {
  if (head.trim() === '') return;
  if (jsonLayout(head) !== undefined) {
    yield* jsonRecords(input, ctx);
    return;
  }
  const text = await input.text();
  const value = parseJson(text);
  const start = text.search(/\S/);
  const line = start <= 0 ? 1 : text.slice(0, start).split('\n').length;
  if (value === INVALID) ctx.skip(line, 'not valid JSON');
  else yield { value, line, index: 0 };
}

/**
 * One response → a Credential; null when there is nothing to know (a bare
 * `{"active": false}`); a string naming the field when it cannot be used.
 */
function mapResponse(value: unknown, source: SourceRef): Credential | null | string {
  if (!isMapping(value)) return `expected a JSON object, got ${describeType(value)}`;
  const record: Record<string, unknown> = {};
  for (const [key, member] of Object.entries(value)) if (!SECRET_MEMBERS.has(key)) record[key] = member;

  const active = record['active'];
  if (typeof active !== 'boolean') {
    return active === undefined ? 'active: is required' : `active: expected true or false, got ${describeType(active)}`;
  }
  const keys = Object.keys(record);
  // RFC 7662 §2.2: an invalid token is answered with `active: false` and nothing else.
  if (!active && keys.length === 1) return null;

  const problems: string[] = [];
  const str = (field: string): string | null => {
    const member = record[field];
    if (member === undefined || member === null) return null;
    if (typeof member === 'number' && Number.isFinite(member)) return String(member);
    if (typeof member !== 'string') {
      problems.push(`${field}: expected a string, got ${describeType(member)}`);
      return null;
    }
    const trimmed = member.trim();
    return trimmed === '' ? null : trimmed;
  };
  const epoch = (field: string): Instant | null => {
    const member = record[field];
    if (member === undefined || member === null) return null;
    if (typeof member !== 'number' || !Number.isFinite(member)) {
      problems.push(`${field}: expected seconds since the epoch, got ${describeType(member)}`);
      return null;
    }
    const parsed = instantFromEpochMs(Math.round(member * 1000));
    if (!parsed.ok) {
      problems.push(`${field}: ${parsed.reason}`);
      return null;
    }
    return parsed.value;
  };

  const jti = str('jti');
  const clientId = str('client_id');
  const sub = str('sub');
  const username = str('username');
  const tokenType = str('token_type');
  const hint = str('token_type_hint');
  const issuedAt = epoch('iat');
  const expiresAt = epoch('exp');
  const tenant = str('tenant') ?? str('tid') ?? str('tenant_id');
  const approval = str('approval') ?? str('approval_id');
  const scopes = scopesOf(record['scope'], problems);
  const first = problems[0];
  if (first !== undefined) return first;

  return {
    id: jti ?? hashedId(record),
    identity: clientId,
    type: credentialType(hint ?? tokenType),
    issuedAt,
    expiresAt,
    lastRotatedAt: null,
    lastUsedAt: null,
    scopes,
    tenant,
    clientId,
    onBehalfOf: username ?? (sub !== null && sub !== clientId ? sub : null),
    approval,
    revokedAt: null,
    createdBy: null,
    active,
    source,
  };
}

function credentialType(text: string | null): CredentialType {
  return text?.toLowerCase() === 'refresh_token' ? 'refresh-token' : 'access-token';
}

function scopesOf(value: unknown, problems: string[]): readonly string[] {
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') return value.split(/\s+/).filter((s) => s !== '');
  // Some servers answer with a list; accept it when it is all strings.
  if (Array.isArray(value) && value.every((s) => typeof s === 'string')) {
    return (value as readonly string[]).map((s) => s.trim()).filter((s) => s !== '');
  }
  problems.push(`scope: expected a space-separated string, got ${describeType(value)}`);
  return [];
}

/** `sha256:` + hex of the record (token members already removed) with keys sorted at every level. */
function hashedId(record: Mapping): string {
  return `sha256:${createHash('sha256').update(canonicalJson(record)).digest('hex')}`;
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isMapping(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

