// Step 10: a bulk mobile-worker upload as HQ's web page does it (corehq/apps/users/views/__init__.py
// `BaseUploadUser.post`): an Excel workbook with a `users` sheet in HQ's column set, posted with the
// session and CSRF; success is a 302 to the status page, whose poll URL answers an HTML fragment
// (`UserUploadJobPollView`, users/mobile/partials/user_upload_status.html) — a failed task is a bare
// 500. The created workers are then looked up through the User API, where HQ lists them.
import { randomBytes } from 'node:crypto';
import type { Recorder } from './step.ts';
import { domainPath, sleep, type VerifyContext } from './context.ts';
import type { HttpResponse } from './http.ts';
import { json, sessionFor, short } from './web.ts';
import { throttled } from './api.ts';
import { walkUsers } from './mobile.ts';
import { csrfHeaders, multipart, pollJob } from './jobs.ts';

/** Columns HQ's importer allows (corehq/apps/user_importer/importer.py `allowed_headers`) that the check uses. */
export const UPLOAD_COLUMNS = ['username', 'password', 'name', 'is_active'] as const;

async function workersWorkbook(rows: string[][]): Promise<Buffer> {
  const { default: ExcelJS } = await import('exceljs');
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('users');
  for (const r of rows) ws.addRow(r);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

export interface UploadStatus {
  ready: boolean;
  percent?: number;
  /** "Successfully uploaded N mobile workers." */
  uploaded?: number;
  errors: string[];
}

const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/&#x27;|&#39;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, '&').replace(/\s+/g, ' ').trim();

/** Reads HQ's upload poll fragment: in progress (a percentage, maybe), or done with a count and the rows it could not take. */
export function readUploadStatus(html: string): UploadStatus {
  const done = /id="ready_[^"]*"/.test(html) || /Successfully uploaded/i.test(html);
  const uploaded = /Successfully uploaded\s+(\d+)\s+mobile workers/i.exec(text(html))?.[1];
  const problems = html.split(/However, we ran into problems with the following users:/i)[1];
  const errors = problems ? [...problems.matchAll(/<p>([\s\S]*?)<\/p>/g)].map((m) => text(m[1])).filter(Boolean) : [];
  const percent = /(\d{1,3})\s*%/.exec(text(html))?.[1];
  return { ready: done, uploaded: uploaded === undefined ? undefined : Number(uploaded), errors, ...(percent !== undefined ? { percent: Number(percent) } : {}) };
}

/** The message HQ shows on the upload page after refusing a file (Django messages). */
function pageMessage(html: string): string {
  const m = /class="[^"]*alert[^"]*"[^>]*>([\s\S]*?)<\/div>/i.exec(html);
  return short(m ? m[1] : html, 200);
}

