import { DAY_MS, HOUR_MS } from './time.js';

const UNIT_MS: Readonly<Record<string, number>> = {
  m: 60_000,
  h: HOUR_MS,
  d: DAY_MS,
  w: 7 * DAY_MS,
};

/**
 * Durations in rule params and config: `90d`, `24h`, `30m`, `2w`, or ISO-8601
 * `P90D` / `PT24H`. Returns milliseconds, or null when the text is not a duration.
 */
export function parseDuration(text: string): number | null {
  const short = /^(\d+(?:\.\d+)?)\s*([mhdw])$/i.exec(text.trim());
  if (short !== null) {
    const unit = UNIT_MS[(short[2] ?? '').toLowerCase()];
    return unit === undefined ? null : Number(short[1]) * unit;
  }
  const iso = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?)?$/i.exec(text.trim());
  if (iso !== null && text.trim().length > 1 && !/T$/i.test(text.trim())) {
    const [, w, d, h, m] = iso;
    return (
      Number(w ?? 0) * 7 * DAY_MS + Number(d ?? 0) * DAY_MS + Number(h ?? 0) * HOUR_MS + Number(m ?? 0) * 60_000
    );
  }
  return null;
}

/** `90 days`, `24 hours`, `36 hours` — for messages. */
export function formatDuration(ms: number): string {
  if (ms % DAY_MS === 0) {
    const days = ms / DAY_MS;
    return `${days} day${days === 1 ? '' : 's'}`;
  }
  if (ms % HOUR_MS === 0) {
    const hours = ms / HOUR_MS;
    return `${hours} hour${hours === 1 ? '' : 's'}`;
  }
  const minutes = Math.round(ms / 60_000);
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}

/**
 * A measured span, rounded down to a readable unit: `58 days`, `30 hours`,
 * `12 minutes`. Unlike formatDuration (exact, for configured values), log
 * spans rarely fall on whole days.
 */
export function formatSpan(ms: number): string {
  if (ms >= 2 * DAY_MS) return `${Math.floor(ms / DAY_MS)} days`;
  if (ms >= 2 * HOUR_MS) return `${Math.floor(ms / HOUR_MS)} hours`;
  const minutes = Math.floor(ms / 60_000);
  if (minutes === 0) return 'less than a minute';
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}
