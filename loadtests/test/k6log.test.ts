// What k6 1.8.1 really writes with ccready's log arguments (k6log.ts): the script's lines in the
// console file, k6's own errors (and only those) in the error file, for the failures a run meets —
// an exception in the script's init, a bad option, a run killed mid-way — and the reason read
// back as one line. No network: the scripts make no requests.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAckLog, parseRejectLog } from '../audit.ts';
import { K6_FILES, k6LogArgs, k6OwnErrors } from '../k6log.ts';
import { resolveK6 } from '../k6bin.ts';

const k6 = resolveK6().path;
const dir = mkdtempSync(join(tmpdir(), 'ccready-k6log-'));

interface Ran { code: number | null; console: string; errors: string; out: string }

/** Runs `script` with the log arguments; with `kill`, SIGKILL once the console file holds that many bytes. */
function run(name: string, script: string, kill?: number): Promise<Ran> {
  const work = join(dir, name);
  const consolePath = join(work, K6_FILES.console);
  const errorsPath = join(work, K6_FILES.errors);
  return new Promise((resolve) => {
    mkdirSync(work); // k6 makes no folders
    writeFileSync(join(work, 's.js'), script);
    const child = spawn(k6, ['run', '--quiet', '--no-usage-report', '--address', '127.0.0.1:0', ...k6LogArgs(consolePath, errorsPath), join(work, 's.js')], { env: { ...process.env, K6_NO_USAGE_REPORT: 'true' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const cap = setTimeout(() => child.kill('SIGKILL'), 60_000);
    // polled, not timed: a slow start on a busy machine must not leave the file empty
    const killer = kill === undefined ? undefined : setInterval(() => {
      if (existsSync(consolePath) && statSync(consolePath).size >= kill) child.kill('SIGKILL');
    }, 20);
    child.on('close', (code) => {
      clearTimeout(cap);
      if (killer) clearInterval(killer);
      const read = (p: string) => (existsSync(p) ? readFileSync(p, 'utf8') : '');
      resolve({ code, console: read(consolePath), errors: read(errorsPath), out });
    });
  });
}

test('a normal run: the script\'s lines (acks, rejects, its warnings) in the console file, the error file empty', async () => {
  const r = await run('ok', `
import exec from 'k6/execution';
export const options = { scenarios: { s: { executor: 'shared-iterations', vus: 2, iterations: 20 } } };
export default function () {
  console.log('ccready-ack ' + 'f' + __ITER + '-' + __VU);
  const n = exec.scenario.iterationInTest;
  if (n < 2) console.warn('ccready-reject submission 500 -');
  if (n === 2) console.warn('a warning of the script');
}
`);
  assert.is(r.code, 0, r.out);
  assert.is(parseAckLog(r.console).length, 20);
  assert.equal(parseRejectLog(r.console), [{ kind: 'submission', status: '500', nature: '-', count: 2 }]);
  // raw: the message and a newline, no level or time
  assert.match(r.console, /^ccready-ack f\d+-\d+$/m);
  assert.match(r.console, /^a warning of the script$/m);
  assert.is(r.errors, '');
  assert.equal(k6OwnErrors(r.errors), []);
});

test('an exception in the init code: the error file names it in one line, the console file holds no error', async () => {
  const r = await run('init', `
export const options = { vus: 1, iterations: 1 };
throw new Error('no mobile worker: set CCREADY_USERS_FILE or CCHQ_USERNAME/CCHQ_PASSWORD');
export default function () {}
`);
  assert.is.not(r.code, 0);
  const errs = k6OwnErrors(r.errors);
  assert.ok(errs.length >= 1, r.errors + r.out);
  assert.match(errs[errs.length - 1], /^Error: no mobile worker: set CCREADY_USERS_FILE or CCHQ_USERNAME\/CCHQ_PASSWORD/);
  for (const e of errs) assert.not.match(e, /\n/);
  assert.equal(parseAckLog(r.console), []);
});

test('a bad option: k6\'s own reason in the error file', async () => {
  const r = await run('option', `
export const options = { scenarios: { s: { executor: 'no-such-executor' } } };
export default function () {}
`);
  assert.is.not(r.code, 0);
  const errs = k6OwnErrors(r.errors);
  assert.match(errs.join(' | '), /no-such-executor/, r.errors + r.out);
});

test('an exception in an iteration lands in the error file, not among the acks', async () => {
  const r = await run('iteration', `
export const options = { vus: 1, iterations: 3 };
export default function () {
  console.log('ccready-ack f' + __ITER);
  if (__ITER === 2) throw new Error('boom in iteration');
}
`);
  assert.equal(parseAckLog(r.console).map((a) => a.formId), ['f0', 'f1', 'f2']);
  assert.match(k6OwnErrors(r.errors).join(' | '), /^Error: boom in iteration/, r.errors);
});

test('k6 killed mid-run: every line in the console file is whole (one write each, nothing buffered)', async () => {
  const r = await run('killed', `
export const options = { scenarios: { s: { executor: 'constant-vus', vus: 4, duration: '30s' } } };
export default function () { console.log('ccready-ack ' + crypto.randomUUID()); }
`, 64 * 1024);
  assert.is(r.code, null);
  const acks = parseAckLog(r.console);
  assert.ok(acks.length > 100, `${acks.length} acks before the kill: ${r.out}`);
  for (const a of acks) assert.match(a.formId, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
