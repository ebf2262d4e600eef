import type { Finding, SubjectKind } from './finding.js';
import type { Severity } from './severity.js';
import type { RecordKind } from './entities.js';

export const REPORT_SCHEMA_VERSION = '1.1.0';

/** One input file and what came of it. */
export interface InputSummary {
  readonly file: string;
  /** Adapter id that read it, e.g. `canonical-inventory`. */
  readonly format: string;
  readonly records: Readonly<Partial<Record<RecordKind, number>>>;
  readonly skipped: number;
  /** First and last event time the file yielded (ISO-8601 UTC); absent when it yielded no events. */
  readonly window?: { readonly from: string; readonly to: string };
}

/** A record or file that could not be read; the scan went on without it. */
export interface SkippedInput {
  readonly file: string;
  /** 0 when the problem is the whole file. */
  readonly line: number;
  readonly message: string;
}

export type EvaluationStatus = 'evaluated' | 'not-evaluated' | 'error' | 'disabled';

/** Whether and how each rule ran: "clean" and "could not tell" must never look alike. */
export interface RuleEvaluation {
  readonly ruleId: string;
  readonly ruleName: string;
  readonly status: EvaluationStatus;
  /** Why not evaluated, or the error; for partial coverage, what was left out. */
  readonly notes: readonly string[];
  readonly findings: number;
  /**
   * What the rule looked at: the input files that supplied the record kinds it
   * reads, and the log window when it reads events. Absent for disabled rules.
   */
  readonly basis?: EvaluationBasis;
}

export interface EvaluationBasis {
  readonly sources: readonly string[];
  /** The span of events the rule could see; null when it reads events and none were given, or it does not read events. */
  readonly window: LogWindow | null;
}

export interface ReportSummary {
  readonly total: number;
  readonly bySeverity: Readonly<Record<Severity, number>>;
}

export interface LogWindow {
  readonly from: string;
  readonly to: string;
  readonly events: number;
}

/** Why a finding is not counted: the ignore entry that accepts it until it expires. */
export interface Suppression {
  readonly reason: string;
  /** ISO-8601 UTC; from this moment on the entry no longer suppresses. */
  readonly expires: string;
  /** The ignore entry: `.nhi-audit-ignore.yaml` or the config's `ignore:` list. */
  readonly source: { readonly file: string; readonly line: number };
  /** What the entry names: the fingerprint, or a rule with a subject glob. */
  readonly matchedBy: 'fingerprint' | 'rule';
}

/** A finding an ignore entry accepts: reported with its justification, not counted. */
export interface SuppressedFinding extends Finding {
  readonly suppression: Suppression;
}

/** One accepted finding as a baseline file records it, readable without the tool. */
export interface BaselineEntry {
  readonly fingerprint: string;
  readonly ruleId: string;
  readonly ruleName: string;
  readonly severity: string;
  readonly subject: { readonly kind: SubjectKind | string; readonly id: string };
  readonly message: string;
}

/** What `--baseline` did: how many findings it hid, and which of its entries match nothing any more. */
export interface BaselineOutcome {
  readonly file: string;
  readonly entries: number;
  readonly hidden: number;
  /** Findings the baseline lists at a lower severity than they have now: kept, they count again. */
  readonly escalated: number;
  /** Entries no current finding matches: fixed, or the rule no longer runs on these inputs. */
  readonly fixed: readonly BaselineEntry[];
}

export type ReportWarningId = 'suppression-expired';

/** Something about the scan's own setup the reader must know (e.g. an ignore entry that expired). */
export interface ReportWarning {
  readonly id: ReportWarningId;
  readonly message: string;
  readonly source: { readonly file: string; readonly line: number };
}

export interface Report {
  readonly schemaVersion: string;
  readonly tool: { readonly name: string; readonly version: string };
  readonly asOf: string;
  readonly inputs: readonly InputSummary[];
  readonly skipped: readonly SkippedInput[];
  /** The span of event times seen, or null when no event logs were given. */
  readonly logWindow: LogWindow | null;
  readonly evaluations: readonly RuleEvaluation[];
  readonly summary: ReportSummary;
  /** Findings not counted: hidden by the baseline or accepted by an ignore entry, so they are not silently lost. */
  readonly suppressed: number;
  readonly findings: readonly Finding[];
  /** Findings an unexpired ignore entry accepts, each with its justification; not in `findings` or `summary`. */
  readonly suppressedFindings: readonly SuppressedFinding[];
  /** Null when no `--baseline` was given. */
  readonly baseline: BaselineOutcome | null;
  readonly warnings: readonly ReportWarning[];
}
