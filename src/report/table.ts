import { Chalk, type ChalkInstance } from 'chalk';
import type { Finding } from '../model/finding.js';
import type { Report, RuleEvaluation } from '../model/report.js';
import { SEVERITIES, type Severity } from '../model/severity.js';
import { formatSource } from '../model/source.js';
import type { Reporter } from './context.js';
import { terminalSafe, terminalSafeWithin } from './escape.js';

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
/** Code points of one value shown in a table cell; more is cut with its full length (JSON has it all). */
export const MAX_CELL_CHARS = 1024;
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
  const rows: string[][][] = [];
  for (const finding of findings) {
    const subjectHead = finding.subject.provider === undefined
      ? finding.subject.kind
      : `${finding.subject.kind} (${terminalSafeWithin(finding.subject.provider, MAX_CELL_CHARS)})`;
    rows.push([
      [
        ...wrapText(terminalSafeWithin(finding.ruleId, MAX_CELL_CHARS), ruleWidth).map((line) => chalk.bold(line)),
        ...wrapText(terminalSafeWithin(finding.ruleName, MAX_CELL_CHARS), ruleWidth).map((line) => chalk.dim(line)),
      ],
      [
        ...wrapText(subjectHead, subjectWidth).map((line) => chalk.dim(line)),
        ...wrapText(terminalSafeWithin(finding.subject.id, MAX_CELL_CHARS), subjectWidth),
      ],
      wrapText(terminalSafeWithin(finding.message, MAX_CELL_CHARS), messageWidth),
      evidenceLines(finding).flatMap((line) => wrapText(line, evidenceWidth, PATH_BREAK_AFTER)),
    ]);
  }
  const head = ['Rule', 'Subject', 'Message', 'Evidence'].map((title) => [chalk.bold(title)]);
  return boxTable(head, rows, COLUMN_WIDTHS);
}

/** chalk's colour codes: the only escapes in a cell, which take no columns. */
const SGR = /\u001b\[[0-9;]*m/g;

/** Columns a cell line takes without its colour codes (wrapText measures the same way). */
function visibleWidth(line: string): number {
  let width = 0;
  for (const char of line.replace(SGR, '')) width += charWidth(char);
  return width;
}

/**
 * A boxed table of pre-wrapped cells, drawn in the style cli-table3 used here.
 * Drawn by hand because cli-table3 truncates every cell's full content for a
 * debug message on each line it draws, one character at a time: cubic on a
 * long cell, which made a report with long log values run for minutes (issue 15).
 */
function boxTable(head: readonly string[][], rows: readonly string[][][], widths: readonly number[]): string {
  const rule = (left: string, middle: string, right: string): string =>
    `${left}${widths.map((width) => '─'.repeat(width)).join(middle)}${right}`;
  const drawRow = (cells: readonly string[][]): string[] => {
    const height = Math.max(1, ...cells.map((cell) => cell.length));
    const lines: string[] = [];
    for (let index = 0; index < height; index += 1) {
      const parts = widths.map((width, column) => {
        const text = cells[column]?.[index] ?? '';
        return ` ${text}${' '.repeat(Math.max(0, width - PADDING - visibleWidth(text)))} `;
      });
      lines.push(`│${parts.join('│')}│`);
    }
    return lines;
  };
  const lines = [rule('┌', '┬', '┐'), ...drawRow(head)];
  for (const row of rows) lines.push(rule('├', '┼', '┤'), ...drawRow(row));
  lines.push(rule('└', '┴', '┘'));
  return lines.join('\n');
}

/** Distinct `file:line` pointers, at most MAX_EVIDENCE_LINES, then `+N more`. */
function evidenceLines(finding: Finding): string[] {
  const pointers = [...new Set(finding.evidence.map((item) => terminalSafeWithin(formatSource(item.source), MAX_CELL_CHARS)))];
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
 * Columns one character takes on a terminal: 2 for East Asian wide and
 * fullwidth characters and emoji, else 1 (what string-width says for them,
 * without its cost).
 */
export function charWidth(char: string): number {
  const code = char.codePointAt(0) ?? 0;
  return (code >= 0x1100 && code <= 0x115f) ||
    (code >= 0x2e80 && code <= 0xa4cf && code !== 0x303f) ||
    (code >= 0xac00 && code <= 0xd7a3) ||
    (code >= 0xf900 && code <= 0xfaff) ||
    (code >= 0xfe30 && code <= 0xfe4f) ||
    (code >= 0xff00 && code <= 0xff60) ||
    (code >= 0xffe0 && code <= 0xffe6) ||
    (code >= 0x1f300 && code <= 0x1f64f) ||
    (code >= 0x1f900 && code <= 0x1f9ff) ||
    (code >= 0x20000 && code <= 0x3fffd)
    ? 2
    : 1;
}

/**
 * Greedy word wrap to `width` columns. A word wider than the width (an ARN, a
 * path) is broken after a separator where one falls in the second half of the
 * line, otherwise hard at the width, so nothing is truncated. Linear in the
 * text: a long word is walked with an index, never sliced again and again.
 */
export function wrapText(text: string, width: number, breakAfter: ReadonlySet<string> = BREAK_AFTER): string[] {
  const lines: string[] = [];
  let line: string[] = [];
  let lineWidth = 0;
  for (const word of text.split(' ').filter((part) => part !== '')) {
    const chars = [...word];
    const widths = chars.map(charWidth);
    const wordWidth = widths.reduce((sum, value) => sum + value, 0);
    if (line.length > 0 && lineWidth + 1 + wordWidth <= width) {
      line.push(' ', ...chars);
      lineWidth += 1 + wordWidth;
      continue;
    }
    if (line.length > 0) lines.push(line.join(''));
    let start = 0;
    let rest = wordWidth;
    while (rest > width) {
      // The most characters from `start` that fit, at least one.
      let end = start;
      let used = 0;
      while (end < chars.length && used + widths[end]! <= width) used += widths[end++]!;
      if (end === start) end += 1;
      let cut = end;
      for (let index = end - 1; index >= start + Math.ceil((end - start) / 2); index -= 1) {
        if (breakAfter.has(chars[index] ?? '')) {
          cut = index + 1;
          break;
        }
      }
      lines.push(chars.slice(start, cut).join(''));
      for (let index = start; index < cut; index += 1) rest -= widths[index]!;
      start = cut;
    }
    line = chars.slice(start);
    lineWidth = rest;
  }
  if (line.length > 0 || lines.length === 0) lines.push(line.join(''));
  return lines;
}
