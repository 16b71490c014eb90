import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';

const cli = (args: string[], input?: string) =>
  spawnSync('sh', ['-c', `node bin/ccready.mjs ${args.join(' ')}`], { encoding: 'utf8', input });

test('--help lists every command with one line each', () => {
  const r = cli(['--help']);
  assert.is(r.status, 0);
  for (const c of ['size', 'sim', 'load', 'verify', 'gate', 'doctor']) assert.match(r.stdout, new RegExp(`ccready ${c}\\b`));
  assert.not.match(r.stdout, /being built/);
});

test('an unknown command is a one-line usage error with exit 2', () => {
  const r = cli(['frobnicate']);
  assert.is(r.status, 2);
  assert.is(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, /^ccready: /);
});

test('a reader closing the pipe early is not a crash', () => {
  const r = spawnSync('sh', ['-c', 'node bin/ccready.mjs size | head -1; echo "status=${PIPESTATUS:-$?}"'], { encoding: 'utf8' });
  assert.not.match(r.stderr, /EPIPE|at .*\.mjs/);
});

test('size ends its process early (cli/exit.ts exitWhenFlushed), yet a slow reader gets every byte and the exit code stands', () => {
  const icds = 'fixtures/sizing-reference/icds-14lakh-aug2019/config.yml';
  // the package's bin on both ways a plain size runs (Node 20: code cache; off: the ESM entry)
  for (const env of [{}, { NODE_DISABLE_COMPILE_CACHE: '1' }]) {
    // a reader that sleeps before reading: the 2.5 MB document waits in a full pipe meanwhile
    const r = spawnSync('sh', ['-c', `node bin/ccready.cjs size ${icds} --format json 2>/dev/null | (sleep 0.5; cat)`], { encoding: 'utf8', maxBuffer: 64 << 20, env: { ...process.env, ...env } });
    assert.is(r.status, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as { format: string; sets: unknown[] };
    assert.is(doc.format, 'ccready-sizing/1');
    assert.is(doc.sets.length, 8);
    // a verdict that fails keeps its exit code 1 through the early exit
    const failing = spawnSync(process.execPath, ['bin/ccready.cjs', 'size', 'fixtures/sizing-reference/tdh-test/config.yml', '--server', '2c/4GB/100GB', '--fail-if-over'], { encoding: 'utf8', env: { ...process.env, ...env } });
    assert.is(failing.status, 1, failing.stderr);
    assert.match(failing.stdout, /DOES NOT FIT/);
  }
});

test('--env-file reaches ccready, not Node (Node 20 would grab it from argv and exit 9)', () => {
  const r = spawnSync('./bin/ccready.mjs', ['verify', '--env-file', '/nonexistent/ccready.env'], { encoding: 'utf8' });
  assert.is(r.status, 2, r.stderr);
  assert.match(r.stderr, /^ccready: \/nonexistent\/ccready.env: /);
});

test('a misspelt flag gets a did-you-mean from the command\'s own flags, on one line, exit 2', () => {
  for (const [args, re] of [
    [['size', '--formt', 'json'], /^ccready: Unknown argument: formt \(did you mean --format\?\)$/],
    [['size', 'x.yml', '--fail-if-ovr'], /^ccready: Unknown argument: fail-if-ovr \(did you mean --fail-if-over\?\)$/],
    [['verify', '--targt', 'http://127.0.0.1:9'], /^ccready: Unknown argument: targt \(did you mean --target\?\)$/],
    [['size', '--zzzzzz'], /^ccready: Unknown argument: zzzzzz$/],
  ] as const) {
    const r = cli([...args]);
    assert.is(r.status, 2, r.stderr);
    assert.match(r.stderr.trim(), re);
  }
});

test('invalid choices are reported on one line', () => {
  const r = cli(['size', '--format', 'xml']);
  assert.is(r.status, 2);
  assert.is(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, /format.*xml.*console/);
});

test('every command\'s --help has examples', () => {
  for (const c of ['size', 'sim', 'load plan', 'load run', 'load bundle', 'load calibrate', 'load k8s', 'verify', 'verify canary', 'gate', 'doctor']) {
    const r = cli([c, '--help']);
    assert.is(r.status, 0, c);
    assert.match(r.stdout, /Examples:\n\s+ccready /, `${c} --help has no examples`);
  }
});

test.run();
