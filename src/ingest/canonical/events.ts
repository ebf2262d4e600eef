import type { NormalizedRecord } from '../../model/index.js';
import type { Adapter, AdapterContext, InputSource, Sniff } from '../adapter.js';
import { INVALID, parseJson } from '../json-parse.js';
import { describeType, isMapping } from './fields.js';
import { readEvent } from './records.js';

/*
 * canonical-events: NDJSON, one event per line. Read line by line, so memory
 * does not grow with the log.
 */

export const EVENT_KIND = 'nhi-audit/v1/event';
const EVENTS_NAME = /\.events\.ndjson$/;

export const canonicalEvents: Adapter = {
  id: 'canonical-events',
  provider: 'canonical',
  title: 'nhi-audit events (NDJSON)',
  detection: `NDJSON whose first non-empty line is an object with "kind": "${EVENT_KIND}", or a file named *.events.ndjson (optionally .gz)`,
  yields: ['event'],
  detect: detectEvents,
  read: readEvents,
};

function detectEvents(sniff: Sniff): boolean {
  if (EVENTS_NAME.test(sniff.name)) return true;
  const first = firstNonEmptyLine(sniff.head);
  if (first === undefined || !first.startsWith('{')) return false;
  const value = parseJson(first);
  return isMapping(value) && value['kind'] === EVENT_KIND;
}

function firstNonEmptyLine(head: string): string | undefined {
  for (const line of head.split('\n')) {
    const trimmed = line.trim();
    if (trimmed !== '') return trimmed;
  }
  return undefined;
}

async function* readEvents(input: InputSource, ctx: AdapterContext): AsyncGenerator<NormalizedRecord> {
  for await (const { text, line } of input.lines()) {
    if (text.trim() === '') continue;
    const value = parseJson(text);
    if (value === INVALID) {
      ctx.skip(line, 'not valid JSON');
      continue;
    }
    if (!isMapping(value)) {
      ctx.skip(line, `expected a JSON object, got ${describeType(value)}`);
      continue;
    }
    // `kind`, if present, only marks the format; it is not an event field.
    const event = readEvent({ values: value, where: '', style: 'structured', source: { file: input.display, line } }, ctx);
    if (event !== undefined) yield { kind: 'event', record: event };
  }
}

