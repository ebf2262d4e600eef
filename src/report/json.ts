import type { Catalog } from '../model/catalog.js';
import type { Evidence, Finding, Subject } from '../model/finding.js';
import type { BaselineEntry, InputSummary, Report, RuleEvaluation, SuppressedFinding } from '../model/report.js';
import { SEVERITIES } from '../model/severity.js';
import type { SourceRef } from '../model/source.js';
import type { Reporter } from './context.js';
import { stringifyJson } from './escape.js';
import { orderedMappingsObject } from './mappings.js';

/*
 * The JSON report: the auditor's record, documented by report.schema.json and
 * versioned by REPORT_SCHEMA_VERSION. Every object is rebuilt field by field so
 * that key order is fixed by this file, not by whoever built the Report, and a
 * field added to the model does not leak out without a schema change:
 *
 *   report:  schemaVersion, tool, asOf, inputs, skipped, logWindow, evaluations,
 *            summary, suppressed, findings, suppressedFindings, baseline, warnings
 *   finding: ruleId, ruleName, severity, messageId, message, subject, evidence,
 *            mappings, remediation, fingerprint (+ suppression when suppressed)
 *
 * Findings keep the engine's order (it sorts them); mappings are put in catalog
 * order. Strings are written as they are: JSON escaping makes them inert, and
 * the record stays faithful to the input.
 */

/** Record kinds in the order the model lists them; unknown kinds follow, sorted. */
const RECORD_KIND_ORDER = ['principal', 'identity', 'grant', 'credential', 'approval', 'tenant', 'event', 'secret'];

export const jsonReporter: Reporter = (report, context) => stringifyJson(jsonReport(report, context.catalog));

/** The report as a plain object in the documented key order. */
export function jsonReport(report: Report, catalog: Catalog): Record<string, unknown> {
  return {
    schemaVersion: report.schemaVersion,
    tool: { name: report.tool.name, version: report.tool.version },
    asOf: report.asOf,
    inputs: report.inputs.map(input),
    skipped: report.skipped.map((skip) => ({ file: skip.file, line: skip.line, message: skip.message })),
    logWindow:
      report.logWindow === null
        ? null
        : { from: report.logWindow.from, to: report.logWindow.to, events: report.logWindow.events },
    evaluations: report.evaluations.map(evaluation),
    summary: {
      total: report.summary.total,
      bySeverity: Object.fromEntries(SEVERITIES.map((severity) => [severity, report.summary.bySeverity[severity]])),
    },
    suppressed: report.suppressed,
    findings: report.findings.map((item) => finding(item, catalog)),
    suppressedFindings: report.suppressedFindings.map((item) => suppressedFinding(item, catalog)),
    baseline:
      report.baseline === null
        ? null
        : {
            file: report.baseline.file,
            entries: report.baseline.entries,
            hidden: report.baseline.hidden,
            escalated: report.baseline.escalated,
            fixed: report.baseline.fixed.map(baselineEntry),
          },
    warnings: report.warnings.map((warning) => ({
      id: warning.id,
      message: warning.message,
      source: { file: warning.source.file, line: warning.source.line },
    })),
  };
}

function suppressedFinding(item: SuppressedFinding, catalog: Catalog): Record<string, unknown> {
  const { suppression } = item;
  return {
    ...finding(item, catalog),
    suppression: {
      reason: suppression.reason,
      expires: suppression.expires,
      source: { file: suppression.source.file, line: suppression.source.line },
      matchedBy: suppression.matchedBy,
    },
  };
}

/** The same fields, in the same order, as a baseline file's entries. */
export function baselineEntry(item: BaselineEntry): Record<string, unknown> {
  return {
    fingerprint: item.fingerprint,
    ruleId: item.ruleId,
    ruleName: item.ruleName,
    severity: item.severity,
    subject: { kind: item.subject.kind, id: item.subject.id },
    message: item.message,
  };
}

function input(item: InputSummary): Record<string, unknown> {
  const summary: Record<string, unknown> = { file: item.file, format: item.format, records: recordCounts(item), skipped: item.skipped };
  if (item.window !== undefined) summary['window'] = { from: item.window.from, to: item.window.to };
  return summary;
}

/** Record counts per kind in model order (principal … event), unknown kinds after, sorted. */
export function recordCounts(item: InputSummary): Record<string, number> {
  const kinds = Object.keys(item.records).sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
  const records: Record<string, number> = {};
  for (const kind of kinds) {
    const count = (item.records as Readonly<Record<string, number | undefined>>)[kind];
    if (count !== undefined) records[kind] = count;
  }
  return records;
}

function rank(kind: string): number {
  const index = RECORD_KIND_ORDER.indexOf(kind);
  return index === -1 ? RECORD_KIND_ORDER.length : index;
}

function evaluation(item: RuleEvaluation): Record<string, unknown> {
  return {
    ruleId: item.ruleId,
    ruleName: item.ruleName,
    status: item.status,
    notes: [...item.notes],
    findings: item.findings,
    ...(item.basis === undefined
      ? {}
      : { basis: { sources: [...item.basis.sources], window: item.basis.window === null ? null : { ...item.basis.window } } }),
  };
}

function finding(item: Finding, catalog: Catalog): Record<string, unknown> {
  return {
    ruleId: item.ruleId,
    ruleName: item.ruleName,
    severity: item.severity,
    messageId: item.messageId,
    message: item.message,
    subject: subject(item.subject),
    evidence: item.evidence.map(evidence),
    mappings: orderedMappingsObject(item.mappings, catalog),
    remediation: item.remediation,
    fingerprint: item.fingerprint,
  };
}

function subject(item: Subject): Record<string, unknown> {
  return {
    kind: item.kind,
    id: item.id,
    ...(item.provider === undefined ? {} : { provider: item.provider }),
    ...(item.tenant === undefined ? {} : { tenant: item.tenant }),
  };
}

function evidence(item: Evidence): Record<string, unknown> {
  return { source: source(item.source), summary: item.summary, key: item.key };
}

function source(item: SourceRef): Record<string, unknown> {
  return {
    file: item.file,
    line: item.line,
    ...(item.pointer === undefined ? {} : { pointer: item.pointer }),
  };
}
