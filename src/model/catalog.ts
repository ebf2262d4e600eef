import type { RecordKind } from './entities.js';
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
  /**
   * The record kinds the rule reads: the report lists the input files that
   * supplied them (and the log window, for events), and `rules show` the formats.
   */
  readonly inputs: readonly RecordKind[];
  /** Names of the provider-fact files (`rules/data/<name>.yaml`) the rule reads. */
  readonly data: readonly string[];
}

/**
 * A versioned list of provider facts a rule relies on (escalation methods,
 * risky scopes, admin-equivalent roles): data, not code, with a review date.
 */
export interface RuleData {
  readonly name: string;
  readonly version: number;
  /** YYYY-MM-DD of the last review against the providers' documentation. */
  readonly reviewed: string;
  /** The whole document; each rule checks the shape it needs. */
  readonly content: Readonly<Record<string, unknown>>;
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
  /** Provider-fact files rules listed under `data`, by name. */
  readonly data: Readonly<Record<string, RuleData>>;
}
