import type { SourceRef } from '../model/index.js';
import type { ActivityRef } from './views.js';

/*
 * Evidence kept by the usage fold as three numbers instead of objects. A
 * kept sighting as an ActivityRef is four heap objects (the ref, its
 * SourceRef, the boxed time and the pointer string), about 150 bytes; as
 * numbers in an array of doubles it is 24. Tens of thousands of identities
 * each keep dozens of first sightings, so this is much of the fold's memory.
 *
 * A sighting is (time, line, where): `where` packs a place — the file and the
 * pointer around its element index, e.g. `Records[` … `]` — with that index.
 * Places are few (files × pointer shapes) and live for the whole run, per thread.
 */

/** Element indexes packed into `where`; pointers with larger (or no) indexes are kept whole as their own place. */
const INDEX_LIMIT = 2 ** 21;
/** Digits of an index that packs: 2^21 has seven. */
const INDEX_DIGITS = 7;
const CLOSE_BRACKET = 0x5d;
const ZERO = 0x30;
const NINE = 0x39;

interface Place {
  readonly file: string;
  /** Null: the source has no pointer. */
  readonly prefix: string | null;
  /** Null: `prefix` is the whole pointer (no packed index). */
  readonly suffix: string | null;
}

const places: Place[] = [];
const placeIds = new Map<string, number>();
// The place of the previous call: consecutive sightings mostly come from one file.
let lastFile: string | undefined;
let lastPrefix: string | null = null;
let lastSuffix: string | null = null;
let lastPlace = -1;

function placeOf(file: string, prefix: string | null, suffix: string | null): number {
  if (file === lastFile && prefix === lastPrefix && suffix === lastSuffix) return lastPlace;
  const key = `${file}\u0000${prefix ?? '\u0001'}\u0000${suffix ?? '\u0001'}`;
  let id = placeIds.get(key);
  if (id === undefined) {
    id = places.length;
    places.push({ file, prefix, suffix });
    placeIds.set(key, id);
  }
  lastFile = file;
  lastPrefix = prefix;
  lastSuffix = suffix;
  lastPlace = id;
  return id;
}

/** Appends `ref` as three numbers to `into` at `offset` (an array of doubles). */
export function packInto(into: number[], offset: number, ref: ActivityRef): void {
  const { file, line, pointer } = ref.source;
  into[offset] = ref.time;
  into[offset + 1] = line;
  if (pointer === undefined) {
    into[offset + 2] = placeOf(file, null, null) * INDEX_LIMIT;
    return;
  }
  let end = pointer.length;
  const bracketed = pointer.charCodeAt(end - 1) === CLOSE_BRACKET;
  if (bracketed) end -= 1;
  let start = end;
  let index = 0;
  let scale = 1;
  while (start > 0 && end - start < INDEX_DIGITS) {
    const code = pointer.charCodeAt(start - 1);
    if (code < ZERO || code > NINE) break;
    index += (code - ZERO) * scale;
    scale *= 10;
    start -= 1;
  }
  const digits = end - start;
  const before = start > 0 ? pointer.charCodeAt(start - 1) : -1;
  // A leading zero would not survive the round trip; a digit before the run means the index is too long.
  const packs = digits > 0 && index < INDEX_LIMIT && !(digits > 1 && pointer.charCodeAt(start) === ZERO) && !(before >= ZERO && before <= NINE);
  if (packs) {
    into[offset + 2] = placeOf(file, pointer.slice(0, start), bracketed ? ']' : '') * INDEX_LIMIT + index;
  } else {
    into[offset + 2] = placeOf(file, pointer, null) * INDEX_LIMIT;
  }
}

/** The ActivityRef that `packInto` wrote at `offset`. */
export function unpack(from: readonly number[], offset: number): ActivityRef {
  const where = from[offset + 2] ?? 0;
  const place = places[Math.floor(where / INDEX_LIMIT)];
  if (place === undefined) throw new Error('evidence from another thread: unpack it where it was packed');
  const line = from[offset + 1] ?? 0;
  let source: SourceRef;
  if (place.prefix === null) source = { file: place.file, line };
  else if (place.suffix === null) source = { file: place.file, line, pointer: place.prefix };
  else source = { file: place.file, line, pointer: `${place.prefix}${where % INDEX_LIMIT}${place.suffix}` };
  return { time: from[offset] ?? 0, source };
}

/**
 * compareActivity (time, then file, then line) of a packed sighting against
 * a ref, without unpacking: negative when the ref is earlier.
 */
function compareToPacked(ref: ActivityRef, from: readonly number[], offset: number): number {
  const time = from[offset] ?? 0;
  if (ref.time !== time) return ref.time - time;
  const file = places[Math.floor((from[offset + 2] ?? 0) / INDEX_LIMIT)]?.file ?? '';
  if (ref.source.file !== file) return ref.source.file < file ? -1 : 1;
  return ref.source.line - (from[offset + 1] ?? 0);
}

/** Writes `seen` over the sighting packed at `offset` when it is earlier (compareActivity's order). */
export function packIfEarlier(into: number[], offset: number, seen: ActivityRef): void {
  // Most repeats are later than the first sighting: settle those on time alone.
  if (seen.time <= (into[offset] ?? 0) && compareToPacked(seen, into, offset) < 0) packInto(into, offset, seen);
}

/** Writes `seen` over the sighting packed at `offset` when it is later (compareActivity's order). */
export function packIfLater(into: number[], offset: number, seen: ActivityRef): void {
  if (seen.time >= (into[offset] ?? 0) && compareToPacked(seen, into, offset) > 0) packInto(into, offset, seen);
}

/**
 * A fresh array of `length` zeros held as doubles (unboxed), for packed
 * sightings and other numbers: a fresh array of small integers would switch
 * representation, or box them, once a time is written.
 */
export function doubleArray(length: number): number[] {
  const array = new Array<number>(length);
  // A non-integer first makes the elements doubles.
  array.fill(0.5);
  array.fill(0);
  return array;
}
