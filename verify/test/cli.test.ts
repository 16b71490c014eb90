// The CLI as a user runs it: SIGINT in the middle of a run still writes a complete report of the
// steps done (and cleans up what it created); bad flags are one-line errors with exit code 2.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sim } from './helpers.ts';

const root = new URL('../../', import.meta.url).pathname;

function cli(args: string[], onStdout?: (all: string, child: ReturnType<typeof spawn>) => void) {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'cli/main.ts'), ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CI: '1' } });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => {
    stdout += d;
    onStdout?.(stdout, child);
  });
  child.stderr!.on('data', (d) => (stderr += d));
  const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr });
    }),
  );
}

test('SIGINT during the pillow-lag wait → exit 1, complete report of the steps done, cleanup still ran', async () => {
  // Pillows slower than anything the test waits for: step 08 is waiting when the interrupt comes.
  const s = await sim({ pillowDelayMs: 120_000 });
  const dir = mkdtempSync(join(tmpdir(), 'ccready-sigint-'));
  const env = join(dir, 'sim.env');
  writeFileSync(env, Object.entries({ ...s.env(), CCHQ_ODATA_CONFIG_ID: s.odataConfigIds[s.domain] }).map(([k, v]) => `${k}=${v}`).join('\n'), { mode: 0o600 });
  const out = join(dir, 'report');
  let sent = false;
  let sentAt = 0;
  try {
    const r = await cli(['verify', '--env-file', env, '--out', out, '--lag-timeout', '60', '--poll', '0.2'], (all, child) => {
      if (!sent && /PASS \[8\/13\] 07-restore/.test(all)) {
        sent = true;
        setTimeout(() => {
          sentAt = Date.now();
          child.kill('SIGINT');
        }, 400);
      }
    });
    assert.ok(sent, `never reached step 07:\n${r.stdout}\n${r.stderr}`);
    assert.ok(Date.now() - sentAt < 15_000, 'the interrupted run took too long to finish');
    assert.is(r.code, 1, r.stderr);
    assert.match(r.stderr, /interrupted/);
    assert.match(r.stdout, /NOT READY/);
    for (const f of ['report.json', 'junit.xml', 'report.md', 'report.html']) assert.ok(existsSync(join(out, f)), `${f} missing`);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    assert.is(report.interrupted, true);
    assert.is(report.decision.verdict, 'NOT READY');
    const by = Object.fromEntries(report.steps.map((x: { id: string }) => [x.id, x]));
    for (const id of ['00-preflight', '01-reachability-tls', '02-service-health', '03-web-login', '04-mobile-worker', '05-app-formplayer', '06-submit-forms', '07-restore']) assert.is(by[id].status, 'pass', id);
    assert.is(by['08-form-case-api'].status, 'skip');
    assert.match(by['08-form-case-api'].reason, /interrupted/);
    for (const id of ['09-export-odata', '10-bulk-upload', '11-sms']) assert.match(by[id].reason, /not run: interrupted/);
    assert.is(by['12-cleanup'].status, 'pass', by['12-cleanup'].reason);
    const junit = readFileSync(join(out, 'junit.xml'), 'utf8');
    assert.is((junit.match(/<testcase /g) ?? []).length, 13);
    const created = [...s.server.store.users.values()].filter((u) => u.username.startsWith('ccready-'));
    assert.ok(created.length >= 1 && created.every((u) => u.deleted), 'the worker created by the run was not retired');
    const text = readFileSync(join(out, 'report.md'), 'utf8') + readFileSync(join(out, 'report.json'), 'utf8') + r.stdout + r.stderr;
    assert.not.ok(text.includes(s.web.password) || text.includes(s.mobile.password), 'a password leaked');
  } finally {
    await s.stop();
  }
});

