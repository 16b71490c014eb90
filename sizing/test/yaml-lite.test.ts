// sizing/yaml-lite.ts must read a config exactly as the yaml library does (values, source text and
// line:col of every node) or decline: checked on every reference config, the embedded example and
// hand-written edge cases.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readYamlLite, yamlLiteDeclined } from '../yaml-lite.ts';
import { readYaml } from '../config-yaml.ts';
import { EXAMPLE_CONFIG } from '../index.ts';
import { REFERENCE_DIR, referenceConfigs } from './golden.ts';
import type { Y } from '../types.ts';

const plain = (y: Y): unknown =>
  y.kind === 'map' ? { where: y.where, map: [...y.entries].map(([k, v]) => [k, plain(v)]) } : y.kind === 'seq' ? { where: y.where, seq: y.items.map(plain) } : y;

function same(text: string, name: string): void {
  const lite = readYamlLite(text, name);
  assert.ok(lite, `${name}: yaml-lite declined a plain config: ${yamlLiteDeclined()}`);
  assert.equal(plain(lite!), plain(readYaml(text, name)), name);
}

test('every reference config and the embedded example: read exactly as the yaml library reads them', () => {
  const names = referenceConfigs();
  assert.ok(names.length >= 28, `only ${names.length} reference configs`);
  for (const n of names) same(readFileSync(join(REFERENCE_DIR, n, 'config.yml'), 'utf8'), `${n}/config.yml`);
  same(readFileSync(EXAMPLE_CONFIG, 'utf8'), 'example.yml');
});

test('plain shapes: compact lists, flow lists and maps, quotes, comments, sizes, CRLF', () => {
  same("a: 1\nb: -2.5 # c\nc: 'it''s'\nd: \"x y\"\ne:\n- 1\n- [a, 'b', 3.0]\nf: {xa: 1, yb: [1, 2]}\ng:\n  - name: nm\n    v: 2TB\n  - k: .5\n", 't1');
  same('top:\r\n  k: v\r\n  l: [1,2]\r\n', 't2');
  same('list:\n  -\n    a: 1\n  - - 1\n    - 2\n', 't3');
});

test('anything else is left to the library (null), never read differently', () => {
  const declined = [
    'a: &x 1\nb: *x\n', // anchors, aliases
    'a: !!str 1\n', // tags
    'a: |\n  text\n', // block scalars
    'a: yes\n', 'a: No\n', 'a: y\n', 'a: Off\n', 'a: tRue\n', // YAML 1.1 booleans beyond true/false
    'a: 2020-01-01\n', 'a: 1e5\n', 'a: 0x1F\n', 'a: 010\n', 'a: 1_000\n', 'a: 1:30\n', 'a: .inf\n', // dates, exponents, bases, sexagesimal
    'a:\nb: 1\n', // empty value
    'a: multi\n  line\n', // multi-line plain scalar
    'a: "esc\\n"\n', // escapes
    '<<: {a: 1}\n', // merge key
    '---\na: 1\n', // document marker
    'a: [1, 2,]\n', 'a: [1,\n 2]\n', // trailing comma, multi-line flow
    '- a\nb: 1\n', // mixed
    '\ta: 1\n',
  ];
  for (const text of declined) assert.is(readYamlLite(text, 'x.yml'), null, JSON.stringify(text));
});

test("scalars spelled like Object's own properties (constructor, toString, __proto__) are strings, as the library reads them", () => {
  same('a: constructor\nb: toString\nc: __proto__\nd: hasOwnProperty\ne: valueOf\n', 'object-words.yml');
});

test.run();
