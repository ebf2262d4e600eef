import { readFile } from 'node:fs/promises';
import { LineCounter, isMap, isScalar, isSeq, parseDocument, type Node } from 'yaml';
import { ConfigError, SEVERITIES, isSeverity, type Catalog, type Provisioner, type RuleMeta, type Severity } from '../model/index.js';
import { coerceParam, findRule } from './catalog.js';
import { parseIgnoreList, type IgnoreEntry, type Problem } from './suppress.js';

/** Per-rule settings after validation; params already coerced (durations in ms). */
export interface RuleSettings {
  readonly enabled?: boolean;
  readonly severity?: Severity;
  readonly params: Readonly<Record<string, unknown>>;
}

/** `.nhi-audit.yaml`, validated against the catalog. Every field optional. */
export interface Config {
  readonly failOn?: Severity | 'none';
  readonly minSeverity?: Severity;
  /** Keyed by rule id (names are resolved to ids at load). */
  readonly rules: ReadonlyMap<string, RuleSettings>;
  /** The `ignore:` list: accepted findings with a reason and an expiry. */
  readonly ignore: readonly IgnoreEntry[];
  /** Who may create credentials per provider/tenant; they join the inventory's (evidence: the config file and line). */
  readonly provisioners?: readonly Provisioner[];
}

export const EMPTY_CONFIG: Config = { rules: new Map(), ignore: [] };

const TOP_LEVEL_KEYS = ['fail_on', 'min_severity', 'rules', 'ignore', 'provisioners'];
const PROVISIONER_KEYS = ['provider', 'tenant', 'actors'];
const RULE_KEYS = ['enabled', 'severity', 'params'];

export { findRule } from './catalog.js';

/**
 * Reads and validates a config file. Every problem is collected and reported
 * together (one ConfigError listing `file:line: …` lines), not only the first.
 */
export async function loadConfig(file: string, display: string, catalog: Catalog): Promise<Config> {
  return parseConfig(await readSettingsFile(file, display, 'config file'), display, catalog);
}

async function readSettingsFile(file: string, display: string, what: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(code === 'ENOENT' ? `${what} not found` : `cannot read ${what} (${code ?? 'error'})`, display);
  }
}

/** A YAML settings file with its line lookup and a collector of `file:line: …` problems. */
interface SettingsYaml {
  /** Null for an empty file. */
  readonly root: Node | null;
  readonly lineOf: (node: Node | null | undefined) => number;
  readonly problem: Problem;
  readonly problems: string[];
}

/** Parses YAML, throwing every syntax error at once; the caller then validates and collects more. */
function settingsYaml(text: string, display: string, what: string): SettingsYaml {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false });
  const problems: string[] = [];
  const lineOf = (node: Node | null | undefined): number =>
    node?.range === undefined || node.range === null ? 1 : lineCounter.linePos(node.range[0]).line;
  const problem: Problem = (node, message) => {
    problems.push(`${display}:${lineOf(node)}: ${message}`);
  };
  for (const error of document.errors) {
    problems.push(`${display}:${lineCounter.linePos(error.pos[0]).line}: ${error.message.split('\n')[0] ?? 'YAML error'}`);
  }
  if (problems.length > 0) throw configError(display, problems, what);
  const root = document.contents;
  const empty = root === null || (isScalar(root) && (root.value === null || root.value === ''));
  return { root: empty ? null : root, lineOf, problem, problems };
}

/**
 * `.nhi-audit-ignore.yaml`: either `ignore:` with a list (the config's own
 * shape, so a block can move between the files) or the bare list.
 */
export async function loadIgnoreFile(file: string, display: string, catalog: Catalog): Promise<IgnoreEntry[]> {
  const text = await readSettingsFile(file, display, 'ignore file');
  const { root, lineOf, problem, problems } = settingsYaml(text, display, 'ignore file');
  let list: Node | null = root;
  if (isMap(root)) {
    list = null;
    for (const pair of root.items) {
      const keyNode = pair.key as Node | null;
      const key = isScalar(keyNode) ? String(keyNode.value) : '';
      if (key === 'ignore') list = pair.value as Node | null;
      else problem(keyNode, `unknown key "${key}" (an ignore file holds only ignore: with a list of entries)`);
    }
  }
  const entries = parseIgnoreList(list, display, lineOf, catalog, problem);
  if (problems.length > 0) throw configError(display, problems, 'ignore file');
  return entries;
}

