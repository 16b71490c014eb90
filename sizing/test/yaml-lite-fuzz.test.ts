// sizing/yaml-lite.ts against the yaml library on thousands of generated documents built from the
// tokens where a hand-written YAML reader goes wrong: YAML 1.1 numbers (hex, octal, underscores,
// exponents, sexagesimal), 1.1 booleans, quotes, flow collections (`{a:1}` is a key "a:1"),
// comments, anchors, aliases, merge keys, tags, block and multi-line scalars, odd whitespace
// (tabs, CRLF, lone CR, NBSP, BOM). For each document the reader must either decline (null) or
// give exactly what the library path gives: the same values, source text and line:col of every
// node; and it must decline every document the library rejects.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readYamlLite } from '../yaml-lite.ts';
import { readYaml } from '../config-yaml.ts';
import type { Y } from '../types.ts';
// seeded, so that a failure names a document that fails again (the stand-in's PRNG, as sizing/test/fuzz.test.ts)
import { prng as rng } from '../../fixtures/hq-sim/seed.ts';

const plain = (y: Y): unknown =>
  y.kind === 'map' ? { where: y.where, map: [...y.entries].map(([k, v]) => [k, plain(v)]) } : y.kind === 'seq' ? { where: y.where, seq: y.items.map(plain) } : { ...y, value: Object.is(y.value, -0) ? '-0' : y.value };

