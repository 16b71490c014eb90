// --users N / --scale-users F (issue 16 item 5): what-ifs on any config, with or without a
// {users} placeholder; fields derived from users follow through the model.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { computeVerdict, EXAMPLE_CONFIG, loadSizingConfig, parseSizingConfig, parseVary, peakUsers, runModel, scaleField, scaleUsers, usersFactor, varyRows } from '../index.ts';
import { DEFAULT_SERVER } from '../../common/server-spec.ts';
import { sizingReferenceFile } from '../../fixtures/reference.ts';
import { UsageError } from '../../common/errors.ts';

const col = (r: ReturnType<typeof runModel>, field: string) => {
  const u = r.sets[0]!.usage;
  const j = u.columns.indexOf(field);
  return u.data.map((row) => row[j] as number);
};

test('numeric ranges (tdh-test): --users N makes the peak N, derived fields scale with it', () => {
  const cfg = loadSizingConfig(sizingReferenceFile('tdh-test', 'config.yml'));
  assert.is(peakUsers(cfg), 1132);
  const base = runModel(cfg);
  const doubled = runModel(scaleUsers(cfg, usersFactor(cfg, 2264), '--users'));
  assert.equal(col(doubled, 'users'), col(base, 'users').map((u) => u * 2));
  const f0 = col(base, 'forms_monthly');
  const f1 = col(doubled, 'forms_monthly');
  f0.forEach((v, i) => assert.ok(Math.abs(f1[i]! - 2 * v) < 1e-6 * Math.max(1, v), `forms_monthly[${i}]`));
});

test('a {users} placeholder (the embedded example): the set values scale, and a --var override too', () => {
  const cfg = loadSizingConfig(EXAMPLE_CONFIG);
  const half = scaleUsers(cfg, 0.5);
  assert.is(peakUsers(half), 500);
  assert.is(Math.max(...col(runModel(half), 'users')), 500);
  const withVar = loadSizingConfig(EXAMPLE_CONFIG, { vars: { users: 800 } });
  assert.is(peakUsers(scaleUsers(withVar, 1.5)), 1200);
});

test('what cannot be scaled is one line naming the flag', () => {
  const text = readFileSync(EXAMPLE_CONFIG, 'utf8');
  const expr = parseSizingConfig(text.replace("'{users}'", "'{users}*2'"), 'x.yml');
  for (const [fn, re] of [
    [() => scaleUsers(expr, 2), /^--scale-users: usage\.users\.ranges\[\d\]: '\{users\}\*2' is an expression/],
    [() => scaleUsers(loadSizingConfig(EXAMPLE_CONFIG), 0), /^--scale-users: expected a factor above 0/],
    [() => usersFactor(loadSizingConfig(EXAMPLE_CONFIG), 1.5), /^--users: expected a whole number/],
  ] as const) {
    try {
      fn();
      assert.unreachable('expected an error');
    } catch (e) {
      assert.instance(e, UsageError);
      assert.match((e as Error).message, re);
    }
  }
});

test('--vary FIELD=LO..HI[:STEPS]: factors, a derived field scaled, one what-if row per factor', () => {
  assert.equal(parseVary('forms_monthly=0.5..2'), { field: 'forms_monthly', factors: [0.5, 0.875, 1.25, 1.625, 2] });
  assert.equal(parseVary('users=1..2:3').factors, [1, 1.5, 2]);
  for (const bad of ['forms', 'x=2..1', 'x=0..1', 'x=1..2:1']) assert.throws(() => parseVary(bad), /^--vary: expected/);
  const cfg = loadSizingConfig(EXAMPLE_CONFIG);
  const base = col(runModel(cfg), 'forms_monthly');
  const twice = col(runModel(scaleField(cfg, 'forms_monthly', 2)), 'forms_monthly');
  base.forEach((v, i) => assert.ok(Math.abs(twice[i]! - 2 * v) < 1e-6 * Math.max(1, v)));
  const rows = varyRows('forms_monthly', [0.5, 2], DEFAULT_SERVER, {}, (f, x) => runModel(scaleField(cfg, f, x)));
  assert.equal(rows.map((r) => r.vars), [{ 'forms_monthly ×': '0.5' }, { 'forms_monthly ×': '2' }]);
  const disk = (i: number) => rows[i]!.verdict.limits.find((l) => l.key === 'storage')!.peak!;
  assert.ok(disk(1) > disk(0), 'more forms, more disk');
  assert.is(computeVerdict(runModel(cfg), DEFAULT_SERVER).fits, true);
  assert.throws(() => scaleField(cfg, 'forms_total', 2), /only date ranges and derived factors can be varied/);
});

test.run();
