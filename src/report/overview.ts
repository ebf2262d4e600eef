import type { Catalog, Control, Framework, RuleMeta } from '../model/catalog.js';
import type { Finding, Subject } from '../model/finding.js';
import type { EvaluationStatus, InputSummary, Report, RuleEvaluation } from '../model/report.js';
import { SEVERITIES, SEVERITY_RANK, type Severity } from '../model/severity.js';
import { recordCounts } from './json.js';
import { orderMappings, resolveControl } from './mappings.js';

/*
 * What the auditor's reports (HTML, Markdown) show besides the findings
 * themselves, computed once from the report and the catalog so both formats
 * say the same thing: the coverage matrix, the per-category and per-subject
 * counts for the charts, and the scope lines. Pure data; no escaping here —
 * each reporter escapes for its own syntax.
 */

/** One rule under a control: whether it ran and how many reported findings it has. */
export interface CoverageRule {
  readonly id: string;
  readonly name: string;
  readonly title: string;
  readonly status: EvaluationStatus | 'not-run';
  readonly findings: number;
  readonly notes: readonly string[];
}

export interface CoverageControl {
  readonly control: Control;
  /** Catalog rules mapped to the control, in catalog order; empty when no rule covers it. */
  readonly rules: readonly CoverageRule[];
  readonly findings: number;
}

export interface CoverageFramework {
  readonly framework: Framework;
  /** Findings mapped to at least one of the framework's controls. */
  readonly findings: number;
  readonly controls: readonly CoverageControl[];
}

/**
 * Each framework's controls in catalog order → the rules mapped to them → the
 * findings those rules reported. A rule the report has no evaluation for
 * (filtered out before the scan) is `not-run`, never counted as clean.
 */
export function coverageMatrix(report: Report, catalog: Catalog): CoverageFramework[] {
  const evaluations = new Map(report.evaluations.map((evaluation) => [evaluation.ruleId, evaluation]));
  const findingsByRule = countBy(report.findings, (finding) => finding.ruleId);
  return reportOrder(catalog.frameworks, (framework) => framework.id).map((framework) => ({
    framework,
    findings: report.findings.filter((finding) => (finding.mappings[framework.id] ?? []).length > 0).length,
    controls: framework.controls.map((control) => {
      const rules = catalog.rules
        .filter((rule) => (rule.mappings[framework.id] ?? []).includes(control.id))
        .map((rule) => coverageRule(rule, evaluations.get(rule.id), findingsByRule.get(rule.id) ?? 0));
      // A finding counts once per control even when several of its rule's mappings name it.
      const findings = report.findings.filter((finding) => (finding.mappings[framework.id] ?? []).includes(control.id)).length;
      return { control, rules, findings };
    }),
  }));
}

function coverageRule(rule: RuleMeta, evaluation: RuleEvaluation | undefined, findings: number): CoverageRule {
  return {
    id: rule.id,
    name: rule.name,
    title: rule.title,
    status: evaluation?.status ?? 'not-run',
    findings,
    notes: evaluation?.notes ?? [],
  };
}

/** Rules that did not run to completion (not evaluated, error, disabled), with their reasons. */
export function unevaluatedRules(report: Report): RuleEvaluation[] {
  return report.evaluations.filter((evaluation) => evaluation.status !== 'evaluated');
}

/** Rules that ran but said what they could not judge. */
export function partialCoverage(report: Report): RuleEvaluation[] {
  return report.evaluations.filter((evaluation) => evaluation.status === 'evaluated' && evaluation.notes.length > 0);
}

export interface CountedLabel {
  readonly id: string;
  readonly label: string;
  readonly count: number;
}

/** Findings per severity, most severe first, zeros included so the chart always has every bar. */
export function severityCounts(report: Report): { severity: Severity; count: number }[] {
  return SEVERITIES.map((severity) => ({ severity, count: report.summary.bySeverity[severity] }));
}

/** Findings per control of one framework (OWASP NHI categories by default), in catalog order. */
export function findingsByControl(report: Report, catalog: Catalog, frameworkId = 'owasp-nhi-2025'): CountedLabel[] {
  const framework = catalog.frameworks.find((candidate) => candidate.id === frameworkId);
  if (framework === undefined) return [];
  return framework.controls.map((control) => ({
    id: control.id,
    label: control.title,
    count: report.findings.filter((finding) => (finding.mappings[frameworkId] ?? []).includes(control.id)).length,
  }));
}

/** How many subjects the "most findings" chart and table show. */
export const TOP_SUBJECTS = 10;

export interface SubjectCount {
  readonly subject: Subject;
  readonly count: number;
  readonly worst: Severity;
}

/** Subjects (identities, credentials, …) by how many findings name them, most first; ties by worst severity, then id. */
export function subjectsByFindings(report: Report): SubjectCount[] {
  const bySubject = new Map<string, { subject: Subject; count: number; worst: Severity }>();
  for (const finding of report.findings) {
    const key = subjectKey(finding.subject);
    const entry = bySubject.get(key);
    if (entry === undefined) {
      bySubject.set(key, { subject: finding.subject, count: 1, worst: finding.severity });
      continue;
    }
    entry.count += 1;
    if (SEVERITY_RANK[finding.severity] > SEVERITY_RANK[entry.worst]) entry.worst = finding.severity;
  }
  return [...bySubject.entries()]
    .sort(([keyA, a], [keyB, b]) => b.count - a.count || SEVERITY_RANK[b.worst] - SEVERITY_RANK[a.worst] || compareText(keyA, keyB))
    .map(([, entry]) => entry);
}

