import { describe, expect, it } from 'vitest';
import { htmlEscape, markdownSafe, stringifyJson, terminalSafe } from '../../src/report/escape.js';

/** Any C0/C1 control or DEL except what the caller allows. */
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]/;

describe('terminalSafe', () => {
  it.each([
    ['OSC 8 hyperlink terminated by BEL', '\u001b]8;;http://evil\u0007click\u001b]8;;\u0007', 'click'],
    ['OSC terminated by ST', 'a\u001b]0;pwned title\u001b\\b', 'ab'],
    ['8-bit OSC terminated by 8-bit ST', 'a\u009d0;title\u009cb', 'ab'],
    ['DCS string', 'a\u001bPq#0;2;0;0;0\u001b\\b', 'ab'],
    ['APC string', 'a\u001b_payload\u0007b', 'ab'],
    ['clear screen', '\u001b[2J', ''],
    ['SGR colour around text', '\u001b[31;1mred\u001b[0m', 'red'],
    ['private-mode CSI (hide cursor)', 'x\u001b[?25ly', 'xy'],
    ['8-bit CSI', '\u009b31m', ''],
    ['charset designation', '\u001b(Bx', 'x'],
    ['two-byte ESC sequence (RIS)', 'a\u001bcb', 'ab'],
    ['carriage return', 'a\rb', 'a b'],
    ['CRLF', 'a\r\nb', 'a b'],
    ['newline and tab', 'a\nb\tc', 'a b c'],
    ['NEL and line separator', 'a\u0085b\u2028c', 'a b c'],
    ['NUL, BEL, backspace, DEL', 'a\u0000b\u0007c\u0008d\u007fe', 'abcde'],
    ['bidi override (Trojan Source)', 'file\u202eevil.exe', 'fileevil.exe'],
    ['bidi isolate', 'a\u2066b\u2069c', 'abc'],
  ])('%s', (_name, input, expected) => {
    expect(terminalSafe(input)).toBe(expected);
  });

  it('leaves printable text, including non-ASCII, unchanged', () => {
    const text = 'Zoë → 日本語 🔑 arn:aws:iam::123456789012:role/ci-deploy [x] | <b> & "q"';
    expect(terminalSafe(text)).toBe(text);
  });

  it('drops only the introducer of an unterminated OSC, so the rest stays visible instead of swallowing output', () => {
    expect(terminalSafe('ok \u001b]8;;http://evil')).toBe('ok 8;;http://evil');
  });

  it('leaves no control character for any input character', () => {
    let all = '';
    for (let code = 0; code < 0x3000; code += 1) all += String.fromCharCode(code);
    expect(terminalSafe(all)).not.toMatch(CONTROL_CHARS);
    expect(terminalSafe(`\u001b${all}\u009b${all}`)).not.toMatch(CONTROL_CHARS);
  });

  it('stays fast on many unterminated string sequences', () => {
    const hostile = `x${'\u001b]8;;'.repeat(50_000)}`;
    const started = performance.now();
    const result = terminalSafe(hostile);
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(result).not.toMatch(CONTROL_CHARS);
  });
});

