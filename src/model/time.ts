/**
 * Instants are epoch milliseconds throughout the model: cheap to compare and fold,
 * and rendered back to ISO-8601 UTC only at the edges (messages, reports).
 */
export type Instant = number;

export const DAY_MS = 86_400_000;
export const HOUR_MS = 3_600_000;

/** ISO-8601 date-time with an explicit zone (`Z` or `±hh:mm`); a space may stand for `T` (boto3 style). */
const ZONED_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(Z|z|[+-]\d{2}:?\d{2})$/;

const CANONICAL_UTC = /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|1\d|2[0-8])T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d{3})?Z$/;

/**
 * The input text as a message quotes it: JSON string syntax, so a line break or
 * control character in a hostile value cannot split the one-line error
 * (found by the fuzz tests, issue 15), and cut to a readable length.
 */
function quoted(text: string): string {
  return JSON.stringify(text.length > 64 ? `${text.slice(0, 64)}…` : text);
}

export type TimeParseResult = { ok: true; value: Instant } | { ok: false; reason: string };

/**
 * The instants an input may carry: 1970-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z.
 * No cloud log or credential predates the Unix epoch, so an earlier time (year 0000,
 * a zero epoch gone negative) is a broken or forged record, and accepting it would
 * stretch the reported log window to it. 9999-12-31 is kept: several exports use it
 * to mean "never expires". Anything outside is an input error, not a guess.
 */
export const EARLIEST_INSTANT: Instant = 0;
export const LATEST_INSTANT: Instant = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** The reason an instant is outside EARLIEST_INSTANT..LATEST_INSTANT, or null when it is inside. */
export function instantOutOfRange(value: Instant): string | null {
  if (!Number.isFinite(value)) return 'is not a finite time';
  if (value < EARLIEST_INSTANT) return 'is before 1970-01-01T00:00:00Z, the earliest time accepted';
  if (value > LATEST_INSTANT) return 'is after 9999-12-31T23:59:59Z, the latest time accepted';
  return null;
}

/** An instant from epoch milliseconds, checked against the accepted range. */
export function instantFromEpochMs(millis: number): TimeParseResult {
  const outside = instantOutOfRange(millis);
  return outside === null ? { ok: true, value: millis } : { ok: false, reason: `epoch time ${millis} ${outside}` };
}

/**
 * Parses a zoned ISO-8601 time. A time without a zone is rejected rather than
 * guessed: the same string means different instants in different places.
 */
export function parseInstant(text: string): TimeParseResult {
  // Most log times are exactly `2026-01-02T03:04:05Z` or with milliseconds: Date.parse reads those
  // precisely (days past the 28th take the checked path: Date.parse would roll 02-30 into March).
  if ((text.length === 20 || text.length === 24) && CANONICAL_UTC.test(text)) {
    const value = Date.parse(text);
    if (!Number.isNaN(value) && instantOutOfRange(value) === null) return { ok: true, value };
  }
  const trimmed = text.trim();
  const match = ZONED_TIME.exec(trimmed);
  if (match === null) {
    if (/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?$/.test(trimmed)) {
      return { ok: false, reason: `time ${quoted(trimmed)} has no zone; add Z or an offset such as +00:00` };
    }
    return { ok: false, reason: `${quoted(trimmed)} is not an ISO-8601 time` };
  }
  const [, y, mo, d, h, mi, s, frac, zone] = match;
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = s === undefined ? 0 : Number(s);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) {
    return { ok: false, reason: `${quoted(trimmed)} is not a valid date-time` };
  }
  const millis = frac === undefined ? 0 : Number(frac.slice(0, 3).padEnd(3, '0'));
  let offsetMinutes = 0;
  if (zone !== undefined && zone !== 'Z' && zone !== 'z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    offsetMinutes = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4)));
  }
  // Date.UTC maps years 0..99 to 1900..1999; setUTCFullYear keeps the year as written.
  const date = new Date(Date.UTC(2000, month - 1, day, hour, minute, Math.min(second, 59), millis));
  date.setUTCFullYear(Number(y));
  const utc = date.getTime();
  if (date.getUTCDate() !== day) {
    return { ok: false, reason: `${quoted(trimmed)} is not a valid date-time` };
  }
  const value = utc - offsetMinutes * 60_000;
  const outside = instantOutOfRange(value);
  if (outside !== null) return { ok: false, reason: `${quoted(trimmed)} ${outside}` };
  return { ok: true, value };
}

/** ISO-8601 UTC, second precision unless the instant has milliseconds. */
export function formatInstant(instant: Instant): string {
  const iso = new Date(instant).toISOString();
  return iso.endsWith('.000Z') ? `${iso.slice(0, -5)}Z` : iso;
}

/** Calendar date (UTC) for messages: `2026-03-02`. */
export function formatDate(instant: Instant): string {
  return new Date(instant).toISOString().slice(0, 10);
}

/** Whole days between two instants, rounded down. */
export function daysBetween(from: Instant, to: Instant): number {
  return Math.floor((to - from) / DAY_MS);
}
