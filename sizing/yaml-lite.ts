// A fast reader for the plain YAML that resource-model configs are written in: block mappings and
// lists, one-line flow lists and mappings, plain and quoted scalars, comments. The `yaml` library
// is exact but slow to start (its YAML 1.1 schema tests every scalar against a dozen patterns):
// on a typical config it cost more than the whole model. This reader answers only when it is sure
// it reads a text exactly as the library does (the test compares both on every reference config);
// on anything else — anchors, aliases, tags, block scalars, multi-line scalars, dates, exponents,
// YAML 1.1 booleans, empty values — it returns null and sizing/config.ts uses the library.
import type { Y } from './types.ts';

interface Line {
  /** column of the first character of `text` */
  indent: number;
  text: string;
  /** offset of `text` in the whole document */
  offset: number;
  /** the line's `key:` once read (null: not a key line): a mapping's first line is asked up to three times */
  key?: { key: string; valueAt: number } | null;
}

/** Thrown inside the reader when the text needs the full YAML library. */
class NotLite extends Error {}
const notLite = (why = 'unsupported'): never => {
  throw new NotLite(why);
};

// YAML 1.1 words the library turns into booleans or null: the common spellings are read here,
// the rest (yes/no/on/off/y/n, odd cases) left to it
// (no prototype: a scalar spelled `constructor` or `toString` is a string, not Object's method)
const WORDS: Record<string, boolean | null> = { __proto__: null, true: true, True: true, TRUE: true, false: false, False: false, FALSE: false, null: null, Null: null, NULL: null, '~': null } as Record<string, boolean | null>;
const SPECIAL = /^(y|yes|n|no|true|false|on|off|null|~)$/i;

/** A plain scalar's value exactly as the yaml library (YAML 1.1) gives it, or NotLite. */
function plainValue(s: string): string | number | boolean | null {
  if (s in WORDS) return WORDS[s]!;
  if (/^[-+]?(0|[1-9][0-9]*)$/.test(s)) return Number(s);
  if (/^[-+]?([0-9]+\.[0-9]*|\.[0-9]+)$/.test(s)) return Number(s);
  // starting with a letter, YAML 1.1 has no other type for it (dates and numbers start with a digit)
  if (/^[A-Za-z_][^\t]*$/.test(s) && !SPECIAL.test(s) && !s.includes(': ') && !s.includes(' #')) return s;
  // sizes such as 2TB, 0.5GB (but 0xFF is a YAML 1.1 hex integer)
  if (/^[0-9]+(\.[0-9]+)?[A-Za-z]+$/.test(s) && !/^0[xX]/.test(s)) return s;
  return notLite();
}

/**
 * Trailing YAML blanks (spaces and tabs) removed. JavaScript's trimEnd takes other characters too,
 * but none of them reaches here: line breaks split the lines, and the Unicode blanks make
 * readYamlLite decline the whole text first (so no regular expression is run per line).
 */
const trimEnd = (s: string): string => s.trimEnd();

/** A quoted scalar on one line, starting at text[i]; returns the value and the index after it. */
function quoted(text: string, i: number): { value: string; end: number } {
  const q = text[i]!;
  let j = i + 1;
  let value = '';
  for (;;) {
    if (j >= text.length) return notLite();
    const ch = text[j]!;
    if (q === '"' && ch === '\\') return notLite();
    if (ch === q) {
      if (q === "'" && text[j + 1] === "'") {
        value += "'";
        j += 2;
        continue;
      }
      return { value, end: j + 1 };
    }
    value += ch;
    j++;
  }
}

