import type { Catalog } from '../model/catalog.js';
import type { Finding } from '../model/finding.js';
import type { Report, RuleEvaluation } from '../model/report.js';
import { formatSource } from '../model/source.js';
import type { Reporter } from './context.js';
import { htmlEscape, markdownSafe, terminalSafe } from './escape.js';
import {
  coverageMatrix,
  findingsByControl,
  frameworkHeading,
  acceptedPhrase,
  day,
  mappedControls,
  partialCoverage,
  plural,
  recordTotals,
  recordsPhrase,
  severityCounts,
  subjectsByFindings,
  TOP_SUBJECTS,
  unevaluatedRules,
  type CoverageRule,
} from './overview.js';

/*
 * The auditor's report as GitHub-flavoured Markdown, for a pull-request
 * comment or a job summary: scope, summary by severity and category, the
 * coverage matrix, what was not evaluated, the findings, then each finding's
 * evidence, controls and remediation. Every string from the report or the
 * catalog goes through `md()` (markdownSafe); the only Markdown and HTML
 * syntax in the output is written by this file.
 */

const md = markdownSafe;
const htmlText = (text: string): string => htmlEscape(terminalSafe(text));

export const markdownReporter: Reporter = (report, context) => {
  const out: string[] = [];
  out.push(`# ${md(report.tool.name)} report`, '', headline(report), '');
  out.push(...scopeSection(report));
  out.push(...summarySection(report, context.catalog));
  out.push(...coverageSection(report, context.catalog));
  out.push(...evaluationSections(report));
  out.push(...findingsSection(report));
  out.push(...detailsSection(report, context.catalog));
  out.push(...acceptedSection(report));
  out.push(...warningsSection(report));
  out.push(...skippedSection(report));
  return `${out.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
};

function headline(report: Report): string {
  const counts = severityCounts(report).filter(({ count }) => count > 0).map(({ severity, count }) => `${count} ${severity}`);
  const parts = [`**${plural(report.summary.total, 'finding')}**${counts.length > 0 ? `: ${counts.join(', ')}` : ''}`];
  parts.push(`as of ${md(report.asOf)}`, `${md(report.tool.name)} ${md(report.tool.version)}`);
  const unevaluated = unevaluatedRules(report).length;
  if (unevaluated > 0) parts.push(`${plural(unevaluated, 'rule')} not evaluated`);
  return parts.join(' · ');
}

function scopeSection(report: Report): string[] {
  const window = report.logWindow;
  const totals = recordTotals(report).map(({ kind, count }) => plural(count, kind));
  const lines = [
    '## Scope',
    '',
    `- **Evaluated as of:** ${md(report.asOf)}`,
    `- **Log window:** ${window === null ? 'no event logs were given' : `${md(window.from)} → ${md(window.to)} (${plural(window.events, 'event')})`}`,
    `- **Inputs:** ${plural(report.inputs.length, 'file')}${totals.length > 0 ? ` — ${totals.join(', ')}` : ''}`,
  ];
  if (report.skipped.length > 0) lines.push(`- **Skipped:** ${plural(report.skipped.length, 'unreadable input')} (files or records, listed at the end)`);
  const accepted = acceptedPhrase(report);
  if (accepted !== null) lines.push(`- **Not counted:** ${md(accepted)} (listed under "Accepted findings")`);
  lines.push('', '| Input file | Format | Records | Skipped | Events from | Events to |', '|---|---|---|--:|---|---|');
  for (const input of report.inputs) {
    lines.push(row([md(input.file), md(input.format), md(recordsPhrase(input)), String(input.skipped), md(input.window?.from ?? '—'), md(input.window?.to ?? '—')]));
  }
  lines.push('');
  return lines;
}

function summarySection(report: Report, catalog: Catalog): string[] {
  const lines = ['## Summary', '', '| Severity | Findings |', '|---|--:|'];
  for (const { severity, count } of severityCounts(report)) lines.push(row([severity, String(count)]));
  const categories = findingsByControl(report, catalog);
  if (categories.length > 0) {
    lines.push('', '| OWASP NHI category | Findings |', '|---|--:|');
    for (const category of categories) lines.push(row([`${md(category.id)} ${md(category.label)}`, String(category.count)]));
  }
  const subjects = subjectsByFindings(report).slice(0, TOP_SUBJECTS);
  if (subjects.length > 0) {
    lines.push('', `| Subjects with the most findings | Kind | Findings | Worst |`, '|---|---|--:|---|');
    for (const { subject, count, worst } of subjects) lines.push(row([md(subject.id), md(subject.kind), String(count), worst]));
  }
  lines.push('');
  return lines;
}

function coverageSection(report: Report, catalog: Catalog): string[] {
  const lines = ['## Coverage by control', ''];
  for (const { framework, controls, findings: mappedFindings } of coverageMatrix(report, catalog)) {
    const covered = controls.filter((entry) => entry.rules.length > 0).length;
    lines.push(
      '<details>',
      // A <summary> line is raw HTML to GitHub, where backslash escapes would show: HTML escaping applies there.
      `<summary>${htmlText(frameworkHeading(framework))}: ${covered} of ${plural(controls.length, 'control')} covered by rules, ${plural(mappedFindings, 'finding')} mapped</summary>`,
      '',
      '| Control | Title | Rules | Findings |',
      '|---|---|---|--:|',
    );
    for (const { control, rules, findings } of controls) {
      if (rules.length > 0) lines.push(row([md(control.id), md(control.title), rules.map(coverageRuleCell).join('<br>'), String(findings)]));
    }
    // Uncovered controls in one line: a PR comment has a size limit, and their titles are in the HTML report.
    const uncovered = controls.filter((entry) => entry.rules.length === 0).map((entry) => md(entry.control.id));
    if (uncovered.length > 0) lines.push('', `No rule maps to: ${uncovered.join(', ')}.`);
    lines.push('', '</details>', '');
  }
  return lines;
}

function coverageRuleCell(rule: CoverageRule): string {
  const state = rule.status === 'evaluated' ? plural(rule.findings, 'finding') : rule.status.replace('-', ' ');
  return `${md(rule.id)} ${md(rule.name)} (${state})`;
}

function evaluationSections(report: Report): string[] {
  const lines: string[] = [];
  const unevaluated = unevaluatedRules(report);
  if (unevaluated.length > 0) {
    lines.push(`## Rules not evaluated (${unevaluated.length})`, '', '| Rule | Status | Reason |', '|---|---|---|');
    for (const evaluation of unevaluated) lines.push(row([ruleLabel(evaluation), evaluation.status, notesCell(evaluation)]));
    lines.push('');
  }
  const partial = partialCoverage(report);
  if (partial.length > 0) {
    lines.push(`## Coverage notes (${partial.length})`, '', '| Rule | What it could not judge |', '|---|---|');
    for (const evaluation of partial) lines.push(row([ruleLabel(evaluation), notesCell(evaluation)]));
    lines.push('');
  }
  return lines;
}

