import { readFile } from 'node:fs/promises';
import { parseLocated } from '../ingest/located-json.js';
import {
  ConfigError,
  InputError,
  SEVERITY_RANK,
  isSeverity,
  type BaselineEntry,
  type BaselineOutcome,
  type Finding,
  type Report,
} from '../model/index.js';

/*
 * A baseline: today's findings, accepted as they are, so that a CI gate fails
 * only on new ones. It is a JSON file a reviewer can read in a pull request
 * (rule, subject and message beside each fingerprint), documented by
 * baseline.schema.json, and byte-identical for the same inputs and --as-of.
 */

export const BASELINE_KIND = 'nhi-audit-baseline';
export const BASELINE_SCHEMA_VERSION = '1.0.0';
const FINGERPRINT = /^[0-9a-f]{32}$/;

export interface Baseline {
  readonly file: string;
  readonly entries: readonly BaselineEntry[];
}

/** The baseline document for a report's findings (deduplicated by the engine), in the report's deterministic order. */
export function baselineDocument(report: Report): Record<string, unknown> {
  const { findings } = report;
  return {
    kind: BASELINE_KIND,
    schemaVersion: BASELINE_SCHEMA_VERSION,
    tool: { name: report.tool.name, version: report.tool.version },
    asOf: report.asOf,
    findings: findings.map(
      (finding): BaselineEntry => ({
        fingerprint: finding.fingerprint,
        ruleId: finding.ruleId,
        ruleName: finding.ruleName,
        severity: finding.severity,
        subject: { kind: finding.subject.kind, id: finding.subject.id },
        message: finding.message,
      }),
    ),
  };
}

export async function loadBaseline(file: string, display: string): Promise<Baseline> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(code === 'ENOENT' ? 'baseline file not found' : `cannot read baseline file (${code ?? 'error'})`, display);
  }
  return parseBaseline(text, display);
}

/** Validates a baseline file; the first problem is a one-line ConfigError (exit 2). */
export function parseBaseline(text: string, display: string): Baseline {
  let document: ReturnType<typeof parseLocated>;
  try {
    if (text.trim() === '') throw new ConfigError('not a nhi-audit baseline: the file is empty', display);
    document = parseLocated(text, display);
  } catch (error) {
    if (error instanceof InputError) throw new ConfigError(`not a nhi-audit baseline: ${error.message}`, display, error.line);
    throw error;
  }
  const { root } = document;
  const fail = (message: string, at: unknown = root): never => {
    throw new ConfigError(`not a nhi-audit baseline: ${message}`, display, document.lineOf(at, 1));
  };
  if (typeof root !== 'object' || root === null || Array.isArray(root)) return fail('expected a JSON object');
  const record = root as Record<string, unknown>;
  if (record['kind'] !== BASELINE_KIND) fail(`"kind" must be "${BASELINE_KIND}" (write one with \`nhi-audit baseline\`)`);
  const version = record['schemaVersion'];
  if (typeof version !== 'string' || version.split('.')[0] !== BASELINE_SCHEMA_VERSION.split('.')[0]) {
    fail(`schemaVersion ${JSON.stringify(version)} is not supported (this version reads ${BASELINE_SCHEMA_VERSION.split('.')[0]}.x)`);
  }
  const findings = record['findings'];
  if (!Array.isArray(findings)) return fail('"findings" must be a list');
  const entries = findings.map((item: unknown, index): BaselineEntry => {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) return fail(`findings[${index}] must be an object`, findings);
    const entry = item as Record<string, unknown>;
    const fingerprint = entry['fingerprint'];
    if (typeof fingerprint !== 'string' || !FINGERPRINT.test(fingerprint)) {
      return fail(`findings[${index}].fingerprint must be 32 lowercase hex characters`, item);
    }
    const subject = (typeof entry['subject'] === 'object' && entry['subject'] !== null ? entry['subject'] : {}) as Record<string, unknown>;
    const text = (value: unknown): string => (typeof value === 'string' ? value : '');
    return {
      fingerprint,
      ruleId: text(entry['ruleId']),
      ruleName: text(entry['ruleName']),
      severity: text(entry['severity']),
      subject: { kind: text(subject['kind']), id: text(subject['id']) },
      message: text(entry['message']),
    };
  });
  return { file: display, entries };
}

export interface BaselineSplit {
  readonly kept: Finding[];
  readonly outcome: BaselineOutcome;
}

/**
 * The baseline step: findings the baseline lists are hidden (counted), the
 * rest kept. A finding now more severe than the baseline recorded was not
 * what was accepted, so it is kept and counted as escalated. An entry is fixed
 * when no finding of this scan has its fingerprint — `present` holds them
 * all, suppressed or below --min-severity included, so that hiding a finding
 * some other way does not make it "fixed".
 */
export function applyBaseline(findings: readonly Finding[], baseline: Baseline, present: ReadonlySet<string>): BaselineSplit {
  const accepted = new Map<string, number>();
  for (const entry of baseline.entries) {
    // An entry without a (known) severity accepts the finding at any severity.
    const rank = isSeverity(entry.severity) ? SEVERITY_RANK[entry.severity] : Infinity;
    accepted.set(entry.fingerprint, Math.max(rank, accepted.get(entry.fingerprint) ?? -Infinity));
  }
  let escalated = 0;
  const kept = findings.filter((finding) => {
    const rank = accepted.get(finding.fingerprint);
    if (rank === undefined) return true;
    if (SEVERITY_RANK[finding.severity] <= rank) return false;
    escalated += 1;
    return true;
  });
  const seen = new Set<string>();
  const fixed = baseline.entries.filter((entry) => !present.has(entry.fingerprint) && !seen.has(entry.fingerprint) && seen.add(entry.fingerprint));
  return {
    kept,
    outcome: { file: baseline.file, entries: accepted.size, hidden: findings.length - kept.length, escalated, fixed },
  };
}
