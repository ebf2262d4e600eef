import { pipeline, Readable } from 'node:stream';
import { parse as parseCsv, type CsvError } from 'csv-parse';
import {
  EVENT_CATEGORIES,
  SUMMARY_SCOPES,
  SUMMARY_SET_NAMES,
  parseInstant,
  type Credential,
  type EventCategory,
  type NormalizedRecord,
  type SourceRef,
  type SummaryRef,
  type SummaryScope,
  type SummarySet,
  type SummarySetName,
  type UsageSummary,
} from '../../model/index.js';
import type { Adapter, AdapterContext, InputSource, Sniff } from '../adapter.js';
import { csvHeader, csvProblem, csvStartLine, csvText } from '../csv-rows.js';
import { INVALID, parseJson } from '../json-parse.js';
import { isMapping } from './fields.js';

/*
 * usage-summary: the result of the query `nhi-audit sql` prints, as Athena,
 * Trino or DuckDB write it (CSV with a header, or NDJSON, one row per line).
 * Each row is one key of the usage fold already folded (an identity, a
 * credential), a span of the log, or an access key the log saw created.
 * Evidence points at the summary row and names the log object and event id
 * the value came from.
 *
 * Column order and names are shared with the SQL generator
 * (src/engine/cloudtrail-sql.ts), which imports them from here.
 */

/** The first column: marks the format, its value the row layout's version. */
export const SUMMARY_MARKER = 'nhi_usage_summary';
export const SUMMARY_VERSION = 'v1';

/** A row about an access key the log saw created: read as that key's credential record. */
export const CREATED_KEY_SCOPE = 'created-key';

