import type { Catalog, Control, Framework } from '../model/catalog.js';
import type { Mappings } from '../model/finding.js';

/**
 * Mappings in a stable, meaningful order: frameworks as the catalog lists them,
 * each framework's controls in catalog order; ids the catalog does not know
 * (a custom rule's mapping) follow, sorted, so the output never depends on the
 * order in which a YAML file or an object happened to list them.
 */
export function orderMappings(mappings: Mappings, catalog: Catalog): [string, string[]][] {
  const frameworkOrder = new Map(catalog.frameworks.map((framework, index) => [framework.id, index]));
  const keys = Object.keys(mappings).sort((a, b) => compareByRank(a, b, frameworkOrder));
  return keys.map((key) => {
    const framework = catalog.frameworks.find((candidate) => candidate.id === key);
    const controlOrder = new Map((framework?.controls ?? []).map((control, index) => [control.id, index]));
    const ids = [...new Set(mappings[key] ?? [])].sort((a, b) => compareByRank(a, b, controlOrder));
    return [key, ids];
  });
}

/** Same as `orderMappings`, as a plain object for JSON output. */
export function orderedMappingsObject(mappings: Mappings, catalog: Catalog): Record<string, string[]> {
  const result: Record<string, string[]> = {};
  for (const [key, ids] of orderMappings(mappings, catalog)) result[key] = ids;
  return result;
}

export interface ResolvedControl {
  readonly framework: Framework;
  readonly frameworkIndex: number;
  readonly control: Control;
  readonly controlIndex: number;
}

/** The catalog entry for a mapped control, or undefined when the catalog does not list it. */
export function resolveControl(catalog: Catalog, frameworkId: string, controlId: string): ResolvedControl | undefined {
  const frameworkIndex = catalog.frameworks.findIndex((framework) => framework.id === frameworkId);
  const framework = catalog.frameworks[frameworkIndex];
  if (framework === undefined) return undefined;
  const controlIndex = framework.controls.findIndex((control) => control.id === controlId);
  const control = framework.controls[controlIndex];
  if (control === undefined) return undefined;
  return { framework, frameworkIndex, control, controlIndex };
}

function compareByRank(a: string, b: string, rank: ReadonlyMap<string, number>): number {
  const ra = rank.get(a) ?? Number.POSITIVE_INFINITY;
  const rb = rank.get(b) ?? Number.POSITIVE_INFINITY;
  if (ra !== rb) return ra < rb ? -1 : 1;
  // Unknown ids: code-unit order, not localeCompare, so the result does not depend on the machine's locale.
  return a < b ? -1 : a > b ? 1 : 0;
}
