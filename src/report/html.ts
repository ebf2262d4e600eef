import { createHash } from 'node:crypto';
import type { Catalog } from '../model/catalog.js';
import type { Finding } from '../model/finding.js';
import type { Report, RuleEvaluation } from '../model/report.js';
import { SEVERITIES, type Severity } from '../model/severity.js';
import { formatSource } from '../model/source.js';
import type { Reporter } from './context.js';
import { htmlEscape } from './escape.js';
import {
  compareText,
  coverageMatrix,
  day,
  findingsByControl,
  frameworkHeading,
  acceptedPhrase,
  mappedControls,
  partialCoverage,
  plural,
  recordTotals,
  recordsPhrase,
  severityCounts,
  subjectsByFindings,
  TOP_SUBJECTS,
  unevaluatedRules,
  type CountedLabel,
  type CoverageRule,
} from './overview.js';

/*
 * The auditor's report as one self-contained HTML file. Nothing is fetched:
 * no fonts, images, scripts or styles from elsewhere, and a Content-Security-
 * Policy of `default-src 'none'` that admits exactly the one inline style and
 * the one inline script by their SHA-256 hashes, computed here from the bytes
 * written. Every string from the report or the catalog goes through `h()`
 * (htmlEscape), in text and in quoted attributes alike; the script reads
 * values back through `dataset` and writes only `textContent` and `hidden`,
 * so no input string is ever parsed as markup.
 */

const h = htmlEscape;

