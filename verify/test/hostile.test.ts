// Credentials stay with the target: a hostile front (a test-only proxy on loopback, shared with the
// load run's test in loadtests/test/hostile.test.ts) rewrites every link and redirect the stand-in
// hands out to another origin, and adds "next page" links that point there. A second server on that
// origin records every request it gets. Across verify, canary and gate (its k6 smoke run and audit
// included), no request carrying a
// password, an API key or the session cookie may reach it; the links are reported as HQ's site
// address being misconfigured, with no service blamed for them.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runVerify, runGate, canaryWrite, canaryCheck } from '../index.ts';
import { runLoad } from '../../loadtests/index.ts';
import { HqClient, ForeignOriginError } from '../http.ts';
import { resolveTarget, redact } from '../../common/target.ts';
import { sim, targetOf, fast } from './helpers.ts';
import { foreignOrigin, hostileFront } from '../../fixtures/hq-sim/test/hostile-front.ts';

test('hostile links: no credential or session cookie reaches another origin from verify, canary or gate', async () => {
  const s = await sim();
  const foreign = await foreignOrigin();
  const front = await hostileFront(s.url, foreign.url);
  const dir = mkdtempSync(join(tmpdir(), 'ccready-hostile-'));
  try {
    const t = targetOf(s, front.url);
    const v = await runVerify(t, fast(s));
    assert.is(v.decision.verdict, 'NOT READY', v.decision.summary);
    const refused = v.steps.filter((x) => x.reason?.includes("HQ's site address"));
    assert.ok(refused.length >= 1, `no step met a foreign link: ${v.steps.map((x) => `${x.id} ${x.status} ${x.reason ?? ''}`).join('\n')}`);
    for (const st of refused) assert.is(st.cause, 'configuration', st.id);
    assert.match(refused[0].reason!, new RegExp(`must be ${front.url.replace(/\./g, '\\.')}`));

    const manifestPath = join(dir, 'canary.json');
    await canaryWrite(t, { ...fast(s), manifestPath, count: 1 });
    await canaryCheck(t, { ...fast(s), manifestPath }).catch(() => undefined);

    // The gate with the load runner the CLI gives it (loadtests' runLoad): its wait, its verify, and
    // its k6 smoke run and integrity audit all go through the front.
    const g = await runGate(t, { ...fast(s), outDir: join(dir, 'gate'), waitTimeoutMs: 3000, loadRunner: runLoad });
    assert.is(g.decision.verdict, 'NOT READY');
    const smoke = g.steps.find((x) => x.id === '13-load-smoke')!;
    assert.ok(smoke.evidence.some((e) => /^load run /.test(e)), `the smoke run did not run: ${smoke.reason ?? ''}`);

    assert.equal(
      foreign.credentialed().map((r) => r.path),
      [],
      'credentials or the session cookie reached the other origin',
    );
  } finally {
    front.server.close();
    foreign.server.close();
    await s.stop();
  }
});

test('the client refuses to carry credentials off the target origin, including a downgrade to plain HTTP', async () => {
  const foreign = await foreignOrigin();
  try {
    const c = new HqClient('https://127.0.0.1:9');
    const auth = { username: 'u', password: 'secret-pw' };
    for (const link of [`${foreign.url}/a/demo/api/user/v1/`, 'http://127.0.0.1:9/a/demo/api/user/v1/']) {
      let err: unknown;
      try {
        await c.get(link, { auth });
      } catch (e) {
        err = e;
      }
      assert.instance(err, ForeignOriginError, link);
      assert.match((err as Error).message, /HQ's site address \(BASE_ADDRESS and DEFAULT_PROTOCOL in its settings\) must be https:\/\/127\.0\.0\.1:9/);
    }
    await c.close();
    // Without credentials a link elsewhere (a CDN for static files) may be fetched.
    const plain = new HqClient('http://127.0.0.1:9');
    assert.is((await plain.get(`${foreign.url}/static/x.css`)).status, 200);
    await plain.close();
    assert.is(foreign.credentialed().length, 0);
  } finally {
    foreign.server.close();
  }
});

test('credentials in the URL: accepted with a warning, removed from the URL, redacted as whole values', () => {
  const t = resolveTarget({ target: 'https://admin%40example.org:s3cret-pass@hq.example.org/', domain: 'qa' }, {});
  assert.is(t.url, 'https://hq.example.org');
  assert.equal(t.web, { username: 'admin@example.org', password: 's3cret-pass' });
  assert.match(t.warnings![0], /credentials in the URL are removed/);
  assert.is(redact('GET https://hq.example.org with s3cret-pass and s3cret-pass-longer', t), 'GET https://hq.example.org with *** and ***-longer');
  // A web user given explicitly wins; the URL's password is still redacted.
  const both = resolveTarget({ target: 'http://x:url-only-pw@127.0.0.1:8000', domain: 'qa', webUsername: 'a', webPassword: 'flag-pw' }, {});
  assert.is(both.web!.password, 'flag-pw');
  assert.is(redact('url-only-pw', both), '***');
  // A longer secret that contains a shorter one is replaced whole.
  assert.is(redact('abcdef', { mobile: { username: 'm', password: 'abc' }, web: { username: 'w', password: 'abcdef' } }), '***');
  // A bad URL never echoes the password.
  let msg = '';
  try {
    resolveTarget({ target: 'ftp://u:hidden-pw@h', domain: 'qa' }, {});
  } catch (e) {
    msg = (e as Error).message;
  }
  assert.match(msg, /--target: expected an http\(s\) URL/);
  assert.not.match(msg, /hidden-pw/);
});

test.run();
