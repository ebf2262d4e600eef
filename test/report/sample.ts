import type { Catalog, RuleMeta } from '../../src/model/catalog.js';
import type { Evidence, Finding } from '../../src/model/finding.js';
import { REPORT_SCHEMA_VERSION, type Report, type SuppressedFinding } from '../../src/model/report.js';
import { SEVERITIES, type Severity } from '../../src/model/severity.js';

/*
 * A realistic catalog and report shared by the reporter tests. Hostile strings
 * (terminal escapes, Markdown/HTML metacharacters, bidi overrides) sit in every
 * field that carries input data: messages, subject ids, evidence files and
 * summaries, skipped-input messages and rule-error notes.
 */

/** OSC 8 hyperlink whose visible text hides the target. */
export const HOSTILE_LINK = '\u001b]8;;http://evil.example\u0007click\u001b]8;;\u0007';
/** Clears the screen. */
export const HOSTILE_CLEAR = '\u001b[2J';
/** 8-bit CSI: red. */
export const HOSTILE_C1 = '\u009b31m';

export const sampleCatalog: Catalog = {
  data: {},
  frameworks: [
    {
      id: 'owasp-nhi-2025',
      name: 'OWASP Non-Human Identities Top 10',
      version: '2025',
      organization: 'OWASP Foundation',
      uri: 'https://owasp.org/www-project-non-human-identities-top-10/2025/',
      controls: [
        { id: 'NHI1:2025', title: 'Improper Offboarding' },
        { id: 'NHI5:2025', title: 'Overprivileged NHI' },
        { id: 'NHI7:2025', title: 'Long-Lived Secrets' },
        { id: 'NHI9:2025', title: 'NHI Reuse' },
      ],
    },
    {
      id: 'nist-800-53r5',
      name: 'NIST SP 800-53',
      version: 'Rev. 5',
      organization: 'National Institute of Standards and Technology',
      uri: 'https://csrc.nist.gov/pubs/sp/800/53/r5/upd1/final',
      controls: [
        { id: 'AC-2', title: 'Account Management' },
        { id: 'AC-2(3)', title: 'Account Management | Disable Accounts' },
        { id: 'AC-6', title: 'Least Privilege' },
        { id: 'AC-6(1)', title: 'Least Privilege | Authorize Access to Security Functions' },
        { id: 'IA-5', title: 'Authenticator Management' },
      ],
    },
  ],
  rules: [
    rule('NHI-LIFE-001', 'token-used-after-offboarding', 'critical', {
      title: 'Token used after its principal was offboarded',
      description:
        'A refresh token kept working after the person it acts for left. Delegated access must end when the delegation does.',
      remediation: 'Revoke the token and every grant issued on behalf of the offboarded principal; add revocation to the offboarding runbook.',
      // Listed out of catalog order on purpose: reporters must put mappings in catalog order.
      mappings: { 'nist-800-53r5': ['AC-2(3)', 'AC-2'], 'owasp-nhi-2025': ['NHI1:2025'] },
    }),
    rule('NHI-PRIV-001', 'wildcard-privilege', 'high', {
      title: 'Identity holds wildcard privileges',
      description: 'The identity is granted `*` actions or resources, far more than any single workload needs.',
      remediation: 'Replace wildcards with the actions the identity actually used in the log window.',
      mappings: { 'owasp-nhi-2025': ['NHI5:2025'], 'nist-800-53r5': ['AC-6', 'AC-6(1)'] },
    }),
    rule('NHI-CRED-002', 'long-lived-credential', 'medium', {
      title: 'Credential older than the rotation period',
      description: 'An access key or secret has not been rotated within the allowed period.',
      remediation: 'Rotate the credential, then shorten its lifetime or move to short-lived federation.',
      // A control the catalog does not list: must not break relationships or help text.
      mappings: { 'owasp-nhi-2025': ['NHI7:2025'], 'nist-800-53r5': ['IA-5'], 'internal-policy': ['SEC-12'] },
    }),
    rule('NHI-APPR-001', 'approval-review-overdue', 'low', {
      title: 'Delegation approval not reviewed in time',
      description: 'An approval passed its review date without being re-reviewed.',
      remediation: 'Re-review the approval or let it expire.',
      mappings: { 'owasp-nhi-2025': ['NHI1:2025'] },
    }),
    rule('NHI-REUSE-001', 'identity-shared-across-environments', 'high', {
      title: 'Identity used from several environments',
      description: 'One identity acts in production and non-production tenants.',
      remediation: 'Give each environment its own identity.',
      mappings: { 'owasp-nhi-2025': ['NHI9:2025'] },
    }),
  ],
};

function rule(
  id: string,
  name: string,
  severity: Severity,
  text: Pick<RuleMeta, 'title' | 'description' | 'remediation' | 'mappings'>,
): RuleMeta {
  return { id, name, severity, params: {}, requires: ['identities'], inputs: [], data: [], ...text };
}

function meta(id: string): RuleMeta {
  const found = sampleCatalog.rules.find((candidate) => candidate.id === id);
  if (found === undefined) throw new Error(`sample rule ${id} missing`);
  return found;
}

