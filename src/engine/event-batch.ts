/*
 * Events cross from a reader thread to the thread that folds them in batches
 * of numbers: one row of ROW numbers per event in a Float64Array whose memory
 * moves with the message instead of being copied, and a table of strings that
 * both sides keep, so a string crosses once rather than with every event.
 * A structured clone of event objects would cost the folding thread about as
 * much as parsing them had cost the reader.
 */
import { NumberedFacts, type EventFacts } from '../correlate/index.js';
import { EVENT_CATEGORIES, EVENT_OUTCOMES, type Event } from '../model/index.js';

export interface EventBatch {
  readonly rows: Float64Array;
  readonly count: number;
  /** The table starts over before this batch's strings (it had grown past TABLE_LIMIT). */
  readonly restart: boolean;
  /** Strings numbered first in this batch, in number order. */
  readonly strings: readonly string[];
  /** Every event's delegation hops, as string numbers, end to end (CHAIN_START/CHAIN_LENGTH index it). */
  readonly chains: readonly number[];
  /** Claims objects, rare and of any shape: these cross as structured clones. */
  readonly claims: readonly Readonly<Record<string, unknown>>[];
}

/** Events per batch: large enough that a message's cost is spread thin, small enough to keep both threads busy. */
export const BATCH_EVENTS = 1024;

/**
 * Distinct strings a reader numbers before both tables start over. Resources
 * and addresses can be distinct in every event, so the tables must not grow
 * with the log; and a string the folding side's table holds for long outlives
 * V8's young generation, to become garbage in the old one once the table
 * starts over. At 1 M events / 50 k identities on two threads, 64 k strings
 * gave 804-843 MB peak RSS, 8 k gave 600-663 MB, as fast or faster; 1 k was
 * no better than 8 k.
 */
export const TABLE_LIMIT = 1 << 13;

// One row: what each number is. ABSENT stands for null, or for an optional field left out.
const TIME = 0;
const IDENTITY = 1;
const CREDENTIAL = 2;
const ACTION = 3;
const RESOURCE = 4;
const TENANT = 5;
const ENVIRONMENT = 6;
const SOURCE_IP = 7;
const USER_AGENT = 8;
const OUTCOME = 9;
const CATEGORY = 10;
const ON_BEHALF_OF = 11;
const PROVIDER = 12;
const INTERACTIVE = 13;
const CLAIMS = 14;
const FILE = 15;
const LINE = 16;
const POINTER = 17;
const CHAIN_START = 18;
const CHAIN_LENGTH = 19;
const ROW = 20;
const ABSENT = -1;

const OUTCOME_NUMBER = new Map(EVENT_OUTCOMES.map((outcome, index) => [outcome, index]));
const CATEGORY_NUMBER = new Map(EVENT_CATEGORIES.map((category, index) => [category, index]));
const NO_HOPS: readonly string[] = Object.freeze([]);

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** The reader's side: numbers events into a batch and hands it over when full. */
export class EventBatchWriter {
  private readonly numbers = new Map<string, number>();
  private rows: Float64Array;
  private count = 0;
  private restart = false;
  private strings: string[] = [];
  private chains: number[] = [];
  private claims: Readonly<Record<string, unknown>>[] = [];
  /** Per field of a row, the string it had last and its number (numberIn). */
  private readonly previous: (string | null)[] = new Array<string | null>(ROW).fill(null);
  private readonly previousNumber = new Float64Array(ROW).fill(ABSENT);

  /** Other sizes than the defaults are for tests, to reach a batch's end and a table's restart quickly. */
  constructor(
    private readonly capacity = BATCH_EVENTS,
    private readonly tableLimit = TABLE_LIMIT,
  ) {
    this.rows = new Float64Array(capacity * ROW);
  }

  /** Adds an event; true when the batch is full and should be taken. */
  add(event: Event): boolean {
    const rows = this.rows;
    const at = this.count * ROW;
    rows[at + TIME] = event.time;
    rows[at + IDENTITY] = this.numberIn(IDENTITY, event.identity);
    rows[at + CREDENTIAL] = this.numberIn(CREDENTIAL, event.credential);
    rows[at + ACTION] = this.numberIn(ACTION, event.action);
    rows[at + RESOURCE] = this.numberIn(RESOURCE, event.resource);
    rows[at + TENANT] = this.numberIn(TENANT, event.tenant);
    rows[at + ENVIRONMENT] = this.numberIn(ENVIRONMENT, event.environment);
    rows[at + SOURCE_IP] = this.numberIn(SOURCE_IP, event.sourceIp);
    rows[at + USER_AGENT] = this.numberIn(USER_AGENT, event.userAgent);
    rows[at + OUTCOME] = OUTCOME_NUMBER.get(event.outcome) ?? ABSENT;
    rows[at + CATEGORY] = CATEGORY_NUMBER.get(event.category) ?? ABSENT;
    rows[at + ON_BEHALF_OF] = this.numberIn(ON_BEHALF_OF, event.onBehalfOf);
    rows[at + PROVIDER] = this.numberIn(PROVIDER, event.provider ?? null);
    rows[at + INTERACTIVE] = event.actorInteractive === undefined ? ABSENT : event.actorInteractive ? 1 : 0;
    if (event.claims === undefined) {
      rows[at + CLAIMS] = ABSENT;
    } else {
      rows[at + CLAIMS] = this.claims.length;
      this.claims.push(event.claims);
    }
    rows[at + FILE] = this.numberIn(FILE, event.source.file);
    rows[at + LINE] = event.source.line;
    rows[at + POINTER] = this.numberOf(event.source.pointer ?? null);
    rows[at + CHAIN_START] = this.chains.length;
    rows[at + CHAIN_LENGTH] = event.actorChain.length;
    for (const hop of event.actorChain) this.chains.push(this.numberOf(hop));
    this.count += 1;
    return this.count === this.capacity;
  }

