/*
 * Preloaded with `node --import` (issue 15): every way Node opens a connection
 * or resolves a name throws, and each attempt is appended to the file named by
 * NHI_NETWORK_LOG, so a test can prove a real CLI process (and its worker
 * threads, which inherit the preload) stayed offline.
 */
import { appendFileSync } from 'node:fs';
import dgram from 'node:dgram';
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import { threadId } from 'node:worker_threads';

const log = process.env.NHI_NETWORK_LOG;

function trap(target, key, label) {
  target[key] = () => {
    if (log) appendFileSync(log, `${label} (thread ${threadId})\n`);
    throw new Error(`network access attempted: ${label}`);
  };
}

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
trap(dns.promises, 'resolve', 'dns.promises.resolve');
trap(dgram, 'createSocket', 'dgram.createSocket');
trap(globalThis, 'fetch', 'fetch');
if (log) appendFileSync(log, `preloaded (thread ${threadId})\n`);