/** What the library path makes of a text: the tree, or the error it reports. */
function viaLibrary(text: string): { tree?: unknown; error?: string } {
  try {
    return { tree: plain(readYaml(text, 'f.yml')) };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

/** Checks one document; returns true when yaml-lite read it (rather than declining). */
function check(text: string): boolean {
  const lite = readYamlLite(text, 'f.yml');
  if (lite === null) return false;
  const lib = viaLibrary(text);
  assert.is(lib.error, undefined, `yaml-lite read a document the library rejects: ${JSON.stringify(text)}`);
  assert.equal(plain(lite), lib.tree, `yaml-lite read differently: ${JSON.stringify(text)}`);
  return true;
}

// tokens a config is written with, and tokens that trip a reader (most documents mix in a few)
const PLAIN_SCALARS = [
  '1', '-2', '+3', '0', '1.5', '.5', '-.5', '1.', 'true', 'false', 'null', '~', '2TB', '0.5GB', 'abc', 'a b', 'a#b', 'x]', 'x,y', 'http://x', '-1', 'é',
  "'it''s'", "''", '""', '"x y"', "'a: b'", "'a #b'", '[]', '{}', '[1, 2]', '[a, b]', "['20180901', 5]", '[1, [2, 3]]', '{a: 1}', '{"a": 1}', "{'a': 1}",
  '{a: 1, a: 2}', '[ ]', '{ }', '["x", \'y\']', '{a: [1, {b: 2}]}', '[-1, 2.5]', '{k: v, n: 2}',
];
const TRICKY_SCALARS = [
  '-0', '00', '09', '010', '0o7', '0x1F', '0xFF', '0xff', '0b101', '0B1', '1_000', '1e3', '1.0e+3', '1E', '.inf', '-.Inf', '.NaN', 'True', 'TRUE', 'tRue',
  'yes', 'No', 'on', 'OFF', 'y', 'n', 'Null', '10 GB', '2020-01-01', '20200101', '12:30', '1:30:00', '"a\\n"', '"tab\there"', 'a #b', 'a:b', 'a:', 'x}',
  '*x', '&x y', '!!str 1', '!t x', '|', '>', '@x', '`x', '%x', '?x', '? x', '-', '- a', '-a', "'-'", '[', ']', '{', '}', ',', 'a\tb', '[a: 1]',
  '[a:, b]', '[a:]', '{a:1}', '{a: b:c}', '{"a":1}', '{a}', '{a: }', '[1, 2,]', '[a #c]', '[a#c]', '[-1, -a]', '{k: x]}', '[x}]',
];
const SCALARS = [...PLAIN_SCALARS, ...TRICKY_SCALARS];
const PLAIN_KEYS = ['a', 'b', 'k', 'key two', "'q k'", '"dq"', '1', '1.5', 'true', 'é', '_x', 'a#b'];
const TRICKY_KEYS = ['0xA', 'yes', 'y', '~', 'null', 'a:b', '<<', '-x', '?x', '"a: b"', '2020-01-01'];
const KEYS = [...PLAIN_KEYS, ...TRICKY_KEYS];
const COMMENTS = ['', '', '', '', '', '', ' # c', '  #c', ' #', '\t# c', '#c'];
const ENDS = ['\n', '\n', '\n', '\r\n', ' \n', '\t\n', '\r'];

function doc(r: () => number): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const scalar = () => pick(r() < 0.08 ? TRICKY_SCALARS : PLAIN_SCALARS);
  const key = () => pick(r() < 0.05 ? TRICKY_KEYS : PLAIN_KEYS);
  const lines: string[] = [];
  const end = () => (r() < 0.97 ? '\n' : pick(ENDS));
  const anchor = () => (r() < 0.04 ? '&x ' : '');
  const emit = (depth: number, indent: number): void => {
    const pad = ' '.repeat(indent);
    const n = 1 + Math.floor(r() * 3);
    const asSeq = r() < 0.3;
    for (let i = 0; i < n; i++) {
      if (r() < 0.05) lines.push(`${' '.repeat(Math.floor(r() * 6))}# note${end()}`);
      if (r() < 0.03) lines.push(end());
      const head = asSeq ? `${pad}-${r() < 0.9 ? ' ' : '  '}` : `${pad}${key()}${r() < 0.9 ? ':' : ' :'}${r() < 0.9 ? ' ' : '  '}`;
      const roll = r();
      if (depth < 3 && roll < 0.3) {
        // a nested block: under the key (a list may sit at the key's column), or after `- `
        if (asSeq && r() < 0.5) {
          lines.push(`${pad}- ${key()}: ${anchor()}${scalar()}${pick(COMMENTS)}${end()}`);
          emit(depth + 1, indent + 2);
        } else {
          lines.push(`${head.trimEnd()}${pick(COMMENTS)}${end()}`);
          emit(depth + 1, indent + (r() < 0.15 && !asSeq ? 0 : 2 + Math.floor(r() * 2)));
        }
      } else if (roll < 0.34) {
        lines.push(`${head}*x${end()}`);
      } else if (roll < 0.37) {
        lines.push(`${pad}<<: ${r() < 0.5 ? '*x' : '{m: 1}'}${end()}`);
      } else if (roll < 0.40) {
        lines.push(`${head}${pick(['|', '>-', '"multi', "'multi", '[1,', '{a: 1,', 'plain'])}${end()}${pad}  ${pick(['line', '2]', 'b: 2}', "x'", 'x"'])}${end()}`);
      } else if (roll < 0.42) {
        lines.push(`${head.trimEnd()}${end()}`); // an empty value
      } else {
        lines.push(`${head}${anchor()}${scalar()}${pick(COMMENTS)}${end()}`);
      }
    }
  };
  if (r() < 0.05) lines.push(pick(['---\n', '%YAML 1.1\n---\n', '\ufeff', '# head\n']));
  emit(0, r() < 0.95 ? 0 : 1);
  if (r() < 0.03) lines.push(pick(['...\n', '---\nb: 1\n', '  x\n']));
  return lines.join('');
}

test('generated documents: yaml-lite declines or reads exactly as the library does', () => {
  const r = rng(9);
  let read = 0;
  const N = 6000;
  for (let i = 0; i < N; i++) if (check(doc(r))) read++;
  // the generator must exercise the reader, not only its refusals
  assert.ok(read > N / 10, `yaml-lite read only ${read} of ${N} generated documents`);
});

test('every single scalar, as a value, a flow item and a key', () => {
  for (const s of SCALARS) {
    check(`a: ${s}\n`);
    check(`a: ${s} # c\n`);
    check(`- ${s}\n`);
    check(`a: [${s}]\n`);
    check(`a: [${s}, 1]\n`);
    check(`a: {k: ${s}}\n`);
    check(`a: {${s}: 1}\n`);
    check(`${s}: 1\n`);
  }
  for (const k of KEYS) {
    check(`${k}: 1\n`);
    check(`a:\n  ${k}: 1\n`);
    check(`- ${k}: 1\n  b: 2\n`);
  }
});

test('the cases a reader of plain YAML gets wrong, each read as the library reads it or declined', () => {
  const cases = [
    'a: 0xFF\n', '0xA: 1\n', 'a: {b:1}\n', 'a: [b:]\n', 'a: [b:, c]\n', // YAML 1.1 hex; `:` without a space in flow
    'base: &b {x: 1, y: 2}\nuse:\n  <<: *b\n  y: 3\n', // anchors and merge keys (the library reads them)
    "q: 'it''s # not a comment'\nd: \"a 'b' c\"\n", // quotes
    'f: [1, [2, {k: v}], "s, t"]\n', // nested flow
    'a: 1 # one\n# whole line\n  # indented comment\nb: 2\n', // comments
    'a: first\n  second\n', 'a: [1,\n  2]\n', 'a: "x\n  y"\n', 'a: >\n  folded\n', // multi-line
    'a: b\u00a0\n', '\u00a0a: 1\n', 'a: x\ry: 1\n', '\ufeffa: 1\n', // NBSP, lone CR, BOM
  ];
  for (const c of cases) check(c);
});

test.run();