/** Fold set name → column (`userAgents` → `user_agents`); `<column>_total` holds its distinct count. */
export function setColumn(name: SummarySetName): string {
  return name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

/** Reference columns: each a JSON array `[eventTime, logObject, eventId]`. */
export const REF_COLUMNS = ['first_use', 'last_use', 'last_failure', 'last_refresh', 'last_interactive_login'] as const;
export const COUNT_COLUMNS = ['events', 'own_actions', 'failures', 'refreshes', 'interactive_logins'] as const;

/** Every column, in the order the query writes them. */
export const SUMMARY_COLUMNS: readonly string[] = [
  SUMMARY_MARKER,
  'scope',
  'key',
  ...COUNT_COLUMNS,
  ...REF_COLUMNS,
  'chain_depth',
  'chain',
  'chain_at',
  ...SUMMARY_SET_NAMES.flatMap((name) => [setColumn(name), `${setColumn(name)}_total`]),
  'terminations',
  'key_identity',
  'created_by',
  'key_tenant',
];

export const usageSummary: Adapter = {
  id: 'usage-summary',
  provider: 'nhi-audit',
  title: 'Usage summary (the result of `nhi-audit sql`)',
  detection:
    `CSV whose header starts with ${SUMMARY_MARKER},scope,key (Athena's or DuckDB's query result), or NDJSON whose ` +
    `first line is an object with "${SUMMARY_MARKER}"; optionally .gz`,
  yields: ['usage-summary', 'credential'],
  detect: detectSummary,
  read: readSummary,
};

function detectSummary(sniff: Sniff): boolean {
  const header = csvHeader(sniff.head);
  if (header !== undefined) return header[0] === SUMMARY_MARKER && header[1] === 'scope' && header[2] === 'key';
  const first = sniff.head.split('\n').find((line) => line.trim() !== '')?.trim();
  if (first === undefined || !first.startsWith('{')) return false;
  const value = parseJson(first);
  return isMapping(value) && typeof value[SUMMARY_MARKER] === 'string';
}

type Row = Readonly<Record<string, unknown>>;

async function* readSummary(input: InputSource, ctx: AdapterContext): AsyncGenerator<NormalizedRecord> {
  if (csvHeader(ctx.sniff.head) !== undefined) {
    yield* readCsvRows(input, ctx);
    return;
  }
  for await (const { text, line } of input.lines()) {
    if (text.trim() === '') continue;
    const value = parseJson(text);
    if (value === INVALID || !isMapping(value)) {
      ctx.skip(line, value === INVALID ? 'not valid JSON' : 'expected a JSON object');
      continue;
    }
    const record = toRecord(value, { file: input.display, line }, ctx);
    if (record !== undefined) yield record;
  }
}

/** Longest CSV record accepted: a summary row holds 64-value sets with evidence, far below this. */
const MAX_RECORD_CHARS = 8 * 1024 * 1024;

async function* readCsvRows(input: InputSource, ctx: AdapterContext): AsyncGenerator<NormalizedRecord> {
  // Bad rows are queued from inside csv-parse and reported from here, in line order (see canonical/csv.ts).
  const pending: { line: number; message: string }[] = [];
  const parser = parseCsv({
    columns: (names: string[]) => names.map((name) => name.trim()),
    info: true,
    raw: true,
    max_record_size: MAX_RECORD_CHARS,
    skip_empty_lines: true,
    skip_records_with_error: true,
    on_skip: (error: CsvError | undefined) => {
      pending.push({ line: typeof error?.['lines'] === 'number' ? error['lines'] : 0, message: csvProblem(error) });
      return undefined;
    },
  });
  pipeline(Readable.from(csvText(input)), parser, () => undefined);
  const flush = (before: number): void => {
    while (pending.length > 0 && (pending[0]?.line ?? 0) < before) {
      const skip = pending.shift();
      if (skip !== undefined) ctx.skip(skip.line, skip.message);
    }
  };
  for await (const row of parser as AsyncIterable<{ record: Row; info: { lines: number }; raw: string }>) {
    const line = csvStartLine(row.info.lines, row.raw);
    flush(line);
    const record = toRecord(row.record, { file: input.display, line }, ctx);
    if (record !== undefined) yield record;
  }
  flush(Number.POSITIVE_INFINITY);
}

/** One row → a usage summary or a created key's credential; problems are skipped with the row's line. */
function toRecord(row: Row, rowSource: SourceRef, ctx: AdapterContext): NormalizedRecord | undefined {
  try {
    return rowRecord(row, rowSource);
  } catch (error) {
    if (error instanceof RowProblem) {
      ctx.skip(rowSource.line, error.message);
      return undefined;
    }
    throw error;
  }
}

class RowProblem extends Error {}

function rowRecord(row: Row, rowSource: SourceRef): NormalizedRecord {
  const version = row[SUMMARY_MARKER];
  if (version !== SUMMARY_VERSION) throw new RowProblem(`${SUMMARY_MARKER}: expected "${SUMMARY_VERSION}" (a summary written by this version's \`nhi-audit sql\`)`);
  const scope = cell(row, 'scope');
  const key = cell(row, 'key') ?? '';
  const ref = (column: string): SummaryRef | null => refOf(json(row, column), rowSource, column);
  if (scope === CREATED_KEY_SCOPE) return createdKey(row, key, ref('first_use'), rowSource);
  if (scope === null || !(SUMMARY_SCOPES as readonly string[]).includes(scope)) {
    throw new RowProblem(`scope: expected one of ${[...SUMMARY_SCOPES, CREATED_KEY_SCOPE].join(', ')}`);
  }
  if (key === '' && scope !== 'log') throw new RowProblem('key is required');
  const counts = COUNT_COLUMNS.map((column) => count(row, column));
  const refs = REF_COLUMNS.map((column) => ref(column));
  const sets: Partial<Record<SummarySetName, SummarySet>> = {};
  for (const name of SUMMARY_SET_NAMES) {
    const set = setOf(row, setColumn(name), rowSource);
    if (set !== undefined) sets[name] = set;
  }
  const depth = count(row, 'chain_depth');
  const chainAt = ref('chain_at');
  const hops = json(row, 'chain');
  const summary: UsageSummary = {
    scope: scope as SummaryScope,
    key,
    events: counts[0] ?? 0,
    ownActions: counts[1] ?? 0,
    failures: counts[2] ?? 0,
    refreshes: counts[3] ?? 0,
    interactiveLogins: counts[4] ?? 0,
    firstUse: refs[0] ?? null,
    lastUse: refs[1] ?? null,
    lastFailure: refs[2] ?? null,
    lastRefresh: refs[3] ?? null,
    lastInteractiveLogin: refs[4] ?? null,
    deepestChain:
      depth > 0 && chainAt !== null
        ? { ...chainAt, depth, chain: Array.isArray(hops) ? hops.filter((hop): hop is string => typeof hop === 'string') : [] }
        : null,
    sets,
    terminations: terminationsOf(json(row, 'terminations'), rowSource),
    source: rowSource,
  };
  return { kind: 'usage-summary', record: summary };
}

/** The access key a successful CreateAccessKey made, as the CloudTrail adapter records it. */
function createdKey(row: Row, key: string, at: SummaryRef | null, rowSource: SourceRef): NormalizedRecord {
  const identity = cell(row, 'key_identity');
  if (key === '' || identity === null || at === null) throw new RowProblem('a created-key row needs key, key_identity and first_use');
  const credential: Credential = {
    id: key,
    identity,
    type: 'access-key',
    issuedAt: at.time,
    expiresAt: null,
    lastRotatedAt: at.time,
    lastUsedAt: null,
    scopes: [],
    tenant: cell(row, 'key_tenant'),
    clientId: null,
    onBehalfOf: null,
    approval: null,
    revokedAt: null,
    createdBy: cell(row, 'created_by') ?? identity,
    active: true,
    source: at.source,
  };
  return { kind: 'credential', record: credential };
}

/** A cell as text: CSV cells are strings, NDJSON values may be numbers; empty is absent. */
function cell(row: Row, column: string): string | null {
  const value = row[column];
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string') return null;
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
}

function count(row: Row, column: string): number {
  const text = cell(row, column);
  if (text === null) return 0;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 0) throw new RowProblem(`${column}: expected a count`);
  return value;
}

