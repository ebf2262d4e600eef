import { InputError } from '../model/index.js';

/*
 * Whole documents (inventories, IAM dumps, RBAC YAML) are parsed by recursive
 * parsers; a hostile file nested 100,000 levels deep overflowed their stack
 * ("Maximum call stack size exceeded", issue 15). One linear pass refuses such
 * a file first, with a message that says what is wrong and where.
 */

/** Deeper than any provider export by far (IAM documents nest about ten levels). */
export const MAX_NESTING = 1000;

/**
 * Throws an InputError at the line where `[`/`{` nesting outside double-quoted
 * strings first goes deeper than MAX_NESTING. Counts flow brackets only, which
 * is what JSON and YAML flow style nest with; block YAML needs an indented
 * line per level, so its depth is bounded by the file size anyway.
 */
export function refuseDeepNesting(text: string, display: string): void {
  let depth = 0;
  forEachBracket(text, (code, line) => {
    if (code === 0x7b || code === 0x5b) {
      depth += 1;
      if (depth > MAX_NESTING) throw new InputError(`nested more than ${MAX_NESTING} levels deep; refused`, display, line);
    } else if (depth > 0) depth -= 1;
  });
}

/**
 * Calls `visit` with each `{`, `[`, `}` and `]` outside double-quoted strings
 * (backslash escapes honoured) and the 1-based line it is on: the one string-aware
 * walk that the nesting guard and the located-JSON reader share.
 */
export function forEachBracket(text: string, visit: (code: number, line: number) => void): void {
  let line = 1;
  let inString = false;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (code === 0x0a) line += 1;
    if (inString) {
      if (code === 0x5c) index += 1;
      else if (code === 0x22) inString = false;
    } else if (code === 0x22) inString = true;
    else if (code === 0x7b || code === 0x5b || code === 0x7d || code === 0x5d) visit(code, line);
  }
}
