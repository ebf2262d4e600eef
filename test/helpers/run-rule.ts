/*
 * Runs one rule's logic against a test world with its YAML defaults
 * (optionally overridden), collecting findings and notes.
 */
import { defaultParams, loadCatalog } from '../../src/engine/catalog.js';
import type { FindingDraft, RuleLogic } from '../../src/engine/rule-api.js';
import type { Catalog, Instant, RuleMeta } from '../../src/model/index.js';
import type { world } from './world.js';

let catalog: Promise<Catalog> | undefined;

export async function ruleMeta(id: string): Promise<RuleMeta> {
  catalog ??= loadCatalog();
  const meta = (await catalog).rules.find((rule) => rule.id === id);
  if (meta === undefined) throw new Error(`no rules/${id}.yaml`);
  return meta;
}

export interface RuleRun {
  readonly findings: FindingDraft[];
  readonly notes: string[];
  readonly notEvaluated: string[];
}

export async function runRule(
  logic: RuleLogic<never>,
  scene: ReturnType<typeof world>,
  asOf: Instant,
  params: Record<string, unknown> = {},
): Promise<RuleRun> {
  const meta = await ruleMeta(logic.id);
  const loaded = await (catalog ??= loadCatalog());
  const data = Object.fromEntries(meta.data.flatMap((name) => (loaded.data[name] === undefined ? [] : [[name, loaded.data[name]]])));
  const run: RuleRun = { findings: [], notes: [], notEvaluated: [] };
  logic.evaluate(
    { inventory: scene.inventory, usage: scene.usage, asOf, meta, params: { ...defaultParams(meta), ...params } as never, data },
    {
      report: (finding) => run.findings.push(finding),
      note: (text) => run.notes.push(text),
      notEvaluated: (reason) => run.notEvaluated.push(reason),
    },
  );
  return run;
}
