import { InputError } from '../model/index.js';
import type { AdapterContext, InputSource } from './adapter.js';
import { decodeText, splitLines } from './source.js';
import { ElementScanner } from './json-element-scanner.js';
import { jsonLayout } from './json-layout.js';
import { INVALID, parseJson } from './json-parse.js';

/*
 * Streaming JSON record splitter for log exports that come as NDJSON, a
 * top-level array, or an object wrapping the array (CloudTrail's
 * `{"Records":[…]}`). Arrays are split by a small scanner that only tracks
 * string/escape state and nesting depth, so only the current element is held
 * in memory — a 1-line, multi-gigabyte Records file never becomes one string.
 * Messages never quote input text: a record may hold a secret.
 */

export interface JsonRecord {
  readonly value: unknown;
  /** 1-based line where the element starts. */
  readonly line: number;
  /** 0-based element index across the file. */
  readonly index: number;
}

/** How much text is read before deciding the layout; the same budget detection gets. */
const HEAD_CHARS = 64 * 1024;
/**
 * A one-line array or wrapper file up to this size (CloudTrail delivers files
 * of a few MB) is parsed with one JSON.parse, which is several times faster
 * than splitting it element by element; larger files are always split, so
 * what one file holds in memory stays bounded by this.
 */
export const WHOLE_PARSE_MAX_CHARS = 8 * 1024 * 1024;
/**
 * Stream records without materialising the file: NDJSON by lines; arrays and
 * wrappers by top-level element, then JSON.parse each element.
 */
export async function* jsonRecords(
  input: InputSource,
  ctx: Pick<AdapterContext, 'skip'>,
  options: { wrapperKey?: string } = {},
): AsyncGenerator<JsonRecord> {
  const chunks = decodeText(input.bytes());
  try {
    const headParts: string[] = [];
    let headLength = 0;
    let ended = false;
    while (headLength < HEAD_CHARS) {
      const next = await chunks.next();
      if (next.done === true) {
        ended = true;
        break;
      }
      headParts.push(next.value);
      headLength += next.value.length;
    }
    const head = headParts.join('');
    if (head.trim() === '') return;
    const layout = jsonLayout(head, options.wrapperKey);
    if (layout === undefined) {
      const wrapper = options.wrapperKey === undefined ? '' : ` or an object with "${options.wrapperKey}"`;
      throw new InputError(`not JSON records: expected NDJSON, a JSON array${wrapper}`, input.display, 1);
    }
    // The head was consumed to decide the layout; replay it before the rest.
    async function* all(): AsyncGenerator<string> {
      yield head;
      if (ended) return;
      for (;;) {
        const next = await chunks.next();
        if (next.done === true) return;
        yield next.value;
      }
    }

    if (layout === 'ndjson') {
      let index = 0;
      for await (const { text, line } of splitLines(all(), input.display, input.maxRecordChars)) {
        if (text.trim() === '') continue;
        const value = parseJson(text);
        const at = index;
        index += 1;
        if (value === INVALID) {
          ctx.skip(line, 'not valid JSON');
          continue;
        }
        yield { value, line, index: at };
      }
      return;
    }

    // Small enough to hold: read on until the end or the cap, and parse it in one go if it is one line.
    const parts = headParts;
    let length = headLength;
    while (!ended && length <= WHOLE_PARSE_MAX_CHARS) {
      const next = await chunks.next();
      if (next.done === true) {
        ended = true;
        break;
      }
      parts.push(next.value);
      length += next.value.length;
    }
    if (ended) {
      const whole = wholeElements(parts.length === 1 ? (parts[0] ?? '') : parts.join(''), layout, options.wrapperKey);
      if (whole !== undefined) {
        // Let go of the text and of each record once handed on, so neither outlives its use.
        parts.length = 0;
        for (let index = 0; index < whole.length; index += 1) {
          const value = whole[index];
          whole[index] = undefined;
          yield { value, line: 1, index };
        }
        return;
      }
    }
    async function* rest(): AsyncGenerator<string> {
      // Hand the buffered text over piece by piece, letting go of each.
      while (parts.length > 0) yield parts.shift() ?? '';
      if (ended) return;
      for (;;) {
        const next = await chunks.next();
        if (next.done === true) return;
        yield next.value;
      }
    }

    const scanner = new ElementScanner(layout, options.wrapperKey, input.display, false, input.maxRecordChars);
    const prefix = layout === 'wrapped' ? (options.wrapperKey ?? '') : '';
    for await (const chunk of rest()) {
      for (const element of scanner.feed(chunk)) {
        const value = parseJson(element.text);
        if (value === INVALID) {
          ctx.skip(element.line, `${prefix}[${element.index}]: not valid JSON`);
          continue;
        }
        yield { value, line: element.line, index: element.index };
      }
    }
    scanner.end();
  } finally {
    // Stops the file stream when the consumer leaves early.
    await chunks.return(undefined);
  }
}

/**
 * The elements of a whole one-line file parsed at once, or undefined when the
 * fast path does not apply: more than one line (elements need their own line
 * numbers), invalid JSON (the element scanner reports each bad element), or
 * not a single array / wrapper object.
 */
function wholeElements(text: string, layout: 'array' | 'wrapped', wrapperKey: string | undefined): unknown[] | undefined {
  const newline = text.indexOf('\n');
  if (newline !== -1 && text.slice(newline).trim() !== '') return undefined;
  const value = parseJson(text);
  if (value === INVALID) return undefined;
  if (layout === 'array') return Array.isArray(value) ? value : undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value) || wrapperKey === undefined) return undefined;
  const records = (value as Record<string, unknown>)[wrapperKey];
  return Array.isArray(records) ? records : [];
}

