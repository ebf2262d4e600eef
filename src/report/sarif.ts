import type {
  Artifact,
  ArtifactLocation,
  Location,
  Log,
  Notification,
  ReportingDescriptor,
  ReportingDescriptorRelationship,
  Result,
  Run,
  ToolComponent,
} from 'sarif';
import type { Catalog, RuleMeta } from '../model/catalog.js';
import type { Evidence, Finding } from '../model/finding.js';
import type { Report } from '../model/report.js';
import { SECURITY_SEVERITY_SCORE, type Severity } from '../model/severity.js';
import type { SourceRef } from '../model/source.js';
import type { Reporter } from './context.js';
import { markdownSafe, stringifyJson, terminalSafe } from './escape.js';
import { recordCounts } from './json.js';
import { orderedMappingsObject, orderMappings, resolveControl } from './mappings.js';

/*
 * SARIF 2.1.0 for GitHub code scanning and other SARIF consumers. Validated
 * against the OASIS schema in test/report. Output is a pure function of the
 * report and the catalog: no timestamps, no absolute paths, no machine state.
 */

const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';
/** Where the tool is described; the npm package page until the project has a home page. */
export const TOOL_INFORMATION_URI = 'https://www.npmjs.com/package/nhi-audit';
/** Results point at input files relative to where the scan ran; consumers map this base to the checkout. */
const SRCROOT = '%SRCROOT%';
/** partialFingerprints key: the fingerprint is computed upstream from record identity, not lines. */
const FINGERPRINT_KEY = 'nhiAudit/v1';
/** GitHub shows at most a handful of locations; the rest stay in the JSON report. */
const MAX_LOCATIONS = 10;
const BASE_TAGS = ['security', 'non-human-identity'] as const;

/**
 * Notification descriptors (tool.driver.notifications), referenced by id and
 * index. Each carries a short and a full description and help, as GitHub's
 * ingestion rules ask of every reporting descriptor (GH2012), not only rules.
 */
const NOTIFICATIONS = [
  {
    id: 'input-skipped',
    name: 'input-skipped',
    short: 'An input record or file could not be read',
    full: 'An input record or whole file could not be read (bad syntax, a time without a zone, an unknown format); the scan went on without it, so findings may be missing for what it contained.',
    help: 'Fix the record at the file and line given, or name the file\'s format with --input-type <type>=<path> (see `nhi-audit formats`). Run with --strict to make any unreadable input fatal.',
  },
  {
    id: 'rule-error',
    name: 'rule-error',
    short: 'A rule failed while evaluating',
    full: 'A rule threw an error while evaluating; its findings are missing from this run and the other rules still ran.',
    help: 'This is a bug in nhi-audit or in a custom rule: report it with the message, the rule id and, if possible, the input that triggers it.',
  },
  {
    id: 'rule-not-evaluated',
    name: 'rule-not-evaluated',
    short: 'A rule could not be evaluated',
    full: 'A rule could not be evaluated because the inputs it needs were absent; it says nothing either way, which is not the same as a clean result.',
    help: 'Add the exports the rule reads (see `nhi-audit rules show <id>` for its inputs), or disable the rule with --disable if it does not apply.',
  },
  {
    id: 'suppression-expired',
    name: 'suppression-expired',
    short: 'An ignore entry has expired',
    full: 'An entry of the ignore file (or the config\'s ignore: list) is past its expiry date, so it no longer suppresses anything and the findings it matched count again.',
    help: 'Fix the findings it matched, or review the acceptance and give the entry a new expires date and reason.',
  },
  {
    id: 'baseline-entry-fixed',
    name: 'baseline-entry-fixed',
    short: 'A baseline entry no longer matches a finding',
    full: 'The baseline lists a finding that this scan did not report: it was fixed, or the inputs that showed it were not given this time.',
    help: 'If the finding was fixed, write a new baseline with `nhi-audit baseline` so that it cannot come back unnoticed.',
  },
] as const;
type NotificationId = (typeof NOTIFICATIONS)[number]['id'];

export const sarifReporter: Reporter = (report, context) =>
  stringifyJson(sarifLog(report, context.catalog, context.sarifCategory));

/** SARIF `level` for a severity: GitHub shows error/warning/note; `security-severity` carries the detail. */
export function sarifLevel(severity: Severity): 'error' | 'warning' | 'note' {
  switch (severity) {
    case 'critical':
    case 'high':
      return 'error';
    case 'medium':
      return 'warning';
    case 'low':
    case 'info':
      return 'note';
  }
}

