// The HTTP half of `verify migration`: reads one server's Form, Case and User APIs as the web user,
// page by page, waiting out 429 / 503 answers as their Retry-After asks. What it returns is plain
// data for compare.ts.
//
// HQ exchanges used (docs/hq-sim.md has the cited contract):
// - Form API `GET /a/<domain>/api/form/v1/` (corehq/apps/api/resources/v0_4.py XFormInstanceResource
//   over corehq/apps/api/es.py): `received_on_start` / `received_on_end` become a range filter
//   gte/lte on received_on (es.py `DateRangeParams`; naive UTC values, `validate_date`; a date-only
//   end is midnight, so each month ends at T23:59:59.999999),
//   `order_by=received_on`, `limit` (at most 1000) and `offset`; `meta.total_count` and `meta.next`.
// - Case API v2 `GET /a/<domain>/api/case/v2/` (corehq/apps/hqcase/api/get_list.py `get_list`):
//   `limit` up to 5000 and the `next` link with its cursor; `case_type`, `date_opened` per case.
// - User API `GET /a/<domain>/api/user/v1/?limit=1` (v0_5.py CommCareUserResource): `meta.total_count`.
import { RunError, UsageError } from '../../common/errors.ts';
import type { Target } from '../../common/target.ts';
import { HqClient, HttpError } from '../http.ts';
import { contentHash, monthBounds, type CaseTally, type FormDigest } from './compare.ts';

export interface ReaderOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Retries of one request answered 429 or 503 (default 6). */
  maxRetries?: number;
  /** Longest wait a Retry-After may ask for before the run gives up, seconds (default 120). */
  maxWaitS?: number;
  /** Called for every request, for a progress line. */
  onRequest?: (path: string) => void;
}

const FORM_PAGE = 1000;
const CASE_PAGE = 5000;

/** Seconds to wait from a Retry-After header: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterSeconds(header: string | undefined, now = Date.now()): number | undefined {
  if (!header) return undefined;
  if (/^\s*\d+\s*$/.test(header)) return Number(header);
  const at = Date.parse(header);
  return Number.isFinite(at) ? Math.max(0, Math.ceil((at - now) / 1000)) : undefined;
}

export class ApiReader {
  private readonly client: HqClient;
  private readonly base: string;
  requests = 0;
  waits = 0;
  constructor(
    readonly role: 'source' | 'target',
    readonly target: Target,
    readonly opts: ReaderOptions = {},
  ) {
    if (!target.web) throw new UsageError(`--${role}-env: no web user for ${role} (set CCHQ_WEB_USERNAME and CCHQ_WEB_PASSWORD)`);
    this.client = new HqClient(target.url, { tls: target.tls, timeoutMs: opts.timeoutMs ?? 60_000, signal: opts.signal });
    this.base = `/a/${encodeURIComponent(target.domain)}/api`;
  }

  /** GET one API page as JSON; 429 and 503 are waited out (Retry-After, else a doubling backoff). */
  async json(path: string): Promise<Record<string, unknown>> {
    const max = this.opts.maxRetries ?? 6;
    for (let attempt = 0; ; attempt++) {
      this.opts.onRequest?.(path);
      this.requests++;
      let r;
      try {
        r = await this.client.get(path, { auth: this.target.web, headers: { accept: 'application/json' } });
      } catch (e) {
        // A server that does not answer makes the comparison impossible: a failed run (exit 1), not a bug.
        if (e instanceof HttpError) throw new RunError(`${this.role}: ${e.message}`);
        throw e;
      }
      if ((r.status === 429 || r.status === 503) && attempt < max) {
        const wait = retryAfterSeconds(r.headers['retry-after']) ?? 2 ** attempt;
        if (wait > (this.opts.maxWaitS ?? 120)) throw new RunError(`${this.role}: ${path} asked to wait ${wait} s (Retry-After), longer than ${this.opts.maxWaitS ?? 120} s`);
        this.waits++;
        await new Promise((res) => setTimeout(res, wait * 1000));
        if (this.opts.signal?.aborted) throw new RunError(`${this.role}: interrupted`);
        continue;
      }
      if (r.status !== 200) throw new RunError(`${this.role}: GET ${path.replace(/^https?:\/\/[^/]+/, '')} answered ${r.status}${r.status === 401 || r.status === 403 ? ' (check the web user of this server)' : ''}`);
      try {
        return JSON.parse(r.text) as Record<string, unknown>;
      } catch {
        throw new RunError(`${this.role}: GET ${path} answered 200 but not JSON`);
      }
    }
  }

  /** The months of the first and the last form received (YYYY-MM), or undefined without forms. */
  async formSpan(): Promise<{ first: string; last: string } | undefined> {
    const edge = async (order: string): Promise<string | undefined> => {
      const j = await this.json(`${this.base}/form/v1/?limit=1&order_by=${order}`);
      const f = (j.objects as { received_on?: string }[] | undefined)?.[0];
      return f?.received_on?.slice(0, 7);
    };
    const first = await edge('received_on');
    const last = await edge('-received_on');
    return first && last ? { first, last } : undefined;
  }

  /** Every form received in one month, as digests (offset paging within the month keeps offsets small). */
  async formsOfMonth(month: string): Promise<FormDigest[]> {
    const { start, end } = monthBounds(month);
    const out: FormDigest[] = [];
    for (let offset = 0; ; offset += FORM_PAGE) {
      const j = await this.json(`${this.base}/form/v1/?received_on_start=${start}&received_on_end=${end}&order_by=received_on&limit=${FORM_PAGE}&offset=${offset}`);
      const objects = (j.objects ?? []) as { id: string; form?: Record<string, unknown> }[];
      for (const o of objects) out.push({ id: o.id, xmlns: String(o.form?.['@xmlns'] ?? ''), hash: contentHash(o.form ?? null) });
      const total = Number((j.meta as { total_count?: number } | undefined)?.total_count ?? 0);
      if (!objects.length || offset + FORM_PAGE >= total) return out;
    }
  }

  /** Cases by opening month and case type, following the Case API's cursor to the end. */
  async caseTally(): Promise<CaseTally> {
    const tally: CaseTally = new Map();
    let path: string | undefined = `${this.base}/case/v2/?limit=${CASE_PAGE}`;
    while (path) {
      const j = await this.json(path);
      for (const c of (j.cases ?? []) as { case_type?: string; date_opened?: string | null }[]) {
        const key = `${(c.date_opened ?? '').slice(0, 7) || 'unknown'}|${c.case_type ?? ''}`;
        tally.set(key, (tally.get(key) ?? 0) + 1);
      }
      path = typeof j.next === 'string' ? j.next : undefined;
    }
    return tally;
  }

  /** Active mobile workers (the User API's total_count). */
  async mobileWorkers(): Promise<number> {
    const j = await this.json(`${this.base}/user/v1/?limit=1`);
    return Number((j.meta as { total_count?: number } | undefined)?.total_count ?? 0);
  }

  close(): Promise<void> {
    return this.client.close();
  }
}
