// Credentials stay with the target during a load run (issue 11): the same hostile front as verify's
// test (fixtures/hq-sim/test/hostile-front.ts) sits between ccready and the stand-in on loopback.
// It answers some of k6's mobile requests with a redirect to another origin, points the Form API's
// "next page" links there, and (second test) redirects the User API and the Form API there. The
// other origin must never see a worker's or the web user's password, the API key or a cookie.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { IncomingMessage } from 'node:http';
import { resolveTarget } from '../../common/target.ts';
import { foreignOrigin, hostileFront } from '../../fixtures/hq-sim/test/hostile-front.ts';
import { runLoad } from '../index.ts';
import { auditForms, listFormIds } from '../audit.ts';
import { createUsers, deleteUsers } from '../users.ts';
import { nextOut, withSim } from './helpers.ts';

/** Every third mobile request (a submission or a sync) of the run. */
function everyThirdMobileRequest() {
  let n = 0;
  return (req: IncomingMessage) => /\/(receiver|phone\/restore)\//.test(req.url ?? '') && ++n % 3 === 0;
}

test('load run: k6 does not follow a redirect to another origin, the audit ignores foreign next links, workers are made and removed on the target only', async () => {
  await withSim({}, async (sim) => {
    const foreign = await foreignOrigin();
    const front = await hostileFront(sim.url, foreign.url, { redirect: everyThirdMobileRequest() });
    try {
      const target = resolveTarget({ target: front.url }, sim.env());
      const before = sim.stats().domains[sim.domain];
      const lines: string[] = [];
      const r = await runLoad({ target, profile: 'smoke', scenario: 'submit', out: nextOut(), createUsers: 2, auditTimeoutS: 10, onProgress: (l) => lines.push(l) });
      assert.ok(front.redirected() >= 3, `the front redirected ${front.redirected()} requests`);
      // The created workers' passwords are not known here; any Authorization header counts.
      const secrets = [sim.web.password, sim.web.apiKey, sim.mobile.password, ...sim.users.map((u) => u.password)];
      assert.equal(foreign.credentialed(secrets).map((x) => `${x.method} ${x.path}`), [], 'a credential reached the other origin');
      // k6 saw the redirect as the answer (a failed request), and said so.
      assert.match(r.notes.join('\n'), /submission 307 ×\d+/, r.notes.join(' / '));
      // Forms that went through were acknowledged and audited through the same front.
      assert.ok(r.acknowledged >= 5, `acknowledged ${r.acknowledged}`);
      assert.is(r.audit.checked, true, r.audit.note);
      assert.is(r.lost, 0);
      assert.is(sim.stats().domains[sim.domain].forms - before.forms, r.acknowledged);
      // The two workers were created and removed again through the front, on the target.
      assert.match(lines.join('\n'), /creating 2 mobile workers through the User API/);
      assert.not.match(lines.join('\n'), /could not remove/);
    } finally {
      front.server.close();
      foreign.server.close();
    }
  });
});

test('the audit and the User API refuse a redirect to another origin with the web user’s credentials, naming HQ’s site address', async () => {
  await withSim({}, async (sim) => {
    const foreign = await foreignOrigin();
    const front = await hostileFront(sim.url, foreign.url, { redirect: (req) => /\/api\//.test(req.url ?? '') });
    try {
      for (const apiKey of [undefined, sim.web.apiKey]) {
        const target = { ...resolveTarget({ target: front.url }, sim.env()), apiKey };
        let err: unknown;
        await listFormIds(target, new Date()).catch((e) => (err = e));
        assert.match(String((err as Error)?.message), new RegExp(`HQ's site address .* must be ${front.url.replace(/\./g, '\\.')}`));
        const audit = await auditForms({ target, acked: [{ formId: 'f1', instanceId: 'f1' }], since: new Date(), timeoutS: 1, pollS: 0.2 });
        assert.is(audit.checked, false);
        assert.is(audit.failed, true);
        assert.match(audit.note!, /HQ's site address/);
        let created: unknown;
        await createUsers(target, 1, 'hostile-run-1').catch((e) => (created = e));
        assert.match(String((created as Error)?.message), /User API answered 307/);
        assert.equal(await deleteUsers(target, ['some-id']), ['some-id']);
      }
      assert.ok(front.redirected() >= 6);
      const secrets = [sim.web.password, sim.web.apiKey];
      assert.equal(foreign.credentialed(secrets).map((x) => `${x.method} ${x.path}`), [], 'a credential reached the other origin');
    } finally {
      front.server.close();
      foreign.server.close();
    }
  });
});

test.run();