/** `category`: the run's automationDetails id prefix, as GitHub code scanning reads it (`<category>/`). */
export function sarifLog(report: Report, catalog: Catalog, category?: string): Log {
  const rules = ruleList(report, catalog);
  const ruleIndex = new Map(rules.map((rule, index) => [rule.id, index]));
  const artifactIndex = new Map<string, number>();
  report.inputs.forEach((input, index) => {
    if (!artifactIndex.has(input.file)) artifactIndex.set(input.file, index);
  });

  const run: Run = {
    ...(category === undefined ? {} : { automationDetails: { id: category.endsWith('/') ? category : `${category}/` } }),
    tool: {
      driver: {
        name: report.tool.name,
        version: report.tool.version,
        semanticVersion: report.tool.version,
        informationUri: TOOL_INFORMATION_URI,
        rules: rules.map((rule) => ruleDescriptor(rule, catalog)),
        notifications: NOTIFICATIONS.map(
          (notification): ReportingDescriptor => ({
            id: notification.id,
            name: notification.name,
            shortDescription: { text: notification.short },
            fullDescription: { text: notification.full },
            help: { text: notification.help, markdown: notification.help },
          }),
        ),
      },
    },
    invocations: [
      {
        // The scan itself completed; unreadable inputs and rule failures are reported as notifications.
        executionSuccessful: true,
        toolExecutionNotifications: notifications(report, ruleIndex),
      },
    ],
    artifacts: report.inputs.map(
      (input): Artifact => ({
        location: artifactLocation(input.file),
        properties: { format: input.format, records: recordCounts(input), skipped: input.skipped },
      }),
    ),
    taxonomies: catalog.frameworks.map(
      (framework): ToolComponent => ({
        name: framework.id,
        fullName: framework.name,
        version: framework.version,
        organization: framework.organization,
        informationUri: framework.uri,
        taxa: framework.controls.map((control) => ({ id: control.id, shortDescription: { text: control.title } })),
      }),
    ),
    results: [
      ...report.findings.map((finding) => ({
        ...result(finding, ruleIndex, artifactIndex, catalog),
        // Compared against a baseline, what is reported is exactly what the baseline did not list.
        ...(report.baseline === null ? {} : { baselineState: 'new' as const }),
      })),
      // Suppressed findings stay in the log, marked accepted, so code scanning shows them as dismissed.
      ...report.suppressedFindings.map((finding) => ({
        ...result(finding, ruleIndex, artifactIndex, catalog),
        suppressions: [
          {
            kind: 'external' as const,
            status: 'accepted' as const,
            justification: terminalSafe(
              `${finding.suppression.reason} (until ${finding.suppression.expires}; ${finding.suppression.source.file}:${finding.suppression.source.line})`,
            ),
          },
        ],
      })),
    ],
    properties: {
      asOf: report.asOf,
      logWindow:
        report.logWindow === null
          ? null
          : { from: report.logWindow.from, to: report.logWindow.to, events: report.logWindow.events },
      suppressed: report.suppressed,
      reportSchemaVersion: report.schemaVersion,
    },
  };
  return { $schema: SARIF_SCHEMA_URI, version: '2.1.0', runs: [run] };
}

/**
 * Every catalog rule, whether or not it fired, so consumers can show rule help
 * for closed alerts too. A finding whose rule is missing from the catalog (it
 * should not happen) gets a minimal descriptor so its `ruleIndex` stays valid.
 */
function ruleList(report: Report, catalog: Catalog): RuleMeta[] {
  const rules = [...catalog.rules];
  const known = new Set(rules.map((rule) => rule.id));
  for (const finding of report.findings) {
    if (known.has(finding.ruleId)) continue;
    known.add(finding.ruleId);
    rules.push({
      id: finding.ruleId,
      name: finding.ruleName,
      title: finding.ruleName,
      severity: finding.severity,
      description: finding.ruleName,
      remediation: finding.remediation,
      params: {},
      mappings: finding.mappings,
      requires: [], inputs: [], data: [],
    });
  }
  return rules;
}

