import { DISTINCT_CAP, TERMINATION_CAP } from '../correlate/accumulator.js';
import { PRODUCT_CLOSERS, PRODUCT_OPENERS, USER_AGENT_NOISE } from '../correlate/workload.js';
import {
  IAM_LIFECYCLE_EVENTS,
  IAM_SERVICE_OF_SOURCE,
  INTERACTIVE_LOGIN_EVENT,
  LOGIN_FAILURE,
  ROLE_CHAINING,
  SESSION_KEY_PREFIX,
} from '../ingest/aws/cloudtrail.js';
import { COUNT_COLUMNS, CREATED_KEY_SCOPE, SUMMARY_COLUMNS, SUMMARY_MARKER, SUMMARY_VERSION, setColumn } from '../ingest/canonical/usage-summary.js';
import { OWN_ACTION_CATEGORIES, SUMMARY_SET_NAMES, TERMINATION_CATEGORIES, UsageError, type Instant, type SummarySetName } from '../model/index.js';

/*
 * The usage fold as one SQL query over CloudTrail where it lies (Athena's
 * cloudtrail_logs table, Trino's Hive connector, DuckDB over the delivered
 * files). It derives what the CloudTrail adapter derives — identity from
 * userIdentity by type, the long-term access key, `service:EventName`
 * actions, lifecycle categories, outcome — from the adapter's own tables,
 * and folds per key what UsageAccumulator folds, with the same caps. Its
 * result is the usage-summary input format (src/ingest/canonical/usage-summary.ts).
 *
 * What the SQL cannot know is a record's line in its file: evidence is the
 * log object (S3 key / file name) and the record's eventID instead, and ties
 * on the same instant are broken by object and event id, not by line.
 */

export const SQL_DIALECTS = ['athena', 'trino', 'duckdb'] as const;
export type SqlDialect = (typeof SQL_DIALECTS)[number];

export interface SqlRequest {
  readonly dialect: SqlDialect;
  /** The CloudTrail table (Athena's documented layout); default cloudtrail_logs. */
  readonly table?: string;
  /** DuckDB only: read the delivered files themselves (`{"Records":[…]}`, .json or .json.gz). */
  readonly input?: string;
  /** Events at or after this instant. */
  readonly from?: Instant;
  /** Events before this instant. */
  readonly to?: Instant;
}

export const DEFAULT_TABLE = 'cloudtrail_logs';

/** What differs between the engines; everything else is written once. */
interface Dialect {
  readonly parseTime: (text: string) => string;
  readonly timeLiteral: (iso: string) => string;
  readonly epochMillis: (ts: string) => string;
  readonly matches: (text: string, pattern: string) => string;
  /** Replace every match; `$1`… in the replacement name groups. */
  readonly replaceAll: (text: string, pattern: string, replacement: string) => string;
  readonly array: (items: readonly string[]) => string;
  readonly firstN: (list: string, n: number) => string;
  readonly toJson: (value: string) => string;
  readonly jsonField: (json: string, path: string) => string;
}

const TRINO: Dialect = {
  parseTime: (text) => `try(from_iso8601_timestamp(${text}))`,
  timeLiteral: (iso) => `from_iso8601_timestamp(${quote(iso)})`,
  epochMillis: (ts) => `CAST(to_unixtime(${ts}) * 1000 AS BIGINT)`,
  matches: (text, pattern) => `regexp_like(${text}, ${quote(pattern)})`,
  replaceAll: (text, pattern, replacement) => `regexp_replace(${text}, ${quote(pattern)}, ${quote(replacement)})`,
  array: (items) => `ARRAY[${items.join(', ')}]`,
  firstN: (list, n) => `slice(${list}, 1, ${n})`,
  toJson: (value) => `json_format(CAST(${value} AS JSON))`,
  jsonField: (json, path) => `json_extract_scalar(${json}, ${quote(path)})`,
};

const DUCKDB: Dialect = {
  parseTime: (text) => `TRY_CAST(${text} AS TIMESTAMPTZ)`,
  timeLiteral: (iso) => `CAST(${quote(iso)} AS TIMESTAMPTZ)`,
  epochMillis: (ts) => `epoch_ms(${ts})`,
  matches: (text, pattern) => `regexp_matches(${text}, ${quote(pattern)})`,
  replaceAll: (text, pattern, replacement) => `regexp_replace(${text}, ${quote(pattern)}, ${quote(replacement.replace(/\$(\d)/g, '\\$1'))}, 'g')`,
  array: (items) => `list_value(${items.join(', ')})`,
  firstN: (list, n) => `list_slice(${list}, 1, ${n})`,
  toJson: (value) => `CAST(to_json(${value}) AS VARCHAR)`,
  jsonField: (json, path) => `json_extract_string(${json}, ${quote(path)})`,
};

/** A SQL string literal. */
function quote(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*){0,2}$/;

