import { describe, expect, it } from 'vitest';
import { compareFindings, dedupe, fingerprint, redact } from '../../src/engine/findings.js';
import { redactSecrets } from '../../src/engine/redact.js';
import type { Finding } from '../../src/model/index.js';

function finding(partial: Partial<Finding>): Finding {
  return {
    ruleId: 'NHI-X-001', ruleName: 'x', severity: 'high', messageId: 'm', message: 'msg',
    subject: { kind: 'identity', id: 'svc' }, evidence: [], mappings: {}, remediation: '', fingerprint: 'f',
    ...partial,
  };
}

describe('fingerprint', () => {
  const subject = { kind: 'identity', id: 'svc' } as const;
  it('is the same for the same rule, subject and distinct part', () => {
    expect(fingerprint('NHI-X-001', subject, 'a')).toBe(fingerprint('NHI-X-001', { ...subject, provider: 'aws' }, 'a'));
    expect(fingerprint('NHI-X-001', subject)).toMatch(/^[0-9a-f]{32}$/);
  });
  it('changes with rule, subject kind, subject id and distinct part', () => {
    const base = fingerprint('NHI-X-001', subject);
    expect(fingerprint('NHI-X-002', subject)).not.toBe(base);
    expect(fingerprint('NHI-X-001', { kind: 'credential', id: 'svc' })).not.toBe(base);
    expect(fingerprint('NHI-X-001', { kind: 'identity', id: 'svc2' })).not.toBe(base);
    expect(fingerprint('NHI-X-001', subject, 'inventory.yaml')).not.toBe(base);
  });
});

describe('redaction', () => {
  it.each([
    ['github token', 'token ghp_abcdefghijklmnopqrstuvwxyz0123456789 used', 'ghp_abcdefghijklmnopqrstuvwxyz0123456789'],
    ['jwt', 'bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIi'],
    ['slack', 'xoxb-123456789012-abcdefghijkl', 'xoxb-123456789012-abcdefghijkl'],
    ['aws secret', 'aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'],
    ['private key', '-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----', 'MIIEow'],
    ['url password', 'https://deploy:hunter2secret@git.example.com/repo', 'hunter2secret'],
    ['Entra client secret (issue 15)', 'secret Abc8Q~dEfGhIjKlMnOpQrStUvWxYz0123456789a set', 'dEfGhIjKlMnOpQrStUvWxYz01234567'],
    ['query-string token (issue 15)', 'GET /v1/items?limit=5&access_token=QueryTok3nValue0123456789 200', 'QueryTok3nValue01234'],
  ])('masks a %s, keeping only its last four characters', (_kind, text, secret) => {
    const masked = redactSecrets(text);
    expect(masked).not.toContain(secret);
    expect(masked).toMatch(/\[[a-z-]+ ….{4}\]/);
  });

  it('leaves ids alone', () => {
    for (const text of ['https://api.example.com/items?limit=5&key=short', 'AKIAIOSFODNN7EXAMPLE', 'rt-crm-alice-7f3a', 'arn:aws:iam::111111111111:role/deploy-bot']) {
      expect(redactSecrets(text)).toBe(text);
    }
  });

  it('applies to message, subject and evidence of a finding', () => {
    const token = 'ghp_abcdefghijklmnopqrstuvwxyz0123456789';
    const redacted = redact(
      finding({
        message: `credential ${token}`,
        subject: { kind: 'credential', id: token },
        evidence: [{ source: { file: 'f', line: 1 }, summary: `id ${token}`, key: `credential:${token}` }],
      }),
    );
    expect(JSON.stringify(redacted)).not.toContain(token);
  });
});

describe('ordering and dedupe', () => {
  it('sorts by severity, then rule, subject, fingerprint', () => {
    const list = [
      finding({ severity: 'medium', ruleId: 'A', fingerprint: '1' }),
      finding({ severity: 'critical', ruleId: 'B', fingerprint: '2' }),
      finding({ severity: 'critical', ruleId: 'A', subject: { kind: 'identity', id: 'z' }, fingerprint: '3' }),
      finding({ severity: 'critical', ruleId: 'A', subject: { kind: 'identity', id: 'b' }, fingerprint: '4' }),
    ];
    expect([...list].sort(compareFindings).map((item) => item.fingerprint)).toEqual(['4', '3', '2', '1']);
  });
  it('drops repeated fingerprints', () => {
    expect(dedupe([finding({ fingerprint: 'a' }), finding({ fingerprint: 'a' }), finding({ fingerprint: 'b' })])).toHaveLength(2);
  });
});

describe('redaction on hostile text (issue 15)', () => {
  it.each([
    ['eyJ runs', '-eyJaaaaaaaaaa'],
    ['glpat runs', 'glpat-'],
    ['slack runs', 'xoxb-aaaaaaaa-'],
    ['openai runs', 'sk-aaaa-'],
  ])('is linear on %s (a quadratic scan of a megabyte would outlast the test timeout)', (_name, unit) => {
    const text = unit.repeat(Math.ceil(1_000_000 / unit.length));
    expect(redactSecrets(text).length).toBeGreaterThan(0);
  });

  it('still masks a JWT after a hyphenated word and a glpat token after a space', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U';
    expect(redactSecrets(`user-agent: ${jwt}`)).not.toContain('dozjgNry');
    expect(redactSecrets('token glpat-abcdefghijklmnopqrstu1')).toMatch(/\[gitlab-token …stu1\]/);
  });
});
