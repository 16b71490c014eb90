// Celery-backed checks of the QA plan: a case export (prepared in Celery, stored in BlobDB, progress
// in Redis) and its download, the OData case feed (Elasticsearch), and a bulk mobile-worker upload
// (Celery, Redis). Both jobs are HQ web-UI flows: a Django session with CSRF, then polling.
import { randomBytes } from 'node:crypto';
import type { Recorder } from './step.ts';
import { sleep, type VerifyContext } from './context.ts';
import type { CookieJar, HttpResponse } from './http.ts';
import { json, short, webLogin } from './web.ts';
import { CASE_TYPE } from './forms.ts';
import type { Service } from './types.ts';

const d = (ctx: VerifyContext) => `/a/${encodeURIComponent(ctx.target.domain)}`;

function csrfHeaders(ctx: VerifyContext, jar: CookieJar, referer: string): Record<string, string> {
  return { 'x-csrftoken': jar.get('csrftoken') ?? '', referer: ctx.client.url(referer) };
}

interface PollAnswer {
  is_ready?: boolean;
  error?: string | null;
  progress?: { percent?: number; error?: boolean; error_message?: string };
  download_url?: string | null;
  result?: { rows?: { username: string; flag: string }[]; errors?: string[] } | null;
}

/**
 * The service a failed Celery task points at: the one its error names (the export task reports
 * "Failed to save a file to the blobdb"), else Celery itself (a lost worker, a task exception).
 */
export function taskFailureServices(message: string): Service[] {
  const named: [RegExp, Service][] = [
    [/blob ?db|riak|\bs3\b/i, 'blobdb'],
    [/redis/i, 'redis'],
    [/postgres|psycopg|database/i, 'postgres'],
    [/couch/i, 'couch'],
    [/elasticsearch/i, 'elasticsearch'],
    [/rabbit|amqp|broker/i, 'rabbitmq'],
  ];
  const hits = named.filter(([re]) => re.test(message)).map(([, s]) => s);
  return hits.length ? hits : ['celery'];
}

/** Polls a Celery job's progress URL until it is ready, fails, or the job timeout passes. */
async function pollJob(ctx: VerifyContext, rec: Recorder, jar: CookieJar, url: string, what: string): Promise<{ answer: PollAnswer; ms: number; polls: number }> {
  const started = Date.now();
  let lastPercent = -1;
  for (let polls = 1; ; polls++) {
    const r = await ctx.client.get(url, { jar, headers: { accept: 'application/json' } });
    if (r.status >= 500) rec.fail(`${what} progress answered ${r.status} (progress is kept in Redis)`, ['redis']);
    if (r.status !== 200) rec.fail(`${what} progress answered ${r.status}: ${short(r.text, 100)}`);
    const a = json<PollAnswer>(r, `${what} progress`);
    lastPercent = a.progress?.percent ?? lastPercent;
    if (a.error || a.progress?.error) {
      const message = String(a.error ?? a.progress?.error_message ?? '');
      rec.fail(`${what} failed in Celery: ${message}`, taskFailureServices(message));
    }
    if (a.is_ready) return { answer: a, ms: Date.now() - started, polls };
    if (Date.now() - started + ctx.opts.pollMs > ctx.opts.jobTimeoutMs) {
      rec.see(`${what}: ${polls} polls, last progress ${lastPercent < 0 ? 'none' : `${lastPercent} %`}`);
      rec.fail(`${what} not finished after ${ctx.opts.jobTimeoutMs} ms (${lastPercent <= 0 ? 'no progress: Celery workers not picking up tasks' : `stuck at ${lastPercent} %`})`, lastPercent <= 0 ? ['celery'] : []);
    }
    await sleep(ctx.opts.pollMs, ctx.opts.signal);
  }
}

