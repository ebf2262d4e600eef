import { ElementScanner, OPEN_BRACE, OPEN_BRACKET, type RawElement } from './json-element-scanner.js';
import { INVALID, parseJson } from './json-parse.js';

/*
 * How a JSON log export is laid out — NDJSON, a top-level array, or an
 * object wrapping the array (CloudTrail's `{"Records":[…]}`) — told from the
 * sniff head, and its first record, for detection.
 */

export type JsonLayout = 'ndjson' | 'array' | 'wrapped';

/**
 * Detect the layout from the sniff head: NDJSON (several top-level values, one
 * per line), a top-level array, or an object whose `wrapperKey` (e.g.
 * "Records") holds the array.
 */
export function jsonLayout(head: string, wrapperKey?: string): JsonLayout | undefined {
  const start = head.search(/\S/);
  if (start === -1) return undefined;
  const first = head.charCodeAt(start);
  if (first === OPEN_BRACKET) return 'array';
  if (first !== OPEN_BRACE) return undefined;
  if (wrapperKey !== undefined) {
    const probe = new ElementScanner('wrapped', wrapperKey, '', true);
    try {
      probe.feed(head);
    } catch {
      // Not a well-formed wrapper start; fall through to the NDJSON check.
    }
    if (probe.entered) return 'wrapped';
  }
  // A pretty-printed object starts with a lone `{`; an NDJSON line holds a whole value.
  const newline = head.indexOf('\n', start);
  const firstLine = (newline === -1 ? head.slice(start) : head.slice(start, newline)).trim();
  return firstLine === '{' ? undefined : 'ndjson';
}

/**
 * The layout and first record of a sniff head, for detection; undefined when
 * the head is not JSON records or its first record is cut off or invalid.
 */
export function firstJsonRecord(head: string, wrapperKey?: string): { layout: JsonLayout; value: unknown } | undefined {
  const layout = jsonLayout(head, wrapperKey);
  if (layout === undefined) return undefined;
  if (layout === 'ndjson') {
    for (const line of head.split('\n')) {
      if (line.trim() === '') continue;
      const value = parseJson(line);
      return value === INVALID ? undefined : { layout, value };
    }
    return undefined;
  }
  const scanner = new ElementScanner(layout, wrapperKey, '', false);
  let elements: RawElement[];
  try {
    elements = scanner.feed(head);
  } catch {
    return undefined;
  }
  const element = elements[0];
  if (element === undefined) return undefined;
  const value = parseJson(element.text);
  return value === INVALID ? undefined : { layout, value };
}