/** The query, as text. Throws a UsageError for options that do not fit together. */
export function cloudTrailUsageSql(request: SqlRequest): string {
  const table = request.table ?? DEFAULT_TABLE;
  if (!IDENTIFIER.test(table)) throw new UsageError(`--table: "${table}" is not a table name ([catalog.][schema.]table, letters, digits, _)`);
  if (request.input !== undefined && request.dialect !== 'duckdb') throw new UsageError('--input reads files with DuckDB: use it with --dialect duckdb');
  const d = request.dialect === 'duckdb' ? DUCKDB : TRINO;
  const source = request.input !== undefined ? duckdbFiles(request.input) : tableSource(table, request.dialect, d);
  const window = [
    request.from === undefined ? null : `ts >= ${d.timeLiteral(new Date(request.from).toISOString())}`,
    request.to === undefined ? null : `ts < ${d.timeLiteral(new Date(request.to).toISOString())}`,
  ].filter((part): part is string => part !== null);

  return [
    `-- nhi-audit usage summary (${SUMMARY_MARKER} ${SUMMARY_VERSION}) over CloudTrail, ${request.dialect} dialect.`,
    `-- Write the result as CSV with a header (or NDJSON) and scan it with the IAM dumps: nhi-audit scan summary.csv ...`,
    'WITH',
    `raw AS (\n${source}\n),`,
    `clean AS (\n${cleanColumns(d)}\n),`,
    `located AS (\n${locatedColumns(d)}\n),`,
    `actor AS (\n${actorColumns()}\n),`,
    `actor_hops AS (\n${actorHops()}\n),`,
    `lifecycle AS (\n${lifecycleColumns()}\n),`,
    `ev_base AS (\n${eventColumns(d, window)}\n),`,
    `keyed AS (\n${keyedEvents()}\n),`,
    `key_stats AS (\n${keyStats(d)}\n),`,
    `set_items AS (\n${setItems(d)}\n),`,
    `set_firsts AS (\n  SELECT scope, fold_key, set_name, val, min_by(item, sk) AS item FROM set_items GROUP BY scope, fold_key, set_name, val\n),`,
    `sets AS (\n  SELECT scope, fold_key, set_name, count(*) AS total, ${d.firstN('array_agg(item ORDER BY val)', DISTINCT_CAP)} AS kept\n  FROM set_firsts GROUP BY scope, fold_key, set_name\n),`,
    `summary AS (\n${summaryRows(d)}\n)`,
    `SELECT ${SUMMARY_COLUMNS.map(column).join(', ')}\nFROM summary\nORDER BY scope, ${column('key')}`,
  ].join('\n');
}

/** Column names that are SQL keywords somewhere are quoted. */
function column(name: string): string {
  return name === 'key' ? '"key"' : name;
}

/** The raw columns every dialect's source yields: CloudTrail fields the adapter reads, as text. */
const RAW_COLUMNS = [
  'event_time',
  'event_source',
  'event_name',
  'ui_type',
  'ui_arn',
  'ui_principal_id',
  'ui_account_id',
  'ui_invoked_by',
  'ui_access_key_id',
  'ui_user_name',
  'issuer_arn',
  'req_user_name',
  'req_access_key_id',
  'req_status',
  'req_role_name',
  'req_role_arn',
  'resp_access_key_id',
  'resp_console_login',
  'recipient_account_id',
  'source_ip',
  'user_agent',
  'error_code',
  'event_id',
  'object_key',
] as const;

/** requestParameters / responseElements fields, as JSON paths, for the raw columns named after them. */
const REQUEST_FIELDS = {
  req_user_name: '$.userName',
  req_access_key_id: '$.accessKeyId',
  req_status: '$.status',
  req_role_name: '$.roleName',
  req_role_arn: '$.roleArn',
} as const;
const RESPONSE_FIELDS = {
  resp_access_key_id: '$.accessKey.accessKeyId',
  resp_console_login: `$.${INTERACTIVE_LOGIN_EVENT}`,
} as const;

/** Athena / Trino / DuckDB over a table in Athena's documented cloudtrail_logs layout. */
function tableSource(table: string, dialect: SqlDialect, d: Dialect): string {
  // The object the row came from: Hive's "$path" in Athena and Trino; read_json's filename in DuckDB.
  const objectKey = dialect === 'duckdb' ? 'filename' : '"$path"';
  const fields: Record<(typeof RAW_COLUMNS)[number], string> = {
    event_time: 'eventtime',
    event_source: 'eventsource',
    event_name: 'eventname',
    ui_type: 'useridentity.type',
    ui_arn: 'useridentity.arn',
    ui_principal_id: 'useridentity.principalid',
    ui_account_id: 'useridentity.accountid',
    ui_invoked_by: 'useridentity.invokedby',
    ui_access_key_id: 'useridentity.accesskeyid',
    ui_user_name: 'useridentity.username',
    issuer_arn: 'useridentity.sessioncontext.sessionissuer.arn',
    ...mapValues(REQUEST_FIELDS, (path) => d.jsonField('requestparameters', path)),
    ...mapValues(RESPONSE_FIELDS, (path) => d.jsonField('responseelements', path)),
    recipient_account_id: 'recipientaccountid',
    source_ip: 'sourceipaddress',
    user_agent: 'useragent',
    error_code: 'errorcode',
    event_id: 'eventid',
    object_key: objectKey,
  };
  return `  SELECT ${RAW_COLUMNS.map((name) => `${fields[name]} AS ${name}`).join(',\n    ')}\n  FROM ${table}`;
}

