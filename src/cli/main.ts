import path from 'node:path';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { Command, CommanderError, Option } from 'commander';
import { loadCatalog } from '../engine/catalog.js';
import { EMPTY_CONFIG, findRule, loadConfig, type Config } from '../engine/config.js';
import { TOOL_NAME, scan, toolVersion, type ScanProgress } from '../engine/scan.js';
import {
  SEVERITIES,
  SEVERITY_RANK,
  UsageError,
  isKnownError,
  isSeverity,
  parseInstant,
  type Catalog,
  type Severity,
} from '../model/index.js';
import { REPORTERS } from '../report/index.js';
import { RULES } from '../rules/index.js';
import type { RuleLogic } from '../engine/rule-api.js';
import { terminalSafe } from '../report/escape.js';
import { redactSecrets } from '../engine/redact.js';
import { EXIT, EXIT_CODES_HELP, type ExitCode } from './exit-codes.js';
import { wantsColor, type CliIO } from './io.js';
import { formatsCommand, inventoryCommand, rulesListCommand, rulesShowCommand } from './catalog-commands.js';

const SCAN_FORMATS = ['table', 'json', 'sarif'] as const;
type ScanFormat = (typeof SCAN_FORMATS)[number];
const DEFAULT_CONFIG_FILE = '.nhi-audit.yaml';
/** The built-in rules' logic by id: the CLI composes the engine with its rules. */
const RULE_LOGIC: ReadonlyMap<string, RuleLogic<never>> = new Map(RULES.map((rule) => [rule.id, rule as RuleLogic<never>]));

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

interface ScanOptions {
  format?: string[];
  output?: string[];
  failOn?: string;
  minSeverity?: string;
  asOf?: string;
  config?: string;
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

async function runScan(patterns: string[], given: ScanOptions, io: CliIO): Promise<ExitCode> {
  // Repeatable options are absent rather than defaulted, so --help shows no "(default: [])".
  const options = {
    ...given,
    format: given.format ?? [],
    output: given.output ?? [],
    enable: given.enable ?? [],
    disable: given.disable ?? [],
    inputType: given.inputType ?? [],
  };
  const formats = (options.format.length === 0 ? ['table'] : options.format).map((format) => {
    if (!(SCAN_FORMATS as readonly string[]).includes(format)) {
      throw new UsageError(`--format must be one of ${SCAN_FORMATS.join(', ')}, not "${format}"`);
    }
    return format as ScanFormat;
  });
  if (options.output.length > formats.length) throw new UsageError('more --output files than --format options');
  if (formats.length - options.output.length > 1) {
    throw new UsageError('give an --output file for every --format but one (only one report can go to stdout)');
  }
  let asOf = io.now();
  if (options.asOf !== undefined) {
    const parsed = parseInstant(options.asOf);
    if (!parsed.ok) throw new UsageError(`--as-of: ${parsed.reason}`);
    asOf = parsed.value;
  }
  const catalog = await loadCatalog();
  const config = await readConfig(io, catalog, options.config);
  const failOn = options.failOn === undefined ? (config.failOn ?? 'high') : severityOption('--fail-on', options.failOn, true);
  const minSeverity =
    options.minSeverity === undefined ? (config.minSeverity ?? 'info') : (severityOption('--min-severity', options.minSeverity, false) as Severity);
  const workers = workersOption(options.workers);
  const maxRecordChars = maxRecordOption(options.maxRecordMb);
  const enable = ruleRefs(catalog, '--enable', options.enable);
  const disable = ruleRefs(catalog, '--disable', options.disable);

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
    inputTypes: inputTypes(options.inputType, io.cwd),
    workers,
    ...(maxRecordChars === undefined ? {} : { maxRecordChars }),
    ...(progress === undefined ? {} : { progress: progress.update }),
  });
  progress?.clear();

  let tableOnStdout = false;
  for (const [index, format] of formats.entries()) {
    const output = options.output[index];
    const color = output === undefined && format === 'table' && wantsColor(io, io.stdoutIsTTY);
    const text = REPORTERS[format](report, { catalog, color });
    if (output === undefined) {
      io.stdout.write(text);
      tableOnStdout = format === 'table';
    } else {
      await writeFile(path.resolve(io.cwd, output), text);
    }
  }
  // The table lists skipped input itself; other formats still tell the person at the terminal.
  if (!tableOnStdout) {
    for (const skip of report.skipped) {
      io.stderr.write(`warning: ${terminalSafe(skip.line > 0 ? `${skip.file}:${skip.line}` : skip.file)}: ${terminalSafe(skip.message)} (skipped)\n`);
    }
  }
  // Nothing read means nothing was checked: a CI job pointed at the wrong folder must not pass.
  if (report.inputs.length === 0) {
    io.stderr.write(`error: none of the ${report.skipped.length} input file${report.skipped.length === 1 ? '' : 's'} could be read; nothing was scanned (see \`nhi-audit formats\`)\n`);
    return EXIT.USAGE;
  }
  if (failOn === 'none') return EXIT.CLEAN;
  const failing = report.findings.some((finding) => SEVERITY_RANK[finding.severity] >= SEVERITY_RANK[failOn]);
  return failing ? EXIT.FINDINGS : EXIT.CLEAN;
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

  program
    .command('scan')
    .description('read exports, correlate identities and report findings')
    .argument('<paths...>', 'files, directories or globs (.gz read transparently)')
    .addOption(new Option('-f, --format <format>', `report format: ${SCAN_FORMATS.join(', ')} (repeatable, paired with --output)`).argParser(collect))
    .addOption(new Option('-o, --output <file>', 'write the report to a file instead of stdout (repeatable)').argParser(collect))
    .option('--fail-on <severity>', `exit 1 when a finding is at or above: ${[...SEVERITIES, 'none'].join(', ')} (default: high)`)
    .option('--min-severity <severity>', 'report only findings at or above this severity (default: info)')
    .option('--as-of <time>', 'evaluation time, ISO-8601 with zone (default: now); makes runs reproducible')
    .option('-c, --config <file>', `config file (default: ./${DEFAULT_CONFIG_FILE} if present)`)
    .addOption(new Option('--enable <rules>', 'enable rules by id or name (comma-separated, repeatable)').argParser(collect))
    .addOption(new Option('--disable <rules>', 'disable rules by id or name (comma-separated, repeatable)').argParser(collect))
    .option('--strict', 'treat any unreadable input file or record as fatal (exit 2)')
    .addOption(new Option('--input-type <type=path>', 'force the format of a file (see `nhi-audit formats`; repeatable)').argParser(collect))
    .option(
      '--max-record-mb <n>',
      'refuse a line or streamed JSON record longer than n Mi characters, naming file:line; the rest of the file is not read (default: 64). Whole documents nested over 1000 levels, YAML with over 1000 aliases and times outside 1970..9999 are refused too',
    )
    .option('--workers <n|auto>', 'threads that read input files; the report is the same for any number (default: auto, one per core for inputs over 32 MB)')
    .addHelpText('after', EXIT_CODES_HELP)
    .action(async (patterns: string[], options: ScanOptions) => {
      setExit(await runScan(patterns, options, io));
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
