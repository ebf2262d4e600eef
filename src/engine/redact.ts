/*
 * Secret values must never reach a report, even when an input carries one
 * where an id was expected (a token pasted as a credential id, a key in a
 * resource name). Known secret shapes are replaced by their kind and last
 * four characters, which is how DESIGN.md §8 says credentials are named.
 */

interface SecretShape {
  readonly kind: string;
  readonly pattern: RegExp;
}

/*
 * Shapes whose body may contain `-` start only where no token character comes
 * before (not at `\b`, which `-` satisfies), and their bodies are capped: with
 * `\b`, a value like `-eyJaaaa-eyJaaaa…` was rescanned from every `eyJ`,
 * quadratic (18 s for 280 kB, issue 15).
 */
const SECRET_SHAPES: readonly SecretShape[] = [
  { kind: 'private-key', pattern: /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g },
  { kind: 'jwt', pattern: /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,4096}\.eyJ[A-Za-z0-9_-]{8,12288}\.[A-Za-z0-9_-]{8,4096}/g },
  { kind: 'github-token', pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{40,})/g },
  { kind: 'gitlab-token', pattern: /(?<![A-Za-z0-9_-])glpat-[A-Za-z0-9_-]{20,256}/g },
  { kind: 'slack-token', pattern: /(?<![A-Za-z0-9_-])xox[abprs]-[A-Za-z0-9-]{10,512}/g },
  { kind: 'google-api-key', pattern: /\bAIza[0-9A-Za-z_-]{35}\b/g },
  { kind: 'stripe-key', pattern: /\b[rs]k_(?:live|test)_[A-Za-z0-9]{16,}/g },
  { kind: 'openai-key', pattern: /(?<![A-Za-z0-9_-])sk-(?:proj-)?[A-Za-z0-9_-]{32,512}/g },
  { kind: 'okta-token', pattern: /\b00[A-Za-z0-9_-]{40}\b/g },
  // An AWS secret access key only where it is labelled as one: bare 40-char strings are too common.
  { kind: 'aws-secret-key', pattern: /(?<=(?:secret[_-]?access[_-]?key|aws_secret)["'\s:=]{1,5})[A-Za-z0-9/+]{40}\b/gi },
  { kind: 'bearer-token', pattern: /(?<=\bBearer\s+)[A-Za-z0-9._~+/-]{20,}=*/g },
  // Entra ID client secrets: three characters, a digit, `Q~`, then 31-34 more (the 2021+ format).
  { kind: 'azure-client-secret', pattern: /(?<![A-Za-z0-9_.~-])[A-Za-z0-9_.~-]{3}\dQ~[A-Za-z0-9_.~-]{31,34}(?![A-Za-z0-9_.~-])/g },
  // Tokens passed as URL query parameters (`?access_token=…`), which access logs keep in request URIs.
  {
    kind: 'query-token',
    pattern: /(?<=[?&](?:access_token|id_token|refresh_token|token|api_key|apikey|key|sig|signature|client_secret|password|code)=)[^&#\s"']{8,}/gi,
  },
  { kind: 'url-credentials', pattern: /(?<=:\/\/[^/\s:@]+:)[^/\s@]+(?=@)/g },
];

/** `…abcd` form: the kind and the last four characters, enough to tell credentials apart. */
function mask(kind: string, secret: string): string {
  return `[${kind} …${secret.slice(-4)}]`;
}

export function redactSecrets(text: string): string {
  let result = text;
  for (const shape of SECRET_SHAPES) {
    result = result.replace(shape.pattern, (match) => mask(shape.kind, match));
  }
  return result;
}

/**
 * Every string in a report-bound value redacted: messages, notes, skip reasons,
 * file names, ids, whatever a rule or reader put there. Redacting field by field
 * missed rule notes (issue 15), so whatever reaches a reporter goes through this
 * one walk instead. Object keys are kept (they are the schema, not input).
 */
export function redactDeep<T>(value: T): T {
  if (typeof value === 'string') return redactSecrets(value) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => redactDeep(item)) as T;
  if (value !== null && typeof value === 'object') {
    const result: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) result[key] = redactDeep(item);
    return result as T;
  }
  return value;
}
