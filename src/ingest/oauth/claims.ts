import { createHash } from 'node:crypto';
import { instantFromEpochMs, type Credential, type CredentialType, type Instant, type SourceRef, type TokenParty } from '../../model/index.js';
import type { AdapterContext, InputSource } from '../adapter.js';
import { describeType, isMapping } from '../canonical/fields.js';
import { jsonRecords, type JsonRecord } from '../json-records.js';
import { jsonLayout } from '../json-layout.js';
import { INVALID, parseJson } from '../json-parse.js';

/*
 * Token claims → a Credential, shared by RFC 7662 introspection responses and
 * decoded JWT payloads (RFC 9068 access tokens, RFC 8693 exchanged tokens):
 * both are a JSON object of the same registered claims. Members that may carry
 * a token itself are dropped before anything (including the fallback id hash)
 * looks at the record.
 */

type Mapping = Readonly<Record<string, unknown>>;

/** Members that may carry the token itself: never stored, printed or hashed. */
const SECRET_MEMBERS = new Set(['token', 'access_token', 'refresh_token', 'id_token']);

/** Deeper `act` nesting than any real exchange produces: a hostile or broken record, refused rather than walked. */
export const MAX_ACT_DEPTH = 64;

/** The record without members that may hold a raw token. */
export function withoutTokens(value: Mapping): Record<string, unknown> {
  const record: Record<string, unknown> = {};
  for (const [key, member] of Object.entries(value)) if (!SECRET_MEMBERS.has(key)) record[key] = member;
  return record;
}

/**
 * The claims of one token as a Credential, or the first problem (naming the
 * claim) when a claim cannot be used. `active` is the introspection verdict;
 * a decoded JWT has none and passes true (its expiry still decides).
 */
export function credentialFromClaims(record: Mapping, source: SourceRef, active: boolean): Credential | string {
  const problems: string[] = [];
  const str = (field: string): string | null => stringClaim(record[field], field, problems);
  const epoch = (field: string): Instant | null => {
    const member = record[field];
    if (member === undefined || member === null) return null;
    if (typeof member !== 'number' || !Number.isFinite(member)) {
      problems.push(`${field}: expected seconds since the epoch, got ${describeType(member)}`);
      return null;
    }
    // Bounded like every other time (1970..9999): a far-off epoch is an input error, not a date.
    const parsed = instantFromEpochMs(Math.round(member * 1000));
    if (!parsed.ok) {
      problems.push(`${field}: ${parsed.reason}`);
      return null;
    }
    return parsed.value;
  };

  const jti = str('jti');
  const clientId = str('client_id');
  const authorizedParty = str('azp');
  const sub = str('sub');
  const username = str('username');
  const tokenType = str('token_type');
  const hint = str('token_type_hint');
  const issuedAt = epoch('iat');
  const expiresAt = epoch('exp');
  const tenant = str('tenant') ?? str('tid') ?? str('tenant_id');
  const approval = str('approval') ?? str('approval_id');
  // `scp` is where Entra puts delegated scopes in its access tokens.
  const scopes = scopesOf(record['scope'] ?? record['scp'], record['scope'] === undefined ? 'scp' : 'scope', problems);
  const audience = audienceOf(record['aud'], problems);
  const actorChain = actChain(record['act'], problems);
  const mayAct = mayActOf(record['may_act'], problems);
  const first = problems[0];
  if (first !== undefined) return first;

  const holder = clientId ?? authorizedParty;
  return {
    id: jti ?? hashedId(record),
    identity: holder,
    type: credentialType(hint ?? tokenType),
    issuedAt,
    expiresAt,
    lastRotatedAt: null,
    lastUsedAt: null,
    scopes,
    tenant,
    clientId: holder,
    onBehalfOf: username ?? (sub !== null && sub !== holder ? sub : null),
    approval,
    revokedAt: null,
    createdBy: null,
    active,
    ...(actorChain.length === 0 ? {} : { actorChain }),
    ...(mayAct === null ? {} : { mayAct }),
    ...(audience.length === 0 ? {} : { audience }),
    ...(authorizedParty === null ? {} : { authorizedParty }),
    source,
  };
}

