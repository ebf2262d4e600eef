import { describe, expect, it } from 'vitest';
import { parseLocated } from '../../src/ingest/located-json.js';
import { InputError } from '../../src/model/index.js';

const lines = (text: string, pick: (root: Record<string, unknown>) => unknown[]): number[] => {
  const doc = parseLocated(text, 'dump.json');
  return pick(doc.root as Record<string, unknown>).map((value) => doc.lineOf(value, -1));
};

describe('parseLocated', () => {
  const pretty = JSON.stringify({ Users: [{ name: 'a', tags: [{ k: 1 }] }, { name: '{not a bracket [' }], Roles: { r: {} } }, null, 2);

  it('gives each object and list the line it starts on', () => {
    const at = lines(pretty, (root) => {
      const users = root['Users'] as Record<string, unknown>[];
      return [users, users[0], (users[0]?.['tags'] as unknown[])[0], users[1], (root['Roles'] as Record<string, unknown>)['r']];
    });
    expect(at).toEqual([2, 3, 6, 11, 16]);
  });

  it.each([
    ['integer-like keys, which JSON.parse reorders', '{\n"9": {"a": 1},\n"1": {\n"b": 2}\n}', (root: Record<string, unknown>) => [root['9'], root['1']], [2, 3]],
    ['a duplicate key, whose first value JSON.parse drops', '{\n"x": {"a": 1},\n"y": {},\n"x": {"b": 2}\n}', (root: Record<string, unknown>) => [root['y'], root['x']], [3, 4]],
    ['YAML, which JSON.parse cannot read', 'x:\n  a: 1\ny:\n  - {b: 2}\n', (root: Record<string, unknown>) => [root['x'], (root['y'] as unknown[])[0]], [2, 4]],
  ])('places values exactly with %s', (_name, text, pick, expected) => {
    expect(lines(text, pick)).toEqual(expected);
  });

  it('reports a syntax error as an InputError with a line', () => {
    const broken = '{\n"a": 1,\n"b": [1, 2\n';
    expect(() => parseLocated(broken, 'dump.json')).toThrow(InputError);
    try {
      parseLocated(broken, 'dump.json');
    } catch (error) {
      expect((error as InputError).line).toBeGreaterThan(1);
    }
  });
});
