// Preflight before blame: a wrong setting is reported as configuration, naming the flag or variable
// to fix, with no service suspected and nothing else run; a service reported down ends the run fast.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runVerify, likelyAtFault, type VerifyReport } from '../index.ts';
import { sim, targetOf, fast } from './helpers.ts';

function configurationFailure(r: VerifyReport, flag: RegExp): void {
  const pre = r.steps.find((x) => x.id === '00-preflight')!;
  assert.is(r.decision.verdict, 'NOT READY', r.decision.summary);
  assert.is(r.decision.cause, 'configuration', r.decision.summary);
  assert.equal(r.decision.suspects, [], 'no service may be blamed for a configuration problem');
  assert.not.match(r.decision.summary, /most likely at fault/);
  assert.is(pre.status, 'fail');
  assert.match(pre.reason!, flag);
  assert.is(pre.reason!.split('\n').length, 1);
  // Nothing after the preflight ran against a misconfigured target.
  for (const st of r.steps.filter((x) => x.id !== '00-preflight' && x.id !== '12-cleanup')) {
    assert.is(st.status, 'skip', `${st.id} ran: ${st.reason}`);
    assert.is(st.blockedBy, '00-preflight', st.id);
  }
}

test('wrong web password, wrong domain, wrong worker password → configuration, naming the setting', async () => {
  const s = await sim();
  try {
    const t = targetOf(s);
    configurationFailure(await runVerify({ ...t, web: { ...t.web!, password: 'not-the-password' } }, fast(s)), /^--web-username\/--web-password \(CCHQ_WEB_USERNAME\/CCHQ_WEB_PASSWORD\): HQ refused the web user/);
    configurationFailure(await runVerify({ ...t, domain: 'no-such-project' }, fast(s)), /^--domain \(CCHQ_DOMAIN\): project space "no-such-project" does not exist/);
    configurationFailure(await runVerify({ ...t, mobile: { ...t.mobile!, password: 'wrong' } }, fast(s)), /^--username\/--password \(CCHQ_USERNAME\/CCHQ_PASSWORD\): HQ refused the mobile worker/);
    // Both users wrong: both named, on one line.
    const both = await runVerify({ ...t, web: { ...t.web!, password: 'wrong-web-pw' }, mobile: { ...t.mobile!, password: 'wrong-mobile-pw' } }, fast(s));
    configurationFailure(both, /--web-username.*; --username\/--password/);
    // No secret in what is reported.
    assert.not.ok(/wrong-web-pw|wrong-mobile-pw/.test(JSON.stringify(both)), 'a password reached the report');
  } finally {
    await s.stop();
  }
});

test('no server at the URL, and a server that is not CommCare HQ → configuration, --target named', async () => {
  const other: Server = createServer((_q, res) => res.end('hello from some other app'));
  const port = await new Promise<number>((r) => other.listen(0, '127.0.0.1', () => r((other.address() as AddressInfo).port)));
  const s = await sim();
  try {
    const t = targetOf(s);
    configurationFailure(await runVerify({ ...t, url: 'http://127.0.0.1:9' }, fast(s)), /^--target \(CCHQ_URL\): nothing is listening at http:\/\/127\.0\.0\.1:9/);
    const notHq = await runVerify({ ...t, url: `http://127.0.0.1:${port}` }, fast(s));
    configurationFailure(notHq, /^--target \(CCHQ_URL\): http:\/\/127\.0\.0\.1:\d+ does not look like CommCare HQ \(serverup\.txt answered 200 "hello from some other app"/);
  } finally {
    other.close();
    await s.stop();
  }
});

test('Celery down at default settings → NOT READY naming celery within 120 s; the steps needing it are not waited out', async () => {
  const s = await sim({ faults: { celery: { mode: 'down' } } });
  try {
    const started = Date.now();
    // Default timeouts (export and bulk upload would each wait 300 s for Celery).
    const r = await runVerify(targetOf(s));
    const ms = Date.now() - started;
    assert.ok(ms < 120_000, `took ${ms} ms`);
    assert.is(r.decision.verdict, 'NOT READY');
    assert.is(likelyAtFault(r.decision.suspects)[0], 'celery', r.decision.summary);
    assert.is(r.decision.cause, undefined);
    for (const id of ['09-export-odata', '10-bulk-upload']) {
      const st = r.steps.find((x) => x.id === id)!;
      assert.is(st.status, 'skip', id);
      assert.match(st.reason!, /not run: celery reported failing by 02-service-health/);
    }
    // The restore does not need Celery (only async restores do): it still ran.
    assert.is(r.steps.find((x) => x.id === '07-restore')!.status, 'pass');
  } finally {
    await s.stop();
  }
});

test.run();