function ruleLabel(evaluation: RuleEvaluation): string {
  return `${md(evaluation.ruleId)} ${md(evaluation.ruleName)}`;
}

function notesCell(evaluation: RuleEvaluation): string {
  return evaluation.notes.length === 0 ? '—' : evaluation.notes.map(md).join('<br>');
}

function findingsSection(report: Report): string[] {
  if (report.findings.length === 0) return ['## Findings', '', 'No findings.', ''];
  const lines = [`## Findings (${report.findings.length})`, '', '| # | Severity | Rule | Subject | Message | Evidence |', '|--:|---|---|---|---|---|'];
  for (const [index, finding] of report.findings.entries()) {
    const first = finding.evidence[0];
    const evidence = first === undefined ? '—' : `${md(formatSource(first.source))}${finding.evidence.length > 1 ? ` +${finding.evidence.length - 1}` : ''}`;
    lines.push(row([String(index + 1), finding.severity, `${md(finding.ruleId)}<br>${md(finding.ruleName)}`, subjectCell(finding), md(finding.message), evidence]));
  }
  lines.push('');
  return lines;
}

function subjectCell(finding: Finding): string {
  const { kind, id, provider, tenant } = finding.subject;
  const where = [provider, tenant === undefined ? undefined : `tenant ${tenant}`].filter((part): part is string => part !== undefined);
  return `${md(id)}<br>${md(kind)}${where.length > 0 ? ` (${md(where.join(', '))})` : ''}`;
}

