// Step 09: a case export through HQ's own flow, and the OData feed of the same saved export.
// HQ exports only a saved export instance (corehq/apps/export/views/download.py
// `prepare_custom_export`): a form-encoded POST with the session and CSRF naming the export, then
// `poll_custom_export_download` until `download_url`, then the xlsx. A 200 `{"error": …}` is a
// failure. The OData feed (`ODataCaseSerializer`) keys rows by the export's column labels
// (`caseid`) and pages with tastypie's limit/offset through `@odata.nextLink`.
import type { Recorder } from './step.ts';
import { domainPath, type VerifyContext } from './context.ts';
import type { HttpResponse } from './http.ts';
import { json, sessionFor, short } from './web.ts';
import { CASE_TYPE } from './forms.ts';
import { throttled } from './api.ts';
import { asksForOtp, TWO_FACTOR_HINT } from '../common/throttle.ts';
import { csrfHeaders, pollJob, readExportWorkbook, taskFailureServices } from './jobs.ts';

interface ExportPoll {
  is_ready?: boolean;
  error?: string | null;
  progress?: { percent?: number; error?: boolean; error_message?: string };
  download_url?: string | null;
}

const ymd = (t: number) => new Date(t).toISOString().slice(0, 10);

/** The form-encoded body HQ's export page posts (download_export.js): one saved export, cases modified in the date range. */
export function prepareExportBody(exportId: string, now = Date.now()): string {
  // A week back to tomorrow (UTC): the project's time zone cannot push today's case out of range.
  const dateRange = `${ymd(now - 7 * 86400e3)} to ${ymd(now + 86400e3)}`;
  return new URLSearchParams({
    form_or_case: 'case',
    sms_export: 'false',
    exports: JSON.stringify([{ export_id: exportId }]),
    form_data: JSON.stringify({ date_range: dateRange, emwf_case_filter: [] }),
  }).toString();
}

export async function caseExportAndOData(ctx: VerifyContext, rec: Recorder): Promise<void> {
  const caseId = ctx.state.caseId!;
  const exportId = ctx.target.exportId ?? ctx.target.odataConfigId;
  if (!exportId) rec.fail(`no saved case export to run: pass --export-id ID (or set CCHQ_EXPORT_ID) — HQ exports only a saved export (Data → Export Case Data → add one for case type ${CASE_TYPE})`);
  const jar = await sessionFor(ctx, rec, 'case export');
  const prepare = `${domainPath(ctx)}/data/export/prepare_custom_export/`;
  const downloadPage = `${domainPath(ctx)}/data/export/custom/new/case/download/${encodeURIComponent(exportId)}/`;
  const r = await throttled(ctx, rec, 'prepare export', () =>
    ctx.client.post(prepare, prepareExportBody(exportId), {
      jar,
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=UTF-8', accept: 'application/json', 'x-requested-with': 'XMLHttpRequest', ...csrfHeaders(ctx, jar, downloadPage) },
    }),
  );
  rec.see(`POST ${prepare} (saved export ${exportId}, form-encoded) → ${r.status} (${r.ms} ms)`);
  if (r.status === 403 && /CSRF/i.test(r.text)) rec.fail('prepare export rejected: 403 CSRF verification failed (the session or its csrftoken was not accepted)');
  if (r.status === 404) rec.fail(`prepare export answered 404: export ${exportId} is not a saved case export of project ${ctx.target.domain} (check --export-id)`);
  if (r.status >= 500) rec.fail(`export could not be queued: ${r.status} ${short(r.text, 80)} (Celery broker or Redis)`, []);
  if (r.status !== 200) rec.fail(`export could not be queued: ${r.status} ${short(r.text, 100)}`);
  const prepared = json<{ download_id?: string; error?: string }>(r, 'prepare export');
  if (prepared.error) rec.fail(`prepare export answered 200 with an error: ${prepared.error}`);
  const downloadId = prepared.download_id;
  if (!downloadId) rec.fail('prepare export answered without a download_id');
  const pollUrl = `${domainPath(ctx)}/data/export/poll_custom_export_download/?form_or_case=case&download_id=${encodeURIComponent(downloadId)}`;
  let answer: ExportPoll = {};
  const poll = await pollJob(ctx, rec, jar, pollUrl, 'case export', (p: HttpResponse) => {
    if (p.status >= 500) rec.fail(`case export progress answered ${p.status} (progress is kept in Redis)`, ['redis']);
    if (p.status !== 200) rec.fail(`case export progress answered ${p.status}: ${short(p.text, 100)}`);
    answer = json<ExportPoll>(p, 'case export progress');
    // HQ answers a failed task with 200 {"error": "Download task failed to start."}.
    if (answer.error || answer.progress?.error) {
      const message = String(answer.error ?? answer.progress?.error_message ?? '');
      rec.fail(`case export failed in Celery: ${message}`, taskFailureServices(message));
    }
    return answer.is_ready ? { ready: true } : { ready: false, percent: answer.progress?.percent };
  });
  rec.see(`export ready after ${poll.ms} ms (${poll.polls} polls)`);
  rec.metric('exportMs', poll.ms);
  const url = answer.download_url;
  if (!url) rec.fail('export is ready but has no download_url');
  const file = await ctx.client.get(url, { jar, follow: 3 });
  rec.see(`GET ${new URL(file.url).pathname} → ${file.status}, ${file.bytes.length} bytes, ${file.headers['content-type'] ?? ''}`);
  if (file.status >= 500) rec.fail(`export download answered ${file.status} (the file lives in BlobDB)`, ['blobdb']);
  if (file.status !== 200 || !file.bytes.length) rec.fail(`export download answered ${file.status}`);
  const book = await readExportWorkbook(file.bytes);
  if (typeof book === 'string') rec.fail(`the export download is not an xlsx workbook: ${book}`);
  rec.see(`workbook: ${book.sheets.map((s) => `"${s.name}" ${s.rows} rows`).join(', ')}`);
  if (!book.cellsWith(caseId)) rec.fail(`the export workbook does not contain case ${caseId} (is saved export ${exportId} a case export for case type ${CASE_TYPE}?)`);
  rec.see(`export workbook contains case ${caseId}`);
  await odataFeed(ctx, rec, caseId);
}

