// The gate: waits for serverup with backoff (progress reported), runs verify and the real k6 smoke
// profile + integrity audit, decides once; a server that never comes up or loses forms is NOT READY.
import { test } from 'uvu';
import { runLoad } from '../../loadtests/index.ts';
import * as assert from 'uvu/assert';
import { mkdtempSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runGate, backoffDelay, waitForServerUp, connectProblem, type LoadRunner } from '../index.ts';
import { HttpError } from '../http.ts';
import { UsageError } from '../../common/errors.ts';
import { execFileSync } from 'node:child_process';
import { createServer as createHttps } from 'node:https';
import type { AddressInfo } from 'node:net';
import { writeVerifyReports } from '../../reports/verify-files.ts';
import { sim, targetOf, fast } from './helpers.ts';

test('backoff doubles from the initial delay and is capped', () => {
  assert.equal([0, 1, 2, 3, 4, 5, 10].map((n) => backoffDelay(n, 500, 5000)), [500, 1000, 2000, 4000, 5000, 5000, 5000]);
});

test('wait: a server that comes up late is waited for, with progress on every poll', async () => {
  const s = await sim({ faults: { postgres: { mode: 'down' } } });
  try {
    const polls: string[] = [];
    setTimeout(() => s.setFault('postgres', { mode: 'up' }), 700);
    const r = await waitForServerUp(s.url, { timeoutMs: 10_000, initialMs: 200, maxMs: 400, onPoll: (p) => polls.push(`${p.attempt} ${p.status}`) });
    assert.is(r.status, 'pass');
    assert.ok(polls.length >= 2, `only ${polls.length} polls before the server came up`);
    assert.match(polls[0], /^1 500 Failed Checks .*postgres/);
    // It waited for the fault to clear and returned well before its own timeout (a loose bound: shared CI machines are slow).
    assert.ok(r.durationMs >= 650 && r.durationMs < 9000, `waited ${r.durationMs} ms`);
  } finally {
    await s.stop();
  }
});

test('gate: a server that never comes up → NOT READY within the wait timeout, nothing else run', async () => {
  const s = await sim({ faults: { couch: { mode: 'down' } } });
  try {
    let loadRan = false;
    const started = Date.now();
    const r = await runGate(targetOf(s), { ...fast(s), outDir: mkdtempSync(join(tmpdir(), 'ccready-gate-')), waitTimeoutMs: 1200, waitInitialMs: 200, waitMaxMs: 400, loadRunner: async () => ((loadRan = true), Promise.reject(new Error('must not run'))) });
    assert.ok(Date.now() - started < 8000, 'gave up long after the 1.2 s wait');
    assert.is(r.decision.verdict, 'NOT READY');
    assert.equal(r.decision.failing, ['00-wait-serverup']);
    assert.match(r.steps[0].reason!, /server not up within 1 s \(last: 500 Failed Checks .*couch/);
    assert.is(r.steps.length, 3, 'no verify steps after a failed wait');
    assert.not.ok(loadRan);
  } finally {
    await s.stop();
  }
});

test('gate: an untrusted certificate → NOT READY at once (no waiting it out), cause configuration, --ca/--insecure named', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ccready-gate-tls-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem'), '-days', '2', '-subj', '/CN=untrusted', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  const server = createHttps({ key: readFileSync(join(dir, 'k.pem')), cert: readFileSync(join(dir, 'c.pem')) }, (_q, res) => res.end('success'));
  const port = await new Promise<number>((r) => server.listen(0, '127.0.0.1', () => r((server.address() as AddressInfo).port)));
  try {
    const started = Date.now();
    const r = await runGate({ url: `https://127.0.0.1:${port}`, domain: 'd' }, { ...fast(), outDir: join(dir, 'out'), waitTimeoutMs: 60_000, loadRunner: false });
    assert.ok(Date.now() - started < 20_000, 'waited out a certificate that will not become trusted');
    assert.is(r.decision.verdict, 'NOT READY');
    assert.is(r.decision.cause, 'configuration');
    assert.equal(r.decision.suspects, []);
    assert.match(r.steps[0].reason!, /^--ca \/ --insecure: the certificate of https:\/\/127\.0\.0\.1:\d+ is not trusted/);
  } finally {
    server.close();
  }
  // A name that does not resolve names --target (checked on the error alone: no DNS query is sent).
  assert.match(connectProblem(new HttpError('x', 'ENOTFOUND'), { url: 'https://hq.example.org' })!, /^--target \(CCHQ_URL\): host "hq\.example\.org" not found/);
});