function detailsSection(report: Report, catalog: Catalog): string[] {
  if (report.findings.length === 0) return [];
  const lines = ['<details>', '<summary>Evidence, controls and remediation of each finding</summary>', ''];
  for (const [index, finding] of report.findings.entries()) {
    lines.push(`### ${index + 1}. ${finding.severity.toUpperCase()} · ${md(finding.ruleId)} ${md(finding.ruleName)}`, '');
    lines.push(`- **Subject:** ${subjectCell(finding).replace('<br>', ' — ')}`);
    lines.push(`- **Message:** ${md(finding.message)}`);
    lines.push('- **Evidence:**');
    if (finding.evidence.length === 0) lines.push('  - none recorded');
    for (const item of finding.evidence) lines.push(`  - ${md(formatSource(item.source))} — ${md(item.summary)}`);
    lines.push('- **Controls:**');
    for (const mapped of mappedControls(finding, catalog)) {
      const controls = mapped.controls.map((control) => `${md(control.id)}${control.title === null ? '' : ` ${md(control.title)}`}`);
      lines.push(`  - ${md(mapped.label)}: ${controls.join('; ')}`);
    }
    lines.push(`- **Remediation:** ${md(finding.remediation)}`, `- **Fingerprint:** ${md(finding.fingerprint)}`, '');
  }
  lines.push('</details>', '');
  return lines;
}

/** Findings set aside by ignore entries (with their justification) and what the baseline hid or no longer matches. */
function acceptedSection(report: Report): string[] {
  const baseline = report.baseline;
  if (report.suppressedFindings.length === 0 && baseline === null) return [];
  const lines = ['## Accepted findings', ''];
  if (report.suppressedFindings.length > 0) {
    lines.push(
      `${plural(report.suppressedFindings.length, 'finding')} suppressed by ignore entries (not counted):`,
      '',
      '| Severity | Rule | Subject | Reason | Until | Ignore entry | Fingerprint |',
      '|---|---|---|---|---|---|---|',
    );
    for (const finding of report.suppressedFindings) {
      const { suppression } = finding;
      lines.push(
        row([
          finding.severity,
          `${md(finding.ruleId)}<br>${md(finding.ruleName)}`,
          subjectCell(finding),
          md(suppression.reason),
          md(day(suppression.expires)),
          md(`${suppression.source.file}:${suppression.source.line}`),
          md(finding.fingerprint),
        ]),
      );
    }
    lines.push('');
  }
  if (baseline !== null) {
    lines.push(`Baseline ${md(baseline.file)}: ${plural(baseline.entries, 'entry')}, ${baseline.hidden} hidden${baseline.escalated > 0 ? `, ${baseline.escalated} counted again because they became more severe` : ''}.`, '');
    if (baseline.fixed.length > 0) {
      lines.push(`${plural(baseline.fixed.length, 'baseline entry')} no longer found (fixed, or their inputs are gone):`, '', '| Rule | Subject | Message |', '|---|---|---|');
      for (const entry of baseline.fixed) lines.push(row([`${md(entry.ruleId)}<br>${md(entry.ruleName)}`, md(entry.subject.id), md(entry.message)]));
      lines.push('');
    }
  }
  return lines;
}

function warningsSection(report: Report): string[] {
  if (report.warnings.length === 0) return [];
  const lines = [`## Warnings (${report.warnings.length})`, '', '| Where | Warning |', '|---|---|'];
  for (const warning of report.warnings) lines.push(row([md(`${warning.source.file}:${warning.source.line}`), md(warning.message)]));
  lines.push('');
  return lines;
}

function skippedSection(report: Report): string[] {
  if (report.skipped.length === 0) return [];
  const lines = [`## Skipped inputs (${report.skipped.length})`, '', '| File | Line | Problem |', '|---|--:|---|'];
  for (const skip of report.skipped) lines.push(row([md(skip.file), skip.line > 0 ? String(skip.line) : '—', md(skip.message)]));
  lines.push('');
  return lines;
}

/** One table row; cells are already escaped (markdownSafe turns `|` into `\|` and line breaks into spaces). */
function row(cells: readonly string[]): string {
  return `| ${cells.join(' | ')} |`;
}
