/*
 * Helpers for the identity-hygiene, third-party and secret rules
 * (NHI-HUMAN-001, NHI-CORR-001, NHI-THIRD-001, NHI-CRED-004, NHI-TRUST-001,
 * NHI-SECRET-001): reading their provider-fact files, glob patterns, and
 * evidence for a moment seen in the logs. Only the model and the rule API.
 */
import type { ActivityRef } from '../engine/rule-api.js';
import { formatInstant, type Evidence, type RuleData } from '../model/index.js';

export type Mapping = Readonly<Record<string, unknown>>;

function isMapping(value: unknown): value is Mapping {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Typed access to one provider-fact file. Every accessor throws a clear Error
 * naming the file and the path of the bad entry: a broken data file is a
 * packaging defect, and the engine reports a rule's throw as a rule error.
 */
export class DataReader {
  constructor(private readonly file: string) {}

  fail(where: string, expected: string): never {
    throw new Error(`rules/data/${this.file}.yaml: ${where}: expected ${expected}`);
  }

  mapping(value: unknown, where: string): Mapping {
    return isMapping(value) ? value : this.fail(where, 'a mapping');
  }

  list(value: unknown, where: string): readonly unknown[] {
    return Array.isArray(value) ? value : this.fail(where, 'a list');
  }

  string(value: unknown, where: string): string {
    return typeof value === 'string' && value.trim() !== '' ? value : this.fail(where, 'a non-empty string');
  }

  boolean(value: unknown, where: string): boolean {
    return typeof value === 'boolean' ? value : this.fail(where, 'true or false');
  }

  strings(value: unknown, where: string): readonly string[] {
    return this.list(value, where).map((item, index) => this.string(item, `${where}[${index}]`));
  }
}

/** The parsed document of a data file the rule lists under `data`, or a clear Error when it was not loaded. */
export function dataContent(data: Readonly<Record<string, RuleData>>, name: string): Mapping {
  const found = data[name];
  if (found === undefined) throw new Error(`rules/data/${name}.yaml was not loaded: list it under \`data\` in the rule's YAML`);
  return found.content;
}

/**
 * A case-insensitive whole-string matcher for a data-file glob: `*` is any
 * text (possibly empty), `#` one or more digits; everything else is literal.
 */
export function globMatcher(pattern: string): (value: string) => boolean {
  const source = [...pattern]
    .map((char) => (char === '*' ? '.*' : char === '#' ? '[0-9]+' : char.replace(/[.+?^${}()|[\]\\/-]/g, '\\$&')))
    .join('');
  const regex = new RegExp(`^${source}$`, 'i');
  return (value) => regex.test(value);
}

/** Evidence for a moment in the logs (an event line); the key must not hold a time or line. */
export function activityEvidence(key: string, activity: ActivityRef, summary: string): Evidence {
  return { key, source: activity.source, summary };
}

/** `"a", "b"` */
export function quoteAll(values: readonly string[]): string {
  return values.map((value) => `"${value}"`).join(', ');
}

/** A log-derived string (user agent) shortened for a one-line message; the reporters escape it. */
export function clip(text: string, max = 80): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** `2026-03-01T09:12:00Z` for an activity's time, for summaries. */
export function activityTime(activity: ActivityRef): string {
  return formatInstant(activity.time);
}
