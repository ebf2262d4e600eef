import { Chalk, type ChalkInstance } from 'chalk';
import Table from 'cli-table3';
import type { Finding } from '../model/finding.js';
import type { Report, RuleEvaluation } from '../model/report.js';
import { SEVERITIES, type Severity } from '../model/severity.js';
import { formatSource } from '../model/source.js';
import type { Reporter } from './context.js';
import { terminalSafe } from './escape.js';

/*
 * The terminal report: findings grouped by severity, then what was not
 * evaluated or skipped, then one summary line. Every string taken from the
 * report goes through terminalSafe() before it is measured or printed, and the
 * only escape codes in the output are chalk's, present only when context.color.
 */

/** Column widths including one space of padding each side; with 5 borders the table is 120 columns. */
const COLUMN_WIDTHS = [22, 26, 38, 29] as const;
const PADDING = 2;
const MAX_EVIDENCE_LINES = 3;
/** Long ids (ARNs, paths) break after one of these when they do not fit a column. */
const BREAK_AFTER: ReadonlySet<string> = new Set(['/', ':', '-', '.', '_', '@', ',', '|', '=']);
/** In `file:line` pointers a break after `:` would strand the line number. */
const PATH_BREAK_AFTER: ReadonlySet<string> = new Set(['/', '-', '.', '_']);

export const tableReporter: Reporter = (report, context) => {
  // Colour depends only on the context (the CLI decides TTY / NO_COLOR), never on this process's terminal.
  const chalk = new Chalk({ level: context.color ? 1 : 0 });
  const out: string[] = [];

  if (report.findings.length === 0) {
    // Against a baseline, "none" means none the baseline does not already list.
    out.push(chalk.green(report.baseline === null ? 'No findings.' : 'No new findings.'), '');
  }
  for (const severity of SEVERITIES) {
    const group = report.findings.filter((finding) => finding.severity === severity);
    if (group.length === 0) continue;
    out.push(severityColor(chalk, severity)(`${severity.toUpperCase()} · ${plural(group.length, 'finding')}`));
    out.push(findingTable(group, chalk), '');
  }

  out.push(...evaluationSection(chalk, 'Rules not evaluated', report.evaluations, 'not-evaluated'));
  out.push(...evaluationSection(chalk, 'Rule errors', report.evaluations, 'error'));
  out.push(
    ...evaluationSection(
      chalk,
      'Coverage notes',
      report.evaluations.filter((evaluation) => evaluation.notes.length > 0),
      'evaluated',
    ),
  );
  if (report.suppressedFindings.length > 0) {
    out.push(chalk.bold(`Suppressed (${report.suppressedFindings.length}, not counted)`));
    for (const finding of report.suppressedFindings) {
      const { suppression } = finding;
      out.push(
        `  ${chalk.bold(terminalSafe(finding.ruleId))} ${terminalSafe(finding.subject.id)}: ${terminalSafe(suppression.reason)} ` +
          chalk.dim(`(until ${day(suppression.expires)}, ${terminalSafe(suppression.source.file)}:${suppression.source.line})`),
      );
    }
    out.push('');
  }
  if (report.baseline !== null && report.baseline.fixed.length > 0) {
    out.push(chalk.bold(`Baseline entries no longer found (${report.baseline.fixed.length}): fixed, or their inputs are gone`));
    for (const entry of report.baseline.fixed) {
      out.push(`  ${chalk.bold(terminalSafe(entry.ruleId))} ${terminalSafe(entry.subject.id)} ${chalk.dim(terminalSafe(entry.fingerprint))}`);
    }
    out.push('');
  }
  if (report.warnings.length > 0) {
    out.push(chalk.bold(chalk.yellow(`Warnings (${report.warnings.length})`)));
    for (const warning of report.warnings) {
      out.push(`  ${terminalSafe(warning.source.file)}:${warning.source.line}: ${terminalSafe(warning.message)}`);
    }
    out.push('');
  }
  if (report.skipped.length > 0) {
    out.push(chalk.bold(`Skipped inputs (${report.skipped.length})`));
    for (const skipped of report.skipped) {
      const at = skipped.line > 0 ? `${skipped.file}:${skipped.line}` : skipped.file;
      out.push(`  ${terminalSafe(at)}: ${terminalSafe(skipped.message)}`);
    }
    out.push('');
  }

  out.push(summaryLine(report, chalk));
  return `${out.join('\n')}\n`;
};

function findingTable(findings: readonly Finding[], chalk: ChalkInstance): string {
  const [ruleWidth, subjectWidth, messageWidth, evidenceWidth] = COLUMN_WIDTHS.map((width) => width - PADDING) as [
    number,
    number,
    number,
    number,
  ];
  const table = new Table({
    head: ['Rule', 'Subject', 'Message', 'Evidence'].map((title) => chalk.bold(title)),
    colWidths: [...COLUMN_WIDTHS],
    // Cells are wrapped here (wrapText); cli-table3's wrap is only a fallback for wide characters.
    wordWrap: true,
    // Empty styles: cli-table3 would otherwise colour head and borders itself, ignoring context.color.
    style: { head: [], border: [] },
  });
  for (const finding of findings) {
    const subjectHead = finding.subject.provider === undefined
      ? finding.subject.kind
      : `${finding.subject.kind} (${terminalSafe(finding.subject.provider)})`;
    table.push([
      [
        ...wrapText(terminalSafe(finding.ruleId), ruleWidth).map((line) => chalk.bold(line)),
        ...wrapText(terminalSafe(finding.ruleName), ruleWidth).map((line) => chalk.dim(line)),
      ].join('\n'),
      [
        ...wrapText(subjectHead, subjectWidth).map((line) => chalk.dim(line)),
        ...wrapText(terminalSafe(finding.subject.id), subjectWidth),
      ].join('\n'),
      wrapText(terminalSafe(finding.message), messageWidth).join('\n'),
      evidenceLines(finding)
        .flatMap((line) => wrapText(line, evidenceWidth, PATH_BREAK_AFTER))
        .join('\n'),
    ]);
  }
  return table.toString();
}

