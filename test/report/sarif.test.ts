import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv04 from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import type { Log, Notification, ReportingDescriptor, Result, ToolComponent } from 'sarif';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/model/report.js';
import { artifactLocation, sarifReporter } from '../../src/report/sarif.js';
import { expectGolden, repoRoot } from './golden.js';
import { emptyReport, sampleCatalog, sampleReport } from './sample.js';

const context = { catalog: sampleCatalog, color: false } as const;
const schemaPath = path.resolve(repoRoot, '../shared/schemas/sarif-2.1.0.schema.json');
const haveSchema = existsSync(schemaPath);

function log(report: Report = sampleReport): Log {
  return JSON.parse(sarifReporter(report, context)) as Log;
}

function run(report: Report = sampleReport) {
  const first = log(report).runs[0];
  if (first === undefined) throw new Error('SARIF log has no run');
  return first;
}

function rules(): ReportingDescriptor[] {
  return run().tool.driver.rules ?? [];
}

function results(): Result[] {
  return run().results ?? [];
}

function result(index: number): Result {
  const found = results()[index];
  if (found === undefined) throw new Error(`no result ${index}`);
  return found;
}

describe('sarif reporter', () => {
  it('matches the golden output', () => {
    expectGolden('report.sarif', sarifReporter(sampleReport, context));
  });

  it.skipIf(!haveSchema).each([
    ['a report with findings', sampleReport],
    ['a clean report', emptyReport],
  ])(
    haveSchema
      ? 'validates against the OASIS SARIF 2.1.0 schema: %s'
      : `validates against the SARIF schema: %s (skipped: ${schemaPath} not found)`,
    (_name, report) => {
      const ajv = new Ajv04.default({ allErrors: true }); // ajv defaults: the OASIS schema trips `strictRequired`
      // ajv-formats is CommonJS; under NodeNext its plugin is the module's `default`.
      addFormats.default(ajv);
      const validate = ajv.compile(JSON.parse(readFileSync(schemaPath, 'utf8')) as object);
      const valid = validate(log(report));
      expect(validate.errors ?? []).toEqual([]);
      expect(valid).toBe(true);
    },
  );

  it('describes the tool for GitHub code scanning', () => {
    const { driver } = run().tool;
    expect(driver.name).toBe('nhi-audit');
    expect(driver.version).toBe('0.1.0');
    expect(driver.semanticVersion).toBe('0.1.0');
    expect(driver.informationUri).toMatch(/^https:\/\//);
  });

  it('lists every catalog rule, with or without findings, with its own text', () => {
    expect(rules().map((rule) => rule.id)).toEqual(sampleCatalog.rules.map((rule) => rule.id));
    const appr = rules().find((rule) => rule.id === 'NHI-APPR-001');
    expect(appr?.name).toBe('approval-review-overdue');
    expect(appr?.shortDescription?.text).toBe('Delegation approval not reviewed in time');
    expect(appr?.fullDescription?.text).toBe('An approval passed its review date without being re-reviewed.');
    expect(appr?.help?.text).toContain('Re-review the approval or let it expire.');
    expect(appr?.help?.markdown).toContain('## Remediation');
  });

  it.each([
    ['NHI-LIFE-001', 'error', '9.5'],
    ['NHI-PRIV-001', 'error', '8.0'],
    ['NHI-CRED-002', 'warning', '5.5'],
    ['NHI-APPR-001', 'note', '3.0'],
  ])('gives %s level %s and security-severity %s', (id, level, score) => {
    const rule = rules().find((candidate) => candidate.id === id);
    expect(rule?.defaultConfiguration?.level).toBe(level);
    expect(rule?.properties?.['security-severity']).toBe(score);
  });

  it('tags rules and relates them to taxa that exist', () => {
    const taxonomies: ToolComponent[] = run().taxonomies ?? [];
    expect(taxonomies.map((taxonomy) => taxonomy.name)).toEqual(['owasp-nhi-2025', 'nist-800-53r5']);
    expect(taxonomies[0]?.organization).toBe('OWASP Foundation');
    let checked = 0;
    for (const rule of rules()) {
      expect(rule.properties?.tags).toEqual(expect.arrayContaining(['security', 'non-human-identity']));
      for (const relationship of rule.relationships ?? []) {
        const { target } = relationship;
        const taxonomy = taxonomies[target.toolComponent?.index ?? -1];
        expect(taxonomy?.name).toBe(target.toolComponent?.name);
        expect(taxonomy?.taxa?.[target.index ?? -1]?.id).toBe(target.id);
        expect(relationship.kinds).toEqual(['relevant']);
        checked += 1;
      }
    }
    expect(checked).toBe(10);
    const life = rules()[0];
    expect(life?.properties?.tags).toEqual([
      'security',
      'non-human-identity',
      'external/owasp-nhi-2025/NHI1:2025',
      'external/nist-800-53r5/AC-2',
      'external/nist-800-53r5/AC-2(3)',
    ]);
    expect(life?.help?.text).toContain(
      'Mapped controls\nOWASP Non-Human Identities Top 10 (2025):\n- NHI1:2025: Improper Offboarding\nNIST SP 800-53 (Rev. 5):\n- AC-2: Account Management\n- AC-2(3): Account Management | Disable Accounts',
    );
    expect(life?.help?.markdown).toContain(
      '**NIST SP 800-53 \\(Rev. 5\\)**\n\n- AC-2: Account Management\n- AC-2\\(3\\): Account Management \\| Disable Accounts',
    );
  });

  it('tags a control the catalog does not know, without a dangling relationship', () => {
    const cred = rules().find((rule) => rule.id === 'NHI-CRED-002');
    expect(cred?.properties?.tags).toContain('external/internal-policy/SEC-12');
    expect(cred?.relationships?.map((relationship) => relationship.target.id)).toEqual(['NHI7:2025', 'IA-5']);
    expect(cred?.help?.text).toContain('internal-policy:\n- SEC-12');
  });

  it('points each result at its rule with the finding’s own level', () => {
    const all = rules();
    for (const item of results()) expect(all[item.ruleIndex ?? -1]?.id).toBe(item.ruleId);
    expect(results().map((item) => item.level)).toEqual(['error', 'error', 'error', 'warning', 'note', 'note']);
    expect(result(4).properties?.['severity']).toBe('low');
  });

  it('locates results at the evidence file and line', () => {
    const [token, event, principal] = result(0).locations ?? [];
    expect(token?.physicalLocation?.artifactLocation).toEqual({ uri: 'inventory/tokens.yaml', uriBaseId: '%SRCROOT%', index: 0 });
    expect(token?.physicalLocation?.region).toEqual({ startLine: 12 });
    expect(token?.message?.text).toBe('refresh token rt-42 issued 2025-11-01, never expires');
    expect(event?.physicalLocation?.artifactLocation?.uri).toBe('logs/okta%20events.ndjson');
    expect(event?.physicalLocation?.region).toEqual({ startLine: 3 });
    // No line: no region, and the pointer is the locator.
    expect(principal?.physicalLocation?.region).toBeUndefined();
    expect(principal?.logicalLocations).toEqual([{ fullyQualifiedName: '/principals/3' }]);
    expect(principal?.message?.text).toBe('alice@example.com offboarded 2026-02-13 (at /principals/3)');
  });

  it('caps locations at ten and counts the rest', () => {
    expect(result(1).locations).toHaveLength(10);
    expect(result(1).properties?.['omittedEvidence']).toBe(2);
    expect(result(0).properties?.['omittedEvidence']).toBeUndefined();
  });

  it('fingerprints results with the upstream fingerprint and keeps subject and mappings', () => {
    expect(result(0).partialFingerprints).toEqual({ 'nhiAudit/v1': '9f2c4e1a7b3d5f60' });
    expect(result(0).properties?.['subject']).toEqual({
      kind: 'credential',
      id: 'rt-42',
      provider: 'oauth',
      tenant: 'acme-prod',
    });
    expect(Object.keys(result(0).properties?.['mappings'] as object)).toEqual(['owasp-nhi-2025', 'nist-800-53r5']);
  });

  it('makes messages inert: no control sequences, no embedded links', () => {
    const texts: string[] = [];
    for (const item of results()) {
      texts.push(item.message.text ?? '');
      for (const location of item.locations ?? []) texts.push(location.message?.text ?? '');
    }
    for (const notification of run().invocations?.[0]?.toolExecutionNotifications ?? []) {
      texts.push(notification.message.text ?? '');
    }
    for (const text of texts) expect(text).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e]/);
    expect(texts).toContain('access_key_1_last_rotated 2025-02-14T09:00:00Z \\[see\\](http://evil.example)');
    expect(result(0).message.text).toContain('(user agent click curl/8.5 ).');
  });

  it('reports skipped inputs and rule problems as tool notifications', () => {
    const invocation = run().invocations?.[0];
    expect(invocation?.executionSuccessful).toBe(true);
    const notifications: Notification[] = invocation?.toolExecutionNotifications ?? [];
    const descriptors = run().tool.driver.notifications ?? [];
    for (const notification of notifications) {
      expect(descriptors[notification.descriptor?.index ?? -1]?.id).toBe(notification.descriptor?.id);
    }
    expect(notifications.map((notification) => [notification.level, notification.descriptor?.id])).toEqual([
      ['warning', 'input-skipped'],
      ['warning', 'input-skipped'],
      ['note', 'rule-not-evaluated'],
      ['error', 'rule-error'],
      ['warning', 'suppression-expired'],
      ['note', 'baseline-entry-fixed'],
    ]);
    expect(notifications[4]?.locations?.[0]?.physicalLocation).toEqual({
      artifactLocation: { uri: '.nhi-audit-ignore.yaml', uriBaseId: '%SRCROOT%' },
      region: { startLine: 9 },
    });
    expect(notifications[5]?.message.text).toContain('NHI-PRIV-001 (wildcard-privilege) on identity arn:aws:iam::123456789012:role/old-admin');
    expect(notifications[0]?.locations?.[0]?.physicalLocation).toEqual({
      artifactLocation: { uri: 'logs/okta%20events.ndjson', uriBaseId: '%SRCROOT%' },
      region: { startLine: 57 },
    });
    expect(notifications[1]?.locations?.[0]?.physicalLocation?.region).toBeUndefined();
    expect(notifications[3]?.associatedRule).toEqual({ id: 'NHI-REUSE-001', index: 4 });
    expect(notifications[3]?.message.text).toContain("NHI-REUSE-001 (identity-shared-across-environments) failed: TypeError");
  });

  it('lists the inputs as artifacts and records the evaluation time and window', () => {
    const current = run();
    expect(current.artifacts?.map((artifact) => artifact.location?.uri)).toEqual(
      sampleReport.inputs.map((input) => input.file.replace(' ', '%20')),
    );
    expect(current.properties).toEqual({
      asOf: '2026-04-01T00:00:00Z',
      logWindow: { from: '2026-01-01T00:00:00Z', to: '2026-03-31T23:59:59Z', events: 410 },
      suppressed: 3,
      reportSchemaVersion: '1.1.0',
    });
  });

  it('keeps suppressed findings as results with an accepted external suppression, and marks the rest new against the baseline', () => {
    const all = results();
    const suppressed = all.filter((item) => item.suppressions !== undefined);
    expect(suppressed).toHaveLength(1);
    expect(suppressed[0]?.partialFingerprints).toEqual({ 'nhiAudit/v1': '5e1f0a2b3c4d5e6f7a8b9c0d1e2f3a4b' });
    expect(suppressed[0]?.suppressions).toEqual([
      {
        kind: 'external',
        status: 'accepted',
        justification: 'Re-review booked for Q2 (CHG-1182) click | <b>ok</b> (until 2026-06-30T00:00:00Z; .nhi-audit-ignore.yaml:2)',
      },
    ]);
    expect(suppressed[0]?.baselineState).toBeUndefined();
    expect(all.filter((item) => item.suppressions === undefined).map((item) => item.baselineState)).toEqual(Array(5).fill('new'));
    expect(run(emptyReport).results?.every((item) => item.baselineState === undefined)).toBe(true);
  });

  it('gives every notification descriptor, like every rule, a short and full description and help', () => {
    for (const descriptor of [...rules(), ...(run().tool.driver.notifications ?? [])]) {
      expect(descriptor.shortDescription?.text, descriptor.id).toMatch(/\S/);
      expect(descriptor.fullDescription?.text, descriptor.id).toMatch(/\S/);
      expect(descriptor.help?.text, descriptor.id).toMatch(/\S/);
    }
  });

  it('names the analysis with --sarif-category as its automationDetails id, and only then', () => {
    const categorised = JSON.parse(sarifReporter(sampleReport, { ...context, sarifCategory: 'nhi-audit/prod' })) as Log;
    expect(categorised.runs[0]?.automationDetails).toEqual({ id: 'nhi-audit/prod/' });
    expect(run().automationDetails).toBeUndefined();
  });

  it('gives a clean scan an empty result list, not a missing one', () => {
    expect(run(emptyReport).results).toEqual([]);
  });

  it('is deterministic and does not modify the report', () => {
    const before = structuredClone(sampleReport);
    expect(sarifReporter(sampleReport, context)).toBe(sarifReporter(sampleReport, context));
    expect(sampleReport).toEqual(before);
  });
});

