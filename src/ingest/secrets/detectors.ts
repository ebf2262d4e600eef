/*
 * Raw secret detectors, as data. Each has a stable id (what SecretSighting.detector
 * says), an anchor — a short regex that every match contains at the position
 * where `find` starts looking — and `find`, which confirms the secret there.
 * The scanner combines every anchor into one case-insensitive regex, so clean
 * text costs a single pass; `find` only runs where an anchor hit.
 *
 * False positives matter as much as misses: an access key id (AKIA…), a
 * `hashed_token`, a credential-report column or a `***` placeholder is not a
 * secret, and no detector may report one.
 */

export interface SecretCandidate {
  /** Where the secret starts in the text; its line is the sighting's line. */
  readonly start: number;
  /** What is hashed: the secret itself, or a canonical form of it (a PEM body without line breaks). */
  readonly value: string;
  /** Names the kind without revealing the secret: a native prefix (`ghp_`, `eyJ`) or a bracketed kind. */
  readonly marker: string;
  /** False when even the last four characters would give too much away (short passwords, key material). */
  readonly showLast: boolean;
  readonly field: string | null;
}

export interface SecretDetector {
  readonly id: string;
  readonly title: string;
  /** Regex source; matched case-insensitively as part of the combined prefilter. */
  readonly anchor: string;
  /** The secret whose anchor hit at `at`, or undefined when there is none. */
  find(text: string, at: number): SecretCandidate | undefined;
}

/**
 * How far a secret may extend past its anchor, and how far back its field name
 * may start: the streaming scanner keeps this much text around a chunk boundary.
 */
export const MAX_SECRET_CHARS = 24 * 1024;
export const MAX_FIELD_LOOKBACK = 200;

/** Values that stand for a secret without being one. */
const PLACEHOLDER =
  /^(?:\*+|x+|\.+|-+|null|nil|none|undefined|true|false|n\/a|na|tbd|todo|redacted|\[redacted\]|hidden|masked|secret|password|changeme|not[_ ]supported|no[_ ]information|hidden_due_to_security_reasons|<.*>|\{\{.*\}\}|\$\{.*\}|\$[A-Za-z_][A-Za-z0-9_]*|%[a-z]|%\(.*\)s)$/i;
