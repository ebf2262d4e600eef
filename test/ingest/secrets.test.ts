/*
 * Raw secret detection: every detector fires on its shape and stays quiet on
 * near misses; sightings never carry the value; the streaming scan gives the
 * same sightings and lines whatever the chunking; ingest counts sightings per
 * file, in any encoding, once per file.
 *
 * Token-shaped values (ghp_, glpat-, xoxb-, SSWS) are built at run time from a
 * seeded generator rather than written into files, so no committed file holds
 * something that looks like a live credential to a secret scanner.
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { discover } from '../../src/ingest/discover.js';
import { ingest } from '../../src/ingest/ingest.js';
import { findSecrets, maskSecret, SECRET_DETECTORS, secretHash } from '../../src/ingest/secrets.js';
import { SecretScanner } from '../../src/ingest/secrets/scanner.js';
import type { NormalizedRecord, SecretSighting } from '../../src/model/index.js';
import { fixture, lineOf, ofKind, ROOT, tempDir, tempFile, utf16le } from './helpers.js';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const B64 = `${ALNUM}+/`;
const B64URL = `${ALNUM}-_`;

/** Deterministic random-looking text from `alphabet`. */
function fake(seed: string, length: number, alphabet = ALNUM): string {
  let out = '';
  for (let i = 0; out.length < length; i += 1) {
    for (const byte of createHash('sha256').update(`${seed}:${i}`).digest()) {
      if (out.length < length) out += alphabet[byte % alphabet.length];
    }
  }
  return out;
}

const b64url = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
const JWT = `${b64url({ alg: 'HS256', typ: 'JWT' })}.${b64url({ sub: 'svc-etl', iat: 1_790_000_000 })}.${fake('jwt-sig', 43, B64URL)}`;
const PEM_BODY = fake('pem', 1216, B64);
const PEM = `-----BEGIN RSA PRIVATE KEY-----\n${(PEM_BODY.match(/.{1,64}/g) ?? []).join('\n')}\n-----END RSA PRIVATE KEY-----\n`;

const GHP = `ghp_${fake('ghp', 36)}`;
const GHS = `ghs_${fake('ghs', 36)}`;
const GITHUB_PAT = `github_pat_${fake('pat-a', 22)}_${fake('pat-b', 59)}`;
const GLPAT = `glpat-${fake('glpat', 20, B64URL)}`;
const XOXB = `xoxb-${fake('xoxb-1', 12, '0123456789')}-${fake('xoxb-2', 13, '0123456789')}-${fake('xoxb-3', 24)}`;
const XAPP = `xapp-1-A${fake('xapp-1', 10, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789')}-${fake('xapp-2', 13, '0123456789')}-${fake('xapp-3', 64, '0123456789abcdef')}`;
const OKTA = `00${fake('okta', 40, B64URL)}`;
const AWS_SECRET = fake('aws-secret', 40, B64);
const AWS_SESSION = `IQoJb3JpZ2luX2Vj${fake('aws-session', 300, B64)}`;
const CLIENT_SECRET = `Qx8~${fake('client-secret', 36, `${ALNUM}~._-`)}`;
const PASSWORD = 'c0rrect-Horse-Battery-Staple!';

interface Case {
  readonly name: string;
  readonly text: string;
  readonly secret: string;
  readonly detector: string;
  readonly masked: string;
  readonly field: string | null;
}

