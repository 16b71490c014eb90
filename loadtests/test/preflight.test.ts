// Preflight before blame, for `load run`: a wrong URL, certificate, project or password stops the
// run before any load is sent — one line naming the flag or variable to fix, exit 2 (a configuration
// error), no service blamed, no report written, no form submitted — where it used to run k6 and fail
// as "submission 401 ×51" (or blame services).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { createServer as createHttps, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../common/test/run-cli.ts';
import { startSim, type RunningSim } from '../../fixtures/hq-sim/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'ccready-load-preflight-'));
const SERVICES = /nginx|django|gunicorn|formplayer|celery|rabbitmq|postgres|couch|elasticsearch|redis|kafka|pillow|blobdb/i;
const listen = (s: Server | HttpsServer) => new Promise<number>((r) => s.listen(0, '127.0.0.1', () => r((s.address() as AddressInfo).port)));
const close = (s: Server | HttpsServer) => new Promise<void>((r) => { s.close(() => r()); s.closeAllConnections(); });

/** The stand-in's settings as flags, with `over` replacing some of them. */
function flags(sim: RunningSim, over: Record<string, string> = {}): string[] {
  const f: Record<string, string> = {
    target: sim.url, domain: sim.domain, 'app-id': sim.appId,
    username: sim.mobile.username, password: sim.mobile.password,
    'web-username': sim.web.username, 'web-password': sim.web.password, ...over,
  };
  return Object.entries(f).flatMap(([k, v]) => [`--${k}`, v]);
}

let runs = 0;
/** `load run` against a misconfigured target: exit 2, one line naming `flag`, nothing blamed or written or sent. */
async function stopsOnConfiguration(sim: RunningSim, args: string[], flag: RegExp): Promise<string> {
  const out = join(dir, `run${++runs}`);
  const before = sim.stats().domains[sim.domain].submissions;
  const r = await runCli(['load', 'run', ...args, '--profile', 'smoke', '--audit-timeout', '5', '--out', out]);
  const all = r.stdout + r.stderr;
  assert.is(r.code, 2, all);
  const lines = r.stderr.trim().split('\n').filter((l) => !l.startsWith('ccready load:'));
  assert.is(lines.length, 1, r.stderr);
  assert.ok(/^ccready: configuration \(checked before any load was sent\): /.test(lines[0]!), `not a configuration stop: ${r.stderr}`);
  assert.ok(flag.test(lines[0]!), `${flag} not named: ${r.stderr}`);
  assert.not.match(all, SERVICES, 'a configuration problem blamed a service');
  assert.not.match(all, /\bPASS\b|\bREADY\b|thresholds met|at\s+\S+\s+\(.*:\d+:\d+\)/, `a verdict or a stack trace was printed: ${all}`);
  assert.not.ok(all.includes(sim.mobile.password) || all.includes(sim.web.password), 'a password was printed');
  assert.not.ok(existsSync(out), 'a report was written for a run that never started');
  assert.is(sim.stats().domains[sim.domain].submissions, before, 'forms were sent to a misconfigured target');
  return lines[0];
}

test('load run: wrong web password, wrong domain, wrong worker password → configuration, exit 2, no load sent', async () => {
  const sim = await startSim({ users: 2, casesPerUser: 2 });
  try {
    await stopsOnConfiguration(sim, flags(sim, { 'web-password': 'not-the-web-pw' }), /--web-username\/--web-password \(CCHQ_WEB_USERNAME\/CCHQ_WEB_PASSWORD\): HQ refused the web user/);
    // A password that begins with "-" reaches HQ as the password (1 in 64 of the stand-in's own do).
    await stopsOnConfiguration(sim, flags(sim, { 'web-password': '-Not-the-web-pw' }), /--web-username\/--web-password \(CCHQ_WEB_USERNAME\/CCHQ_WEB_PASSWORD\): HQ refused the web user/);
    await stopsOnConfiguration(sim, flags(sim, { domain: 'no-such-project' }), /--domain \(CCHQ_DOMAIN\): project space "no-such-project" does not exist/);
    await stopsOnConfiguration(sim, flags(sim, { password: 'not-the-worker-pw' }), /--username\/--password \(CCHQ_USERNAME\/CCHQ_PASSWORD\): HQ refused the mobile worker/);
    // The same checks reached through the env file the stand-in writes, as the README rehearses it.
    const env = join(dir, 'sim.env');
    writeFileSync(env, Object.entries({ ...sim.env(), CCHQ_PASSWORD: 'not-the-worker-pw' }).map(([k, v]) => `${k}=${v}`).join('\n') + '\n', { mode: 0o600 });
    await stopsOnConfiguration(sim, ['--target-env', env], /HQ refused the mobile worker/);
  } finally {
    await sim.stop();
  }
});

