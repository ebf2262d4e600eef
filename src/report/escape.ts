/*
 * Escaping for attacker-controlled strings (DESIGN.md §8). Log fields such as
 * user agents, resource names and identity ids reach every output format, so
 * each format has one function here and every reporter goes through it.
 */

/**
 * Escape sequences a terminal would act on, longest forms first so that an
 * OSC is not half-eaten as a two-byte ESC sequence:
 * - string sequences (OSC, DCS, SOS, PM, APC; 7- or 8-bit introducer) up to
 *   BEL or ST. The body may not contain ESC, BEL, ST or another 8-bit
 *   introducer, so each attempt stops at the next one and the scan stays
 *   linear on hostile input (a run of U+009D was quadratic); an unterminated one loses only its two-byte
 *   introducer (third alternative) and the rest stays visible as plain text.
 * - CSI (`ESC [` or 8-bit 0x9B): parameters, intermediates, one final byte.
 * - any other ESC sequence: intermediates and one final byte.
 */
const ESCAPE_SEQUENCE =
  /(?:\u001b[\]PX^_]|[\u0090\u0098\u009d\u009e\u009f])[^\u0007\u001b\u0090\u0098\u009c-\u009f]*(?:\u0007|\u001b\\|\u009c)|(?:\u001b\[|\u009b)[\u0030-\u003f]*[\u0020-\u002f]*[\u0040-\u007e]|\u001b[\u0020-\u002f]*[\u0030-\u007e]/g;

/** Line and tab breaks become one space so a value cannot forge extra output lines. */
const LINE_BREAK = /\r\n|[\t\n\v\f\r\u0085\u2028\u2029]/g;

/**
 * Every remaining C0 and C1 control and DEL, plus the bidi embedding, override
 * and isolate controls, which reorder what is displayed ("Trojan Source").
 * Invisible format characters are not dropped but shown (see INVISIBLE).
 */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/**
 * The most characters (code points) of one value a terminal or Markdown output
 * shows; the rest is replaced by a count. Log fields are attacker-sized: a
 * 200 kB "user agent" must not turn the report into megabytes of wrapped
 * lines. JSON and SARIF keep the full text.
 */
export const MAX_DISPLAY_CHARS = 4096;

/**
 * Makes a string safe to print on a terminal: removes ANSI/VT escape sequences
 * and control characters, and turns line breaks and tabs into spaces.
 * Printable text, including non-ASCII, is kept as it is, up to
 * MAX_DISPLAY_CHARS code points (see boundLength).
 */
export function terminalSafe(text: string): string {
  return terminalSafeWithin(text, MAX_DISPLAY_CHARS);
}

/** terminalSafe with its own bound, for narrow places such as a table cell. One argument on purpose in terminalSafe: it is passed to map(). */
export function terminalSafeWithin(text: string, maxChars: number): string {
  return boundLength(
    text
      .replace(ESCAPE_SEQUENCE, '')
      .replace(LINE_BREAK, ' ')
      .replace(CONTROL, '')
      .replace(INVISIBLE, (char) => `<U+${char.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}>`),
    maxChars,
  );
}

/**
 * Zero-width and other invisible format characters. Dropping them would make
 * `svc\u200b-prod` print exactly like `svc-prod`, a different identity, so
 * they are shown as `<U+200B>` instead.
 */
const INVISIBLE = /[\u00ad\u061c\u180e\u200b-\u200f\u2060-\u2064\ufeff]/g;

/**
 * The first `maxChars` code points of `text`, then `… (N characters)` giving
 * the full length, so a cut value never looks complete. Linear in the input.
 */
export function boundLength(text: string, maxChars: number): string {
  // A string of at most maxChars UTF-16 units has at most that many code points.
  if (text.length <= maxChars) return text;
  let points = 0;
  let cutAt = -1;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (code >= 0xd800 && code <= 0xdbff && index + 1 < text.length) {
      const next = text.charCodeAt(index + 1);
      if (next >= 0xdc00 && next <= 0xdfff) index += 1;
    }
    points += 1;
    if (points === maxChars) cutAt = index + 1;
  }
  if (points <= maxChars) return text;
  return `${text.slice(0, cutAt)}… (${points} characters)`;
}

/**
 * Characters with a meaning in GitHub-flavoured Markdown, escaped with a
 * backslash (CommonMark renders `\x` as `x` for any ASCII punctuation):
 * links and images (`[ ] ( ) !`), emphasis and strike-through (`* _ ~`), code
 * (backtick), table cells (`|`), math (`$`), HTML-ish braces (`{ }`), `@`, which
 * the autolink extension needs for `user@host` and `mailto:`, and the `:` of
 * `://` for `https://…` (escaped, they land in separate text nodes the linker
 * does not join).
 * `< > &` become entities so no tag or entity can be formed.
 */
const MARKDOWN_SPECIAL = /[\\`*_~[\]()!|$@{}]|:(?=\/)/g;
const MARKDOWN_ENTITY: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

/**
 * Makes a string safe as inline Markdown text, including inside a table cell:
 * terminal-safe first (so `cat report.md` is safe too, and no line break can
 * end a table row or start a block), then Markdown syntax escaped with
 * backslashes and HTML-significant characters as entities. `www.` loses its
 * autolink by an escaped dot.
 */
export function markdownSafe(text: string): string {
  return terminalSafe(text)
    .replace(/[&<>]/g, (char) => MARKDOWN_ENTITY[char] ?? char)
    .replace(MARKDOWN_SPECIAL, (char) => `\\${char}`)
    .replace(/(www)\./gi, '$1\\.');
}

const HTML_SPECIAL: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * Escapes text for HTML element content and quoted attribute values. Terminal
 * escape sequences are removed whole (as for the terminal, so no `]8;;http…`
 * residue of a hidden hyperlink is left); other control
 * characters than tab, LF and CR are dropped: they are not allowed in
 * HTML documents, bidi controls would reorder what the auditor reads, and
 * zero-width characters would make two different ids look alike.
 */
export function htmlEscape(text: string): string {
  return text
    .replace(ESCAPE_SEQUENCE, '')
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g, '')
    // Tabs and carriage returns from input carry nothing an auditor needs and would reach the page raw.
    .replace(/[\t\r\u2028\u2029]/g, ' ')
    .replace(/[&<>"']/g, (char) => HTML_SPECIAL[char] ?? char);
}

/**
 * JSON.stringify already writes C0 controls as `\u00XX`; this also escapes DEL,
 * C1 controls (some terminals obey UTF-8 encoded C1, e.g. U+009B as CSI), the
 * JS line separators and bidi controls, so a JSON/SARIF report is safe to
 * `cat` while still parsing back to exactly the same strings. These characters
 * can only occur inside JSON strings, so replacing them cannot break the syntax.
 */
export function stringifyJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2).replace(
    /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  )}\n`;
}