function finding(
  ruleId: string,
  fields: Pick<Finding, 'messageId' | 'message' | 'subject' | 'evidence' | 'fingerprint'> & { severity?: Severity },
): Finding {
  const base = meta(ruleId);
  return {
    ruleId,
    ruleName: base.name,
    severity: fields.severity ?? base.severity,
    messageId: fields.messageId,
    message: fields.message,
    subject: fields.subject,
    evidence: fields.evidence,
    mappings: base.mappings,
    remediation: base.remediation,
    fingerprint: fields.fingerprint,
  };
}

const grantEvidence: Evidence[] = Array.from({ length: 12 }, (_, index) => ({
  source: { file: 'aws/iam-authorization-details.json', line: 40 + index * 7 },
  summary: `policy ci-deploy-${index + 1} allows "*" on "*"`,
  key: `grant:ci-deploy:${index + 1}`,
}));

export const sampleFindings: readonly Finding[] = [
  finding('NHI-LIFE-001', {
    messageId: 'used-after-offboarding',
    message: `Refresh token rt-42 acting for alice@example.com was used on 2026-03-02, 17 days after alice was offboarded (user agent ${HOSTILE_LINK} curl/8.5 ${HOSTILE_CLEAR}).`,
    subject: { kind: 'credential', id: 'rt-42', provider: 'oauth', tenant: 'acme-prod' },
    evidence: [
      { source: { file: 'inventory/tokens.yaml', line: 12 }, summary: 'refresh token rt-42 issued 2025-11-01, never expires', key: 'credential:rt-42' },
      {
        source: { file: 'logs/okta events.ndjson', line: 3 },
        summary: `token-refresh by rt-42 from 203.0.113.9, user agent ${HOSTILE_LINK}`,
        key: 'event:rt-42:last-use',
      },
      {
        source: { file: 'hr/principals.json', line: 0, pointer: '/principals/3' },
        summary: 'alice@example.com offboarded 2026-02-13',
        key: 'principal:alice@example.com',
      },
    ],
    fingerprint: '9f2c4e1a7b3d5f60',
  }),
  finding('NHI-PRIV-001', {
    messageId: 'wildcard-action',
    message: 'Role ci-deploy is granted "*" on "*" through 12 policies | <script>alert(1)</script>',
    subject: {
      kind: 'identity',
      id: 'arn:aws:iam::123456789012:role/ci-deploy|<script>alert(1)</script>',
      provider: 'aws',
      tenant: '123456789012',
    },
    evidence: grantEvidence,
    fingerprint: '1b7e0c93d2a4f851',
  }),
  finding('NHI-PRIV-001', {
    messageId: 'wildcard-resource',
    message: 'Service account build@proj.iam.gserviceaccount.com holds roles/editor on project proj-dev.',
    subject: { kind: 'identity', id: 'build@proj.iam.gserviceaccount.com', provider: 'gcp' },
    evidence: [{ source: { file: 'gcp/iam-policy.json', line: 0 }, summary: 'binding roles/editor', key: 'grant:build:editor' }],
    fingerprint: '77aa01c3e9b24d10',
  }),
  finding('NHI-CRED-002', {
    messageId: 'not-rotated',
    message: `Access key AKIAIOSFODNN7EXAMPLE was last rotated 412 days ago ${HOSTILE_C1}(limit 90)\u001b[0m; a\rb\u202eevil`,
    subject: { kind: 'credential', id: 'AKIAIOSFODNN7EXAMPLE', provider: 'aws', tenant: '123456789012' },
    evidence: [
      {
        source: { file: 'aws/credential-report.csv', line: 4 },
        summary: 'access_key_1_last_rotated 2025-02-14T09:00:00Z [see](http://evil.example)',
        key: 'credential:AKIAIOSFODNN7EXAMPLE',
      },
    ],
    fingerprint: 'c0ffee0012345678',
  }),
  finding('NHI-CRED-002', {
    severity: 'low',
    messageId: 'not-rotated',
    message: 'Client secret 3f9a… of app 0d1e2f was last rotated 120 days ago (limit 90).',
    subject: { kind: 'credential', id: 'entra:app/0d1e2f:secret/3f9a', provider: 'entra' },
    evidence: [
      {
        source: { file: 'entra/app-credentials.json', line: 27, pointer: '/value/0/passwordCredentials/1' },
        summary: 'passwordCredential 3f9a… startDateTime 2025-12-02',
        key: 'credential:entra:3f9a',
      },
    ],
    fingerprint: 'ab12cd34ef567890',
  }),
];

/** A finding an ignore entry accepts; its reason is user-written, so hostile too. */
export const sampleSuppressed: readonly SuppressedFinding[] = [
  {
    ...finding('NHI-APPR-001', {
      messageId: 'review-overdue',
      message: 'Approval APR-7 passed its review date 2026-02-01.',
      subject: { kind: 'approval', id: 'APR-7', tenant: 'acme-prod' },
      evidence: [{ source: { file: 'inventory/tokens.yaml', line: 40 }, summary: 'approval APR-7, review by 2026-02-01', key: 'approval:APR-7' }],
      fingerprint: '5e1f0a2b3c4d5e6f7a8b9c0d1e2f3a4b',
    }),
    suppression: {
      reason: `Re-review booked for Q2 (CHG-1182) ${HOSTILE_LINK} | <b>ok</b>`,
      expires: '2026-06-30T00:00:00Z',
      source: { file: '.nhi-audit-ignore.yaml', line: 2 },
      matchedBy: 'rule',
    },
  },
];

