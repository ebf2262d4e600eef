/*
 * The pointer of the i-th element of a file's record array (`Records[12]`,
 * `/12`). Every event carries one, and the usage fold keeps the events it
 * cites as evidence: building the string per event cost an allocation each,
 * and every kept event held its own copy. Elements of every file share one
 * copy per prefix and index instead, up to a bound on the index.
 */
const SHARED_UP_TO = 1 << 16;
const BY_PREFIX = new Map<string, string[]>();

/** `${prefix}${index}${suffix}` (suffix `]` for a bracketed prefix), one copy per prefix and index. */
export function elementPointer(prefix: string, index: number): string {
  const suffix = prefix.endsWith('[') ? ']' : '';
  if (index >= SHARED_UP_TO || !Number.isInteger(index) || index < 0) return `${prefix}${index}${suffix}`;
  let shared = BY_PREFIX.get(prefix);
  if (shared === undefined) {
    shared = [];
    BY_PREFIX.set(prefix, shared);
  }
  return (shared[index] ??= `${prefix}${index}${suffix}`);
}
