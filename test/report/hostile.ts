import type { Finding } from '../../src/model/finding.js';
import type { Report } from '../../src/model/report.js';
import { HOSTILE_C1, HOSTILE_CLEAR, HOSTILE_LINK, sampleReport } from './sample.js';

/*
 * Strings an attacker can put in a log or an export (user agents, resource
 * names, identity ids), each aimed at one output syntax. The hostile report
 * carries them in every input-derived field a report shows.
 */
export const XSS_IMG = '<img src=x onerror=alert(1)>';
export const HOSTILE_STRINGS = {
  xss: XSS_IMG,
  attribute: `" onmouseover="alert(2)" x="`,
  markdownLink: '[click me](https://evil.example/phish)',
  markdownImage: '![pixel](https://evil.example/track.png)',
  autolink: 'https://evil.example/a and www.evil.example and <https://evil.example/b> and ops@evil.example',
  tableBreak: 'a | b\n| injected | row |\n\n# injected heading',
  emphasis: '**bold** _under_ `code` ~~strike~~ $math$',
  bidi: 'admin\u202egnp.exe',
  zeroWidth: 'rt-4\u200b2\u200d\u2060\ufeff',
  ansi: `${HOSTILE_LINK}${HOSTILE_CLEAR}${HOSTILE_C1}red`,
} as const;

const ALL = Object.values(HOSTILE_STRINGS).join(' ');

const hostileFinding: Finding = {
  ruleId: 'NHI-PRIV-001',
  ruleName: 'wildcard-privilege',
  severity: 'critical',
  messageId: 'wildcard-action',
  message: `Role used with user agent ${ALL}`,
  subject: { kind: 'identity', id: `probe ${HOSTILE_STRINGS.attribute} ${XSS_IMG} ${HOSTILE_STRINGS.markdownLink}`, provider: `aws${XSS_IMG}`, tenant: `t|${HOSTILE_STRINGS.tableBreak}` },
  evidence: [
    { source: { file: `logs/${XSS_IMG}|x.ndjson`, line: 7, pointer: `/${HOSTILE_STRINGS.markdownImage}` }, summary: `user agent ${ALL}`, key: 'event:probe' },
  ],
  mappings: { 'owasp-nhi-2025': ['NHI5:2025'], 'custom-policy': [`P-1${XSS_IMG}`] },
  remediation: `Remove ${HOSTILE_STRINGS.markdownLink}`,
  fingerprint: `ff00${XSS_IMG}`,
};

export const hostileReport: Report = {
  ...sampleReport,
  asOf: `2026-04-01T00:00:00Z${XSS_IMG}`,
  inputs: [
    ...sampleReport.inputs,
    { file: `uploads/${ALL}.json`, format: `fmt${XSS_IMG}`, records: { event: 1 }, skipped: 0, window: { from: XSS_IMG, to: HOSTILE_STRINGS.tableBreak } },
  ],
  skipped: [...sampleReport.skipped, { file: `bad ${HOSTILE_STRINGS.markdownImage}`, line: 3, message: `parse error near ${ALL}` }],
  evaluations: [
    ...sampleReport.evaluations,
    { ruleId: 'NHI-X-001', ruleName: `x${XSS_IMG}`, status: 'not-evaluated', notes: [`no input ${ALL}`], findings: 0 },
  ],
  summary: { total: sampleReport.summary.total + 1, bySeverity: { ...sampleReport.summary.bySeverity, critical: sampleReport.summary.bySeverity.critical + 1 } },
  findings: [hostileFinding, ...sampleReport.findings],
};
