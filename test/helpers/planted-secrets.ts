import { createHash } from 'node:crypto';

/*
 * Fake secrets in the shapes real ones have (issue 15): each matches its
 * detector in src/ingest/secrets/detectors.ts and the output redaction in
 * src/engine/redact.ts, and none is a working credential. Derived from a hash
 * so they have a secret's entropy and stay the same on every run.
 */

function material(label: string, length: number, alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'): string {
  let out = '';
  let counter = 0;
  while (out.length < length) {
    for (const byte of createHash('sha256').update(`${label}:${counter}`).digest()) {
      if (out.length < length) out += alphabet[byte % alphabet.length];
    }
    counter += 1;
  }
  return out;
}

const base64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
const jwt = `${base64url({ alg: 'RS256', typ: 'JWT', kid: 'planted' })}.${base64url({ sub: 'planted-subject', aud: 'nhi-audit-test', exp: 4102444800 })}.${material('jwt-sig', 86, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_')}`;
const pemBody = material('pem', 256, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/').replace(/(.{64})/g, '$1\n');

/** The value a test must never find in output, by name. */
export const PLANTED = {
  awsSecretAccessKey: material('aws', 40, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+'),
  githubClassic: `ghp_${material('ghp', 36)}`,
  githubFineGrained: `github_pat_${material('pat1', 22)}_${material('pat2', 59)}`,
  gitlab: `glpat-${material('glpat', 20)}`,
  slack: `xoxb-123456789012-${material('slack', 24)}`,
  okta: `00${material('okta', 40)}`,
  jwt,
  privateKey: `-----BEGIN PRIVATE KEY-----\n${pemBody}\n-----END PRIVATE KEY-----`,
  azureClientSecret: `${material('az1', 3)}8Q~${material('az2', 34, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-')}`,
  bearer: material('bearer', 40),
  queryToken: material('query', 32),
  urlPassword: material('urlpw', 20),
} as const;

/** Each planted value in the context that makes it recognisable as a secret. */
export const PLANTED_IN_CONTEXT: readonly string[] = [
  `aws_secret_access_key=${PLANTED.awsSecretAccessKey}`,
  PLANTED.githubClassic,
  PLANTED.githubFineGrained,
  PLANTED.gitlab,
  PLANTED.slack,
  `SSWS ${PLANTED.okta}`,
  PLANTED.jwt,
  PLANTED.privateKey,
  PLANTED.azureClientSecret,
  `Authorization: Bearer ${PLANTED.bearer}`,
  `https://api.example.com/v1/items?limit=5&access_token=${PLANTED.queryToken}`,
  `https://deploy:${PLANTED.urlPassword}@git.example.com/repo.git`,
];

/** Format markers every token of a kind starts with: public, so a masked value may show them. */
const PUBLIC_PREFIX = /^(?:ghp_|github_pat_|glpat-|xoxb-\d+-|00|eyJ)/;

/** Secret material that must not appear: the PEM body line by line, the rest without its public prefix. */
export function secretMaterial(): string[] {
  return Object.entries(PLANTED).flatMap(([name, value]) =>
    name === 'privateKey' ? value.split('\n').filter((line) => !line.startsWith('-----')) : [value.replace(PUBLIC_PREFIX, '')],
  );
}

/** The first substring of 8+ characters of any planted value that `output` contains, or undefined. */
export function leakedSubstring(output: string): string | undefined {
  for (const secret of secretMaterial()) {
    for (let start = 0; start + 8 <= secret.length; start += 1) {
      const piece = secret.slice(start, start + 8);
      if (output.includes(piece)) return `${piece} (of ${secret.slice(0, 12)}…)`;
    }
  }
  return undefined;
}