function ruleDescriptor(rule: RuleMeta, catalog: Catalog): ReportingDescriptor {
  const mapped = orderMappings(rule.mappings, catalog);
  const relationships: ReportingDescriptorRelationship[] = [];
  const tags: string[] = [...BASE_TAGS];
  const textLines: string[] = [];
  const markdownLines: string[] = [];
  for (const [frameworkId, controlIds] of mapped) {
    const framework = catalog.frameworks.find((candidate) => candidate.id === frameworkId);
    const heading = framework === undefined ? frameworkId : `${framework.name} (${framework.version})`;
    textLines.push(`${heading}:`);
    markdownLines.push('', `**${markdownSafe(heading)}**`, '');
    for (const controlId of controlIds) {
      // Tags follow the `external/<taxonomy>/<id>` convention GitHub code scanning uses for CWE.
      tags.push(`external/${frameworkId}/${controlId}`);
      const resolved = resolveControl(catalog, frameworkId, controlId);
      if (resolved === undefined) {
        textLines.push(`- ${controlId}`);
        markdownLines.push(`- ${markdownSafe(controlId)}`);
        continue;
      }
      relationships.push({
        target: {
          id: controlId,
          index: resolved.controlIndex,
          toolComponent: { name: frameworkId, index: resolved.frameworkIndex },
        },
        kinds: ['relevant'],
      });
      textLines.push(`- ${controlId}: ${resolved.control.title}`);
      markdownLines.push(`- ${markdownSafe(controlId)}: ${markdownSafe(resolved.control.title)}`);
    }
  }

  const text = [rule.description, '', `Remediation: ${rule.remediation}`];
  // Description and remediation are our own catalog text and may use Markdown on purpose.
  const markdown = [rule.description, '', '## Remediation', '', rule.remediation];
  if (textLines.length > 0) {
    text.push('', 'Mapped controls', ...textLines);
    markdown.push('', '## Mapped controls', ...markdownLines);
  }

  return {
    id: rule.id,
    name: rule.name,
    // Catalog text (trusted, our own words) in multiformat strings, which carry no embedded links: used as is.
    shortDescription: { text: rule.title },
    fullDescription: { text: rule.description },
    help: { text: text.join('\n'), markdown: markdown.join('\n') },
    defaultConfiguration: { level: sarifLevel(rule.severity) },
    properties: {
      tags,
      'security-severity': SECURITY_SEVERITY_SCORE[rule.severity],
      severity: rule.severity,
    },
    ...(relationships.length > 0 ? { relationships } : {}),
  };
}

function result(
  finding: Finding,
  ruleIndex: ReadonlyMap<string, number>,
  artifactIndex: ReadonlyMap<string, number>,
  catalog: Catalog,
): Result {
  const shown = finding.evidence.slice(0, MAX_LOCATIONS);
  const omitted = finding.evidence.length - shown.length;
  return {
    ruleId: finding.ruleId,
    // ruleList() adds a descriptor for every finding's rule, so the lookup cannot miss; -1 is the SARIF "unknown".
    ruleIndex: ruleIndex.get(finding.ruleId) ?? -1,
    level: sarifLevel(finding.severity),
    message: { text: sarifText(finding.message) },
    ...(shown.length > 0 ? { locations: shown.map((item) => location(item, artifactIndex)) } : {}),
    partialFingerprints: { [FINGERPRINT_KEY]: finding.fingerprint },
    properties: {
      severity: finding.severity,
      'security-severity': SECURITY_SEVERITY_SCORE[finding.severity],
      messageId: finding.messageId,
      subject: {
        kind: finding.subject.kind,
        id: finding.subject.id,
        ...(finding.subject.provider === undefined ? {} : { provider: finding.subject.provider }),
        ...(finding.subject.tenant === undefined ? {} : { tenant: finding.subject.tenant }),
      },
      mappings: orderedMappingsObject(finding.mappings, catalog),
      ...(omitted > 0 ? { omittedEvidence: omitted } : {}),
    },
  };
}

function location(evidence: Evidence, artifactIndex: ReadonlyMap<string, number>): Location {
  const { source } = evidence;
  const index = artifactIndex.get(source.file);
  // Without a line there is no region; the pointer (if any) is the only locator, so it goes in the message too.
  const message =
    source.line === 0 && source.pointer !== undefined
      ? `${evidence.summary} (at ${source.pointer})`
      : evidence.summary;
  return {
    physicalLocation: {
      artifactLocation: { ...artifactLocation(source.file), ...(index === undefined ? {} : { index }) },
      ...(source.line > 0 ? { region: { startLine: source.line } } : {}),
    },
    ...(source.pointer === undefined ? {} : { logicalLocations: [{ fullyQualifiedName: source.pointer }] }),
    message: { text: sarifText(message) },
  };
}

