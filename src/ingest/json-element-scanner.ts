import { InputError } from '../model/index.js';
import { MAX_LINE_CHARS, recordBoundText } from './source.js';

/*
 * The byte-level splitter behind jsonRecords: it tracks only string/escape
 * state and nesting depth, so only the current element is held in memory.
 */

/** Keys longer than this cannot be a wrapper key, so they are not collected in full. */
const MAX_KEY_CHARS = 256;

const LF = 0x0a;
const CR = 0x0d;
const TAB = 0x09;
const SPACE = 0x20;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
export const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
export const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

const isSpace = (c: number): boolean => c === SPACE || c === LF || c === CR || c === TAB;

export interface RawElement {
  readonly text: string;
  readonly line: number;
  readonly index: number;
}

type CaptureKind = 'container' | 'string' | 'literal';

/**
 * Splits the elements of a top-level array (`array`) or of the array under
 * `wrapperKey` in top-level objects (`wrapped`). It validates only structure
 * it needs (balanced nesting, nothing outside the top-level values); each
 * element is validated by JSON.parse afterwards.
 */
export class ElementScanner {
  line = 1;
  /** True once the scanner has been inside the records array: what layout probing asks. */
  entered = false;
  private depth = 0;
  private inString = false;
  private escape = false;
  /** Depth at which elements sit while inside the records array; 0 outside it. */
  private elementDepth = 0;
  private index = 0;
  // The element being captured.
  private capture: CaptureKind | undefined;
  private parts: string[] = [];
  private partsLength = 0;
  private startLine = 0;
  // Key tracking in a wrapper object (depth 1).
  private expectKey = false;
  private afterColon = false;
  private key: string | undefined;
  private lastKey: string | undefined;

  constructor(
    private readonly mode: 'array' | 'wrapped',
    private readonly wrapperKey: string | undefined,
    private readonly display: string,
    /** Stop as soon as the records array is entered (layout probing). */
    private readonly probe: boolean,
    /** The longest element held; longer is refused (scan --max-record-mb). */
    private readonly maxChars: number = MAX_LINE_CHARS,
  ) {}

  feed(chunk: string): RawElement[] {
    const out: RawElement[] = [];
    let captureStart = 0;
    const finish = (end: number): void => {
      this.parts.push(chunk.slice(captureStart, end));
      const text = this.parts.length === 1 ? (this.parts[0] ?? '') : this.parts.join('');
      out.push({ text, line: this.startLine, index: this.index });
      this.index += 1;
      this.parts = [];
      this.partsLength = 0;
      this.capture = undefined;
    };
    const begin = (kind: CaptureKind, at: number): void => {
      this.capture = kind;
      this.startLine = this.line;
      captureStart = at;
    };

    const length = chunk.length;
    for (let i = 0; i < length; i += 1) {
      const c = chunk.charCodeAt(i);
      if (c === LF) this.line += 1;
      if (this.inString) {
        if (this.escape) {
          this.escape = false;
          if (this.key !== undefined && this.key.length <= MAX_KEY_CHARS) this.key += chunk[i] ?? '';
        } else if (c === BACKSLASH) {
          this.escape = true;
          if (this.key !== undefined && this.key.length <= MAX_KEY_CHARS) this.key += '\\';
        } else if (c === QUOTE) {
          this.inString = false;
          if (this.capture === 'string' && this.depth === this.elementDepth) finish(i + 1);
          if (this.key !== undefined) {
            this.lastKey = this.key;
            this.key = undefined;
          }
        } else if (this.key !== undefined && this.key.length <= MAX_KEY_CHARS) {
          this.key += chunk[i] ?? '';
        }
        continue;
      }
      if (this.capture === 'literal' && (isSpace(c) || c === COMMA || c === CLOSE_BRACKET || c === CLOSE_BRACE)) {
        finish(i);
      }
      switch (c) {
        case QUOTE:
          this.inString = true;
          if (this.capture === undefined && this.elementDepth > 0 && this.depth === this.elementDepth) {
            begin('string', i);
          } else if (this.mode === 'wrapped' && this.depth === 1 && this.expectKey) {
            this.key = '';
          }
          break;
        case OPEN_BRACE:
        case OPEN_BRACKET:
          if (this.capture === undefined && this.elementDepth > 0 && this.depth === this.elementDepth) {
            begin('container', i);
          } else if (this.depth === 0) {
            this.openTopLevel(c);
          } else if (this.mode === 'wrapped' && this.depth === 1 && this.elementDepth === 0) {
            if (this.afterColon && c === OPEN_BRACKET && this.lastKey === this.wrapperKey) {
              this.elementDepth = 2;
              this.entered = true;
            }
            this.afterColon = false;
          }
          this.depth += 1;
          if (this.probe && this.entered) return out;
          break;
        case CLOSE_BRACE:
        case CLOSE_BRACKET:
          if (this.depth === 0) {
            throw new InputError('unexpected closing bracket outside the JSON value', this.display, this.line);
          }
          this.depth -= 1;
          if (this.capture === 'container' && this.depth === this.elementDepth) {
            finish(i + 1);
          } else if (this.elementDepth > 0 && this.depth === this.elementDepth - 1) {
            // The records array itself closed.
            this.elementDepth = 0;
          }
          break;
        case COMMA:
          if (this.mode === 'wrapped' && this.depth === 1) {
            this.expectKey = true;
            this.afterColon = false;
          }
          break;
        case COLON:
          if (this.mode === 'wrapped' && this.depth === 1) {
            this.afterColon = true;
            this.expectKey = false;
          }
          break;
        default:
          if (isSpace(c)) break;
          if (this.capture === undefined && this.elementDepth > 0 && this.depth === this.elementDepth) {
            begin('literal', i);
          } else if (this.depth === 0) {
            throw new InputError('unexpected text outside the JSON value', this.display, this.line);
          } else if (this.mode === 'wrapped' && this.depth === 1) {
            // A scalar value of another key in the wrapper.
            this.afterColon = false;
          }
      }
    }
    if (this.capture !== undefined) {
      const rest = captureStart === 0 ? chunk : chunk.slice(captureStart);
      this.parts.push(rest);
      this.partsLength += rest.length;
      if (this.partsLength > this.maxChars) {
        throw new InputError(`a JSON element is longer than ${recordBoundText(this.maxChars)}; refused`, this.display, this.startLine);
      }
    }
    return out;
  }

  /** Call at end of input: an unfinished value means the file was cut off. */
  end(): void {
    if (this.inString || this.depth > 0 || this.capture !== undefined) {
      const line = this.capture === undefined ? this.line : this.startLine;
      throw new InputError('file ends inside a JSON value (truncated?)', this.display, line);
    }
  }

  private openTopLevel(c: number): void {
    if (this.mode === 'array') {
      if (c !== OPEN_BRACKET) throw new InputError('expected a JSON array', this.display, this.line);
      this.elementDepth = 1;
      this.entered = true;
      return;
    }
    if (c !== OPEN_BRACE) throw new InputError('expected a JSON object', this.display, this.line);
    this.expectKey = true;
    this.afterColon = false;
    this.lastKey = undefined;
  }
}
