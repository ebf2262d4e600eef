import { describe, expect, it } from 'vitest';
import { findSecrets } from '../../src/ingest/secrets.js';

/*
 * Secret detection runs over every byte of every input, so it must stay linear
 * on text built to defeat it (issue 15). A quadratic scan of these megabytes
 * would outlast the test timeout; no timing is asserted.
 */
describe('secret detection on hostile text', () => {
  it.each([
    ['PEM headers without a footer', '-----BEGIN PRIVATE KEY-----\n'],
    ['JWT starts joined by hyphens', '-eyJaaaaaaaaaa'],
    ['keyed secrets with no value', 'client_secret='],
    ['SSWS prefixes', 'SSWS '],
  ])('%s', (_name, unit) => {
    const text = unit.repeat(Math.ceil(4_000_000 / unit.length));
    expect(Array.isArray(findSecrets(text, 'input'))).toBe(true);
  });

  it('still finds a key whose footer follows many unterminated headers', () => {
    const body = 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7'.repeat(4);
    const text = `${'-----BEGIN PRIVATE KEY-----\n'.repeat(1000)}-----BEGIN RSA PRIVATE KEY-----\n${body}\n-----END RSA PRIVATE KEY-----\n`;
    expect(findSecrets(text, 'input').some((found) => found.detector === 'private-key')).toBe(true);
  });
});
