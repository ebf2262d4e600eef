import { describe, expect, test } from 'vitest';
import { jwtClaims } from '../../src/ingest/oauth/jwt-claims.js';
import { detectAdapter } from '../../src/ingest/registry.js';
import { readSniff } from '../../src/ingest/sniff.js';
import { openInput } from '../../src/ingest/source.js';
import { runCli } from '../helpers/cli.js';
import { fixture, lineOf, ofKind, runAdapter, tempFile } from './helpers.js';

const CLAIMS = fixture('oauth', 'jwt-claims.ndjson');

async function detected(name: string, content: string): Promise<string | undefined> {
  const path = tempFile(name, content);
  return detectAdapter(await readSniff(openInput(path, name)))?.id;
}

describe('jwt-claims detection', () => {
  test.each([
    ['NDJSON of payloads', 't.ndjson', '{"iss":"https://as","sub":"a","exp":1,"jti":"x"}\n', 'jwt-claims'],
    ['one pretty-printed payload', 't.json', '{\n  "iss": "https://as",\n  "iat": 1,\n  "client_id": "a"\n}\n', 'jwt-claims'],
    ['an array of payloads', 't.json', '[{"iss":"https://as","exp":1,"aud":"x"}]', 'jwt-claims'],
    ['an introspection response (has active)', 't.json', '{"active":true,"iss":"https://as","exp":1,"sub":"a"}', 'oauth-introspection'],
    ['an ID-token-like object without times', 't.json', '{"iss":"https://as","sub":"a"}', undefined],
    ['a canonical document', 't.json', '{"apiVersion":"nhi-audit/v1","kind":"Inventory","iss":"x","exp":1,"sub":"a"}', 'canonical-inventory'],
  ])('%s → %s', async (_name, file, content, expected) => {
    expect(await detected(file, content)).toBe(expected);
  });

  test('the fixture is detected', async () => {
    expect(jwtClaims.detect(await readSniff(openInput(CLAIMS, 'x')))).toBe(true);
  });
});

describe('jwt-claims records', () => {
  test('claims → credentials: act chain earliest first, may_act, aud, azp, scp, tid; raw tokens never kept', async () => {
    const { records, skips } = await runAdapter(jwtClaims, CLAIMS, 'fixtures/oauth/jwt-claims.ndjson');
    expect(skips).toEqual([
      { line: lineOf(CLAIMS, 'tx-jwt-04'), message: 'act.sub: is required' },
      { line: lineOf(CLAIMS, '"eyJ'), message: 'expected a JSON object (a decoded JWT payload), got a string' },
    ]);
    const [exchanged, entra, permitted] = ofKind(records, 'credential');
    expect(exchanged).toEqual({
      id: 'tx-jwt-01',
      identity: 'triage-agent',
      type: 'access-token',
      issuedAt: 1772323200_000,
      expiresAt: 1772326800_000,
      lastRotatedAt: null,
      lastUsedAt: null,
      scopes: ['tickets:read', 'tickets:write'],
      tenant: 'tenant-us-2',
      clientId: 'triage-agent',
      onBehalfOf: 'alice@acme.example',
      approval: null,
      revokedAt: null,
      createdBy: null,
      active: true,
      actorChain: [{ sub: 'support-gateway' }, { sub: 'triage-agent', iss: 'https://auth.acme.example/' }],
      mayAct: [{ sub: 'support-gateway' }],
      audience: ['https://tickets.acme.example', 'https://kb.acme.example'],
      source: { file: 'fixtures/oauth/jwt-claims.ndjson', line: 1 },
    });
    // No jti: the id is a hash of the claims. No client_id: azp names the client.
    expect(entra).toMatchObject({
      identity: 'ab000000-0000-4000-8000-000000000001',
      authorizedParty: 'ab000000-0000-4000-8000-000000000001',
      scopes: ['Expenses.Read'],
      audience: ['api://expenses'],
      tenant: '11111111-1111-4111-8111-111111111111',
      onBehalfOf: 'bob@acme.example',
    });
    expect(entra?.id).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(permitted).toMatchObject({ id: 'tx-jwt-03', mayAct: [{ sub: 'report-agent' }, { sub: 'support-gateway' }] });
    expect(permitted?.actorChain).toBeUndefined();
    expect(JSON.stringify(records)).not.toContain('RAW-SECRET');
  });

  test('a nesting deeper than any real exchange is refused, not walked', async () => {
    let act: unknown = { sub: 'a' };
    for (let depth = 0; depth < 70; depth += 1) act = { sub: `a${depth}`, act };
    const file = tempFile('deep.ndjson', `${JSON.stringify({ iss: 'https://as', exp: 1, jti: 'deep', act })}\n`);
    const { records, skips } = await runAdapter(jwtClaims, file);
    expect(records).toEqual([]);
    expect(skips).toEqual([{ line: 1, message: 'act: nested deeper than 64 actors' }]);
  });

  test('a raw JWT left in the claims file is still a secret sighting, masked', async () => {
    const run = await runCli(['scan', 'fixtures/oauth/jwt-claims.ndjson', '--format', 'json', '--fail-on', 'none', '--as-of', '2026-03-02T00:00:00Z']);
    expect(run.stdout).not.toContain('c2lnbmF0dXJlLW5vdC1yZWFs');
    const report = JSON.parse(run.stdout) as { findings: { ruleId: string; evidence: { source: { line: number } }[] }[] };
    const leaks = report.findings.filter((finding) => finding.ruleId === 'NHI-SECRET-001');
    expect(leaks.flatMap((finding) => finding.evidence.map((item) => item.source.line))).toContain(lineOf(CLAIMS, '"eyJ'));
  });
});
