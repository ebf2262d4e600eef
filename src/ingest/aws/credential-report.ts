import { CsvError } from 'csv-parse';
import { parse as parseCsvSync } from 'csv-parse/sync';
import {
  InputError,
  parseInstant,
  type Credential,
  type Instant,
  type NormalizedRecord,
  type SourceRef,
} from '../../model/index.js';
import type { Adapter, AdapterContext, InputSource, Sniff } from '../adapter.js';
import { isMapping } from '../canonical/fields.js';
import { accountOf } from './policy.js';

/*
 * aws-credential-report: the IAM credential report, as the CSV itself or as the
 * `aws iam get-credential-report` JSON wrapper (Content base64-encoded, or
 * already decoded to CSV text by some tools).
 *
 * The report has no access key ids, so an access key credential's id is
 * `<user arn>#access-key-1` / `#access-key-2`; a password is `<user arn>#password`.
 * The `<root_account>` row becomes a 'user' identity with the root ARN as id and
 * `<root_account>` as alias: it is the account root, not a non-human identity.
 * It is a small configuration export (one row per IAM user), read whole.
 */

export const REPORT_HEADER_START = 'user,arn,user_creation_time';
const JSON_REPORT_FORMAT = /"ReportFormat"\s*:\s*"text\/csv"/;
const JSON_CONTENT = /"Content"\s*:/;
/** Cell values that mean "no time". */
const NO_TIME = new Set(['N/A', 'no_information', 'not_supported', '']);

export const awsCredentialReport: Adapter = {
  id: 'aws-credential-report',
  provider: 'aws',
  title: 'AWS IAM credential report (CSV or get-credential-report JSON)',
  detection: `a CSV whose header starts "${REPORT_HEADER_START}", or a JSON object with Content and "ReportFormat": "text/csv"`,
  yields: ['identity', 'credential'],
  detect: detectCredentialReport,
  read: readCredentialReport,
};

function detectCredentialReport(sniff: Sniff): boolean {
  const head = sniff.head.trimStart();
  if (head.startsWith(REPORT_HEADER_START)) return true;
  return head.startsWith('{') && JSON_CONTENT.test(head) && JSON_REPORT_FORMAT.test(head);
}

/** The CSV text of a JSON wrapper's Content: plain CSV, or base64 that decodes to it. */
function contentCsv(content: string): string | undefined {
  if (content.trimStart().startsWith(REPORT_HEADER_START)) return content;
  const decoded = Buffer.from(content, 'base64').toString('utf8');
  return decoded.trimStart().startsWith(REPORT_HEADER_START) ? decoded : undefined;
}

async function* readCredentialReport(input: InputSource, ctx: AdapterContext): AsyncGenerator<NormalizedRecord> {
  const text = await input.text();
  const file = input.display;
  if (text.trimStart().startsWith('{')) {
    let wrapper: unknown;
    try {
      wrapper = JSON.parse(text);
    } catch {
      throw new InputError('JSON syntax error in credential report wrapper', file, 1);
    }
    const content = isMapping(wrapper) ? wrapper['Content'] : undefined;
    const csv = typeof content === 'string' ? contentCsv(content) : undefined;
    if (csv === undefined) {
      throw new InputError(`Content is not a credential report (expected CSV starting "${REPORT_HEADER_START}", or base64 of it)`, file, 1);
    }
    // Rows inside Content have no line of their own in the file: point at Content and name the row.
    const contentLine = lineOfContent(text);
    yield* readRows(csv, (row) => ({ file, line: contentLine, pointer: `Content line ${row}` }), ctx, file);
    return;
  }
  yield* readRows(text, (row) => ({ file, line: row }), ctx, file);
}

/** 1-based line of the `"Content"` key in the wrapper. */
function lineOfContent(text: string): number {
  const index = text.search(JSON_CONTENT);
  if (index === -1) return 1;
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < index; i = text.indexOf('\n', i + 1)) line += 1;
  return line;
}

interface Row {
  readonly record: string[];
  readonly info: { readonly lines: number };
}

