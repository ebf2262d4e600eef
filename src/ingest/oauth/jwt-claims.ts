import type { NormalizedRecord } from '../../model/index.js';
import type { Adapter, AdapterContext, InputSource, Sniff } from '../adapter.js';
import { describeType, isMapping } from '../canonical/fields.js';
import { firstJsonRecord } from '../json-layout.js';
import { parseJson } from '../json-parse.js';
import { claimRecords, claimSource, credentialFromClaims, withoutTokens } from './claims.js';

/*
 * jwt-claims: a decoded-claims token inventory — the payloads of JWT access
 * tokens (RFC 9068) and exchanged tokens (RFC 8693), one JSON object per
 * line, as `jq -cR 'split(".")[1] | @base64d | fromjson'` prints them from a
 * file of tokens. Only claims: the signed token itself never belongs here,
 * and one left in the file is still a secret sighting (the scanner watches
 * every byte read).
 */

export const jwtClaims: Adapter = {
  id: 'jwt-claims',
  provider: 'oauth',
  title: 'Decoded JWT access-token claims (RFC 9068 / RFC 8693), one payload per line',
  detection:
    'a JSON object, JSON array or NDJSON whose first record has a string "iss", a numeric "exp" or "iat", at least one of sub, client_id, azp, jti, aud, scope, scp, act, and no "active" (that is an introspection response)',
  yields: ['credential'],
  detect: detectJwtClaims,
  read: readJwtClaims,
};

const MEMBERS = ['sub', 'client_id', 'azp', 'jti', 'aud', 'scope', 'scp', 'act'] as const;

function isClaims(value: unknown): boolean {
  return (
    isMapping(value) &&
    typeof value['iss'] === 'string' &&
    (typeof value['exp'] === 'number' || typeof value['iat'] === 'number') &&
    !Object.hasOwn(value, 'active') &&
    // Other formats' headers: canonical documents carry these, token payloads never do.
    !Object.hasOwn(value, 'kind') &&
    !Object.hasOwn(value, 'apiVersion') &&
    MEMBERS.some((member) => Object.hasOwn(value, member))
  );
}

function detectJwtClaims(sniff: Sniff): boolean {
  const first = firstJsonRecord(sniff.head);
  if (first !== undefined) return isClaims(first.value);
  // One pretty-printed payload (`jq` without -c on a single token): small, so the whole head is it.
  return sniff.complete && isClaims(parseJson(sniff.head));
}

async function* readJwtClaims(input: InputSource, ctx: AdapterContext): AsyncGenerator<NormalizedRecord> {
  for await (const record of claimRecords(input, ctx)) {
    if (!isMapping(record.value)) {
      ctx.skip(record.line, `expected a JSON object (a decoded JWT payload), got ${describeType(record.value)}`);
      continue;
    }
    const mapped = credentialFromClaims(withoutTokens(record.value), claimSource(input, ctx, record), true);
    if (typeof mapped === 'string') ctx.skip(record.line, mapped);
    else yield { kind: 'credential', record: mapped };
  }
}