/** DuckDB over the files CloudTrail delivers: each file one JSON object whose Records array is unnested. */
function duckdbFiles(glob: string): string {
  const path = (jsonPath: string): string => `r ->> ${quote(jsonPath)}`;
  const fields: Record<(typeof RAW_COLUMNS)[number], string> = {
    event_time: path('$.eventTime'),
    event_source: path('$.eventSource'),
    event_name: path('$.eventName'),
    ui_type: path('$.userIdentity.type'),
    ui_arn: path('$.userIdentity.arn'),
    ui_principal_id: path('$.userIdentity.principalId'),
    ui_account_id: path('$.userIdentity.accountId'),
    ui_invoked_by: path('$.userIdentity.invokedBy'),
    ui_access_key_id: path('$.userIdentity.accessKeyId'),
    ui_user_name: path('$.userIdentity.userName'),
    issuer_arn: path('$.userIdentity.sessionContext.sessionIssuer.arn'),
    ...mapValues(REQUEST_FIELDS, (jsonPath) => path(`$.requestParameters${jsonPath.slice(1)}`)),
    ...mapValues(RESPONSE_FIELDS, (jsonPath) => path(`$.responseElements${jsonPath.slice(1)}`)),
    recipient_account_id: path('$.recipientAccountId'),
    source_ip: path('$.sourceIPAddress'),
    user_agent: path('$.userAgent'),
    error_code: path('$.errorCode'),
    event_id: path('$.eventID'),
    object_key: 'filename',
  };
  return `  SELECT ${RAW_COLUMNS.map((name) => `${fields[name]} AS ${name}`).join(',\n    ')}\n  FROM ${unnestedRecords(glob)}`;
}

/** The records of the delivered files, one row each (`r` JSON, `filename`). */
function unnestedRecords(glob: string): string {
  // Records as JSON: the records' shapes vary too much for schema inference, and only a few fields are read.
  const files = `read_json(${quote(glob)}, columns = {'Records': 'JSON[]'}, filename = true, maximum_object_size = 1073741824)`;
  return `(SELECT unnest(Records) AS r, filename FROM ${files})`;
}

/** DuckDB: a table in Athena's layout (the columns the query reads) from the delivered files, plus read_json's filename. */
function duckdbTable(table: string, glob: string): string {
  const field = (jsonPath: string): string => `r ->> ${quote(jsonPath)}`;
  const userIdentity =
    `struct_pack(type := ${field('$.userIdentity.type')}, principalid := ${field('$.userIdentity.principalId')}, ` +
    `arn := ${field('$.userIdentity.arn')}, accountid := ${field('$.userIdentity.accountId')}, invokedby := ${field('$.userIdentity.invokedBy')}, ` +
    `accesskeyid := ${field('$.userIdentity.accessKeyId')}, username := ${field('$.userIdentity.userName')}, ` +
    `sessioncontext := struct_pack(sessionissuer := struct_pack(arn := ${field('$.userIdentity.sessionContext.sessionIssuer.arn')})))`;
  const columns: readonly (readonly [string, string])[] = [
    ['eventtime', field('$.eventTime')],
    ['eventsource', field('$.eventSource')],
    ['eventname', field('$.eventName')],
    ['useridentity', userIdentity],
    // JSON text, as Athena's table has it.
    ['requestparameters', `CAST(r -> '$.requestParameters' AS VARCHAR)`],
    ['responseelements', `CAST(r -> '$.responseElements' AS VARCHAR)`],
    ['recipientaccountid', field('$.recipientAccountId')],
    ['sourceipaddress', field('$.sourceIPAddress')],
    ['useragent', field('$.userAgent')],
    ['errorcode', field('$.errorCode')],
    ['eventid', field('$.eventID')],
    ['filename', 'filename'],
  ];
  return `CREATE TABLE ${table} AS\nSELECT ${columns.map(([name, value]) => `${value} AS ${name}`).join(',\n  ')}\nFROM ${unnestedRecords(glob)};`;
}

function mapValues<K extends string, V, W>(record: Readonly<Record<K, V>>, map: (value: V) => W): Record<K, W> {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, map(value as V)])) as Record<K, W>;
}

