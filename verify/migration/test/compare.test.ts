// The pure comparison of `verify migration`: counts by month and xmlns, case tallies, sampled content.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { canonicalJson, compareCases, compareMonth, compareRestore, contentHash, describe, sampleForms, type FormDigest } from '../compare.ts';
import { monthBounds, monthsBetween } from '../../collect/index.ts';

const X = 'http://openrosa.org/formdesigner/A';
const Y = 'http://openrosa.org/formdesigner/B';
const forms = (n: number, xmlns: string, prefix = 'f'): FormDigest[] => Array.from({ length: n }, (_, i) => ({ id: `${prefix}${String(i).padStart(3, '0')}`, xmlns, hash: `h${prefix}${i}` }));

test('identical months: no difference, the sample taken from the source', () => {
  const src = [...forms(7, X), ...forms(3, Y, 'g')];
  const r = compareMonth('2025-03', src, [...src].reverse(), 4);
  assert.equal(r.differences, []);
  assert.is(r.sampled, 4);
  assert.is(r.sourceForms, 10);
});

test('a missing xmlns in a month is named with its count difference', () => {
  const src = [...forms(7, X), ...forms(3, Y, 'g')];
  const r = compareMonth('2025-03', src, forms(7, X), 0);
  assert.equal(r.differences, [{ kind: 'forms', month: '2025-03', xmlns: Y, source: 3, target: 0, difference: -3 }]);
  assert.is(describe(r.differences[0]), `2025-03 forms of ${Y}: source 3, target 0 (-3)`);
});

test('extra forms on the target are a difference too (+n)', () => {
  const r = compareMonth('2025-04', forms(2, X), forms(5, X), 0);
  assert.equal(r.differences.map((d) => d.difference), [3]);
});

test('sampled forms: one changed in content and one absent are both named; counts alone would agree', () => {
  const src = forms(4, X);
  const tgt = src.map((f) => ({ ...f }));
  tgt[0].hash = 'other';
  tgt[1] = { id: 'zzz', xmlns: X, hash: 'x' };
  const r = compareMonth('2025-05', src, tgt, 4);
  assert.equal(r.differences.map((d) => [d.kind, d.formId]), [['form-content', 'f000'], ['form-missing', 'f001']]);
});

test('sampleForms: spread over the id order, independent of listing order, at most n', () => {
  const src = forms(10, X);
  const a = sampleForms(src, 3).map((f) => f.id);
  assert.equal(a, ['f000', 'f003', 'f006']);
  assert.equal(sampleForms([...src].reverse(), 3).map((f) => f.id), a);
  assert.is(sampleForms(src, 50).length, 10);
  assert.is(sampleForms(src, 0).length, 0);
});

test('case tallies differ by month and case type', () => {
  const s = new Map([['2025-03|person', 5], ['2025-03|household', 2], ['2025-04|person', 1]]);
  const t = new Map([['2025-03|person', 4], ['2025-03|household', 2], ['2025-05|person', 1]]);
  assert.equal(
    compareCases(s, t).map((d) => [d.month, d.caseType, d.difference]),
    [['2025-03', 'person', -1], ['2025-04', 'person', -1], ['2025-05', 'person', 1]],
  );
});

test('content hash ignores key order, not values', () => {
  assert.is(canonicalJson({ b: [1, { d: 1, c: 2 }], a: 'x' }), '{"a":"x","b":[1,{"c":2,"d":1}]}');
  assert.is(contentHash({ a: 1, b: 2 }), contentHash({ b: 2, a: 1 }));
  assert.is.not(contentHash({ a: 1 }), contentHash({ a: 2 }));
});

test('months and their Form API bounds (leap February, year end)', () => {
  assert.equal(monthsBetween('2024-11', '2025-02'), ['2024-11', '2024-12', '2025-01', '2025-02']);
  assert.equal(monthsBetween('2025-03', '2025-03'), ['2025-03']);
  assert.equal(monthBounds('2024-02'), { start: '2024-02-01T00:00:00', end: '2024-02-29T23:59:59.999999' });
  assert.equal(monthBounds('2025-12').end, '2025-12-31T23:59:59.999999');
});

test('restore sample: all owned open cases present is no difference; missing ones and a refusal are named', () => {
  const w = 'worker1@demo.commcarehq.org';
  assert.is(compareRestore(w, ['a', 'b'], { ok: true, caseIds: new Set(['a', 'b', 'parent']) }), null);
  const missing = compareRestore(w, ['a', 'b', 'c'], { ok: true, caseIds: new Set(['a']) })!;
  assert.equal([missing.source, missing.target, missing.difference, missing.detail], [3, 1, -2, 'missing b, c']);
  assert.is(describe(missing), `mobile worker ${w} restores on the target with 1 of their 3 open cases (-2; missing b, c)`);
  const refused = compareRestore(w, ['a'], { ok: false, status: 401, reason: 'Invalid restore as user x' })!;
  assert.is(describe(refused), `mobile worker ${w} does not restore on the target (401 Invalid restore as user x); the source has 1 open cases of theirs`);
});

test.run();
