// `ccready size init` guided mode (issue 16 item 1, without --from): 600 users at 4 forms a day and
// 20 cases each a month over 3 years give a config and a verdict without writing YAML.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { computeVerdict, EXAMPLE_CONFIG, initConfigYaml, defaultInitFigures, parseSizingConfig, runModel } from '../index.ts';
import { DEFAULT_SERVER } from '../../common/server-spec.ts';

const root = new URL('../../', import.meta.url).pathname;
const figures = { ...defaultInitFigures(new Date('2026-11-30T00:00:00Z')), users: 600, formsPerUserDay: 4, casesPerUserMonth: 20, months: 36 };

test('the figures land in the model: users, forms, cases, horizon; every figure has its provenance', () => {
  const text = initConfigYaml(readFileSync(EXAMPLE_CONFIG, 'utf8'), figures, new Date('2026-11-30T00:00:00Z'));
  const r = runModel(parseSizingConfig(text, 'sizing.yml'));
  const u = r.sets[0]!.usage;
  const col = (f: string) => u.data.map((row) => row[u.columns.indexOf(f)] as number);
  assert.is(u.index.length, 36);
  assert.is(u.index[0], '2026-12-01');
  assert.ok(col('users').every((x) => x === 600));
  assert.ok(col('forms_monthly').every((x) => x === 600 * 4 * 20));
  assert.is(col('cases_total')[1]! - col('cases_total')[0]!, 600 * 20);
  for (const flag of ['--users', '--months 36', '--forms-per-user-day 4', '--cases-per-user', '--case-lifespan-months', '--attachments-kb-per-form']) assert.ok(text.includes(flag), flag);
  const v = computeVerdict(r, DEFAULT_SERVER);
  assert.is(v.horizon.months, 36);
  assert.is(v.limits.find((l) => l.key === 'users')!.peak, 600);
});

test('the command writes the config without a terminal, then `ccready size` judges it; bad figures are one line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ccready-init-'));
  const out = join(dir, 'sizing.yml');
  const run = (...args: string[]) => spawnSync(process.execPath, [join(root, 'bin/ccready.mjs'), ...args], { cwd: dir, encoding: 'utf8', input: '', timeout: 60_000 });
  const w = run('size', 'init', '--users', '600', '--forms-per-user-day', '4', '--cases-per-user', '20', '--months', '36', '--out', out);
  assert.is(w.status, 0, w.stderr);
  assert.match(w.stdout, /wrote .*sizing\.yml: 600 users, 4 forms a day, 20 cases a month each, 36 months/);
  const s = run('size', out);
  assert.is(s.status, 0, s.stderr);
  assert.match(s.stdout, /^==================== Verdict/);
  assert.match(s.stdout, /\nusers\s+600 users/);
  assert.is(run('size', 'init', '--out', out).status, 2, 'an existing file is not overwritten without --force');
  const bad = run('size', 'init', '--users', '0', '--out', join(dir, 'x.yml'));
  assert.is(bad.status, 2);
  assert.match(bad.stderr, /^ccready: --users: expected a whole number of users above 0, got 0\n$/);
  assert.not.ok(existsSync(join(dir, 'x.yml')));
});

test.run();
