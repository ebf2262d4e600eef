import { describe, expect, it } from 'vitest';
import { formatInstant, formatSpan, parseDuration, parseInstant } from '../../src/model/index.js';

describe('parseInstant', () => {
  it.each([
    ['2026-03-09T10:41:45Z', '2026-03-09T10:41:45Z'],
    ['2026-03-09 10:41:45+00:00', '2026-03-09T10:41:45Z'],
    ['2026-03-09T12:41:45+02:00', '2026-03-09T10:41:45Z'],
    ['2026-03-09T10:41:45.123456Z', '2026-03-09T10:41:45.123Z'],
    ['2026-03-09T05:41:45-0500', '2026-03-09T10:41:45Z'],
  ])('reads %s', (text, iso) => {
    const parsed = parseInstant(text);
    expect(parsed.ok && formatInstant(parsed.value)).toBe(iso);
  });

  it.each([
    ['2026-03-09T10:41:45', /has no zone/],
    ['2026-03-09', /has no zone/],
    ['2026-02-30T00:00:00Z', /not a valid date-time/],
    ['yesterday', /not an ISO-8601 time/],
  ])('rejects %s', (text, reason) => {
    const parsed = parseInstant(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toMatch(reason);
  });
});

describe('parseDuration', () => {
  it.each([
    ['24h', 86_400_000],
    ['90d', 90 * 86_400_000],
    ['2w', 14 * 86_400_000],
    ['30m', 1_800_000],
    ['P90D', 90 * 86_400_000],
    ['PT36H', 36 * 3_600_000],
  ])('%s', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });
  it.each(['', 'P', 'PT', '24', 'soon', '5y'])('rejects %j', (text) => {
    expect(parseDuration(text)).toBeNull();
  });
});

describe('formatSpan', () => {
  it.each([
    [0, 'less than a minute'],
    [59_000, 'less than a minute'],
    [60_000, '1 minute'],
    [119 * 60_000, '119 minutes'],
    [2 * 3_600_000, '2 hours'],
    [47 * 3_600_000 + 59 * 60_000, '47 hours'],
    [57.6 * 86_400_000, '57 days'],
  ])('%d ms reads as %s', (ms, text) => {
    expect(formatSpan(ms)).toBe(text);
  });
});

describe('parseInstant bounds (issue 15)', () => {
  it.each([
    ['0000-01-01T00:00:00Z', /before 1970-01-01/],
    ['0000-01-01T00:00:00.000Z', /before 1970-01-01/],
    ['0099-06-01T00:00:00+00:00', /before 1970-01-01/],
    ['1969-12-31T23:59:59Z', /before 1970-01-01/],
    ['9999-12-31T23:59:59-01:00', /after 9999-12-31/],
  ])('rejects %s as out of range', (text, reason) => {
    const parsed = parseInstant(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toMatch(reason);
  });

  it.each([
    ['1970-01-01T00:00:00Z', '1970-01-01T00:00:00Z'],
    ['9999-12-31T23:59:59Z', '9999-12-31T23:59:59Z'],
    ['2024-02-29 12:00:00+00:00', '2024-02-29T12:00:00Z'],
  ])('accepts the edge %s', (text, iso) => {
    const parsed = parseInstant(text);
    expect(parsed.ok && formatInstant(parsed.value)).toBe(iso);
  });

  it('rejects Feb 29 of a non-leap year written with an offset', () => {
    expect(parseInstant('2023-02-29 12:00:00+00:00').ok).toBe(false);
  });
});

describe('parseInstant reasons stay on one line (found by fuzzing, issue 15)', () => {
  it.each(['2026-12-01T09:00:00Z\n', 'x\ny', '2026-01-01T00:00:00\r\n', '0000-01-01T00:00:00Z\u2028'])('quotes %j with escapes', (text) => {
    const parsed = parseInstant(`${text}trailing`);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).not.toMatch(/[\n\r]/);
  });
});
