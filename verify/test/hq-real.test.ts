// verify against a stand-in as strict as HQ: each path HQ answers differently from our old guess of
// it, and what verify now reports. Old verify passed a Formplayer that cannot submit (READY), read a
// throttled API as a broken service, and called a 2FA account a wrong password.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runVerify, likelyAtFault } from '../index.ts';
import { sim, targetOf, fast } from './helpers.ts';
import { PROBES_PER_SERVICE } from '../serverup.ts';

const step = (r: Awaited<ReturnType<typeof runVerify>>, id: string) => r.steps.find((x) => x.id === id)!;

test('a Formplayer that cannot submit to HQ (its /serverup and HQ\'s check still pass) → NOT READY naming formplayer', async () => {
  const s = await sim({ faults: { formplayer: { mode: 'failing', rate: 1 } } });
  try {
    const r = await runVerify(targetOf(s), fast(s));
    assert.is(r.decision.verdict, 'NOT READY', r.decision.summary);
    const st = step(r, '05-app-formplayer');
    assert.is(st.status, 'fail');
    assert.ok(st.evidence.some((e) => /serverup\.txt\?only=formplayer → 200/.test(e)), 'HQ\'s own check passed');
    assert.match(String(st.reason), /Formplayer/);
    assert.is(likelyAtFault(r.decision.suspects)[0], 'formplayer', r.decision.summary);
  } finally {
    await s.stop();
  }
});

test('a Formplayer failing 10 % of its restores: the first walk through the app passes, the probes of the menu start catch it, naming formplayer', async () => {
  // Seeded: the stand-in's formplayer stream lets the first menu start through, so only the probes see the failures.
  const s = await sim({ seed: 2, faults: { formplayer: { mode: 'failing', rate: 0.1 } } });
  try {
    const r = await runVerify(targetOf(s), { ...fast(s), only: ['01-reachability-tls', '04-mobile-worker', '05-app-formplayer'] });
    const st = step(r, '05-app-formplayer');
    assert.is(st.status, 'fail', st.evidence.join('\n'));
    assert.ok(st.evidence.some((e) => /Formplayer opened/.test(e)), 'the first menu start passed');
    assert.match(String(st.reason), /Formplayer navigate_menu_start failed 3\/\d+ probes \(intermittent\): .*Unable to restore user/);
    assert.equal(st.failedServices, ['formplayer']);
  } finally {
    await s.stop();
  }
});

test('healthy: the Web Apps form is opened, filled, submitted and seen in the Form API', async () => {
  const s = await sim();
  try {
    const r = await runVerify(targetOf(s), { ...fast(s), only: ['01-reachability-tls', '04-mobile-worker', '05-app-formplayer'] });
    const st = step(r, '05-app-formplayer');
    assert.is(st.status, 'pass', st.reason);
    assert.ok(st.evidence.some((e) => new RegExp(`Formplayer navigate_menu_start → ok in ${PROBES_PER_SERVICE}/${PROBES_PER_SERVICE} probes`).test(e)), st.evidence.join('\n'));
    assert.ok(st.evidence.some((e) => /Formplayer submit-all → success/.test(e)), st.evidence.join('\n'));
    assert.ok(st.evidence.some((e) => /the Web Apps form arrived/.test(e)));
    assert.ok(step(r, '04-mobile-worker').evidence.some((e) => /the server names the worker ccready-.*@demo\.commcarehq\.org/.test(e)), 'the username as the server has it');
  } finally {
    await s.stop();
  }
});

test('429 storm: HQ\'s API throttle is waited out (Retry-After or back-off) and the run is READY', async () => {
  const s = await sim({ throttle: { second: 1 } });
  try {
    // The waits count against the (short) test lag bound, so the lag warning may show: still no failure.
    const r = await runVerify(targetOf(s), { ...fast(s), lagTimeoutMs: 8000 });
    assert.is(r.decision.verdict, 'READY', `${r.decision.summary}: ${r.steps.filter((x) => x.status !== 'pass').map((x) => `${x.id} ${x.reason}`).join('; ')}`);
    const evidence = r.steps.flatMap((x) => x.evidence).join('\n');
    assert.match(evidence, /throttled \(429\) \d+ times?, waited \d+ ms as HQ asked/);
    assert.ok(s.stats().byStatus['429'] > 0, 'the stand-in did throttle');
  } finally {
    await s.stop();
  }
});

test('a throttle that never lifts within the bound is reported as throttling, never as a failed service', async () => {
  const s = await sim({ throttle: { second: 1, minute: 3 } });
  try {
    const r = await runVerify(targetOf(s), { ...fast(s), throttleWaitMs: 1500 });
    assert.is(r.decision.verdict, 'NOT READY');
    const throttledSteps = r.steps.filter((x) => /429 Too Many Requests .* API rate limit \(throttling\), not a failed service/.test(x.reason ?? ''));
    assert.ok(throttledSteps.length > 0, r.steps.map((x) => `${x.id}: ${x.reason}`).join('\n'));
    for (const st of throttledSteps) assert.equal(st.failedServices ?? [], [], `${st.id} names no service`);
  } finally {
    await s.stop();
  }
});

test('2FA web user: without an API key the APIs say "needs 2FA: use an API key", never "wrong password"; with one they pass', async () => {
  const s = await sim({ web2fa: true });
  try {
    // The preflight asks the User API first, as the run would: it names the 2FA account and the fix.
    const noKey = await runVerify({ ...targetOf(s), apiKey: undefined }, { ...fast(s), only: ['04-mobile-worker'] });
    const st = step(noKey, '00-preflight');
    assert.is(st.status, 'fail');
    assert.match(String(st.reason), /two-factor authentication.*this account needs 2FA: use an API key/);
    assert.not.match(String(st.reason), /wrong|username or password/i);
    assert.is(noKey.decision.verdict, 'NOT READY');
    const withKey = await runVerify(targetOf(s), { ...fast(s), only: ['04-mobile-worker', '06-submit-forms', '08-form-case-api'] });
    for (const id of ['04-mobile-worker', '06-submit-forms', '08-form-case-api']) assert.is(step(withKey, id).status, 'pass', `${id}: ${step(withKey, id).reason}`);
    const login = await runVerify(targetOf(s), { ...fast(s), only: ['03-web-login'] });
    assert.match(String(step(login, '03-web-login').reason), /two-factor authentication: the login asks for a token/);
  } finally {
    await s.stop();
  }
});

test('a wrong app id: the downloads answer 404 as in HQ and verify names the app id', async () => {
  const s = await sim();
  try {
    const r = await runVerify({ ...targetOf(s), appId: '0123456789abcdef0123456789abcdef' }, { ...fast(s), only: ['05-app-formplayer'] });
    // The old stand-in redirected (302) and accepted the id in restores: a wrong id passed rehearsals.
    assert.match(String(step(r, '00-preflight').reason), /CCHQ_APP_ID.*0123456789abcdef0123456789abcdef.*404/);
  } finally {
    await s.stop();
  }
});

test.run();
