import Table from 'cli-table3';
import { Chalk } from 'chalk';
import { inventorySnapshot } from '../engine/inventory-snapshot.js';
import { ADAPTERS } from '../ingest/registry.js';
import { formatExample } from './format-examples.js';
import type { Catalog, InputSummary, RecordKind, RuleMeta } from '../model/index.js';
import { terminalSafe } from '../report/escape.js';

/*
 * Text for the informational commands (rules, formats, inventory). They share
 * the table style of the scan report; every value from input is terminal-escaped.
 */

function table(head: string[], rows: string[][], colWidths?: number[]): string {
  const output = new Table({ head, style: { head: [], border: [] }, wordWrap: true, ...(colWidths === undefined ? {} : { colWidths }) });
  output.push(...rows.map((row) => row.map(terminalSafe)));
  return `${output.toString()}\n`;
}

function controlTitle(catalog: Catalog, framework: string, control: string): string {
  const title = catalog.frameworks.find((item) => item.id === framework)?.controls.find((item) => item.id === control)?.title;
  return title === undefined ? control : `${control} ${title}`;
}

/** NIST catalogs in the order the rule list shows them, with short labels. */
const NIST_FRAMEWORKS: readonly (readonly [string, string])[] = [
  ['nist-csf-2.0', 'CSF'],
  ['nist-800-53r5', '800-53'],
  ['nist-800-207', '800-207'],
];

/** Input formats whose records a rule reads: every adapter yielding one of its record kinds. */
function feedingFormats(rule: RuleMeta): string[] {
  const formats = ADAPTERS.filter((adapter) => adapter.yields.some((kind) => rule.inputs.includes(kind))).map((adapter) => adapter.id);
  // Raw secrets are looked for in every file, whatever its format.
  if (rule.inputs.includes('secret')) formats.unshift('every input file (raw secret values)');
  return formats;
}

export function rulesListCommand(catalog: Catalog, color: boolean): string {
  const chalk = new Chalk({ level: color ? 1 : 0 });
  const rows = catalog.rules.map((rule) => [
    rule.id,
    rule.name,
    rule.severity,
    (rule.mappings['owasp-nhi-2025'] ?? []).map((control) => control.replace(/:2025$/, '')).join(', '),
    NIST_FRAMEWORKS.flatMap(([framework, label]) => {
      const controls = rule.mappings[framework] ?? [];
      return controls.length === 0 ? [] : [`${label} ${controls.join(', ')}`];
    }).join('\n'),
    rule.title,
  ]);
  return `${table(['id', 'name', 'severity', 'OWASP NHI', 'NIST', 'title'].map((h) => chalk.bold(h)), rows)}${catalog.rules.length} rules. \`nhi-audit rules show <id|name>\` for details.\n`;
}

export function rulesShowCommand(catalog: Catalog, rule: RuleMeta): string {
  const lines = [
    `${rule.id}  ${rule.name}  (${rule.severity})`,
    rule.title,
    '',
    rule.description.trim(),
    '',
    'Remediation:',
    rule.remediation.trim(),
  ];
  const params = Object.entries(rule.params);
  if (params.length > 0) {
    lines.push('', 'Params (set under rules.<id>.params in .nhi-audit.yaml):');
    for (const [name, spec] of params) lines.push(`  ${name} (${spec.type}, default ${JSON.stringify(spec.default)}): ${spec.description.trim()}`);
  }
  if (rule.requires.length > 0) lines.push('', 'Needs:', ...rule.requires.map((item) => `  - ${item}`));
  const formats = feedingFormats(rule);
  if (formats.length > 0) lines.push('', `Reads ${rule.inputs.join(', ')} records, from:`, ...formats.map((format) => `  - ${format}`));
  const facts = rule.data.flatMap((name) => {
    const data = catalog.data[name];
    return data === undefined ? [] : [`  - rules/data/${name}.yaml (version ${data.version}, reviewed ${data.reviewed})`];
  });
  if (facts.length > 0) lines.push('', 'Provider facts:', ...facts);
  lines.push('', 'Controls:');
  for (const [framework, controls] of Object.entries(rule.mappings)) {
    const name = catalog.frameworks.find((item) => item.id === framework)?.name ?? framework;
    lines.push(`  ${name}:`, ...controls.map((control) => `    ${controlTitle(catalog, framework, control)}`));
  }
  return `${lines.join('\n')}\n`;
}