const FIRES: readonly Case[] = [
  { name: 'CloudTrail-style JSON SecretAccessKey', text: `{"AccessKeyId":"AKIAQWERTYUIOPASDFGH","SecretAccessKey":"${AWS_SECRET}"}`, secret: AWS_SECRET, detector: 'aws-secret-access-key', masked: `[aws-secret-access-key]…${AWS_SECRET.slice(-4)}`, field: 'SecretAccessKey' },
  { name: 'credentials file aws_secret_access_key', text: `[default]\naws_access_key_id = AKIAQWERTYUIOPASDFGH\naws_secret_access_key = ${AWS_SECRET}\n`, secret: AWS_SECRET, detector: 'aws-secret-access-key', masked: `[aws-secret-access-key]…${AWS_SECRET.slice(-4)}`, field: 'aws_secret_access_key' },
  { name: 'SDK camelCase secretAccessKey', text: `credentials:\n  secretAccessKey: '${AWS_SECRET}'`, secret: AWS_SECRET, detector: 'aws-secret-access-key', masked: `[aws-secret-access-key]…${AWS_SECRET.slice(-4)}`, field: 'secretAccessKey' },
  { name: 'STS XML SecretAccessKey', text: `<Credentials><SecretAccessKey>${AWS_SECRET}</SecretAccessKey></Credentials>`, secret: AWS_SECRET, detector: 'aws-secret-access-key', masked: `[aws-secret-access-key]…${AWS_SECRET.slice(-4)}`, field: 'SecretAccessKey' },
  { name: 'PEM file', text: PEM, secret: PEM_BODY, detector: 'private-key', masked: '-----BEGIN RSA PRIVATE KEY-----…', field: null },
  { name: 'PEM in a JSON string (GCP SA key)', text: JSON.stringify({ type: 'service_account', private_key: PEM }), secret: PEM_BODY, detector: 'private-key', masked: '-----BEGIN RSA PRIVATE KEY-----…', field: 'private_key' },
  { name: 'classic PAT', text: `token: ${GHP}`, secret: GHP, detector: 'github-token', masked: `ghp_…${GHP.slice(-4)}`, field: 'token' },
  { name: 'installation token in prose', text: `export GH_TOKEN ${GHS} # ci`, secret: GHS, detector: 'github-token', masked: `ghs_…${GHS.slice(-4)}`, field: null },
  { name: 'fine-grained PAT', text: `{"value": "${GITHUB_PAT}"}`, secret: GITHUB_PAT, detector: 'github-token', masked: `github_pat_…${GITHUB_PAT.slice(-4)}`, field: 'value' },
  { name: 'GitLab PAT', text: `PRIVATE-TOKEN=${GLPAT}`, secret: GLPAT, detector: 'gitlab-token', masked: `glpat-…${GLPAT.slice(-4)}`, field: 'PRIVATE-TOKEN' },
  { name: 'Slack bot token', text: `"slack": {"bot_token": "${XOXB}"}`, secret: XOXB, detector: 'slack-token', masked: `xoxb-…${XOXB.slice(-4)}`, field: 'bot_token' },
  { name: 'Slack app-level token', text: `SLACK_APP_TOKEN=${XAPP}`, secret: XAPP, detector: 'slack-token', masked: `xapp-…${XAPP.slice(-4)}`, field: 'SLACK_APP_TOKEN' },
  { name: 'Okta SSWS header', text: `Authorization: SSWS ${OKTA}`, secret: OKTA, detector: 'okta-api-token', masked: `SSWS …${OKTA.slice(-4)}`, field: null },
  { name: 'Okta api token field', text: `okta:\n  orgUrl: https://acme.okta.com\n  apiToken: ${OKTA}\n`, secret: OKTA, detector: 'okta-api-token', masked: `SSWS …${OKTA.slice(-4)}`, field: 'apiToken' },
  { name: 'JWT', text: `{"access_token":"${JWT}","token_type":"Bearer"}`, secret: JWT, detector: 'jwt', masked: `eyJ…${JWT.slice(-4)}`, field: 'access_token' },
  { name: 'K8s SA token Secret', text: `data:\n  namespace: Y2k=\n  token: ${Buffer.from(JWT).toString('base64')}\n`, secret: Buffer.from(JWT).toString('base64'), detector: 'k8s-sa-token', masked: `[k8s-sa-token]…${Buffer.from(JWT).toString('base64').slice(-4)}`, field: 'token' },
  { name: 'OAuth client_secret', text: `client_id: etl-app\nclient_secret: ${CLIENT_SECRET}\n`, secret: CLIENT_SECRET, detector: 'client-secret', masked: `[client-secret]…${CLIENT_SECRET.slice(-4)}`, field: 'client_secret' },
  { name: 'Entra secretText', text: `{"keyId":"6e1c","hint":"Qx8","secretText":"${CLIENT_SECRET}"}`, secret: CLIENT_SECRET, detector: 'client-secret', masked: `[client-secret]…${CLIENT_SECRET.slice(-4)}`, field: 'secretText' },
  { name: 'camelCase clientSecret', text: `{"clientId":"abc","clientSecret":"${CLIENT_SECRET}"}`, secret: CLIENT_SECRET, detector: 'client-secret', masked: `[client-secret]…${CLIENT_SECRET.slice(-4)}`, field: 'clientSecret' },
  { name: 'password field', text: `db:\n  user: etl\n  password: "${PASSWORD}"\n`, secret: PASSWORD, detector: 'password', masked: `[password]…${PASSWORD.slice(-4)}`, field: 'password' },
  { name: 'short password keeps no characters', text: `DB_PASSWORD=Tr0ub4d&3x`, secret: 'Tr0ub4d&3x', detector: 'password', masked: '[password]…', field: 'DB_PASSWORD' },
];