test('load run: no server at the URL, a server that is not CommCare HQ, an untrusted certificate → --target / --ca named', async () => {
  const sim = await startSim({ users: 2, casesPerUser: 2 });
  const other = createServer((_q, res) => res.end('hello from some other app'));
  const otherPort = await listen(other);
  // A self-signed certificate in front of the stand-in, as nginx with a private certificate would be.
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem'), '-days', '2', '-subj', '/CN=ccready test', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  const simPort = new URL(sim.url).port;
  const front = createHttps({ key: readFileSync(join(dir, 'k.pem')), cert: readFileSync(join(dir, 'c.pem')) }, (req, res) => {
    const up = httpRequest({ host: '127.0.0.1', port: simPort, path: req.url, method: req.method, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  const frontPort = await listen(front);
  try {
    await stopsOnConfiguration(sim, flags(sim, { target: 'http://127.0.0.1:9' }), /--target \(CCHQ_URL\): nothing is listening at http:\/\/127\.0\.0\.1:9/);
    await stopsOnConfiguration(sim, flags(sim, { target: `http://127.0.0.1:${otherPort}` }), /--target \(CCHQ_URL\): http:\/\/127\.0\.0\.1:\d+ does not look like CommCare HQ/);
    await stopsOnConfiguration(sim, flags(sim, { target: `https://127.0.0.1:${frontPort}` }), /--ca \/ --insecure: the certificate of https:\/\/127\.0\.0\.1:\d+ is not trusted/);
  } finally {
    await close(front);
    await close(other);
    await sim.stop();
  }
});

test('load run --users-csv: a wrong password on the first worker stops the run (named by the file); on a later one the run is FAIL, exit 2, the credentials named', async () => {
  const sim = await startSim({ users: 3, casesPerUser: 2 });
  try {
    const [a, b] = sim.users.filter((u) => u.domain === sim.domain);
    const csv = join(dir, 'workers.csv');
    // the stand-in's flags without its configured worker: the file names the workers
    const withWorker = flags(sim);
    const base: string[] = [];
    for (let i = 0; i < withWorker.length; i += 2) if (!['--username', '--password'].includes(withWorker[i]!)) base.push(withWorker[i]!, withWorker[i + 1]!);
    writeFileSync(csv, `username,password\n${a!.username},not-the-worker-pw\n${b!.username},${b!.password}\n`, { mode: 0o600 });
    await stopsOnConfiguration(sim, [...base, '--users-csv', csv], /--users-csv \S*workers\.csv \(first worker\): HQ refused the mobile worker/);
    // The first worker is right, the second is not: the preflight passes and HQ's 401s judge the run.
    writeFileSync(csv, `username,password\n${a!.username},${a!.password}\n${b!.username},not-the-worker-pw\n`, { mode: 0o600 });
    const out = join(dir, 'second-wrong');
    const r = await runCli(['load', 'run', ...base, '--users-csv', csv, '--profile', 'smoke', '--audit-timeout', '5', '--out', out]);
    const all = r.stdout + r.stderr;
    assert.is(r.code, 2, all);
    assert.match(r.stdout, /^FAIL/m);
    // the worker with the wrong password is named (the real k6 writes it on its reject lines), not the right one
    const why = /HQ refused \d+ requests of mobile workers \(401[^)]*\): check the workers' credentials \(--users-csv \S*workers\.csv: ([^)]*)\)/.exec(all);
    assert.ok(why, all);
    assert.is(why![1], b!.username);
    assert.not.match(all, SERVICES, 'wrong credentials blamed a service');
    assert.not.ok(all.includes(a!.password) || all.includes(b!.password), 'a password was printed');
  } finally {
    await sim.stop();
  }
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
