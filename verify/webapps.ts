// Step 05's end-to-end Web Apps check, as the QA plan does it by hand: open the app in Web Apps
// through Formplayer, fill and submit one form, and see it arrive in HQ. HQ's own Formplayer check
// (service_checks.py `check_formplayer`) only asks Formplayer's /serverup, which answers while
// Formplayer cannot restore from or submit to HQ; this exchange is what a user does.
// Formplayer: dimagi/formplayer `MenuController.navigateSessionWithAuth`, `FormSubmissionController`;
// auth is the HQ session cookie, CSRF the `XSRF-TOKEN` cookie echoed in `X-XSRF-TOKEN`.
import type { Recorder } from './step.ts';
import { domainPath, sleep, type VerifyContext } from './context.ts';
import type { CookieJar, HttpResponse } from './http.ts';
import { json, sessionFor, short } from './web.ts';
import { api, throttled } from './api.ts';
import { FAILURES_ENOUGH, median, MIN_PROBES, PROBE_BUDGET_MS, PROBES_PER_SERVICE } from './serverup.ts';

interface MenuAnswer {
  type?: string;
  title?: string;
  commands?: { index: string; displayText?: string }[];
  entities?: unknown[];
  session_id?: string;
  tree?: { ix: string; datatype?: string; required?: number | boolean; type?: string; choices?: string[] }[];
  instanceXml?: { output?: string };
  exception?: string;
  status?: string;
}

/** An answer Formplayer takes for a question of this type (required questions only are filled). */
export function answerFor(q: { datatype?: string; choices?: string[] }, text: string): unknown {
  switch (q.datatype) {
    case 'int':
    case 'long':
    case 'float':
      return 1;
    case 'date':
      return new Date().toISOString().slice(0, 10);
    case 'select':
      return q.choices?.length ? 1 : text;
    case 'multiselect':
      return q.choices?.length ? [1] : text;
    default:
      return text;
  }
}

export async function webAppsEndToEnd(ctx: VerifyContext, rec: Recorder): Promise<void> {
  const appId = ctx.target.appId!;
  const jar = await sessionFor(ctx, rec, 'Web Apps');
  const list = await throttled(ctx, rec, 'Web Apps app list', () => ctx.client.get(`${domainPath(ctx)}/cloudcare/apps/v2/?option=apps`, { jar, headers: { accept: 'application/json' } }));
  rec.see(`GET Web Apps app list → ${list.status} (${list.ms} ms)`);
  if (list.status >= 500) rec.fail(`Web Apps app list answered ${list.status}`, []);
  if (list.status !== 200) rec.fail(`Web Apps app list answered ${list.status}: ${short(list.text, 100)}`);
  const apps = json<{ _id?: string; copy_of?: string | null }[]>(list, 'Web Apps app list');
  const build = Array.isArray(apps) ? apps.find((a) => a.copy_of === appId || a._id === appId) : undefined;
  if (!build?._id) rec.fail(`app ${appId} has no released build in Web Apps (release a build, and check --app-id)`);
  // Formplayer hands out its CSRF cookie on any answer; /serverup is the cheapest.
  const up = await ctx.client.get('/formplayer/serverup', { jar });
  rec.see(`GET /formplayer/serverup → ${up.status}`);
  if (up.status !== 200) rec.fail(`Formplayer answered ${up.status} to /serverup through nginx`, ['formplayer']);
  const worker = ctx.state.worker;
  const restoreAs = worker ? worker.username.split('@')[0] : undefined;
  const session = { app_id: build._id, domain: ctx.target.domain, locale: 'en', username: ctx.target.web!.username, ...(restoreAs ? { restoreAs } : {}) };
  const post = (command: string, extra: Record<string, unknown>) => formplayer(ctx, rec, jar, command, { ...session, ...extra });
  const start = await post('navigate_menu_start', { selections: [] });
  rec.see(`Formplayer opened "${start.title ?? appId}"${restoreAs ? ` restoring as ${restoreAs}` : ''}: ${start.commands?.length ?? 0} menu entries`);
  await probeMenuStart(ctx, rec, () => formplayerCall(ctx, rec, jar, 'navigate_menu_start', { ...session, selections: [] }));
  // The first form that opens without choosing a case (a registration form), a bounded search.
  let form: MenuAnswer | undefined;
  let path: string[] = [];
  for (const m of (start.commands ?? []).slice(0, 5)) {
    const menu = await post('navigate_menu', { selections: [m.index] });
    if (menu.tree) ((form = menu), (path = [m.index]));
    for (const f of form ? [] : (menu.commands ?? []).slice(0, 10)) {
      const opened = await post('navigate_menu', { selections: [m.index, f.index] });
      if (opened.tree && opened.session_id) {
        form = opened;
        path = [m.index, f.index];
        break;
      }
    }
    if (form) break;
  }
  if (!form?.session_id || !form.tree) rec.fail('no form of the app opens without choosing a case: Web Apps needs a registration form to check end to end');
  const xmlns = /xmlns="([^"]+)"/.exec(form.instanceXml?.output ?? '')?.[1];
  const text = `ccready web apps ${ctx.runId}`;
  const answers = Object.fromEntries(form.tree.filter((q) => q.type === 'question' && q.required).map((q) => [q.ix, answerFor(q, text)]));
  rec.see(`opened form "${form.title ?? '?'}" (menu ${path.join(' → ')}), ${form.tree.length} questions, answering ${Object.keys(answers).length} required`);
  const sentAt = Date.now();
  const submitted = await post('submit-all', { session_id: form.session_id, answers, prevalidated: true });
  rec.see(`Formplayer submit-all → ${submitted.status ?? '?'}: ${short(String((submitted as { submitResponseMessage?: string }).submitResponseMessage ?? ''), 100)}`);
  if (submitted.status !== 'success') {
    const why = String((submitted as { submitResponseMessage?: string; errors?: unknown }).submitResponseMessage ?? JSON.stringify((submitted as { errors?: unknown }).errors ?? {}));
    rec.fail(`Formplayer could not submit the form to HQ (${submitted.status}): ${short(why, 120)}${hqServerError(why) ? ' — HQ itself failed (see the submission steps)' : ''}`, hqServerError(why) ? [] : ['formplayer']);
  }
  // Arrived: the case it registered is in the worker's restore (read from the database, no
  // indexing lag — that is step 08's subject); else the form in the Form API.
  if (worker && (await caseInRestore(ctx, rec, worker, text))) return;
  if (!xmlns) {
    rec.warn('the Web Apps form was submitted but its xmlns is unknown, so its arrival was not checked');
    return;
  }
  await seeArrive(ctx, rec, xmlns, sentAt);
}