/** Reads the document; null when it uses anything this reader leaves to the yaml library. */
export function readYamlLite(text: string, file: string): Y | null {
  const lineStarts: number[] = [];
  const lines: Line[] = [];
  let off = 0;
  // a byte-order mark, a lone CR, YAML 1.1's other line breaks, and the characters JavaScript's
  // trim takes for blanks but YAML does not (no-break and other Unicode spaces): the library's
  if (/[\v\f\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]|\r(?!\n)/.test(text)) return null;
  for (const raw of text.split('\n')) {
    lineStarts.push(off);
    const body = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const trimmed = body.trimStart();
    const indent = body.length - trimmed.length;
    if (/\t/.test(body.slice(0, indent + 1))) return null;
    if (trimmed !== '' && !trimmed.startsWith('#')) {
      if (indent === 0 && /^(---|\.\.\.|%)/.test(trimmed)) return null;
      lines.push({ indent, text: trimEnd(trimmed), offset: off + indent });
    }
    off += raw.length + 1;
  }
  const where = (offset: number): string => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return `${file}:${lo + 1}:${offset - lineStarts[lo]! + 1}`;
  };

  // a scalar or flow collection filling the rest of a line (text from `i`), comments allowed after it
  const inlineValue = (line: Line, i: number): Y => {
    const t = line.text;
    if (t[i] === '[' || t[i] === '{') {
      const r = flow(t, i, line.offset);
      const rest = t.slice(r.end);
      if (rest.trim() !== '' && !/^[ \t]+#/.test(rest)) return notLite();
      return r.y;
    }
    if (t[i] === "'" || t[i] === '"') {
      const q = quoted(t, i);
      const rest = t.slice(q.end);
      if (rest.trim() !== '' && !/^\s+#/.test(rest)) return notLite();
      return { kind: 'scalar', value: q.value, src: t.slice(i, q.end), where: where(line.offset + i) };
    }
    if (/^[&*!|>@`%?]/.test(t[i]!)) return notLite();
    const hash = t.indexOf(' #', i);
    const src = trimEnd(hash >= 0 ? t.slice(i, hash) : t.slice(i));
    if (src.includes(': ') || src.endsWith(':') || src.includes('#')) return notLite();
    return { kind: 'scalar', value: plainValue(src), src, where: where(line.offset + i) };
  };

  // a one-line flow collection starting at t[i] ('[' or '{')
  const flow = (t: string, i: number, base: number): { y: Y; end: number } => {
    const open = t[i]!;
    const close = open === '[' ? ']' : '}';
    const start = i;
    i++;
    const items: Y[] = [];
    const entries = new Map<string, Y>();
    const skip = () => {
      while (t[i] === ' ') i++;
    };
    const scalar = (stops: string): Y => {
      skip();
      if (t[i] === '[' || t[i] === '{') {
        const r = flow(t, i, base);
        i = r.end;
        return r.y;
      }
      if (t[i] === "'" || t[i] === '"') {
        const q = quoted(t, i);
        const y: Y = { kind: 'scalar', value: q.value, src: t.slice(i, q.end), where: where(base + i) };
        i = q.end;
        return y;
      }
      const s = i;
      while (i < t.length && !stops.includes(t[i]!)) i++;
      const src = trimEnd(t.slice(s, i));
      if (src === '' || /^[&*!|>@`%?#-]/.test(src) && !/^-[0-9.]/.test(src)) return notLite();
      // in a flow collection `a:1` is one scalar, `[a:]` a mapping, `{k: x]}` an error: any colon or
      // bracket is the library's call
      if (/[:[\]{}]/.test(src)) return notLite();
      return { kind: 'scalar', value: plainValue(src), src, where: where(base + s) };
    };
    skip();
    if (t[i] === close) return { y: open === '[' ? { kind: 'seq', items, where: where(base + start) } : { kind: 'map', entries, where: where(base + start) }, end: i + 1 };
    for (;;) {
      if (open === '[') items.push(scalar(',]'));
      else {
        const k = scalar(':,}');
        // only `key: value` (a plain key's colon followed by a space) is read here
        if (k.kind !== 'scalar' || t[i] !== ':' || t[i + 1] !== ' ') return notLite();
        i++;
        entries.set(String(k.value), scalar(',}'));
      }
      skip();
      if (t[i] === ',') {
        i++;
        skip();
        if (t[i] === close) return notLite(); // trailing comma: leave it to the library
        continue;
      }
      if (t[i] === close) break;
      return notLite();
    }
    const y: Y = open === '[' ? { kind: 'seq', items, where: where(base + start) } : { kind: 'map', entries, where: where(base + start) };
    return { y, end: i + 1 };
  };

  let at = 0;
  // `key:` or `key: value` at the start of a line: the key and where its value starts (-1: none)
  const keyOf = (line: Line): { key: string; valueAt: number } | null => (line.key !== undefined ? line.key : (line.key = readKey(line)));
  const readKey = (line: Line): { key: string; valueAt: number } | null => {
    const t = line.text;
    let key: string;
    let i: number;
    if (t[0] === "'" || t[0] === '"') {
      const q = quoted(t, 0);
      key = q.value;
      i = q.end;
      // `'k':v` and `'k':#c` are the library's to judge
      if (t[i] !== ':' || (i + 1 < t.length && t[i + 1] !== ' ' && t[i + 1] !== '\t')) return null;
    } else {
      const m = /^([^\s:#'"[\]{},&*!|>?%@`-][^:#]*?)\s*:(\s|$)/.exec(t);
      if (!m) return null;
      key = String(plainValue(m[1]!));
      i = m[1]!.length + (t.slice(m[1]!.length).indexOf(':'));
    }
    if (key === '<<') return notLite();
    const rest = t.slice(i + 1);
    const ws = rest.length - rest.trimStart().length;
    if (rest.trim() === '' || rest.trimStart().startsWith('#')) return { key, valueAt: -1 };
    return { key, valueAt: i + 1 + ws };
  };
  const isItem = (line: Line) => line.text === '-' || line.text.startsWith('- ');

  const block = (indent: number): Y => {
    const line = lines[at]!;
    if (line.indent !== indent) return notLite();
    if (isItem(line)) return seq(indent);
    if (keyOf(line)) return mapping(indent);
    return notLite(); // a bare or multi-line scalar
  };

  // the value of `key:` with nothing after it: a nested block (a list may sit at the key's own indent)
  const nested = (indent: number): Y => {
    const next = lines[at];
    if (!next) return notLite();
    if (next.indent > indent) return block(next.indent);
    if (next.indent === indent && isItem(next)) return seq(indent);
    return notLite(); // an empty value
  };

  const mapping = (indent: number): Y => {
    const entries = new Map<string, Y>();
    const first = lines[at]!;
    while (at < lines.length && lines[at]!.indent === indent && !isItem(lines[at]!)) {
      const line = lines[at]!;
      const k = keyOf(line);
      if (!k) return notLite();
      at++;
      entries.set(k.key, k.valueAt < 0 ? nested(indent) : inlineValue(line, k.valueAt));
    }
    if (at < lines.length && lines[at]!.indent > indent) return notLite();
    return { kind: 'map', entries, where: where(first.offset) };
  };

  const seq = (indent: number): Y => {
    const items: Y[] = [];
    const first = lines[at]!;
    while (at < lines.length && lines[at]!.indent === indent && isItem(lines[at]!)) {
      const line = lines[at]!;
      if (line.text === '-') {
        at++;
        const next = lines[at];
        if (!next || next.indent <= indent) return notLite();
        items.push(block(next.indent));
        continue;
      }
      const rest = line.text.slice(1);
      const ws = rest.length - rest.trimStart().length;
      const inner: Line = { indent: indent + 1 + ws, text: rest.trimStart(), offset: line.offset + 1 + ws };
      if (inner.text.startsWith('#')) return notLite();
      if (keyOf(inner) || isItem(inner)) {
        // `- key: value` opens a mapping (or `- - x` a list) at the column of its first key
        lines[at] = inner;
        items.push(block(inner.indent));
      } else {
        at++;
        items.push(inlineValue(inner, 0));
      }
    }
    if (at < lines.length && lines[at]!.indent > indent) return notLite();
    return { kind: 'seq', items, where: where(first.offset) };
  };

  try {
    if (lines.length === 0) return null;
    const root = block(lines[0]!.indent);
    if (at !== lines.length) notLite('text after the document');
    return root;
  } catch (e) {
    if (!(e instanceof NotLite)) throw e;
    declined = `${e.message} near ${lines[at] ? where(lines[at]!.offset) : 'the end'}`;
    return null;
  }
}

let declined = '';

/** Why the last readYamlLite call returned null (for tests and debugging). */
export function yamlLiteDeclined(): string {
  return declined;
}