/** The adapter's text(): trimmed, blank is absent. The login outcome is compared as written. */
function cleanColumns(d: Dialect): string {
  const kept = RAW_COLUMNS.filter((name) => name !== 'event_time' && name !== 'resp_console_login' && name !== 'object_key');
  return (
    `  SELECT ${d.parseTime('trim(event_time)')} AS ts, trim(event_time) AS event_time, resp_console_login, object_key,\n    ` +
    kept.map((name) => `nullif(trim(${name}), '') AS ${name}`).join(',\n    ') +
    '\n  FROM raw'
  );
}

/** Host → IAM service prefix (the adapter's table), the account, the session's role. */
function locatedColumns(d: Dialect): string {
  const host = `CASE WHEN event_source LIKE '%.amazonaws.com' THEN substr(event_source, 1, length(event_source) - ${'.amazonaws.com'.length}) ELSE event_source END`;
  const sessionRole = '^arn:([^:]+):sts::([0-9]+):assumed-role/([^/]+)/.+$';
  return (
    `  SELECT *,\n` +
    `    coalesce(ui_account_id, recipient_account_id) AS account,\n` +
    `    CASE WHEN ${d.matches('ui_arn', sessionRole)} THEN ${d.replaceAll('ui_arn', sessionRole, 'arn:$1:iam::$2:role/$3')} END AS session_role,\n` +
    `    ${host} AS host\n  FROM clean`
  );
}

function actorColumns(): string {
  const mapped = Object.entries(IAM_SERVICE_OF_SOURCE)
    .map(([host, service]) => `WHEN ${quote(host)} THEN ${quote(service)}`)
    .join(' ');
  return (
    `  SELECT *,\n` +
    `    CASE host ${mapped} ELSE host END AS service,\n` +
    `    CASE ui_type\n` +
    `      WHEN 'IAMUser' THEN coalesce(ui_arn, CASE WHEN ui_user_name IS NOT NULL AND account IS NOT NULL THEN 'arn:aws:iam::' || account || ':user/' || ui_user_name END, ui_principal_id)\n` +
    `      WHEN 'AssumedRole' THEN coalesce(issuer_arn, session_role, ui_arn, ui_principal_id)\n` +
    `      WHEN 'FederatedUser' THEN coalesce(issuer_arn, ui_arn, ui_principal_id)\n` +
    `      WHEN 'AWSService' THEN coalesce(ui_invoked_by, ui_principal_id)\n` +
    `      WHEN 'Root' THEN CASE WHEN account IS NOT NULL THEN 'arn:aws:iam::' || account || ':root' ELSE coalesce(ui_arn, ui_principal_id) END\n` +
    `      ELSE coalesce(ui_principal_id, ui_arn)\n    END AS actor_identity,\n` +
    `    CASE WHEN ui_type = 'AWSService' OR substr(ui_access_key_id, 1, ${SESSION_KEY_PREFIX.length}) = ${quote(SESSION_KEY_PREFIX)} THEN NULL ELSE ui_access_key_id END AS actor_credential,\n` +
    `    coalesce(ui_type = 'IAMUser', false) AS actor_is_user\n  FROM located`
  );
}

/** A role session or federated user: the session ARN is the one hop behind the identity. */
function actorHops(): string {
  return (
    `  SELECT *,\n` +
    `    CASE WHEN ui_type IN ('AssumedRole', 'FederatedUser') AND ui_arn IS NOT NULL AND ui_arn <> actor_identity THEN ui_arn END AS actor_hop\n` +
    `  FROM actor`
  );
}

/** IAM calls about another identity or key (the adapter's IAM_LIFECYCLE_EVENTS): whose event it becomes, which key, which category. */
function lifecycleColumns(): string {
  const entries = Object.entries(IAM_LIFECYCLE_EVENTS);
  const applies = (name: string, whenStatus: string | undefined): string =>
    `service = 'iam' AND event_name = ${quote(name)}` + (whenStatus === undefined ? '' : ` AND lower(req_status) = ${quote(whenStatus)}`);
  const targetUser = `CASE WHEN req_user_name IS NOT NULL AND account IS NOT NULL THEN 'arn:aws:iam::' || account || ':user/' || req_user_name END`;
  const targetRole = `CASE WHEN req_role_name IS NOT NULL AND account IS NOT NULL THEN 'arn:aws:iam::' || account || ':role/' || req_role_name END`;
  const subjectOf = { user: `coalesce(${targetUser}, CASE WHEN actor_is_user THEN actor_identity END)`, 'named-user': targetUser, role: targetRole };
  const keyOf = (entry: (typeof entries)[number][1]): string =>
    entry.key === null
      ? 'NULL'
      : entry.key === 'password'
        ? `(${subjectOf[entry.subject]}) || '#password'`
        : entry.key === 'request'
          ? 'req_access_key_id'
          : 'resp_access_key_id';
  const category = entries.map(([name, e]) => `WHEN ${applies(name, e.whenStatus)} THEN ${quote(e.category)}`).join('\n      ');
  const target = entries.map(([name, e]) => `WHEN ${applies(name, e.whenStatus)} THEN ${subjectOf[e.subject]}`).join('\n      ');
  const key = entries.map(([name, e]) => `WHEN ${applies(name, e.whenStatus)} THEN ${keyOf(e)}`).join('\n      ');
  return (
    `  SELECT *,\n` +
    `    CASE\n      ${category}\n    END AS lc_category,\n` +
    `    CASE\n      ${target}\n    END AS lc_target,\n` +
    `    CASE\n      ${key}\n    END AS lc_key\n  FROM actor_hops`
  );
}

