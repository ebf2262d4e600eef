/*
 * nhi-audit never touches the network (DESIGN.md §8). Every way Node opens a
 * connection or resolves a name is trapped while full scans run.
 */
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import dgram from 'node:dgram';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AS_OF, runCli } from '../helpers/cli.js';

const attempts: string[] = [];
const restore: (() => void)[] = [];

function trap<T extends object>(target: T, key: keyof T & string, label: string): void {
  const original = target[key];
  (target as Record<string, unknown>)[key] = (...args: unknown[]) => {
    attempts.push(`${label}(${args.map((arg) => (typeof arg === 'object' ? JSON.stringify(arg) : String(arg))).join(', ')})`);
    throw new Error(`network access attempted: ${label}`);
  };
  restore.push(() => {
    (target as Record<string, unknown>)[key] = original;
  });
}

beforeEach(() => {
  attempts.length = 0;
  trap(net.Socket.prototype, 'connect', 'net.Socket.connect');
  trap(net, 'connect', 'net.connect');
  trap(net, 'createConnection', 'net.createConnection');
  trap(tls, 'connect', 'tls.connect');
  trap(http, 'request', 'http.request');
  trap(http, 'get', 'http.get');
  trap(https, 'request', 'https.request');
  trap(https, 'get', 'https.get');
  trap(dns, 'lookup', 'dns.lookup');
  trap(dns, 'resolve', 'dns.resolve');
  trap(dns.promises, 'lookup', 'dns.promises.lookup');
  trap(dgram, 'createSocket', 'dgram.createSocket');
  trap(globalThis, 'fetch', 'fetch');
});

afterEach(() => {
  while (restore.length > 0) restore.pop()?.();
});

describe('offline', () => {
  it('the traps work', () => {
    expect(() => net.connect(80, 'example.com')).toThrow(/network access attempted/);
    expect(attempts).toHaveLength(1);
    attempts.length = 0;
  });

  it.each(['table', 'json', 'sarif'])('a full scan to %s opens no socket and resolves no name', async (format) => {
    const run = await runCli(['scan', 'fixtures/demo', 'fixtures/bad/*', '--as-of', AS_OF, '--format', format]);
    expect(run.code).toBe(1);
    expect(attempts).toEqual([]);
  });

  it('rules, formats and inventory open no socket either', async () => {
    for (const argv of [['rules', 'list'], ['rules', 'show', 'NHI-TOKEN-001'], ['formats'], ['inventory', 'fixtures/demo']]) {
      expect((await runCli(argv)).code).toBe(0);
    }
    expect(attempts).toEqual([]);
  });
});