/** Whether the worker's restore holds a case named `name` (what a registration form in Web Apps creates). */
async function caseInRestore(ctx: VerifyContext, rec: Recorder, worker: { username: string; password: string }, name: string): Promise<boolean> {
  const r = await ctx.client.get(`${domainPath(ctx)}/phone/restore/?version=2.0&device_id=ccready-webapps`, { auth: worker, headers: { 'x-openrosa-version': '2.0' } });
  const found = r.status === 200 && r.text.includes(`<case_name>${name}</case_name>`);
  if (found) rec.see(`the Web Apps form arrived: its case "${name}" is in ${worker.username}'s restore`);
  return found;
}

/** Formplayer relaying a 5xx of HQ's own: the fault is behind HQ, not in Formplayer (other steps name it). */
export function hqServerError(message: string): boolean {
  return /HQ answered 5\d\d/.test(message);
}

/**
 * A Formplayer failing a fraction of its work (its restores from HQ through a flapping link, an
 * overloaded Formplayer) passes one walk through the app most of the time, and HQ's own check only
 * asks its /serverup. So the menu start, which makes Formplayer restore the user, is asked as often
 * and within the same budget as step 02 asks each service's check: 120 probes catch a 5 % failure
 * rate in 99.8 % of runs (verify/serverup.ts, docs/verify.md).
 */
async function probeMenuStart(ctx: VerifyContext, rec: Recorder, call: () => Promise<HttpResponse>): Promise<void> {
  let probes = 1; // the menu start above was the first
  let failed = 0;
  let detail: string | undefined;
  let formplayerSide = false;
  const budgetEnds = Date.now() + PROBE_BUDGET_MS;
  const ms: number[] = [];
  while (probes < PROBES_PER_SERVICE && failed < FAILURES_ENOUGH && !ctx.opts.signal?.aborted && (probes < MIN_PROBES || Date.now() < budgetEnds)) {
    probes++;
    const r = await call();
    ms.push(r.ms);
    const why = formplayerProblem(r);
    if (!why) continue;
    failed++;
    detail ??= why;
    if (!hqServerError(why)) formplayerSide = true;
  }
  const chance = probes < PROBES_PER_SERVICE ? ` (probe time spent: a ${Math.round((1 - 0.95 ** probes) * 100)} % chance of catching a 5 % failure rate)` : '';
  if (!failed) {
    rec.see(`Formplayer navigate_menu_start → ok in ${probes}/${probes} probes (median ${median(ms)} ms)${chance}`);
    return;
  }
  // Formplayer relaying HQ's own 5xx points behind HQ (the other steps name the service).
  rec.fail(
    `Formplayer navigate_menu_start failed ${failed}/${probes} probes${failed < probes ? ' (intermittent)' : ''}: ${short(detail!, 140)}${formplayerSide ? '' : ' — HQ itself failed (see the other steps)'}`,
    formplayerSide ? ['formplayer'] : [],
  );
}