export const htmlReporter: Reporter = (report, context) => {
  const catalog = context.catalog;
  const body = [
    header(report),
    nav(report),
    '<main>',
    summarySection(report, catalog),
    scopeSection(report),
    coverageSection(report, catalog),
    evaluationSection(report),
    findingsSection(report, catalog),
    acceptedSection(report),
    '</main>',
    footer(report),
  ].join('\n');
  const policy = [
    "default-src 'none'",
    `style-src '${sha256(STYLE)}'`,
    `script-src '${sha256(SCRIPT)}'`,
    "img-src 'none'",
    "font-src 'none'",
    "connect-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${policy}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${h(report.tool.name)} report · as of ${h(report.asOf)}</title>
<style>${STYLE}</style>
</head>
<body>
${body}
<script>${SCRIPT}</script>
</body>
</html>
`;
};

/** CSP source expression for an inline block: `sha256-<base64>` of its exact UTF-8 text. */
function sha256(text: string): string {
  return `sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}`;
}

function header(report: Report): string {
  const window = report.logWindow;
  const accepted = acceptedPhrase(report);
  const facts: [string, string][] = [
    ['Evaluated as of', `<time>${h(report.asOf)}</time>`],
    [
      'Log window',
      window === null
        ? '<span class="muted">no event logs given</span>'
        : `<time>${h(window.from)}</time> → <time>${h(window.to)}</time> <span class="muted">(${plural(window.events, 'event')})</span>`,
    ],
    ['Inputs', `${plural(report.inputs.length, 'file')}${report.skipped.length > 0 ? ` <span class="warn">· ${report.skipped.length} skipped</span>` : ''}`],
    ['Findings', `<strong id="findings-total">${report.summary.total}</strong>${accepted === null ? '' : ` <span class="muted">(not counted: ${h(accepted)})</span>`}`],
  ];
  return `<header class="masthead">
<div class="wrap">
<p class="tool">${h(report.tool.name)} <span>${h(report.tool.version)}</span></p>
<h1>Non-human identity audit</h1>
<dl class="facts">${facts.map(([term, value]) => `<div><dt>${term}</dt><dd>${value}</dd></div>`).join('')}</dl>
</div>
</header>`;
}

function nav(report: Report): string {
  const unevaluated = unevaluatedRules(report).length;
  const links: [string, string][] = [
    ['summary', 'Summary'],
    ['scope', 'Scope'],
    ['coverage', 'Coverage'],
    ['evaluation', `Not evaluated${unevaluated > 0 ? ` (${unevaluated})` : ''}`],
    ['findings', `Findings (${report.findings.length})`],
    ...(report.suppressedFindings.length > 0 || report.baseline !== null || report.warnings.length > 0
      ? ([['accepted', `Accepted (${report.suppressedFindings.length + (report.baseline?.hidden ?? 0)})`]] as [string, string][])
      : []),
  ];
  return `<nav class="toc"><div class="wrap">${links.map(([id, label]) => `<a href="#${id}">${label}</a>`).join('')}</div></nav>`;
}

function summarySection(report: Report, catalog: Catalog): string {
  const cards = severityCounts(report)
    .map(({ severity, count }) => `<div class="card sev-${severity}${count === 0 ? ' zero' : ''}"><span class="n">${count}</span><span class="l">${severity}</span></div>`)
    .join('');
  const bySeverity = barChart(
    'Findings by severity',
    severityCounts(report).map(({ severity, count }) => ({ label: severity, title: severity, count, tone: severity })),
  );
  const byCategory = barChart(
    'Findings by OWASP NHI category',
    findingsByControl(report, catalog).map((category: CountedLabel) => ({
      label: `${category.id.replace(/:\d{4}$/, '')} ${category.label}`,
      title: `${category.id} ${category.label}`,
      count: category.count,
      tone: 'category',
    })),
  );
  const ranked = subjectsByFindings(report);
  const subjects = ranked.slice(0, TOP_SUBJECTS);
  const repeated = ranked.filter((entry) => entry.count > 1).length;
  const bySubject =
    subjects.length === 0
      ? ''
      : barChart(
          `Subjects with the most findings (top ${subjects.length})`,
          subjects.map(({ subject, count, worst }) => ({ label: subject.id, cut: 'middle' as const, title: `${subject.kind} ${subject.id}: worst ${worst}`, count, tone: worst })),
          `${plural(ranked.length, 'subject')} with findings, ${repeated} with more than one; bars coloured by the worst severity.`,
        );
  return `<section id="summary" class="wrap">
<h2>Summary</h2>
<div class="cards">${cards}</div>
<div class="charts">${bySeverity}${byCategory}${bySubject}</div>
</section>`;
}

interface Bar {
  readonly label: string;
  /** Ids keep head and tail when shortened (`arn:aws:iam::…/deploy-bot`); prose keeps its start. */
  readonly cut?: 'middle' | 'end';
  readonly title: string;
  readonly count: number;
  readonly tone: Severity | 'category';
}

const CHART = { width: 400, labelWidth: 190, barHeight: 18, gap: 8, countWidth: 30 } as const;

/** A horizontal bar chart as inline SVG; labels longer than the label column are shortened, the full text is the bar's tooltip. */
function barChart(caption: string, bars: readonly Bar[], note?: string): string {
  const max = Math.max(1, ...bars.map((bar) => bar.count));
  const plot = CHART.width - CHART.labelWidth - CHART.countWidth;
  const height = bars.length * (CHART.barHeight + CHART.gap);
  const rows = bars.map((bar, index) => {
    const y = index * (CHART.barHeight + CHART.gap);
    const width = bar.count === 0 ? 0 : Math.max(2, Math.round((bar.count / max) * plot));
    const middle = y + CHART.barHeight / 2;
    return `<g><title>${h(bar.title)}: ${bar.count}</title><text class="lbl" x="${CHART.labelWidth - 8}" y="${middle}">${h(shorten(bar.label, 26, bar.cut ?? 'end'))}</text><rect class="track" x="${CHART.labelWidth}" y="${y}" width="${plot}" height="${CHART.barHeight}" rx="3"/><rect class="bar tone-${bar.tone}" x="${CHART.labelWidth}" y="${y}" width="${width}" height="${CHART.barHeight}" rx="3"/><text class="cnt" x="${CHART.labelWidth + width + 6}" y="${middle}">${bar.count}</text></g>`;
  });
  return `<figure class="chart"><figcaption>${h(caption)}</figcaption><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${CHART.width} ${height}" width="${CHART.width}" height="${height}" preserveAspectRatio="xMinYMin meet" role="img" aria-label="${h(caption)}">${rows.join('')}</svg>${note === undefined ? '' : `<p class="note">${h(note)}</p>`}</figure>`;
}

/**
 * At most `max` code points (before escaping, so no entity is split), cut at
 * the end, or in the middle for ids, whose head and tail say what they are.
 */
function shorten(text: string, max: number, cut: 'middle' | 'end'): string {
  const points = [...text];
  if (points.length <= max) return text;
  const tail = cut === 'middle' ? Math.floor((max - 1) / 2) : 0;
  return `${points.slice(0, max - 1 - tail).join('')}…${points.slice(points.length - tail).join('')}`;
}

