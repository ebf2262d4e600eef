/*
 * How events are told apart by where they come from: a workload is a client
 * product (user agent without its version) running from a source network.
 */

/** IPv4 → /24, IPv6 → /48, anything else (hostnames, "AWS Internal") as given, lower-cased. */
export function sourceNetwork(ip: string): string {
  const trimmed = ip.trim().toLowerCase();
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(trimmed);
  if (v4 !== null) {
    // Leading zeros appear in obfuscated real logs; normalize so 010.0.0.1 and 10.0.0.1 agree.
    return `${Number(v4[1])}.${Number(v4[2])}.${Number(v4[3])}.0/24`;
  }
  if (trimmed.includes(':')) {
    const groups = expandIpv6(trimmed);
    if (groups !== null) return `${groups.slice(0, 3).join(':')}::/48`;
  }
  return trimmed;
}

function expandIpv6(text: string): string[] | null {
  const address = text.replace(/^\[|\]$/g, '').split('%')[0] ?? '';
  if (!/^[0-9a-f:.]+$/.test(address)) return null;
  const halves = address.split('::');
  if (halves.length > 2) return null;
  const head = halves[0] === '' || halves[0] === undefined ? [] : halves[0].split(':');
  const tail = halves.length === 2 && halves[1] !== '' && halves[1] !== undefined ? halves[1].split(':') : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 && missing !== 0) return null;
  if (missing < 0) return null;
  const groups = [...head, ...Array<string>(missing).fill('0'), ...tail];
  return groups.map((group) => (group.includes('.') ? group : String(parseInt(group, 16).toString(16))));
}

/**
 * The product part of a user agent: its first token without version,
 * e.g. `aws-cli/2.13.1 Python/3.11` → `aws-cli`, `Boto3/1.26.0 …` → `boto3`.
 */
export function userAgentProduct(userAgent: string): string {
  // User agents are attacker-controlled: drop escape sequences and control characters from the derived name.
  const printable = NOISE.reduce((text, pattern) => text.replace(pattern, ''), userAgent);
  const first = printable.trim().replace(OPENERS, '').split(/[\s/]/, 1)[0] ?? '';
  const product = first.replace(CLOSERS, '').toLowerCase();
  return product === '' ? 'unknown' : product;
}

/**
 * What userAgentProduct strips, in order, as regular-expression sources that
 * JavaScript, RE2 (DuckDB) and Java (Trino) read alike, so the SQL export
 * (src/engine/cloudtrail-sql.ts) strips the same: ESC sequences (CSI, OSC,
 * two-character), 8-bit CSI, then any other control character.
 */
export const USER_AGENT_NOISE: readonly string[] = [
  String.raw`\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-_])`,
  String.raw`\x9b[0-?]*[ -/]*[@-~]`,
  String.raw`[\x00-\x1f\x7f-\x9f]`,
];
/** Brackets before and after the product token, e.g. `[aws-sdk-go/1.44 (go1.20)]`. */
export const PRODUCT_OPENERS = String.raw`^[\[(]+`;
export const PRODUCT_CLOSERS = String.raw`[\])]+$`;
const NOISE = USER_AGENT_NOISE.map((pattern) => new RegExp(pattern, 'g'));
const OPENERS = new RegExp(PRODUCT_OPENERS);
const CLOSERS = new RegExp(PRODUCT_CLOSERS);

/** What a workload key says for a signal the event lacks. */
export const UNKNOWN_CLIENT = 'unknown-client';
export const UNKNOWN_NETWORK = 'unknown-network';

/** A workload key from the two signals; null when the event carries neither. */
export function workloadKey(userAgent: string | null, sourceIp: string | null): string | null {
  if (userAgent === null && sourceIp === null) return null;
  const product = userAgent === null ? UNKNOWN_CLIENT : userAgentProduct(userAgent);
  const network = sourceIp === null ? UNKNOWN_NETWORK : sourceNetwork(sourceIp);
  return joinWorkload(product, network);
}

/** The key of a product (userAgentProduct) running from a network (sourceNetwork). */
export function joinWorkload(product: string, network: string): string {
  return `${product} from ${network}`;
}