/** One row per event as the adapter's Event, plus the fold's derived facts (service, network, workload) and the evidence. */
function eventColumns(d: Dialect, window: readonly string[]): string {
  const subject = 'coalesce(lc_target, actor_identity)';
  const loginFailed = `(event_name = ${quote(INTERACTIVE_LOGIN_EVENT)} AND resp_console_login = ${quote(LOGIN_FAILURE)})`;
  const identity = `CASE WHEN lc_category IS NOT NULL THEN ${subject} ELSE actor_identity END`;
  const hop1 =
    `CASE WHEN lc_category IS NOT NULL THEN (CASE WHEN actor_identity IS NOT NULL AND ${subject} <> actor_identity THEN actor_identity ELSE actor_hop END)\n` +
    `      WHEN service = ${quote(ROLE_CHAINING.service)} AND event_name = ${quote(ROLE_CHAINING.eventName)} AND req_role_arn IS NOT NULL AND actor_identity IS NOT NULL THEN actor_identity\n` +
    `      ELSE actor_hop END`;
  const hop2 =
    `CASE WHEN lc_category IS NULL AND service = ${quote(ROLE_CHAINING.service)} AND event_name = ${quote(ROLE_CHAINING.eventName)} AND req_role_arn IS NOT NULL AND actor_identity IS NOT NULL THEN req_role_arn END`;
  const category =
    `coalesce(lc_category, CASE WHEN (service IS NULL OR service <> 'iam') AND event_name = ${quote(INTERACTIVE_LOGIN_EVENT)} THEN 'login-interactive' ELSE 'access' END)`;
  const where = ['ts IS NOT NULL', 'event_name IS NOT NULL', ...window].join(' AND ');
  const step1 =
    `  SELECT ts, event_time, object_key, event_id, recipient_account_id AS tenant, source_ip, user_agent,\n` +
    `    ${identity} AS identity,\n` +
    `    CASE WHEN lc_category IS NOT NULL THEN lc_key ELSE actor_credential END AS credential,\n` +
    `    CASE WHEN service IS NULL THEN event_name ELSE service || ':' || event_name END AS action,\n` +
    `    lower(service) AS fold_service,\n` +
    `    ${category} AS category,\n` +
    `    CASE WHEN error_code IS NOT NULL OR ${loginFailed} THEN 'failure' ELSE 'success' END AS outcome,\n` +
    `    ${hop1} AS hop1,\n    ${hop2} AS hop2\n  FROM lifecycle\n  WHERE ${where}`;
  const own = [...OWN_ACTION_CATEGORIES].map(quote).join(', ');
  const final =
    `  SELECT *,\n` +
    `    category IN (${own}) AS is_own,\n` +
    `    outcome = 'success' AS is_ok,\n` +
    `    (CASE WHEN hop1 IS NULL THEN 0 ELSE 1 END) + (CASE WHEN hop2 IS NULL THEN 0 ELSE 1 END) AS depth,\n` +
    `    CASE WHEN user_agent IS NULL AND source_ip IS NULL THEN NULL ELSE coalesce(${productSql(d, 'user_agent')}, 'unknown-client') || ' from ' || coalesce(network, 'unknown-network') END AS workload,\n` +
    `    ${d.array(['event_time', 'object_key', 'event_id'])} AS ref,\n` +
    // Sort key: time, then log object and event id (the SQL's stand-in for the adapter's file and line).
    `    lpad(CAST(${d.epochMillis('ts')} AS VARCHAR), 16, '0') || '|' || object_key || '|' || coalesce(event_id, '') AS sk\n` +
    `  FROM ev_net${networkSteps(d).length}`;
  const steps = networkSteps(d).map((columns, i) => `ev_net${i + 1} AS (\n  SELECT *, ${columns}\n  FROM ${i === 0 ? 'ev_base' : `ev_net${i}`}\n),`);
  return `${step1}\n),\n${steps.join('\n')}\nev AS (\n${final}`;
}

/**
 * sourceNetwork (src/correlate/workload.ts) in SQL: IPv4 → /24, IPv6 → /48
 * (expanded, leading zeros dropped), anything else lower-cased. Written as
 * steps, each a CTE adding columns, so no expression is repeated inside another.
 */
