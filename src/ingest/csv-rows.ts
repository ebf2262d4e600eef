import type { CsvError } from 'csv-parse';
import { parse as parseCsvSync } from 'csv-parse/sync';
import type { InputSource } from './adapter.js';

/*
 * What every CSV adapter needs around csv-parse: the decoded text to feed it
 * (BOM, UTF-16 and CRLF handled by the shared reader), the line a record
 * starts on, and error wording that never quotes a cell.
 */

/** The first line's cells (trimmed) when the head is a CSV header, undefined when it is JSON or not CSV. */
export function csvHeader(head: string): string[] | undefined {
  const end = head.indexOf('\n');
  const first = (end === -1 ? head : head.slice(0, end)).replace(/\r$/, '').trim();
  if (first === '' || first.startsWith('{') || first.startsWith('[')) return undefined;
  try {
    const rows: unknown = parseCsvSync(first, { to_line: 1 });
    const row = Array.isArray(rows) ? (rows[0] as unknown) : undefined;
    if (!Array.isArray(row) || !row.every((cell) => typeof cell === 'string')) return undefined;
    return (row as string[]).map((cell) => cell.trim());
  } catch {
    return undefined;
  }
}

/** The file's decoded lines, newline-terminated, for csv-parse. */
export async function* csvText(input: InputSource): AsyncGenerator<string> {
  for await (const { text } of input.lines()) yield `${text}\n`;
}

/**
 * The line a record starts on. csv-parse reports the line where it ends; the
 * raw text tells how many lines it spans (quoted newlines), after dropping
 * the blank lines that skip_empty_lines folded into it.
 */
export function csvStartLine(endLine: number, raw: string): number {
  const body = raw.replace(/^(?:\r?\n)+/, '').replace(/\r?\n$/, '');
  let newlines = 0;
  for (let i = body.indexOf('\n'); i !== -1; i = body.indexOf('\n', i + 1)) newlines += 1;
  return endLine - newlines;
}

/** Our own wording for csv-parse's errors: its messages quote cell values, and a cell may hold a secret. */
export function csvProblem(error: CsvError | undefined): string {
  switch (error?.code) {
    case 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH':
    case 'CSV_RECORD_INCONSISTENT_COLUMNS':
      return 'row has a different number of cells than the header';
    case 'CSV_INVALID_CLOSING_QUOTE':
      return 'malformed CSV: characters after a closing quote';
    case 'INVALID_OPENING_QUOTE':
      return 'malformed CSV: a quote inside an unquoted cell';
    case 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE':
      return 'malformed CSV: characters after a closing quote';
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'malformed CSV: a quote is not closed before the end of the file';
    case 'CSV_MAX_RECORD_SIZE':
      return 'malformed CSV: record too large';
    default:
      return error === undefined ? 'malformed CSV row' : `malformed CSV row (${error.code})`;
  }
}