export async function caseExportAndOData(ctx: VerifyContext, rec: Recorder): Promise<void> {
  const caseId = ctx.state.caseId!;
  const { jar } = await webLogin(ctx, rec);
  const prepare = `${d(ctx)}/data/export/prepare_custom_export/`;
  const r = await ctx.client.post(prepare, JSON.stringify({ exportType: 'case', form_or_case: 'case', case_type: CASE_TYPE }), {
    jar,
    headers: { 'content-type': 'application/json', accept: 'application/json', ...csrfHeaders(ctx, jar, `${d(ctx)}/data/export/custom/new/case/`) },
  });
  rec.see(`POST ${prepare} (case type ${CASE_TYPE}) → ${r.status} (${r.ms} ms)`);
  if (r.status >= 500) rec.fail(`export could not be queued: ${r.status} (Celery broker or Redis)`, []);
  if (r.status !== 200) rec.fail(`export could not be queued: ${r.status} ${short(r.text, 100)}`);
  const downloadId = json<{ download_id?: string }>(r, 'prepare export').download_id;
  if (!downloadId) rec.fail('prepare export answered without a download_id');
  const poll = await pollJob(ctx, rec, jar, `${d(ctx)}/data/export/poll_custom_export_download/?form_or_case=case&download_id=${encodeURIComponent(downloadId)}`, 'case export');
  rec.see(`export ready after ${poll.ms} ms (${poll.polls} polls)`);
  rec.metric('exportMs', poll.ms);
  const url = poll.answer.download_url;
  if (!url) rec.fail('export is ready but has no download_url');
  const file = await ctx.client.get(url, { jar, follow: 3 });
  rec.see(`GET ${new URL(file.url).pathname} → ${file.status}, ${file.bytes.length} bytes, ${file.headers['content-type'] ?? ''}`);
  if (file.status >= 500) rec.fail(`export download answered ${file.status} (the file lives in BlobDB)`, ['blobdb']);
  if (file.status !== 200 || !file.bytes.length) rec.fail(`export download answered ${file.status}`);
  const book = await readExportWorkbook(file.bytes);
  if (typeof book === 'string') rec.fail(`the export download is not an xlsx workbook: ${book}`);
  rec.see(`workbook: ${book.sheets.map((s) => `"${s.name}" ${s.rows} rows`).join(', ')}`);
  if (!book.cellsWith(caseId)) rec.fail(`the export workbook does not contain case ${caseId}`);
  rec.see(`export workbook contains case ${caseId}`);
  await odataFeed(ctx, rec, caseId);
}

export interface ExportWorkbook {
  sheets: { name: string; rows: number }[];
  /** Whether some cell of some sheet holds exactly this value. */
  cellsWith(value: string): boolean;
}

/** Reads a downloaded export as an xlsx workbook (HQ's case export format); a string says why it is not one. */
export async function readExportWorkbook(bytes: Buffer): Promise<ExportWorkbook | string> {
  // An xlsx is a zip: anything else (an HTML error page, a CSV) is named before exceljs is loaded.
  if (bytes.length < 4 || bytes.readUInt32LE(0) !== 0x04034b50) return `it starts with ${JSON.stringify(bytes.subarray(0, 24).toString('latin1'))}, not a zip archive`;
  const { default: ExcelJS } = await import('exceljs');
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(bytes as unknown as ArrayBuffer);
  } catch (e) {
    return `exceljs could not read it (${short((e as Error).message, 80)})`;
  }
  if (!wb.worksheets.length) return 'the workbook has no sheet';
  const values = new Set<string>();
  for (const ws of wb.worksheets) ws.eachRow((row) => (row.values as unknown[]).forEach((v) => v !== null && v !== undefined && values.add(String(v))));
  return { sheets: wb.worksheets.map((ws) => ({ name: ws.name, rows: ws.actualRowCount })), cellsWith: (v) => values.has(v) };
}

async function odataFeed(ctx: VerifyContext, rec: Recorder, caseId: string): Promise<void> {
  const cfg = ctx.target.odataConfigId;
  if (!cfg) {
    rec.warn('OData feed not checked: pass --odata-config ID (or set CCHQ_ODATA_CONFIG_ID) for a case feed configured on the project');
    return;
  }
  let path: string | undefined = `${d(ctx)}/api/odata/cases/v1/${encodeURIComponent(cfg)}/feed`;
  let rows = 0;
  for (let page = 0; path && page < 50; page++) {
    // OData accepts Basic only (no session), as Excel and Power BI send it.
    const r: HttpResponse = await ctx.client.get(path, { auth: ctx.target.web, headers: { accept: 'application/json' } });
    if (page === 0) rec.see(`GET OData feed → ${r.status}, OData-Version ${r.headers['odata-version'] ?? 'missing'} (${r.ms} ms)`);
    if (r.status >= 500) rec.fail(`OData feed answered ${r.status}`, ['elasticsearch']);
    if (r.status !== 200) rec.fail(`OData feed answered ${r.status}${r.status === 404 ? ' (unknown feed id, or the user may not view it)' : ''}`);
    const body = json<{ value?: { case_id?: string }[]; '@odata.nextLink'?: string }>(r, 'OData feed');
    if (!Array.isArray(body.value)) rec.fail('OData feed JSON has no "value" list');
    rows += body.value.length;
    if (body.value.some((v) => v.case_id === caseId)) {
      rec.see(`OData feed returned case ${caseId} as JSON (${rows} rows read)`);
      return;
    }
    path = body['@odata.nextLink'];
  }
  rec.fail(`OData feed (${rows} rows) does not contain case ${caseId}`);
}