function* readRows(
  csv: string,
  sourceOf: (row: number) => SourceRef,
  ctx: AdapterContext,
  file: string,
): Generator<NormalizedRecord> {
  let rows: Row[];
  try {
    // relax_column_count: a short or long row is skipped below with its line, not fatal.
    rows = parseCsvSync(csv, { info: true, relax_column_count: true, skip_empty_lines: true }) as unknown as Row[];
  } catch (error) {
    const line = error instanceof CsvError && typeof error['lines'] === 'number' ? error['lines'] : 0;
    // csv-parse messages may quote cell contents; only the code is passed on.
    const code = error instanceof CsvError ? error.code : 'unknown';
    throw new InputError(`malformed CSV (${code})`, file, line);
  }
  const [header, ...body] = rows;
  if (header === undefined) return;
  const columns = header.record.map((name) => name.trim());
  for (const { record, info } of body) {
    // Report cells never hold newlines, so the line csv-parse ends on is the row's line.
    const source = sourceOf(info.lines);
    if (record.length !== columns.length) {
      ctx.skip(source.line, `${where(source)}row has ${record.length} cells, the header has ${columns.length}`);
      continue;
    }
    const cells = new Map(columns.map((name, i) => [name, (record[i] ?? '').trim()]));
    yield* readRow(cells, source, ctx);
  }
}

function where(source: SourceRef): string {
  return source.pointer === undefined ? '' : `${source.pointer}: `;
}

function* readRow(cells: ReadonlyMap<string, string>, source: SourceRef, ctx: AdapterContext): Generator<NormalizedRecord> {
  const user = cells.get('user') ?? '';
  const arn = cells.get('arn') ?? '';
  if (arn === '') {
    ctx.skip(source.line, `${where(source)}arn is empty`);
    return;
  }
  // Every time field is checked before anything is yielded, so a bad row yields nothing.
  const times = new Map<string, Instant | null>();
  for (const [name, value] of cells) {
    if (!isTimeColumn(name)) continue;
    if (NO_TIME.has(value)) {
      times.set(name, null);
      continue;
    }
    const parsed = parseInstant(value);
    if (!parsed.ok) {
      ctx.skip(source.line, `${where(source)}${name}: ${parsed.reason}`);
      return;
    }
    times.set(name, parsed.value);
  }
  const time = (name: string): Instant | null => times.get(name) ?? null;
  const tenant = accountOf(arn);
  const credentials: Credential[] = [];
  const base = {
    identity: arn,
    expiresAt: null,
    scopes: [],
    tenant,
    clientId: null,
    onBehalfOf: null,
    approval: null,
    revokedAt: null,
    createdBy: null,
    source,
  } as const;
  if (cells.get('password_enabled') === 'true') {
    const changed = time('password_last_changed');
    credentials.push({
      ...base,
      id: `${arn}#password`,
      type: 'password',
      issuedAt: changed,
      lastRotatedAt: changed,
      lastUsedAt: time('password_last_used'),
      // When the password policy forces a change; null when it does not.
      expiresAt: time('password_next_rotation'),
      active: true,
    });
  }
  for (const n of [1, 2] as const) {
    const active = cells.get(`access_key_${n}_active`) === 'true';
    const rotated = time(`access_key_${n}_last_rotated`);
    if (!active && rotated === null) continue;
    credentials.push({
      ...base,
      id: `${arn}#access-key-${n}`,
      type: 'access-key',
      issuedAt: rotated,
      lastRotatedAt: rotated,
      lastUsedAt: time(`access_key_${n}_last_used_date`),
      active,
    });
  }
  // From the cells, not the credentials: the root row reports password use with password_enabled not_supported.
  const uses = ['password_last_used', 'access_key_1_last_used_date', 'access_key_2_last_used_date']
    .map(time)
    .filter((t): t is Instant => t !== null);
  yield {
    kind: 'identity',
    record: {
      id: arn,
      aliases: user === '' ? [] : [user],
      type: 'user',
      provider: 'aws',
      tenant,
      environment: null,
      owner: null,
      consumers: [],
      createdAt: time('user_creation_time'),
      status: 'active',
      disabledAt: null,
      // Provider-reported: the latest password or access key use in the report.
      lastUsedAt: uses.length === 0 ? null : Math.max(...uses),
      source,
    },
  };
  for (const credential of credentials) yield { kind: 'credential', record: credential };
}

/** Columns holding times (`*_time`, `*_last_used*`, `*_last_rotated`, `*_last_changed`, `*_next_rotation`). */
function isTimeColumn(name: string): boolean {
  return /(_time|_last_used|_last_used_date|_last_rotated|_last_changed|_next_rotation)$/.test(name);
}