export function parseConfig(text: string, display: string, catalog: Catalog): Config {
  const { root, lineOf, problem, problems } = settingsYaml(text, display, 'config');
  if (root === null) return EMPTY_CONFIG;
  if (!isMap(root)) throw configError(display, [`${display}:${lineOf(root)}: the config must be a mapping`]);

  let failOn: Severity | 'none' | undefined;
  let minSeverity: Severity | undefined;
  const rules = new Map<string, RuleSettings>();
  let ignore: IgnoreEntry[] = [];
  const provisioners: Provisioner[] = [];

  for (const pair of root.items) {
    const keyNode = pair.key as Node | null;
    const key = isScalar(keyNode) ? String(keyNode.value) : '';
    const valueNode = pair.value as Node | null;
    const value: unknown = valueNode === null ? null : valueNode.toJSON();
    if (!TOP_LEVEL_KEYS.includes(key)) {
      problem(keyNode, `unknown key "${key}" (expected ${TOP_LEVEL_KEYS.join(', ')})`);
      continue;
    }
    if (key === 'fail_on') {
      if (value === 'none' || isSeverity(value)) failOn = value;
      else problem(valueNode, `fail_on must be one of ${[...SEVERITIES, 'none'].join(', ')}, not ${JSON.stringify(value)}`);
    } else if (key === 'min_severity') {
      if (isSeverity(value)) minSeverity = value;
      else problem(valueNode, `min_severity must be one of ${SEVERITIES.join(', ')}, not ${JSON.stringify(value)}`);
    } else if (key === 'ignore') {
      ignore = parseIgnoreList(valueNode, display, lineOf, catalog, problem);
    } else if (key === 'provisioners') {
      if (!isSeq(valueNode)) {
        problem(valueNode ?? keyNode, 'provisioners must be a list of { provider, tenant, actors }');
        continue;
      }
      for (const item of valueNode.items as (Node | null)[]) {
        const entry: unknown = item === null ? null : item.toJSON();
        const shaped = provisionerOf(entry, { file: display, line: lineOf(item) });
        if (typeof shaped === 'string') problem(item, `provisioners: ${shaped}`);
        else provisioners.push(shaped);
      }
    } else if (!isMap(valueNode)) {
      problem(valueNode ?? keyNode, 'rules must map rule ids or names to settings');
    } else {
      for (const rulePair of valueNode.items) {
        const refNode = rulePair.key as Node | null;
        const ref = isScalar(refNode) ? String(refNode.value) : '';
        const rule = findRule(catalog, ref);
        if (rule === undefined) {
          problem(refNode, `unknown rule "${ref}" (see \`nhi-audit rules list\`)`);
          continue;
        }
        if (rules.has(rule.id)) problem(refNode, `rule ${rule.id} (${rule.name}) is configured twice`);
        const settings = parseRuleSettings(rule, rulePair.value as Node | null, problem);
        if (settings !== undefined) rules.set(rule.id, settings);
      }
    }
  }
  if (problems.length > 0) throw configError(display, problems);
  return {
    ...(failOn === undefined ? {} : { failOn }),
    ...(minSeverity === undefined ? {} : { minSeverity }),
    rules,
    ignore,
    ...(provisioners.length === 0 ? {} : { provisioners }),
  };
}