function scopeSection(report: Report): string {
  const totals = recordTotals(report).map(({ kind, count }) => `<li><span class="n">${count}</span> ${h(plural(count, kind).replace(/^\d+ /, ''))}</li>`);
  const rows = report.inputs.map(
    (input) =>
      `<tr><td class="mono">${h(input.file)}</td><td class="nowrap">${h(input.format)}</td><td>${h(recordsPhrase(input))}</td><td class="num">${input.skipped}</td><td class="nowrap">${
        input.window === undefined ? '<span class="muted">—</span>' : `<time>${h(input.window.from)}</time><br>→ <time>${h(input.window.to)}</time>`
      }</td></tr>`,
  );
  const skipped =
    report.skipped.length === 0
      ? ''
      : `<h3>Skipped inputs (${report.skipped.length})</h3>
<table class="grid"><thead><tr><th>File</th><th>Line</th><th>Problem</th></tr></thead><tbody>${report.skipped
          .map((skip) => `<tr><td class="mono">${h(skip.file)}</td><td class="num">${skip.line > 0 ? skip.line : '—'}</td><td>${h(skip.message)}</td></tr>`)
          .join('')}</tbody></table>`;
  return `<section id="scope" class="wrap">
<h2>Scope</h2>
<ul class="totals">${totals.join('')}</ul>
<table class="grid"><thead><tr><th>Input file</th><th>Format</th><th>Records</th><th>Skipped</th><th>Events</th></tr></thead><tbody>${rows.join('')}</tbody></table>
${skipped}
</section>`;
}

function coverageSection(report: Report, catalog: Catalog): string {
  const frameworks = coverageMatrix(report, catalog).map(({ framework, controls, findings }, index) => {
    const covered = controls.filter((entry) => entry.rules.length > 0).length;
    const rows = controls.map(({ control, rules, findings: count }) => {
      const ruleList =
        rules.length === 0 ? '<span class="muted">no rule maps to this control</span>' : `<ul class="rules">${rules.map(coverageRuleItem).join('')}</ul>`;
      return `<tr class="${rules.length === 0 ? 'gap' : ''}"><td class="mono ctl">${h(control.id)}</td><td>${h(control.title)}</td><td>${ruleList}</td><td class="num">${count === 0 ? '<span class="muted">0</span>' : `<strong>${count}</strong>`}</td></tr>`;
    });
    return `<details class="framework"${index === 0 ? ' open' : ''}><summary><span class="fw">${h(frameworkHeading(framework))}</span><span class="muted">${covered} of ${plural(
      controls.length,
      'control',
    )} covered by rules · ${plural(findings, 'finding')} mapped</span></summary>
<table class="grid matrix"><thead><tr><th>Control</th><th>Title</th><th>Rules → findings</th><th>Findings</th></tr></thead><tbody>${rows.join('')}</tbody></table></details>`;
  });
  return `<section id="coverage" class="wrap">
<h2>Coverage by control</h2>
<p class="muted">Each control of each framework, the rules mapped to it and what they found. A rule that could not run says so: not evaluated is not clean.</p>
${frameworks.join('\n')}
</section>`;
}

function coverageRuleItem(rule: CoverageRule): string {
  const state =
    rule.status === 'evaluated'
      ? `<span class="st ${rule.findings > 0 ? 'st-hit' : 'st-ok'}">${plural(rule.findings, 'finding')}</span>`
      : `<span class="st st-${rule.status}">${h(rule.status.replace('-', ' '))}</span>`;
  const reason = rule.status === 'evaluated' || rule.notes.length === 0 ? '' : ` title="${h(rule.notes.join('; '))}"`;
  return `<li${reason}><span class="mono">${h(rule.id)}</span> ${h(rule.name)} ${state}</li>`;
}

