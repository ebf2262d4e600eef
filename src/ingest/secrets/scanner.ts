import { createHash } from 'node:crypto';
import type { SecretSighting } from '../../model/index.js';
import { MAX_FIELD_LOOKBACK, MAX_SECRET_CHARS, SECRET_DETECTORS, type SecretCandidate, type SecretDetector } from './detectors.js';

/*
 * Streaming secret scan over decoded text. Text arrives in chunks of any size;
 * the scanner keeps a window with some text before (for field names and
 * look-behinds) and after (so a secret split across chunks is seen whole)
 * the part it examines, and counts lines as the window moves. Each anchor
 * position is examined exactly once, in the window where it falls in the
 * examined part.
 */

/** New text gathered before a window is examined: large enough that the kept margins are a small overhead. */
const WINDOW_CHARS = 128 * 1024;
const LOOKAHEAD_CHARS = MAX_SECRET_CHARS + 1024;
const LOOKBEHIND_CHARS = MAX_FIELD_LOOKBACK + 56;

/** The one prefilter: every detector's anchor, so text without any costs a single regex pass. */
const ANCHORS = new RegExp(SECRET_DETECTORS.map((detector) => `(?:${detector.anchor})`).join('|'), 'gi');
/** Each detector's own anchor, to tell which detectors a hit concerns without running them all. */
const DETECTOR_ANCHORS: readonly (readonly [SecretDetector, RegExp])[] = SECRET_DETECTORS.map((detector) => [
  detector,
  new RegExp(`(?:${detector.anchor})`, 'iy'),
]);

/** First 12 hex digits of SHA-256: tells sightings apart without revealing the value. */
export function secretHash(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex').slice(0, 12);
}

/** The kind marker and, for long secrets, the last four characters; never more. */
export function maskSecret(candidate: Pick<SecretCandidate, 'marker' | 'showLast' | 'value'>): string {
  return candidate.showLast ? `${candidate.marker}…${candidate.value.slice(-4)}` : `${candidate.marker}…`;
}

function sighting(detector: SecretDetector, candidate: SecretCandidate, file: string, line: number): SecretSighting {
  return {
    detector: detector.id,
    masked: maskSecret(candidate),
    hash: secretHash(candidate.value),
    field: candidate.field,
    source: { file, line },
  };
}

/** Counts line feeds in text[from, to). */
function countLines(text: string, from: number, to: number): number {
  let count = 0;
  let at = text.indexOf('\n', from);
  while (at !== -1 && at < to) {
    count += 1;
    at = text.indexOf('\n', at + 1);
  }
  return count;
}

export class SecretScanner {
  private buffer = '';
  /** Anchors before this index of `buffer` were examined in an earlier window. */
  private examineFrom = 0;
  /** Line number of buffer[0]. */
  private firstLine = 1;

  constructor(
    private readonly file: string,
    private readonly emit: (sighting: SecretSighting) => void,
  ) {}

  /** Chunks not yet joined onto `buffer`: joined once per window rather than concatenated per chunk. */
  private pending: string[] = [];
  private pendingChars = 0;

  push(text: string): void {
    this.pending.push(text);
    this.pendingChars += text.length;
    if (this.buffer.length + this.pendingChars - this.examineFrom >= WINDOW_CHARS + LOOKAHEAD_CHARS) this.examine(false);
  }

  end(): void {
    this.examine(true);
    this.buffer = '';
    this.examineFrom = 0;
  }

  private examine(final: boolean): void {
    const text = this.buffer + this.pending.join('');
    this.pending = [];
    this.pendingChars = 0;
    const until = final ? text.length : text.length - LOOKAHEAD_CHARS;
    this.findIn(text, this.examineFrom, until);
    if (final) return;
    const keepFrom = until - LOOKBEHIND_CHARS;
    this.firstLine += countLines(text, 0, keepFrom);
    this.buffer = text.slice(keepFrom);
    this.examineFrom = LOOKBEHIND_CHARS;
  }

  /** Runs the detectors wherever an anchor starts in text[from, until). */
  private findIn(text: string, from: number, until: number): void {
    let countedTo = 0;
    let line = this.firstLine;
    ANCHORS.lastIndex = from;
    for (let hit = ANCHORS.exec(text); hit !== null && hit.index < until; hit = ANCHORS.exec(text)) {
      // Step one character only: another detector's anchor may start inside this hit.
      ANCHORS.lastIndex = hit.index + 1;
      for (const [detector, anchor] of DETECTOR_ANCHORS) {
        anchor.lastIndex = hit.index;
        if (!anchor.test(text)) continue;
        const candidate = detector.find(text, hit.index);
        if (candidate === undefined) continue;
        // Candidates come in text order, give or take a key before its value: count forwards, or back.
        if (candidate.start >= countedTo) line += countLines(text, countedTo, candidate.start);
        else line -= countLines(text, candidate.start, countedTo);
        countedTo = candidate.start;
        this.emit(sighting(detector, candidate, this.file, line));
      }
    }
  }
}

/** Every sighting in one complete text (tests, small documents). */
export function findSecrets(text: string, file: string): SecretSighting[] {
  const found: SecretSighting[] = [];
  const scanner = new SecretScanner(file, (s) => found.push(s));
  scanner.push(text);
  scanner.end();
  return found;
}