test('gate: healthy stand-in → READY with the real k6 smoke run and integrity audit; reports written', async () => {
  const s = await sim();
  const out = mkdtempSync(join(tmpdir(), 'ccready-gate-'));
  try {
    const waits: string[] = [];
    const r = await runGate(targetOf(s), { ...fast(s), outDir: out, waitTimeoutMs: 5000, onWait: (m) => waits.push(m), loadRunner: runLoad });
    assert.is(r.kind, 'gate');
    assert.is(r.decision.verdict, 'READY', r.decision.summary + '\n' + JSON.stringify(r.steps.filter((x) => x.status === 'fail'), null, 1));
    const smoke = r.steps.find((x) => x.id === '13-load-smoke')!;
    const audit = r.steps.find((x) => x.id === '14-integrity-audit')!;
    assert.is(smoke.status, 'pass');
    assert.is(audit.status, 'pass');
    assert.ok(audit.metrics!.acknowledged > 0 && audit.metrics!.lost === 0);
    assert.ok(existsSync(join(out, 'load')), 'the load report goes inside the gate run folder');
    writeVerifyReports(r, out);
    const junit = readFileSync(join(out, 'junit.xml'), 'utf8');
    assert.is((junit.match(/<testcase /g) ?? []).length, 16);
  } finally {
    await s.stop();
  }
});

test('gate: lost forms or a load test that cannot run → NOT READY, never a fake pass', async () => {
  const s = await sim();
  try {
    const lossy: LoadRunner = async (o) => ({ runId: 'x', reportDir: o.out, exitCode: 1, thresholdsOk: true, lost: 2, missingFormIds: ['f1', 'f2'], acknowledged: 40 });
    const r = await runGate(targetOf(s), { ...fast(s), outDir: mkdtempSync(join(tmpdir(), 'ccready-gate-')), waitTimeoutMs: 2000, loadRunner: lossy, only: ['01-reachability-tls'] });
    assert.is(r.decision.verdict, 'NOT READY');
    assert.equal(r.decision.failing, ['14-integrity-audit']);
    assert.match(r.steps.find((x) => x.id === '14-integrity-audit')!.reason!, /2 acknowledged forms are missing: f1, f2/);

    // thresholds met but k6 did 14 of 50 planned iterations: the load run's judgement, not thresholds alone
    const short: LoadRunner = async (o) => ({ runId: 'y', reportDir: o.out, exitCode: 1, thresholdsOk: true, complete: false, failures: ['k6 completed 14 of 50 planned iterations (28%, under 95%)'], lost: 0, missingFormIds: [], acknowledged: 14 });
    const c = await runGate(targetOf(s), { ...fast(s), outDir: mkdtempSync(join(tmpdir(), 'ccready-gate-')), waitTimeoutMs: 2000, loadRunner: short, only: ['01-reachability-tls'] });
    const cut = c.steps.find((x) => x.id === '13-load-smoke')!;
    assert.is(cut.status, 'fail');
    assert.match(cut.reason!, /smoke run incomplete: k6 completed 14 of 50 planned iterations/);
    assert.is(c.decision.verdict, r.decision.verdict);

    const broken: LoadRunner = async () => {
      throw new Error('k6 not found: run npm run setup');
    };
    const b = await runGate(targetOf(s), { ...fast(s), outDir: mkdtempSync(join(tmpdir(), 'ccready-gate-')), waitTimeoutMs: 2000, loadRunner: broken, only: ['01-reachability-tls'] });
    assert.is(b.decision.verdict, 'NOT READY');
    const smoke = b.steps.find((x) => x.id === '13-load-smoke')!;
    assert.is(smoke.status, 'fail');
    assert.match(smoke.reason!, /could not run the load test: k6 not found/);

    // the load runner refusing this machine's setup (its UsageError: no k6 installed) asked
    // nothing of the server: NOT READY, the cause named, no service suspected
    const noK6: LoadRunner = async () => {
      throw new UsageError('no k6 found: run `npm run setup`');
    };
    const k = await runGate(targetOf(s), { ...fast(s), outDir: mkdtempSync(join(tmpdir(), 'ccready-gate-')), waitTimeoutMs: 2000, loadRunner: noK6, only: ['01-reachability-tls'] });
    assert.is(k.decision.verdict, 'NOT READY');
    assert.is(k.decision.cause, 'configuration');
    assert.equal(k.decision.suspects, []);
    assert.match(k.decision.summary, /cause: configuration \(could not run the load test: no k6 found/);
    assert.not.match(k.decision.summary, /most likely at fault/);
  } finally {
    await s.stop();
  }
});

test('gate: an audit that could not read the Form API (elasticsearch down) is a failure, not lost = 0', async () => {
  const s = await sim();
  try {
    // Elasticsearch fails once the server is up; the real load runner's k6 still gets its forms
    // accepted, but the Form API cannot confirm any of them.
    const degrading: LoadRunner = async (o) => {
      s.setFault('elasticsearch', { mode: 'down' });
      return runLoad({ ...o, auditTimeoutS: 3 });
    };
    const r = await runGate(targetOf(s), { ...fast(s), outDir: mkdtempSync(join(tmpdir(), 'ccready-gate-')), waitTimeoutMs: 2000, loadRunner: degrading, only: ['01-reachability-tls'] });
    assert.is(r.decision.verdict, 'NOT READY');
    const audit = r.steps.find((x) => x.id === '14-integrity-audit')!;
    assert.is(audit.status, 'fail');
    assert.match(audit.reason!, /could not confirm the forms/);
  } finally {
    await s.stop();
  }
});

test.run();
