import type { InventoryView, UsageView } from '../correlate/views.js';
import type { Evidence, Instant, RuleData, RuleMeta, Severity, Subject } from '../model/index.js';

export type { ActionDaysView, ActivityRef, CappedSetView, CreationRef, InventoryView, TerminationRef, UsageStats, UsageView } from '../correlate/views.js';
export { classifyIdentity, UNKNOWN_USE, type Classification, type IdentityKind } from '../correlate/classify.js';
export { userAgentProduct } from '../correlate/workload.js';
export {
  AwsPolicyEvaluator,
  judgeCondition,
  statementConditions,
  trustsService,
  wildcardCovers,
  wildcardsOverlap,
  type AssumeDecision,
  type Decision,
  type RequestKeys,
  type ResourceReach,
} from '../correlate/aws-policy.js';
export { serviceOf as actionService } from '../correlate/event-facts.js';

/** Everything a rule may look at. No files, no clock: `asOf` is the only "now". */
export interface RuleContext<P> {
  readonly inventory: InventoryView;
  readonly usage: UsageView;
  /** Resolved params: YAML defaults overlaid with config. Durations are milliseconds. */
  readonly params: P;
  readonly asOf: Instant;
  readonly meta: RuleMeta;
  /**
   * The provider-fact files the rule lists under `data` in its YAML, by name:
   * each the whole parsed document (`version`, `reviewed` and the rule's lists).
   */
  readonly data: Readonly<Record<string, RuleData>>;
}

/** A finding as a rule states it; the engine adds metadata, mappings and the fingerprint. */
export interface FindingDraft {
  /** Names the message template, e.g. `used-after-offboarding`; tests assert it. */
  readonly messageId: string;
  readonly message: string;
  readonly subject: Subject;
  readonly evidence: readonly Evidence[];
  /** Escalation for this case (e.g. critical when admin-equivalent); otherwise the rule's severity. */
  readonly severity?: Severity;
  /**
   * Only for a rule that reports one subject more than once: what tells those
   * findings apart. It is part of the fingerprint, so it must not move with
   * `--as-of`, new log lines, the order of input files or the directory the
   * scan ran from (no times, line numbers or full paths).
   */
  readonly distinct?: string;
}

export interface RuleSink {
  report(finding: FindingDraft): void;
  /** The rule could not be evaluated at all (its inputs are absent); say which. */
  notEvaluated(reason: string): void;
  /** Part of the inputs could not be judged (e.g. a delegation outside the log window); say which. */
  note(text: string): void;
}

export interface RuleLogic<P = Record<string, unknown>> {
  readonly id: string;
  evaluate(context: RuleContext<P>, sink: RuleSink): void;
}

/**
 * Binds rule logic to its id; the metadata comes from `rules/<id>.yaml`.
 * A test checks that every YAML has logic with the same id and vice versa.
 */
export function defineRule<P = Record<string, unknown>>(
  id: string,
  evaluate: (context: RuleContext<P>, sink: RuleSink) => void,
): RuleLogic<P> {
  return { id, evaluate };
}