function networkSteps(d: Dialect): readonly string[] {
  const colons = (text: string): string => `(length(${text}) - length(replace(${text}, ':', '')))`;
  const groups = (text: string): string => `(CASE WHEN ${text} = '' THEN 0 ELSE ${colons(text)} + 1 END)`;
  const group = (n: number): string =>
    `CASE WHEN ${n} <= ip_head_groups THEN coalesce(split_part(ip_head, ':', ${n}), '') ` +
    `WHEN ${n} <= ip_head_groups + ip_missing THEN '0' ` +
    `ELSE coalesce(split_part(ip_tail, ':', ${n} - ip_head_groups - ip_missing), '') END AS ip_g${n}`;
  const hex = (n: number): string => `(CASE WHEN strpos(ip_g${n}, '.') > 0 THEN ip_g${n} ELSE coalesce(nullif(${d.replaceAll(`ip_g${n}`, '^0+', '')}, ''), '0') END)`;
  const v4 = [1, 2, 3].map((n) => `CAST(CAST(split_part(ip_lower, '.', ${n}) AS INTEGER) AS VARCHAR)`).join(" || '.' || ");
  return [
    `lower(source_ip) AS ip_lower, split_part(${d.replaceAll('lower(source_ip)', '^\\[|\\]$', '')}, '%', 1) AS ip_address`,
    `strpos(ip_address, '::') > 0 AS ip_compressed`,
    `CASE WHEN ip_compressed THEN coalesce(split_part(ip_address, '::', 1), '') ELSE ip_address END AS ip_head, ` +
      `CASE WHEN ip_compressed THEN substr(ip_address, strpos(ip_address, '::') + 2) ELSE '' END AS ip_tail`,
    `${groups('ip_head')} AS ip_head_groups, 8 - ${groups('ip_head')} - ${groups('ip_tail')} AS ip_missing`,
    `${d.matches('ip_address', '^[0-9a-f:.]+$')} AND ((ip_compressed AND strpos(ip_tail, '::') = 0 AND ip_missing >= 0) OR (NOT ip_compressed AND ip_missing = 0)) AS ip_v6, ` +
      [1, 2, 3].map(group).join(', '),
    `CASE WHEN source_ip IS NULL THEN NULL ` +
      `WHEN ${d.matches('ip_lower', '^[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}$')} THEN ${v4} || '.0/24' ` +
      `WHEN strpos(ip_lower, ':') > 0 AND ip_v6 THEN ${hex(1)} || ':' || ${hex(2)} || ':' || ${hex(3)} || '::/48' ` +
      `ELSE ip_lower END AS network`,
  ];
}

/** userAgentProduct (src/correlate/workload.ts) in SQL: the first token, without version, escapes and control characters. */
function productSql(d: Dialect, uaColumn: string): string {
  const printable = USER_AGENT_NOISE.reduce((text, pattern) => d.replaceAll(text, pattern, ''), uaColumn);
  const first = `regexp_extract(${d.replaceAll(`trim(${printable})`, PRODUCT_OPENERS, '')}, '^[^\\s/]*')`;
  const product = `lower(${d.replaceAll(first, PRODUCT_CLOSERS, '')})`;
  return `(CASE WHEN ${uaColumn} IS NULL THEN NULL ELSE coalesce(nullif(${product}, ''), 'unknown') END)`;
}

/** Each event under every key it names, as UsageFold.add files it. */
function keyedEvents(): string {
  return [
    `  SELECT 'identity' AS scope, identity AS fold_key, * FROM ev WHERE identity IS NOT NULL`,
    `  SELECT 'credential' AS scope, credential AS fold_key, * FROM ev WHERE credential IS NOT NULL`,
    `  SELECT 'credential-only' AS scope, credential AS fold_key, * FROM ev WHERE credential IS NOT NULL AND identity IS NULL`,
  ].join('\n  UNION ALL\n');
}

