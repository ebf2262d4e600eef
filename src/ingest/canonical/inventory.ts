import {
  LineCounter,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  parseAllDocuments,
  type Document,
  type Node as YamlNode,
} from 'yaml';
import { refuseDeepNesting } from '../nesting.js';
import { InputError, type NormalizedRecord } from '../../model/index.js';
import type { Adapter, AdapterContext, InputSource, Sniff } from '../adapter.js';
import { describeType, isMapping, quote } from './fields.js';
import { isListName, readListRecord } from './records.js';

/*
 * canonical-inventory: the nhi-audit/v1 Inventory document, YAML or JSON.
 * JSON is read by the YAML parser too (JSON is YAML), so both get exact lines
 * from the same code. The document is walked as a syntax tree rather than
 * converted wholesale, so each record keeps the line where it starts.
 */

export const INVENTORY_API_VERSION = 'nhi-audit/v1';
export const INVENTORY_KIND = 'Inventory';

// Top-level (unindented) header lines of a YAML inventory; quotes and a trailing comment allowed.
const YAML_API_VERSION = /^apiVersion:[ \t]*(["']?)nhi-audit\/v1\1[ \t]*(#.*)?\r?$/m;
const YAML_KIND = /^kind:[ \t]*(["']?)Inventory\1[ \t]*(#.*)?\r?$/m;
const JSON_API_VERSION = /"apiVersion"\s*:\s*"nhi-audit\/v1"/;
const JSON_KIND = /"kind"\s*:\s*"Inventory"/;

/** Bounds on alias expansion and nesting: a hostile document must not exhaust memory or the stack. */
const MAX_ALIAS_EXPANSIONS = 1_000;
const MAX_DEPTH = 64;

export const canonicalInventory: Adapter = {
  id: 'canonical-inventory',
  provider: 'canonical',
  title: 'nhi-audit Inventory (YAML or JSON)',
  detection: `a YAML or JSON document with apiVersion: ${INVENTORY_API_VERSION} and kind: ${INVENTORY_KIND} in its first 64 KiB`,
  yields: ['tenant', 'principal', 'identity', 'grant', 'credential', 'approval', 'provisioner', 'eligibility'],
  detect: detectInventory,
  read: readInventory,
};

function detectInventory(sniff: Sniff): boolean {
  const head = sniff.head.trimStart();
  if (head.startsWith('{')) return JSON_API_VERSION.test(head) && JSON_KIND.test(head);
  return YAML_API_VERSION.test(sniff.head) && YAML_KIND.test(sniff.head);
}

async function* readInventory(input: InputSource, ctx: AdapterContext): AsyncGenerator<NormalizedRecord> {
  const text = await input.text();
  const lineCounter = new LineCounter();
  refuseDeepNesting(text, input.display);
  const parsed = parseAllDocuments(text, { lineCounter, prettyErrors: false });
  // An empty stream: nothing to read, nothing wrong.
  if (!Array.isArray(parsed)) return;
  const docs: readonly Document.Parsed[] = parsed;
  const lineAt = (offset: number): number => lineCounter.linePos(offset).line;
  const syntax = text.trimStart().startsWith('{') ? 'JSON' : 'YAML';

  // Check the whole file first: a syntax error anywhere rejects it, rather than half-reading it.
  for (const doc of docs) {
    const error = doc.errors[0];
    if (error !== undefined) {
      // Our own wording around the parser's short message: its "pretty" form quotes the source line.
      // An error "at the end" (an unclosed quote) is placed on the last line, not past it.
      const offset = Math.max(0, Math.min(error.pos[0], text.length - 1));
      throw new InputError(`${syntax} syntax error: ${error.message}`, input.display, lineAt(offset));
    }
  }

  for (const [index, doc] of docs.entries()) {
    const contents = doc.contents;
    if (contents === null) continue;
    const docLine = lineAt(contents.range[0]);
    const name = docs.length > 1 ? `document ${index + 1}` : 'document';
    const tree = new TreeReader(doc, lineAt, input.display);
    const value = tree.plain(contents);
    if (!isMapping(value)) {
      ctx.skip(docLine, `${name}: expected a mapping with apiVersion and kind, got ${describeType(value)}`);
      continue;
    }
    if (value['apiVersion'] !== INVENTORY_API_VERSION || value['kind'] !== INVENTORY_KIND) {
      ctx.skip(docLine, `${name}: not an inventory; expected apiVersion: ${INVENTORY_API_VERSION} and kind: ${INVENTORY_KIND}`);
      continue;
    }
    // Only the lists we know are read; other keys are ignored (forward-compatible) and never echoed.
    // In document order, so skips come out in line order.
    for (const [list, items] of Object.entries(value)) {
      if (!isListName(list) || items === null) continue;
      if (!Array.isArray(items)) {
        ctx.skip(tree.lineOf(items) ?? docLine, `${list}: expected a list, got ${describeType(items)}`);
        continue;
      }
      const lines = tree.itemLines(items) ?? [];
      for (const [i, item] of items.entries()) {
        const where = `${list}[${i}]`;
        const line = lines[i] ?? docLine;
        if (!isMapping(item)) {
          ctx.skip(line, `${where}: expected a mapping, got ${describeType(item)}`);
          continue;
        }
        yield* readListRecord(
          list,
          {
            values: item,
            where,
            style: 'structured',
            source: { file: input.display, line },
            itemLines: (seq) => tree.itemLines(seq),
          },
          ctx,
        );
      }
    }
  }
}

/**
 * Converts a YAML syntax tree to plain values while remembering where things
 * start. Numbers keep their source text (`id: 012345678901` is an AWS account
 * id, not 12345678901): no canonical field is numeric. Objects are created
 * without a prototype so a `__proto__` key is just a key.
 */
class TreeReader {
  private readonly starts = new WeakMap<object, number>();
  private readonly seqItemLines = new WeakMap<readonly unknown[], readonly number[]>();
  private expansions = 0;

  constructor(
    private readonly doc: Document.Parsed,
    private readonly lineAt: (offset: number) => number,
    private readonly display: string,
  ) {}

  lineOf(value: unknown): number | undefined {
    return typeof value === 'object' && value !== null ? this.starts.get(value) : undefined;
  }

  itemLines(seq: readonly unknown[]): readonly number[] | undefined {
    return this.seqItemLines.get(seq);
  }

  plain(node: unknown, depth = 0): unknown {
    if (depth > MAX_DEPTH) throw this.error(node, `nesting deeper than ${MAX_DEPTH} levels`);
    if (isAlias(node)) {
      this.expansions += 1;
      if (this.expansions > MAX_ALIAS_EXPANSIONS) throw this.error(node, `more than ${MAX_ALIAS_EXPANSIONS} alias references`);
      const target = node.resolve(this.doc);
      if (target === undefined) throw this.error(node, `alias ${quote(node.source)} has no anchor`);
      return this.plain(target, depth + 1);
    }
    if (isScalar(node)) {
      const value = node.value;
      if (typeof value === 'number' || typeof value === 'bigint') {
        return typeof node.source === 'string' ? node.source : String(value);
      }
      return value;
    }
    if (isMap(node)) {
      const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
      for (const pair of node.items) {
        const key = this.plain(pair.key, depth + 1);
        // Complex keys (mappings as keys) mean nothing in our format.
        if (typeof key !== 'string' && typeof key !== 'boolean') continue;
        out[String(key)] = this.plain(pair.value, depth + 1);
      }
      this.remember(out, node);
      return out;
    }
    if (isSeq(node)) {
      const items: unknown[] = [];
      const lines: number[] = [];
      for (const item of node.items) {
        items.push(this.plain(item, depth + 1));
        lines.push(this.startLine(item) ?? 0);
      }
      this.remember(items, node);
      this.seqItemLines.set(items, lines);
      return items;
    }
    // An empty value (`key:`) has no node.
    return null;
  }

  private remember(value: object, node: YamlNode): void {
    const line = this.startLine(node);
    if (line !== undefined) this.starts.set(value, line);
  }

  private startLine(node: unknown): number | undefined {
    const range = (node as { range?: readonly number[] } | null)?.range;
    const start = range?.[0];
    return start === undefined ? undefined : this.lineAt(start);
  }

  private error(node: unknown, message: string): InputError {
    return new InputError(message, this.display, this.startLine(node) ?? 0);
  }
}