  /** The batch so far (undefined when empty), with the buffer to move rather than copy; the writer starts a new one. */
  take(): { readonly batch: EventBatch; readonly transfer: ArrayBuffer[] } | undefined {
    if (this.count === 0) return undefined;
    const rows = this.count === this.capacity ? this.rows : this.rows.slice(0, this.count * ROW);
    const batch: EventBatch = { rows, count: this.count, restart: this.restart, strings: this.strings, chains: this.chains, claims: this.claims };
    this.rows = new Float64Array(this.capacity * ROW);
    this.count = 0;
    this.strings = [];
    this.chains = [];
    this.claims = [];
    // Checked between batches, so a batch never refers to strings of two tables.
    this.restart = this.numbers.size > this.tableLimit;
    if (this.restart) {
      this.numbers.clear();
      this.previous.fill(null);
      this.previousNumber.fill(ABSENT);
    }
    return { batch, transfer: [rows.buffer as ArrayBuffer] };
  }

  /**
   * numberOf, first trying the string this field had in the previous event:
   * a file, a tenant, an agent often repeat from one event to the next, and a
   * comparison is cheaper than hashing a string the parser has just made.
   */
  private numberIn(slot: number, value: string | null): number {
    if (value === this.previous[slot]) return this.previousNumber[slot] as number;
    const number = this.numberOf(value);
    this.previous[slot] = value;
    this.previousNumber[slot] = number;
    return number;
  }

  private numberOf(value: string | null): number {
    if (value === null) return ABSENT;
    let number = this.numbers.get(value);
    if (number === undefined) {
      number = this.numbers.size;
      this.numbers.set(value, number);
      this.strings.push(value);
    }
    return number;
  }
}

/**
 * The folding side, one per reader: turns its batches back into the events it
 * read, with their facts derived once per string number (NumberedFacts).
 */
export class EventBatchReader {
  private strings: string[] = [];
  private readonly facts = new NumberedFacts();

  read(batch: EventBatch, onEvent: (event: Event, facts: EventFacts) => void): void {
    if (batch.restart) {
      this.strings = [];
      this.facts.restart();
    }
    const strings = this.strings;
    for (const value of batch.strings) strings.push(value);
    const text = (number: number): string | null => (number === ABSENT ? null : (strings[number] as string));
    const { rows, chains, claims } = batch;
    for (let at = 0; at < batch.count * ROW; at += ROW) {
      const chainStart = rows[at + CHAIN_START] as number;
      const chainLength = rows[at + CHAIN_LENGTH] as number;
      let hops = NO_HOPS;
      if (chainLength > 0) {
        const read: string[] = [];
        for (let hop = chainStart; hop < chainStart + chainLength; hop += 1) read.push(strings[chains[hop] as number] as string);
        hops = read;
      }
      const file = strings[rows[at + FILE] as number] as string;
      const line = rows[at + LINE] as number;
      const pointer = rows[at + POINTER] as number;
      const event: Mutable<Event> = {
        time: rows[at + TIME] as number,
        identity: text(rows[at + IDENTITY] as number),
        credential: text(rows[at + CREDENTIAL] as number),
        action: text(rows[at + ACTION] as number),
        resource: text(rows[at + RESOURCE] as number),
        tenant: text(rows[at + TENANT] as number),
        environment: text(rows[at + ENVIRONMENT] as number),
        sourceIp: text(rows[at + SOURCE_IP] as number),
        userAgent: text(rows[at + USER_AGENT] as number),
        outcome: EVENT_OUTCOMES[rows[at + OUTCOME] as number] as Event['outcome'],
        category: EVENT_CATEGORIES[rows[at + CATEGORY] as number] as Event['category'],
        onBehalfOf: text(rows[at + ON_BEHALF_OF] as number),
        actorChain: hops,
        source: pointer === ABSENT ? { file, line } : { file, line, pointer: strings[pointer] as string },
      };
      const provider = rows[at + PROVIDER] as number;
      if (provider !== ABSENT) event.provider = strings[provider] as string;
      const interactive = rows[at + INTERACTIVE] as number;
      if (interactive !== ABSENT) event.actorInteractive = interactive === 1;
      const claimsAt = rows[at + CLAIMS] as number;
      if (claimsAt !== ABSENT) event.claims = claims[claimsAt] as Readonly<Record<string, unknown>>;
      onEvent(event, this.facts.of(event, rows[at + ACTION] as number, rows[at + SOURCE_IP] as number, rows[at + USER_AGENT] as number));
    }
  }
}
