import { gzipSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { canonicalInventory } from '../../src/ingest/canonical/inventory.js';
import { readSniff } from '../../src/ingest/sniff.js';
import { openInput } from '../../src/ingest/source.js';
import { InputError } from '../../src/model/index.js';
import { fixture, lineOf, ofKind, runAdapter, tempFile, UTF8_BOM, utf16le } from './helpers.js';

const HEADER = 'apiVersion: nhi-audit/v1\nkind: Inventory\n';

async function detects(name: string, content: string | Buffer): Promise<boolean> {
  const path = tempFile(name, content);
  return canonicalInventory.detect(await readSniff(openInput(path, name)));
}

async function readText(content: string | Buffer, name = 'inv.yaml') {
  return runAdapter(canonicalInventory, tempFile(name, content), name);
}

describe('canonical-inventory detection', () => {
  test.each([
    ['YAML', 'inventory.yaml', HEADER + 'tenants: []\n', true],
    ['YAML named foo.txt', 'foo.txt', HEADER + 'tenants: []\n', true],
    ['quoted values and comments', 'x', '# header\napiVersion: "nhi-audit/v1"  # v1\nkind: \'Inventory\'\n', true],
    ['CRLF', 'x', 'apiVersion: nhi-audit/v1\r\nkind: Inventory\r\n', true],
    ['JSON', 'x.json', '{"apiVersion": "nhi-audit/v1", "kind": "Inventory", "tenants": []}', true],
    ['UTF-16LE YAML', 'x', utf16le(HEADER), true],
    ['gzip', 'x.gz', gzipSync(HEADER), true],
    ['wrong apiVersion', 'x', 'apiVersion: nhi-audit/v2\nkind: Inventory\n', false],
    ['wrong kind', 'x', 'apiVersion: nhi-audit/v1\nkind: Policy\n', false],
    ['indented header (not top-level)', 'x', 'meta:\n  apiVersion: nhi-audit/v1\n  kind: Inventory\n', false],
    ['JSON that is not canonical', 'x.json', '{"Records": [{"eventName": "GetObject", "kind": "Inventory"}]}', false],
    ['JSON with the wrong kind', 'x.json', '{"apiVersion": "nhi-audit/v1", "kind": "Other"}', false],
  ])('%s → %s', async (_name, file, content, expected) => {
    expect(await detects(file, content)).toBe(expected);
  });
});

describe('canonical-inventory records', () => {
  test('YAML fixture: every list, exact lines, defaults, grants per permission entry', async () => {
    const file = fixture('canonical', 'inventory.yaml');
    const { records, skips } = await runAdapter(canonicalInventory, file, 'fixtures/canonical/inventory.yaml');
    expect(skips).toEqual([]);

    const tenants = ofKind(records, 'tenant');
    expect(tenants.map((t) => [t.id, t.source.line])).toEqual([
      ['012345678901', 7],
      ['acme-dev-project', 10],
    ]);
    expect(ofKind(records, 'principal').map((p) => [p.id, p.kind, p.status, p.source.line])).toEqual([
      ['alice@acme.example', 'human', 'active', 14],
      ['bob@acme.example', 'human', 'offboarded', 17],
      ['hr-system', 'system', 'active', 20],
    ]);

    const [billing, agent] = ofKind(records, 'identity');
    expect(billing).toMatchObject({
      id: 'svc-billing-exporter',
      aliases: ['billing-exporter', 'arn:aws:iam::012345678901:role/billing-exporter'],
      type: 'service-account',
      provider: 'aws',
      tenant: '012345678901',
      consumers: ['billing-cron', 'invoice-api'],
      createdAt: Date.parse('2024-02-01T08:30:00Z'),
      source: { file: 'fixtures/canonical/inventory.yaml', line: 23 },
    });
    expect(agent).toMatchObject({ id: 'agent-support-triage', type: 'agent', provider: 'custom', status: 'disabled', source: { line: 43 } });

    expect(ofKind(records, 'grant')).toEqual([
      {
        identity: 'svc-billing-exporter',
        actions: ['s3:GetObject'],
        notActions: false,
        resources: ['*'],
        effect: 'allow',
        via: null,
        hasConditions: false,
        source: { file: 'fixtures/canonical/inventory.yaml', line: 34 },
      },
      {
        identity: 'svc-billing-exporter',
        actions: ['s3:PutObject', 's3:DeleteObject'],
        notActions: false,
        resources: ['arn:aws:s3:::acme-invoices/*'],
        effect: 'allow',
        via: 'billing-writer',
        hasConditions: true,
        conditionKeys: ['aws:SourceVpc'],
        source: { file: 'fixtures/canonical/inventory.yaml', line: 35 },
      },
      {
        identity: 'svc-billing-exporter',
        actions: ['*'],
        notActions: true,
        resources: ['*'],
        effect: 'deny',
        via: null,
        hasConditions: false,
        source: { file: 'fixtures/canonical/inventory.yaml', line: 39 },
      },
    ]);

    const [key, refresh] = ofKind(records, 'credential');
    expect(key).toMatchObject({ id: 'key-7f3a', type: 'access-key', expiresAt: null, active: true, scopes: ['billing.read'], source: { line: 51 } });
    expect(refresh).toMatchObject({
      id: 'rt-support-01',
      type: 'refresh-token',
      active: false,
      onBehalfOf: 'bob@acme.example',
      approval: 'apr-100',
      revokedAt: Date.parse('2025-12-02T10:00:00Z'),
      source: { line: 60 },
    });

    const [closed, open] = ofKind(records, 'approval');
    expect(closed).toMatchObject({ id: 'apr-100', status: 'closed', endedAt: Date.parse('2025-12-01T00:00:00Z'), source: { line: 71 } });
    expect(open).toMatchObject({ id: 'apr-101', status: 'active', scopes: [], source: { line: 82 } });
  });

  test('JSON fixture: same shapes, lines of each record start', async () => {
    const file = fixture('canonical', 'inventory.json');
    const { records, skips } = await runAdapter(canonicalInventory, file);
    expect(skips).toEqual([]);
    expect(records.map((r) => [r.kind, r.record.source.line])).toEqual([
      ['tenant', lineOf(file, '"acme-staging"')],
      ['principal', lineOf(file, '"dave@acme.example", "kind"')],
      ['identity', lineOf(file, '"bot-release",') - 1],
      ['grant', lineOf(file, '"contents:write"')],
      ['grant', lineOf(file, '"contents:write"')],
      ['credential', lineOf(file, '"pat-9c1e"')],
      ['approval', lineOf(file, '"apr-200"')],
    ]);
    expect(records[2]?.record.source.line).toBe(11);
    expect(ofKind(records, 'grant')[1]).toMatchObject({ actions: ['packages:write'], resources: ['*'], via: 'release-app' });
  });

  test('gzipped YAML reads like the plain file', async () => {
    const plain = await runAdapter(canonicalInventory, fixture('canonical', 'inventory.yaml'), 'x');
    const gz = await runAdapter(canonicalInventory, fixture('canonical', 'inventory-gz.yaml.gz'), 'x');
    expect(gz).toEqual(plain);
  });

  test.each([
    ['CRLF', (t: string) => Buffer.from(t.replaceAll('\n', '\r\n'))],
    ['UTF-8 BOM', (t: string) => Buffer.concat([UTF8_BOM, Buffer.from(t)])],
    ['UTF-16LE BOM + CRLF', (t: string) => utf16le(t.replaceAll('\n', '\r\n'))],
  ])('%s keeps exact lines', async (_name, encode) => {
    const text = `${HEADER}\nidentities:\n  - id: a\n\n  - id: b\n    permissions:\n      - x:Read\n`;
    const { records } = await readText(encode(text));
    expect(records.map((r) => [r.kind, r.record.source.line])).toEqual([
      ['identity', 5],
      ['identity', 7],
      ['grant', 9],
    ]);
  });

  test('multi-document YAML: each document read, lines count across documents', async () => {
    const text = `${HEADER}tenants:\n  - id: t1\n---\n${HEADER}principals:\n  - id: p1\n`;
    const { records } = await readText(text);
    expect(records.map((r) => [r.kind, r.record.source.line])).toEqual([
      ['tenant', 4],
      ['principal', 9],
    ]);
  });

  test('a document in the stream without the header is skipped, others are read', async () => {
    const text = `${HEADER}tenants:\n  - id: t1\n---\nfoo: bar\n`;
    const { records, skips } = await readText(text);
    expect(records).toHaveLength(1);
    expect(skips).toEqual([{ line: 6, message: expect.stringContaining('document 2: not an inventory') as unknown }]);
  });

  test('unquoted numbers keep their text: account ids with leading zeros survive', async () => {
    const { records } = await readText(`${HEADER}tenants:\n  - id: 012345678901\n    name: 42\n`);
    expect(ofKind(records, 'tenant')[0]).toMatchObject({ id: '012345678901', name: '42' });
  });

  test('the bad fixture: three records skipped with file-relative lines and field names, good ones kept', async () => {
    const file = fixture('bad', 'inventory-problems.yaml');
    const { records, skips } = await runAdapter(canonicalInventory, file);
    expect(skips).toEqual([
      { line: lineOf(file, 'heidi@'), message: 'principals[1].kind: unknown value "robot"; expected one of human, system' },
      { line: lineOf(file, '  - type: workload'), message: 'identities[1].id: is required' },
      {
        line: lineOf(file, 'key-zoneless'),
        message: 'credentials[1].expires_at: time "2026-01-01T00:00:00" has no zone; add Z or an offset such as +00:00',
      },
    ]);
    expect(records.map((r) => ('id' in r.record ? r.record.id : r.kind))).toEqual(['grace@acme.example', 'svc-ok', 'key-good', 'key-good-2']);
  });

  test.each([
    ['scopes not a list', 'credentials:\n  - id: c\n    scopes: read write\n', 'credentials[0].scopes: expected a list of strings, got a string'],
    ['list item not a string', 'credentials:\n  - id: c\n    scopes: [a, {b: 1}]\n', 'credentials[0].scopes[1]: expected a string, got a mapping'],
    ['unparsable time', 'approvals:\n  - id: a\n    delegate: d\n    granted_at: yesterday\n', 'approvals[0].granted_at: "yesterday" is not an ISO-8601 time'],
    ['approval without delegate', 'approvals:\n  - id: a\n', 'approvals[0].delegate: is required'],
    ['bad credential type', 'credentials:\n  - id: c\n    type: magic\n', 'credentials[0].type: unknown value "magic"'],
    ['bad approval status', 'approvals:\n  - id: a\n    delegate: d\n    status: pending\n', 'approvals[0].status: unknown value "pending"'],
    ['bad identity status', 'identities:\n  - id: i\n    status: zombie\n', 'identities[0].status: unknown value "zombie"'],
    ['active not a boolean', 'credentials:\n  - id: c\n    active: maybe\n', 'credentials[0].active: expected true or false, got "maybe"'],
    ['id not a string', 'tenants:\n  - id: [1, 2]\n', 'tenants[0].id: expected a string, got a list'],
    ['record not a mapping', 'tenants:\n  - just-a-string\n', 'tenants[0]: expected a mapping, got a string'],
    ['list not a list', 'tenants:\n  id: t\n', 'tenants: expected a list, got a mapping'],
    ['permissions not a list', 'identities:\n  - id: i\n    permissions: s3:GetObject\n', 'identities[0].permissions: expected a list, got a string'],
  ])('%s → skip naming the field', async (_name, body, message) => {
    const { records, skips } = await readText(HEADER + body);
    expect(records).toEqual([]);
    expect(skips).toHaveLength(1);
    expect(skips[0]?.line).toBe(4);
    expect(skips[0]?.message).toContain(message);
  });

  test('a bad permission entry skips that grant only, at its own line', async () => {
    const body = 'identities:\n  - id: i\n    permissions:\n      - a:Read\n      - effect: allow\n      - actions: [b:Write]\n        effect: maybe\n      - c:List\n';
    const { records, skips } = await readText(HEADER + body);
    expect(ofKind(records, 'identity').map((i) => i.id)).toEqual(['i']);
    expect(ofKind(records, 'grant').map((g) => g.actions.join())).toEqual(['a:Read', 'c:List']);
    expect(skips).toEqual([
      { line: 7, message: 'identities[0].permissions[1].actions: is required (actions or action)' },
      { line: 8, message: expect.stringContaining('identities[0].permissions[2].effect: unknown value "maybe"') as unknown },
    ]);
  });

  test.each([
    ['a vendor app', 'third_party: true\n    display_name: PeopleFlow HR Sync\n', { thirdParty: true, displayName: 'PeopleFlow HR Sync' }],
    ['said false, no name', 'third_party: "no"\n', { thirdParty: false }],
    ['name only', 'display_name: Build Bot\n', { displayName: 'Build Bot' }],
    ['neither', '', {}],
  ])('third_party and display_name: %s', async (_name, fields, expected) => {
    const { records, skips } = await readText(`${HEADER}identities:\n  - id: 0oa5app\n    type: app\n    ${fields}`);
    expect(skips).toEqual([]);
    const [app] = ofKind(records, 'identity');
    // Absent fields stay absent (the model's optional fields), rather than set to false or null.
    expect(app && { thirdParty: app.thirdParty, displayName: app.displayName }).toEqual({ thirdParty: undefined, displayName: undefined, ...expected });
    expect(app && Object.keys(app).filter((key) => key === 'thirdParty' || key === 'displayName')).toEqual(Object.keys(expected));
  });

  test('a third_party that is not a boolean skips the identity, naming the field', async () => {
    const { records, skips } = await readText(`${HEADER}identities:\n  - id: 0oa5app\n    third_party: vendor\n`);
    expect(records).toEqual([]);
    expect(skips).toEqual([{ line: 4, message: 'identities[0].third_party: expected true or false, got "vendor"' }]);
  });

  test('conditions count only when non-empty', async () => {
    const body = 'identities:\n  - id: i\n    permissions:\n      - { action: a, conditions: {} }\n      - { action: b, conditions: [] }\n      - { action: c, conditions: { ip: 10.0.0.0/8 } }\n';
    const { records } = await readText(HEADER + body);
    expect(ofKind(records, 'grant').map((g) => g.hasConditions)).toEqual([false, false, true]);
  });

  test('unknown top-level keys and unknown fields are ignored', async () => {
    const { records, skips } = await readText(`${HEADER}owners: [x]\ntenants:\n  - id: t\n    colour: blue\n`);
    expect(skips).toEqual([]);
    expect(records).toEqual([{ kind: 'tenant', record: { id: 't', name: null, environment: null, source: { file: 'inv.yaml', line: 5 } } }]);
  });

  test('a YAML syntax error rejects the file with its line', async () => {
    const error = await readText(`${HEADER}tenants:\n  - id: t1\n  - id: "unclosed\n`).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InputError);
    expect(error).toMatchObject({ file: 'inv.yaml', line: 5, message: expect.stringMatching(/^YAML syntax error: /) as unknown });
  });

  test('a JSON syntax error is named as JSON, with its line, and does not quote the input', async () => {
    const text = '{\n  "apiVersion": "nhi-audit/v1",\n  "kind": "Inventory",\n  "tenants": [{"id": "a"} {"client_secret": "s3cr3t-value"}]\n}\n';
    const error = await readText(text, 'inv.json').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ file: 'inv.json', line: 4, message: expect.stringMatching(/^JSON syntax error: /) as unknown });
    expect((error as Error).message).not.toContain('s3cr3t-value');
  });

  test('alias expansion is bounded (billion laughs)', async () => {
    let text = `${HEADER}a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n`;
    for (let i = 1; i <= 8; i += 1) {
      text += `a${i}: &a${i} [${Array.from({ length: 10 }, () => `*a${i - 1}`).join(', ')}]\n`;
    }
    const error = await readText(text).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toContain('alias references');
  });

  test('aliases within bounds resolve', async () => {
    const { records } = await readText(`${HEADER}identities:\n  - id: i\n    consumers: &c [web, cron]\n  - id: j\n    consumers: *c\n`);
    expect(ofKind(records, 'identity').map((i) => i.consumers)).toEqual([
      ['web', 'cron'],
      ['web', 'cron'],
    ]);
  });

  test('__proto__ is just a key', async () => {
    const { records, skips } = await readText(`${HEADER}tenants:\n  - id: t\n    __proto__: { name: polluted }\n`);
    expect(skips).toEqual([]);
    expect(ofKind(records, 'tenant')[0]?.name).toBeNull();
  });
});
