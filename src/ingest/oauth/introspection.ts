import type { Credential, NormalizedRecord, SourceRef } from '../../model/index.js';
import type { Adapter, AdapterContext, InputSource, Sniff } from '../adapter.js';
import { describeType, isMapping } from '../canonical/fields.js';
import { firstJsonRecord } from '../json-layout.js';
import { parseJson } from '../json-parse.js';
import { claimRecords, claimSource, credentialFromClaims, withoutTokens } from './claims.js';

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

const MEMBERS = ['client_id', 'scope', 'token_type', 'exp', 'sub', 'jti'] as const;

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
  for await (const record of claimRecords(input, ctx)) {
    const mapped = mapResponse(record.value, claimSource(input, ctx, record));
    if (typeof mapped === 'string') ctx.skip(record.line, mapped);
    else if (mapped !== null) yield { kind: 'credential', record: mapped };
  }
}

/**
 * One response → a Credential; null when there is nothing to know (a bare
 * `{"active": false}`); a string naming the field when it cannot be used.
 */
function mapResponse(value: unknown, source: SourceRef): Credential | null | string {
  if (!isMapping(value)) return `expected a JSON object, got ${describeType(value)}`;
  const record = withoutTokens(value);
  const active = record['active'];
  if (typeof active !== 'boolean') {
    return active === undefined ? 'active: is required' : `active: expected true or false, got ${describeType(active)}`;
  }
  // RFC 7662 §2.2: an invalid token is answered with `active: false` and nothing else.
  if (!active && Object.keys(record).length === 1) return null;
  return credentialFromClaims(record, source, active);
}
