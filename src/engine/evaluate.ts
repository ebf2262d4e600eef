import type { InventoryView, UsageView } from '../correlate/views.js';
import type { Catalog, Finding, Instant, RuleEvaluation, RuleMeta, Severity } from '../model/index.js';
import { defaultParams } from './catalog.js';
import type { Config } from './config.js';
import { fingerprint } from './findings.js';
import type { FindingDraft, RuleLogic } from './rule-api.js';

export interface Selection {
  /** Rule ids turned on/off on the command line; they win over the config. */
  readonly enable: ReadonlySet<string>;
  readonly disable: ReadonlySet<string>;
}

export interface Evaluation {
  readonly findings: Finding[];
  readonly evaluations: RuleEvaluation[];
}

function isEnabled(rule: RuleMeta, config: Config, selection: Selection): boolean {
  if (selection.disable.has(rule.id)) return false;
  if (selection.enable.has(rule.id)) return true;
  return config.rules.get(rule.id)?.enabled ?? true;
}

/**
 * A finding's severity: the rule's own escalation for this case (e.g. critical
 * when admin-equivalent) stands; otherwise the config's override, else the YAML default.
 */
function severityOf(draft: FindingDraft, meta: RuleMeta, configured: Severity | undefined): Severity {
  return draft.severity ?? configured ?? meta.severity;
}

/**
 * Runs each enabled rule in isolation: a rule that throws becomes a reported
 * rule error and the others still run (STYLE.md §8).
 */
export function evaluateRules(
  catalog: Catalog,
  logic: ReadonlyMap<string, RuleLogic<never>>,
  views: { inventory: InventoryView; usage: UsageView },
  config: Config,
  selection: Selection,
  asOf: Instant,
): Evaluation {
  const findings: Finding[] = [];
  const evaluations: RuleEvaluation[] = [];
  for (const meta of catalog.rules) {
    if (!isEnabled(meta, config, selection)) {
      evaluations.push({ ruleId: meta.id, ruleName: meta.name, status: 'disabled', notes: [], findings: 0 });
      continue;
    }
    const settings = config.rules.get(meta.id);
    const rule = logic.get(meta.id);
    if (rule === undefined) {
      evaluations.push({ ruleId: meta.id, ruleName: meta.name, status: 'error', notes: [`no logic is registered for ${meta.id}`], findings: 0 });
      continue;
    }
    const drafts: FindingDraft[] = [];
    const notes: string[] = [];
    const notEvaluated: string[] = [];
    try {
      rule.evaluate(
        {
          inventory: views.inventory,
          usage: views.usage,
          asOf,
          meta,
          params: { ...defaultParams(meta), ...settings?.params } as never,
          data: Object.fromEntries(meta.data.flatMap((name) => (catalog.data[name] === undefined ? [] : [[name, catalog.data[name]]]))),
        },
        {
          report: (draft) => drafts.push(draft),
          note: (text) => notes.push(text),
          notEvaluated: (reason) => notEvaluated.push(reason),
        },
      );
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      evaluations.push({ ruleId: meta.id, ruleName: meta.name, status: 'error', notes: [`rule failed: ${reason}`], findings: 0 });
      continue;
    }
    const seen = new Map<string, string>();
    for (const draft of drafts) {
      const print = fingerprint(meta.id, draft.subject, draft.distinct);
      const earlier = seen.get(print);
      if (earlier !== undefined) {
        // Same fingerprint twice: dedupe keeps the first; say so when the second said something else.
        if (earlier !== draft.message) notes.push(`reported ${draft.subject.kind} ${draft.subject.id} more than once without telling the findings apart; only the first is kept`);
        continue;
      }
      seen.set(print, draft.message);
      findings.push({
        ruleId: meta.id,
        ruleName: meta.name,
        severity: severityOf(draft, meta, settings?.severity),
        messageId: draft.messageId,
        message: draft.message,
        subject: draft.subject,
        evidence: draft.evidence,
        mappings: meta.mappings,
        remediation: meta.remediation,
        fingerprint: print,
      });
    }
    evaluations.push({
      ruleId: meta.id,
      ruleName: meta.name,
      status: notEvaluated.length > 0 && drafts.length === 0 ? 'not-evaluated' : 'evaluated',
      notes: [...notEvaluated, ...notes],
      findings: seen.size,
    });
  }
  return { findings, evaluations };
}
