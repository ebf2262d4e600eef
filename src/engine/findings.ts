import { createHash } from 'node:crypto';
import { SEVERITY_RANK, atLeast, type Evidence, type Finding, type Severity, type Subject } from '../model/index.js';
import { redactSecrets } from './redact.js';

/*
 * Findings pass through small pure steps (STYLE.md §7):
 * fingerprint → dedupe → redact → filter → sort.
 */

/**
 * Stable across runs: rule, subject and the identities of the evidence
 * records, never their lines or times (which move with new logs and `--as-of`).
 */
export function fingerprint(ruleId: string, subject: Subject, evidence: readonly Evidence[]): string {
  const keys = [...new Set(evidence.map((item) => item.key))].sort();
  const material = [ruleId, subject.kind, subject.id, ...keys].join('\u0000');
  return createHash('sha256').update(material).digest('hex').slice(0, 32);
}

export function dedupe(findings: readonly Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((finding) => {
    if (seen.has(finding.fingerprint)) return false;
    seen.add(finding.fingerprint);
    return true;
  });
}

function redactSubject(subject: Subject): Subject {
  return {
    ...subject,
    id: redactSecrets(subject.id),
    ...(subject.tenant === undefined ? {} : { tenant: redactSecrets(subject.tenant) }),
  };
}

export function redact(finding: Finding): Finding {
  return {
    ...finding,
    message: redactSecrets(finding.message),
    subject: redactSubject(finding.subject),
    evidence: finding.evidence.map((item) => ({
      ...item,
      // Keys embed record ids; the fingerprint was computed from them before this step.
      key: redactSecrets(item.key),
      summary: redactSecrets(item.summary),
      source: {
        ...item.source,
        ...(item.source.pointer === undefined ? {} : { pointer: redactSecrets(item.source.pointer) }),
      },
    })),
  };
}

export function atOrAbove(findings: readonly Finding[], minimum: Severity): Finding[] {
  return findings.filter((finding) => atLeast(finding.severity, minimum));
}

/** Most severe first, then rule, subject and fingerprint: a total order, so output is byte-stable. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] ||
    compareText(a.ruleId, b.ruleId) ||
    compareText(a.subject.kind, b.subject.kind) ||
    compareText(a.subject.id, b.subject.id) ||
    compareText(a.fingerprint, b.fingerprint)
  );
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