function countBySeverity(findings: readonly Finding[]): Record<Severity, number> {
  const counts = Object.fromEntries(SEVERITIES.map((severity) => [severity, 0])) as Record<Severity, number>;
  for (const item of findings) counts[item.severity] += 1;
  return counts;
}

export const sampleReport: Report = {
  schemaVersion: REPORT_SCHEMA_VERSION,
  tool: { name: 'nhi-audit', version: '0.1.0' },
  asOf: '2026-04-01T00:00:00Z',
  inputs: [
    // Record kinds in a scrambled order: reporters must emit them in model order.
    { file: 'inventory/tokens.yaml', format: 'canonical-inventory', records: { credential: 4, approval: 2, principal: 3 }, skipped: 0 },
    { file: 'logs/okta events.ndjson', format: 'canonical-events', records: { event: 410 }, skipped: 1 },
    { file: 'hr/principals.json', format: 'canonical-inventory', records: { principal: 12 }, skipped: 0 },
    { file: 'aws/iam-authorization-details.json', format: 'aws-iam-authorization-details', records: { grant: 31, identity: 6 }, skipped: 0 },
    { file: 'aws/credential-report.csv', format: 'aws-credential-report', records: { credential: 9, identity: 5 }, skipped: 0 },
    { file: 'gcp/iam-policy.json', format: 'gcp-iam-policy', records: { grant: 8 }, skipped: 0 },
    { file: 'entra/app-credentials.json', format: 'entra-app-credentials', records: { credential: 3 }, skipped: 0 },
  ],
  skipped: [
    { file: 'logs/okta events.ndjson', line: 57, message: `invalid JSON: Unexpected token '}' ${HOSTILE_CLEAR}` },
    { file: 'exports/unknown.bin', line: 0, message: 'unrecognized format; use --input-type to name it' },
  ],
  logWindow: { from: '2026-01-01T00:00:00Z', to: '2026-03-31T23:59:59Z', events: 410 },
  evaluations: [
    { ruleId: 'NHI-LIFE-001', ruleName: 'token-used-after-offboarding', status: 'evaluated', notes: ['2 delegations began before the log window'], findings: 1 },
    { ruleId: 'NHI-PRIV-001', ruleName: 'wildcard-privilege', status: 'evaluated', notes: [], findings: 2 },
    { ruleId: 'NHI-CRED-002', ruleName: 'long-lived-credential', status: 'evaluated', notes: [], findings: 3 },
    { ruleId: 'NHI-APPR-001', ruleName: 'approval-review-overdue', status: 'not-evaluated', notes: ['no approval records with a review date in the inputs'], findings: 0 },
    {
      ruleId: 'NHI-REUSE-001',
      ruleName: 'identity-shared-across-environments',
      status: 'error',
      notes: [`TypeError: Cannot read properties of undefined (reading 'tenant') ${HOSTILE_LINK}`],
      findings: 0,
    },
  ],
  summary: { total: sampleFindings.length, bySeverity: countBySeverity(sampleFindings) },
  suppressed: 3,
  findings: sampleFindings,
  suppressedFindings: sampleSuppressed,
  baseline: {
    file: '.nhi-audit-baseline.json',
    entries: 3,
    hidden: 2,
    escalated: 0,
    fixed: [
      {
        fingerprint: '0a1b2c3d4e5f60718293a4b5c6d7e8f9',
        ruleId: 'NHI-PRIV-001',
        ruleName: 'wildcard-privilege',
        severity: 'high',
        subject: { kind: 'identity', id: `arn:aws:iam::123456789012:role/old-admin ${HOSTILE_CLEAR}` },
        message: 'Role old-admin is granted "*" on "*".',
      },
    ],
  },
  warnings: [
    {
      id: 'suppression-expired',
      message: `ignore entry for NHI-CRED-002 AKIA* expired on 2026-03-01T00:00:00Z (reason was: vendor key ${HOSTILE_C1}); its findings count again`,
      source: { file: '.nhi-audit-ignore.yaml', line: 9 },
    },
  ],
};

/** A scan that found nothing and had no event logs. */
export const emptyReport: Report = {
  ...sampleReport,
  inputs: [{ file: 'inventory/tokens.yaml', format: 'canonical-inventory', records: { credential: 4 }, skipped: 0 }],
  skipped: [],
  logWindow: null,
  evaluations: sampleReport.evaluations.map((evaluation) => ({ ...evaluation, status: 'evaluated', notes: [], findings: 0 })),
  summary: { total: 0, bySeverity: countBySeverity([]) },
  suppressed: 0,
  findings: [],
  suppressedFindings: [],
  baseline: null,
  warnings: [],
};