/** Distinct `file:line` pointers, at most MAX_EVIDENCE_LINES, then `+N more`. */
function evidenceLines(finding: Finding): string[] {
  const pointers = [...new Set(finding.evidence.map((item) => terminalSafe(formatSource(item.source))))];
  if (pointers.length === 0) return ['—'];
  if (pointers.length <= MAX_EVIDENCE_LINES) return pointers;
  return [...pointers.slice(0, MAX_EVIDENCE_LINES), `+${pointers.length - MAX_EVIDENCE_LINES} more`];
}

function evaluationSection(
  chalk: ChalkInstance,
  title: string,
  evaluations: readonly RuleEvaluation[],
  status: RuleEvaluation['status'],
): string[] {
  const selected = evaluations.filter((evaluation) => evaluation.status === status);
  if (selected.length === 0) return [];
  const lines = [chalk.bold(`${title} (${selected.length})`)];
  for (const evaluation of selected) {
    const rule = `${chalk.bold(terminalSafe(evaluation.ruleId))} ${terminalSafe(evaluation.ruleName)}`;
    const notes = evaluation.notes.map(terminalSafe).join('; ');
    lines.push(notes === '' ? `  ${rule}` : `  ${rule}: ${notes}`);
  }
  lines.push('');
  return lines;
}

/** One line: counts, inputs and window, as-of, and anything that limits what the counts mean. */
function summaryLine(report: Report, chalk: ChalkInstance): string {
  const bySeverity = SEVERITIES.filter((severity) => report.summary.bySeverity[severity] > 0).map((severity) =>
    severityColor(chalk, severity)(`${report.summary.bySeverity[severity]} ${severity}`),
  );
  const counts = `${chalk.bold(plural(report.summary.total, 'finding'))}${bySeverity.length > 0 ? `: ${bySeverity.join(', ')}` : ''}`;

  const window = report.logWindow;
  const scope =
    window === null
      ? `${plural(report.inputs.length, 'file')}, no event logs`
      : `${plural(report.inputs.length, 'file')}, ${plural(window.events, 'event')} (${day(window.from)} → ${day(window.to)})`;

  const parts = [counts, scope, `as of ${terminalSafe(report.asOf)}`];
  const notEvaluated = report.evaluations.filter((evaluation) => evaluation.status === 'not-evaluated').length;
  const errors = report.evaluations.filter((evaluation) => evaluation.status === 'error').length;
  if (notEvaluated > 0) parts.push(chalk.yellow(`${plural(notEvaluated, 'rule')} not evaluated`));
  if (errors > 0) parts.push(chalk.red(`${plural(errors, 'rule error')}`));
  if (report.skipped.length > 0) parts.push(chalk.yellow(`${report.skipped.length} skipped`));
  if (report.suppressedFindings.length > 0) parts.push(`${report.suppressedFindings.length} suppressed`);
  if (report.baseline !== null) parts.push(`${report.baseline.hidden} hidden by baseline`);
  if (report.warnings.length > 0) parts.push(chalk.yellow(plural(report.warnings.length, 'warning')));
  return parts.join(' · ');
}

function severityColor(chalk: ChalkInstance, severity: Severity): ChalkInstance {
  switch (severity) {
    case 'critical':
      return chalk.red.bold;
    case 'high':
      return chalk.red;
    case 'medium':
      return chalk.yellow;
    case 'low':
      return chalk.cyan;
    case 'info':
      return chalk.dim;
  }
}

/** The calendar date of an ISO-8601 time; anything else is shown as it is (made safe). */
function day(time: string): string {
  return /^\d{4}-\d{2}-\d{2}T/.test(time) ? time.slice(0, 10) : terminalSafe(time);
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/**
 * Greedy word wrap to `width` code points. A word longer than the width
 * (an ARN, a path) is broken after a separator where one falls in the second
 * half of the line, otherwise hard at the width, so nothing is truncated.
 */
export function wrapText(text: string, width: number, breakAfter: ReadonlySet<string> = BREAK_AFTER): string[] {
  const lines: string[] = [];
  let line: string[] = [];
  for (const word of text.split(' ').filter((part) => part !== '')) {
    let rest = [...word];
    if (line.length > 0 && line.length + 1 + rest.length <= width) {
      line.push(' ', ...rest);
      continue;
    }
    if (line.length > 0) lines.push(line.join(''));
    line = [];
    while (rest.length > width) {
      let cut = width;
      for (let index = width - 1; index >= Math.ceil(width / 2); index -= 1) {
        if (breakAfter.has(rest[index] ?? '')) {
          cut = index + 1;
          break;
        }
      }
      lines.push(rest.slice(0, cut).join(''));
      rest = rest.slice(cut);
    }
    line = rest;
  }
  if (line.length > 0 || lines.length === 0) lines.push(line.join(''));
  return lines;
}