/** HQ labels the case id column of an export `caseid` (corehq/apps/export/system_properties.py). */
export const CASE_ID_LABELS = ['caseid', 'case_id', 'Case ID'];

/** The case id of one OData row, by the feed's column labels; undefined when the feed has no case id column. */
export function odataRowCaseId(row: Record<string, unknown>): string | undefined {
  for (const label of CASE_ID_LABELS) if (typeof row[label] === 'string') return row[label] as string;
  return undefined;
}

async function odataFeed(ctx: VerifyContext, rec: Recorder, caseId: string): Promise<void> {
  const cfg = ctx.target.odataConfigId ?? ctx.target.exportId;
  if (!cfg) {
    rec.warn('OData feed not checked: pass --odata-config ID (or set CCHQ_ODATA_CONFIG_ID) for a case feed configured on the project');
    return;
  }
  const web = ctx.target.web!;
  // OData takes Basic only (as Excel and Power BI send it); an API key works as the password and skips 2FA.
  const auth = { username: web.username, password: ctx.target.apiKey ?? web.password };
  let path: string | undefined = `${domainPath(ctx)}/api/odata/cases/v1/${encodeURIComponent(cfg)}/feed`;
  let rows = 0;
  let withId = 0;
  for (let page = 0; path && page < 50; page++) {
    const url: string = path;
    const r = await throttled(ctx, rec, 'OData feed', () => ctx.client.get(url, { auth, headers: { accept: 'application/json' } }));
    if (page === 0) rec.see(`GET OData feed → ${r.status}, OData-Version ${r.headers['odata-version'] ?? 'missing'} (${r.ms} ms)`);
    if (asksForOtp(r.status, r.text)) rec.fail(`OData feed: 401 asking for a one-time password — ${TWO_FACTOR_HINT}`);
    if (r.status >= 500) rec.fail(`OData feed answered ${r.status}`, ['elasticsearch']);
    if (r.status !== 200) rec.fail(`OData feed answered ${r.status}${r.status === 404 ? ' (unknown feed id, or the user may not view it)' : ''}`);
    const body = json<{ value?: Record<string, unknown>[]; '@odata.nextLink'?: string }>(r, 'OData feed');
    if (!Array.isArray(body.value)) rec.fail('OData feed JSON has no "value" list');
    rows += body.value.length;
    const ids = body.value.map(odataRowCaseId);
    withId += ids.filter((x) => x !== undefined).length;
    if (ids.includes(caseId)) {
      rec.see(`OData feed returned case ${caseId} as JSON (${rows} rows read, ${page + 1} page${page ? 's' : ''})`);
      return;
    }
    path = body['@odata.nextLink'];
  }
  if (rows && !withId) rec.fail(`OData feed (${rows} rows) has no case id column (${CASE_ID_LABELS.join(' / ')}): add the case id to the feed's columns`);
  rec.fail(`OData feed (${rows} rows) does not contain case ${caseId} (is feed ${cfg} for case type ${CASE_TYPE}?)`);
}