export function formatsCommand(): string {
  const rows = ADAPTERS.map((adapter) => [adapter.id, adapter.provider, adapter.yields.join(', '), adapter.detection]);
  const howTo = ADAPTERS.flatMap((adapter) => {
    const example = formatExample(adapter.id);
    return example === undefined
      ? [`  ${adapter.id}`, '    (no example)']
      : [`  ${adapter.id}`, `    export: ${example.export}`, `    scan:   ${example.scan}`];
  });
  return (
    `${table(['type', 'provider', 'yields', 'detected by'], rows, [27, 11, 24, 56])}` +
    `Force a type with --input-type <type>=<path>. .gz files are read transparently.\n\n` +
    `How to export\n${howTo.join('\n')}\n`
  );
}

const KIND_LABELS: readonly (readonly [RecordKind, string, string])[] = [
  ['tenant', 'tenant', 'tenants'],
  ['principal', 'principal', 'principals'],
  ['identity', 'identity', 'identities'],
  ['grant', 'grant', 'grants'],
  ['credential', 'credential', 'credentials'],
  ['approval', 'approval', 'approvals'],
  ['usage-summary', 'usage summary', 'usage summaries'],
];

/** Records per kind except events, e.g. `3 identities, 2 credentials`; `-` when none. */
function recordSummary(source: InputSummary): string {
  const parts = KIND_LABELS.flatMap(([kind, one, many]) => {
    const count = source.records[kind];
    return count === undefined || count === 0 ? [] : [`${count} ${count === 1 ? one : many}`];
  });
  return parts.length === 0 ? '-' : parts.join(', ');
}

/** `18 (2026-09-02T10:15:00Z → 2026-10-31T12:00:00Z)`, or `-` for a file without events. */
function eventSummary(source: InputSummary): string {
  const events = source.records.event ?? 0;
  if (events === 0) return '-';
  return source.window === undefined ? String(events) : `${events} (${source.window.from} → ${source.window.to})`;
}

export async function inventoryCommand(
  patterns: readonly string[],
  cwd: string,
  format: 'table' | 'json',
  strict: boolean,
): Promise<{ text: string; skipped: string[] }> {
  const snapshot = await inventorySnapshot(patterns, cwd, strict);
  const skipped = snapshot.skipped.map((skip) => `${skip.line > 0 ? `${skip.file}:${skip.line}` : skip.file}: ${skip.message}`);
  if (format === 'json') return { text: `${JSON.stringify(snapshot, null, 2)}\n`, skipped };
  const dash = (value: string | null): string => value ?? '-';
  const identities = table(
    ['identity', 'type', 'NHI', 'provider', 'tenant', 'owner', 'status', 'creds', 'grants', 'last use', 'evidence'],
    snapshot.identities.map((row) => [
      row.id, row.type, row.nonHuman ? 'yes' : 'no', row.provider, dash(row.tenant), dash(row.owner), row.status,
      String(row.credentials), String(row.grants), dash(row.lastUse), row.source,
    ]),
  );
  const credentials = table(
    ['credential', 'type', 'identity', 'on behalf of', 'expires', 'revoked', 'active', 'last use', 'evidence'],
    snapshot.credentials.map((row) => [
      row.id, row.type, dash(row.identity), dash(row.onBehalfOf), dash(row.expiresAt), dash(row.revokedAt),
      row.active ? 'yes' : 'no', dash(row.lastUse), row.source,
    ]),
  );
  const sources = table(
    ['file', 'format', 'records', 'events (first → last)', 'skipped'],
    snapshot.sources.map((source) => [
      source.file,
      source.format,
      recordSummary(source),
      eventSummary(source),
      String(source.skipped),
    ]),
  );
  const unresolved =
    snapshot.unresolvedActors.length === 0
      ? ''
      : `Actors in logs that match no identity: ${snapshot.unresolvedActors.slice(0, 20).map(terminalSafe).join(', ')}${snapshot.unresolvedActors.length > 20 ? ` and ${snapshot.unresolvedActors.length - 20} more` : ''}\n`;
  const why = snapshot.identities
    .map((row) => `  ${terminalSafe(`${row.id}: ${row.nonHuman ? 'non-human' : 'human'}, ${row.why}`)}\n`)
    .join('');
  const summary = `${snapshot.identities.length} identities, ${snapshot.credentials.length} credentials, ${snapshot.approvals} approvals, ${snapshot.principals} principals, ${snapshot.tenants} tenants.\n`;
  return { text: `Sources\n${sources}\nIdentities\n${identities}Why each identity counts as non-human or not:\n${why}\nCredentials\n${credentials}\n${unresolved}${summary}`, skipped };
}
