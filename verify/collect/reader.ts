// Reads one project's Form, Case and User APIs page by page, as its web user: the API key when one
// is known (it skips 2FA), else Basic (common/throttle.ts apiAuthorization). 429 and 503 answers
// are waited out as their Retry-After asks (common/throttle.ts retryDelayMs), within a budget.
// Shared by `verify migration` (two servers compared) and `size init --from` (one project's history).
//
// HQ exchanges used (docs/hq-sim.md has the cited contract):
// - Form API `GET /a/<domain>/api/form/v1/` (corehq/apps/api/resources/v0_4.py XFormInstanceResource
//   over corehq/apps/api/es.py): `received_on_start` / `received_on_end` become a range filter
//   gte/lte on received_on (es.py `DateRangeParams`; naive UTC values, `validate_date`; a date-only
//   end is midnight, so each month ends at T23:59:59.999999), `order_by=received_on`, `limit`
//   (at most 1000) and `offset`; `meta.total_count`; each form's `metadata.userID` and its
//   `attachments` (name → content_type, length; v0_4.py `dehydrate_attachments`).
// - Case API v2 `GET /a/<domain>/api/case/v2/` (corehq/apps/hqcase/api/get_list.py `get_list`):
//   `limit` up to 5000 and the `next` link with its cursor; `case_type`, `date_opened`, `closed`,
//   `date_closed` per case.
// - User API `GET /a/<domain>/api/user/v1/` (corehq/apps/api/resources/v0_5.py
//   CommCareUserResource): `limit`/`offset`, `meta.total_count`, each worker's `id` and `username`.
// - Restore `GET /a/<domain>/phone/restore/?as=<username>` (see restoreAs).
// Throttling: corehq/apps/api/resources/meta.py `api_rate_limiter` (429; Retry-After from the Case API).
import { setTimeout as sleep } from 'node:timers/promises';
import { RunError, UsageError } from '../../common/errors.ts';
import type { Target } from '../../common/target.ts';
import { apiAuthorization, asksForOtp, retryDelayMs, TWO_FACTOR_HINT } from '../../common/throttle.ts';
import { HqClient, HttpError, type HttpResponse } from '../http.ts';

export interface ReaderOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Retries of one request answered 429 or 503 (default 8). */
  maxRetries?: number;
  /** Seconds one request may spend waiting out 429/503 before the run gives up (default 300). */
  maxWaitS?: number;
  /** Called for every request (path without the host), for a progress line or a count. */
  onRequest?: (path: string) => void;
}

/** One form as the Form API lists it: the parts the callers read. */
export interface ApiForm {
  id: string;
  received_on?: string;
  form?: Record<string, unknown>;
  metadata?: { userID?: string | null };
  attachments?: Record<string, { length?: number; content_type?: string }>;
}

/** One case as Case API v2 lists it: the parts the callers read. */
export interface ApiCase {
  case_id?: string;
  owner_id?: string;
  case_type?: string;
  date_opened?: string | null;
  closed?: boolean;
  date_closed?: string | null;
}

export const FORM_PAGE = 1000;
export const CASE_PAGE = 5000;

/** The Form API's received_on bounds of one month (naive UTC, as HQ's validate_date takes them). */
export function monthBounds(month: string): { start: string; end: string } {
  const [y, m] = month.split('-').map(Number);
  const lastDay = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return { start: `${month}-01T00:00:00`, end: `${month}-${String(lastDay).padStart(2, '0')}T23:59:59.999999` };
}

/** Every month from the first to the last (YYYY-MM), inclusive. */
export function monthsBetween(first: string, last: string): string[] {
  const out: string[] = [];
  let [y, m] = first.split('-').map(Number);
  const [ly, lm] = last.split('-').map(Number);
  while (y < ly || (y === ly && m <= lm)) {
    out.push(`${y}-${String(m).padStart(2, '0')}`);
    if (++m > 12) (m = 1), y++;
  }
  return out;
}

export class ProjectReader {
  private readonly client: HqClient;
  readonly base: string;
  private readonly authorization: string;
  requests = 0;
  waits = 0;
  constructor(
    /** How errors name this server: `source`, `target`, or the `--from` server. */
    readonly role: string,
    readonly target: Target,
    readonly opts: ReaderOptions = {},
  ) {
    // The API accepts `ApiKey user:key` alone (HQ's multi-auth), so a key needs no password here.
    const user = target.web ?? (target.apiKey && target.apiUser ? { username: target.apiUser, password: '' } : undefined);
    if (!user) throw new UsageError(`${role}: no web user (set CCHQ_WEB_USERNAME with CCHQ_API_KEY, or with CCHQ_WEB_PASSWORD; the key is preferred)`);
    this.authorization = apiAuthorization(user, target.apiKey);
    this.client = new HqClient(target.url, { tls: target.tls, timeoutMs: opts.timeoutMs ?? 60_000, signal: opts.signal });
    this.base = `/a/${encodeURIComponent(target.domain)}/api`;
  }

