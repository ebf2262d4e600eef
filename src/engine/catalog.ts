import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LineCounter, parseDocument } from 'yaml';
import {
  ConfigError,
  isSeverity,
  parseDuration,
  RECORD_KINDS,
  type Catalog,
  type Control,
  type Framework,
  type ParamSpec,
  type ParamType,
  type RecordKind,
  type RuleData,
  type RuleMeta,
} from '../model/index.js';

/** `rules/` of this package: beside `src/` in a checkout and beside `dist/` when built. */
export const BUILTIN_RULES_DIR = fileURLToPath(new URL('../../rules/', import.meta.url));

const RULE_ID = /^NHI-[A-Z]+-\d{3}$/;
const RULE_NAME = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;
const PARAM_TYPES: readonly ParamType[] = ['number', 'integer', 'string', 'boolean', 'string[]', 'duration'];

/** Collects every problem in the catalog, so one run reports them all. */
class Problems {
  readonly list: string[] = [];
  add(file: string, line: number, message: string): void {
    this.list.push(line > 0 ? `${file}:${line}: ${message}` : `${file}: ${message}`);
  }
}

interface LoadedYaml {
  readonly value: unknown;
  /** Line of a top-level key, for messages. */
  lineOf(key: string): number;
}

async function loadYaml(file: string, display: string, problems: Problems): Promise<LoadedYaml | undefined> {
  const text = await readFile(file, 'utf8');
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false });
  if (document.errors.length > 0) {
    for (const error of document.errors) {
      problems.add(display, lineCounter.linePos(error.pos[0]).line, error.message.split('\n')[0] ?? 'YAML error');
    }
    return undefined;
  }
  return {
    value: document.toJS(),
    lineOf(key) {
      const contents = document.contents;
      if (contents !== null && 'items' in contents) {
        for (const item of contents.items) {
          if (typeof item === 'object' && item !== null && 'key' in item) {
            const node = item.key as { value?: unknown; range?: [number, number, number] } | null;
            if (node?.value === key && node.range !== undefined) return lineCounter.linePos(node.range[0]).line;
          }
        }
      }
      return 1;
    },
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** Validates a param value against its declared type; durations become milliseconds. */
export function coerceParam(type: ParamType, value: unknown): { ok: true; value: unknown } | { ok: false } {
  switch (type) {
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? { ok: true, value } : { ok: false };
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value) ? { ok: true, value } : { ok: false };
    case 'string':
      return typeof value === 'string' ? { ok: true, value } : { ok: false };
    case 'boolean':
      return typeof value === 'boolean' ? { ok: true, value } : { ok: false };
    case 'string[]':
      return Array.isArray(value) && value.every((item) => typeof item === 'string')
        ? { ok: true, value: [...(value as string[])] }
        : { ok: false };
    case 'duration': {
      const ms = typeof value === 'string' ? parseDuration(value) : null;
      return ms === null ? { ok: false } : { ok: true, value: ms };
    }
  }
}

function parseFramework(loaded: LoadedYaml, display: string, problems: Problems): Framework | undefined {
  const raw = loaded.value;
  if (!isRecord(raw)) {
    problems.add(display, 1, 'a framework file must be a mapping');
    return undefined;
  }
  const id = text(raw['id']);
  const name = text(raw['name']);
  if (id === undefined || name === undefined) {
    problems.add(display, 1, 'a framework needs `id` and `name`');
    return undefined;
  }
  const controls: Control[] = [];
  const seen = new Set<string>();
  if (!Array.isArray(raw['controls'])) problems.add(display, loaded.lineOf('controls'), '`controls` must be a list');
  for (const [index, control] of (Array.isArray(raw['controls']) ? raw['controls'] : []).entries()) {
    const controlId = isRecord(control) ? text(control['id']) : undefined;
    const title = isRecord(control) ? text(control['title']) : undefined;
    if (controlId === undefined || title === undefined) {
      problems.add(display, loaded.lineOf('controls'), `controls[${index}] needs \`id\` and \`title\``);
      continue;
    }
    if (seen.has(controlId)) problems.add(display, loaded.lineOf('controls'), `control ${controlId} is listed twice`);
    seen.add(controlId);
    controls.push({ id: controlId, title });
  }
  return {
    id,
    name,
    version: String(raw['version'] ?? ''),
    organization: text(raw['organization']) ?? '',
    uri: text(raw['uri']) ?? '',
    controls,
  };
}