function evaluationSection(report: Report): string {
  const unevaluated = unevaluatedRules(report);
  const partial = partialCoverage(report);
  const table = (evaluations: readonly RuleEvaluation[], withStatus: boolean): string =>
    `<table class="grid"><thead><tr><th>Rule</th>${withStatus ? '<th>Status</th>' : ''}<th>${withStatus ? 'Reason' : 'What it could not judge'}</th></tr></thead><tbody>${evaluations
      .map(
        (evaluation) =>
          `<tr><td class="nowrap"><span class="mono">${h(evaluation.ruleId)}</span><br><span class="muted">${h(evaluation.ruleName)}</span></td>${
            withStatus ? `<td><span class="st st-${evaluation.status}">${h(evaluation.status.replace('-', ' '))}</span></td>` : ''
          }<td>${evaluation.notes.length === 0 ? '<span class="muted">—</span>' : `<ul class="notes">${evaluation.notes.map((note) => `<li>${h(note)}</li>`).join('')}</ul>`}</td></tr>`,
      )
      .join('')}</tbody></table>`;
  return `<section id="evaluation" class="wrap">
<h2>Rules not evaluated (${unevaluated.length})</h2>
${unevaluated.length === 0 ? '<p class="muted">Every selected rule was evaluated.</p>' : table(unevaluated, true)}
${partial.length === 0 ? '' : `<h3>Coverage notes (${partial.length})</h3>\n${table(partial, false)}`}
</section>`;
}

function findingsSection(report: Report, catalog: Catalog): string {
  const findings = report.findings;
  const options = (values: readonly string[]): string => values.map((value) => `<option value="${h(value)}">${h(value)}</option>`).join('');
  const present = SEVERITIES.filter((severity) => findings.some((finding) => finding.severity === severity));
  const rules = [...new Set(findings.map((finding) => finding.ruleId))].sort(compareText);
  const providers = [...new Set(findings.map(providerOf))].sort(compareText);
  const rows = findings.map((finding, index) => findingRow(finding, index, catalog));
  return `<section id="findings" class="wrap">
<h2>Findings</h2>
<div class="filters" role="search">
<label>Severity <select id="filter-severity"><option value="">all</option>${options(present)}</select></label>
<label>Rule <select id="filter-rule"><option value="">all</option>${options(rules)}</select></label>
<label>Provider <select id="filter-provider"><option value="">all</option>${options(providers)}</select></label>
<label class="grow">Subject <input id="filter-subject" type="search" placeholder="id contains…" autocomplete="off"></label>
<button type="button" id="filter-reset">Reset</button>
<button type="button" id="expand-all">Expand all</button>
<p class="shown"><strong id="findings-shown">${findings.length}</strong> of ${findings.length} shown</p>
</div>
<table class="grid findings" id="findings-table">
<colgroup><col class="c-order"><col class="c-severity"><col class="c-rule"><col class="c-provider"><col class="c-subject"><col></colgroup>
<thead><tr>${[
    ['order', '#'],
    ['severity', 'Severity'],
    ['rule', 'Rule'],
    ['provider', 'Provider'],
    ['subject', 'Subject'],
  ]
    .map(([key, label]) => `<th aria-sort="none"><button type="button" data-sort="${key}">${label}</button></th>`)
    .join('')}<th>Finding</th></tr></thead>
<tbody>${rows.join('\n')}</tbody>
</table>
<p id="findings-empty" class="empty"${findings.length === 0 ? '' : ' hidden'}>${findings.length === 0 ? 'No findings.' : 'No finding matches the filters.'}</p>
</section>`;
}