  /**
   * GET one page, waiting out 429 and 503 (and `waitOn`, e.g. an async restore's 202) as Retry-After
   * asks, else a doubling back-off, within the wait budget. Other statuses are the caller's.
   */
  private async get(path: string, waitOn: number[] = []): Promise<HttpResponse> {
    const maxRetries = this.opts.maxRetries ?? 8;
    const budgetMs = (this.opts.maxWaitS ?? 300) * 1000;
    const shown = path.replace(/^https?:\/\/[^/]+/, '');
    let waited = 0;
    for (let attempt = 1; ; attempt++) {
      if (this.opts.signal?.aborted) throw new RunError(`${this.role}: interrupted`);
      this.opts.onRequest?.(shown);
      this.requests++;
      let r;
      try {
        r = await this.client.get(path, { headers: { accept: 'application/json', authorization: this.authorization } });
      } catch (e) {
        // A server that does not answer makes the run impossible: a failed run (exit 1), not a bug.
        if (e instanceof HttpError) throw new RunError(`${this.role}: ${e.message}`);
        throw e;
      }
      if ((r.status === 429 || r.status === 503 || waitOn.includes(r.status)) && attempt <= maxRetries) {
        const wait = retryDelayMs(r.headers['retry-after'], attempt);
        if (waited + wait > budgetMs) throw new RunError(`${this.role}: GET ${shown} kept answering ${r.status} for ${Math.round(waited / 1000)} s${r.status === 429 ? " (HQ's API rate limit)" : ''}; run again later`);
        this.waits++;
        waited += wait;
        try {
          await sleep(wait, undefined, { signal: this.opts.signal });
        } catch {
          throw new RunError(`${this.role}: interrupted`);
        }
        continue;
      }
      if (asksForOtp(r.status, r.text)) throw new RunError(`${this.role}: GET ${shown} answered 401 asking for a one-time password — ${TWO_FACTOR_HINT}`);
      return r;
    }
  }

  /** GET one API page as JSON; anything but 200 JSON is a failed run naming the page. */
  async json(path: string): Promise<Record<string, unknown>> {
    const r = await this.get(path);
    const shown = path.replace(/^https?:\/\/[^/]+/, '');
    if (r.status !== 200) throw new RunError(`${this.role}: GET ${shown} answered ${r.status}${r.status === 401 || r.status === 403 ? ' (check the web user or API key of this server)' : ''}`);
    try {
      return JSON.parse(r.text) as Record<string, unknown>;
    } catch {
      throw new RunError(`${this.role}: GET ${shown} answered 200 but not JSON`);
    }
  }

  /**
   * A mobile worker's restore, fetched by the web user as that worker (HQ corehq/apps/ota/views.py
   * `restore` with `as=<user>@<domain>.<root>`; corehq/apps/ota/utils.py `is_permitted_to_restore`,
   * `get_restore_user`): the ids of the cases it carries (`<case case_id=…>`), or the status and
   * first line of a refusal. An async restore's 202 is polled as its Retry-After asks.
   */
  async restoreAs(username: string): Promise<{ ok: true; caseIds: Set<string> } | { ok: false; status: number; reason: string }> {
    const r = await this.get(`/a/${encodeURIComponent(this.target.domain)}/phone/restore/?as=${encodeURIComponent(username)}&version=2.0`, [202]);
    if (r.status !== 200) return { ok: false, status: r.status, reason: r.text.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 160) };
    return { ok: true, caseIds: new Set([...r.text.matchAll(/<case\b[^>]*?\bcase_id="([^"]+)"/g)].map((m) => m[1]!)) };
  }

  /** Mobile workers (id, username) from the User API, up to `limit`. */
  async mobileWorkerList(limit = 1000): Promise<{ id: string; username: string }[]> {
    const j = await this.json(`${this.base}/user/v1/?limit=${limit}`);
    return ((j.objects ?? []) as { id?: string; username?: string }[]).filter((u) => u.id && u.username).map((u) => ({ id: u.id!, username: u.username! }));
  }

  /** The months of the first and the last form received (YYYY-MM), or undefined without forms. */
  async formSpan(): Promise<{ first: string; last: string } | undefined> {
    const edge = async (order: string): Promise<string | undefined> => {
      const j = await this.json(`${this.base}/form/v1/?limit=1&order_by=${order}`);
      return (j.objects as ApiForm[] | undefined)?.[0]?.received_on?.slice(0, 7);
    };
    const first = await edge('received_on');
    const last = await edge('-received_on');
    return first && last ? { first, last } : undefined;
  }

  /** One page of the forms received in `month`, from `offset` (offset paging within a month keeps offsets small). */
  async formPage(month: string, offset: number, limit = FORM_PAGE): Promise<{ forms: ApiForm[]; total: number; next: number | null }> {
    const { start, end } = monthBounds(month);
    const j = await this.json(`${this.base}/form/v1/?received_on_start=${start}&received_on_end=${end}&order_by=received_on&limit=${limit}&offset=${offset}`);
    const forms = (j.objects ?? []) as ApiForm[];
    const total = Number((j.meta as { total_count?: number } | undefined)?.total_count ?? 0);
    return { forms, total, next: forms.length && offset + limit < total ? offset + limit : null };
  }

  /** Every form received in one month. */
  async formsOfMonth(month: string): Promise<ApiForm[]> {
    const out: ApiForm[] = [];
    for (let offset: number | null = 0; offset !== null; ) {
      const p = await this.formPage(month, offset);
      out.push(...p.forms);
      offset = p.next;
    }
    return out;
  }

  /** The first Case API page, to start from. */
  firstCasePage(limit = CASE_PAGE): string {
    return `${this.base}/case/v2/?limit=${limit}`;
  }

  /** One Case API page and the `next` link (with its cursor) to the following one. */
  async casePage(path: string): Promise<{ cases: ApiCase[]; next: string | null }> {
    const j = await this.json(path);
    return { cases: (j.cases ?? []) as ApiCase[], next: typeof j.next === 'string' ? j.next : null };
  }

  /** Every case of the project, following the cursor to the end. */
  async allCases(): Promise<ApiCase[]> {
    const out: ApiCase[] = [];
    for (let path: string | null = this.firstCasePage(); path; ) {
      const p = await this.casePage(path);
      out.push(...p.cases);
      path = p.next;
    }
    return out;
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
