/*
 * Meta-test of the rule catalog: YAML metadata, logic files, RULES, tests and
 * framework catalogs agree with each other (STYLE.md practice 1).
 */
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { BUILTIN_RULES_DIR, loadCatalog } from '../../src/engine/catalog.js';
import type { RuleLogic } from '../../src/engine/rule-api.js';
import { ConfigError } from '../../src/model/index.js';
import { RULES } from '../../src/rules/index.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const catalog = await loadCatalog();
const yamlIds = (await readdir(BUILTIN_RULES_DIR)).filter((name) => /^NHI-.*\.yaml$/.test(name)).map((name) => name.replace(/\.yaml$/, '')).sort();
const logicIds = (await readdir(path.join(ROOT, 'src/rules'))).filter((name) => /^NHI-.*\.ts$/.test(name)).map((name) => name.replace(/\.ts$/, '')).sort();

describe('rule catalog', () => {
  it('loads the built-in rules and frameworks', () => {
    expect(catalog.rules.map((rule) => rule.id)).toEqual(yamlIds);
    expect(catalog.frameworks.map((framework) => framework.id).sort()).toEqual(['nist-800-207', 'nist-800-53r5', 'nist-csf-2.0', 'owasp-nhi-2025']);
    expect(yamlIds.length).toBeGreaterThan(0);
  });

  it('has logic for every YAML and YAML for every logic file', () => {
    expect(logicIds).toEqual(yamlIds);
  });

  it.each(yamlIds)('%s: its logic file exports a rule with the same id', async (id) => {
    const module = (await import(pathToFileURL(path.join(ROOT, 'src/rules', `${id}.ts`)).href)) as { rule: RuleLogic<never> };
    expect(module.rule.id).toBe(id);
    expect(RULES).toContain(module.rule);
  });

  it('lists every rule in RULES once, sorted by id', () => {
    const ids = RULES.map((rule) => rule.id);
    expect(ids).toEqual(yamlIds);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it.each(yamlIds)('%s has a test file', (id) => {
    expect(existsSync(path.join(ROOT, 'test/rules', `${id}.test.ts`))).toBe(true);
  });

  it.each(catalog.rules.map((rule) => [rule.id, rule] as const))('%s maps to an OWASP NHI control and a NIST control', (_id, rule) => {
    expect(rule.mappings['owasp-nhi-2025']?.length ?? 0).toBeGreaterThan(0);
    const nist = Object.entries(rule.mappings).filter(([framework]) => framework.startsWith('nist-'));
    expect(nist.flatMap(([, controls]) => controls).length).toBeGreaterThan(0);
  });

  it.each(catalog.rules.map((rule) => [rule.id, rule] as const))('%s documents what it requires and every param', (_id, rule) => {
    expect(rule.requires.length).toBeGreaterThan(0);
    for (const spec of Object.values(rule.params)) expect(spec.description.length).toBeGreaterThan(20);
  });

  it('has unique rule names', () => {
    const names = catalog.rules.map((rule) => rule.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it('lists the controls the rules rely on, and no withdrawn ones', () => {
    const controls = (id: string) => catalog.frameworks.find((framework) => framework.id === id)?.controls.map((control) => control.id) ?? [];
    expect(controls('owasp-nhi-2025')).toEqual(Array.from({ length: 10 }, (_, index) => `NHI${index + 1}:2025`));
    expect(controls('nist-800-207')).toEqual(['tenet-1', 'tenet-2', 'tenet-3', 'tenet-4', 'tenet-5', 'tenet-6', 'tenet-7']);
    expect(controls('nist-csf-2.0')).toEqual(expect.arrayContaining([
      'PR.AA-01', 'PR.AA-02', 'PR.AA-03', 'PR.AA-04', 'PR.AA-05', 'PR.AA-06', 'ID.AM-01', 'ID.AM-02', 'ID.AM-08',
      'DE.CM-01', 'DE.CM-03', 'DE.CM-09', 'DE.AE-02', 'DE.AE-03', 'GV.SC-10', 'PR.IR-01', 'PR.PS-04',
    ]));
    const sp80053 = controls('nist-800-53r5');
    expect(sp80053).toEqual(expect.arrayContaining([
      'AC-2', 'AC-2(1)', 'AC-2(3)', 'AC-2(4)', 'AC-2(9)', 'AC-2(12)', 'AC-2(13)', 'AC-3', 'AC-4', 'AC-5', 'AC-6', 'AC-6(1)',
      'AC-6(5)', 'AC-6(7)', 'AC-6(9)', 'AC-6(10)', 'AC-17', 'AU-6', 'AU-12', 'CM-7', 'IA-2', 'IA-4', 'IA-4(4)', 'IA-5',
      'IA-5(1)', 'IA-5(13)', 'IA-9', 'PS-4', 'PS-5', 'SC-7', 'SC-12', 'SI-4',
    ]));
    expect(sp80053).not.toContain('AC-2(10)');
  });

  it('keeps framework metadata complete', () => {
    for (const framework of catalog.frameworks) {
      expect(framework.name).not.toBe('');
      expect(framework.version).not.toBe('');
      expect(framework.organization).not.toBe('');
      expect(framework.uri).toMatch(/^https:\/\//);
    }
  });
});

describe('rule logic boundaries', () => {
  it.each(logicIds.concat(['support', 'index']))('src/rules/%s.ts imports only the model, the rule API and its siblings', async (name) => {
    const source = await readFile(path.join(ROOT, 'src/rules', `${name}.ts`), 'utf8');
    const imports = [...source.matchAll(/from '([^']+)'/g)].map((match) => match[1] ?? '');
    expect(imports.length).toBeGreaterThan(0);
    for (const specifier of imports) {
      expect(specifier).toMatch(/^(\.\.\/model\/[a-z-]+\.js|\.\.\/engine\/rule-api\.js|\.\/[A-Za-z0-9-]+\.js)$/);
    }
    expect(source).not.toMatch(/Date\.now|new Date\(\)|console\.|process\./);
  });
});

describe('a broken catalog', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('throws one ConfigError listing every problem', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'nhi-catalog-'));
    dirs.push(dir);
    await mkdir(path.join(dir, 'frameworks'));
    await copyFile(path.join(BUILTIN_RULES_DIR, 'frameworks', 'owasp-nhi-2025.yaml'), path.join(dir, 'frameworks', 'owasp-nhi-2025.yaml'));
    await writeFile(
      path.join(dir, 'NHI-TEST-001.yaml'),
      [
        'id: NHI-TEST-002',
        'name: broken-rule',
        'title: Broken',
        'severity: severe',
        'description: A rule with every kind of mistake.',
        'remediation: Fix it.',
        'mappings:',
        '  owasp-nhi-2025: [NHI99:2025]',
        '  made-up-framework: [X-1]',
        'inputs: [identity, logs]',
        '',
      ].join('\n'),
    );
    // A valid rule whose provider-fact files are missing or lack a version and review date.
    await writeFile(
      path.join(dir, 'NHI-TEST-003.yaml'),
      [
        'id: NHI-TEST-003',
        'name: data-reader',
        'title: Reads data',
        'severity: low',
        'description: Reads provider facts.',
        'remediation: None.',
        'mappings:',
        '  owasp-nhi-2025: [NHI5:2025]',
        'inputs: [grant]',
        'data: [missing-facts, undated-facts]',
        '',
      ].join('\n'),
    );
    await mkdir(path.join(dir, 'data'));
    await writeFile(path.join(dir, 'data', 'undated-facts.yaml'), 'version: 0\nroles: []\n');
    const error = await loadCatalog([dir]).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toHaveLength(8);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/NHI-TEST-001\.yaml:\d+: inputs: "logs" is not a record kind/),
        expect.stringMatching(/NHI-TEST-003\.yaml: data: "missing-facts" has no rules\/data\/missing-facts\.yaml/),
        expect.stringMatching(/data\/undated-facts\.yaml:1: `version` must be a positive integer/),
        expect.stringMatching(/data\/undated-facts\.yaml:1: `reviewed` must be the YYYY-MM-DD/),
        expect.stringMatching(/NHI-TEST-001\.yaml:1: id "NHI-TEST-002" differs from the file name "NHI-TEST-001"/),
        expect.stringMatching(/NHI-TEST-001\.yaml:4: severity "severe"/),
        expect.stringMatching(/"NHI99:2025" is not a control in rules\/frameworks\/owasp-nhi-2025\.yaml/),
        expect.stringMatching(/unknown framework "made-up-framework"/),
      ]),
    );
    expect((error as ConfigError).message).toBe('invalid rule catalog (8 problems)');
  });
});
