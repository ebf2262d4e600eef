import { describe, expect, it } from 'vitest';
import { formatSource, type Credential, type NormalizedRecord } from '../../src/model/index.js';
import { rule } from '../../src/rules/NHI-TOKEN-003.js';
import { runRule } from '../helpers/run-rule.js';
import { at, credential, event, identity, t, world } from '../helpers/world.js';

const AS_OF = t('2026-06-01T00:00:00Z');
const ALICE = 'alice@example.com';

const client = (overrides: object = {}) => identity({ id: 'cli-app', type: 'app', provider: 'okta', source: at('apps.yaml', 2), ...overrides });
const token = (id: string, issued: string, line: number, overrides: Partial<Credential> = {}) =>
  credential({ id, type: 'refresh-token', clientId: 'cli-app', onBehalfOf: ALICE, issuedAt: t(issued), source: at('okta.ndjson', line), ...overrides });
const present = (id: string, iso: string, line: number) =>
  event({ time: t(iso), identity: 'cli-app', credential: id, category: 'token-refresh', onBehalfOf: ALICE, source: at('okta.ndjson', line) });

async function run(records: NormalizedRecord[], params: Record<string, unknown> = {}) {
  return runRule(rule, world(...records), AS_OF, params);
}

describe('NHI-TOKEN-003 refresh-token-rotation', () => {
  it('reports a refresh token presented under one id for longer than max_reuse_age, with first and last presentation', async () => {
    const result = await run([
      client(), token('rt-1', '2026-01-01T00:00:00Z', 1),
      present('rt-1', '2026-01-02T08:00:00Z', 3), present('rt-1', '2026-01-20T08:00:00Z', 7), present('rt-1', '2026-03-05T08:00:00Z', 12),
    ]);
    expect(result.findings).toHaveLength(1);
    const [finding] = result.findings;
    expect(finding?.messageId).toBe('not-rotated');
    expect(finding?.severity).toBeUndefined();
    expect(finding?.subject).toEqual({ kind: 'credential', id: 'rt-1', provider: 'okta' });
    expect(finding?.message).toBe(
      'Refresh token rt-1 (client cli-app) acting for alice@example.com was presented under the same id for 62 days, longer than 30 days, ' +
        'without being rotated (3 presentations, first 2026-01-02T08:00:00Z (okta.ndjson:3), last 2026-03-05T08:00:00Z (okta.ndjson:12)).',
    );
    expect(finding?.evidence.map((item) => formatSource(item.source))).toEqual(['okta.ndjson:1', 'okta.ndjson:3', 'okta.ndjson:12']);
  });

  it('reports, as high, the old id presented after its successor was issued to the same grant', async () => {
    const result = await run([
      client(), token('rt-1', '2026-01-01T00:00:00Z', 1), token('rt-2', '2026-01-02T08:00:00Z', 4),
      present('rt-1', '2026-01-02T08:00:00Z', 4), present('rt-1', '2026-01-09T10:00:00Z', 9),
    ]);
    expect(result.findings.map((f) => [f.messageId, f.subject.id, f.severity])).toEqual([['reused-after-successor', 'rt-1', 'high']]);
    expect(result.findings[0]?.message).toContain('after its successor rt-2 was issued to the same grant 2026-01-02T08:00:00Z');
    expect(result.findings[0]?.evidence.map((item) => item.key)).toEqual(['credential:rt-1', 'first-refresh:rt-1', 'last-refresh:rt-1', 'credential:rt-2']);
  });

  it('reports a replay the authorization server detected', async () => {
    const result = await run([
      client(), token('rt-1', '2026-01-01T00:00:00Z', 1), present('rt-1', '2026-01-02T08:00:00Z', 3),
      event({ time: t('2026-01-05T00:00:00Z'), identity: 'cli-app', credential: 'rt-1', category: 'token-reuse', onBehalfOf: ALICE, source: at('okta.ndjson', 8) }),
    ]);
    expect(result.findings.map((f) => [f.messageId, f.severity])).toEqual([['reuse-detected', 'high']]);
    expect(result.findings[0]?.evidence.map((item) => formatSource(item.source))).toEqual(['okta.ndjson:1', 'okta.ndjson:3', 'okta.ndjson:8']);
  });

  it.each<{ name: string; records: NormalizedRecord[]; params?: Record<string, unknown> }>([
    {
      // Each presentation yields a new id: every token is presented once, and never after its successor.
      name: 'a rotated refresh token chain',
      records: [
        client(), token('rt-1', '2026-01-01T00:00:00Z', 1), token('rt-2', '2026-01-20T00:00:00Z', 2), token('rt-3', '2026-03-01T00:00:00Z', 3),
        present('rt-1', '2026-01-20T00:00:00Z', 5), present('rt-2', '2026-03-01T00:00:00Z', 6),
      ],
    },
    {
      name: 'reuse within max_reuse_age',
      records: [client(), token('rt-1', '2026-01-01T00:00:00Z', 1), present('rt-1', '2026-01-02T00:00:00Z', 3), present('rt-1', '2026-01-30T00:00:00Z', 4)],
    },
    {
      name: 'a confidential client when only public clients are judged',
      records: [
        client({ clientType: 'confidential' }), token('rt-1', '2026-01-01T00:00:00Z', 1),
        present('rt-1', '2026-01-02T00:00:00Z', 3), present('rt-1', '2026-04-30T00:00:00Z', 4),
      ],
      params: { public_clients_only: true },
    },
  ])('does not fire on $name', async ({ records, params }) => {
    const result = await run(records, params);
    expect(result.findings).toEqual([]);
  });

  it('judges clients of unknown type as public when public_clients_only is set, and says so', async () => {
    const result = await run(
      [client(), token('rt-1', '2026-01-01T00:00:00Z', 1), present('rt-1', '2026-01-02T00:00:00Z', 3), present('rt-1', '2026-04-30T00:00:00Z', 4)],
      { public_clients_only: true },
    );
    expect(result.findings.map((f) => f.messageId)).toEqual(['not-rotated']);
    expect(result.notes).toEqual([expect.stringMatching(/^1 refresh token of clients whose type .* judged as public/)]);
  });

  it('is not evaluated without events or without refresh tokens', async () => {
    expect((await run([client(), token('rt-1', '2026-01-01T00:00:00Z', 1)])).notEvaluated).toHaveLength(1);
    expect((await run([client(), present('rt-1', '2026-01-02T00:00:00Z', 3)])).notEvaluated).toEqual([expect.stringContaining('no refresh-token records')]);
  });
});