function parseRule(
  loaded: LoadedYaml,
  display: string,
  fileId: string,
  frameworks: ReadonlyMap<string, ReadonlySet<string>>,
  problems: Problems,
): RuleMeta | undefined {
  const raw = loaded.value;
  if (!isRecord(raw)) {
    problems.add(display, 1, 'a rule file must be a mapping');
    return undefined;
  }
  const before = problems.list.length;
  const need = (key: string): string => {
    const value = text(raw[key]);
    if (value === undefined) problems.add(display, loaded.lineOf(key), `\`${key}\` is required and must be text`);
    return value ?? '';
  };
  const id = need('id');
  const name = need('name');
  const title = need('title');
  const description = need('description');
  const remediation = need('remediation');
  if (id !== '' && !RULE_ID.test(id)) problems.add(display, loaded.lineOf('id'), `id "${id}" must look like NHI-AREA-001`);
  if (id !== '' && id !== fileId) problems.add(display, loaded.lineOf('id'), `id "${id}" differs from the file name "${fileId}"`);
  if (name !== '' && !RULE_NAME.test(name)) problems.add(display, loaded.lineOf('name'), `name "${name}" must be kebab-case`);
  const severity = raw['severity'];
  if (!isSeverity(severity)) problems.add(display, loaded.lineOf('severity'), `severity "${String(severity)}" is not one of critical, high, medium, low, info`);

  const params: Record<string, ParamSpec> = {};
  const rawParams = raw['params'] ?? {};
  if (!isRecord(rawParams)) problems.add(display, loaded.lineOf('params'), '`params` must be a mapping');
  else {
    for (const [key, spec] of Object.entries(rawParams)) {
      const type = isRecord(spec) ? spec['type'] : undefined;
      const description = isRecord(spec) ? text(spec['description']) : undefined;
      if (!PARAM_TYPES.includes(type as ParamType) || description === undefined || !isRecord(spec) || !('default' in spec)) {
        problems.add(display, loaded.lineOf('params'), `param ${key} needs type (${PARAM_TYPES.join(', ')}), default and description`);
        continue;
      }
      const coerced = coerceParam(type as ParamType, spec['default']);
      if (!coerced.ok) {
        problems.add(display, loaded.lineOf('params'), `param ${key}: default ${JSON.stringify(spec['default'])} is not a ${String(type)}`);
        continue;
      }
      params[key] = { type: type as ParamType, default: spec['default'], description };
    }
  }

  const mappings: Record<string, string[]> = {};
  const rawMappings = raw['mappings'];
  if (!isRecord(rawMappings) || Object.keys(rawMappings).length === 0) {
    problems.add(display, loaded.lineOf('mappings'), '`mappings` must map framework ids to control ids');
  } else {
    for (const [framework, controls] of Object.entries(rawMappings)) {
      const known = frameworks.get(framework);
      if (known === undefined) {
        problems.add(display, loaded.lineOf('mappings'), `mappings: unknown framework "${framework}"`);
        continue;
      }
      if (!Array.isArray(controls) || controls.length === 0) {
        problems.add(display, loaded.lineOf('mappings'), `mappings.${framework} must be a non-empty list`);
        continue;
      }
      for (const control of controls) {
        if (typeof control !== 'string' || !known.has(control)) {
          problems.add(display, loaded.lineOf('mappings'), `mappings.${framework}: "${String(control)}" is not a control in rules/frameworks/${framework}.yaml`);
        }
      }
      mappings[framework] = controls.filter((control): control is string => typeof control === 'string');
    }
  }
  const requires = Array.isArray(raw['requires']) ? raw['requires'].filter((item): item is string => typeof item === 'string') : [];
  const inputs = stringList(raw['inputs'], 'inputs', loaded, display, problems).filter((kind): kind is RecordKind => {
    if ((RECORD_KINDS as readonly string[]).includes(kind)) return true;
    problems.add(display, loaded.lineOf('inputs'), `inputs: "${kind}" is not a record kind (${RECORD_KINDS.join(', ')})`);
    return false;
  });
  if (inputs.length === 0) problems.add(display, loaded.lineOf('inputs'), `\`inputs\` must list the record kinds the rule reads (${RECORD_KINDS.join(', ')})`);
  const data = stringList(raw['data'], 'data', loaded, display, problems);
  if (problems.list.length > before || !isSeverity(severity)) return undefined;
  return { id, name, title, severity, description, remediation, params, mappings, requires, inputs, data };
}

function stringList(value: unknown, key: string, loaded: LoadedYaml, display: string, problems: Problems): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) {
    problems.add(display, loaded.lineOf(key), `\`${key}\` must be a list of names`);
    return [];
  }
  return value as string[];
}