/** One `provisioners` entry, or what is wrong with it. */
function provisionerOf(entry: unknown, source: Provisioner['source']): Provisioner | string {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return 'each entry must be a mapping of provider, tenant, actors';
  const fields = entry as Record<string, unknown>;
  const unknown = Object.keys(fields).filter((key) => !PROVISIONER_KEYS.includes(key));
  if (unknown.length > 0) return `unknown key "${unknown[0] ?? ''}" (expected ${PROVISIONER_KEYS.join(', ')})`;
  const provider = fields['provider'];
  const tenant = fields['tenant'] ?? null;
  const actors = fields['actors'];
  if (typeof provider !== 'string' || provider.trim() === '') return 'provider must be a provider name (aws, gcp, entra, okta, github, k8s…)';
  if (tenant !== null && typeof tenant !== 'string' && typeof tenant !== 'number') return 'tenant must be an account, project or tenant id';
  if (!Array.isArray(actors) || actors.length === 0 || !actors.every((actor) => typeof actor === 'string' && actor.trim() !== '')) {
    return 'actors must be a non-empty list of identity ids, role ARNs or names';
  }
  return { provider: provider.trim(), tenant: tenant === null ? null : String(tenant), actors: actors.map((actor: string) => actor.trim()), source };
}

function parseRuleSettings(
  rule: RuleMeta,
  node: Node | null,
  problem: (node: Node | null | undefined, message: string) => void,
): RuleSettings | undefined {
  // Shorthands: `rule: off|false` disables, `rule: on|true` enables.
  if (isScalar(node)) {
    const value = node.value;
    if (value === false || value === 'off') return { enabled: false, params: {} };
    if (value === true || value === 'on') return { enabled: true, params: {} };
    problem(node, `${rule.id}: expected on, off or a mapping of ${RULE_KEYS.join(', ')}`);
    return undefined;
  }
  if (!isMap(node)) {
    problem(node, `${rule.id}: expected on, off or a mapping of ${RULE_KEYS.join(', ')}`);
    return undefined;
  }
  let enabled: boolean | undefined;
  let severity: Severity | undefined;
  const params: Record<string, unknown> = {};
  for (const pair of node.items) {
    const keyNode = pair.key as Node | null;
    const key = isScalar(keyNode) ? String(keyNode.value) : '';
    const valueNode = pair.value as Node | null;
    const value: unknown = valueNode === null ? null : valueNode.toJSON();
    if (key === 'enabled') {
      if (typeof value === 'boolean') enabled = value;
      else problem(valueNode, `${rule.id}.enabled must be true or false`);
    } else if (key === 'severity') {
      if (isSeverity(value)) severity = value;
      else problem(valueNode, `${rule.id}.severity must be one of ${SEVERITIES.join(', ')}, not ${JSON.stringify(value)}`);
    } else if (key === 'params') {
      if (!isMap(valueNode)) {
        problem(valueNode ?? keyNode, `${rule.id}.params must be a mapping`);
        continue;
      }
      for (const paramPair of valueNode.items) {
        const paramKeyNode = paramPair.key as Node | null;
        const name = isScalar(paramKeyNode) ? String(paramKeyNode.value) : '';
        const spec = rule.params[name];
        const paramNode = paramPair.value as Node | null;
        if (spec === undefined) {
          const known = Object.keys(rule.params);
          problem(paramKeyNode, `${rule.id} has no param "${name}"${known.length > 0 ? ` (params: ${known.join(', ')})` : ''}`);
          continue;
        }
        const coerced = coerceParam(spec.type, paramNode === null ? null : paramNode.toJSON());
        if (coerced.ok) params[name] = coerced.value;
        else problem(paramNode, `${rule.id}.params.${name} must be ${describeType(spec.type)}`);
      }
    } else {
      problem(keyNode, `${rule.id}: unknown setting "${key}" (expected ${RULE_KEYS.join(', ')})`);
    }
  }
  return { ...(enabled === undefined ? {} : { enabled }), ...(severity === undefined ? {} : { severity }), params };
}

function configError(display: string, problems: readonly string[], what = 'config'): ConfigError {
  return new ConfigError(`invalid ${what} (${problems.length} problem${problems.length === 1 ? '' : 's'})`, display, undefined, problems);
}

function describeType(type: string): string {
  if (type === 'duration') return 'a duration such as 24h or 90d';
  if (type === 'integer') return 'an integer';
  if (type === 'string[]') return 'a list of strings';
  return `a ${type}`;
}
