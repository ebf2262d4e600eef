import { LineCounter, isMap, isScalar, isSeq, parseDocument } from 'yaml';
import { InputError } from '../model/index.js';
import { forEachBracket, refuseDeepNesting } from './nesting.js';

/*
 * Whole-document JSON (or YAML) read with the line each object and list starts
 * on, for configuration dumps that are small by nature (IAM authorization
 * details, Entra directory objects) and whose records need exact lines even
 * when pretty-printed. Logs never come through here: they stream.
 */

/** Deeper than any provider document: dropped rather than recursing without bound. */
const MAX_DEPTH = 64;

export interface LocatedDocument {
  /** The document as plain values (keys like `__proto__` are own data properties, never prototypes). */
  readonly root: unknown;
  /** The line an object or list of `root` starts on, or `fallback` for scalars and unknown values. */
  lineOf(value: unknown, fallback: number): number;
}

/**
 * Parses `text`; a syntax error is an InputError at its line. JSON goes
 * through JSON.parse, with lines found by one pass over the text; only what
 * that cannot place exactly (YAML, duplicate keys, integer-like keys, which
 * JSON.parse reorders) goes through the slower YAML syntax tree.
 */
export function parseLocated(text: string, display: string): LocatedDocument {
  refuseDeepNesting(text, display);
  return fastLocated(text) ?? treeLocated(text, display);
}

/** Lines of `{` and `[` outside strings, in text order; undefined when the text cannot be plain JSON. */
function containerLines(text: string): number[] {
  const lines: number[] = [];
  forEachBracket(text, (code, line) => {
    if (code === 0x7b || code === 0x5b) lines.push(line);
  });
  return lines;
}

const INTEGER_KEY = /^(?:0|[1-9]\d*)$/;

function fastLocated(text: string): LocatedDocument | undefined {
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch {
    return undefined;
  }
  const starts = containerLines(text);
  const lines = new WeakMap<object, number>();
  let next = 0;
  let exact = true;
  // Pre-order over the parsed value meets containers in the order their brackets appear in the text.
  const visit = (value: unknown, depth: number): void => {
    if (!exact || typeof value !== 'object' || value === null) return;
    if (depth > MAX_DEPTH) {
      exact = false;
      return;
    }
    const line = starts[next];
    if (line === undefined) {
      exact = false;
      return;
    }
    next += 1;
    lines.set(value, line);
    if (Array.isArray(value)) {
      for (const item of value) visit(item, depth + 1);
      return;
    }
    for (const key of Object.keys(value)) {
      if (INTEGER_KEY.test(key)) {
        exact = false;
        return;
      }
      visit((value as Record<string, unknown>)[key], depth + 1);
    }
  };
  visit(root, 0);
  // A duplicate key drops a container JSON.parse saw in the text: the counts tell.
  if (!exact || next !== starts.length) return undefined;
  return {
    root,
    lineOf: (value, fallback) => (typeof value === 'object' && value !== null ? (lines.get(value) ?? fallback) : fallback),
  };
}

function treeLocated(text: string, display: string): LocatedDocument {
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
