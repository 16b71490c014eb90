// verify against the stand-in: healthy → READY in a time budget with complete reports; every
// service fault → NOT READY naming that service; slow pillows → lag measured, timeout respected.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runVerify, likelyAtFault } from '../index.ts';
import { writeVerifyReports } from '../../reports/verify-files.ts';
import { SERVICES } from '../../fixtures/hq-sim/index.ts';
import { sim, targetOf, fast } from './helpers.ts';

test('healthy stand-in → READY within 15 s, every step passes, reports complete and free of secrets', async () => {
  const s = await sim();
  try {
    const started = Date.now();
    const report = await runVerify(targetOf(s), fast(s));
    const ms = Date.now() - started;
    // A hang guard, not a speed test: a shared CI machine can be slow.
    assert.ok(ms < 60_000, `took ${ms} ms`);
    assert.is(report.decision.verdict, 'READY', report.decision.summary);
    assert.is(report.decision.exitCode, 0);
    assert.is(report.steps.length, 13);
    for (const st of report.steps) {
      if (st.id === '11-sms') assert.is(st.status, 'skip');
      else assert.is(st.status, 'pass', `${st.id}: ${st.reason}`);
      assert.ok(st.services.length > 0 || st.id === '00-preflight');
    }
    const lag = report.steps.find((x) => x.id === '08-form-case-api')!.metrics!;
    // Measured from the client's acknowledgement, which a loaded machine can deliver late: the
    // 100 ms pillow delay is not a lower bound here (the slow-pillow test measures a long delay).
    assert.ok(lag.formLagMs >= 0 && lag.caseLagMs >= 0 && lag.caseLagMs < 20_000, `lag ${JSON.stringify(lag)}`);
    // The worker created for the run was retired, and the case closed: nothing left open.
    assert.is(s.server.store.users.get(report.steps.length ? [...s.server.store.users.values()].find((u) => u.username.startsWith('ccready-'))!.id : '')!.deleted, true);
    const dir = mkdtempSync(join(tmpdir(), 'ccready-verify-'));
    writeVerifyReports(report, dir);
    for (const f of ['report.json', 'junit.xml', 'report.md', 'report.html']) assert.ok(existsSync(join(dir, f)), f);
    const junit = readFileSync(join(dir, 'junit.xml'), 'utf8');
    assert.is((junit.match(/<testcase /g) ?? []).length, 13);
    assert.match(junit, /<skipped message="no SMS gateway configured/);
    const json = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
    assert.is(json.decision.verdict, 'READY');
    const all = ['report.json', 'junit.xml', 'report.md', 'report.html'].map((f) => readFileSync(join(dir, f), 'utf8')).join('\n');
    for (const secret of [s.web.password, s.mobile.password, s.web.apiKey]) assert.not.ok(all.includes(secret), 'a password or the API key leaked into the reports');
  } finally {
    await s.stop();
  }
});

test('each backing service down → NOT READY, exit 1, and that service named as most likely at fault', async () => {
  const s = await sim();
  try {
    for (const service of SERVICES) {
      s.setFault(service, { mode: 'down' });
      const r = await runVerify(targetOf(s), fast(s));
      s.setFault(service, { mode: 'up' });
      assert.is(r.decision.verdict, 'NOT READY', `${service}: ${r.decision.summary}`);
      assert.is(r.decision.exitCode, 1);
      assert.is(likelyAtFault(r.decision.suspects)[0], service, `${service}: ${r.decision.summary}`);
      assert.match(r.decision.summary, new RegExp(`most likely at fault: ${service}`));
    }
  } finally {
    await s.stop();
  }
});

test('each backing service failing at a rate (0.9) → NOT READY naming that service first', async () => {
  // serverup.txt?only= is probed in rounds, so an intermittent failure is caught: missing it in all
  // five probes at 0.9 has a probability of 1e-5 per service.
  const s = await sim();
  try {
    for (const service of SERVICES) {
      s.setFault(service, { mode: 'failing', rate: 0.9 });
      const r = await runVerify(targetOf(s), fast(s));
      s.setFault(service, { mode: 'up' });
      assert.is(r.decision.verdict, 'NOT READY', `${service}: ${r.decision.summary}`);
      assert.is(likelyAtFault(r.decision.suspects)[0], service, `${service}: ${r.decision.summary}`);
    }
  } finally {
    await s.stop();
  }
});

test('at 0.5 the health probes still name the failing service, and say it is intermittent', async () => {
  const s = await sim();
  try {
    s.setFault('redis', { mode: 'failing', rate: 0.5 });
    // ?only=redis is asked until it has failed 3 times (or PROBES_PER_SERVICE probes): intermittent, not down.
    let named = 0;
    let intermittent = false;
    for (let i = 0; i < 6; i++) {
      const r = await runVerify(targetOf(s), { ...fast(s), only: ['02-service-health'] });
      const st = r.steps.find((x) => x.id === '02-service-health')!;
      if (st.failedServices?.includes('redis')) named++;
      intermittent ||= st.evidence.some((e) => /only=redis → failed 3\/([4-9]|\d\d) probes \(intermittent\)/.test(e));
    }
    assert.ok(named >= 4, `redis named in ${named} of 6 runs`);
    assert.ok(intermittent, 'an intermittent failure is called so in the evidence');
  } finally {
    await s.stop();
  }
});

test('a slow service: its health check is flagged and it leads the suspects when the lag then fails', async () => {
  const s = await sim();
  try {
    // PostgreSQL +0.9 s on every call: under any absolute threshold, but far above its peers.
    s.setFault('postgres', { mode: 'slow', delayMs: 900 });
    const health = await runVerify(targetOf(s), { ...fast(s), only: ['02-service-health'] });
    const st = health.steps.find((x) => x.id === '02-service-health')!;
    assert.is(st.status, 'warn', st.reason);
    assert.match(st.reason!, /slow service checks: postgres (9\d\d|1\d{3}) ms against a typical \d+ ms/);
    assert.equal(st.slowServices, ['postgres']);
    assert.is(health.decision.verdict, 'PARTIAL');
    assert.match(health.decision.summary, /slow: postgres/);
    s.setFault('postgres', { mode: 'up' });

    s.setFault('elasticsearch', { mode: 'slow', delayMs: 1100 });
    const r = await runVerify(targetOf(s), { ...fast(s), lagTimeoutMs: 900, only: ['02-service-health', '04-mobile-worker', '06-submit-forms', '08-form-case-api'] });
    assert.is(r.steps.find((x) => x.id === '08-form-case-api')!.status, 'fail');
    assert.is(likelyAtFault(r.decision.suspects)[0], 'elasticsearch', r.decision.summary);
  } finally {
    await s.stop();
  }
});

test('a service that hangs past the request timeout: serverup.txt hangs too, the checks one at a time name it, once each', async () => {
  const s = await sim();
  try {
    s.setFault('couch', { mode: 'slow', delayMs: 4000 });
    const started = Date.now();
    const r = await runVerify(targetOf(s), { ...fast(s), requestTimeoutMs: 700, only: ['02-service-health'] });
    const ms = Date.now() - started;
    const st = r.steps.find((x) => x.id === '02-service-health')!;
    assert.is(st.status, 'fail', st.reason);
    assert.equal(st.failedServices, ['couch'], st.reason);
    const ev = st.evidence.join('\n');
    assert.match(ev, /GET \/serverup\.txt: no answer .* within 700 ms; checking each service alone/);
    assert.match(ev, /only=couch → failed 1\/1 probes: no answer/);
    assert.match(ev, /only=redis → 200 in (\d+)\/\1 probes/);
    // The preflight's calls, serverup.txt, one couch probe and the login page each wait 700 ms at most;
    // "failed 1/1" above shows couch was not asked again. The bound only catches a runaway wait.
    assert.ok(ms < 12_000, `took ${ms} ms`);
    assert.is(likelyAtFault(r.decision.suspects)[0], 'couch', r.decision.summary);
  } finally {
    await s.stop();
  }
});

test('a failing elasticsearch is found from the steps alone when serverup is not run', async () => {
  // Reasoning across steps: login passes (postgres, couch, redis fine), listings fail → elasticsearch.
  const s = await sim();
  try {
    s.setFault('elasticsearch', { mode: 'down' });
    const r = await runVerify(targetOf(s), { ...fast(s), only: ['03-web-login', '04-mobile-worker', '06-submit-forms', '07-restore', '08-form-case-api', '09-export-odata'] });
    assert.is(r.decision.verdict, 'NOT READY');
    assert.is(likelyAtFault(r.decision.suspects)[0], 'elasticsearch', r.decision.summary);
  } finally {
    await s.stop();
  }
});

test('slow pillows: the lag is measured and reported; a lag over the timeout fails within the timeout', async () => {
  const s = await sim({ pillowDelayMs: 1200 });
  try {
    const only = ['04-mobile-worker', '06-submit-forms', '08-form-case-api'];
    const ok = await runVerify(targetOf(s), { ...fast(s), lagTimeoutMs: 4000, only });
    const step = ok.steps.find((x) => x.id === '08-form-case-api')!;
    assert.is(step.status, 'pass', step.reason);
    // At least the 1.2 s pillow delay, less what a loaded machine adds before the client sees the acknowledgement.
    assert.ok(step.metrics!.caseLagMs >= 900 && step.metrics!.caseLagMs < 4000, `lag ${step.metrics!.caseLagMs}`);
    // The lag is found by polling: at least the pillow delay, reported as measured.
    assert.match(step.evidence.join('\n'), new RegExp(`Case API had the updated case after ${step.metrics!.caseLagMs} ms`));

    const slow = await runVerify(targetOf(s), { ...fast(s), lagTimeoutMs: 600, only });
    const late = slow.steps.find((x) => x.id === '08-form-case-api')!;
    assert.is(late.status, 'fail');
    assert.match(late.reason!, /within 600 ms/);
    // Bounded by the timeout plus one poll and one request, with room for a slow shared machine.
    assert.ok(late.durationMs < 600 + 4000, `waited ${late.durationMs} ms for a 600 ms timeout`);
    assert.is(slow.decision.verdict, 'NOT READY');
    // Health is green and the listing of users works: the pillows (Kafka) are the lead.
    assert.is(likelyAtFault(slow.decision.suspects)[0], 'kafka', slow.decision.summary);
  } finally {
    await s.stop();
  }
});

test('without a web user the steps that need one are skipped as not verified → NOT READY, no service blamed', async () => {
  const s = await sim();
  try {
    const t = targetOf(s);
    delete t.web;
    const r = await runVerify(t, fast(s));
    assert.is(r.decision.verdict, 'NOT READY');
    assert.ok(r.decision.unverified.includes('03-web-login'));
    assert.is(r.steps.find((x) => x.id === '06-submit-forms')!.status, 'pass', 'the configured mobile worker still submits');
    assert.is(r.steps.find((x) => x.id === '07-restore')!.status, 'pass');
    assert.equal(r.decision.suspects, []);
  } finally {
    await s.stop();
  }
});

test.run();