function stringClaim(member: unknown, field: string, problems: string[]): string | null {
  if (member === undefined || member === null) return null;
  if (typeof member === 'number' && Number.isFinite(member)) return String(member);
  if (typeof member !== 'string') {
    problems.push(`${field}: expected a string, got ${describeType(member)}`);
    return null;
  }
  const trimmed = member.trim();
  return trimmed === '' ? null : trimmed;
}

/** One `act` / `may_act` party: an object with a string `sub` (and optionally `iss`). */
function partyOf(value: unknown, field: string, problems: string[]): TokenParty | null {
  if (!isMapping(value)) {
    problems.push(`${field}: expected an object with "sub", got ${describeType(value)}`);
    return null;
  }
  const sub = stringClaim(value['sub'], `${field}.sub`, problems);
  const iss = stringClaim(value['iss'], `${field}.iss`, problems);
  if (sub === null) {
    if (problems.length === 0) problems.push(`${field}.sub: is required`);
    return null;
  }
  return iss === null ? { sub } : { sub, iss };
}

/**
 * RFC 8693 §4.1: the outermost `act` is the current actor and each nested
 * `act` the one before it. Returned earliest first, the current actor last.
 */
function actChain(value: unknown, problems: string[]): TokenParty[] {
  const outermostFirst: TokenParty[] = [];
  let node = value;
  let field = 'act';
  while (node !== undefined && node !== null) {
    if (outermostFirst.length >= MAX_ACT_DEPTH) {
      problems.push(`act: nested deeper than ${MAX_ACT_DEPTH} actors`);
      return [];
    }
    const party = partyOf(node, field, problems);
    if (party === null) return [];
    outermostFirst.push(party);
    node = isMapping(node) ? node['act'] : undefined;
    field += '.act';
  }
  return outermostFirst.reverse();
}

/** RFC 8693 §4.4 `may_act`: one party; a list of them is accepted too. Null when the claim is absent. */
function mayActOf(value: unknown, problems: string[]): TokenParty[] | null {
  if (value === undefined || value === null) return null;
  const entries = Array.isArray(value) ? value : [value];
  const parties: TokenParty[] = [];
  entries.forEach((entry, index) => {
    const party = partyOf(entry, Array.isArray(value) ? `may_act[${index}]` : 'may_act', problems);
    if (party !== null) parties.push(party);
  });
  return parties;
}

/** `aud`: one string or a list of strings (RFC 7519 §4.1.3). */
function audienceOf(value: unknown, problems: string[]): readonly string[] {
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') return value.trim() === '' ? [] : [value.trim()];
  if (Array.isArray(value) && value.every((s) => typeof s === 'string')) {
    return (value as readonly string[]).map((s) => s.trim()).filter((s) => s !== '');
  }
  problems.push(`aud: expected a string or a list of strings, got ${describeType(value)}`);
  return [];
}

function credentialType(text: string | null): CredentialType {
  return text?.toLowerCase() === 'refresh_token' ? 'refresh-token' : 'access-token';
}

function scopesOf(value: unknown, field: string, problems: string[]): readonly string[] {
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') return value.split(/\s+/).filter((s) => s !== '');
  // Some servers answer with a list; accept it when it is all strings.
  if (Array.isArray(value) && value.every((s) => typeof s === 'string')) {
    return (value as readonly string[]).map((s) => s.trim()).filter((s) => s !== '');
  }
  problems.push(`${field}: expected a space-separated string, got ${describeType(value)}`);
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

/**
 * NDJSON and arrays stream through jsonRecords. A lone pretty-printed object
 * is not a record layout jsonRecords knows; token claims are small by
 * nature, so it is read whole.
 */
export async function* claimRecords(input: InputSource, ctx: AdapterContext): AsyncGenerator<JsonRecord> {
  const head = ctx.sniff.head;
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

/** Where a record sits: an array element needs its index, the line alone may not locate it. */
export function claimSource(input: InputSource, ctx: AdapterContext, record: JsonRecord): SourceRef {
  return jsonLayout(ctx.sniff.head) === 'array'
    ? { file: input.display, line: record.line, pointer: `/${record.index}` }
    : { file: input.display, line: record.line };
}
