import { createHash } from 'node:crypto';
import { SEVERITY_RANK, atLeast, type Finding, type Severity, type Subject } from '../model/index.js';
import { redactSecrets } from './redact.js';

/*
 * Findings pass through small pure steps (STYLE.md §7): fingerprint → dedupe
 * → filter → suppress (suppress.ts) → baseline (baseline.ts) → redact → sort.
 */

/**
 * What a baseline or a suppression remembers a finding by: the rule, the
 * subject and, where a rule reports one subject several times, the rule's
 * `distinct` part. Nothing else goes in: which evidence records a finding
 * cites changes with `--as-of` (a credential that lapses, an action after a
 * review date) and with each new log, and file paths change with the working
 * directory, so hashing those would make an accepted finding look new.
 */
export function fingerprint(ruleId: string, subject: Subject, distinct = ''): string {
  const material = [ruleId, subject.kind, subject.id, distinct].join('\u0000');
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

/** Redacts in place of the finding's own fields; anything else it carries (a suppression) is kept. */
export function redact<T extends Finding>(finding: T): T {
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