test('--only runs a subset: PARTIAL, exit 4 (never READY, never 0); JUnit fails the required steps not checked', async () => {
  const s = await sim();
  const dir = mkdtempSync(join(tmpdir(), 'ccready-only-'));
  const env = join(dir, 'sim.env');
  writeFileSync(env, Object.entries(s.env()).map(([k, v]) => `${k}=${v}`).join('\n'), { mode: 0o600 });
  try {
    for (const [flags, selected] of [
      [['--only', '01-reachability-tls'], 2],
      [['--skip', '09-export-odata', '10-bulk-upload'], 11],
    ] as const) {
      const out = join(dir, flags[0]);
      const r = await cli(['verify', '--env-file', env, '--out', out, '--lag-timeout', '5', '--poll', '0.1', ...flags]);
      assert.is(r.code, 4, `${flags.join(' ')}: ${r.stdout}${r.stderr}`);
      assert.match(r.stdout, /^PARTIAL: .*not selected \(--only\/--skip\)/m);
      assert.not.match(r.stdout, /^READY/m);
      const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
      assert.is(report.decision.verdict, 'PARTIAL');
      assert.is(report.steps.length, 13, 'the steps left out are still listed');
      assert.is(report.steps.filter((x: { unselected?: boolean }) => !x.unselected).length, selected);
      const junit = readFileSync(join(out, 'junit.xml'), 'utf8');
      const failures = Number(/<testsuites[^>]*failures="(\d+)"/.exec(junit)?.[1]);
      // Every required step left out is a failure (11-sms is optional); the ones that ran passed.
      const leftOutRequired = report.steps.filter((x: { unselected?: boolean; required: boolean }) => x.unselected && x.required).length;
      assert.is(leftOutRequired, flags[0] === '--only' ? 10 : 2);
      assert.is(failures, leftOutRequired, junit.slice(0, 400));
      assert.match(junit, /required step not checked: not selected/);
    }
  } finally {
    await s.stop();
  }
});

test('bad flags and config → one line naming the flag or file, exit 2, no report', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ccready-usage-'));
  const out = join(dir, 'never');
  const base = ['--target', 'http://127.0.0.1:9', '--domain', 'demo', '--out', out];
  const cases: [string[], RegExp][] = [
    [['verify', ...base, '--lag-timeout', '-3'], /--lag-timeout: expected a number of seconds above 0, got -3/],
    [['verify', ...base, '--only', '99-nope'], /--only: unknown step 99-nope/],
    [['verify', ...base, '--ca', join(dir, 'missing.pem')], /--ca: cannot read .*missing\.pem \(ENOENT\)/],
    [['verify', ...base, '--local', '--server', '8 cores'], /--server: expected CORESc\/RAM\/DISK\[\/ssd\|hdd\], e.g\. 8c\/32GB\/2TB\/ssd, got "8 cores"/],
    [['verify', '--domain', 'demo', '--target', 'ftp://x', '--out', out], /--target: expected an http\(s\) URL/],
    // (A missing --env-file is not tested here: Node 20 itself reads --env-file anywhere on its command line.)
    [['gate', ...base, '--wait', '0'], /--wait: expected a number of seconds above 0, got 0/],
    [['gate', ...base, '--wait', 'soon'], /--wait: expected a number of seconds above 0, got "soon"/],
    [['verify', ...base, '--request-timeout', '5s'], /--request-timeout: expected a number of seconds above 0, got "5s"/],
    [['verify', ...base, '--http-url', 'https://x'], /--http-url: expected an http:\/\/ URL/],
    [['verify', 'canary', 'write', ...base, '--cases', '0'], /--cases: expected a whole number from 1 to 100, got 0/],
    [['verify', 'canary', 'check', ...base, '--username', 'w', '--password', 'p', '--web-username', 'a', '--web-password', 'b', '--manifest', join(dir, 'none.json')], /none\.json: cannot read the canary manifest/],
  ];
  for (const [args, re] of cases) {
    const r = await cli(args);
    assert.is(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, re);
    assert.is(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.not.ok(existsSync(out), 'a report folder was created for a usage error');
  }
});

test.run();
