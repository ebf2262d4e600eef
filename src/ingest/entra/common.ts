import { InputError, parseInstant, type Instant, type SourceRef } from '../../model/index.js';
import type { AdapterContext, InputSource } from '../adapter.js';
import { describeType } from '../canonical/fields.js';
import { jsonRecords } from '../json-records.js';
import { firstJsonRecord, jsonLayout } from '../json-layout.js';
import { INVALID, parseJson } from '../json-parse.js';
import { elementPointer } from '../pointers.js';

/*
 * Shared by the Entra adapters. The same record arrives in camelCase (Graph
 * JSON, diagnostic-settings `properties`) and PascalCase (Graph PowerShell,
 * Log Analytics columns), so fields are looked up without regard to case.
 * Messages name fields and types, never values: logs can hold anything.
 */

export const ENTRA = 'entra';

export type Obj = Readonly<Record<string, unknown>>;

export function isObj(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value of `name` in `obj`, matching the key case-insensitively (exact match first). */
export function field(obj: Obj, name: string): unknown {
  if (Object.hasOwn(obj, name)) return obj[name];
  const lower = name.toLowerCase();
  for (const key of Object.keys(obj)) {
    if (key.toLowerCase() === lower) return obj[key];
  }
  return undefined;
}

/** A non-blank string, trimmed (numbers as text); anything else is null. */
export function text(value: unknown): string | null {
  if (typeof value === 'string') {
    const trimmed = value.trim();
    return trimmed === '' ? null : trimmed;
  }
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}

/** The first of `names` that holds text. */
export function textOf(obj: Obj, ...names: string[]): string | null {
  for (const name of names) {
    const value = text(field(obj, name));
    if (value !== null) return value;
  }
  return null;
}

/** A list field; Log Analytics writes nested values as JSON strings, which are decoded. */
export function listOf(obj: Obj, name: string): readonly unknown[] {
  const value = decoded(field(obj, name));
  return Array.isArray(value) ? value : [];
}

/** A mapping field, decoding a JSON string the way Log Analytics stores dynamic columns. */
export function objOf(obj: Obj, name: string): Obj | undefined {
  const value = decoded(field(obj, name));
  return isObj(value) ? value : undefined;
}

function decoded(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const trimmed = value.trim();
  if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) return value;
  try {
    return JSON.parse(trimmed) as unknown;
  } catch {
    return value;
  }
}

export function bool(value: unknown): boolean | null {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    const lower = value.trim().toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
  }
  return null;
}

/** `/Date(1700000000000)/` as .NET's JSON serializer (and so ConvertTo-Json) writes dates; the offset suffix does not move the instant. */
const DOTNET_DATE = /^\\?\/Date\((-?\d+)(?:[+-]\d{4})?\)\\?\/$/;

export type TimeResult = { ok: true; value: Instant } | { ok: false; reason: string };

/** A zoned ISO-8601 time or a .NET `/Date(ms)/`. */
export function parseEntraTime(value: unknown): TimeResult {
  if (typeof value !== 'string') return { ok: false, reason: `expected a time string, got ${describeType(value)}` };
  const dotnet = DOTNET_DATE.exec(value.trim());
  if (dotnet !== null) return { ok: true, value: Number(dotnet[1]) };
  return parseInstant(value);
}

/** Wrappers Entra exports put around their records: Graph `value`, Azure Monitor `records`. */
const WRAPPER_KEYS = ['value', 'records'] as const;

/** The wrapper key the head shows, if the file is a wrapped list. */
export function wrapperOf(head: string): string | undefined {
  return WRAPPER_KEYS.find((key) => jsonLayout(head, key) === 'wrapped');
}

/** The first record of a log file (wrapped, array or NDJSON), for detection. */
export function firstLogRecord(head: string): Obj | undefined {
  const key = wrapperOf(head);
  const first = firstJsonRecord(head, key);
  if (first !== undefined) return isObj(first.value) ? first.value : undefined;
  // One pretty-printed object: what ConvertTo-Json writes when a cmdlet returned a single item.
  const single = head.trimStart().startsWith('{') ? parseJson(head) : INVALID;
  return isObj(single) ? single : undefined;
}

export interface LogRecord {
  readonly value: unknown;
  readonly source: SourceRef;
}

/** Streams a log's records with their evidence: `value[3]`/`records[3]`/`[3]` pointers where a line alone may not locate one. */
export async function* logRecords(input: InputSource, ctx: AdapterContext): AsyncGenerator<LogRecord> {
  const wrapperKey = wrapperOf(ctx.sniff.head);
  const layout = jsonLayout(ctx.sniff.head, wrapperKey);
  if (layout === undefined && ctx.sniff.head.trimStart().startsWith('{')) {
    yield await singleObject(input);
    return;
  }
  const options = wrapperKey === undefined ? {} : { wrapperKey };
  const pointerPrefix = `${wrapperKey ?? ''}[`;
  for await (const { value, line, index } of jsonRecords(input, ctx, options)) {
    const source: SourceRef =
      layout === 'ndjson'
        ? { file: input.display, line }
        : { file: input.display, line, pointer: elementPointer(pointerPrefix, index) };
    yield { value, source };
  }
}

/** A file holding one pretty-printed object; small by nature (one record), so read whole. */
async function singleObject(input: InputSource): Promise<LogRecord> {
  const whole = await input.text();
  const value = parseJson(whole);
  const line = whole.slice(0, Math.max(0, whole.search(/\S/))).split('\n').length;
  if (value === INVALID) throw new InputError('not valid JSON', input.display, line);
  return { value, source: { file: input.display, line } };
}

/** `value[3]: ` for messages, or nothing for a line-per-record file. */
export function where(source: SourceRef): string {
  return source.pointer === undefined ? '' : `${source.pointer}: `;
}

/** Tenant ids appear in Azure resource ids as `/tenants/<id>/…`. */
export function tenantOfResourceId(resourceId: string | null): string | null {
  if (resourceId === null) return null;
  return /^\/tenants\/([0-9a-f-]{36})\//i.exec(resourceId)?.[1] ?? null;
}

/** Log Analytics rows carry `TimeGenerated` and `Type` (the table); their `TenantId` is the workspace, not the directory. */
export function isLogAnalyticsRow(obj: Obj): boolean {
  return Object.hasOwn(obj, 'TimeGenerated');
}
