import { Readable, pipeline } from 'node:stream';
import { CsvError, parse as parseCsv } from 'csv-parse';
import { InputError, type NormalizedRecord } from '../../model/index.js';
import { csvHeader, csvProblem, csvStartLine, csvText } from '../csv-rows.js';
import type { Adapter, AdapterContext, InputSource, Sniff } from '../adapter.js';
import { sniffName } from '../sniff.js';
import { LIST_FIELDS, LIST_NAMES, readListRecord, type ListName } from './records.js';

/*
 * canonical-csv: one canonical list per CSV file, header row with the list's
 * field names. Which list is decided from the columns; the file name only
 * breaks a tie. Parsed as a stream, each record keeping the line it starts on.
 */

export const canonicalCsv: Adapter = {
  id: 'canonical-csv',
  provider: 'canonical',
  title: 'nhi-audit lists (CSV, one list per file)',
  detection:
    'CSV whose header has an `id` column and the field names of one list: `delegate` → approvals, ' +
    '`identity` → credentials, `kind` → principals, `type` → identities, only id/name/environment → tenants; ' +
    'otherwise a file named tenants.csv, principals.csv, identities.csv, credentials.csv or approvals.csv ' +
    '(also with a prefix such as prod-identities.csv).',
  yields: ['tenant', 'principal', 'identity', 'grant', 'credential', 'approval'],
  detect: detectCsv,
  read: readCsv,
};

const MAX_RECORD_CHARS = 8 * 1024 * 1024;
const TENANT_FIELDS = new Set(LIST_FIELDS.tenants);
const LIST_FILE_NAME = new RegExp(`(?:^|[._-])(${LIST_NAMES.join('|')})\\.csv$`);

/**
 * Which canonical list a CSV with these columns holds, or undefined when it
 * is not one. Columns decide; the file name only when they cannot.
 */
export function csvList(columns: readonly string[], fileName: string): ListName | undefined {
  const set = new Set(columns);
  if (!set.has('id')) return undefined;
  let list: ListName | undefined;
  if (set.has('delegate')) list = 'approvals';
  else if (set.has('identity')) list = 'credentials';
  else if (set.has('kind')) list = 'principals';
  else if (set.has('type')) list = 'identities';
  else if ((set.has('name') || set.has('environment')) && columns.every((c) => TENANT_FIELDS.has(c))) list = 'tenants';
  else list = LIST_FILE_NAME.exec(fileName)?.[1] as ListName | undefined;
  return list;
}

function detectCsv(sniff: Sniff): boolean {
  const columns = csvHeader(sniff.head);
  return columns !== undefined && csvList(columns, sniff.name) !== undefined;
}


interface ParsedRow {
  readonly record: Record<string, string>;
  readonly info: { readonly lines: number };
  readonly raw: string;
}

interface PendingSkip {
  readonly line: number;
  readonly message: string;
}

async function* readCsv(input: InputSource, ctx: AdapterContext): AsyncGenerator<NormalizedRecord> {
  let list: ListName | undefined;
  let header: string[] | undefined;
  // csv-parse reports bad rows from inside its transform; they are queued and
  // passed to ctx.skip from here, in line order with the records, so a strict
  // run's exception is thrown in our code and not inside the stream.
  const pending: PendingSkip[] = [];
  const flush = (before: number): void => {
    while (pending.length > 0 && (pending[0]?.line ?? 0) < before) {
      const skip = pending.shift();
      if (skip !== undefined) ctx.skip(skip.line, skip.message);
    }
  };

  const parser = parseCsv({
    columns: (names: string[]) => {
      header = names.map((name) => name.trim());
      list = csvList(header, sniffName(input.path));
      // An empty header cell names no field: its column is dropped.
      return header.map((name) => (name === '' ? false : name));
    },
    info: true,
    raw: true,
    // An unclosed quote must not swallow a whole large file into one cell.
    max_record_size: MAX_RECORD_CHARS,
    skip_empty_lines: true,
    skip_records_with_error: true,
    on_skip: (error: CsvError | undefined) => {
      const line = typeof error?.['lines'] === 'number' ? error['lines'] : 0;
      pending.push({ line, message: csvProblem(error) });
      return undefined;
    },
  });
  // Lines (not bytes) are fed so the text is already decoded (BOM, UTF-16) by the shared reader.
  const text = Readable.from(csvText(input));
  // Errors of either stage end up on the parser, which the loop below reads.
  pipeline(text, parser, () => undefined);

  for await (const row of parser as AsyncIterable<ParsedRow>) {
    if (list === undefined) throw unknownList(input, header);
    const line = csvStartLine(row.info.lines, row.raw);
    flush(line);
    yield* readListRecord(
      list,
      { values: row.record, where: '', style: 'csv', source: { file: input.display, line } },
      ctx,
    );
  }
  if (header !== undefined && list === undefined) throw unknownList(input, header);
  flush(Number.POSITIVE_INFINITY);
}


function unknownList(input: InputSource, header: readonly string[] | undefined): InputError {
  return new InputError(
    `cannot tell which list this CSV holds from its header (${(header ?? []).join(', ')}); ` +
      'see `nhi-audit formats` for the columns of each list',
    input.display,
    1,
  );
}