/** Why a Formplayer answer is a failure, or undefined when it is a good menu answer. */
function formplayerProblem(r: HttpResponse): string | undefined {
  let a: MenuAnswer | undefined;
  try {
    a = JSON.parse(r.text) as MenuAnswer;
  } catch {
    // not JSON: said below
  }
  // Formplayer's own words first, whole: "HQ answered 5xx" in them points behind HQ.
  if (a?.exception) return a.exception;
  if (r.status !== 200) return `${r.status} ${short(r.text, 100)}`;
  if (!a) return `not JSON: ${short(r.text, 80)}`;
  return a.status === 'error' ? 'error' : undefined;
}

function formplayerCall(ctx: VerifyContext, rec: Recorder, jar: CookieJar, command: string, body: Record<string, unknown>): Promise<HttpResponse> {
  return throttled(ctx, rec, `Formplayer ${command}`, () =>
    ctx.client.post(`/formplayer/${command}`, JSON.stringify(body), {
      jar,
      headers: { 'content-type': 'application/json', accept: 'application/json', 'x-xsrf-token': jar.get('XSRF-TOKEN') ?? '', referer: ctx.client.url(`${domainPath(ctx)}/cloudcare/apps/v2/`) },
    }),
  );
}

async function formplayer(ctx: VerifyContext, rec: Recorder, jar: CookieJar, command: string, body: Record<string, unknown>): Promise<MenuAnswer> {
  const r = await formplayerCall(ctx, rec, jar, command, body);
  if (r.status === 502 || r.status === 503 || r.status === 504) rec.fail(`Formplayer ${command} answered ${r.status} (nginx cannot reach Formplayer)`, ['formplayer']);
  if (r.status === 401 || r.status === 403) rec.fail(`Formplayer ${command} answered ${r.status}: ${short(r.text, 100)} (Formplayer did not accept the HQ session: its link to HQ, session_details or CSRF)`, ['formplayer']);
  let a: MenuAnswer;
  try {
    a = JSON.parse(r.text) as MenuAnswer;
  } catch {
    rec.fail(`Formplayer ${command} answered ${r.status} ${r.headers['content-type'] ?? ''}, not JSON: ${short(r.text, 80)}`, ['formplayer']);
  }
  if (r.status >= 500 || a.exception) {
    const why = a.exception ?? r.text;
    rec.fail(`Formplayer ${command} failed: ${short(why, 140)} (it could not restore the user or open the app)`, hqServerError(why) ? [] : ['formplayer']);
  }
  if (r.status !== 200) rec.fail(`Formplayer ${command} answered ${r.status}: ${short(r.text, 100)}`);
  return a;
}

/** Polls the Form API until a Web Apps form with this xmlns received since `since` is listed. */
async function seeArrive(ctx: VerifyContext, rec: Recorder, xmlns: string, since: number): Promise<void> {
  const start = new Date(since - 60_000).toISOString().slice(0, 19);
  const path = `${domainPath(ctx)}/api/form/v1/?xmlns=${encodeURIComponent(xmlns)}&received_on_start=${encodeURIComponent(start)}&limit=20`;
  for (;;) {
    const r = await api(ctx, rec, 'GET', path, { what: 'Form API (Web Apps form)' });
    if (r.status >= 500) rec.fail(`Form API answered ${r.status} looking for the Web Apps form`, ['elasticsearch']);
    if (r.status !== 200) rec.fail(`Form API answered ${r.status}: ${short(r.text, 100)}`);
    const objs = json<{ objects?: { metadata?: { deviceID?: string } }[] }>(r, 'Form API').objects ?? [];
    if (objs.some((o) => o.metadata?.deviceID === 'Formplayer')) {
      rec.see(`the Web Apps form arrived: Form API lists it ${Date.now() - since} ms after submission`);
      rec.metric('webAppsArrivalMs', Date.now() - since);
      return;
    }
    if (Date.now() - since + ctx.opts.pollMs > ctx.opts.lagTimeoutMs) rec.fail(`Formplayer said the form was saved but the Form API does not list it after ${ctx.opts.lagTimeoutMs} ms`);
    await sleep(ctx.opts.pollMs, ctx.opts.signal);
  }
}