describe('artifactLocation', () => {
  it.each([
    ['plain relative path', 'logs/a.json', { uri: 'logs/a.json', uriBaseId: '%SRCROOT%' }],
    ['space, hash, question mark, percent', 'a b/c#d?e%.json', { uri: 'a%20b/c%23d%3Fe%25.json', uriBaseId: '%SRCROOT%' }],
    ['non-ASCII', 'dir/ü.json', { uri: 'dir/%C3%BC.json', uriBaseId: '%SRCROOT%' }],
    ['sub-delimiters and @ kept', 'a+b=c,d@e.json', { uri: 'a+b=c,d@e.json', uriBaseId: '%SRCROOT%' }],
    ['colon in first segment is not a scheme', 'c:x/y.json', { uri: 'c%3Ax/y.json', uriBaseId: '%SRCROOT%' }],
    ['parent directory', '../exports/x.json', { uri: '../exports/x.json', uriBaseId: '%SRCROOT%' }],
    ['absolute POSIX path', '/var/log/a b.json', { uri: 'file:///var/log/a%20b.json' }],
    ['Windows drive path', 'C:/exports/x.json', { uri: 'file:///C:/exports/x.json' }],
    ['Windows separators', 'logs\\x.json', { uri: 'logs/x.json', uriBaseId: '%SRCROOT%' }],
  ])('%s', (_name, file, expected) => {
    expect(artifactLocation(file)).toEqual(expected);
  });
});
