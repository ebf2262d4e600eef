import { isMap, isScalar, isSeq, type Node } from 'yaml';
import {
  formatInstant,
  parseInstant,
  type Catalog,
  type Finding,
  type Instant,
  type ReportWarning,
  type SuppressedFinding,
} from '../model/index.js';
import { findRule } from './catalog.js';

/*
 * Ignore entries: a finding accepted with a reason until a date. They come
 * from `.nhi-audit-ignore.yaml` or the config's `ignore:` list and are
 * validated like the config (every problem at once, each `file:line: …`).
 */

/** One validated ignore entry. */
export interface IgnoreEntry {
  /** Rule id (names are resolved at load). */
  readonly rule?: string;
  /** Glob over the subject id: `*` any run of characters, `?` one. */
  readonly subject?: string;
  readonly fingerprint?: string;
  readonly reason: string;
  readonly expires: Instant;
  readonly source: { readonly file: string; readonly line: number };
}

export type Problem = (node: Node | null | undefined, message: string) => void;

const ENTRY_KEYS = ['rule', 'subject', 'fingerprint', 'reason', 'expires'];
const FINGERPRINT = /^[0-9a-f]{32}$/;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
/** Quoted, because an all-digit fingerprint would otherwise be read as a (rounded) YAML number. */
const FINGERPRINT_TEXT = 'fingerprint must be 32 lowercase hex characters in quotes, as in the JSON report';

/**
 * `expires`: a date (the entry stops suppressing at 00:00 UTC that day) or a
 * zoned ISO-8601 time.
 */
export function parseExpiry(text: string): { ok: true; value: Instant } | { ok: false; reason: string } {
  return parseInstant(DATE_ONLY.test(text) ? `${text}T00:00:00Z` : text);
}

/** The entries of an `ignore:` list; problems go to `problem` with the node they concern. */
export function parseIgnoreList(
  node: Node | null,
  display: string,
  lineOf: (node: Node | null | undefined) => number,
  catalog: Catalog,
  problem: Problem,
): IgnoreEntry[] {
  if (node === null || (isScalar(node) && node.value === null)) return [];
  if (!isSeq(node)) {
    problem(node, 'ignore must be a list of entries { rule, subject, fingerprint, reason, expires }');
    return [];
  }
  const entries: IgnoreEntry[] = [];
  for (const item of node.items as (Node | null)[]) {
    const entry = parseEntry(item, display, lineOf, catalog, problem);
    if (entry !== undefined) entries.push(entry);
  }
  return entries;
}

