import { instantFromEpochMs, parseInstant, type Instant } from '../../model/index.js';
import { describeType } from '../canonical/fields.js';

/*
 * Value readers shared by the GitHub adapters. The API and the JSON exports
 * give typed values; the CSV export gives only strings, so every reader
 * accepts both (`"1711431195806"` and `1711431195806` are the same time).
 */

export type Mapping = Readonly<Record<string, unknown>>;

export const PROVIDER = 'github';

/**
 * A non-blank string, trimmed. Integers (ids such as `token_id`, `actor_id`)
 * become their decimal text; anything else is null. GitHub writes `"org": []`
 * for "no organisation" and a one-element list for one, so a list yields its
 * first non-blank entry.
 */
export function text(value: unknown): string | null {
  if (typeof value === 'string') {
    const trimmed = value.trim();
    return trimmed === '' ? null : trimmed;
  }
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  if (Array.isArray(value)) {
    for (const item of value) {
      const found = text(item);
      if (found !== null) return found;
    }
  }
  return null;
}

/** Epoch values below this are seconds: in milliseconds they would fall before 1973. */
const SECONDS_LIMIT = 1e11;

export type TimeResult = { ok: true; value: Instant | null } | { ok: false; reason: string };

/**
 * A time as GitHub writes it: epoch milliseconds (a number, or digits in the
 * CSV export), or a zoned ISO-8601 string. Absent or blank → null.
 */
export function githubTime(value: unknown, field: string): TimeResult {
  if (value === undefined || value === null) return { ok: true, value: null };
  let epoch: number | undefined;
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) return { ok: false, reason: `${field}: expected epoch milliseconds, got an invalid number` };
    epoch = value;
  } else if (typeof value === 'string') {
    const trimmed = value.trim();
    if (trimmed === '') return { ok: true, value: null };
    if (/^\d+(\.\d+)?$/.test(trimmed)) epoch = Number(trimmed);
    else {
      const parsed = parseInstant(trimmed);
      return parsed.ok ? { ok: true, value: parsed.value } : { ok: false, reason: `${field}: ${parsed.reason}` };
    }
  } else {
    return { ok: false, reason: `${field}: expected a time, got ${describeType(value)}` };
  }
  const parsed = instantFromEpochMs(Math.trunc(epoch < SECONDS_LIMIT ? epoch * 1000 : epoch));
  return parsed.ok ? { ok: true, value: parsed.value } : { ok: false, reason: `${field}: ${parsed.reason}` };
}

/**
 * OAuth scopes as GitHub lists them: an array, or one string separated by
 * commas or spaces (`"repo, admin:org"`), blanks dropped.
 */
export function scopeList(value: unknown): string[] {
  const items = Array.isArray(value) ? value : typeof value === 'string' ? value.split(/[\s,]+/) : [];
  const scopes = items.filter((s): s is string => typeof s === 'string').map((s) => s.trim()).filter((s) => s !== '');
  return [...new Set(scopes)];
}

/**
 * Credential id of a token seen in the audit log or a PAT listing. `token_id`
 * is the id GitHub shares between the fine-grained PAT listing and audit
 * events, so it is preferred; the hashed token (base64 SHA-256 of the token,
 * not the token) stands in where no token id is known.
 */
export function tokenCredentialId(tokenId: string | null, hashedToken: string | null): string | null {
  if (tokenId !== null) return `gh-token:${tokenId}`;
  if (hashedToken !== null) return `gh-token:${hashedToken}`;
  return null;
}