const QUIET: readonly (readonly [string, string])[] = [
  ['an access key id is an id', '{"userIdentity":{"accessKeyId":"AKIAQWERTYUIOPASDFGH"},"eventSource":"secretsmanager.amazonaws.com"}'],
  ['GitHub hashed_token is a hash', `{"action":"personal_access_token.create","hashed_token":"${fake('hash', 43, B64)}="}`],
  ['credential report columns', `user,password_enabled,password_last_used,access_key_1_active\nci-bot,false,N/A,true\n`],
  // STS session tokens expire within hours and CloudTrail logs one in every AssumeRole response by design:
  // reporting them would flood the report and make memory grow with log volume.
  ['STS session token in a CloudTrail response', `"credentials":{"accessKeyId":"ASIAQWERTYUIOPASDFGH","sessionToken":"${AWS_SESSION}"}`],
  ['CloudTrail hides the secret', '{"secretAccessKey":"HIDDEN_DUE_TO_SECURITY_REASONS","sessionToken":"HIDDEN_DUE_TO_SECURITY_REASONS"}'],
  ['AWS documentation example key', 'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'],
  ['masked client secret', '{"client_secret":"***"}'],
  ['REDACTED', 'client_secret: REDACTED'],
  ['angle-bracket placeholder', 'client_secret: <your-client-secret>'],
  ['null', '{"secretText": null, "password": null}'],
  ['N/A', 'password: N/A'],
  ['not_supported', 'password,not_supported'],
  ['a template variable', 'password: ${DB_PASSWORD}'],
  ['a Secrets Manager ARN', '{"secretId":"arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-password-AbCdEf"}'],
  ['a reference to a vault', 'client_secret: arn:aws:secretsmanager:eu-west-1:123456789012:secret:etl'],
  ['low entropy', 'password: aaaaaaaaaaaa'],
  ['a hashed password field', 'password_hash: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08'],
  ['a password credential list', '{"passwordCredentials":[{"keyId":"1","hint":"abc"}]}'],
  ['a GitHub prefix with the wrong length', `ghp_${fake('short', 20)}`],
  ['a Slack placeholder', 'SLACK_BOT_TOKEN=xoxb-your-token-here'],
  ['a PEM with no key material', '-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----'],
  ['a certificate is public', `-----BEGIN CERTIFICATE-----\n${fake('cert', 128, B64)}\n-----END CERTIFICATE-----`],
  ['eyJ that is not a JWT', `${b64url({ typ: 'note' })}.${b64url({ a: 1 })}.${fake('x', 10, B64URL)}`],
  ['base64 JWT under another field', `data:\n  config: ${Buffer.from(JWT).toString('base64')}\n`],
  ['an Okta token id, not a token', '{"apiTokenId":"00T1a2b3c4d5e6f7g8h9"}'],
];

