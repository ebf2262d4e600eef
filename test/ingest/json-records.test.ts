import { closeSync, openSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import type { AdapterContext } from '../../src/ingest/adapter.js';
import { jsonRecords, WHOLE_PARSE_MAX_CHARS, type JsonRecord } from '../../src/ingest/json-records.js';
import { firstJsonRecord, jsonLayout } from '../../src/ingest/json-layout.js';
import { openInput } from '../../src/ingest/source.js';
import { InputError } from '../../src/model/index.js';
import { tempDir, tempFile, type Skip } from './helpers.js';

async function collect(
  content: string | Buffer,
  wrapperKey?: string,
  name = 'records.json',
): Promise<{ records: JsonRecord[]; skips: Skip[] }> {
  const path = tempFile(name, content);
  const records: JsonRecord[] = [];
  const skips: Skip[] = [];
  const ctx: Pick<AdapterContext, 'skip'> = { skip: (line, message) => skips.push({ line, message }) };
  const options = wrapperKey === undefined ? {} : { wrapperKey };
  for await (const record of jsonRecords(openInput(path, 'in.json'), ctx, options)) records.push(record);
  return { records, skips };
}

async function failure(content: string, wrapperKey?: string): Promise<InputError> {
  try {
    await collect(content, wrapperKey);
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('expected an InputError');
}

describe('jsonLayout', () => {
  test.each([
    ['array', '  [\n{"a":1}]', undefined, 'array'],
    ['pretty wrapper', '{\n  "Records": [\n', 'Records', 'wrapped'],
    ['one-line wrapper', '{"Records":[{"a":1}]}', 'Records', 'wrapped'],
    ['wrapper after other keys', '{"x":{"Records":[1]},"y":[1,2],"Records":[', 'Records', 'wrapped'],
    ['NDJSON', '{"a":1}\n{"a":2}\n', 'Records', 'ndjson'],
    ['NDJSON, no wrapper key', '{"Records":[1]}\n', undefined, 'ndjson'],
    ['pretty object without the wrapper', '{\n  "Other": []\n}\n', 'Records', undefined],
    ['nested key of the same name is not the wrapper', '{"a":{"Records":[1]}}\n', 'Records', 'ndjson'],
    ['key inside a string is not the wrapper', '{"a":"\\"Records\\":["}\n', 'Records', 'ndjson'],
    ['not JSON', 'hello', undefined, undefined],
    ['empty', '   \n', undefined, undefined],
  ])('%s', (_name, head, key, expected) => {
    expect(jsonLayout(head, key)).toBe(expected);
  });

  test('firstJsonRecord gives the first element of each layout', () => {
    expect(firstJsonRecord('{"Records":[{"a":1},{"a":2}]}', 'Records')).toEqual({ layout: 'wrapped', value: { a: 1 } });
    expect(firstJsonRecord('[ {"a":1},', undefined)).toEqual({ layout: 'array', value: { a: 1 } });
    expect(firstJsonRecord('\n{"a":1}\n{"a":2', undefined)).toEqual({ layout: 'ndjson', value: { a: 1 } });
    // Cut off inside the first element: nothing to look at.
    expect(firstJsonRecord('[{"a":', undefined)).toBeUndefined();
  });
});

describe('jsonRecords', () => {
  test('wrapped, pretty-printed: lines of element starts, other keys ignored', async () => {
    const text = [
      '{',
      '  "before": {"Records": [{"no": 1}], "s": "]}"},',
      '  "Records": [',
      '    {"a": 1,',
      '     "b": [1, [2, 3]]},',
      '    {"a": "br}ace]s{[ and \\"quotes\\" and \\\\"},',
      '    {"a": 3}',
      '  ],',
      '  "after": [{"no": 2}]',
      '}',
    ].join('\r\n');
    const { records, skips } = await collect(text, 'Records');
    expect(skips).toEqual([]);
    expect(records).toEqual([
      { value: { a: 1, b: [1, [2, 3]] }, line: 4, index: 0 },
      { value: { a: 'br}ace]s{[ and "quotes" and \\' }, line: 6, index: 1 },
      { value: { a: 3 }, line: 7, index: 2 },
    ]);
  });

  test('one-line Records file: line stays 1, index distinguishes', async () => {
    const { records } = await collect('{"Records":[{"a":1},{"a":2},{"a":3}]}', 'Records');
    expect(records.map((r) => [r.line, r.index])).toEqual([
      [1, 0],
      [1, 1],
      [1, 2],
    ]);
  });

  test('top-level array with scalars and nested arrays; gzip', async () => {
    const text = '[\n  1,\n  "x,]",\n  [1, [2]],\n  null,\n  {"k": true}\n]\n';
    const { records } = await collect(gzipSync(text), undefined, 'a.json.gz');
    expect(records).toEqual([
      { value: 1, line: 2, index: 0 },
      { value: 'x,]', line: 3, index: 1 },
      { value: [1, [2]], line: 4, index: 2 },
      { value: null, line: 5, index: 3 },
      { value: { k: true }, line: 6, index: 4 },
    ]);
  });

  test('empty array, empty wrapper, empty file', async () => {
    expect((await collect('[]')).records).toEqual([]);
    expect((await collect('{"Records": []}', 'Records')).records).toEqual([]);
    expect((await collect('')).records).toEqual([]);
  });

  test('an element that is not valid JSON is skipped with its line; the rest goes on', async () => {
    const { records, skips } = await collect('{"Records": [\n{"a": 1},\n{"a": tru},\n{"a": 3}\n]}', 'Records');
    expect(records.map((r) => r.value)).toEqual([{ a: 1 }, { a: 3 }]);
    expect(records.map((r) => r.index)).toEqual([0, 2]);
    expect(skips).toEqual([{ line: 3, message: 'Records[1]: not valid JSON' }]);
  });

  test('NDJSON: blank lines skipped, bad line skipped, CRLF', async () => {
    const { records, skips } = await collect('{"a":1}\r\n\r\n{"a":\r\n{"a":3}\r\n', 'Records');
    expect(records).toEqual([
      { value: { a: 1 }, line: 1, index: 0 },
      { value: { a: 3 }, line: 4, index: 2 },
    ]);
    expect(skips).toEqual([{ line: 3, message: 'not valid JSON' }]);
  });

  test('truncated files throw with a line and without input text', async () => {
    const cut = await failure('{"Records": [\n{"a": 1},\n{"a": "secret-value', 'Records');
    expect(cut.message).toBe('file ends inside a JSON value (truncated?)');
    expect(cut.line).toBe(3);
    expect(cut.file).toBe('in.json');
    const open = await failure('[\n{"a": 1}\n');
    expect(open.message).toBe('file ends inside a JSON value (truncated?)');
  });

  test('structure errors and unrecognised content', async () => {
    expect((await failure('[1]\n]')).line).toBe(2);
    expect((await failure('[1] secret')).message).toBe('unexpected text outside the JSON value');
    expect((await failure('{\n"x": 1\n}', 'Records')).message).toMatch(/^not JSON records/);
    expect((await failure('{\n"x": 1\n}', 'Records')).message).not.toContain('"x"');
  });

  test('a one-line Records file above the whole-parse cap streams with bounded heap', async () => {
    const path = join(tempDir(), 'big.json');
    const fd = openSync(path, 'w');
    const record = JSON.stringify({
      eventTime: '2026-01-01T00:00:00Z',
      eventName: 'GetObject',
      pad: 'x'.repeat(400),
      nested: { s: '}]\\"{[', list: [1, 2, [3]] },
    });
    const perChunk = 1000;
    const chunk = Array.from({ length: perChunk }, () => record).join(',');
    writeSync(fd, '{"Records":[');
    let written = 0;
    let chunks = 0;
    // Past the cap, so the element scanner (not one JSON.parse) must carry it.
    while (written < WHOLE_PARSE_MAX_CHARS * 8) {
      const text = chunks === 0 ? chunk : `,${chunk}`;
      writeSync(fd, text);
      written += text.length;
      chunks += 1;
    }
    writeSync(fd, ']}');
    closeSync(fd);
    const size = statSync(path).size;

    const before = process.memoryUsage().heapUsed;
    let peak = before;
    let count = 0;
    const ctx: Pick<AdapterContext, 'skip'> = {
      skip: () => {
        throw new Error('unexpected skip');
      },
    };
    for await (const r of jsonRecords(openInput(path, 'big.json'), ctx, { wrapperKey: 'Records' })) {
      if (r.line !== 1) throw new Error('line should stay 1');
      count += 1;
      if (count % 5000 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed);
    }
    expect(count).toBe(chunks * perChunk);
    // Holding the file would take at least `size`; what is held is one whole-parse buffer at most.
    expect(peak - before).toBeLessThan(size / 2);
  });

  test('a small one-line file parsed whole gives the same records as the element scanner', async () => {
    const records = [{ a: 1 }, 'text', [1, [2]], null, { s: '}]\\"{[' }];
    const oneLine = tempFile('small.json', JSON.stringify({ Records: records, Other: { Records: 'no' } }));
    const pretty = tempFile('pretty.json', JSON.stringify({ Records: records }, null, 1));
    const read = async (file: string) => {
      const out: JsonRecord[] = [];
      for await (const record of jsonRecords(openInput(file, 'f.json'), { skip: () => undefined }, { wrapperKey: 'Records' })) out.push(record);
      return out;
    };
    const whole = await read(oneLine);
    const scanned = await read(pretty);
    expect(whole.map((record) => record.value)).toEqual(records);
    expect(scanned.map((record) => record.value)).toEqual(records);
    expect(whole.map((record) => record.index)).toEqual([0, 1, 2, 3, 4]);
    expect(whole.every((record) => record.line === 1)).toBe(true);
    // Pretty-printed text keeps each element's own line.
    expect(scanned.map((record) => record.line)).toEqual([3, 6, 7, 13, 14]);
  });
});
