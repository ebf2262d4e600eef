import type { Severity } from './severity.js';
import type { SourceRef } from './source.js';

export type SubjectKind = 'identity' | 'credential' | 'approval' | 'principal' | 'tenant';

/** What a finding is about. */
export interface Subject {
  readonly kind: SubjectKind;
  readonly id: string;
  readonly provider?: string;
  readonly tenant?: string;
}

/** One input record supporting a finding. */
export interface Evidence {
  readonly source: SourceRef;
  /** One line saying what the record shows. */
  readonly summary: string;
  /**
   * Stable identity of the record (e.g. `credential:rt-42`, `event:rt-42:last-use`):
   * fingerprints hash these, never lines or times that move between runs.
   */
  readonly key: string;
}

/** Control ids per framework, e.g. `{ "owasp-nhi-2025": ["NHI1:2025"] }`. */
export type Mappings = Readonly<Record<string, readonly string[]>>;

export interface Finding {
  readonly ruleId: string;
  readonly ruleName: string;
  readonly severity: Severity;
  /** Identifies the message template; tests assert it rather than wording. */
  readonly messageId: string;
  readonly message: string;
  readonly subject: Subject;
  readonly evidence: readonly Evidence[];
  readonly mappings: Mappings;
  readonly remediation: string;
  /** Stable hash of rule + subject + evidence keys (hex). */
  readonly fingerprint: string;
}
