import { Readable, pipeline } from 'node:stream';
import { CsvError, parse as parseCsv } from 'csv-parse';
import type { NormalizedRecord, SourceRef } from '../../model/index.js';
import { csvHeader, csvProblem, csvStartLine, csvText } from '../csv-rows.js';
import type { Adapter, AdapterContext, InputSource, Sniff } from '../adapter.js';
import { isMapping } from '../canonical/fields.js';
import { jsonRecords } from '../json-records.js';
import { firstJsonRecord, jsonLayout } from '../json-layout.js';
import { mapAuditEntry, type TokenIds } from './audit-entry.js';
import { text } from './fields.js';
import { elementPointer } from '../pointers.js';

/*
 * github-audit-log: the organisation audit log (REST API JSON array, the
 * NDJSON of streaming/exports, the CSV export) and the user security log
 * export. Streamed entry by entry; see audit-entry.ts for what each action
 * becomes.
 */

export const githubAuditLog: Adapter = {
  id: 'github-audit-log',
  provider: 'github',
  title: 'GitHub organisation audit log / user security log (JSON array, NDJSON or CSV export)',
  detection:
    'JSON array or NDJSON whose first record has a dotted lower-case "action" (`repo.create`), "created_at" or "@timestamp", ' +
    'and one of actor, actor_id, user, org, business; or a CSV whose header has action, actor and created_at or @timestamp',
  yields: ['event', 'credential', 'principal', 'identity', 'grant'],
  detect: detectAuditLog,
  read: readAuditLog,
};

const ACTION = /^[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+$/;
const PARTY_FIELDS = ['actor', 'actor_id', 'user', 'org', 'business', '_document_id'] as const;
/** Header fields of other formats: an entry that has one is not GitHub's. */
const FOREIGN_FIELDS = ['kind', 'apiVersion', 'eventType', 'eventName', 'eventSource', 'protoPayload'] as const;

export function isAuditEntry(value: unknown): boolean {
  return (
    isMapping(value) &&
    typeof value['action'] === 'string' &&
    ACTION.test(value['action']) &&
    (Object.hasOwn(value, 'created_at') || Object.hasOwn(value, '@timestamp')) &&
    PARTY_FIELDS.some((field) => Object.hasOwn(value, field)) &&
    !FOREIGN_FIELDS.some((field) => Object.hasOwn(value, field))
  );
}

function detectAuditLog(sniff: Sniff): boolean {
  const columns = csvHeader(sniff.head);
  if (columns !== undefined) return isAuditHeader(columns);
  return isAuditEntry(firstJsonRecord(sniff.head)?.value);
}

function isAuditHeader(columns: readonly string[]): boolean {
  const set = new Set(columns);
  return set.has('action') && (set.has('actor') || set.has('actor_id')) && (set.has('created_at') || set.has('@timestamp'));
}


/** One entry with where it sits. */
interface Located {
  readonly value: unknown;
  readonly source: SourceRef;
}

type EntryReader = (skip: AdapterContext['skip']) => AsyncGenerator<Located>;

async function* readAuditLog(input: InputSource, ctx: AdapterContext): AsyncGenerator<NormalizedRecord> {
  const entries: EntryReader = csvHeader(ctx.sniff.head) === undefined ? jsonEntries(input, ctx) : csvEntries(input);
  const tokenIds = await learnTokenIds(ctx.sniff, entries);
  // Apps are announced once per file, at their first consent, not once per entry.
  const announced = new Set<string>();
  for await (const { value, source } of entries(ctx.skip)) {
    const mapped = mapAuditEntry(value, source, tokenIds);
    if (typeof mapped === 'string') {
      ctx.skip(source.line, source.pointer === undefined ? mapped : `${source.pointer}: ${mapped}`);
      continue;
    }
    for (const record of mapped) {
      if (record.kind === 'identity') {
        const key = `${record.record.id}\u0000${record.record.status}`;
        if (announced.has(key)) continue;
        announced.add(key);
      }
      yield record;
    }
  }
}

/**
 * A first pass that pairs hashed tokens with token ids, where an entry carries
 * both: creation and revocation entries often name a token by hash only,
 * while its use names both. Memory grows with tokens, not entries; a file
 * whose whole text was sniffed without both fields needs no pass.
 */
async function learnTokenIds(sniff: Sniff, entries: EntryReader): Promise<TokenIds> {
  const pairs = new Map<string, string>();
  if (sniff.complete && !(sniff.head.includes('hashed_token') && sniff.head.includes('token_id'))) return pairs;
  for await (const { value } of entries(() => undefined)) {
    if (!isMapping(value)) continue;
    const hashed = text(value['hashed_token']);
    const tokenId = text(value['token_id']);
    if (hashed !== null && tokenId !== null && !pairs.has(hashed)) pairs.set(hashed, tokenId);
  }
  return pairs;
}

function jsonEntries(input: InputSource, ctx: AdapterContext): EntryReader {
  // In an array (often one line from the API) the line alone may not locate an entry.
  const array = jsonLayout(ctx.sniff.head) === 'array';
  return async function* (skip) {
    for await (const { value, line, index } of jsonRecords(input, { skip })) {
      yield { value, source: array ? { file: input.display, line, pointer: elementPointer('/', index) } : { file: input.display, line } };
    }
  };
}

const MAX_RECORD_CHARS = 8 * 1024 * 1024;

interface ParsedRow {
  readonly record: Record<string, string>;
  readonly info: { readonly lines: number };
  readonly raw: string;
}

/** Rows of the CSV export as field → cell mappings, each with the line it starts on. */
function csvEntries(input: InputSource): EntryReader {
  return async function* (skip) {
    // csv-parse reports bad rows from inside its transform: queue them and
    // report from here in line order, so a strict run throws in our code.
    const pending: { line: number; message: string }[] = [];
    const flush = (before: number): void => {
      while (pending.length > 0 && (pending[0]?.line ?? 0) < before) {
        const next = pending.shift();
        if (next !== undefined) skip(next.line, next.message);
      }
    };
    const parser = parseCsv({
      columns: (names: string[]) => names.map((name) => (name.trim() === '' ? false : name.trim())),
      info: true,
      raw: true,
      max_record_size: MAX_RECORD_CHARS,
      skip_empty_lines: true,
      skip_records_with_error: true,
      on_skip: (error: CsvError | undefined) => {
        const line = typeof error?.['lines'] === 'number' ? error['lines'] : 0;
        pending.push({ line, message: csvProblem(error) });
        return undefined;
      },
    });
    pipeline(Readable.from(csvText(input)), parser, () => undefined);
    for await (const row of parser as AsyncIterable<ParsedRow>) {
      const line = csvStartLine(row.info.lines, row.raw);
      flush(line);
      yield { value: row.record, source: { file: input.display, line } };
    }
    flush(Number.POSITIVE_INFINITY);
  };
}