export async function bulkUserUpload(ctx: VerifyContext, rec: Recorder): Promise<void> {
  const jar = await sessionFor(ctx, rec, 'bulk upload');
  const tag = ctx.runId.toLowerCase().replace(/[^a-z0-9]/g, '');
  const users = [1, 2].map((i) => `ccready-bulk-${tag}-${i}`);
  const rows = [[...UPLOAD_COLUMNS], ...users.map((u) => [u, randomBytes(12).toString('base64url'), `ccready bulk ${ctx.runId}`, 'True'])];
  const page = `${domainPath(ctx)}/settings/users/commcare/upload/`;
  const mp = multipart('bulk_upload_file', 'ccready-workers.xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', await workersWorkbook(rows));
  const r = await throttled(ctx, rec, 'bulk upload', () => ctx.client.post(page, mp.body, { jar, headers: { 'content-type': mp.contentType, ...csrfHeaders(ctx, jar, page) } }));
  rec.see(`POST ${page} (workbook, sheet "users", columns ${UPLOAD_COLUMNS.join(', ')}, ${users.length} workers) → ${r.status}${r.headers.location ? ` → ${r.headers.location}` : ''} (${r.ms} ms)`);
  if (r.status === 403 && /CSRF/i.test(r.text)) rec.fail('bulk upload rejected: 403 CSRF verification failed');
  if (r.status >= 500) rec.fail(`bulk upload could not be queued: ${r.status} (Celery broker or Redis)`);
  if (r.status === 200) rec.fail(`bulk upload: HQ showed the upload page again instead of starting the import: ${pageMessage(r.text)}`);
  if (r.status !== 302 || !r.headers.location) rec.fail(`bulk upload answered ${r.status}, expected a redirect to its status page: ${short(r.text, 100)}`);
  const statusPath = new URL(r.headers.location, ctx.client.url(page)).pathname;
  if (!/\/upload\/status\//.test(statusPath)) {
    // HQ refuses bad columns by redirecting back to the upload page with a message.
    const back = await ctx.client.get(statusPath, { jar });
    rec.fail(`bulk upload refused the workbook (redirected back to ${statusPath}): ${pageMessage(back.text)}`);
  }
  ctx.state.bulkUsers = users;
  const status = await throttled(ctx, rec, 'bulk upload status page', () => ctx.client.get(statusPath, { jar }));
  rec.see(`GET ${statusPath} → ${status.status} (${status.headers['content-type'] ?? 'no content type'})`);
  if (status.status >= 500) rec.fail(`bulk upload status page answered ${status.status}`, ['redis']);
  // The status page's script polls `…/upload/poll/<id>/` (UserUploadJobPollView).
  const pollPath = statusPath.replace('/upload/status/', '/upload/poll/');
  let seen: UploadStatus = { ready: false, errors: [] };
  const poll = await pollJob(
    ctx,
    rec,
    jar,
    pollPath,
    'bulk upload',
    (p: HttpResponse) => {
      // A failed Celery task is a bare 500 from the poll view (get_download_context → TaskFailedError).
      if (p.status >= 500) rec.fail(`bulk upload task failed: the poll answered ${p.status} (the import failed in Celery)`, ['celery']);
      if (p.status !== 200) rec.fail(`bulk upload progress answered ${p.status}: ${short(p.text, 100)}`);
      seen = readUploadStatus(p.text);
      return seen.ready ? { ready: true } : { ready: false, percent: seen.percent };
    },
    'text/html',
  );
  rec.see(`bulk upload finished after ${poll.ms} ms (${poll.polls} polls): ${seen.uploaded ?? '?'} uploaded${seen.errors.length ? `, problems: ${seen.errors.slice(0, 3).join('; ')}` : ''}`);
  rec.metric('bulkUploadMs', poll.ms);
  if (seen.errors.length) rec.fail(`bulk upload reported problems: ${seen.errors.slice(0, 3).join('; ')}`);
  if (seen.uploaded !== undefined && seen.uploaded < users.length) rec.fail(`bulk upload says it uploaded ${seen.uploaded} of ${users.length} workers`);
  await findWorkers(ctx, rec, users);
}

/** Polls the User API (Elasticsearch-backed, so it lags) until every bulk-uploaded worker is listed. */
async function findWorkers(ctx: VerifyContext, rec: Recorder, bare: string[]): Promise<void> {
  const started = Date.now();
  for (;;) {
    const listed = await listedUsernames(ctx, rec);
    const found = bare.filter((b) => listed.has(b));
    if (found.length === bare.length) {
      rec.see(`User API lists the ${bare.length} uploaded workers after ${Date.now() - started} ms`);
      return;
    }
    if (Date.now() - started + ctx.opts.pollMs > ctx.opts.lagTimeoutMs) {
      rec.fail(`bulk upload finished but the User API lists ${found.length} of ${bare.length} uploaded workers after ${ctx.opts.lagTimeoutMs} ms (Elasticsearch lag, or the import did not create them)`);
    }
    await sleep(ctx.opts.pollMs, ctx.opts.signal);
  }
}

/** Bare usernames of the project's mobile workers, as the User API lists them (bounded walk). */
async function listedUsernames(ctx: VerifyContext, rec: Recorder): Promise<Set<string>> {
  const names = new Set<string>();
  const r = await walkUsers(ctx, rec, (users) => {
    for (const u of users) if (u.username) names.add(u.username.split('@')[0]);
    return false;
  });
  if (r.status >= 500) rec.fail(`user listing answered ${r.status}`, ['elasticsearch']);
  if (r.status !== 200) rec.fail(`user listing answered ${r.status}: ${r.snippet}`);
  return names;
}
