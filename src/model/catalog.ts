import type { Mappings } from './finding.js';
import type { Severity } from './severity.js';

export type ParamType = 'number' | 'integer' | 'string' | 'boolean' | 'string[]' | 'duration';

export interface ParamSpec {
  readonly type: ParamType;
  readonly default: unknown;
  readonly description: string;
}

/** A rule's metadata as loaded from `rules/<id>.yaml`. */
export interface RuleMeta {
  readonly id: string;
  readonly name: string;
  readonly title: string;
  readonly severity: Severity;
  readonly description: string;
  readonly remediation: string;
  readonly params: Readonly<Record<string, ParamSpec>>;
  readonly mappings: Mappings;
  /** What inputs the rule needs, in words, for "not evaluated" notes and docs. */
  readonly requires: readonly string[];
}

export interface Control {
  readonly id: string;
  readonly title: string;
}

/** A framework catalog from `rules/frameworks/<id>.yaml`. */
export interface Framework {
  readonly id: string;
  readonly name: string;
  readonly version: string;
  readonly organization: string;
  readonly uri: string;
  readonly controls: readonly Control[];
}

export interface Catalog {
  readonly rules: readonly RuleMeta[];
  readonly frameworks: readonly Framework[];
}
