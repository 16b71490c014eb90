// What the Celery-backed checks share (export.ts: case export and OData; bulk.ts: bulk upload):
// both are HQ web-UI flows — a Django session with CSRF, then polling — and read HQ's workbooks.
import { randomBytes } from 'node:crypto';
import type { Recorder } from './step.ts';
import { sleep, type VerifyContext } from './context.ts';
import type { CookieJar, HttpResponse } from './http.ts';
import { short } from './web.ts';
import { throttled } from './api.ts';
import type { Service } from './types.ts';

export function csrfHeaders(ctx: VerifyContext, jar: CookieJar, referer: string): Record<string, string> {
  return { 'x-csrftoken': jar.get('csrftoken') ?? '', referer: ctx.client.url(referer) };
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

export function multipart(field: string, filename: string, type: string, data: Buffer): { body: Buffer; contentType: string } {
  const boundary = `----ccready${randomBytes(8).toString('hex')}`;
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${filename}"\r\nContent-Type: ${type}\r\n\r\n`;
  return { body: Buffer.concat([Buffer.from(head), data, Buffer.from(`\r\n--${boundary}--\r\n`)]), contentType: `multipart/form-data; boundary=${boundary}` };
}


/** What one look at a Celery job's progress says. */
export type JobLook = { ready: true } | { ready: false; percent?: number };

/**
 * Polls a Celery job's progress URL (a session page) until `look` says it is ready, fails the step
 * when the job timeout passes; 429s are waited out like every other poll.
 */
export async function pollJob(ctx: VerifyContext, rec: Recorder, jar: CookieJar, url: string, what: string, look: (r: HttpResponse) => JobLook, accept = 'application/json'): Promise<{ last: HttpResponse; ms: number; polls: number }> {
  const started = Date.now();
  let lastPercent = -1;
  for (let polls = 1; ; polls++) {
    const r = await throttled(ctx, rec, `${what} progress`, () => ctx.client.get(url, { jar, headers: { accept } }));
    const seen = look(r);
    if (seen.ready) return { last: r, ms: Date.now() - started, polls };
    lastPercent = seen.percent ?? lastPercent;
    if (Date.now() - started + ctx.opts.pollMs > ctx.opts.jobTimeoutMs) {
      rec.see(`${what}: ${polls} polls, last progress ${lastPercent < 0 ? 'none' : `${lastPercent} %`}`);
      rec.fail(`${what} not finished after ${ctx.opts.jobTimeoutMs} ms (${lastPercent <= 0 ? 'no progress: Celery workers not picking up tasks' : `stuck at ${lastPercent} %`})`, lastPercent <= 0 ? ['celery'] : []);
    }
    await sleep(ctx.opts.pollMs, ctx.opts.signal);
  }
}
