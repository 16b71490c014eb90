// `ccready load …` and `ccready doctor` as a user runs them: exit codes 0/1/2, one-line errors,
// the printed derivation, and `sim --env-file` then `load run` just working.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSim } from '../../fixtures/hq-sim/index.ts';
import { validatePlan } from '../plan-file.ts';

const dir = mkdtempSync(join(tmpdir(), 'ccready-load-cli-'));
const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^CCHQ_|^LOCUST_/.test(k)));

function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'cli/main.ts', ...args], { env: { ...cleanEnv, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

function oneLineError(r: { code: number | null; stderr: string }, re: RegExp) {
  assert.is(r.code, 2, r.stderr);
  const lines = r.stderr.trim().split('\n');
  assert.is(lines.length, 1, r.stderr);
  assert.match(lines[0], /^ccready: /);
  assert.match(lines[0], re);
}

test('load plan prints the derivation and writes a plan that load run accepts', async () => {
  const out = join(dir, 'plan.json');
  const r = await cli(['load', 'plan', '--sizing', 'fixtures/sizing/example.yml', '--month', '2027-06', '--peak-factor', '2.5', '--out', out]);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /Derivation:\n {2}month 2027-06 of fixtures\/sizing\/example\.yml/);
  assert.match(r.stdout, /forms\/user\/day = /);
  assert.match(r.stdout, /peak factor 2\.5/);
  assert.match(r.stdout, /submission p95 < 2000 ms/);
  const plan = validatePlan(JSON.parse(readFileSync(out, 'utf8')), out);
  assert.is(plan.source.month, '2027-06');
  assert.is(plan.assumptions.peakFactor, 2.5);
});

test('load plan / run: bad input is one line naming the flag, file or key, exit 2', async () => {
  oneLineError(await cli(['load', 'plan', '--out', join(dir, 'x.json')]), /sizing/);
  oneLineError(await cli(['load', 'plan', '--sizing', 'fixtures/sizing/example.yml', '--month', '1999-01', '--out', join(dir, 'x.json')]), /--month: 1999-01 is not in the usage table/);
  oneLineError(await cli(['load', 'plan', '--sizing', 'fixtures/sizing/example.yml', '--users-field', 'nope', '--out', join(dir, 'x.json')]), /example\.yml: usage: expected a usage field for users \(tried nope\)/);
  oneLineError(await cli(['load', 'run', '--target', 'https://hq.example.org', '--domain', 'd'], { CCHQ_USERNAME: 'u', CCHQ_PASSWORD: 'p' }), /--target: https:\/\/hq\.example\.org is not a loopback address/);
  const bad = join(dir, 'bad-plan.json');
  writeFileSync(bad, JSON.stringify({ kind: 'ccready-load-plan', users: 10, formsPerUserPerDay: 1, restoresPerUserPerDay: 1, rates: { formsPerSecond: { average: 'fast', peak: 1 }, restoresPerSecond: { average: 1, peak: 1 } } }));
  oneLineError(await cli(['load', 'run', '--plan', bad, '--target', 'http://127.0.0.1:9', '--domain', 'd']), /bad-plan\.json: rates\.formsPerSecond\.average: expected a non-negative number, got "fast"/);
  oneLineError(await cli(['load', 'run', '--target', 'http://127.0.0.1:9', '--domain', 'd', '--profile', 'smoke']), /no mobile worker/);
  oneLineError(await cli(['load', 'run', '--target', 'http://127.0.0.1:9', '--domain', 'd', '--scenario', 'browse']), /scenario/);
  // numbers yargs cannot parse name the flag and what was typed; 0 workers is not "none asked"
  const local = ['load', 'run', '--target', 'http://127.0.0.1:9', '--domain', 'd'];
  const worker = { CCHQ_USERNAME: 'u', CCHQ_PASSWORD: 'p' };
  oneLineError(await cli([...local, '--max-duration', 'ten'], worker), /^ccready: --max-duration: expected a number of seconds above 0, got "ten"$/);
  oneLineError(await cli([...local, '--create-users', '0'], worker), /--create-users: expected a whole number from 1 to 10000, got 0/);
  oneLineError(await cli([...local, '--audit-timeout=-3'], worker), /--audit-timeout: expected a number of seconds/);
  oneLineError(await cli(['load', 'plan', '--sizing', 'fixtures/sizing/example.yml', '--peak-factor', 'high', '--out', join(dir, 'x.json')]), /--peak-factor: expected a number above 0, got "high"/);
  oneLineError(await cli(['load', 'run', '--target', 'http://127.0.0.1:9', '--domain', 'd', '--users-csv', join(dir, 'none.csv')]), /--users-csv: cannot read/);
});

test('doctor reports the k6 version and where it came from', async () => {
  const r = await cli(['doctor']);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /^k6\s+ok\s+v1\.\d+\.\d+ from (\.tools\/bin|PATH|K6_BIN)/m);
  assert.match(r.stdout, /^node\s+ok/m);
  const bad = await cli(['doctor', '--k6', '/bin/false']);
  assert.is(bad.code, 1);
  assert.match(bad.stdout, /k6\s+MISSING\s+--k6: "\/bin\/false" does not run as k6/);
});

test('load bundle writes the script and an example config for a user\'s own k6', async () => {
  const out = join(dir, 'bundle');
  const r = await cli(['load', 'bundle', '--out', out]);
  assert.is(r.code, 0, r.stderr);
  assert.ok(existsSync(join(out, 'ccready-load.js')));
  const example = JSON.parse(readFileSync(join(out, 'k6-config.example.json'), 'utf8'));
  assert.is(example.scenario, 'submit');
  assert.ok(example.options.scenarios.submit);
});

test('sim --env-file variables, then load run: exit 0 healthy, exit 1 when the receiver fails; no password printed', async () => {
  const sim = await startSim({ users: 2, casesPerUser: 2, pillowDelayMs: 50 });
  try {
    const envFile = join(dir, 'sim.env');
    writeFileSync(envFile, Object.entries(sim.env()).map(([k, v]) => `${k}=${v}`).join('\n') + '\n', { mode: 0o600 });
    // Passed as --env-file=FILE: Node 20 itself grabs a separate `--env-file FILE` pair from argv.
    const ok = await cli(['load', 'run', `--env-file=${envFile}`, '--profile', 'smoke', '--out', join(dir, 'ok')]);
    assert.is(ok.code, 0, ok.stderr + ok.stdout);
    assert.match(ok.stdout, /^PASS: thresholds met, \d+ forms acknowledged, lost 0/m);
    assert.not.ok((ok.stdout + ok.stderr).includes(sim.mobile.password));
    assert.not.ok((ok.stdout + ok.stderr).includes(sim.web.password));
    sim.setFault('postgres', { mode: 'failing', rate: 1 });
    const failing = await cli(['load', 'run', `--env-file=${envFile}`, '--profile', 'smoke', '--no-audit', '--out', join(dir, 'fail')]);
    assert.is(failing.code, 1, failing.stderr);
    assert.match(failing.stdout, /^FAIL: thresholds FAILED/m);
  } finally {
    await sim.stop();
  }
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
