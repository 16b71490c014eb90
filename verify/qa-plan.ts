// The twelve steps of CommCare's "Testing your new CommCare Environment" QA plan, automated. Each
// names the services it exercises (new_environment_qa.rst's mapping), so failures can be reasoned
// about across steps in decide.ts.
import { randomBytes } from 'node:crypto';
import { isLoopback } from '../common/target.ts';
import { checkTls, checkHttpRedirect } from './tls.ts';
import type { StepDef, Recorder } from './step.ts';
import type { VerifyContext, Worker } from './context.ts';
import { domainPath, mobileUsername, sleep } from './context.ts';
import { HttpError, type HttpResponse } from './http.ts';
import { needWeb, short, json, webLogin } from './web.ts';
import { SERVERUP_CHECKS, type Service } from './types.ts';
import { followUpForm, registrationForm, restoreCaseIds, restoreId } from './forms.ts';
import { caseExportAndOData } from './export.ts';
import { bulkUserUpload } from './bulk.ts';
import { api } from './api.ts';
import { webAppsEndToEnd } from './webapps.ts';
import { asService, checkServicesLines, median, serverupFailures, slowChecks, FAILURES_ENOUGH, MIN_PROBES, PROBES_PER_SERVICE, PROBE_BUDGET_MS, SLOW_CHECK_MS } from './serverup.ts';
import { configuredWorker, findUser, learnUserId, restore, submit } from './mobile.ts';
import { cleanup } from './cleanup.ts';
import { preflight } from './preflight.ts';

type Step = StepDef<VerifyContext>;

/** Needs an earlier step; skips (blocked) when it did not pass. */
function needs(ctx: VerifyContext, rec: Recorder, stepId: string, what: string): void {
  if (!ctx.state.passed.has(stepId)) rec.skip(`needs ${what} (step ${stepId} did not pass)`, stepId);
}