/** HQ's bulk upload takes an Excel workbook with a `users` sheet. */
async function workersWorkbook(rows: string[][]): Promise<Buffer> {
  const { default: ExcelJS } = await import('exceljs');
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('users');
  for (const r of rows) ws.addRow(r);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

function multipart(field: string, filename: string, type: string, data: Buffer): { body: Buffer; contentType: string } {
  const boundary = `----ccready${randomBytes(8).toString('hex')}`;
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${filename}"\r\nContent-Type: ${type}\r\n\r\n`;
  return { body: Buffer.concat([Buffer.from(head), data, Buffer.from(`\r\n--${boundary}--\r\n`)]), contentType: `multipart/form-data; boundary=${boundary}` };
}

export async function bulkUserUpload(ctx: VerifyContext, rec: Recorder): Promise<void> {
  const { jar } = await webLogin(ctx, rec);
  const tag = ctx.runId.toLowerCase().replace(/[^a-z0-9]/g, '');
  const users = [1, 2].map((i) => `ccready-bulk-${tag}-${i}`);
  const rows = [['username', 'password', 'name', 'is_active'], ...users.map((u) => [u, randomBytes(12).toString('base64url'), `ccready bulk ${ctx.runId}`, 'True'])];
  const page = `${d(ctx)}/settings/users/commcare/upload/`;
  const send = async (data: Buffer, filename: string, type: string) => {
    const mp = multipart('bulk_upload_file', filename, type, data);
    return ctx.client.post(page, mp.body, { jar, headers: { 'content-type': mp.contentType, ...csrfHeaders(ctx, jar, page) } });
  };
  let r = await send(await workersWorkbook(rows), 'ccready-workers.xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  rec.see(`POST ${page} (workbook with ${users.length} workers) → ${r.status}${r.headers.location ? ` → ${r.headers.location}` : ''} (${r.ms} ms)`);
  if (r.status === 400 && /\bCSV\b/.test(r.text)) {
    // A server that says it reads CSV only (older stand-in builds did) gets the same rows as CSV.
    r = await send(Buffer.from(rows.map((x) => x.join(',')).join('\r\n') + '\r\n'), 'ccready-workers.csv', 'text/csv');
    rec.see(`server reads CSV only: POST ${page} (CSV) → ${r.status}`);
  }
  if (r.status >= 500) rec.fail(`bulk upload could not be queued: ${r.status} (Celery broker or Redis)`);
  if (r.status !== 302 || !r.headers.location) rec.fail(`bulk upload answered ${r.status}, expected a redirect to its status page: ${short(r.text, 100)}`);
  ctx.state.bulkUsers = users;
  const statusPath = new URL(r.headers.location, ctx.client.url(page)).pathname;
  const status = await ctx.client.get(statusPath, { jar });
  const pollPath = /data-poll-url="([^"]+)"/.exec(status.text)?.[1] ?? statusPath.replace('/status/', '/poll/');
  const poll = await pollJob(ctx, rec, jar, pollPath, 'bulk upload');
  const result = poll.answer.result;
  rec.see(`bulk upload finished after ${poll.ms} ms (${poll.polls} polls): ${result?.rows?.map((x) => `${x.username} ${x.flag}`).join(', ') ?? 'no rows reported'}`);
  rec.metric('bulkUploadMs', poll.ms);
  if (result?.errors?.length) rec.fail(`bulk upload reported errors: ${result.errors.slice(0, 3).join('; ')}`);
  const created = result?.rows?.filter((x) => users.includes(x.username.split('@')[0]) && /created|updated/i.test(x.flag)).length ?? 0;
  if (created !== users.length) rec.fail(`bulk upload created ${created} of ${users.length} workers`);
}
