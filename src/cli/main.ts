import path from 'node:path';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { Command, CommanderError, Option } from 'commander';
import { baselineDocument, loadBaseline, type Baseline } from '../engine/baseline.js';
import { loadCatalog } from '../engine/catalog.js';
import { EMPTY_CONFIG, findRule, loadConfig, loadIgnoreFile, type Config } from '../engine/config.js';
import { TOOL_NAME, scan, toolVersion, type ScanProgress } from '../engine/scan.js';
import type { IgnoreEntry } from '../engine/suppress.js';
import { DEFAULT_TABLE, SQL_DIALECTS, cloudTrailDdl, cloudTrailUsageSql, type SqlDialect } from '../engine/cloudtrail-sql.js';
import {
  SEVERITIES,
  SEVERITY_RANK,
  UsageError,
  isKnownError,
  isSeverity,
  parseInstant,
  type Catalog,
  type Report,
  type Severity,
} from '../model/index.js';
import { REPORT_FORMATS, REPORTERS, type ReportFormat } from '../report/index.js';
import { RULES } from '../rules/index.js';
import type { RuleLogic } from '../engine/rule-api.js';
import { stringifyJson, terminalSafe } from '../report/escape.js';
import { redactSecrets } from '../engine/redact.js';
import { BASELINE_EXIT_CODES_HELP, EXIT, EXIT_CODES_HELP, type ExitCode } from './exit-codes.js';
import { wantsColor, type CliIO } from './io.js';
import { formatsCommand, inventoryCommand, rulesListCommand, rulesShowCommand } from './catalog-commands.js';

const SCAN_FORMATS = REPORT_FORMATS;
type ScanFormat = ReportFormat;
const DEFAULT_CONFIG_FILE = '.nhi-audit.yaml';
const DEFAULT_IGNORE_FILE = '.nhi-audit-ignore.yaml';
/** The built-in rules' logic by id: the CLI composes the engine with its rules. */
const RULE_LOGIC: ReadonlyMap<string, RuleLogic<never>> = new Map(RULES.map((rule) => [rule.id, rule as RuleLogic<never>]));

interface SqlOptions {
  readonly dialect: SqlDialect;
  readonly table?: string;
  readonly input?: string;
  readonly from?: string;
  readonly to?: string;
  readonly printDdl?: boolean;
}