export function subjectKey(subject: Subject): string {
  return `${subject.kind}\u0000${subject.provider ?? ''}\u0000${subject.id}`;
}

/** `4 credentials, 2 approvals` in model order. */
export function recordsPhrase(input: InputSummary): string {
  const parts = Object.entries(recordCounts(input)).map(([kind, count]) => plural(count, kind));
  return parts.length === 0 ? 'no records' : parts.join(', ');
}

/** Record totals over every input, in model order. */
export function recordTotals(report: Report): { kind: string; count: number }[] {
  const totals = new Map<string, number>();
  for (const input of report.inputs) {
    for (const [kind, count] of Object.entries(recordCounts(input))) totals.set(kind, (totals.get(kind) ?? 0) + count);
  }
  const merged: InputSummary = { file: '', format: '', skipped: 0, records: Object.fromEntries(totals) };
  return Object.entries(recordCounts(merged)).map(([kind, count]) => ({ kind, count }));
}

/**
 * OWASP's NHI categories lead, since they are what the report is about; the
 * NIST frameworks follow in catalog order (a stable sort keeps it).
 */
export function reportOrder<T>(items: readonly T[], frameworkId: (item: T) => string): T[] {
  const rank = (item: T): number => (frameworkId(item).startsWith('owasp-') ? 0 : 1);
  return [...items].sort((a, b) => rank(a) - rank(b));
}

/** The framework name and version a report heading shows, e.g. `OWASP Non-Human Identities Top 10 (2025)`. */
export function frameworkHeading(framework: Framework): string {
  return `${framework.name} (${framework.version})`;
}

/** The name without its subtitle and the version, e.g. `NIST SP 800-53 (Rev. 5)`, for labels next to control ids. */
export function frameworkShortName(framework: Framework): string {
  return `${framework.name.split(':')[0] ?? framework.name} (${framework.version})`;
}

export interface MappedFramework {
  readonly frameworkId: string;
  /** Short name with version (`NIST SP 800-53 (Rev. 5)`), or the id when the catalog does not list the framework. */
  readonly label: string;
  readonly controls: readonly { readonly id: string; readonly title: string | null }[];
}

/**
 * A finding's mappings grouped by framework (OWASP first, then catalog order),
 * each control with its title from the catalog, or null when the catalog does
 * not list it (a custom rule's own mapping).
 */
export function mappedControls(finding: Finding, catalog: Catalog): MappedFramework[] {
  const grouped = orderMappings(finding.mappings, catalog).map(([frameworkId, controlIds]) => {
    const framework = catalog.frameworks.find((candidate) => candidate.id === frameworkId);
    return {
      frameworkId,
      label: framework === undefined ? frameworkId : frameworkShortName(framework),
      controls: controlIds.map((id) => ({ id, title: resolveControl(catalog, frameworkId, id)?.control.title ?? null })),
    };
  });
  return reportOrder(grouped, (entry) => entry.frameworkId).filter((entry) => entry.controls.length > 0);
}

/**
 * Findings hidden from this report. Today only the baseline count exists in the
 * model; suppressions with reasons (issue 11) extend this one place.
 */
/** What the report does not count, and why: accepted by an ignore entry, or listed in the baseline. */
export interface AcceptedFindings {
  readonly suppressed: number;
  readonly baselineHidden: number;
  readonly baselineFile: string | null;
}

export function acceptedFindings(report: Report): AcceptedFindings {
  return {
    suppressed: report.suppressedFindings.length,
    baselineHidden: report.baseline?.hidden ?? 0,
    baselineFile: report.baseline?.file ?? null,
  };
}

/** "2 suppressed by ignore entries, 23 hidden by the baseline", or null when nothing is set aside. */
export function acceptedPhrase(report: Report): string | null {
  const { suppressed, baselineHidden } = acceptedFindings(report);
  const parts: string[] = [];
  if (suppressed > 0) parts.push(`${suppressed} suppressed by ignore entries`);
  if (baselineHidden > 0) parts.push(`${baselineHidden} hidden by the baseline`);
  return parts.length === 0 ? null : parts.join(', ');
}

export function plural(count: number, noun: string): string {
  if (count === 1) return `${count} ${noun}`;
  return `${count} ${/[^aeiou]y$/.test(noun) ? `${noun.slice(0, -1)}ies` : `${noun}s`}`;
}

/** The calendar date of an ISO-8601 time, else the text as it is (the caller escapes it). */
export function day(time: string): string {
  return /^\d{4}-\d{2}-\d{2}T/.test(time) ? time.slice(0, 10) : time;
}

function countBy<T>(items: readonly T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

/** Code-unit order, so output never depends on the machine's locale. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