/** Counts and first/last references per key, as UsageAccumulator.add keeps them. */
function keyStats(d: Dialect): string {
  const use = 'is_own AND is_ok';
  const terminations = [...TERMINATION_CATEGORIES].map(quote).join(', ');
  const termItem = d.array(['category', 'event_time', 'object_key', 'event_id']);
  return (
    `  SELECT scope, fold_key,\n` +
    `    count(*) AS events,\n` +
    `    sum(CASE WHEN is_own THEN 1 ELSE 0 END) AS own_actions,\n` +
    `    sum(CASE WHEN is_own AND NOT is_ok THEN 1 ELSE 0 END) AS failures,\n` +
    `    sum(CASE WHEN ${use} AND category = 'token-refresh' THEN 1 ELSE 0 END) AS refreshes,\n` +
    `    sum(CASE WHEN ${use} AND category = 'login-interactive' THEN 1 ELSE 0 END) AS interactive_logins,\n` +
    `    min_by(ref, sk) FILTER (WHERE ${use}) AS first_use,\n` +
    `    max_by(ref, sk) FILTER (WHERE ${use}) AS last_use,\n` +
    `    max_by(ref, sk) FILTER (WHERE is_own AND NOT is_ok) AS last_failure,\n` +
    `    max_by(ref, sk) FILTER (WHERE ${use} AND category = 'token-refresh') AS last_refresh,\n` +
    `    max_by(ref, sk) FILTER (WHERE ${use} AND category = 'login-interactive') AS last_interactive_login,\n` +
    `    max(depth) FILTER (WHERE ${use}) AS chain_depth,\n` +
    // The deepest chain, the earliest on equal depth: sort by (9 - depth) then time.
    `    min_by(${d.array(['hop1', 'hop2'])}, CAST(9 - depth AS VARCHAR) || sk) FILTER (WHERE ${use} AND depth > 0) AS chain,\n` +
    `    min_by(ref, CAST(9 - depth AS VARCHAR) || sk) FILTER (WHERE ${use} AND depth > 0) AS chain_at,\n` +
    `    ${d.firstN(`array_agg(${termItem} ORDER BY sk) FILTER (WHERE is_ok AND category IN (${terminations}))`, TERMINATION_CAP)} AS terminations\n` +
    `  FROM keyed GROUP BY scope, fold_key`
  );
}

/** What each distinct-value set takes from an event (UsageAccumulator.add); sets CloudTrail never fills are left out. */
const SET_SOURCES: Readonly<Partial<Record<SummarySetName, { readonly value: string; readonly only?: string }>>> = {
  // Token issue and refresh are how a delegate gets to act, not actions: they add no action or service.
  actions: { value: 'action', only: "category NOT IN ('token-issue', 'token-refresh')" },
  services: { value: 'fold_service', only: "category NOT IN ('token-issue', 'token-refresh')" },
  tenants: { value: 'tenant' },
  networks: { value: 'network' },
  userAgents: { value: 'user_agent' },
  workloads: { value: 'workload' },
};

function setItems(d: Dialect): string {
  return Object.entries(SET_SOURCES)
    .map(([name, spec]) => {
      const conditions = ['is_own', 'is_ok', `${spec.value} IS NOT NULL`, ...(spec.only === undefined ? [] : [spec.only])];
      return (
        `  SELECT scope, fold_key, ${quote(name)} AS set_name, ${spec.value} AS val, ` +
        `${d.array([spec.value, 'event_time', 'object_key', 'event_id'])} AS item, sk FROM keyed WHERE ${conditions.join(' AND ')}`
      );
    })
    .join('\n  UNION ALL\n');
}

/** Every summary row: one per key, the log's span, each tenant's span, each access key created. */
function summaryRows(d: Dialect): string {
  const nullVarchar = 'CAST(NULL AS VARCHAR)';
  const nullCount = 'CAST(NULL AS BIGINT)';
  const row = (values: Readonly<Record<string, string>>): string =>
    SUMMARY_COLUMNS.map((name) => `${values[name] ?? (name.endsWith('_total') || name === 'chain_depth' || (COUNT_COLUMNS as readonly string[]).includes(name) ? nullCount : nullVarchar)} AS ${column(name)}`).join(', ');
  const marker = { [SUMMARY_MARKER]: quote(SUMMARY_VERSION) };
  const json = (value: string): string => d.toJson(value);
  const setColumns: Record<string, string> = {};
  const joins: string[] = [];
  for (const name of SUMMARY_SET_NAMES) {
    if (SET_SOURCES[name] === undefined) continue;
    const alias = `s_${setColumn(name)}`;
    setColumns[setColumn(name)] = json(`${alias}.kept`);
    setColumns[`${setColumn(name)}_total`] = `${alias}.total`;
    joins.push(`  LEFT JOIN sets ${alias} ON ${alias}.scope = k.scope AND ${alias}.fold_key = k.fold_key AND ${alias}.set_name = ${quote(name)}`);
  }
  const perKey = row({
    ...marker,
    scope: 'k.scope',
    key: 'k.fold_key',
    events: 'k.events',
    own_actions: 'k.own_actions',
    failures: 'k.failures',
    refreshes: 'k.refreshes',
    interactive_logins: 'k.interactive_logins',
    first_use: json('k.first_use'),
    last_use: json('k.last_use'),
    last_failure: json('k.last_failure'),
    last_refresh: json('k.last_refresh'),
    last_interactive_login: json('k.last_interactive_login'),
    chain_depth: 'coalesce(k.chain_depth, 0)',
    chain: json('k.chain'),
    chain_at: json('k.chain_at'),
    ...setColumns,
    terminations: json('k.terminations'),
  });
  const span = (scope: string, key: string): string =>
    row({ ...marker, scope: quote(scope), key, events: 'count(*)', first_use: json('min_by(ref, sk)'), last_use: json('max_by(ref, sk)') });
  const created = row({
    ...marker,
    scope: quote(CREATED_KEY_SCOPE),
    key: 'credential',
    first_use: json('ref'),
    key_identity: 'identity',
    created_by: 'coalesce(hop1, identity)',
    key_tenant: 'tenant',
  });
  return [
    `  SELECT ${perKey}\n  FROM key_stats k\n${joins.join('\n')}`,
    `  SELECT ${span('log', "''")} FROM ev`,
    `  SELECT ${span('tenant', 'tenant')} FROM ev WHERE tenant IS NOT NULL GROUP BY tenant`,
    `  SELECT ${created} FROM ev WHERE category = 'credential-create' AND is_ok AND credential IS NOT NULL AND identity IS NOT NULL`,
  ].join('\n  UNION ALL\n');
}