/** Findings set aside by ignore entries (with their justification), the baseline's outcome, and setup warnings. */
function acceptedSection(report: Report): string {
  const baseline = report.baseline;
  if (report.suppressedFindings.length === 0 && baseline === null && report.warnings.length === 0) return '';
  const parts = ['<section id="accepted" class="wrap">', '<h2>Accepted findings and warnings</h2>'];
  if (report.warnings.length > 0) {
    parts.push(
      `<h3>Warnings (${report.warnings.length})</h3>`,
      `<table class="grid"><thead><tr><th>Where</th><th>Warning</th></tr></thead><tbody>${report.warnings
        .map((warning) => `<tr><td class="mono">${h(warning.source.file)}:${warning.source.line}</td><td>${h(warning.message)}</td></tr>`)
        .join('')}</tbody></table>`,
    );
  }
  if (report.suppressedFindings.length > 0) {
    parts.push(
      `<h3>Suppressed by ignore entries (${report.suppressedFindings.length}, not counted)</h3>`,
      `<table class="grid" id="suppressed-table"><thead><tr><th>Severity</th><th>Rule</th><th>Subject</th><th>Reason</th><th>Until</th><th>Ignore entry</th><th>Fingerprint</th></tr></thead><tbody>${report.suppressedFindings
        .map(
          (finding) =>
            `<tr><td><span class="badge sev-${finding.severity}">${finding.severity}</span></td><td class="nowrap"><span class="mono">${h(finding.ruleId)}</span><br><span class="muted">${h(
              finding.ruleName,
            )}</span></td><td class="mono">${h(finding.subject.id)}</td><td>${h(finding.suppression.reason)}</td><td class="nowrap"><time>${h(
              finding.suppression.expires,
            )}</time></td><td class="mono">${h(finding.suppression.source.file)}:${finding.suppression.source.line}</td><td class="mono">${h(finding.fingerprint)}</td></tr>`,
        )
        .join('')}</tbody></table>`,
    );
  }
  if (baseline !== null) {
    parts.push(
      `<h3>Baseline</h3>`,
      `<p><span class="mono">${h(baseline.file)}</span>: ${plural(baseline.entries, 'entry')}, ${baseline.hidden} hidden${
        baseline.escalated > 0 ? `, ${baseline.escalated} counted again because they became more severe` : ''
      }.</p>`,
    );
    if (baseline.fixed.length > 0) {
      parts.push(
        `<p>${plural(baseline.fixed.length, 'baseline entry')} no longer found (fixed, or their inputs are gone):</p>`,
        `<table class="grid"><thead><tr><th>Rule</th><th>Subject</th><th>Message</th></tr></thead><tbody>${baseline.fixed
          .map((entry) => `<tr><td class="mono">${h(entry.ruleId)}</td><td class="mono">${h(entry.subject.id)}</td><td>${h(entry.message)}</td></tr>`)
          .join('')}</tbody></table>`,
      );
    }
  }
  parts.push('</section>');
  return parts.join('\n');
}

function providerOf(finding: Finding): string {
  return finding.subject.provider ?? '—';
}

function findingRow(finding: Finding, index: number, catalog: Catalog): string {
  const { subject } = finding;
  const data = [
    ['order', String(index + 1)],
    ['severity', finding.severity],
    ['severity-rank', String(SEVERITIES.indexOf(finding.severity))],
    ['rule', finding.ruleId],
    ['provider', providerOf(finding)],
    ['subject', subject.id],
  ]
    .map(([key, value]) => `data-${key}="${h(value ?? '')}"`)
    .join(' ');
  const evidence =
    finding.evidence.length === 0
      ? '<p class="muted">No evidence records.</p>'
      : `<ul class="evidence">${finding.evidence.map((item) => `<li><code>${h(formatSource(item.source))}</code> ${h(item.summary)}</li>`).join('')}</ul>`;
  const controls = mappedControls(finding, catalog)
    .map(
      (mapped) =>
        `<dt>${h(mapped.label)}</dt><dd><ul>${mapped.controls
          .map((control) => `<li><span class="mono ctl">${h(control.id)}</span>${control.title === null ? '' : ` ${h(control.title)}`}</li>`)
          .join('')}</ul></dd>`,
    )
    .join('');
  return `<tr id="finding-${index + 1}" ${data}>
<td class="num">${index + 1}</td>
<td><span class="badge sev-${finding.severity}">${finding.severity}</span></td>
<td><span class="mono">${h(finding.ruleId)}</span><br><span class="muted">${h(finding.ruleName)}</span></td>
<td>${h(providerOf(finding))}</td>
<td class="subject"><span class="kind">${h(subject.kind)}</span> <span class="mono">${h(subject.id)}</span>${subject.tenant === undefined ? '' : `<br><span class="muted">tenant ${h(subject.tenant)}</span>`}</td>
<td class="finding"><p class="msg">${h(finding.message)}</p><details><summary>Evidence (${finding.evidence.length}), controls, remediation</summary>
<h4>Evidence</h4>${evidence}
<h4>Controls</h4><dl class="controls">${controls}</dl>
<h4>Remediation</h4><p>${h(finding.remediation)}</p>
<p class="fp">Fingerprint <code>${h(finding.fingerprint)}</code></p></details></td>
</tr>`;
}

