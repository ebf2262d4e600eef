import { LineCounter, isMap, isScalar, isSeq, parseDocument } from 'yaml';
import { InputError } from '../model/index.js';

/*
 * Whole-document JSON (or YAML) read with the line each object and list starts
 * on, for configuration dumps that are small by nature (IAM authorization
 * details, Entra directory objects) and whose records need exact lines even
 * when pretty-printed. Logs never come through here: they stream.
 */

/** Deeper than any provider document: dropped rather than recursing without bound. */
const MAX_DEPTH = 64;

export interface LocatedDocument {
  /** The document as plain values; objects have no prototype, so keys like `__proto__` are data. */
  readonly root: unknown;
  /** The line an object or list of `root` starts on, or `fallback` for scalars and unknown values. */
  lineOf(value: unknown, fallback: number): number;
}

/** Parses `text`; a syntax error is an InputError at its line. */
export function parseLocated(text: string, display: string): LocatedDocument {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false });
  const lineAt = (offset: number): number => lineCounter.linePos(offset).line;
  const error = doc.errors[0];
  if (error !== undefined) {
    const offset = Math.max(0, Math.min(error.pos[0], text.length - 1));
    throw new InputError(`JSON syntax error: ${error.message}`, display, lineAt(offset));
  }
  const lines = new WeakMap<object, number>();
  const plain = (node: unknown, depth: number): unknown => {
    if (depth > MAX_DEPTH) return null;
    if (isScalar(node)) return node.value;
    if (!isMap(node) && !isSeq(node)) return null;
    let out: object;
    if (isMap(node)) {
      const map = Object.create(null) as Record<string, unknown>;
      for (const pair of node.items) {
        const key = plain(pair.key, depth + 1);
        if (typeof key === 'string') map[key] = plain(pair.value, depth + 1);
      }
      out = map;
    } else {
      out = node.items.map((item) => plain(item, depth + 1));
    }
    const start = node.range?.[0];
    if (start !== undefined) lines.set(out, lineAt(start));
    return out;
  };
  return {
    root: plain(doc.contents, 0),
    lineOf: (value, fallback) => (typeof value === 'object' && value !== null ? (lines.get(value) ?? fallback) : fallback),
  };
}
