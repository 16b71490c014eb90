// Seeded config fuzzing (issue 11): mutated configs must end in a result or in one line naming
// what to fix (a UsageError, exit 2) — never an internal error (exit 3), never a multi-line
// message, never a run longer than 5 s. Same seed, same configs: a failure names its seed and case.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { CcreadyError } from '../../common/errors.ts';
import { DEFAULT_SERVER } from '../../common/server-spec.ts';
import { computeVerdict, EXAMPLE_CONFIG, parseSizingConfig, runModel } from '../index.ts';
import { sizingReferenceFile } from '../../fixtures/reference.ts';
// the stand-in's seeded PRNG (mulberry32): one implementation for every seeded test
import { prng as rng } from '../../fixtures/hq-sim/seed.ts';

const SEED = 20261130;
const CASES = 520;

const VALUES = ['0', '-1', '-0.5', '1e308', '1.0e308', '1e-308', '99999999999999999999', "'abc'", "''", '.nan', '.inf', '-.inf', '~', 'yes', '[1, 2]', '{a: 1}', '*nope', '&x 1', '!!str 3', '0x1F', '1_000', '2020-01-01', '"\\u0000"', '|\n  text'];
const DATES = ["'20241301'", "'99991231'", "'00010101'", "'2024'", "'20240229'", "'19000101'", "'21001201'"];

function mutate(text: string, r: () => number): { text: string; how: string[] } {
  let lines = text.split('\n');
  const how: string[] = [];
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const n = 1 + Math.floor(r() * 3);
  for (let k = 0; k < n; k++) {
    const i = Math.floor(r() * lines.length);
    const kind = Math.floor(r() * 9);
    const line = lines[i] ?? '';
    if (kind === 0 || kind === 1) {
      // a number or quoted value replaced by something hostile
      const v = pick(VALUES);
      lines[i] = line.replace(/(:\s*|-\s*|\[\s*|,\s*)(-?[0-9.]+[A-Za-z]*|'[^']*')/, `$1${v}`);
      how.push(`value@${i + 1}=${v}`);
    } else if (kind === 2) {
      lines.splice(i, 1);
      how.push(`delete@${i + 1}`);
    } else if (kind === 3) {
      lines.splice(i, 0, line);
      how.push(`duplicate@${i + 1}`);
    } else if (kind === 4) {
      lines[i] = r() < 0.5 ? `  ${line}` : line.replace(/^ {1,2}/, '');
      how.push(`indent@${i + 1}`);
    } else if (kind === 5) {
      lines.splice(i, 0, `${line.match(/^\s*/)![0]}${pick(['summary_date', 'colour', 'static_numbr', 'usage', 'model'])}: ${pick(VALUES)}`);
      how.push(`key@${i + 1}`);
    } else if (kind === 6) {
      lines = lines.slice(0, i);
      how.push(`truncate@${i + 1}`);
    } else if (kind === 7) {
      lines[i] = line.replace(/'\d{8}'/, pick(DATES));
      how.push(`date@${i + 1}`);
    } else {
      const bombs = ['x: &s [1, *s]', 'l0: &l0 [1, 1, 1, 1, 1, 1, 1, 1]\nl1: &l1 [*l0, *l0, *l0, *l0, *l0, *l0, *l0, *l0]\nl2: [*l1, *l1, *l1, *l1, *l1, *l1, *l1, *l1]', '<<: {estimation_buffer: 0.5}', 'services: &sv\n  x: *sv'];
      lines.unshift(pick(bombs));
      how.push('yaml-structure');
    }
  }
  return { text: lines.join('\n'), how };
}

test(`${CASES} mutated configs (seed ${SEED}): a result or one line, exit 2 at worst, each under 5 s`, () => {
  const bases = [readFileSync(EXAMPLE_CONFIG, 'utf8'), readFileSync(sizingReferenceFile('tdh-test', 'config.yml'), 'utf8')];
  const r = rng(SEED);
  let errors = 0;
  let results = 0;
  for (let c = 0; c < CASES; c++) {
    const base = bases[c % bases.length]!;
    const { text, how } = mutate(base, r);
    const label = `case ${c} (seed ${SEED}: ${how.join(', ')})`;
    const t0 = Date.now();
    try {
      const result = runModel(parseSizingConfig(text, 'fuzz.yml'));
      for (const s of result.sets) computeVerdict(result, DEFAULT_SERVER, { set: s.name });
      results++;
    } catch (e) {
      if (!(e instanceof CcreadyError)) assert.unreachable(`${label}: internal error (exit 3): ${(e as Error)?.stack ?? e}`);
      assert.is((e as CcreadyError).exitCode, 2, label);
      assert.not.match((e as Error).message, /\n/, `${label}: multi-line error: ${(e as Error).message}`);
      errors++;
    }
    assert.ok(Date.now() - t0 < 5000, `${label}: took ${Date.now() - t0} ms`);
  }
  // the mix must exercise both outcomes, or the mutations are not reaching the checks
  assert.ok(errors > 50 && results > 20, `errors ${errors}, results ${results}`);
});

test.run();