export const STEPS: Step[] = [
  {
    id: '00-preflight',
    title: 'Preflight: reachable, trusted, CommCare HQ, project, users and app as configured',
    services: [],
    required: true,
    cause: 'configuration',
    async run(ctx: VerifyContext, rec: Recorder) {
      const p = await preflight(ctx.target, { client: ctx.client });
      for (const e of p.evidence) rec.see(e);
      for (const problem of p.problems) rec.see(`configuration: ${problem}`);
      if (p.problems.length) rec.fail(p.problems.join('; '));
    },
  },
  {
    id: '01-reachability-tls',
    title: 'Reachability and TLS',
    services: ['nginx'],
    required: true,
    async run(ctx: VerifyContext, rec: Recorder) {
      const url = new URL(ctx.target.url);
      const reach = async () => {
        const res = await ctx.client.get('/serverup.txt');
        rec.see(`GET /serverup.txt → ${res.status} (${res.ms} ms)`);
        if (res.headers.date) {
          const skew = Date.parse(res.headers.date) - Date.now();
          if (Number.isFinite(skew)) ctx.state.clockSkewMs = skew;
        }
      };
      if (url.protocol === 'http:') {
        await reach();
        if (isLoopback(ctx.target.url)) {
          rec.see('plain HTTP on loopback: TLS is not checked (rehearsal or test target)');
          return;
        }
        rec.fail('target is plain HTTP: the go-live checklist requires HTTPS with a valid certificate');
      }
      // The certificate first: an untrusted one would otherwise only show up as a connection error.
      const tls = await checkTls(url, { ca: ctx.target.tls?.ca, timeoutMs: ctx.opts.requestTimeoutMs });
      rec.see(`certificate: subject ${tls.subject}, issuer ${tls.issuer}, valid until ${tls.validTo} (${tls.daysLeft} days)`);
      rec.metric('certDaysLeft', tls.daysLeft);
      if (tls.daysLeft < 0) rec.fail(`certificate expired ${-tls.daysLeft} days ago`);
      const problems = [tls.hostError, tls.trustError].filter((p): p is string => !!p);
      if (problems.length) {
        if (ctx.target.tls?.insecure) rec.warn(`certificate not valid (${problems.join('; ')}), accepted because --insecure was given`);
        else rec.fail(`certificate not valid: ${problems.join('; ')} (use --ca FILE for a private CA, or --insecure to accept it)`);
      } else rec.see(`certificate valid for ${url.hostname}`);
      if (tls.daysLeft < ctx.opts.certWarnDays) rec.warn(`certificate expires in ${tls.daysLeft} days (< ${ctx.opts.certWarnDays})`);
      await reach();
      const redirect = await checkHttpRedirect(ctx.opts.httpUrl ?? `http://${url.hostname}`, ctx.opts.requestTimeoutMs);
      rec.see(redirect.evidence);
      if (!redirect.ok) rec.warn(redirect.evidence);
    },
  },
  {
    id: '02-service-health',
    title: 'Service health (serverup.txt, each service alone, check_services)',
    services: ['django', ...SERVERUP_CHECKS],
    required: true,
    shallow: true,
    async run(ctx: VerifyContext, rec: Recorder) {
      let all: HttpResponse | undefined;
      try {
        all = await ctx.client.get('/serverup.txt');
      } catch (e) {
        // A backing service that hangs makes the whole check set hang: the checks one at a time
        // below find which. Any other network error (refused, TLS) is the server itself.
        if (!(e instanceof HttpError && e.code === 'TIMEOUT')) throw e;
        rec.see(`GET /serverup.txt: ${e.message}; checking each service alone`);
      }
      if (all) {
        rec.see(`GET /serverup.txt → ${all.status} ${short(all.text, 200)}`);
        if (all.status !== 200 && all.status !== 500) rec.fail(`serverup.txt answered ${all.status}`, ['django']);
        for (const name of serverupFailures(all.text)) {
          const s = asService(name);
          if (s) rec.serviceFailed(s);
        }
      }
      // Each service alone, many times: a service failing at a rate (an overloaded Redis, a flapping
      // CouchDB node) passes a single probe most of the time. PROBES_PER_SERVICE is sized so a 5 %
      // failure rate is caught in 99 % of runs (docs/verify.md); the services are probed side by side,
      // each within PROBE_BUDGET_MS, and a service stops being asked once its failures are clear.
      const probes = new Map<Service, { ms: number[]; probes: number; failed: number; silent?: boolean; detail?: string }>(SERVERUP_CHECKS.map((n) => [n, { ms: [], probes: 0, failed: 0 }]));
      const budgetEnds = Date.now() + PROBE_BUDGET_MS;
      await Promise.all(
        SERVERUP_CHECKS.map(async (name) => {
          const p = probes.get(name)!;
          // A check that did not answer at all is not asked again: each try costs a full timeout.
          while (p.probes < PROBES_PER_SERVICE && p.failed < FAILURES_ENOUGH && !p.silent && !ctx.opts.signal?.aborted && (p.probes < MIN_PROBES || Date.now() < budgetEnds)) {
            p.probes++;
            try {
              const res = await ctx.client.get(`/serverup.txt?only=${name}`);
              p.ms.push(res.ms);
              if (res.status !== 200) (p.failed++, (p.detail ??= `${res.status} ${short(res.text, 160)}`));
            } catch (e) {
              p.failed++;
              p.silent = true;
              p.detail ??= (e as Error).message;
            }
          }
        }),
      );
      for (const [name, p] of probes) {
        const times = p.ms.length ? ` (median ${median(p.ms)} ms)` : '';
        if (!p.failed) rec.see(`serverup.txt?only=${name} → 200 in ${p.probes}/${p.probes} probes${times}${p.probes < PROBES_PER_SERVICE ? ` (probe time spent: a ${Math.round((1 - 0.95 ** p.probes) * 100)} % chance of catching a 5 % failure rate)` : ''}`);
        else rec.see(`serverup.txt?only=${name} → failed ${p.failed}/${p.probes} probes${p.failed < p.probes ? ' (intermittent)' : ''}${times}: ${p.detail}`);
        if (p.ms.length) rec.metric(`serverup_${name}_ms`, median(p.ms));
        if (p.failed) rec.serviceFailed(name);
      }
      const slow = slowChecks(new Map([...probes].filter(([, p]) => p.ms.length).map(([n, p]) => [n, median(p.ms)])));
      if (slow.length) {
        for (const s of slow) rec.serviceSlow(s as Service);
        rec.warn(`slow service checks: ${slow.map((n) => `${n} ${median(probes.get(n as Service)!.ms)} ms`).join(', ')} against a typical ${median([...probes.values()].filter((p) => p.ms.length).map((p) => median(p.ms)))} ms for the others (consistently slower over every probe)`);
      }
      if (!ctx.target.web) {
        rec.warn('superuser service page not checked: no web user given');
        return;
      }
      // The service page needs a login, which itself fails when a backing service is down: then
      // the serverup results above are the evidence.
      let jar;
      try {
        jar = (await webLogin(ctx, rec)).jar;
      } catch (e) {
        const why = (e as Error).message;
        if (rec.failedServices.size) {
          rec.see(`service page not checked: ${why}`);
          return;
        }
        throw e;
      }
      const page = await ctx.client.get('/hq/admin/system/check_services', { jar });
      const lines = checkServicesLines(page.text);
      rec.see(`GET /hq/admin/system/check_services → ${page.status}, ${lines.length} checks`);
      if (page.status !== 200 || lines.length === 0) {
        rec.warn(`service page not readable (status ${page.status}; is the web user a superuser?)`);
        return;
      }
      for (const l of lines) {
        const s = asService(l.name);
        if (l.status !== 'SUCCESS') {
          rec.see(`check_services: ${l.status} ${l.name}: ${l.message}`);
          if (s) rec.serviceFailed(s);
        } else if (l.tookS * 1000 >= SLOW_CHECK_MS) {
          rec.see(`check_services: ${l.name} took ${l.tookS.toFixed(2)} s`);
          if (s && !rec.slowServices.has(s)) {
            rec.serviceSlow(s);
            rec.warn(`check_services: ${l.name} took ${l.tookS.toFixed(2)} s`);
          }
        }
      }
    },
  },
  {
    id: '03-web-login',
    title: 'Web login (CSRF + session) and static files',
    services: ['django', 'postgres', 'couch', 'redis', 'nginx'],
    required: true,
    async run(ctx: VerifyContext, rec: Recorder) {
      const { jar, loginPage, landing } = await webLogin(ctx, rec);
      const home = await ctx.client.get(landing, { jar, follow: 5 });
      rec.see(`GET ${landing} with the session → ${home.status} at ${new URL(home.url).pathname} (${home.ms} ms)`);
      if (home.status >= 500) rec.fail(`home page answered ${home.status} with a session: ${short(home.text, 100)}`);
      if (/auth-password/.test(home.text) || /\/login\//.test(new URL(home.url).pathname)) rec.fail('the session was not kept: the home page asks to log in again');
      const statics = [...new Set([...loginPage.matchAll(/(?:href|src)="([^"]*\/static\/[^"]+)"/g)].map((m) => m[1]))].slice(0, 3);
      if (statics.length === 0) rec.fail('the login page references no /static/ files');
      for (const s of statics) {
        const r = await ctx.client.get(s);
        rec.see(`GET ${s} → ${r.status}, ${r.text.length} bytes`);
        if (r.status !== 200 || r.text.length === 0) rec.fail(`static file ${s} not served (status ${r.status})`, ['nginx']);
      }
    },
  },
  {
    id: '04-mobile-worker',
    title: 'Mobile worker created through the User API appears in the listing',
    services: ['django', 'postgres', 'couch', 'elasticsearch'],
    required: true,
    async run(ctx: VerifyContext, rec: Recorder) {
      needWeb(ctx, rec);
      const bare = `ccready-${ctx.runId.toLowerCase().replace(/[^a-z0-9]/g, '')}-${randomBytes(2).toString('hex')}`;
      const password = randomBytes(12).toString('base64url');
      const body = { username: bare, password, first_name: 'ccready', last_name: 'verify', user_data: { ccready_run: ctx.runId } };
      const path = `${domainPath(ctx)}/api/user/v1/`;
      const res = await api(ctx, rec, 'POST', path, { body: JSON.stringify(body), what: 'User API create' });
      rec.see(`POST ${path} (username ${bare}, tagged ccready_run=${ctx.runId}) → ${res.status} (${res.ms} ms)`);
      if (res.status !== 201) rec.fail(`User API did not create the worker: ${res.status} ${short(res.text, 120)}`);
      // HQ answers a create with {"id"} only (CommCareUserResource.serialize).
      const user = json<{ id?: string }>(res, 'User API');
      if (!user.id) rec.fail('User API answered 201 without a user id');
      const worker: Worker = { id: user.id, username: await fullUsername(ctx, rec, user.id, bare), password, created: true };
      ctx.state.worker = worker;
      const created = Date.now();
      const deadline = created + ctx.opts.lagTimeoutMs;
      for (let attempt = 1; ; attempt++) {
        const found = await findUser(ctx, rec, user.id, bare);
        if (found.status >= 400) rec.fail(`user listing answered ${found.status}: ${found.snippet}`, found.status >= 500 ? ['elasticsearch'] : []);
        if (found.found) {
          rec.see(`worker listed after ${Date.now() - created} ms (${attempt} listing${attempt > 1 ? 's' : ''})`);
          rec.metric('listingLagMs', Date.now() - created);
          return;
        }
        if (Date.now() + ctx.opts.pollMs > deadline) rec.fail(`worker not in the listing after ${ctx.opts.lagTimeoutMs} ms (Elasticsearch lag or indexing stopped)`);
        await sleep(ctx.opts.pollMs, ctx.opts.signal);
      }
    },
  },
  {
    id: '05-app-formplayer',
    title: 'App profile and suite download; a form filled and submitted in Web Apps through Formplayer',
    services: ['django', 'couch', 'formplayer', 'nginx'],
    required: true,
    async run(ctx: VerifyContext, rec: Recorder) {
      const fp = await ctx.client.get('/serverup.txt?only=formplayer');
      rec.see(`GET /serverup.txt?only=formplayer → ${fp.status} ${short(fp.text, 100)}`);
      if (fp.status !== 200) rec.serviceFailed('formplayer');
      if (!ctx.target.appId) rec.skip('no app id: pass --app-id or set CCHQ_APP_ID');
      for (const [file, marker] of [
        ['profile.ccpr', '<profile'],
        ['suite.xml', '<suite'],
      ] as const) {
        const path = `${domainPath(ctx)}/apps/download/${encodeURIComponent(ctx.target.appId)}/${file}`;
        const r = await ctx.client.get(path);
        rec.see(`GET ${path} → ${r.status}, ${r.text.length} bytes (${r.ms} ms)`);
        if (r.status === 404) rec.fail(`${file} download answered 404: HQ has no app or build ${ctx.target.appId} in ${ctx.target.domain} (check --app-id / CCHQ_APP_ID; every restore and submission with it would fail too)`);
        if (r.status !== 200) rec.fail(`${file} download answered ${r.status}`, r.status >= 500 ? ['couch'] : []);
        if (!r.text.includes(marker)) rec.fail(`${file} does not look like a CommCare ${file.split('.')[0]} (no ${marker})`);
      }
      // Formplayer's /serverup (HQ's own check) passes while Formplayer cannot restore or submit:
      // only a form filled and submitted through it shows Web Apps work.
      if (!ctx.target.web) {
        rec.warn('Web Apps not checked end to end: no web user to open the app in Formplayer');
        return;
      }
      await webAppsEndToEnd(ctx, rec);
    },
  },
  {
    id: '06-submit-forms',
    title: 'Mobile worker submits a registration and a follow-up form',
    services: ['django', 'postgres', 'couch', 'redis'],
    required: true,
    async run(ctx: VerifyContext, rec: Recorder) {
      const worker = ctx.state.worker ?? configuredWorker(ctx);
      if (!worker) rec.skip('no mobile worker: step 04 created none and no --username/--password (CCHQ_USERNAME/CCHQ_PASSWORD) given', ctx.target.web ? '04-mobile-worker' : undefined);
      if (!ctx.state.worker) ctx.state.worker = worker;
      // A configured worker's id is needed for case ownership: its restore names it.
      if (!worker.id) worker.id = await learnUserId(ctx, worker);
      rec.see(`mobile worker ${worker.username} (id ${worker.id})`);
      const user = { userId: worker.id, username: worker.username.split('@')[0] };
      const reg = registrationForm(user, `ccready check ${ctx.runId}`, { ccready_run: ctx.runId, check_step: 'registration' });
      await submit(ctx, rec, worker, reg.xml, 'registration', reg.xmlns);
      ctx.state.caseId = reg.caseId;
      const fu = followUpForm(user, reg.caseId, { ccready_run: ctx.runId, check_step: 'follow-up', visit_count: '1' });
      await submit(ctx, rec, worker, fu.xml, 'follow-up', fu.xmlns);
      rec.see(`case ${reg.caseId} created and updated`);
    },
  },
  {
    id: '07-restore',
    title: 'Restore contains the new case; incremental restore works',
    services: ['django', 'postgres', 'couch', 'redis', 'celery'],
    // Celery only serves async restores: a small restore works without it.
    needs: ['django', 'postgres', 'couch', 'redis'],
    required: true,
    async run(ctx: VerifyContext, rec: Recorder) {
      needs(ctx, rec, '06-submit-forms', 'the submitted case');
      const worker = ctx.state.worker!;
      const full = await restore(ctx, rec, worker);
      const ids = restoreCaseIds(full.text);
      rec.see(`full restore: ${ids.length} cases, ${full.text.length} bytes`);
      if (!ids.includes(ctx.state.caseId!)) rec.fail(`the new case ${ctx.state.caseId} is not in the restore`, ['postgres']);
      const token = restoreId(full.text);
      if (!token) rec.fail('restore has no <restore_id> sync token');
      const inc = await restore(ctx, rec, worker, token);
      const next = restoreId(inc.text);
      if (!next) rec.fail('incremental restore has no <restore_id>');
      if (next === token) rec.fail('incremental restore returned the same sync token');
      ctx.state.restoreId = next;
      rec.see(`incremental restore since ${token.slice(0, 8)}…: ${restoreCaseIds(inc.text).length} cases, new token ${next.slice(0, 8)}…`);
    },
  },
  {
    id: '08-form-case-api',
    title: 'Form and case appear in the Form API and Case API (pillow lag)',
    services: ['kafka', 'elasticsearch', 'django'],
    // The API logs the web user in against PostgreSQL and CouchDB.
    needs: ['kafka', 'elasticsearch', 'django', 'postgres', 'couch'],
    required: true,
    async run(ctx: VerifyContext, rec: Recorder) {
      needs(ctx, rec, '06-submit-forms', 'the submitted forms');
      needWeb(ctx, rec);
      const caseId = ctx.state.caseId!;
      const ackAt = Math.max(...ctx.state.forms.map((f) => f.ackAt));
      const wanted = new Set(ctx.state.forms.map((f) => f.formId));
      const deadline = ackAt + ctx.opts.lagTimeoutMs;
      let formSeen: number | undefined;
      let caseSeen: number | undefined;
      let lastForms = 0;
      let polls = 0;
      for (;;) {
        polls++;
        if (formSeen === undefined) {
          const path = `${domainPath(ctx)}/api/form/v1/?case_id=${encodeURIComponent(caseId)}&limit=100`;
          const r = await api(ctx, rec, 'GET', path, { what: 'Form API' });
          if (r.status >= 500) rec.fail(`Form API answered ${r.status}: ${short(r.text, 100)}`, ['elasticsearch']);
          if (r.status !== 200) rec.fail(`Form API answered ${r.status}: ${short(r.text, 100)}`);
          const objs = json<{ objects?: { id?: string }[] }>(r, 'Form API').objects ?? [];
          lastForms = objs.filter((o) => o.id && wanted.has(o.id)).length;
          if (lastForms === wanted.size) formSeen = Date.now();
        }
        if (caseSeen === undefined) {
          const path = `${domainPath(ctx)}/api/case/v2/${encodeURIComponent(caseId)}`;
          const r = await api(ctx, rec, 'GET', path, { what: 'Case API' });
          if (r.status >= 500) rec.fail(`Case API answered ${r.status}: ${short(r.text, 100)}`, ['elasticsearch']);
          if (r.status === 200) {
            const c = json<{ case_id?: string; properties?: Record<string, string> }>(r, 'Case API');
            // The follow-up's update must be there too, not just the create.
            if (c.case_id === caseId && c.properties?.visit_count === '1') caseSeen = Date.now();
          } else if (r.status !== 404) rec.fail(`Case API answered ${r.status}: ${short(r.text, 100)}`);
        }
        if (formSeen !== undefined && caseSeen !== undefined) break;
        if (Date.now() + ctx.opts.pollMs > deadline) {
          const missing = [formSeen === undefined ? `Form API (${lastForms}/${wanted.size} forms)` : '', caseSeen === undefined ? 'Case API (case)' : '']
            .filter(Boolean)
            .join(' and ');
          rec.fail(`not in ${missing} within ${ctx.opts.lagTimeoutMs} ms of submission: pillows (Kafka) or Elasticsearch are not keeping up`, []);
        }
        await sleep(ctx.opts.pollMs, ctx.opts.signal);
      }
      const formLag = formSeen - ackAt;
      const caseLag = caseSeen - ackAt;
      rec.metric('formLagMs', Math.max(0, formLag));
      rec.metric('caseLagMs', Math.max(0, caseLag));
      rec.see(`Form API listed both forms ${Math.max(0, formLag)} ms after submission; Case API had the updated case after ${Math.max(0, caseLag)} ms (${polls} polls)`);
      if (Math.max(formLag, caseLag) > ctx.opts.lagTimeoutMs / 2) rec.warn(`indexing lag ${Math.max(formLag, caseLag)} ms is over half the ${ctx.opts.lagTimeoutMs} ms limit`);
    },
  },
  {
    id: '09-export-odata',
    title: 'Case export prepared and downloaded; OData case feed',
    services: ['celery', 'blobdb', 'redis', 'elasticsearch'],
    // It starts with a web login (Django, PostgreSQL, CouchDB, Redis sessions).
    needs: ['celery', 'blobdb', 'redis', 'elasticsearch', 'django', 'postgres', 'couch'],
    required: true,
    async run(ctx: VerifyContext, rec: Recorder) {
      needs(ctx, rec, '06-submit-forms', 'the submitted case');
      needWeb(ctx, rec);
      await caseExportAndOData(ctx, rec);
    },
  },
  {
    id: '10-bulk-upload',
    title: 'Bulk mobile-worker upload completes',
    services: ['celery', 'redis'],
    needs: ['celery', 'redis', 'django', 'postgres', 'couch'],
    required: true,
    async run(ctx: VerifyContext, rec: Recorder) {
      needWeb(ctx, rec);
      await bulkUserUpload(ctx, rec);
    },
  },
  {
    id: '11-sms',
    title: 'SMS gateway',
    services: ['sms'],
    required: false,
    async run(ctx: VerifyContext, rec: Recorder) {
      if (!ctx.opts.smsNumber) rec.skip('no SMS gateway configured for this check (optional step of the QA plan)');
      rec.skip('sending a test SMS is not automated by ccready: verify the phone number by hand (QA plan step 8)');
    },
  },
  {
    id: '12-cleanup',
    title: 'Cleanup: close the case, retire the worker, tag with the run id',
    services: ['django', 'postgres', 'couch'],
    // Always tried: whatever the run created must not be left behind.
    needs: [],
    required: true,
    async run(ctx: VerifyContext, rec: Recorder) {
      await cleanup(ctx, rec);
    },
  },
];

/**
 * The worker's login name as the server has it (User API detail): HQ completes it with its own
 * HQ_ACCOUNT_ROOT (users/util.py `format_username`), which an install may change.
 */
async function fullUsername(ctx: VerifyContext, rec: Recorder, id: string, bare: string): Promise<string> {
  const r = await api(ctx, rec, 'GET', `${domainPath(ctx)}/api/user/v1/${encodeURIComponent(id)}/`, { what: 'User API detail' });
  const name = r.status === 200 ? json<{ username?: string }>(r, 'User API detail').username : undefined;
  if (name?.includes('@')) {
    rec.see(`the server names the worker ${name}`);
    return name;
  }
  const guess = mobileUsername(bare, ctx.target.domain);
  rec.see(`User API detail answered ${r.status}${name ? ` with username ${name}` : ''}; assuming ${guess}`);
  return guess;
}