const DATA_NAME = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** A provider-fact file: `version` (integer), `reviewed` (YYYY-MM-DD) and the rest is the rule's. */
async function loadRuleData(directory: string, name: string, problems: Problems): Promise<RuleData | undefined> {
  const display = `${path.basename(directory)}/data/${name}.yaml`;
  if (!DATA_NAME.test(name)) {
    problems.add(display, 0, `data file name "${name}" must be lower-case words joined by hyphens`);
    return undefined;
  }
  const loaded = await loadYaml(path.join(directory, 'data', `${name}.yaml`), display, problems);
  if (loaded === undefined) return undefined;
  const raw = loaded.value;
  if (!isRecord(raw)) {
    problems.add(display, 1, 'a data file must be a mapping with version, reviewed and its lists');
    return undefined;
  }
  const version = raw['version'];
  // YAML reads an unquoted date as a string here (core schema), but accept a Date too.
  const reviewedRaw = raw['reviewed'];
  const reviewed = reviewedRaw instanceof Date ? reviewedRaw.toISOString().slice(0, 10) : reviewedRaw;
  let ok = true;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    problems.add(display, loaded.lineOf('version'), '`version` must be a positive integer, bumped on every change');
    ok = false;
  }
  if (typeof reviewed !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(reviewed)) {
    problems.add(display, loaded.lineOf('reviewed'), '`reviewed` must be the YYYY-MM-DD of the last review');
    ok = false;
  }
  if (!ok) return undefined;
  return { name, version: version as number, reviewed: reviewed as string, content: raw };
}

/**
 * Loads `rules/frameworks/*.yaml` and `rules/*.yaml` from each directory,
 * validating everything and reporting every problem at once (ConfigError).
 */
export async function loadCatalog(directories: readonly string[] = [BUILTIN_RULES_DIR]): Promise<Catalog> {
  const problems = new Problems();
  const frameworks: Framework[] = [];
  const ruleFiles: { file: string; display: string }[] = [];
  for (const directory of directories) {
    const frameworkDir = path.join(directory, 'frameworks');
    for (const name of (await listYaml(frameworkDir)).sort()) {
      const display = `${path.basename(directory)}/frameworks/${name}`;
      const loaded = await loadYaml(path.join(frameworkDir, name), display, problems);
      const framework = loaded === undefined ? undefined : parseFramework(loaded, display, problems);
      if (framework !== undefined) frameworks.push(framework);
    }
    for (const name of (await listYaml(directory)).sort()) {
      ruleFiles.push({ file: path.join(directory, name), display: `${path.basename(directory)}/${name}` });
    }
  }
  const controlIndex = new Map(frameworks.map((framework) => [framework.id, new Set(framework.controls.map((control) => control.id))]));
  const rules: RuleMeta[] = [];
  const names = new Map<string, string>();
  for (const { file, display } of ruleFiles) {
    const loaded = await loadYaml(file, display, problems);
    const fileId = path.basename(file).replace(/\.ya?ml$/, '');
    const rule = loaded === undefined ? undefined : parseRule(loaded, display, fileId, controlIndex, problems);
    if (rule === undefined) continue;
    const clash = names.get(rule.name) ?? names.get(rule.id);
    if (clash !== undefined) problems.add(display, 1, `rule ${rule.id} (${rule.name}) clashes with ${clash}`);
    names.set(rule.name, rule.id);
    names.set(rule.id, rule.id);
    rules.push(rule);
  }
  const data: Record<string, RuleData> = {};
  for (const rule of rules) {
    for (const name of rule.data) {
      if (name in data) continue;
      // A data file lives beside the rules that name it; later directories (`--rules`) win.
      const directory = [...directories].reverse().find((dir) => existsSync(path.join(dir, 'data', `${name}.yaml`)));
      if (directory === undefined) {
        problems.add(`rules/${rule.id}.yaml`, 0, `data: "${name}" has no rules/data/${name}.yaml`);
        continue;
      }
      const found = await loadRuleData(directory, name, problems);
      if (found !== undefined) data[name] = found;
    }
  }
  if (problems.list.length > 0) {
    throw new ConfigError(`invalid rule catalog (${problems.list.length} problem${problems.list.length === 1 ? '' : 's'})`, undefined, undefined, problems.list);
  }
  return { rules: rules.sort((a, b) => (a.id < b.id ? -1 : 1)), frameworks, data };
}

async function listYaml(directory: string): Promise<string[]> {
  try {
    const entries = await readdir(directory, { withFileTypes: true });
    return entries.filter((entry) => entry.isFile() && /\.ya?ml$/.test(entry.name)).map((entry) => entry.name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** Default params of a rule, as rule logic receives them (durations in ms). */
export function defaultParams(meta: RuleMeta): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(meta.params)) {
    const coerced = coerceParam(spec.type, spec.default);
    if (coerced.ok) params[key] = coerced.value;
  }
  return params;
}

/** Finds a rule by id or public name. */
export function findRule(catalog: Catalog, ref: string): RuleMeta | undefined {
  return catalog.rules.find((rule) => rule.id === ref || rule.name === ref);
}