function parseEntry(
  node: Node | null,
  display: string,
  lineOf: (node: Node | null | undefined) => number,
  catalog: Catalog,
  problem: Problem,
): IgnoreEntry | undefined {
  if (!isMap(node)) {
    problem(node, 'an ignore entry must be a mapping of rule, subject, fingerprint, reason, expires');
    return undefined;
  }
  const line = lineOf(node);
  const at = `ignore entry at line ${line}`;
  const values = new Map<string, { value: unknown; node: Node | null }>();
  let valid = true;
  const fail: Problem = (target, message) => {
    valid = false;
    problem(target, message);
  };
  for (const pair of node.items) {
    const keyNode = pair.key as Node | null;
    const key = isScalar(keyNode) ? String(keyNode.value) : '';
    const valueNode = pair.value as Node | null;
    if (!ENTRY_KEYS.includes(key)) {
      fail(keyNode, `${at}: unknown key "${key}" (expected ${ENTRY_KEYS.join(', ')})`);
      continue;
    }
    values.set(key, { value: valueNode === null ? null : valueNode.toJSON(), node: valueNode ?? keyNode });
  }
  const text = (key: string): string | undefined => {
    const found = values.get(key);
    if (found === undefined) return undefined;
    if (typeof found.value === 'string' && found.value.trim() !== '') return found.value.trim();
    fail(found.node, key === 'fingerprint' ? `${at}: ${FINGERPRINT_TEXT}` : `${at}: ${key} must be a non-empty string`);
    return undefined;
  };
  const ruleRef = text('rule');
  const subject = text('subject');
  const fingerprint = text('fingerprint');
  const reason = text('reason');
  const expiresText = text('expires');

  let rule: string | undefined;
  if (ruleRef !== undefined) {
    rule = findRule(catalog, ruleRef)?.id;
    if (rule === undefined) fail(values.get('rule')?.node, `${at}: unknown rule "${ruleRef}" (see \`nhi-audit rules list\`)`);
  }
  if (fingerprint !== undefined && !FINGERPRINT.test(fingerprint)) {
    fail(values.get('fingerprint')?.node, `${at}: ${FINGERPRINT_TEXT}`);
  }
  if (fingerprint === undefined && (ruleRef === undefined || subject === undefined) && !values.has('fingerprint')) {
    fail(node, `${at}: name a fingerprint, or a rule and a subject (a glob such as "arn:aws:iam::*:role/ci-*")`);
  }
  if (!values.has('reason')) fail(node, `${at}: reason is required (why this finding is accepted)`);
  let expires: Instant | undefined;
  if (!values.has('expires')) {
    fail(node, `${at}: expires is required (a date such as 2027-03-31, after which the finding counts again)`);
  } else if (expiresText !== undefined) {
    const parsed = parseExpiry(expiresText);
    if (parsed.ok) expires = parsed.value;
    else fail(values.get('expires')?.node, `${at}: expires: ${parsed.reason}`);
  }
  if (!valid || reason === undefined || expires === undefined) return undefined;
  return {
    ...(rule === undefined ? {} : { rule }),
    ...(subject === undefined ? {} : { subject }),
    ...(fingerprint === undefined ? {} : { fingerprint }),
    reason,
    expires,
    source: { file: display, line },
  };
}

/** A subject glob as an anchored pattern: `*` any run of characters (`/` and `:` included), `?` one. */
function globPattern(glob: string): RegExp {
  const body = [...glob]
    .map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`, 's');
}

interface Matcher {
  readonly entry: IgnoreEntry;
  readonly subject: RegExp | undefined;
}

function matches(matcher: Matcher, finding: Finding): boolean {
  const { entry } = matcher;
  if (entry.fingerprint !== undefined && entry.fingerprint !== finding.fingerprint) return false;
  if (entry.rule !== undefined && entry.rule !== finding.ruleId) return false;
  return matcher.subject === undefined || matcher.subject.test(finding.subject.id);
}

export interface SuppressionOutcome {
  readonly kept: Finding[];
  readonly suppressed: SuppressedFinding[];
  /** One per expired entry: it no longer hides anything, and the reader is told. */
  readonly warnings: ReportWarning[];
}

/**
 * The suppress step: findings an unexpired entry matches move aside with that
 * entry's justification (the first matching entry in file order). An entry
 * whose expiry is at or before `asOf` suppresses nothing and yields a warning.
 */
export function applySuppressions(findings: readonly Finding[], entries: readonly IgnoreEntry[], asOf: Instant): SuppressionOutcome {
  const live: Matcher[] = [];
  const warnings: ReportWarning[] = [];
  for (const entry of entries) {
    if (entry.expires <= asOf) {
      const what = entry.fingerprint ?? `${entry.rule ?? 'any rule'} ${entry.subject ?? ''}`.trim();
      warnings.push({
        id: 'suppression-expired',
        message: `ignore entry for ${what} expired on ${formatInstant(entry.expires)} (reason was: ${entry.reason}); its findings count again`,
        source: entry.source,
      });
      continue;
    }
    live.push({ entry, subject: entry.subject === undefined ? undefined : globPattern(entry.subject) });
  }
  const kept: Finding[] = [];
  const suppressed: SuppressedFinding[] = [];
  for (const finding of findings) {
    const matcher = live.find((candidate) => matches(candidate, finding));
    if (matcher === undefined) {
      kept.push(finding);
      continue;
    }
    const { entry } = matcher;
    suppressed.push({
      ...finding,
      suppression: {
        reason: entry.reason,
        expires: formatInstant(entry.expires),
        source: entry.source,
        matchedBy: entry.fingerprint === undefined ? 'rule' : 'fingerprint',
      },
    });
  }
  return { kept, suppressed, warnings };
}
