// `ccready size` end to end through the built CLI (node bin/ccready.mjs, built by npm test's setup).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadGolden, REFERENCE_DIR } from './golden.ts';

const root = new URL('../../', import.meta.url).pathname;
if (!existsSync(join(root, 'dist/ccready.mjs'))) spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: root });

function ccready(...args: string[]) {
  const r = spawnSync(process.execPath, [join(root, 'bin/ccready.mjs'), ...args], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const tmp = mkdtempSync(join(tmpdir(), 'ccready-size-'));

test('ccready size runs the embedded example (about 1000 users, one server)', () => {
  const r = ccready('size');
  assert.is(r.code, 0, r.err);
  // the verdict first, then the model's tables
  assert.match(r.out, /^==================== Verdict ====================\n[^]*\nGenerating data for set 'default'/);
  assert.match(r.out, /==================== Comparisons ====================/);
  assert.match(r.out, /==================== 2028-12-01 - 1K users ====================/);
  assert.match(r.out, /---------- Storage by Group \(GB\) ----------/);
  // every service is a slice of the one server: VMs by Type has a single 'monolith' row
  const byType = r.out.split('---------- VMs by Type ----------')[3]!.split('----------')[0]!;
  assert.match(byType, /\nmonolith\s+\d+\s+\d+\s+\d+\n/);
});

test('--format json prints one document in the golden.json layout, equal to the oracle', () => {
  const r = ccready('size', `${REFERENCE_DIR}/bka-test/config.yml`, '--format', 'json');
  assert.is(r.code, 0, r.err);
  const doc = JSON.parse(r.out);
  const g = loadGolden('bka-test');
  assert.equal(doc.services, g.services);
  assert.equal(doc.sets[0].summaries['2024-08-01'].storage_by_group, g.sets[0].summaries['2024-08-01'].storage_by_group);
  assert.equal(doc.sets[0].summaries['2024-08-01'].vm_aggs, g.sets[0].summaries['2024-08-01'].vm_aggs);
  assert.equal(doc.sets[0].usage.index, g.sets[0].usage.index);
});

test('--set, -s and -u narrow the run like the tool flags', () => {
  const cfg = `${REFERENCE_DIR}/icds-14lakh-dimagivalues-jan2020/config.yml`;
  const r = ccready('size', cfg, '--set', '7lakh-400fpu', '-s', 'pg_main', '-u', 'users', '--format', 'json');
  assert.is(r.code, 0, r.err);
  const doc = JSON.parse(r.out);
  assert.equal(doc.sets.map((s: { name: string }) => s.name), ['7lakh-400fpu']);
  assert.equal(doc.services, ['pg_main']);
  const c = ccready('size', cfg, '--set', '7lakh-400fpu', '-u', 'users');
  assert.is(c.code, 0, c.err);
  assert.match(c.out, /2020-09-01\s+800000/);
  const bad = ccready('size', cfg, '-s', 'pg_mian');
  assert.is(bad.code, 2);
  assert.match(bad.err, /^ccready: --service pg_mian: no such service in .* \(services: /);
});

test('--out writes one CSV per table plus sizing.json', () => {
  const out = join(tmp, 'run');
  const r = ccready('size', '--out', out);
  assert.is(r.code, 0, r.err);
  const files = readdirSync(join(out, 'default'));
  for (const f of ['usage.csv', 'service_data.csv', 'summary_data.csv', 'comparisons', 'incrementals', '2028-12-01']) assert.ok(files.includes(f), f);
  const csv = readFileSync(join(out, 'default/2028-12-01/storage_by_group.csv'), 'utf8');
  assert.match(csv, /^,Rounded Total \(GB\)\nSSD,\d/);
  const doc = JSON.parse(readFileSync(join(out, 'sizing.json'), 'utf8'));
  assert.is(doc.status, 'ok');
});

test('bad config: one line naming file:line:col and key, exit 2, no partial output', () => {
  const bad = join(tmp, 'bad.yml');
  const text = readFileSync(join(root, 'fixtures/sizing/example.yml'), 'utf8').replace("model: 'cumulative'", "model: 'cumulativ'");
  writeFileSync(bad, text);
  const out = join(tmp, 'never');
  const r = ccready('size', bad, '--out', out);
  assert.is(r.code, 2);
  assert.is(r.out, '');
  assert.is(r.err.trim().split('\n').length, 1);
  assert.match(r.err, /^ccready: .*bad\.yml:\d+:\d+: usage\.forms_total\.model: unknown model 'cumulativ' \(valid: /);
  assert.not.ok(existsSync(out));
  const broken = join(tmp, 'broken.yml');
  writeFileSync(broken, 'usage:\n  users: [1, 2\n');
  const y = ccready('size', broken);
  assert.is(y.code, 2);
  assert.match(y.err, /^ccready: .*broken\.yml:\d+:\d+: unreadable YAML/);
  const missing = ccready('size', join(tmp, 'nope.yml'));
  assert.is(missing.code, 2);
  assert.match(missing.err, /nope\.yml: cannot read the config \(no such file\)/);
});

test('--out naming a file (or a path under one) is a one-line error, exit 2, nothing written', () => {
  const file = join(tmp, 'a-file');
  writeFileSync(file, 'keep me');
  for (const [out, re] of [
    [file, /^ccready: --out .*a-file: exists and is not a directory; expected a directory for the report files\n$/],
    [join(file, 'sub'), /^ccready: --out .*a-file\/sub: cannot write the report files there \(ENOTDIR\); expected a writable directory\n$/],
    ['', /^ccready: --out: expected a directory path, got an empty string\n$/],
    // a special file system: Node's recursive mkdir used to spin there at 100 % CPU for ever
    ['/proc/self/x', /^ccready: --out \/proc\/self\/x: cannot write the report files there \(ENOENT\); expected a writable directory\n$/],
  ] as const) {
    const r = ccready('size', '--out', out, '--no-screenshot');
    assert.is(r.code, 2, r.err);
    assert.is(r.out, '');
    assert.match(r.err, re);
  }
  assert.is(readFileSync(file, 'utf8'), 'keep me');
  assert.equal(readdirSync(tmp).filter((f) => f.includes('partial')), []);
});

test('the Python tool failure on overlapping users ranges is a clear error here', () => {
  const r = ccready('size', `${REFERENCE_DIR}/gcc-sangath/config.yml`);
  assert.is(r.code, 2);
  assert.match(r.err, /usage\.users\.ranges\[1\]: month 2022-08 is already given by usage\.users\.ranges\[0\]/);
});

test('--help shows examples', () => {
  const r = ccready('size', '--help');
  assert.is(r.code, 0);
  assert.match(r.out, /Examples:/);
  assert.match(r.out, /--format/);
});

test.after(() => rmSync(tmp, { recursive: true, force: true }));
test.run();
