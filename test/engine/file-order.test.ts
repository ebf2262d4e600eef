/*
 * Events are folded in whatever order reader threads send them: neither
 * that nor the order of files may change a finding. discover() always
 * sorts, so this test drives the engine below it with the same multi-file
 * bundle in path order and reversed, on one thread and with 1, 2 and 3
 * reader threads, and compares the findings and every rule's notes. Worker threads run the
 * built dist/ (npm test builds first).
 */
import { describe, expect, it } from 'vitest';
import { Correlator } from '../../src/correlate/index.js';
import { loadCatalog } from '../../src/engine/catalog.js';
import { EMPTY_CONFIG } from '../../src/engine/config.js';
import { evaluateRules } from '../../src/engine/evaluate.js';
import { compareFindings, dedupe } from '../../src/engine/findings.js';
import { ingestInWorkers } from '../../src/engine/parallel.js';
import type { RuleLogic } from '../../src/engine/rule-api.js';
import { discover } from '../../src/ingest/discover.js';
import { ingest } from '../../src/ingest/ingest.js';
import type { DiscoveredFile } from '../../src/ingest/discover.js';
import { parseInstant } from '../../src/model/index.js';
import { RULES } from '../../src/rules/index.js';
import { AS_OF } from '../helpers/cli.js';

// The same identities' events, credentials and inventories spread over many files of every kind.
const BUNDLE = ['fixtures/demo', 'fixtures/demo-native', 'fixtures/aws', 'fixtures/okta', 'fixtures/oauth', 'fixtures/canonical'];
const LOGIC: ReadonlyMap<string, RuleLogic<never>> = new Map(RULES.map((rule) => [rule.id, rule as RuleLogic<never>]));

/** `readers` 0: read on this thread. */
async function outcome(files: readonly DiscoveredFile[], readers: number) {
  const correlator = new Correlator();
  if (readers === 0) {
    await ingest(files, { strict: false }, (record) => correlator.add(record));
  } else {
    await ingestInWorkers(files, { strict: false, inputTypes: new Map(), readers }, correlator);
  }
  const catalog = await loadCatalog();
  const asOf = parseInstant(AS_OF);
  if (!asOf.ok) throw new Error(asOf.reason);
  const { findings, evaluations } = evaluateRules(catalog, LOGIC, correlator.finish(), EMPTY_CONFIG, { enable: new Set(), disable: new Set() }, asOf.value);
  return {
    findings: JSON.stringify(dedupe(findings).sort(compareFindings)),
    evaluations: JSON.stringify(evaluations),
    count: findings.length,
  };
}

describe('file order and reader threads', () => {
  it('give the same findings and notes for the bundle in path order and reversed, on one thread and with 1, 2 and 3 readers', async () => {
    const sorted = await discover(BUNDLE, process.cwd());
    const reversed = [...sorted].reverse();
    expect(sorted.length).toBeGreaterThan(20);
    const reference = await outcome(sorted, 0);
    // Enough findings that a fold depending on order would show.
    expect(reference.count).toBeGreaterThan(40);
    for (const [files, readers] of [[reversed, 0], [sorted, 1], [reversed, 1], [sorted, 2], [reversed, 2], [sorted, 3], [reversed, 3]] as const) {
      const other = await outcome(files, readers);
      expect(other.findings, `${files === sorted ? 'path order' : 'reversed'}, ${readers} readers`).toBe(reference.findings);
      expect(other.evaluations, `${files === sorted ? 'path order' : 'reversed'}, ${readers} readers`).toBe(reference.evaluations);
    }
  }, 60_000);
});
