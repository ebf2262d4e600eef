/*
 * secret-in-export: a raw secret value sits in an input file. One finding per
 * distinct secret (hash) per file, listing the lines it appears on; only the
 * masked form is ever shown.
 *
 * Subject: a credential with id `secret:<hash>`. The leaked value is a
 * credential that must be rotated; the hash prefix names it without revealing
 * it, stays the same when lines move (so baselines keep working), and ties
 * together sightings of one value across files. Each file is its own finding,
 * told apart by the shortest tail of its path that differs between those files
 * (`inventory.yaml`, or `aws/config.json` vs `gcp/config.json`): the same
 * whether the scan ran from another directory or with absolute paths.
 */
import { defineRule } from '../engine/rule-api.js';
import { formatSource, type SecretSighting } from '../model/index.js';
import { listWithMore } from './support.js';

type Params = {
  /** Detectors whose sightings are critical (private keys, cloud secret keys). */
  readonly critical_detectors: readonly string[];
  /** Lines listed per finding; the rest are counted. */
  readonly max_lines: number;
};

/** Sightings of one value in one file, in line order (secrets() is sorted by file and line). */
function groupByFileAndHash(sightings: readonly SecretSighting[]): SecretSighting[][] {
  const groups = new Map<string, SecretSighting[]>();
  for (const sighting of sightings) {
    const key = `${sighting.source.file}\u0000${sighting.hash}`;
    const group = groups.get(key) ?? [];
    group.push(sighting);
    groups.set(key, group);
  }
  return [...groups.values()];
}

/**
 * For each file holding one value, the fewest trailing path segments that
 * still tell those files apart; the full path where even that is not enough.
 */
function distinctTails(files: readonly string[]): Map<string, string> {
  const split = files.map((file) => file.split('/').filter((segment) => segment !== '' && segment !== '.'));
  const longest = Math.max(1, ...split.map((segments) => segments.length));
  for (let count = 1; count <= longest; count += 1) {
    const tails = split.map((segments) => segments.slice(-count).join('/'));
    if (new Set(tails).size === files.length) return new Map(files.map((file, index) => [file, tails[index] ?? file]));
  }
  return new Map(files.map((file) => [file, file]));
}

function article(word: string): string {
  return /^[aeiou]/i.test(word) ? 'An' : 'A';
}

export const rule = defineRule<Params>('NHI-SECRET-001', (ctx, sink) => {
  // The secret scan reads every input, so no sightings means none were found: nothing to say.
  const critical = new Set(ctx.params.critical_detectors.map((name) => name.toLowerCase()));
  const cap = Math.max(1, ctx.params.max_lines);
  const groups = groupByFileAndHash(ctx.inventory.secrets());
  const filesByHash = new Map<string, string[]>();
  for (const [first] of groups) {
    if (first !== undefined) filesByHash.set(first.hash, [...(filesByHash.get(first.hash) ?? []), first.source.file]);
  }
  const tails = new Map([...filesByHash].map(([hash, files]) => [hash, distinctTails(files)]));
  for (const group of groups) {
    const [first] = group;
    if (first === undefined) continue;
    const place = tails.get(first.hash)?.get(first.source.file) ?? first.source.file;
    const lines = [...new Set(group.map((sighting) => sighting.source.line))];
    const others = lines.slice(1).map(String);
    const also =
      others.length === 0 ? '' : `; the same value also sits on line${others.length === 1 ? '' : 's'} ${listWithMore(others, Math.max(1, cap - 1))}`;
    const field = first.field === null ? '' : ` (${first.field})`;
    const detectors = [...new Set(group.map((sighting) => sighting.detector))];
    sink.report({
      messageId: 'secret-in-export',
      message: `${article(first.detector)} ${first.detector} sits in ${formatSource(first.source)}${field}: ${first.masked}${also}.`,
      subject: { kind: 'credential', id: `secret:${first.hash}` },
      distinct: place,
      // Keys name the value, the file and the occurrence: never the line, which moves when the file changes.
      evidence: group.slice(0, cap).map((sighting, index) => ({
        key: `secret:${sighting.hash}:${place}#${index + 1}`,
        source: sighting.source,
        summary: `${sighting.detector} ${sighting.masked}${sighting.field === null ? '' : ` in ${sighting.field}`} (sha256 ${sighting.hash}…)`,
      })),
      ...(detectors.some((name) => critical.has(name.toLowerCase())) ? { severity: 'critical' as const } : {}),
    });
  }
});
