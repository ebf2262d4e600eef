import { gzipSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { canonicalEvents } from '../../src/ingest/canonical/events.js';
import { readSniff } from '../../src/ingest/sniff.js';
import { openInput } from '../../src/ingest/source.js';
import { fixture, lineOf, ofKind, runAdapter, tempFile, UTF8_BOM, utf16le } from './helpers.js';

const KIND = '"kind":"nhi-audit/v1/event"';

async function detects(name: string, content: string | Buffer): Promise<boolean> {
  const path = tempFile(name, content);
  return canonicalEvents.detect(await readSniff(openInput(path, name)));
}

describe('canonical-events detection', () => {
  test.each([
    ['by name', 'app.events.ndjson', '{"time":"2026-01-01T00:00:00Z"}\n', true],
    ['by name, gzipped', 'app.events.ndjson.gz', gzipSync('{"time":"2026-01-01T00:00:00Z"}\n'), true],
    ['by kind on the first non-empty line', 'log.txt', `\n\n{${KIND},"time":"2026-01-01T00:00:00Z"}\n`, true],
    ['by kind, UTF-16LE', 'log.json', utf16le(`{${KIND}}\r\n`), true],
    ['other kind', 'log.ndjson', '{"kind":"something-else"}\n', false],
    ['plain NDJSON without kind', 'log.ndjson', '{"time":"2026-01-01T00:00:00Z","identity":"a"}\n', false],
    ['not JSON', 'log.ndjson', 'hello\n', false],
  ])('%s → %s', async (_name, file, content, expected) => {
    expect(await detects(file, content)).toBe(expected);
  });
});

describe('canonical-events records', () => {
  test('fixture: fields mapped, defaults, exact lines (blank line counted)', async () => {
    const file = fixture('canonical', 'app.events.ndjson');
    const { records, skips } = await runAdapter(canonicalEvents, file, 'fixtures/canonical/app.events.ndjson');
    expect(skips).toEqual([]);
    const events = ofKind(records, 'event');
    expect(events.map((e) => e.source.line)).toEqual([1, 2, 4, 5]);
    expect(events[0]).toEqual({
      time: Date.parse('2026-01-10T08:00:00Z'),
      identity: 'svc-billing-exporter',
      credential: 'key-7f3a',
      action: 's3:GetObject',
      resource: 'arn:aws:s3:::acme-invoices/2026/01.pdf',
      tenant: '012345678901',
      environment: 'prod',
      sourceIp: '203.0.113.10',
      userAgent: 'billing-cron/2.1',
      outcome: 'success',
      category: 'access',
      onBehalfOf: null,
      actorChain: [],
      source: { file: 'fixtures/canonical/app.events.ndjson', line: 1 },
    });
    expect(events[1]).toMatchObject({ outcome: 'failure', category: 'access' });
    expect(events[2]).toMatchObject({
      time: Date.parse('2025-12-03T08:15:00Z'),
      identity: null,
      credential: 'rt-support-01',
      category: 'token-refresh',
      onBehalfOf: 'bob@acme.example',
      actorChain: ['support-portal', 'agent-support-triage'],
    });
  });

  test('gzipped fixture gives the same events', async () => {
    const plain = await runAdapter(canonicalEvents, fixture('canonical', 'app.events.ndjson'), 'x');
    const gz = await runAdapter(canonicalEvents, fixture('canonical', 'gz.events.ndjson.gz'), 'x');
    expect(gz).toEqual(plain);
  });

  test('bad lines are skipped with their line; the rest comes through', async () => {
    const file = fixture('bad', 'events-broken.events.ndjson');
    const { records, skips } = await runAdapter(canonicalEvents, file);
    expect(skips).toEqual([
      { line: lineOf(file, 'not json'), message: 'not valid JSON' },
      { line: lineOf(file, 'teleport'), message: expect.stringMatching(/^category: unknown value "teleport"; expected one of access, /) as unknown },
      { line: lineOf(file, 'orphan'), message: 'identity: an event needs identity or credential' },
    ]);
    expect(ofKind(records, 'event').map((e) => e.source.line)).toEqual([1, 2, 6]);
  });

  test.each([
    ['missing time', '{"identity":"a"}', 'time: is required'],
    ['zoneless time', '{"time":"2026-01-01T10:00:00","identity":"a"}', 'time: time "2026-01-01T10:00:00" has no zone'],
    ['numeric time', '{"time":1767225600,"identity":"a"}', 'time: expected an ISO-8601 time string, got a number'],
    ['bad outcome', '{"time":"2026-01-01T00:00:00Z","identity":"a","outcome":"maybe"}', 'outcome: unknown value "maybe"'],
    ['actor_chain not a list', '{"time":"2026-01-01T00:00:00Z","identity":"a","actor_chain":"x"}', 'actor_chain: expected a list of strings, got a string'],
    ['array line', '[1,2]', 'expected a JSON object, got a list'],
  ])('%s → skipped', async (_name, line, message) => {
    const { records, skips } = await runAdapter(canonicalEvents, tempFile('e.events.ndjson', `${line}\n`));
    expect(records).toEqual([]);
    expect(skips).toHaveLength(1);
    expect(skips[0]).toMatchObject({ line: 1, message: expect.stringContaining(message) as unknown });
  });

  test('an invalid JSON line is not quoted in the message', async () => {
    const { skips } = await runAdapter(canonicalEvents, tempFile('e.events.ndjson', '{"token": "tok-abcdef-secret", oops}\n'));
    expect(skips).toEqual([{ line: 1, message: 'not valid JSON' }]);
  });

  test.each([
    ['CRLF', (t: string) => Buffer.from(t.replaceAll('\n', '\r\n'))],
    ['UTF-8 BOM', (t: string) => Buffer.concat([UTF8_BOM, Buffer.from(t)])],
    ['UTF-16LE BOM + CRLF', (t: string) => utf16le(t.replaceAll('\n', '\r\n'))],
    ['gzip + CRLF', (t: string) => gzipSync(t.replaceAll('\n', '\r\n'))],
  ])('%s: exact lines, values without stray CR', async (_name, encode) => {
    const text = '{"time":"2026-01-01T00:00:00Z","identity":"a","user_agent":"ua/1"}\n\n{"time":"2026-01-01T00:00:01Z","identity":"b"}';
    const { records } = await runAdapter(canonicalEvents, tempFile('e.events.ndjson', encode(text)));
    const events = ofKind(records, 'event');
    expect(events.map((e) => [e.identity, e.source.line])).toEqual([
      ['a', 1],
      ['b', 3],
    ]);
    expect(events[0]?.userAgent).toBe('ua/1');
  });
});