function notifications(report: Report, ruleIndex: ReadonlyMap<string, number>): Notification[] {
  const list: Notification[] = [];
  for (const skipped of report.skipped) {
    list.push({
      level: 'warning',
      descriptor: descriptor('input-skipped'),
      message: { text: sarifText(`${sourceText({ file: skipped.file, line: skipped.line })}: ${skipped.message}`) },
      locations: [
        {
          physicalLocation: {
            artifactLocation: artifactLocation(skipped.file),
            ...(skipped.line > 0 ? { region: { startLine: skipped.line } } : {}),
          },
        },
      ],
    });
  }
  for (const evaluation of report.evaluations) {
    if (evaluation.status !== 'error' && evaluation.status !== 'not-evaluated') continue;
    const isError = evaluation.status === 'error';
    const index = ruleIndex.get(evaluation.ruleId);
    const why = evaluation.notes.length > 0 ? evaluation.notes.join('; ') : isError ? 'failed' : 'inputs absent';
    list.push({
      level: isError ? 'error' : 'note',
      descriptor: descriptor(isError ? 'rule-error' : 'rule-not-evaluated'),
      // The rule concerned; `descriptor` names the kind of notification (SARIF §3.58.4-5).
      associatedRule: { id: evaluation.ruleId, ...(index === undefined ? {} : { index }) },
      message: {
        text: sarifText(`${evaluation.ruleId} (${evaluation.ruleName}) ${isError ? 'failed' : 'was not evaluated'}: ${why}`),
      },
    });
  }
  for (const warning of report.warnings) {
    list.push({
      level: 'warning',
      descriptor: descriptor(warning.id),
      message: { text: sarifText(`${sourceText(warning.source)}: ${warning.message}`) },
      locations: [
        { physicalLocation: { artifactLocation: artifactLocation(warning.source.file), region: { startLine: warning.source.line } } },
      ],
    });
  }
  for (const entry of report.baseline?.fixed ?? []) {
    list.push({
      level: 'note',
      descriptor: descriptor('baseline-entry-fixed'),
      message: {
        text: sarifText(`${entry.ruleId} (${entry.ruleName}) on ${entry.subject.kind} ${entry.subject.id} is in the baseline but was not found (fingerprint ${entry.fingerprint})`),
      },
    });
  }
  return list;
}

function descriptor(id: NotificationId): { id: string; index: number } {
  return { id, index: NOTIFICATIONS.findIndex((notification) => notification.id === id) };
}

function sourceText(source: SourceRef): string {
  return source.line > 0 ? `${source.file}:${source.line}` : source.file;
}

/**
 * SARIF plain-text message: no control sequences (viewers may print it to a
 * terminal), and literal square brackets escaped so that a log value cannot
 * form an embedded link `[text](target)` (SARIF §3.11.6).
 */
function sarifText(text: string): string {
  return terminalSafe(text).replace(/[[\]]/g, (bracket) => `\\${bracket}`);
}

/**
 * An input path as a SARIF artifact location. Relative paths stay relative to
 * %SRCROOT% so that code scanning can match them to the repository; absolute
 * paths become `file:` URIs (a uriBaseId must not be used with an absolute URI).
 */
export function artifactLocation(file: string): ArtifactLocation {
  const posix = file.replace(/\\/g, '/');
  const drive = /^([A-Za-z]):\//.exec(posix);
  if (drive !== null) return { uri: `file:///${drive[1] ?? ''}:/${encodePath(posix.slice(3))}` };
  if (posix.startsWith('/')) return { uri: `file://${encodePath(posix)}` };
  return { uri: encodePath(posix), uriBaseId: SRCROOT };
}

/**
 * Percent-encodes each path segment (RFC 3986): spaces, `%`, `#`, `?` and
 * non-ASCII are encoded; sub-delimiters and `@` are kept readable. `:` stays
 * encoded so a first segment such as `c:x` is not read as a URI scheme.
 */
function encodePath(path: string): string {
  return path
    .split('/')
    .map((segment) =>
      encodeURIComponent(segment).replace(/%(24|26|2B|2C|3B|3D|40)/g, (escaped) => decodeURIComponent(escaped)),
    )
    .join('/');
}
