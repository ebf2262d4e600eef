import { readFileSync } from 'node:fs';
import { Ajv, type AnySchemaObject } from 'ajv';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { REPORT_SCHEMA_VERSION, type Report } from '../../src/model/report.js';
import { jsonReporter } from '../../src/report/json.js';
import { expectGolden } from './golden.js';
import { emptyReport, HOSTILE_LINK, sampleCatalog, sampleReport } from './sample.js';

const context = { catalog: sampleCatalog, color: false } as const;
const schema = JSON.parse(
  readFileSync(new URL('../../src/report/report.schema.json', import.meta.url), 'utf8'),
) as AnySchemaObject;

function validator() {
  const ajv = new Ajv({ allErrors: true, strict: true });
  // ajv-formats is CommonJS; under NodeNext its plugin is the module's `default`.
  addFormats.default(ajv);
  return ajv.compile(schema);
}

function parsed(report: Report = sampleReport): Record<string, unknown> {
  return JSON.parse(jsonReporter(report, context)) as Record<string, unknown>;
}

/** The same data with every object's keys inserted in reverse order. */
function reverseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reverseKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).reverse().map(([key, item]) => [key, reverseKeys(item)]));
}

describe('json reporter', () => {
  it('matches the golden output', () => {
    expectGolden('report.json', jsonReporter(sampleReport, context));
  });

  it.each([
    ['a report with findings', sampleReport],
    ['a clean report without event logs', emptyReport],
  ])('validates against report.schema.json: %s', (_name, report) => {
    const validate = validator();
    const valid = validate(parsed(report));
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('has a schema that rejects what the model forbids', () => {
    const validate = validator();
    const bad = parsed();
    const findings = bad['findings'] as Record<string, unknown>[];
    const first = findings[0];
    if (first === undefined) throw new Error('sample has findings');
    first['severity'] = 'severe';
    expect(validate(bad)).toBe(false);
    expect(validate({ ...parsed(), extra: true })).toBe(false);
    expect(validate({ ...parsed(), asOf: 'yesterday' })).toBe(false);
  });

  it('has a schema whose version is the model’s and that describes every field', () => {
    expect((schema['properties'] as Record<string, { const?: string }>)['schemaVersion']?.const).toBe(
      REPORT_SCHEMA_VERSION,
    );
    const undocumented: string[] = [];
    const walk = (node: unknown, at: string): void => {
      if (node === null || typeof node !== 'object') return;
      const properties = (node as { properties?: Record<string, unknown> }).properties;
      for (const [name, child] of Object.entries(properties ?? {})) {
        const described = typeof (child as { description?: unknown }).description === 'string';
        const viaRef = typeof (child as { $ref?: unknown }).$ref === 'string';
        if (!described && !viaRef) undocumented.push(`${at}/${name}`);
      }
      for (const [key, child] of Object.entries(node)) walk(child, `${at}/${key}`);
    };
    walk(schema, '#');
    expect(undocumented).toEqual([]);
  });

  it('writes keys in the documented order', () => {
    const output = parsed();
    expect(Object.keys(output)).toEqual([
      'schemaVersion',
      'tool',
      'asOf',
      'inputs',
      'skipped',
      'logWindow',
      'evaluations',
      'summary',
      'suppressed',
      'findings',
      'suppressedFindings',
      'baseline',
      'warnings',
    ]);
    const suppressed = (output['suppressedFindings'] as Record<string, unknown>[])[0] ?? {};
    expect(Object.keys(suppressed).slice(-2)).toEqual(['fingerprint', 'suppression']);
    const finding = (output['findings'] as Record<string, unknown>[])[0] ?? {};
    expect(Object.keys(finding)).toEqual([
      'ruleId',
      'ruleName',
      'severity',
      'messageId',
      'message',
      'subject',
      'evidence',
      'mappings',
      'remediation',
      'fingerprint',
    ]);
    const input = (output['inputs'] as { records: Record<string, number> }[])[0];
    expect(Object.keys(input?.records ?? {})).toEqual(['principal', 'credential', 'approval']);
  });

  it('does not depend on the key order of the objects it is given', () => {
    const shuffled = reverseKeys(sampleReport) as Report;
    expect(jsonReporter(shuffled, context)).toBe(jsonReporter(sampleReport, context));
  });

  it('keeps the engine’s finding order and puts mappings in catalog order', () => {
    const findings = parsed()['findings'] as { fingerprint: string; mappings: Record<string, string[]> }[];
    expect(findings.map((finding) => finding.fingerprint)).toEqual(
      sampleReport.findings.map((finding) => finding.fingerprint),
    );
    expect(findings[0]?.mappings).toEqual({ 'owasp-nhi-2025': ['NHI1:2025'], 'nist-800-53r5': ['AC-2', 'AC-2(3)'] });
    expect(Object.keys(findings[3]?.mappings ?? {})).toEqual(['owasp-nhi-2025', 'nist-800-53r5', 'internal-policy']);
  });

  it('keeps input strings faithful, but writes no raw control character', () => {
    const output = jsonReporter(sampleReport, context);
    expect(output).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e]/);
    const findings = (JSON.parse(output) as { findings: { message: string }[] }).findings;
    expect(findings[0]?.message).toBe(sampleReport.findings[0]?.message);
    expect(findings[0]?.message).toContain(HOSTILE_LINK);
  });

  it('is deterministic and does not modify the report', () => {
    const before = structuredClone(sampleReport);
    expect(jsonReporter(sampleReport, context)).toBe(jsonReporter(sampleReport, context));
    expect(sampleReport).toEqual(before);
  });
});
