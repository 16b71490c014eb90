// `ccready size` verdict flags end to end through the built CLI: exit codes of --fail-if-over both
// ways, --out writes every report at once, what-if tables, one-line errors with exit 2.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { EXAMPLE_CONFIG } from '../index.ts';

const root = new URL('../../', import.meta.url).pathname;
// the test runner builds the bundle first; a rebuild here would race the other test files' runs
if (!existsSync(join(root, 'dist/ccready.mjs'))) spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: root });

function ccready(...args: string[]) {
  const r = spawnSync(process.execPath, [join(root, 'bin/ccready.mjs'), ...args], { cwd: root, encoding: 'utf8', timeout: 90_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const tmp = mkdtempSync(join(tmpdir(), 'ccready-verdict-cli-'));
// the example with a {users} placeholder for the full roll-out, for what-if runs
const whatIfConfig = join(tmp, 'whatif.yml');
const example = readFileSync(EXAMPLE_CONFIG, 'utf8');
// the example without its sets: block, so {users} is supplied only by --var
const withVar = example.replace(/^sets:.*\n(?:[ #].*\n)*\n/m, '');
assert.ok(withVar !== example && /'20281201', '\{users\}'\]/.test(withVar), 'example config has {users} in the 2027-2028 users range and a sets: block');
writeFileSync(whatIfConfig, withVar);

test('--fail-if-over: exit 1 with a one-line reason when a limit is crossed', () => {
  const r = ccready('size', '--server', '2c/4GB/0.1TB', '--fail-if-over');
  assert.is(r.code, 1, r.err);
  assert.ok(r.out.indexOf('==================== Verdict') === 0 && r.out.indexOf('VMs by Type') > 0, 'the verdict first, the sizing tables after it');
  assert.match(r.out, /DOES NOT FIT on this server through 2028-12/);
  assert.match(r.err, /^ccready: limits crossed within the horizon on 2c\/4GB\/0\.1TB: disk \d{4}-\d\d, RAM 2026-01, cores 2026-01\n$/);
  // without --fail-if-over the same verdict is not an error
  assert.is(ccready('size', '--server', '2c/4GB/0.1TB').code, 0);
});

test('the embedded example fits the seeds\' box at the default CPU sharing, every limit; a 4c/16GB/1TB box does not', () => {
  const seed = ccready('size', '--server', '8c/32GB/2TB', '--fail-if-over');
  assert.is(seed.code, 0, seed.err);
  assert.match(seed.out, /\ncores limit: 8 cores × 2 CPU sharing = 16 /);
  const table = seed.out.slice(seed.out.indexOf('==================== Verdict'));
  for (const label of ['users', 'active cases per user \\(active_cases\\)', 'disk', 'RAM', 'cores']) {
    assert.match(table, new RegExp(`\\n${label}\\s.*\\s+FITS\\s+-\\n`), label);
  }
  // the example models open cases (households stay open + 9 months of new cases), so the real
  // limit is checked, not the cases_total upper bound: 100 + 9 × 10 = 190 per user at the peak
  assert.match(table, /\nactive cases per user \(active_cases\)\s+190 cases\s+< 10000 cases\s+98\.1%/);
  assert.not.match(seed.out, /upper bound/);
  // honest headroom: RAM and cores below the box with room to spare, not just under it
  const v = /\nRAM\s+(\d+) GB\s+32 GB\s+([\d.]+)%/.exec(table);
  const c = /\ncores\s+(\d+) cores\s+16 cores \(8 × 2\)\s+([\d.]+)%/.exec(table);
  assert.ok(v && c, table);
  assert.ok(Number(v![1]) >= 26 && Number(v![1]) <= 30, `RAM ${v![1]} GB`);
  assert.ok(Number(v![2]) >= 5 && Number(c![2]) >= 5, `headroom RAM ${v![2]}%, cores ${c![2]}%`);
  assert.is(ccready('size').code, 0);
  assert.match(ccready('size').out, /\nFITS on this server through 2028-12\n/);

  const small = ccready('size', '--server', '4c/16GB/1TB', '--fail-if-over');
  assert.is(small.code, 1);
  assert.match(small.out, /\nDOES NOT FIT on this server through 2028-12\n/);
  assert.match(small.err, /^ccready: limits crossed within the horizon on 4c\/16GB\/1TB: RAM 2026-01, cores 2026-01\n$/);

  // strict CPU: the same box no longer fits, on cores alone
  const strict = ccready('size', '--cpu-overcommit', '1', '--fail-if-over');
  assert.is(strict.code, 1);
  assert.match(strict.out, /\ncores\s+\d+ cores\s+8 cores \(8 × 1\)\s+-[\d.]+%\s+DOES NOT FIT\s+2026-01/);
  assert.match(strict.err, /^ccready: limits crossed within the horizon on 8c\/32GB\/2TB: cores 2026-01\n$/);
});

test('--cpu-overcommit: bad values are one line naming the flag, exit 2; the server YAML key works', () => {
  for (const bad of ['0', 'two', '0.5', '20']) {
    const r = ccready('size', '--cpu-overcommit', bad);
    assert.is(r.code, 2, `${bad}: ${r.err}`);
    assert.match(r.err, /^ccready: --cpu-overcommit: expected a number from 1 /);
    assert.is(r.err.trim().split('\n').length, 1, r.err);
    assert.is(r.out, '', 'no partial output');
  }
  const f = join(tmp, 'strict.yml');
  writeFileSync(f, 'cores: 8\nram_gb: 32\ndisk_tb: 2\ncpu_overcommit: 1\n');
  const r = ccready('size', '--server', f, '--fail-if-over');
  assert.is(r.code, 1);
  assert.match(r.out, /cores limit: 8 cores \(strict, CPU sharing 1\)/);
  // the flag wins over the file
  assert.is(ccready('size', '--server', f, '--cpu-overcommit', '2', '--fail-if-over').code, 0);
});

test('--fail-if-over: exit 0 when the server holds the whole horizon', () => {
  const r = ccready('size', '--server', '64c/256GB/4TB', '--fail-if-over');
  assert.is(r.code, 0, r.err);
  assert.match(r.out, /FITS on this server through 2028-12/);
  assert.match(r.out, /disk \(incl\. backups\)\s+\d+ GB\s+4000 GB\s+\d+\.\d%\s+FITS/);
});

test('--server from a YAML file, and bad --server values: one line, exit 2, names the flag', () => {
  const f = join(tmp, 'box.yml');
  writeFileSync(f, 'cores: 64\nram_gb: 256\ndisk_tb: 4\ndisk_type: ssd\n');
  const ok = ccready('size', '--server', f, '--fail-if-over');
  assert.is(ok.code, 0, ok.err);
  assert.match(ok.out, /server: 64 cores, 256 GB RAM, 4 TB SSD/);
  for (const [arg, re] of [
    ['8c/32GB', /^ccready: --server: expected CORESc\/RAM\/DISK/],
    ['8c/32XB/2TB', /^ccready: --server: RAM "32XB"/],
    ['8c/32GB/2TB/floppy', /^ccready: --server: disk type "floppy"/],
    ['x/32GB/2TB', /^ccready: --server: cores "x"/],
  ] as const) {
    const r = ccready('size', '--server', arg);
    assert.is(r.code, 2, `${arg}: ${r.err}`);
    assert.match(r.err, re);
    assert.is(r.err.trim().split('\n').length, 1, r.err);
  }
  const bad = join(tmp, 'bad.yml');
  writeFileSync(bad, 'cores: 8\nram_gb: -1\ndisk_tb: 2\n');
  const r = ccready('size', '--server', bad);
  assert.is(r.code, 2);
  assert.is(r.err.trim(), `ccready: ${bad}: ram_gb: expected a number greater than 0, got -1`);
});

test('--active-cases-field: a missing field is a one-line error listing the case fields', () => {
  const r = ccready('size', '--active-cases-field', 'open_cases');
  assert.is(r.code, 2);
  assert.match(r.err, /^ccready: --active-cases-field: usage has no field "open_cases" \(case fields: .*cases_total.*\)\n$/);
});

test('--out writes the CSVs, JSON, workbook, HTML, screenshot, Markdown and verdict.json together', async () => {
  const out = join(tmp, 'run');
  const r = ccready('size', '--server', '8c/32GB/2TB', '--out', out);
  assert.is(r.code, 0, r.err);
  const files = readdirSync(out).sort();
  for (const f of ['model.xlsx', 'report.html', 'report.md', 'report.png', 'sizing.json', 'verdict.json', 'default']) assert.ok(files.includes(f), `${f} in ${files}`);
  assert.ok(!readdirSync(tmp).some((f) => f.includes('.partial-')), 'no staging folder left');
  const v = JSON.parse(readFileSync(join(out, 'verdict.json'), 'utf8'));
  assert.is(v.format, 'ccready-verdict/1');
  assert.is(v.verdicts[0].server.ram_gb, 32);
  const md = readFileSync(join(out, 'report.md'), 'utf8');
  assert.match(md, /\*\*Verdict: (FITS|DOES NOT FIT)\*\*/);
  const html = readFileSync(join(out, 'report.html'), 'utf8');
  assert.ok((html.match(/<svg/g) ?? []).length >= 5);
  const png = readFileSync(join(out, 'report.png'));
  assert.equal([...png.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(join(out, 'model.xlsx'));
  const names = wb.worksheets.map((w) => w.name);
  for (const n of ['Verdict', 'Comparisons', 'Incremental Comparisons', 'Usage', 'Config']) assert.ok(names.includes(n), `${n} in ${names}`);
  assert.ok(names.some((n) => /^2028-12-01 - 1K users$/.test(n)));
  assert.ok(names.some((n) => /^Raw Data \(postgres\)$/.test(n)));
});

test('--var users=1800 overrides the placeholder; a list gives the what-if table in console and reports', () => {
  const one = ccready('size', whatIfConfig, '--var', 'users=1800');
  assert.is(one.code, 0, one.err);
  assert.match(one.out, /users\s+1800 users\s+< 1500 users\s+-20\.0%\s+DOES NOT FIT\s+2027-01/);
  assert.match(one.out, /recommended: micro cluster/);

  const out = join(tmp, 'whatif');
  const r = ccready('size', whatIfConfig, '--var', 'users=800,1200,1600', '--server', '64c/256GB/4TB', '--out', out, '--no-screenshot');
  assert.is(r.code, 0, r.err);
  assert.match(r.out, /the verdict and the tables below are for users=800/);
  const table = r.out.slice(r.out.indexOf('==================== What-if'));
  assert.match(table, /\n800\s+800\s/);
  assert.match(table, /\n1200\s+1200\s/);
  assert.match(table, /\n1600\s+1600 !.*DOES NOT FIT\s+users 2027-01\s+micro cluster/);
  assert.ok(!existsSync(join(out, 'report.png')), '--no-screenshot');
  assert.match(readFileSync(join(out, 'report.md'), 'utf8'), /## What-if/);
  assert.match(readFileSync(join(out, 'report.html'), 'utf8'), /<h2>What-if<\/h2>/);
  // --fail-if-over judges every what-if value: 800 and 1200 fit this box, 1600 users do not
  const ok = ccready('size', whatIfConfig, '--var', 'users=800,1200', '--server', '64c/256GB/4TB', '--fail-if-over');
  assert.is(ok.code, 0, ok.err);
  const over = ccready('size', whatIfConfig, '--var', 'users=800,1600', '--server', '64c/256GB/4TB', '--fail-if-over');
  assert.is(over.code, 1, over.err);
  assert.match(over.err, /^ccready: limits crossed within the horizon on 64c\/256GB\/4TB: users=1600: users 2027-01\n$/);
  // a variable the config does not use is an error, not a silent no-op
  const bad = ccready('size', whatIfConfig, '--var', 'userz=5');
  assert.is(bad.code, 2);
  assert.match(bad.err, /^ccready: --var userz:/);
});

test('the embedded example takes --var users=... with no edit: its full roll-out size is the {users} of its one set', () => {
  const r = ccready('size', '--var', 'users=800,1200,1600');
  assert.is(r.code, 0, r.err);
  assert.match(r.out, /\nGenerating data for set 'default'/); // still one set, named as before
  const table = r.out.slice(r.out.indexOf('==================== What-if'));
  assert.match(table, /\n800\s+800\s+190\s.*\sFITS\s+-\s+single server\n/);
  assert.match(table, /\n1200\s+1200\s+190\s.*\sFITS\s+-\s+single server\n/);
  assert.match(table, /\n1600\s+1600 !.*DOES NOT FIT\s+users 2027-01\s+micro cluster\n/);
  // without --var the example is the 1000-user plan
  assert.match(ccready('size').out, /\nusers\s+1000 users\s+< 1500 users/);
});

test('--format json keeps stdout one JSON document; the verdict goes to stderr', () => {
  const r = ccready('size', '--format', 'json', '--server', '64c/256GB/4TB');
  assert.is(r.code, 0, r.err);
  JSON.parse(r.out);
  assert.match(r.err, /==================== Verdict/);
});

test.run();
