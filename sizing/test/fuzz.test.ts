// Seeded config fuzzing (issue 11): mutated configs must end in a result or in one line naming
// what to fix (a UsageError, exit 2) — never an internal error (exit 3), never a multi-line
// message, never a run longer than 5 s. Same seed, same configs: a failure names its seed and case.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CcreadyError } from '../../common/errors.ts';
import { DEFAULT_SERVER } from '../../common/server-spec.ts';
import { computeVerdict, parseSizingConfig, runModel } from '../index.ts';
import { fuzzBases, mutate } from './fuzz-configs.ts';
// the stand-in's seeded PRNG (mulberry32): one implementation for every seeded test
import { prng as rng } from '../../fixtures/hq-sim/seed.ts';

const SEED = 20261130;
const CASES = 520;

test(`${CASES} mutated configs (seed ${SEED}): a result or one line, exit 2 at worst, each under 5 s`, () => {
  const bases = fuzzBases();
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