/** A JSON cell: a string holding JSON (CSV, or NDJSON of a VARCHAR column) or the value itself (NDJSON of a JSON column). */
function json(row: Row, column: string): unknown {
  const value = row[column];
  if (value === null || value === undefined) return null;
  if (typeof value !== 'string') return value;
  if (value.trim() === '') return null;
  const parsed = parseJson(value);
  if (parsed === INVALID) throw new RowProblem(`${column}: not valid JSON`);
  return parsed;
}

/** `[eventTime, logObject, eventId]` → a reference to the summary row that names the original event. */
function refOf(value: unknown, rowSource: SourceRef, column: string): SummaryRef | null {
  if (value === null) return null;
  if (!Array.isArray(value) || typeof value[0] !== 'string') throw new RowProblem(`${column}: expected [eventTime, logObject, eventId]`);
  return refFrom(value as unknown[], 0, rowSource, column);
}

function refFrom(items: readonly unknown[], at: number, rowSource: SourceRef, column: string): SummaryRef {
  const time = parseInstant(typeof items[at] === 'string' ? (items[at] as string) : '');
  if (!time.ok) throw new RowProblem(`${column}: ${time.reason}`);
  const object = typeof items[at + 1] === 'string' ? (items[at + 1] as string) : null;
  const eventId = typeof items[at + 2] === 'string' ? (items[at + 2] as string) : null;
  const names = [object, eventId === null ? null : `eventID ${eventId}`].filter((part): part is string => part !== null);
  return { time: time.value, source: names.length === 0 ? rowSource : { ...rowSource, pointer: names.join(', ') } };
}

/** `[[value, eventTime, logObject, eventId], …]` plus `<column>_total`. */
function setOf(row: Row, column: string, rowSource: SourceRef): SummarySet | undefined {
  const items = json(row, column);
  if (items === null) return undefined;
  if (!Array.isArray(items)) throw new RowProblem(`${column}: expected a JSON array`);
  const values = items.map((item: unknown) => {
    if (!Array.isArray(item) || typeof item[0] !== 'string') throw new RowProblem(`${column}: expected [value, eventTime, logObject, eventId] items`);
    return { value: item[0], firstSeen: refFrom(item as unknown[], 1, rowSource, column) };
  });
  return { values, total: Math.max(count(row, `${column}_total`), values.length) };
}

/** `[[category, eventTime, logObject, eventId], …]`. */
function terminationsOf(value: unknown, rowSource: SourceRef): UsageSummary['terminations'] {
  if (value === null) return [];
  if (!Array.isArray(value)) throw new RowProblem('terminations: expected a JSON array');
  return value.map((item: unknown) => {
    const category = Array.isArray(item) ? (item[0] as unknown) : undefined;
    if (!Array.isArray(item) || typeof category !== 'string' || !(EVENT_CATEGORIES as readonly string[]).includes(category)) {
      throw new RowProblem('terminations: expected [category, eventTime, logObject, eventId] items');
    }
    return { ...refFrom(item as unknown[], 1, rowSource, 'terminations'), category: category as EventCategory };
  });
}
