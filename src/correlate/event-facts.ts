import type { Event } from '../model/index.js';
import type { ActivityRef } from './views.js';
import { sourceNetwork, UNKNOWN_CLIENT, UNKNOWN_NETWORK, userAgentProduct, joinWorkload } from './workload.js';

/**
 * The service an action belongs to: `s3` for AWS `s3:GetObject`, `iam` for a
 * GCP permission `iam.serviceAccountKeys.create`. Null for actions without a
 * service prefix (Kubernetes `get pods`, Entra activity names).
 */
export function serviceOf(action: string): string | null {
  const colon = action.indexOf(':');
  if (colon > 0) return action.slice(0, colon).toLowerCase();
  const dotted = /^([a-z][a-z0-9]*)\.[A-Za-z]/.exec(action);
  return dotted !== null && !action.includes(' ') ? (dotted[1] ?? null) : null;
}

/** What an event contributes to every accumulator it reaches, derived once per event. */
export interface EventFacts {
  readonly at: ActivityRef;
  readonly service: string | null;
  readonly network: string | null;
  readonly workload: string | null;
}

export function eventFacts(event: Event): EventFacts {
  return {
    at: { time: event.time, source: event.source },
    service: event.action === null ? null : memo(SERVICES, event.action, serviceOf),
    network: event.sourceIp === null ? null : memo(NETWORKS, event.sourceIp, sourceNetwork),
    workload: workloadOf(event.userAgent, event.sourceIp),
  };
}

/*
 * Logs repeat a few actions, agents and addresses millions of times, and each
 * derivation is a regular expression or two: remember the answers. Bounded —
 * past MEMO_LIMIT entries a table starts over — so memory stays small however
 * varied the log; the answers are the same either way.
 */
const MEMO_LIMIT = 16_384;
const SERVICES = new Map<string, string | null>();
const NETWORKS = new Map<string, string>();
/** User agent → its product, and per product the workload key of each network. */
const PRODUCTS = new Map<string, string>();
const WORKLOADS = new Map<string, Map<string, string>>();
let workloadsKept = 0;

function memo<T>(table: Map<string, T>, key: string, derive: (key: string) => T): T {
  const known = table.get(key);
  if (known !== undefined || table.has(key)) return known as T;
  if (table.size >= MEMO_LIMIT) table.clear();
  const value = derive(key);
  table.set(key, value);
  return value;
}

function workloadOf(userAgent: string | null, sourceIp: string | null): string | null {
  if (userAgent === null && sourceIp === null) return null;
  const product = userAgent === null ? UNKNOWN_CLIENT : memo(PRODUCTS, userAgent, userAgentProduct);
  const network = sourceIp === null ? UNKNOWN_NETWORK : memo(NETWORKS, sourceIp, sourceNetwork);
  let byNetwork = WORKLOADS.get(product);
  if (byNetwork === undefined) {
    byNetwork = new Map();
    WORKLOADS.set(product, byNetwork);
  }
  const known = byNetwork.get(network);
  if (known !== undefined) return known;
  // One bound over all products' tables together.
  if (workloadsKept >= MEMO_LIMIT) {
    WORKLOADS.clear();
    workloadsKept = 0;
    WORKLOADS.set(product, byNetwork = new Map());
  }
  const key = joinWorkload(product, network);
  byNetwork.set(network, key);
  workloadsKept += 1;
  return key;
}

/**
 * Event facts for events whose strings arrive numbered (a reader thread's
 * batches, engine/event-batch.ts): each derivation is remembered by the
 * string's number, an array index instead of a string's hash, for as long as
 * the numbering lasts. The facts are those eventFacts gives.
 */
const PAIRED = 2 ** 20 - 1;

export class NumberedFacts {
  /** undefined: not derived yet; null: the action has no service prefix (remembered too). */
  private services: (string | null | undefined)[] = [];
  private networks: string[] = [];
  private products: string[] = [];
  /** (user agent number + 1) · 2^20 + (address number + 1) → workload key, for numbers below PAIRED. */
  private workloads = new Map<number, string>();

  /** The numbering started over: what a number meant is gone. */
  restart(): void {
    this.services = [];
    this.networks = [];
    this.products = [];
    this.workloads = new Map();
  }

  /** `action`, `sourceIp`, `userAgent`: the numbers of the event's strings, negative for null. */
  of(event: Event, action: number, sourceIp: number, userAgent: number): EventFacts {
    return {
      at: { time: event.time, source: event.source },
      service: event.action === null ? null : this.serviceOf(event.action, action),
      network: event.sourceIp === null ? null : (this.networks[sourceIp] ??= sourceNetwork(event.sourceIp)),
      workload: this.workloadOf(event, sourceIp, userAgent),
    };
  }

  private serviceOf(action: string, number: number): string | null {
    const known = this.services[number];
    if (known !== undefined) return known;
    const service = serviceOf(action);
    this.services[number] = service;
    return service;
  }

  private workloadOf(event: Event, sourceIp: number, userAgent: number): string | null {
    if (event.userAgent === null && event.sourceIp === null) return null;
    // A table holds a few thousand strings; only a batch of events with huge delegation chains numbers past PAIRED.
    const paired = userAgent < PAIRED && sourceIp < PAIRED;
    const pair = (userAgent + 1) * (PAIRED + 1) + (sourceIp + 1);
    const known = paired ? this.workloads.get(pair) : undefined;
    if (known !== undefined) return known;
    const product = event.userAgent === null ? UNKNOWN_CLIENT : (this.products[userAgent] ??= userAgentProduct(event.userAgent));
    const network = event.sourceIp === null ? UNKNOWN_NETWORK : (this.networks[sourceIp] ??= sourceNetwork(event.sourceIp));
    const key = joinWorkload(product, network);
    if (!paired) return key;
    if (this.workloads.size >= MEMO_LIMIT * 4) this.workloads.clear();
    this.workloads.set(pair, key);
    return key;
  }
}