/** The table the query assumes: Athena's documented CloudTrail DDL (its columns; adjust LOCATION and partitions). */
export function cloudTrailDdl(dialect: SqlDialect, table = DEFAULT_TABLE, input?: string): string {
  if (!IDENTIFIER.test(table)) throw new UsageError(`--table: "${table}" is not a table name`);
  const userIdentity =
    'STRUCT<type:STRING, principalid:STRING, arn:STRING, accountid:STRING, invokedby:STRING, accesskeyid:STRING, username:STRING, ' +
    'sessioncontext:STRUCT<attributes:STRUCT<mfaauthenticated:STRING, creationdate:STRING>, ' +
    'sessionissuer:STRUCT<type:STRING, principalid:STRING, arn:STRING, accountid:STRING, username:STRING>>>';
  const columns: readonly (readonly [string, string])[] = [
    ['eventversion', 'STRING'],
    ['useridentity', userIdentity],
    ['eventtime', 'STRING'],
    ['eventsource', 'STRING'],
    ['eventname', 'STRING'],
    ['awsregion', 'STRING'],
    ['sourceipaddress', 'STRING'],
    ['useragent', 'STRING'],
    ['errorcode', 'STRING'],
    ['errormessage', 'STRING'],
    ['requestparameters', 'STRING'],
    ['responseelements', 'STRING'],
    ['additionaleventdata', 'STRING'],
    ['requestid', 'STRING'],
    ['eventid', 'STRING'],
    ['resources', 'ARRAY<STRUCT<arn:STRING, accountid:STRING, type:STRING>>'],
    ['eventtype', 'STRING'],
    ['apiversion', 'STRING'],
    ['readonly', 'STRING'],
    ['recipientaccountid', 'STRING'],
    ['serviceeventdetails', 'STRING'],
    ['sharedeventid', 'STRING'],
    ['vpcendpointid', 'STRING'],
  ];
  if (dialect === 'athena') {
    return (
      `-- Athena's documented CloudTrail table (only the columns the query reads need to match).\n` +
      `CREATE EXTERNAL TABLE ${table} (\n  ${columns.map(([name, type]) => `${name} ${type}`).join(',\n  ')}\n)\n` +
      `ROW FORMAT SERDE 'org.apache.hive.hcatalog.data.JsonSerDe'\n` +
      `STORED AS INPUTFORMAT 'com.amazon.emr.cloudtrail.CloudTrailInputFormat'\n` +
      `OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'\n` +
      `LOCATION 's3://<trail-bucket>/AWSLogs/<account-id>/CloudTrail/'\n` +
      `TBLPROPERTIES ('classification' = 'cloudtrail');`
    );
  }
  const trinoType = (type: string): string =>
    type
      .replace(/STRUCT</g, 'ROW(')
      .replace(/ARRAY</g, 'ARRAY(')
      .replace(/>/g, ')')
      .replace(/(\w+):(\w+|ROW\()/g, '$1 $2')
      .replace(/STRING/g, 'VARCHAR');
  if (dialect === 'trino') {
    return (
      `-- The same columns for Trino's Hive connector. CloudTrail's delivered files wrap records in {"Records":[…]},\n` +
      `-- which Hive's JSON format cannot split: point this at one-record-per-line copies (or query Athena's table\n` +
      `-- through a shared Glue metastore).\n` +
      `CREATE TABLE ${table} (\n  ${columns.map(([name, type]) => `${name} ${trinoType(type)}`).join(',\n  ')}\n)\n` +
      `WITH (format = 'JSON', external_location = 's3://<bucket>/<one-record-per-line-prefix>/');`
    );
  }
  return (
    `-- DuckDB: no table is needed with --input GLOB (the query reads the delivered files itself).\n` +
    `-- Without --input the query reads this table: Athena's columns, plus read_json's filename.\n` +
    duckdbTable(table, input ?? '<trail-folder>/**/*.json.gz')
  );
}