describe('markdownSafe', () => {
  it.each([
    ['table pipe', 'a|b', 'a\\|b'],
    ['backslash', 'a\\b', 'a\\\\b'],
    ['backticks', '`code`', '\\`code\\`'],
    ['HTML tag', '<script>alert(1)</script>', '&lt;script&gt;alert\\(1\\)&lt;/script&gt;'],
    ['ampersand and an existing entity', 'a & &amp;', 'a &amp; &amp;amp;'],
    ['newlines', 'line1\nline2\r\nline3', 'line1 line2 line3'],
    ['link', '[click](http://evil)', '\\[click\\]\\(http\\://evil\\)'],
    ['image', '![x](http://evil/p.png)', '\\!\\[x\\]\\(http\\://evil/p.png\\)'],
    ['reference link', '[x][1] [1]: http://evil', '\\[x\\]\\[1\\] \\[1\\]: http\\://evil'],
    ['autolink in angle brackets', '<https://evil.example>', '&lt;https\\://evil.example&gt;'],
    ['bare URL autolink', 'see https://evil.example/x', 'see https\\://evil.example/x'],
    ['www autolink', 'go to www.evil.example or WWW.evil.example', 'go to www\\.evil.example or WWW\\.evil.example'],
    ['email autolink and mailto', 'mailto:a@evil.example', 'mailto:a\\@evil.example'],
    ['HTML image with handler', '<img src=x onerror=alert(1)>', '&lt;img src=x onerror=alert\\(1\\)&gt;'],
    ['math', '$x$ and $$y$$', '\\$x\\$ and \\$\\$y\\$\\$'],
    ['row break with a pipe and a newline', 'a | b\n| c | d |', 'a \\| b \\| c \\| d \\|'],
    // Zero-width characters are shown, not dropped: dropped, `rt\u200b-42` would read exactly like another id `rt-42`.
    ['bidi override dropped, zero-width characters shown', 'rt\u202e-42\u200b\u200d\u2060\ufeff', 'rt-42&lt;U+200B&gt;&lt;U+200D&gt;&lt;U+2060&gt;&lt;U+FEFF&gt;'],
    ['emphasis', '*a* _b_ ~c~', '\\*a\\* \\_b\\_ \\~c\\~'],
    ['terminal escapes', '\u001b]8;;http://evil\u0007click\u001b]8;;\u0007 \u001b[2J', 'click '],
  ])('%s', (_name, input, expected) => {
    expect(markdownSafe(input)).toBe(expected);
  });
});

describe('htmlEscape', () => {
  it.each([
    ['script tag', '<script>alert(1)</script>', '&lt;script&gt;alert(1)&lt;/script&gt;'],
    ['attribute breakout', `" onmouseover='x'`, '&quot; onmouseover=&#39;x&#39;'],
    ['ampersand', 'a&b &lt;', 'a&amp;b &amp;lt;'],
    ['control characters and escape sequences dropped, line breaks kept', 'a\u0000b\u001b[2Jc\u009b1md\u0007\nE\tF\r', 'abcd\nE F '],
    ['hidden OSC 8 hyperlink removed whole', '\u001b]8;;http://evil\u0007click\u001b]8;;\u0007', 'click'],
    ['bidi override dropped', 'a\u202eb', 'ab'],
    ['zero-width characters dropped', 'rt-4\u200b2\u200c\u200d\u2060\ufeff', 'rt-42'],
    ['image with an event handler', '<img src=x onerror=alert(1)>', '&lt;img src=x onerror=alert(1)&gt;'],
  ])('%s', (_name, input, expected) => {
    expect(htmlEscape(input)).toBe(expected);
  });
});

describe('stringifyJson', () => {
  const value = { text: 'a\u009b31m\u001b[2J\u2028b\u202ec\u007f', n: 1, list: ['x'] };

  it('writes no raw control, line-separator or bidi character', () => {
    expect(stringifyJson(value)).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/);
  });

  it('parses back to exactly the same value', () => {
    expect(JSON.parse(stringifyJson(value))).toEqual(value);
  });

  it('is two-space indented with a final newline', () => {
    expect(stringifyJson({ a: [1] })).toBe('{\n  "a": [\n    1\n  ]\n}\n');
  });
});

describe('terminalSafe and invisible characters (issue 15)', () => {
  it.each([
    ['zero-width space', 'svc\u200b-prod', 'svc<U+200B>-prod'],
    ['zero-width joiner and BOM', 'a\u200db\ufeffc', 'a<U+200D>b<U+FEFF>c'],
    ['soft hyphen', 'ad\u00admin', 'ad<U+00AD>min'],
  ])('%s is shown, not hidden', (_name, input, expected) => {
    expect(terminalSafe(input)).toBe(expected);
  });
});