function footer(report: Report): string {
  return `<footer class="wrap"><p>Generated by ${h(report.tool.name)} ${h(report.tool.version)} as of ${h(day(report.asOf))} from ${plural(
    report.inputs.length,
    'input file',
  )}. This file is self-contained: it loads nothing from the network.</p></footer>`;
}

const STYLE = `
:root{--ink:#1c2330;--muted:#5d6675;--line:#dde2ea;--soft:#f4f6f9;--accent:#2a4d8f;--critical:#a3161a;--high:#d4500f;--medium:#b7860b;--low:#2f6fb7;--info:#6b7585;--mono:ui-monospace,SFMono-Regular,Menlo,Consolas,"DejaVu Sans Mono","Liberation Mono",monospace}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Liberation Sans",Arial,sans-serif;color:var(--ink);background:#fff}
.wrap{max-width:1240px;margin:0 auto;padding:0 24px}
.masthead{background:#16213a;color:#eef2f8;padding:22px 0 18px}
.masthead .tool{margin:0;font:600 12px/1 var(--mono);letter-spacing:.08em;text-transform:uppercase;color:#9fb2d6}
.masthead .tool span{color:#c9d4ea;font-weight:400}
.masthead h1{margin:6px 0 14px;font-size:26px;font-weight:650;letter-spacing:-.01em}
.facts{display:flex;flex-wrap:wrap;gap:10px 36px;margin:0}
.facts div{min-width:0}
.facts dt{font-size:11px;text-transform:uppercase;letter-spacing:.06em;color:#9fb2d6}
.facts dd{margin:2px 0 0;font-size:14px}
.facts .muted{color:#9fb2d6}
.facts .warn{color:#ffc879}
#findings-total{font-size:18px}
.toc{position:sticky;top:0;z-index:2;background:#fff;border-bottom:1px solid var(--line)}
.toc .wrap{display:flex;gap:4px;overflow-x:auto}
.toc a{padding:10px 12px;color:var(--accent);text-decoration:none;font-weight:550;white-space:nowrap;border-bottom:2px solid transparent}
.toc a:hover,.toc a:focus{border-bottom-color:var(--accent)}
section{padding-top:8px;scroll-margin-top:48px}
h2{font-size:19px;margin:26px 0 12px;padding-bottom:6px;border-bottom:1px solid var(--line)}
h3{font-size:15px;margin:22px 0 8px}
h4{font-size:11px;text-transform:uppercase;letter-spacing:.06em;color:var(--muted);margin:12px 0 4px}
.muted{color:var(--muted)}
.nowrap{white-space:nowrap}
.mono,code{font-family:var(--mono);font-size:12.5px;overflow-wrap:break-word}
code{background:var(--soft);border-radius:3px;padding:0 3px}
.cards{display:grid;grid-template-columns:repeat(5,minmax(0,1fr));gap:12px;margin-bottom:18px}
.card{border:1px solid var(--line);border-top:4px solid var(--c);border-radius:6px;padding:10px 14px;display:flex;flex-direction:column}
.card .n{font-size:28px;font-weight:700;line-height:1.1;color:var(--c)}
.card .l{text-transform:capitalize;color:var(--muted)}
.card.zero .n{color:#b8bfca}
.sev-critical{--c:var(--critical)}.sev-high{--c:var(--high)}.sev-medium{--c:var(--medium)}.sev-low{--c:var(--low)}.sev-info{--c:var(--info)}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(370px,1fr));gap:16px;align-items:start}
.chart{margin:0;border:1px solid var(--line);border-radius:6px;padding:12px 14px}
.chart figcaption{font-weight:600;margin-bottom:10px}
.chart svg{display:block;max-width:100%;height:auto;overflow:visible}
.chart text{font-size:12px;fill:var(--ink);dominant-baseline:central}
.chart .lbl{text-anchor:end}
.chart .cnt{fill:var(--muted);font-weight:600}
.chart .track{fill:var(--soft)}
.chart .note{margin:10px 0 0;font-size:12px;color:var(--muted)}
.tone-critical{fill:var(--critical)}.tone-high{fill:var(--high)}.tone-medium{fill:var(--medium)}.tone-low{fill:var(--low)}.tone-info{fill:var(--info)}.tone-category{fill:var(--accent)}
.totals{display:flex;flex-wrap:wrap;gap:6px 20px;list-style:none;padding:0;margin:0 0 12px;color:var(--muted)}
.totals .n{font-weight:700;color:var(--ink)}
table.grid{width:100%;border-collapse:collapse;margin:6px 0 14px}
.grid th{text-align:left;font-size:12px;color:var(--muted);font-weight:600;background:var(--soft);border-bottom:1px solid var(--line);padding:7px 10px;white-space:nowrap}
.grid td{border-bottom:1px solid var(--line);padding:8px 10px;vertical-align:top;overflow-wrap:break-word}
.grid td.num,.grid th.num{text-align:right;font-variant-numeric:tabular-nums}
.framework{border:1px solid var(--line);border-radius:6px;margin:0 0 12px;padding:0 14px}
.framework>summary{cursor:pointer;padding:11px 0;display:flex;flex-wrap:wrap;gap:4px 14px;align-items:baseline}
.framework .fw{font-weight:600}
.matrix .ctl{white-space:nowrap}
.matrix tr.gap td{background:#fbfbfc;color:var(--muted)}
.rules,.notes,.evidence{margin:0;padding-left:18px}
.rules li{margin:1px 0}
.st{display:inline-block;font-size:11px;font-weight:600;border-radius:10px;padding:0 7px;margin-left:2px;white-space:nowrap}
.st-hit{background:#fde8e4;color:#8f2414}.st-ok{background:#e5f4ea;color:#1d6b3a}
.st-not-evaluated,.st-not-run{background:#fff3d6;color:#7a5300}.st-error{background:#fde2e2;color:#9b1c1c}.st-disabled{background:#eceef2;color:#525b6a}
.filters{display:flex;flex-wrap:wrap;align-items:end;gap:10px 14px;background:var(--soft);border:1px solid var(--line);border-radius:6px;padding:12px 14px;margin-bottom:10px}
.filters label{display:flex;flex-direction:column;font-size:12px;color:var(--muted);font-weight:600;gap:3px}
.filters .grow{flex:1 1 200px}
.filters select,.filters input,.filters button{font:inherit;font-size:13px;padding:5px 8px;border:1px solid #c4cbd6;border-radius:4px;background:#fff;color:var(--ink)}
.filters button{cursor:pointer;font-weight:550}
.filters button:hover{border-color:var(--accent)}
.filters .shown{margin:0 0 0 auto;align-self:center;color:var(--muted)}
.findings th button{font:inherit;color:inherit;background:none;border:0;padding:0;cursor:pointer}
.findings th button::after{content:"\\2195";opacity:.35;margin-left:4px}
.findings th[aria-sort=ascending] button::after{content:"\\2191";opacity:1}
.findings th[aria-sort=descending] button::after{content:"\\2193";opacity:1}
.findings tbody tr:hover td{background:#fafbfd}
.findings td.subject{max-width:260px}
.findings .kind{display:block;font-size:11px;text-transform:uppercase;letter-spacing:.04em;color:var(--muted)}
.findings .msg{margin:0 0 4px}
.findings details>summary{cursor:pointer;color:var(--accent);font-size:12.5px}
.findings details[open]{background:#fbfcfe;border-left:3px solid var(--line);padding:2px 10px 6px;margin-top:4px}
.findings{table-layout:fixed}
.findings td,.findings .mono{overflow-wrap:anywhere}
.c-order{width:44px}.c-severity{width:104px}.c-rule{width:200px}.c-provider{width:86px}.c-subject{width:250px}
.controls{display:grid;grid-template-columns:minmax(120px,190px) 1fr;gap:3px 12px;margin:0}
.controls dt{color:var(--muted);font-size:12.5px}
.controls dd{margin:0}
.controls ul{list-style:none;margin:0;padding:0}
.controls .ctl{display:inline-block;min-width:64px;font-weight:600}
.fp{margin:10px 0 0;font-size:12px;color:var(--muted)}
.badge{display:inline-block;white-space:nowrap;min-width:64px;text-align:center;font-size:11px;font-weight:700;text-transform:uppercase;letter-spacing:.04em;color:#fff;background:var(--c);border-radius:3px;padding:2px 6px}
.empty{padding:18px;text-align:center;color:var(--muted);border:1px dashed var(--line);border-radius:6px}
footer{margin:30px auto 24px;color:var(--muted);font-size:12px;border-top:1px solid var(--line)}
[hidden]{display:none!important}
@media (max-width:800px){.cards{grid-template-columns:repeat(3,1fr)}.charts{grid-template-columns:1fr}}
@media print{
@page{margin:14mm 12mm}
body{font-size:10.5px;color:#000}
.wrap{max-width:none;padding:0}
.masthead{background:none;color:#000;padding:0 0 8px;border-bottom:2px solid #000}
.masthead .tool,.masthead .tool span,.facts dt,.facts .muted{color:#444}
.toc,.filters,#expand-all,.findings th button::after{display:none}
.findings th button{pointer-events:none}
h2{break-after:avoid;margin-top:16px}
tr,.chart,.card,.framework{break-inside:avoid}
.charts{grid-template-columns:repeat(3,1fr);gap:8px}
.chart{padding:8px}
.findings details[open]>summary,.framework[open]>summary::marker{display:none}
.findings details{border:0;padding:0;background:none}
.mono,code{font-size:9.5px}
*{-webkit-print-color-adjust:exact;print-color-adjust:exact}
a{color:inherit;text-decoration:none}
}
`;

