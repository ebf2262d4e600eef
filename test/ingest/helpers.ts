import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach } from 'vitest';
import type { Adapter, AdapterContext, InputSource } from '../../src/ingest/adapter.js';
import { readSniff } from '../../src/ingest/sniff.js';
import { openInput } from '../../src/ingest/source.js';
import type { NormalizedRecord, RecordKind } from '../../src/model/index.js';

export const ROOT = resolve(import.meta.dirname, '../..');
export const fixture = (...parts: string[]): string => join(ROOT, 'fixtures', ...parts);

/** 1-based number of the first line of `file` that contains `needle`; throws if none, so a typo fails the test. */
export function lineOf(file: string, needle: string): number {
  const index = readFileSync(file, 'utf8').split('\n').findIndex((line) => line.includes(needle));
  if (index === -1) throw new Error(`${needle} not in ${file}`);
  return index + 1;
}

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh temporary directory, removed after the test. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'nhi-ingest-'));
  dirs.push(dir);
  return dir;
}

/** Writes `content` to `name` in a fresh temp dir and returns the path. */
export function tempFile(name: string, content: string | Uint8Array): string {
  const path = join(tempDir(), name);
  writeFileSync(path, content);
  return path;
}

export interface Skip {
  readonly line: number;
  readonly message: string;
}

/** Runs one adapter over a file, collecting records and skips. */
export async function runAdapter(
  adapter: Adapter,
  path: string,
  display = 'input',
): Promise<{ records: NormalizedRecord[]; skips: Skip[] }> {
  const records: NormalizedRecord[] = [];
  const skips: Skip[] = [];
  const input = openInput(path, display);
  const ctx: AdapterContext = { skip: (line, message) => skips.push({ line, message }), sniff: await readSniff(input) };
  for await (const record of adapter.read(input, ctx)) records.push(record);
  return { records, skips };
}

type RecordOf<K extends RecordKind> = Extract<NormalizedRecord, { kind: K }>['record'];

export function ofKind<K extends RecordKind>(records: readonly NormalizedRecord[], kind: K): RecordOf<K>[] {
  const out: RecordOf<K>[] = [];
  for (const r of records) {
    // The kind check is what narrows; TypeScript cannot follow it through the generic.
    if (r.kind === kind) out.push(r.record as RecordOf<K>);
  }
  return out;
}

/** UTF-16LE bytes with a BOM, as PowerShell's Out-File writes them. */
export function utf16le(text: string): Buffer {
  return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
}

/** UTF-16BE bytes with a BOM. */
export function utf16be(text: string): Buffer {
  const le = Buffer.from(text, 'utf16le');
  return Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(le).swap16()]);
}

export const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** A context as ingest makes it under --strict: the file's sniff, and any skip fails the test. */
export async function strictContext(input: InputSource, name: string): Promise<AdapterContext> {
  return {
    skip: (line, message) => {
      throw new Error(`${name}:${line}: ${message}`);
    },
    sniff: await readSniff(input),
  };
}
