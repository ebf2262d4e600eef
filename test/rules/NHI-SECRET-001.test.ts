import { describe, expect, it } from 'vitest';
import { formatSource } from '../../src/model/index.js';
import { rule } from '../../src/rules/NHI-SECRET-001.js';
import { runRule } from '../helpers/run-rule.js';
import { at, identity, secret, t, world } from '../helpers/world.js';

const AS_OF = t('2026-03-10T00:00:00Z');
const HASH = 'a1b2c3d4e5f6';

describe('NHI-SECRET-001 secret-in-export', () => {
  it('reports one sighting with its masked form only', async () => {
    const scene = world(secret({ detector: 'github-token', masked: 'ghp_…a1B2', hash: HASH, field: 'config.token', source: at('export.json', 12) }));
    const run = await runRule(rule, scene, AS_OF);
    expect(run.findings).toHaveLength(1);
    const [finding] = run.findings;
    expect(finding?.messageId).toBe('secret-in-export');
    expect(finding?.message).toBe('A github-token sits in export.json:12 (config.token): ghp_…a1B2.');
    expect(finding?.subject).toEqual({ kind: 'credential', id: `secret:${HASH}` });
    expect(finding?.severity).toBeUndefined();
    expect(finding?.evidence.map((item) => [formatSource(item.source), item.key])).toEqual([['export.json:12', `secret:${HASH}:export.json#1`]]);
  });

  it.each([
    { detector: 'private-key', severity: 'critical' },
    { detector: 'aws-secret-access-key', severity: 'critical' },
    { detector: 'jwt', severity: undefined },
    { detector: 'okta-api-token', severity: undefined },
  ])('$detector → severity $severity', async ({ detector, severity }) => {
    const run = await runRule(rule, world(secret({ detector, source: at('dump.json', 3) })), AS_OF);
    expect(run.findings.map((finding) => finding.severity)).toEqual([severity]);
    expect(run.findings[0]?.message).toMatch(new RegExp(`^An? ${detector} sits in dump\\.json:3: …abcd\\.$`));
  });

  it('groups one value per file, listing every line up to the cap', async () => {
    const sightings = [3, 8, 9, 20].map((line) => secret({ detector: 'jwt', masked: 'eyJ…wxyz', hash: HASH, field: 'token', source: at('log.ndjson', line) }));
    const run = await runRule(rule, world(...sightings), AS_OF, { max_lines: 3 });
    expect(run.findings).toHaveLength(1);
    expect(run.findings[0]?.message).toBe('A jwt sits in log.ndjson:3 (token): eyJ…wxyz; the same value also sits on lines 8, 9 and 1 more.');
    expect(run.findings[0]?.evidence.map((item) => formatSource(item.source))).toEqual(['log.ndjson:3', 'log.ndjson:8', 'log.ndjson:9']);
  });

  it('reports the same value in two files, and a different value in the same file, separately', async () => {
    const scene = world(
      secret({ detector: 'jwt', hash: HASH, source: at('a.json', 1) }),
      secret({ detector: 'jwt', hash: HASH, source: at('b.json', 2) }),
      secret({ detector: 'jwt', hash: 'ffffffffffff', source: at('a.json', 5) }),
    );
    const run = await runRule(rule, scene, AS_OF);
    expect(run.findings.map((finding) => [finding.subject.id, finding.evidence.map((item) => formatSource(item.source))])).toEqual([
      [`secret:${HASH}`, ['a.json:1']],
      ['secret:ffffffffffff', ['a.json:5']],
      [`secret:${HASH}`, ['b.json:2']],
    ]);
  });

  it('says nothing, and is evaluated, when no secret was found', async () => {
    const run = await runRule(rule, world(identity({ id: 'sa' })), AS_OF);
    expect(run.findings).toEqual([]);
    expect(run.notEvaluated).toEqual([]);
  });
});