/*
 * Sorting and filtering, in plain ES2015, with no markup parsing: rows are
 * reordered and hidden, counts set through textContent. Before printing every
 * <details> is opened so the paper copy holds all the coverage and evidence.
 */
const SCRIPT = `
(function () {
  'use strict';
  var table = document.getElementById('findings-table');
  if (!table) return;
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var severity = document.getElementById('filter-severity');
  var rule = document.getElementById('filter-rule');
  var provider = document.getElementById('filter-provider');
  var subject = document.getElementById('filter-subject');
  var shown = document.getElementById('findings-shown');
  var empty = document.getElementById('findings-empty');
  function apply() {
    var text = subject.value.trim().toLowerCase();
    var count = 0;
    rows.forEach(function (row) {
      var d = row.dataset;
      var match = (!severity.value || d.severity === severity.value) &&
        (!rule.value || d.rule === rule.value) &&
        (!provider.value || d.provider === provider.value) &&
        (!text || d.subject.toLowerCase().indexOf(text) !== -1);
      row.hidden = !match;
      if (match) count += 1;
    });
    shown.textContent = String(count);
    empty.hidden = count !== 0;
  }
  var numeric = { order: 'order', severity: 'severityRank' };
  var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);
  function sortBy(key, direction) {
    var field = numeric[key] || key;
    var sign = direction === 'ascending' ? 1 : -1;
    rows.sort(function (a, b) {
      var x = a.dataset[field];
      var y = b.dataset[field];
      var c = numeric[key] ? Number(x) - Number(y) : (x < y ? -1 : x > y ? 1 : 0);
      return c !== 0 ? sign * c : Number(a.dataset.order) - Number(b.dataset.order);
    });
    rows.forEach(function (row) { body.appendChild(row); });
    headers.forEach(function (cell) {
      var button = cell.querySelector('button[data-sort]');
      cell.setAttribute('aria-sort', button && button.dataset.sort === key ? direction : 'none');
    });
  }
  table.tHead.addEventListener('click', function (event) {
    var button = event.target.closest('button[data-sort]');
    if (!button) return;
    var cell = button.parentElement;
    sortBy(button.dataset.sort, cell.getAttribute('aria-sort') === 'ascending' ? 'descending' : 'ascending');
  });
  [severity, rule, provider].forEach(function (select) { select.addEventListener('change', apply); });
  subject.addEventListener('input', apply);
  document.getElementById('filter-reset').addEventListener('click', function () {
    severity.value = ''; rule.value = ''; provider.value = ''; subject.value = '';
    apply();
  });
  var details = Array.prototype.slice.call(table.querySelectorAll('details'));
  var expand = document.getElementById('expand-all');
  expand.addEventListener('click', function () {
    var open = details.some(function (item) { return !item.open; });
    details.forEach(function (item) { item.open = open; });
    expand.textContent = open ? 'Collapse all' : 'Expand all';
  });
  // Paper cannot be clicked: print every framework's matrix and every finding's details.
  window.addEventListener('beforeprint', function () {
    Array.prototype.forEach.call(document.querySelectorAll('details'), function (item) { item.open = true; });
  });
})();
`;