/** A date (UTC midnight) or an ISO-8601 instant with zone. */
function dateOption(flag: string, value: string): number {
  const parsed = parseInstant(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  if (!parsed.ok) throw new UsageError(`${flag}: ${parsed.reason}`);
  return parsed.value;
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function severityOption(flag: string, value: string, allowNone: boolean): Severity | 'none' {
  if (isSeverity(value) || (allowNone && value === 'none')) return value;
  const choices = [...SEVERITIES, ...(allowNone ? ['none'] : [])].join(', ');
  throw new UsageError(`${flag} must be one of ${choices}, not "${value}"`);
}

function ruleRefs(catalog: Catalog, flag: string, values: readonly string[]): Set<string> {
  const ids = new Set<string>();
  for (const ref of values.flatMap((value) => value.split(',')).map((ref) => ref.trim()).filter(Boolean)) {
    const rule = findRule(catalog, ref);
    if (rule === undefined) throw new UsageError(`${flag}: unknown rule "${ref}" (see \`nhi-audit rules list\`)`);
    ids.add(rule.id);
  }
  return ids;
}

function inputTypes(values: readonly string[], cwd: string): Map<string, string> {
  const types = new Map<string, string>();
  for (const value of values) {
    const split = value.indexOf('=');
    if (split <= 0 || split === value.length - 1) {
      throw new UsageError(`--input-type expects <type>=<path>, not "${value}"`);
    }
    // Ingest matches an override by absolute path as well as by display path; absolute works inside and outside cwd.
    types.set(path.resolve(cwd, value.slice(split + 1)), value.slice(0, split));
  }
  return types;
}

/** What decides which findings a scan makes: shared by `scan` and `baseline`. */
interface InputOptions {
  minSeverity?: string;
  asOf?: string;
  config?: string;
  ignoreFile?: string;
  enable?: string[];
  disable?: string[];
  strict?: boolean;
  inputType?: string[];
  workers?: string;
  maxRecordMb?: string;
}

/** `--max-record-mb`: a positive number of Mi characters, as the character bound the readers use. */
function maxRecordOption(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const mb = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || !(mb > 0) || mb > 1024) throw new UsageError(`--max-record-mb must be a number above 0 and at most 1024, not "${value}"`);
  return Math.floor(mb * 1024 * 1024);
}

interface ScanOptions extends InputOptions {
  format?: string[];
  output?: string[];
  failOn?: string;
  baseline?: string;
  sarifCategory?: string;
}

/**
 * The options of `scan` that decide what is found, defined once and added to
 * both `scan` and `baseline`, so that a baseline is written from exactly the
 * scan it will be compared with.
 */
function addInputOptions(command: Command): Command {
  return command
    .argument('<paths...>', 'files, directories or globs (.gz read transparently)')
    .option('--min-severity <severity>', 'report only findings at or above this severity (default: info)')
    .option('--as-of <time>', 'evaluation time, ISO-8601 with zone (default: now); makes runs reproducible')
    .option('-c, --config <file>', `config file (default: ./${DEFAULT_CONFIG_FILE} if present)`)
    .option('--ignore-file <file>', `accepted findings with reason and expiry (default: ./${DEFAULT_IGNORE_FILE} if present)`)
    .addOption(new Option('--enable <rules>', 'enable rules by id or name (comma-separated, repeatable)').argParser(collect))
    .addOption(new Option('--disable <rules>', 'disable rules by id or name (comma-separated, repeatable)').argParser(collect))
    .option('--strict', 'treat any unreadable input file or record as fatal (exit 2)')
    .addOption(new Option('--input-type <type=path>', 'force the format of a file (see `nhi-audit formats`; repeatable)').argParser(collect))
    .option(
      '--max-record-mb <n>',
      'refuse a line or streamed JSON record longer than n Mi characters, naming file:line; the rest of the file is not read (default: 64). Whole documents nested over 1000 levels, YAML with over 1000 aliases and times outside 1970..9999 are refused too',
    )
    .option('--workers <n|auto>', 'threads to scan with: with 2 or more, all but one read input files and one folds their events; the report is the same for any number (default: auto, one per core for inputs over 32 MB)');
}

/** `--workers`: a positive integer or `auto`. */
function workersOption(value: string | undefined): number | 'auto' {
  if (value === undefined || value === 'auto') return 'auto';
  if (!/^[1-9]\d*$/.test(value)) throw new UsageError(`--workers must be a positive whole number or auto, not "${value}"`);
  return Number(value);
}

async function readConfig(io: CliIO, catalog: Catalog, explicit: string | undefined): Promise<Config> {
  if (explicit !== undefined) return loadConfig(path.resolve(io.cwd, explicit), explicit, catalog);
  const implicit = path.join(io.cwd, DEFAULT_CONFIG_FILE);
  return existsSync(implicit) ? loadConfig(implicit, DEFAULT_CONFIG_FILE, catalog) : EMPTY_CONFIG;
}

/** Ignore entries: the ignore file's (given, or ./.nhi-audit-ignore.yaml if present), then the config's. */
async function readIgnoreEntries(io: CliIO, catalog: Catalog, explicit: string | undefined, config: Config): Promise<IgnoreEntry[]> {
  let fromFile: IgnoreEntry[] = [];
  if (explicit !== undefined) fromFile = await loadIgnoreFile(path.resolve(io.cwd, explicit), explicit, catalog);
  else if (existsSync(path.join(io.cwd, DEFAULT_IGNORE_FILE))) {
    fromFile = await loadIgnoreFile(path.join(io.cwd, DEFAULT_IGNORE_FILE), DEFAULT_IGNORE_FILE, catalog);
  }
  return [...fromFile, ...config.ignore];
}

interface ScanRun {
  readonly report: Report;
  readonly catalog: Catalog;
  readonly config: Config;
}

/** Everything `scan` and `baseline` share: options → ScanRequest → report. */
async function scanWithInputOptions(patterns: string[], options: InputOptions, io: CliIO, baseline?: Baseline): Promise<ScanRun> {
  let asOf = io.now();
  if (options.asOf !== undefined) {
    const parsed = parseInstant(options.asOf);
    if (!parsed.ok) throw new UsageError(`--as-of: ${parsed.reason}`);
    asOf = parsed.value;
  }
  const catalog = await loadCatalog();
  const config = await readConfig(io, catalog, options.config);
  const ignore = await readIgnoreEntries(io, catalog, options.ignoreFile, config);
  const minSeverity =
    options.minSeverity === undefined ? (config.minSeverity ?? 'info') : (severityOption('--min-severity', options.minSeverity, false) as Severity);
  const workers = workersOption(options.workers);
  const maxRecordChars = maxRecordOption(options.maxRecordMb);
  // Repeatable options are absent rather than defaulted, so --help shows no "(default: [])".
  const enable = ruleRefs(catalog, '--enable', options.enable ?? []);
  const disable = ruleRefs(catalog, '--disable', options.disable ?? []);

  const progress = io.stderrIsTTY ? progressLine(io) : undefined;
  const report = await scan({
    patterns,
    cwd: io.cwd,
    asOf,
    strict: options.strict === true,
    minSeverity,
    catalog,
    rules: RULE_LOGIC,
    config,
    selection: { enable, disable },
    inputTypes: inputTypes(options.inputType ?? [], io.cwd),
    workers,
    ignore,
    ...(baseline === undefined ? {} : { baseline }),
    ...(maxRecordChars === undefined ? {} : { maxRecordChars }),
    ...(progress === undefined ? {} : { progress: progress.update }),
  });
  progress?.clear();
  // Expired ignore entries hide nothing any more: the person at the terminal hears it whatever the format.
  for (const warning of report.warnings) {
    io.stderr.write(`warning: ${terminalSafe(`${warning.source.file}:${warning.source.line}`)}: ${terminalSafe(warning.message)}\n`);
  }
  return { report, catalog, config };
}

function writeSkipped(io: CliIO, report: Report): void {
  for (const skip of report.skipped) {
    io.stderr.write(`warning: ${terminalSafe(skip.line > 0 ? `${skip.file}:${skip.line}` : skip.file)}: ${terminalSafe(skip.message)} (skipped)\n`);
  }
}

/** Nothing read means nothing was checked: a CI job pointed at the wrong folder must not pass. */
function nothingRead(io: CliIO, report: Report): boolean {
  if (report.inputs.length > 0) return false;
  io.stderr.write(`error: none of the ${report.skipped.length} input file${report.skipped.length === 1 ? '' : 's'} could be read; nothing was scanned (see \`nhi-audit formats\`)\n`);
  return true;
}

/** One line for what the baseline hid, then one per entry that matches nothing any more. */
function writeBaselineOutcome(io: CliIO, report: Report): void {
  const outcome = report.baseline;
  if (outcome === null) return;
  const fixed = outcome.fixed.length;
  io.stderr.write(
    `baseline ${terminalSafe(outcome.file)}: hid ${outcome.hidden} finding${outcome.hidden === 1 ? '' : 's'} it lists` +
      (outcome.escalated === 0 ? '' : `; ${outcome.escalated} it lists at a lower severity count again`) +
      (fixed === 0 ? '; every entry still matches\n' : `; ${fixed} entr${fixed === 1 ? 'y no longer matches' : 'ies no longer match'} (fixed):\n`),
  );
  for (const entry of outcome.fixed) {
    io.stderr.write(`  ${terminalSafe(entry.ruleId)} ${terminalSafe(entry.subject.kind)} ${terminalSafe(entry.subject.id)} (${terminalSafe(entry.fingerprint)})\n`);
  }
}

async function runScan(patterns: string[], given: ScanOptions, io: CliIO): Promise<ExitCode> {
  const output = given.output ?? [];
  const formats = ((given.format ?? []).length === 0 ? ['table'] : (given.format ?? [])).map((format) => {
    if (!(SCAN_FORMATS as readonly string[]).includes(format)) {
      throw new UsageError(`--format must be one of ${SCAN_FORMATS.join(', ')}, not "${format}"`);
    }
    return format as ScanFormat;
  });
  if (output.length > formats.length) throw new UsageError('more --output files than --format options');
  if (formats.length - output.length > 1) {
    throw new UsageError('give an --output file for every --format but one (only one report can go to stdout)');
  }
  // eslint-disable-next-line no-control-regex -- control characters are what is refused
  if (given.sarifCategory !== undefined && (given.sarifCategory.trim() === '' || /[\u0000-\u001f\u007f]/.test(given.sarifCategory))) {
    throw new UsageError('--sarif-category must be a non-empty name without control characters');
  }
  const baseline = given.baseline === undefined ? undefined : await loadBaseline(path.resolve(io.cwd, given.baseline), given.baseline);
  const { report, catalog, config } = await scanWithInputOptions(patterns, given, io, baseline);
  const failOn = given.failOn === undefined ? (config.failOn ?? 'high') : severityOption('--fail-on', given.failOn, true);

  let tableOnStdout = false;
  for (const [index, format] of formats.entries()) {
    const file = output[index];
    const color = file === undefined && format === 'table' && wantsColor(io, io.stdoutIsTTY);
    const text = REPORTERS[format](report, { catalog, color, ...(given.sarifCategory === undefined ? {} : { sarifCategory: given.sarifCategory }) });
    if (file === undefined) {
      io.stdout.write(text);
      tableOnStdout = format === 'table';
    } else {
      await writeFile(path.resolve(io.cwd, file), text);
    }
  }
  // The table lists skipped input itself; other formats still tell the person at the terminal.
  if (!tableOnStdout) writeSkipped(io, report);
  writeBaselineOutcome(io, report);
  if (nothingRead(io, report)) return EXIT.USAGE;
  if (failOn === 'none') return EXIT.CLEAN;
  const failing = report.findings.some((finding) => SEVERITY_RANK[finding.severity] >= SEVERITY_RANK[failOn]);
  return failing ? EXIT.FINDINGS : EXIT.CLEAN;
}

async function runBaseline(patterns: string[], options: InputOptions & { output?: string }, io: CliIO): Promise<ExitCode> {
  const { report } = await scanWithInputOptions(patterns, options, io);
  writeSkipped(io, report);
  if (nothingRead(io, report)) return EXIT.USAGE;
  const document = baselineDocument(report);
  const text = stringifyJson(document);
  const count = (document['findings'] as unknown[]).length;
  if (options.output === undefined) io.stdout.write(text);
  else await writeFile(path.resolve(io.cwd, options.output), text);
  io.stderr.write(
    `baseline: recorded ${count} finding${count === 1 ? '' : 's'} as of ${report.asOf}${options.output === undefined ? '' : ` in ${terminalSafe(options.output)}`}` +
      (report.suppressedFindings.length > 0 ? ` (${report.suppressedFindings.length} suppressed by ignore entries left out)` : '') +
      '\n',
  );
  return EXIT.CLEAN;
}

/**
 * One self-overwriting status line on stderr for long scans, only on a TTY
 * (piped or CI output stays clean). Redrawn at most a few times a second.
 */
function progressLine(io: CliIO): { update: (state: ScanProgress) => void; clear: () => void } {
  const started = io.now();
  let drawnAt = -Infinity;
  let drawn = false;
  return {
    update(state) {
      const now = io.now();
      if (now - drawnAt < 200) return;
      drawnAt = now;
      drawn = true;
      const seconds = Math.round((now - started) / 1000);
      const line = `scanning ${state.fileNumber}/${state.files} files · ${state.records.toLocaleString('en-US')} records · ${seconds}s · ${terminalSafe(state.file)}`;
      io.stderr.write(`\r\u001b[2K${line.slice(0, 120)}`);
    },
    clear() {
      if (drawn) io.stderr.write('\r\u001b[2K');
    },
  };
}

function buildProgram(io: CliIO, version: string, setExit: (code: ExitCode) => void): Command {
  const program = new Command(TOOL_NAME)
    .description('Audit non-human identities (service accounts, API keys, OAuth apps, tokens, CI, agents) from exported logs and inventories. Offline.')
    .version(version)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      outputError: (text, write) => write(text),
    })
    .showSuggestionAfterError(true)
    .addHelpText('after', EXIT_CODES_HELP);

  addInputOptions(
    program
      .command('scan')
      .description('read exports, correlate identities and report findings')
      .addOption(new Option('-f, --format <format>', `report format: ${SCAN_FORMATS.join(', ')} (repeatable, paired with --output)`).argParser(collect))
      .addOption(new Option('-o, --output <file>', 'write the report to a file instead of stdout (repeatable)').argParser(collect))
      .option('--fail-on <severity>', `exit 1 when a finding is at or above: ${[...SEVERITIES, 'none'].join(', ')} (default: high); suppressed and baselined findings do not count`)
      .option('--baseline <file>', 'hide the findings this baseline lists (written by `nhi-audit baseline`); only new findings count for --fail-on')
      .option('--sarif-category <name>', 'SARIF automationDetails id, naming this analysis among several uploaded for one commit'),
  )
    .addHelpText('after', EXIT_CODES_HELP)
    .action(async (patterns: string[], options: ScanOptions) => {
      setExit(await runScan(patterns, options, io));
    });

  addInputOptions(
    program
      .command('baseline')
      .description("accept today's findings: write their fingerprints, with rule, subject and message, for `scan --baseline`"),
  )
    .option('-o, --output <file>', 'write the baseline to this file (default: stdout)')
    .addHelpText('after', BASELINE_EXIT_CODES_HELP)
    .action(async (patterns: string[], options: InputOptions & { output?: string }) => {
      setExit(await runBaseline(patterns, options, io));
    });

  const rules = program.command('rules').description('the rule catalog with its OWASP NHI and NIST mappings');
  rules
    .command('list', { isDefault: true })
    .description('list every rule')
    .action(async () => {
      io.stdout.write(rulesListCommand(await loadCatalog(), wantsColor(io, io.stdoutIsTTY)));
    });
  rules
    .command('show')
    .description('show one rule: description, params, remediation, mapped controls')
    .argument('<rule>', 'rule id or name')
    .action(async (ref: string) => {
      const catalog = await loadCatalog();
      const rule = findRule(catalog, ref);
      if (rule === undefined) throw new UsageError(`unknown rule "${ref}" (see \`nhi-audit rules list\`)`);
      io.stdout.write(rulesShowCommand(catalog, rule));
    });

  program
    .command('formats')
    .description('every input format, how it is detected and what it yields')
    .action(() => {
      io.stdout.write(formatsCommand());
    });

  program
    .command('sql')
    .description('print the per-identity / per-credential usage fold as one SQL query over CloudTrail (Athena, Trino, DuckDB); scan its result as a usage-summary')
    .addOption(new Option('--dialect <dialect>', 'SQL engine').choices([...SQL_DIALECTS]).makeOptionMandatory())
    .option('--table <name>', `CloudTrail table in Athena's documented layout (default: ${DEFAULT_TABLE})`)
    .option('--input <glob>', 'DuckDB only: read the delivered CloudTrail files ({"Records":[…]}, .json or .json.gz) from this glob')
    .option('--from <time>', 'only events at or after this date or instant (YYYY-MM-DD is UTC midnight)')
    .option('--to <time>', 'only events before this date or instant')
    .option('--print-ddl', 'print the CREATE TABLE the query assumes instead of the query')
    .action((options: SqlOptions) => {
      const dialect = options.dialect;
      if (options.printDdl === true) {
        io.stdout.write(`${cloudTrailDdl(dialect, options.table, options.input)}\n`);
        return;
      }
      const from = options.from === undefined ? undefined : dateOption('--from', options.from);
      const to = options.to === undefined ? undefined : dateOption('--to', options.to);
      if (from !== undefined && to !== undefined && to <= from) throw new UsageError('--to must be after --from');
      const sql = cloudTrailUsageSql({
        dialect,
        ...(options.table === undefined ? {} : { table: options.table }),
        ...(options.input === undefined ? {} : { input: options.input }),
        ...(from === undefined ? {} : { from }),
        ...(to === undefined ? {} : { to }),
      });
      // No trailing semicolon: the query can be wrapped as is, e.g. in DuckDB's COPY (…) TO.
      io.stdout.write(`${sql}\n`);
    });

  program
    .command('inventory')
    .description('the normalized identities, credentials and approvals, without rules')
    .argument('<paths...>', 'files, directories or globs')
    .addOption(new Option('-f, --format <format>', 'table or json').choices(['table', 'json']).default('table'))
    .option('--strict', 'treat any unreadable input as fatal (exit 2)')
    .action(async (patterns: string[], options: { format: 'table' | 'json'; strict?: boolean }) => {
      const result = await inventoryCommand(patterns, io.cwd, options.format, options.strict === true);
      io.stdout.write(result.text);
      for (const skip of result.skipped) {
        io.stderr.write(`warning: ${terminalSafe(skip)} (skipped)\n`);
      }
    });

  return program;
}

/**
 * The whole CLI as a function: argv in, exit code out. Nothing here calls
 * process.exit; the bin sets process.exitCode.
 */
export async function main(argv: readonly string[], io: CliIO): Promise<ExitCode> {
  let exitCode: ExitCode = EXIT.CLEAN;
  try {
    const program = buildProgram(io, await toolVersion(), (code) => {
      exitCode = code;
    });
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are successes; every other commander error is a usage error, not "findings" (1).
      const success = ['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(error.code);
      return success || error.exitCode === 0 ? EXIT.CLEAN : EXIT.USAGE;
    }
    if (isKnownError(error)) {
      // A progress line may be on screen; the error starts on a clean line.
      if (io.stderrIsTTY) io.stderr.write('\r\u001b[2K');
      io.stderr.write(`error: ${terminalSafe(redactSecrets(error.oneLine))}\n`);
      const problems = 'problems' in error && Array.isArray(error.problems) ? (error.problems as string[]) : [];
      for (const problem of problems) io.stderr.write(`  ${terminalSafe(redactSecrets(problem))}\n`);
      return EXIT.USAGE;
    }
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    io.stderr.write(`internal error (this is a bug in nhi-audit; please report it):\n${detail}\n`);
    return EXIT.BUG;
  }
}
