import { parseInstant, type Instant } from '../../model/index.js';

/*
 * Field validation shared by the canonical adapters. YAML, JSON and NDJSON give
 * typed values; CSV gives only strings, with lists `;`-separated inside a cell.
 * A FieldReader reads one record, keeps the first problem it meets, and the
 * adapter skips the record when there is one. Only values of known fields are
 * ever quoted in a message, so unknown fields — including secret material
 * someone put next to the metadata — never leave the reader.
 */

/** `structured`: JSON/YAML values. `csv`: every value is a string, lists are `;`-separated. */
export type FieldStyle = 'structured' | 'csv';

const MAX_QUOTED_CHARS = 80;

/** A value quoted for a message: JSON-escaped (no control characters) and truncated. */
export function quote(value: string): string {
  const short = value.length > MAX_QUOTED_CHARS ? `${value.slice(0, MAX_QUOTED_CHARS)}…` : value;
  return JSON.stringify(short);
}

/** What a value is, in words, for "expected X, got Y" messages — never the value itself. */
export function describeType(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  switch (typeof value) {
    case 'string':
      return 'a string';
    case 'number':
    case 'bigint':
      return 'a number';
    case 'boolean':
      return 'a boolean';
    case 'object':
      return 'a mapping';
    default:
      return typeof value;
  }
}

export function isMapping(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const TRUE_WORDS = new Set(['true', 'yes']);
const FALSE_WORDS = new Set(['false', 'no']);

export class FieldReader {
  private firstProblem: string | undefined;

  /**
   * @param values the record's fields
   * @param where how messages name the record, e.g. `credentials[2]`; empty for one-record-per-line formats
   */
  constructor(
    private readonly values: Readonly<Record<string, unknown>>,
    private readonly where: string,
    private readonly style: FieldStyle,
  ) {}

  /** The first problem met, as `<where>.<field>: <what is wrong>`, or undefined. */
  get problem(): string | undefined {
    return this.firstProblem;
  }

  /** Records a problem that is not about one field's type (e.g. a missing alternative). */
  fail(field: string, message: string): void {
    this.firstProblem ??= `${this.label(field)}: ${message}`;
  }

  label(field: string): string {
    return this.where === '' ? field : `${this.where}.${field}`;
  }

  /** True when the field holds something (not absent, null or blank). */
  has(field: string): boolean {
    return this.raw(field) !== undefined;
  }

  /** The raw value with "absent", null and blank strings all folded to undefined. */
  raw(field: string): unknown {
    // Own properties only: `constructor` and friends are not fields.
    if (!Object.hasOwn(this.values, field)) return undefined;
    const value = this.values[field];
    if (value === null || value === undefined) return undefined;
    if (typeof value === 'string' && value.trim() === '') return undefined;
    return value;
  }

  requiredString(field: string): string {
    const value = this.string(field);
    if (value === null) {
      this.fail(field, 'is required');
      return '';
    }
    return value;
  }

  string(field: string): string | null {
    const value = this.raw(field);
    if (value === undefined) return null;
    const text = scalarText(value);
    if (text === undefined) {
      this.fail(field, `expected a string, got ${describeType(value)}`);
      return null;
    }
    return text;
  }

  enumOf<T extends string>(field: string, allowed: readonly T[], fallback: T): T {
    const value = this.string(field);
    if (value === null) return fallback;
    if ((allowed as readonly string[]).includes(value)) return value as T;
    this.fail(field, `unknown value ${quote(value)}; expected one of ${allowed.join(', ')}`);
    return fallback;
  }

  time(field: string): Instant | null {
    const value = this.raw(field);
    if (value === undefined) return null;
    if (typeof value !== 'string') {
      this.fail(field, `expected an ISO-8601 time string, got ${describeType(value)}`);
      return null;
    }
    const parsed = parseInstant(value);
    if (!parsed.ok) {
      this.fail(field, parsed.reason);
      return null;
    }
    return parsed.value;
  }

  requiredTime(field: string): Instant {
    if (!this.has(field)) {
      this.fail(field, 'is required');
      return 0;
    }
    return this.time(field) ?? 0;
  }

  /** A list of strings: a YAML/JSON list, or a `;`-separated CSV cell. Empty entries are dropped. */
  list(field: string): readonly string[] {
    const value = this.raw(field);
    if (value === undefined) return [];
    if (this.style === 'csv' && typeof value === 'string') return splitCell(value);
    if (!Array.isArray(value)) {
      this.fail(field, `expected a list of strings, got ${describeType(value)}`);
      return [];
    }
    return this.items(field, value);
  }

  /** A single string or a list of strings (policy-style `action` / `actions`). */
  stringOrList(field: string): readonly string[] | undefined {
    const value = this.raw(field);
    if (value === undefined) return undefined;
    if (Array.isArray(value)) return this.items(field, value);
    if (this.style === 'csv' && typeof value === 'string') return splitCell(value);
    const text = scalarText(value);
    if (text === undefined) {
      this.fail(field, `expected a string or a list of strings, got ${describeType(value)}`);
      return undefined;
    }
    return [text.trim()];
  }

  bool(field: string, fallback: boolean): boolean {
    const value = this.raw(field);
    if (value === undefined) return fallback;
    if (typeof value === 'boolean') return value;
    if (typeof value === 'string') {
      const word = value.trim().toLowerCase();
      if (TRUE_WORDS.has(word)) return true;
      if (FALSE_WORDS.has(word)) return false;
      this.fail(field, `expected true or false, got ${quote(value)}`);
      return fallback;
    }
    this.fail(field, `expected true or false, got ${describeType(value)}`);
    return fallback;
  }

  private items(field: string, value: readonly unknown[]): readonly string[] {
    const out: string[] = [];
    for (const [index, item] of value.entries()) {
      const text = item === null ? undefined : scalarText(item);
      if (text === undefined) {
        this.fail(`${field}[${index}]`, `expected a string, got ${describeType(item)}`);
        return [];
      }
      const trimmed = text.trim();
      if (trimmed !== '') out.push(trimmed);
    }
    return out;
  }
}

/**
 * Text of a scalar meant as a string. Numbers are accepted because YAML and
 * JSON turn unquoted ids (AWS account ids, numeric app ids) into numbers;
 * booleans and structures are not strings.
 */
function scalarText(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'bigint') return value.toString();
  return undefined;
}

function splitCell(cell: string): string[] {
  return cell
    .split(';')
    .map((part) => part.trim())
    .filter((part) => part !== '');
}