/** Values that point at a secret kept elsewhere (a vault reference, a URL, an ARN). */
const REFERENCE = /^(?:arn:|https?:\/\/|vault:|ssm:|secretsmanager:|projects\/|file:|env:|\$\{|\{\{)/i;
/** A secret with one of these prefixes is left to the detector that knows its exact shape. */
const SPECIFIC_PREFIX = /^(?:gh[pousr]_|github_pat_|glpat-|xox[bpa]-|xapp-|eyJ|ZXlK|-----BEGIN|SSWS\s)/;

const asciiCounts = new Uint32Array(128);

/** Shannon entropy in bits per character: random tokens score high, `aaaa` and `xxxx` near zero. */
export function entropy(value: string): number {
  // Secrets are nearly always ASCII: count those in a reused array, anything else in a map.
  asciiCounts.fill(0);
  const other = new Map<number, number>();
  for (let i = 0; i < value.length; i += 1) {
    const code = value.charCodeAt(i);
    if (code < 128) asciiCounts[code] = (asciiCounts[code] ?? 0) + 1;
    else other.set(code, (other.get(code) ?? 0) + 1);
  }
  let bits = 0;
  const add = (count: number): void => {
    if (count === 0) return;
    const p = count / value.length;
    bits -= p * Math.log2(p);
  };
  asciiCounts.forEach(add);
  other.forEach(add);
  return bits;
}

function isPlaceholder(value: string): boolean {
  // AWS documentation keys (…EXAMPLEKEY, AKIAIOSFODNN7EXAMPLE) are published examples.
  return PLACEHOLDER.test(value.trim()) || REFERENCE.test(value) || value.includes('EXAMPLE');
}

const isKeyChar = (c: number): boolean =>
  (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f || c === 0x2e || c === 0x2d;
const isBlank = (c: number): boolean => c === 0x20 || c === 0x09;
const isQuote = (c: number): boolean => c === 0x22 || c === 0x27;
/** Where a key may start after: line start, a quote, a brace, a comma… — not inside an ARN (`…:secret:name`). */
const KEY_BOUNDARY = new Set([...' \t\r\n"\'{,;(&?['].map((ch) => ch.charCodeAt(0)));

/**
 * The key a value sits under, read backwards from the value: `"key": "`,
 * `key: `, `key=`, `<Key>`. Null when the value is not directly under a key.
 * A hand-written walk: a regex anchored at the end would be tried from every
 * position of the look-back.
 */
export function fieldBefore(text: string, valueStart: number): string | null {
  const floor = Math.max(0, valueStart - MAX_FIELD_LOOKBACK);
  let at = valueStart - 1;
  if (at >= floor && text.charCodeAt(at) === 0x3e) return xmlTag(text, at, floor);
  if (at >= floor && isQuote(text.charCodeAt(at))) at -= 1;
  while (at >= floor && isBlank(text.charCodeAt(at))) at -= 1;
  const separator = text.charCodeAt(at);
  if (at < floor || (separator !== 0x3a && separator !== 0x3d)) return null;
  at -= 1;
  while (at >= floor && isBlank(text.charCodeAt(at))) at -= 1;
  if (at >= floor && isQuote(text.charCodeAt(at))) at -= 1;
  const end = at + 1;
  while (at >= floor && isKeyChar(text.charCodeAt(at))) at -= 1;
  if (at + 1 === end) return null;
  if (at >= 0 && !KEY_BOUNDARY.has(text.charCodeAt(at))) return null;
  return text.slice(at + 1, end);
}

/** `<SecretAccessKey>` ending at `close` (the `>`). */
function xmlTag(text: string, close: number, floor: number): string | null {
  const open = text.lastIndexOf('<', close);
  if (open < floor || open === close - 1) return null;
  const name = text.slice(open + 1, close);
  return /^[A-Za-z0-9_.:-]+$/.test(name) ? name : null;
}

/** `responseElements.credentials.SecretAccessKey` → `secretaccesskey`: what key rules compare. */
function normalizedKey(field: string): string {
  const last = field.slice(field.lastIndexOf('.') + 1);
  return last.toLowerCase().replace(/[_-]/g, '');
}

function decodeBase64(text: string): string {
  return Buffer.from(text, 'base64').toString('utf8');
}

/** True when `token` is a JWT: three base64url segments whose first decodes to a JSON header with `alg`. */
export function isJwt(token: string): boolean {
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] === undefined) return false;
  try {
    const header: unknown = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
    return typeof header === 'object' && header !== null && typeof (header as Record<string, unknown>)['alg'] === 'string';
  } catch {
    return false;
  }
}

/** `find` for secrets matched by one sticky regex with a `value` group. */
function byPattern(
  pattern: RegExp,
  describe: (value: string, field: string | null) => Omit<SecretCandidate, 'start' | 'value' | 'field'> | undefined,
): SecretDetector['find'] {
  if (!pattern.sticky) throw new Error(`detector pattern must be sticky: ${pattern.source}`);
  return (text, at) => {
    pattern.lastIndex = at;
    const match = pattern.exec(text);
    const value = match?.groups?.['value'];
    if (match === null || value === undefined) return undefined;
    const start = match.index + match[0].lastIndexOf(value);
    const field = fieldBefore(text, start);
    const described = describe(value, field);
    return described === undefined ? undefined : { ...described, start, value, field };
  };
}

/** A token with its own prefix: the prefix is the marker; the body must not be a run of one character. */
function prefixed(prefix: (value: string) => string): (value: string) => Omit<SecretCandidate, 'start' | 'value' | 'field'> | undefined {
  return (value) => (isPlaceholder(value) || entropy(value) < 3 ? undefined : { marker: prefix(value), showLast: true });
}

/** Separator between a key and its value: JSON, YAML, ini/env, XML. */
const KEY_VALUE = String.raw`["']?\s*[:=]\s*["']?`;

/**
 * A secret named only by the key it sits under (`client_secret`, `password`):
 * the pattern's `value` group may hold anything, so the key, placeholders and
 * entropy decide.
 */
const QUOTED_OR_BARE_VALUE = String.raw`["']?\s*[:=]\s*(?:"(?<dq>(?:[^"\\\r\n]|\\.){1,512})"|'(?<sq>[^'\r\n]{1,512})'|(?<bare>[^\s"',;{}[\]#]{1,512}))`;

function keyedSecret(
  anchor: string,
  keyMatches: (key: string) => boolean,
  marker: string,
): SecretDetector['find'] {
  const pattern = new RegExp(`(?:${anchor})[A-Za-z0-9_-]*${QUOTED_OR_BARE_VALUE}`, 'iy');
  return (text, at) => {
    pattern.lastIndex = at;
    const match = pattern.exec(text);
    if (match === null) return undefined;
    const groups = match.groups ?? {};
    const value = groups['dq'] ?? groups['sq'] ?? groups['bare'];
    if (value === undefined) return undefined;
    const start = match.index + match[0].length - value.length - (groups['bare'] === undefined ? 1 : 0);
    const field = fieldBefore(text, start);
    if (field === null || !keyMatches(normalizedKey(field)) || /hash/i.test(field)) return undefined;
    if (value.length < 8 || isPlaceholder(value) || SPECIFIC_PREFIX.test(value) || entropy(value) < 3) return undefined;
    // Four characters of a short password are a real hint; of a long random secret they are not.
    return { start, value, field, marker, showLast: value.length >= 16 };
  };
}

const PEM_HEADER = /-----BEGIN (?<kind>(?:[A-Z0-9]+ )*)PRIVATE KEY(?<block> BLOCK)?-----/y;
/** A PEM body as it appears raw, in a YAML block, or inside a JSON string with `\n` escapes. */
const PEM_BODY = /^(?:[A-Za-z0-9+/=:,.\- \t\r\n]|\\[nrt])*$/;
const PEM_TRUNCATED_BODY = /(?:[A-Za-z0-9+/= \t\r\n]|\\[nrt])*/y;
const MIN_KEY_MATERIAL = 64;

/**
 * The last footer search, reused while it still answers: a text with thousands
 * of PEM headers and no footer (hostile input) would otherwise be searched to
 * its end once per header, quadratic (10 s for 1 MB, issue 15).
 */
let lastFooterSearch: { text: string; footer: string; from: number; found: number } | undefined;

function footerAfter(text: string, footer: string, from: number): number {
  const last = lastFooterSearch;
  if (last !== undefined && last.text === text && last.footer === footer && from >= last.from && (last.found === -1 || from <= last.found)) {
    return last.found;
  }
  const found = text.indexOf(footer, from);
  lastFooterSearch = { text, footer, from, found };
  return found;
}

function findPrivateKey(text: string, at: number): SecretCandidate | undefined {
  PEM_HEADER.lastIndex = at;
  const header = PEM_HEADER.exec(text);
  if (header === null) return undefined;
  const bodyStart = at + header[0].length;
  const footer = `-----END ${header.groups?.['kind'] ?? ''}PRIVATE KEY${header.groups?.['block'] ?? ''}-----`;
  const end = footerAfter(text, footer, bodyStart);
  let body: string;
  if (end !== -1 && end - bodyStart <= MAX_SECRET_CHARS - 2 * header[0].length && PEM_BODY.test(text.slice(bodyStart, end))) {
    body = text.slice(bodyStart, end);
  } else {
    // A key cut off before its footer (a truncated export) is still key material.
    PEM_TRUNCATED_BODY.lastIndex = bodyStart;
    body = (PEM_TRUNCATED_BODY.exec(text)?.[0] ?? '').slice(0, MAX_SECRET_CHARS - header[0].length);
  }
  // Hash the key material, not its layout: the same key in a .pem file and in a JSON string shares a hash.
  const material = body.replace(/\\[nrt]|\s/g, '');
  if (material.replace(/[^A-Za-z0-9+/]/g, '').length < MIN_KEY_MATERIAL || entropy(material) < 4) return undefined;
  return { start: at, value: material, marker: header[0], showLast: false, field: fieldBefore(text, at) };
}

const JWT_PATTERN = /(?<![A-Za-z0-9_-])(?<value>eyJ[A-Za-z0-9_-]{8,4096}\.[A-Za-z0-9_-]{2,12288}\.[A-Za-z0-9_-]{0,4096})(?![A-Za-z0-9_-])/y;

/** Every detector, in the order their ids are documented. Ids are stable: never rename or reuse one. */
export const SECRET_DETECTORS: readonly SecretDetector[] = [
  {
    id: 'aws-secret-access-key',
    title: 'AWS secret access key',
    anchor: 'secret[_-]?(?:access[_-]?)?key',
    find: byPattern(
      new RegExp(String.raw`secret[_-]?(?:access[_-]?)?key(?:${KEY_VALUE}|>)(?<value>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])`, 'iy'),
      (value) => (isPlaceholder(value) || entropy(value) < 3.5 ? undefined : { marker: '[aws-secret-access-key]', showLast: true }),
    ),
  },
  {
    id: 'private-key',
    title: 'Private key (PEM)',
    anchor: '-----BEGIN ',
    find: findPrivateKey,
  },
  {
    id: 'github-token',
    title: 'GitHub token (personal, OAuth, user-to-server, installation, refresh, fine-grained)',
    anchor: 'gh[pousr]_|github_pat_',
    find: byPattern(
      /(?<![A-Za-z0-9_])(?<value>gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59})(?![A-Za-z0-9_])/y,
      prefixed((value) => (value.startsWith('github_pat_') ? 'github_pat_' : value.slice(0, 4))),
    ),
  },
  {
    id: 'gitlab-token',
    title: 'GitLab personal access token',
    anchor: 'glpat-',
    find: byPattern(/(?<![A-Za-z0-9_-])(?<value>glpat-[A-Za-z0-9_-]{20,64})(?![A-Za-z0-9_-])/y, prefixed(() => 'glpat-')),
  },
  {
    id: 'slack-token',
    title: 'Slack bot, user, app or app-level token',
    anchor: 'xox[bpa]-|xapp-',
    find: byPattern(
      /(?<![A-Za-z0-9_-])(?<value>xox[bpa]-[0-9]{1,16}-[A-Za-z0-9-]{16,240}|xapp-[0-9]-[A-Z0-9]{6,16}-[0-9]{6,16}-[a-f0-9]{32,128})(?![A-Za-z0-9-])/y,
      prefixed((value) => value.slice(0, 5)),
    ),
  },
  {
    id: 'okta-api-token',
    title: 'Okta API token (SSWS)',
    anchor: String.raw`SSWS\s|api[_-]?token`,
    find: byPattern(
      new RegExp(String.raw`(?:SSWS[ \t]+|api[_-]?token[A-Za-z0-9_-]*${KEY_VALUE})(?<value>00[A-Za-z0-9_-]{40})(?![A-Za-z0-9_-])`, 'iy'),
      prefixed(() => 'SSWS '),
    ),
  },
  {
    id: 'jwt',
    title: 'JSON Web Token',
    anchor: 'eyJ',
    find: byPattern(JWT_PATTERN, (value) => (isJwt(value) ? { marker: 'eyJ', showLast: true } : undefined)),
  },
  {
    id: 'k8s-sa-token',
    title: 'Kubernetes service-account token (base64 JWT in a Secret’s data.token)',
    anchor: 'ZXlK',
    find: byPattern(/(?<![A-Za-z0-9+/])(?<value>ZXlK[A-Za-z0-9+/]{20,16384}={0,2})(?![A-Za-z0-9+/=])/y, (value, field) =>
      field !== null && normalizedKey(field) === 'token' && isJwt(decodeBase64(value)) ? { marker: '[k8s-sa-token]', showLast: true } : undefined,
    ),
  },
  {
    id: 'client-secret',
    title: 'OAuth / application client secret',
    anchor: 'secret',
    find: keyedSecret('secret', (key) => /(?:clientsecret|secrettext|appsecret|consumersecret)$|^secret$/.test(key), '[client-secret]'),
  },
  {
    id: 'password',
    title: 'Password in a password field',
    anchor: 'passw(?:or)?d',
    find: keyedSecret('passw(?:or)?d', (key) => /passw(?:or)?d$/.test(key), '[password]'),
  },
];
