// The HQ client calls a mobile worker and the checklist share (verify steps and the canary):
// submitting a form, restoring, learning the worker's id, and walking the User API's listing.
import type { Recorder } from './step.ts';
import { domainPath, mobileUsername, sleep, type VerifyContext, type Worker } from './context.ts';
import type { HttpResponse } from './http.ts';
import { json, short } from './web.ts';
import { openRosaMessage, openRosaNature } from './forms.ts';
import { api } from './api.ts';

export function configuredWorker(ctx: VerifyContext): Worker | undefined {
  const m = ctx.target.mobile;
  if (!m) return undefined;
  return { id: '', username: mobileUsername(m.username, ctx.target.domain), password: m.password, created: false };
}


export interface ListedUser {
  id?: string;
  username?: string;
}

/**
 * Walks the User API's listing page by page (bounded: a test project's workers fit in a few pages)
 * and stops when `stop` returns true. A non-200 page ends the walk with its status.
 */
export async function walkUsers(ctx: VerifyContext, rec: Recorder, stop: (users: ListedUser[]) => boolean, maxPages = 20): Promise<{ status: number; snippet: string }> {
  let path: string | undefined = `${domainPath(ctx)}/api/user/v1/?limit=100&offset=0`;
  for (let page = 0; path && page < maxPages; page++) {
    // As every API call: the API key when given, 429s waited out, an OTP request named as 2FA.
    const r = await api(ctx, rec, 'GET', path, { what: 'user listing' });
    if (r.status !== 200) return { status: r.status, snippet: short(r.text, 100) };
    const body = json<{ meta?: { next?: string | null }; objects?: ListedUser[] }>(r, 'user listing');
    if (stop(body.objects ?? [])) break;
    path = body.meta?.next ?? undefined;
  }
  return { status: 200, snippet: '' };
}

/** Whether the worker (by id, or by bare or full username) is in the listing yet. */
export async function findUser(ctx: VerifyContext, rec: Recorder, id: string, bare: string): Promise<{ found: boolean; status: number; snippet: string }> {
  let found = false;
  const r = await walkUsers(ctx, rec, (users) => (found = users.some((u) => u.id === id || u.username === bare || u.username?.startsWith(`${bare}@`))));
  return { found, ...r };
}

export async function submit(ctx: VerifyContext, rec: Recorder, worker: Worker, xml: string, label: string, xmlns: string, record = true): Promise<string> {
  const path = ctx.target.appId ? `${domainPath(ctx)}/receiver/secure/${encodeURIComponent(ctx.target.appId)}/` : `${domainPath(ctx)}/receiver/secure/`;
  const res = await ctx.client.post(path, xml, {
    auth: worker,
    headers: { 'content-type': 'text/xml', 'x-openrosa-version': '3.0' },
  });
  const nature = openRosaNature(res.text);
  const formId = res.headers['x-commcarehq-formid'];
  rec.see(`POST ${path} (${label}) → ${res.status} ${nature ?? 'no OpenRosa nature'}${formId ? ` form ${formId}` : ''} (${res.ms} ms)`);
  if (res.status === 401 || res.status === 403 || res.status === 406) rec.fail(`${label} form rejected: ${res.status} (mobile worker credentials or permissions)`);
  if (res.status >= 500) rec.fail(`${label} form: ${res.status} ${short(openRosaMessage(res.text) || res.text, 120)}`);
  if (res.status !== 201 || nature !== 'submit_success') rec.fail(`${label} form: ${res.status} ${nature ?? ''} ${short(openRosaMessage(res.text), 120)}`);
  if (!formId) rec.fail(`${label} form accepted without an X-CommCareHQ-FormID header`);
  if (record) ctx.state.forms.push({ formId, xmlns, ackAt: Date.now() });
  return formId;
}

/** The worker's user id, from its restore's `<Registration><uuid>`; throws (failing the step) when it cannot restore. */
export async function learnUserId(ctx: VerifyContext, worker: Worker): Promise<string> {
  const r = await ctx.client.get(`${domainPath(ctx)}/phone/restore/?version=2.0&device_id=ccready-verify`, { auth: worker });
  if (r.status !== 200) throw new Error(`cannot restore as ${worker.username} to learn its user id: ${r.status}`);
  const id = /<uuid>([^<]+)<\/uuid>/.exec(r.text)?.[1];
  if (!id) throw new Error(`the restore of ${worker.username} has no <Registration><uuid>`);
  return id;
}

/** One restore, following 202 "restore pending" answers by waiting Retry-After, within the restore timeout. */
export async function restore(ctx: VerifyContext, rec: Recorder, worker: { username: string; password: string }, since?: string): Promise<HttpResponse> {
  const app = ctx.target.appId ? `${encodeURIComponent(ctx.target.appId)}/` : '';
  const q = new URLSearchParams({ version: '2.0', device_id: `ccready-verify-${ctx.runId}` });
  if (since) q.set('since', since);
  const path = `${domainPath(ctx)}/phone/restore/${app}?${q}`;
  const deadline = Date.now() + ctx.opts.restoreTimeoutMs;
  let pending = 0;
  for (;;) {
    const r = await ctx.client.get(path, { auth: worker, headers: { 'x-openrosa-version': '3.0' } });
    if (r.status === 200) {
      rec.see(`GET restore${since ? ' (incremental)' : ''} → 200 ${openRosaNature(r.text) ?? ''} (${r.ms} ms${pending ? `, after ${pending} pending answers` : ''})`);
      return r;
    }
    if (r.status === 202) {
      pending++;
      const wait = Math.min(60, Math.max(1, Number(r.headers['retry-after']) || 5)) * 1000;
      if (Date.now() + wait > deadline) rec.fail(`restore still pending after ${ctx.opts.restoreTimeoutMs} ms (async restore: Celery not finishing)`, []);
      await sleep(wait, ctx.opts.signal);
      continue;
    }
    rec.see(`GET restore${since ? ' (incremental)' : ''} → ${r.status} ${short(openRosaMessage(r.text) || r.text, 120)}`);
    rec.fail(`restore answered ${r.status}${r.status === 412 ? ' (sync token rejected)' : ''}: ${short(openRosaMessage(r.text) || r.text, 100)}`);
  }
}
