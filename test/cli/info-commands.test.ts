import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FORMAT_EXAMPLES } from '../../src/cli/format-examples.js';
import { loadCatalog } from '../../src/engine/catalog.js';
import { ADAPTERS } from '../../src/ingest/registry.js';
import { REPO, runCli } from '../helpers/cli.js';

interface SourceJson {
  file: string;
  format: string;
  records: Record<string, number>;
  skipped: number;
  window?: { from: string; to: string };
}

describe('nhi-audit formats', () => {
  it('has an export example for every adapter, and none for adapters that do not exist', () => {
    const ids = ADAPTERS.map((adapter) => adapter.id);
    for (const id of ids) {
      const example = FORMAT_EXAMPLES[id];
      expect(example, `no example for adapter ${id} in src/cli/format-examples.ts`).toBeDefined();
      expect(example?.export.trim()).not.toBe('');
      expect(example?.scan).toMatch(/^nhi-audit scan \S/);
    }
    expect(Object.keys(FORMAT_EXAMPLES).sort()).toEqual([...ids].sort());
  });

  it('lists every format with how it is detected and how to export it', async () => {
    const run = await runCli(['formats']);
    expect(run.code).toBe(0);
    const [table, howTo] = run.stdout.split('How to export\n');
    expect(howTo).toBeDefined();
    for (const adapter of ADAPTERS) {
      expect(table).toContain(adapter.id);
      const example = FORMAT_EXAMPLES[adapter.id];
      expect(howTo).toContain(`  ${adapter.id}\n    export: ${example?.export}\n    scan:   ${example?.scan}\n`);
    }
    expect(run.stdout).toContain('aws iam get-account-authorization-details > authz.json');
  });

  it('is matched by the README section "Exporting inputs"', async () => {
    const readme = await readFile(path.join(REPO, 'README.md'), 'utf8');
    const section = readme.split('## Exporting inputs\n')[1]?.split('\n## ')[0];
    expect(section, 'README has no "## Exporting inputs" section').toBeDefined();
    for (const adapter of ADAPTERS) {
      expect(section).toContain(`\`${adapter.id}\``);
      expect(section).toContain(FORMAT_EXAMPLES[adapter.id]?.scan);
    }
    expect(readme.indexOf('## Exporting inputs')).toBeGreaterThan(readme.indexOf('## Canonical input format'));
  });
});

describe('nhi-audit inventory sources', () => {
  it('shows each file with its format, records and event window as a table', async () => {
    const run = await runCli(['inventory', 'fixtures/demo']);
    expect(run.code).toBe(0);
    const sources = run.stdout.split('Identities\n')[0] ?? '';
    expect(sources.startsWith('Sources\n')).toBe(true);
    const row = (file: string): string => sources.split('\n').find((line) => line.includes(file)) ?? '';
    expect(row('fixtures/demo/demo.events.ndjson')).toMatch(/canonical-events.*30 \(2026-09-02T10:15:00Z → 2026-10-31T12:00:00Z\)/);
    expect(row('fixtures/demo/inventory.yaml')).toMatch(/canonical-inventory.*3 tenants, 15 identities, 18 grants, 7 credentials, 2 approvals/);
    expect(row('fixtures/demo/principals.csv')).toMatch(/canonical-csv.*6 principals/);
    expect(run.stdout).toContain('Credentials\n');
  });

  it('gives the same per-file facts in JSON, with a window only for files that yielded events', async () => {
    const run = await runCli(['inventory', 'fixtures/demo', 'fixtures/okta', '--format', 'json']);
    expect(run.code).toBe(0);
    const snapshot = JSON.parse(run.stdout) as { sources: SourceJson[]; identities: unknown[] };
    expect(snapshot.identities.length).toBeGreaterThan(0);
    const byFile = new Map(snapshot.sources.map((source) => [source.file, source]));
    expect(byFile.get('fixtures/demo/demo.events.ndjson')).toEqual({
      file: 'fixtures/demo/demo.events.ndjson',
      format: 'canonical-events',
      records: { event: 30 },
      skipped: 0,
      window: { from: '2026-09-02T10:15:00Z', to: '2026-10-31T12:00:00Z' },
    });
    const inventory = byFile.get('fixtures/demo/inventory.yaml');
    expect(inventory?.format).toBe('canonical-inventory');
    expect(inventory?.window).toBeUndefined();
    for (const source of snapshot.sources) {
      expect(source.window !== undefined, source.file).toBe((source.records['event'] ?? 0) > 0);
      if (source.window !== undefined) expect(source.window.from <= source.window.to).toBe(true);
    }
    expect(snapshot.sources.some((source) => source.format === 'okta-system-log' && source.window !== undefined)).toBe(true);
  });

  it('puts the per-file window in the scan JSON report inputs', async () => {
    const run = await runCli(['scan', 'fixtures/demo', '--as-of', '2026-11-01T00:00:00Z', '--format', 'json']);
    const report = JSON.parse(run.stdout) as { inputs: SourceJson[] };
    const events = report.inputs.find((input) => input.format === 'canonical-events');
    expect(events?.window).toEqual({ from: '2026-09-02T10:15:00Z', to: '2026-10-31T12:00:00Z' });
    expect(report.inputs.filter((input) => input.window !== undefined)).toHaveLength(1);
  });
});

describe('nhi-audit rules', () => {
  it('lists every rule with its id, name, severity, OWASP and NIST mappings', async () => {
    const catalog = await loadCatalog();
    const run = await runCli(['rules', 'list']);
    expect(run.code).toBe(0);
    for (const rule of catalog.rules) {
      const row = run.stdout.split('\n').find((line) => line.includes(rule.id));
      expect(row, rule.id).toBeDefined();
      expect(row).toContain(rule.name.slice(0, 10));
      for (const control of rule.mappings['owasp-nhi-2025'] ?? []) expect(run.stdout).toContain(control.replace(/:2025$/, ''));
    }
    expect(run.stdout).toMatch(/800-53 AC-6/);
    expect(run.stdout).toContain(`${catalog.rules.length} rules.`);
  });

  it('shows a rule with its params, the formats that feed it and its controls by title', async () => {
    const run = await runCli(['rules', 'show', 'orphaned-refresh-token']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('NHI-TOKEN-001  orphaned-refresh-token  (high)');
    expect(run.stdout).toMatch(/Reads credential, principal, approval, identity, event records, from:\n {2}- canonical-inventory\n/);
    expect(run.stdout).toContain('  - okta-system-log');
    expect(run.stdout).toContain('AC-2 Account Management');
  });
});
