import { readFile, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { Correlator } from '../correlate/index.js';
import { discover } from '../ingest/discover.js';
import { ingest } from '../ingest/ingest.js';
import {
  REPORT_SCHEMA_VERSION,
  SEVERITIES,
  formatInstant,
  type Catalog,
  type EvaluationBasis,
  type Instant,
  type Report,
  type Severity,
} from '../model/index.js';
import type { Config } from './config.js';
import { evaluateRules, type Selection } from './evaluate.js';
import { ingestInWorkers } from './parallel.js';
import { applyBaseline, type Baseline } from './baseline.js';
import { atOrAbove, compareFindings, dedupe, redact } from './findings.js';
import { redactDeep } from './redact.js';
import type { RuleLogic } from './rule-api.js';
import { applySuppressions, type IgnoreEntry } from './suppress.js';

export interface ScanRequest {
  readonly patterns: readonly string[];
  readonly cwd: string;
  readonly asOf: Instant;
  readonly strict: boolean;
  readonly minSeverity: Severity;
  readonly catalog: Catalog;
  /** The logic of each rule by id, composed by the caller (the CLI): the engine knows no rule. */
  readonly rules: ReadonlyMap<string, RuleLogic<never>>;
  readonly config: Config;
  readonly selection: Selection;
  /** `--input-type`: adapter id per path (as displayed). */
  readonly inputTypes: ReadonlyMap<string, string>;
  /** Told how far reading has got: at each file and every PROGRESS_EVERY records. */
  readonly progress?: (state: ScanProgress) => void;
  /** The longest line or JSON element read, in characters (`--max-record-mb`). */
  readonly maxRecordChars?: number;
  /** Threads to scan with (1: all on this one); `auto` (the default) picks by input size and cores. */
  readonly workers?: number | 'auto';
  /** Ignore entries from the ignore file and the config's `ignore:`, in that order. */
  readonly ignore?: readonly IgnoreEntry[];
  /** `--baseline`: findings it lists are hidden and do not count. */
  readonly baseline?: Baseline;
}

export interface ScanProgress {
  readonly file: string;
  /** 1-based number of the file being read. */
  readonly fileNumber: number;
  readonly files: number;
  readonly records: number;
}

/** Records between progress reports: often enough to move, rarely enough to cost nothing. */
export const PROGRESS_EVERY = 50_000;

export const TOOL_NAME = 'nhi-audit';

let version: Promise<string> | undefined;
/** The package version, read once from package.json (same relative place in src/ and dist/). */
export function toolVersion(): Promise<string> {
  version ??= readFile(new URL('../../package.json', import.meta.url), 'utf8').then(
    (text) => (JSON.parse(text) as { version: string }).version,
  );
  return version;
}

/** Below this much input, starting threads costs more than it saves. */
export const PARALLEL_MIN_BYTES = 32 * 1024 * 1024;

/**
 * How many threads scan: what was asked for, or by default one per core when
 * there is enough input (on disk, so gzip counts compressed) to repay
 * starting them. With two or more, all but one read and parse files and the
 * main thread folds their events; never more readers than files.
 */
export async function workerCount(asked: number | 'auto', files: readonly { path: string }[]): Promise<number> {
  if (asked !== 'auto') return Math.max(1, Math.min(asked, files.length + 1));
  let bytes = 0;
  for (const file of files) {
    bytes += await stat(file.path).then((info) => info.size, () => 0);
    if (bytes >= PARALLEL_MIN_BYTES) return Math.max(1, Math.min(availableParallelism(), files.length + 1));
  }
  return 1;
}

/** discover → ingest (stream) → correlate → rules → findings pipeline → Report. */
export async function scan(request: ScanRequest): Promise<Report> {
  const files = await discover(request.patterns, request.cwd);
  const correlator = new Correlator();
  let records = 0;
  let current = { file: '', fileNumber: 0 };
  const progress = request.progress;
  const threads = await workerCount(request.workers ?? 'auto', files);
  const { inputs, skipped } =
    threads > 1
      ? await ingestInWorkers(files, {
          strict: request.strict,
          inputTypes: request.inputTypes,
          ...(request.maxRecordChars === undefined ? {} : { maxRecordChars: request.maxRecordChars }),
          readers: threads - 1,
          ...(progress === undefined
            ? {}
            : {
                onFileDone: (index: number, file: { display: string }, count: number) => {
                  records += count;
                  progress({ file: file.display, fileNumber: index + 1, files: files.length, records });
                },
              }),
        }, correlator)
      : await ingest(
          files,
          {
            strict: request.strict,
            inputType: request.inputTypes,
            ...(request.maxRecordChars === undefined ? {} : { maxRecordChars: request.maxRecordChars }),
            ...(progress === undefined
              ? {}
              : {
                  onFile: (index: number, file: { display: string }) => {
                    current = { file: file.display, fileNumber: index + 1 };
                    progress({ ...current, files: files.length, records });
                  },
                }),
          },
          (record) => {
            correlator.add(record);
            records += 1;
            if (progress !== undefined && records % PROGRESS_EVERY === 0) progress({ ...current, files: files.length, records });
          },
        );
  // Provisioners from the config file join the inventory's own, with the config file as their evidence.
  for (const provisioner of request.config.provisioners ?? []) correlator.add({ kind: 'provisioner', record: provisioner });
  const views = correlator.finish();
  const { findings, evaluations } = evaluateRules(
    request.catalog,
    request.rules,
    views,
    request.config,
    request.selection,
    request.asOf,
  );
  // dedupe → --min-severity → suppress → baseline → redact → sort, each a small pure step (STYLE.md §7).
  const unique = dedupe(findings);
  const present = new Set(unique.map((finding) => finding.fingerprint));
  const suppression = applySuppressions(atOrAbove(unique, request.minSeverity), request.ignore ?? [], request.asOf);
  const split = request.baseline === undefined ? undefined : applyBaseline(suppression.kept, request.baseline, present);
  const reported = (split?.kept ?? suppression.kept).map(redact).sort(compareFindings);
  const suppressedFindings = suppression.suppressed.map(redact).sort(compareFindings);
  const perRule = new Map<string, number>();
  for (const finding of reported) perRule.set(finding.ruleId, (perRule.get(finding.ruleId) ?? 0) + 1);
  const bySeverity = Object.fromEntries(SEVERITIES.map((severity) => [severity, 0])) as Record<Severity, number>;
  for (const finding of reported) bySeverity[finding.severity] += 1;
  const coverage = views.usage.coverage();
  const logWindow = coverage === null ? null : { from: formatInstant(coverage.from), to: formatInstant(coverage.to), events: coverage.events };
  const metaById = new Map(request.catalog.rules.map((meta) => [meta.id, meta]));
  const basisOf = (ruleId: string): EvaluationBasis | undefined => {
    const meta = metaById.get(ruleId);
    if (meta === undefined) return undefined;
    const sources = inputs
      // A usage summary stands for the events it folded.
      .filter((input) => meta.inputs.some((kind) => (input.records[kind] ?? 0) > 0 || (kind === 'event' && (input.records['usage-summary'] ?? 0) > 0)))
      .map((input) => input.file);
    return { sources, window: meta.inputs.includes('event') ? logWindow : null };
  };
  // Findings were redacted before the severity filter; the walk covers notes, skips and the rest.
  return redactDeep<Report>({
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: { name: TOOL_NAME, version: await toolVersion() },
    asOf: formatInstant(request.asOf),
    inputs,
    skipped,
    logWindow,
    evaluations: evaluations.map((evaluation) => {
      const basis = evaluation.status === 'disabled' ? undefined : basisOf(evaluation.ruleId);
      return { ...evaluation, findings: perRule.get(evaluation.ruleId) ?? 0, ...(basis === undefined ? {} : { basis }) };
    }),
    summary: { total: reported.length, bySeverity },
    suppressed: suppressedFindings.length + (split?.outcome.hidden ?? 0),
    findings: reported,
    suppressedFindings,
    baseline: split?.outcome ?? null,
    warnings: suppression.warnings,
  });
}
