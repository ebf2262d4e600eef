import { basename } from 'node:path';
import type { InputSource, Sniff } from './adapter.js';
import { decodeText } from './source.js';

/** How much decoded text detection sees: enough for any header, small enough to read every file. */
export const SNIFF_CHARS = 64 * 1024;

/** Reads the start of a file for detection, stopping (and closing the file) after SNIFF_CHARS. */
export async function readSniff(input: InputSource): Promise<Sniff> {
  const parts: string[] = [];
  let length = 0;
  let complete = true;
  for await (const chunk of decodeText(input.bytes())) {
    parts.push(chunk);
    length += chunk.length;
    if (length > SNIFF_CHARS) {
      complete = false;
      // Leaving the loop returns the iterator, which destroys the file stream.
      break;
    }
  }
  const head = parts.join('').slice(0, SNIFF_CHARS);
  return { display: input.display, name: sniffName(input.path), head, complete };
}

/** Lower-cased base name without a `.gz` suffix: what name-based tie-breakers compare against. */
export function sniffName(path: string): string {
  const name = basename(path).toLowerCase();
  return name.endsWith('.gz') ? name.slice(0, -'.gz'.length) : name;
}