describe('detectors', () => {
  it.each(FIRES)('$name → $detector', ({ text, secret, detector, masked, field }) => {
    const found = findSecrets(text, 'input');
    expect(found).toEqual([{ detector, masked, hash: secretHash(secret), field, source: { file: 'input', line: expect.any(Number) as unknown } }]);
  });

  it.each(QUIET)('%s: no sighting', (_name, text) => {
    expect(findSecrets(text, 'input')).toEqual([]);
  });

  it('every detector has a firing case', () => {
    const covered = new Set(FIRES.map((c) => c.detector));
    expect(SECRET_DETECTORS.map((d) => d.id).filter((id) => !covered.has(id))).toEqual([]);
  });

  it('detector ids are unique', () => {
    const ids = SECRET_DETECTORS.map((d) => d.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it.each(FIRES)('$name: the sighting never holds the value, and a repeat shares its hash', ({ text, secret }) => {
    const [first, second, ...rest] = findSecrets(`${text}\n${text}\n`, 'input');
    expect(rest).toEqual([]);
    expect(first?.hash).toMatch(/^[0-9a-f]{12}$/);
    expect(second?.hash).toBe(first?.hash);
    expect(second?.source.line).toBeGreaterThan(first?.source.line ?? Infinity);
    const json = JSON.stringify([first, second]);
    expect(json).not.toContain(secret);
    // Not even a recognisable stretch of it: at most the last four characters show.
    expect(json).not.toContain(secret.slice(-5));
  });

  it('different secrets of one kind get different hashes', () => {
    const [a, b] = findSecrets(`t: ${GHP}\nt: ghp_${fake('other', 36)}`, 'input');
    expect(a?.hash).not.toBe(b?.hash);
  });

  it('the same key as a PEM file and as a JSON string shares a hash', () => {
    const [pem] = findSecrets(PEM, 'a');
    const [json] = findSecrets(JSON.stringify({ private_key: PEM }), 'b');
    expect(json?.hash).toBe(pem?.hash);
  });

  it('masks to the marker and at most four characters', () => {
    expect(maskSecret({ marker: 'ghp_', showLast: true, value: GHP })).toBe(`ghp_…${GHP.slice(-4)}`);
    expect(maskSecret({ marker: '-----BEGIN PRIVATE KEY-----', showLast: false, value: PEM_BODY })).toBe('-----BEGIN PRIVATE KEY-----…');
  });
});

describe('streaming scan', () => {
  // Secrets placed so that some straddle window and chunk boundaries, between lines of filler.
  const filler = (n: number): string => `{"eventSource":"s3.amazonaws.com","eventName":"GetObject","n":${n}}\n`;
  const secrets = [GHP, JWT, XOXB, `SSWS ${OKTA}`, GLPAT];
  let text = '';
  const expected: { line: number; detector: string }[] = [];
  const detectorOf = ['github-token', 'jwt', 'slack-token', 'okta-api-token', 'gitlab-token'];
  for (let i = 0; text.length < 700_000; i += 1) {
    text += filler(i);
    if (i % 1500 === 7) {
      const k = (i / 1500) | 0;
      expected.push({ line: text.split('\n').length, detector: detectorOf[k % secrets.length] ?? '' });
      // The secret line also pads the text so boundaries fall at varying offsets within secrets.
      text += `${'x'.repeat(k * 37)} "v": "${secrets[k % secrets.length] ?? ''}"\n`;
    }
  }
  // One more on the last line, without a newline.
  expected.push({ line: text.split('\n').length, detector: 'github-token' });
  text += `token=${GHP}`;

  it.each([1_000_000, 65_536, 16_384, 4_099, 97])('chunks of %i chars find each secret once, on its line', (size) => {
    const found: SecretSighting[] = [];
    const scanner = new SecretScanner('big', (s) => found.push(s));
    for (let at = 0; at < text.length; at += size) scanner.push(text.slice(at, at + size));
    scanner.end();
    expect(found.map((s) => ({ line: s.source.line, detector: s.detector }))).toEqual(expected);
  });
});

async function ingestAll(patterns: string[], strict = false): Promise<{ records: NormalizedRecord[] } & Awaited<ReturnType<typeof ingest>>> {
  const records: NormalizedRecord[] = [];
  const result = await ingest(await discover(patterns, ROOT), { strict }, (r) => void records.push(r));
  return { records, ...result };
}

describe('ingest', () => {
  const trail = fixture('secrets', 'cloudtrail-assume-role.json');
  const k8s = fixture('secrets', 'k8s-sa-token-secret.yaml');
  const saKey = fixture('secrets', 'gcp-sa-key.json');
  const pem = fixture('secrets', 'gcp-sa-key.pem');

  it('CloudTrail: neither the session token nor access key ids are sightings', async () => {
    const { records, inputs } = await ingestAll(['fixtures/secrets/cloudtrail-assume-role.json'], true);
    expect(readFileSync(trail, 'utf8')).toContain('"sessionToken"');
    expect(ofKind(records, 'secret')).toEqual([]);
    expect(inputs[0]?.records).toEqual({ credential: 1, event: 3 });
  });

  it('files no adapter reads are still scanned, with file:line', async () => {
    const { records } = await ingestAll(['fixtures/secrets/k8s-sa-token-secret.yaml', 'fixtures/secrets/gcp-sa-key.json', 'fixtures/secrets/gcp-sa-key.pem']);
    const found = ofKind(records, 'secret').map((s) => [s.source.file, s.source.line, s.detector, s.field]);
    expect(found).toEqual(
      expect.arrayContaining([
        ['fixtures/secrets/gcp-sa-key.json', lineOf(saKey, '"private_key"'), 'private-key', 'private_key'],
        ['fixtures/secrets/gcp-sa-key.pem', lineOf(pem, 'BEGIN PRIVATE KEY'), 'private-key', null],
        ['fixtures/secrets/k8s-sa-token-secret.yaml', lineOf(k8s, '  token:'), 'k8s-sa-token', 'token'],
      ]),
    );
    expect(found).toHaveLength(3);
    const [json, file] = ofKind(records, 'secret').filter((s) => s.detector === 'private-key');
    expect(json?.hash).toBe(file?.hash);
  });

  it.each([
    ['plain', (text: string): string | Buffer => text],
    ['gzip', (text: string): string | Buffer => gzipSync(text)],
    ['UTF-16LE', (text: string): string | Buffer => utf16le(text.replace(/\n/g, '\r\n'))],
  ])('%s: same sighting, same line, counted once although the file is read twice', async (_name, encode) => {
    const lines = [
      '{"time":"2026-10-01T10:00:00Z","identity":"etl","action":"s3:GetObject","category":"access","outcome":"success"}',
      `{"time":"2026-10-01T10:01:00Z","identity":"etl","action":"s3:GetObject","category":"access","outcome":"success","note":"token ${GHP}"}`,
    ];
    const path = tempFile('app.events.ndjson', encode(`${lines.join('\n')}\n`));
    const records: NormalizedRecord[] = [];
    const { inputs } = await ingest([{ path, display: 'app.events.ndjson' }], { strict: true }, (r) => void records.push(r));
    expect(inputs[0]?.records).toMatchObject({ event: 2, secret: 1 });
    expect(ofKind(records, 'secret').map((s) => [s.source.line, s.masked])).toEqual([[2, `ghp_…${GHP.slice(-4)}`]]);
  });

  it('a secret past what detection sniffed, in a file no adapter reads, is found by a read of its own', async () => {
    const dir = tempDir();
    const filler = 'just some notes, nothing to see here\n'.repeat(4000);
    writeFileSync(join(dir, 'notes.txt'), `${filler}client_secret: ${CLIENT_SECRET}\n`);
    const records: NormalizedRecord[] = [];
    const { skipped } = await ingest([{ path: join(dir, 'notes.txt'), display: 'notes.txt' }], { strict: false }, (r) => void records.push(r));
    expect(skipped).toHaveLength(1);
    expect(ofKind(records, 'secret').map((s) => [s.source.line, s.detector])).toEqual([[4001, 'client-secret']]);
  });

  it('the existing secrets scenario yields sightings without any value in them', async () => {
    const { records, inputs } = await ingestAll(['fixtures/scenarios/secrets'], true);
    const sightings = ofKind(records, 'secret');
    expect(sightings.map((s) => s.detector)).toEqual(['client-secret', 'jwt', 'client-secret']);
    expect(inputs[0]?.records.secret).toBe(3);
    const json = JSON.stringify(sightings);
    for (const value of ['s3cr3t-Client-Value-Do-Not-Print-9f2b', 'hunter2-Plaintext-Secret-Value', 'c2lnbmF0dXJlLXZhbHVlLWhlcmU']) {
      expect(json).not.toContain(value);
    }
  });
});
