// Integrity audit: every form the server acknowledged during the run must be listed by the Form
// API afterwards. The listing is Elasticsearch-backed and lags behind the receiver (pillows), so
// the audit polls until every id is there or the wait runs out; what is still missing is lost.
import { UsageError } from '../common/errors.ts';
import type { Target } from '../common/target.ts';
import { ACK_PREFIX, REJECT_PREFIX } from './contract.ts';
import { completeLines } from './k6log.ts';
import type { HqClient, HttpResponse } from '../common/http.ts';
import { targetClient } from './http.ts';
import { apiAuthorization, asksForOtp, retryDelayMs, TWO_FACTOR_HINT } from '../common/throttle.ts';

export interface Ack {
  formId: string;
  instanceId: string;
}

export interface AuditResult {
  /** false when the audit could not run (reason in note) */
  checked: boolean;
  acknowledged: number;
  /** acknowledged forms found in the Form API listing */
  found: number;
  lost: number;
  missingFormIds: string[];
  waitedS: number;
  note?: string;
  /** true when the audit was wanted but the Form API could not be used: nothing is confirmed */
  failed?: boolean;
  /** true when a stop signal ended the audit before it could decide */
  interrupted?: boolean;
}

/**
 * The fields of every k6 line that carries `prefix`: raw lines (k6's console file), JSON lines
 * (the log of ccready before the split, still in old k8s claim folders) or logfmt. Only complete
 * lines count (k6log.ts completeLines): a last line cut short by a killed k6 is skipped, as is a
 * JSON line that does not parse. `optional` trailing fields may be absent.
 */
function k6LogRecords(text: string, prefix: string, fields: number, optional = 0): string[][] {
  const re = new RegExp(`${prefix}${' (\\S+)'.repeat(fields)}${'(?: (\\S+))?'.repeat(optional)}`);
  const out: string[][] = [];
  for (const line of completeLines(text)) {
    if (!line.includes(prefix)) continue;
    let msg = line;
    if (line.startsWith('{')) {
      try {
        msg = String((JSON.parse(line) as { msg?: string }).msg ?? '');
      } catch {
        continue;
      }
    }
    const m = re.exec(msg);
    if (m) out.push(m.slice(1));
  }
  return out;
}

/**
 * Reads the acknowledged form ids from k6's console lines, once each, in acknowledgement order.
 * A line carries `FORM_ID` alone when HQ's form id is the form's instanceID (the usual case),
 * else `FORM_ID INSTANCE_ID`; old JSON lines also carried `vuN`, ignored.
 */
export function parseAckLog(text: string): Ack[] {
  const seen = new Set<string>();
  const out: Ack[] = [];
  for (const [formId, instanceId] of k6LogRecords(text, ACK_PREFIX, 1, 1)) {
    if (seen.has(formId)) continue;
    seen.add(formId);
    out.push({ formId, instanceId: instanceId ?? formId });
  }
  return out;
}

export interface RejectedAnswer {
  kind: string;
  status: string;
  nature: string;
  count: number;
  /** the workers HQ refused (401, 403), each once, sorted */
  workers?: string[];
}

/** What the server answered to failed submissions and syncs (k6's reject lines), most frequent first. */
export function parseRejectLog(text: string): RejectedAnswer[] {
  const counts = new Map<string, RejectedAnswer>();
  // the refused workers of each answer, gathered as they come and sorted once at the end
  const refused = new Map<RejectedAnswer, Set<string>>();
  for (const [kind, status, nature, worker] of k6LogRecords(text, REJECT_PREFIX, 3, 1)) {
    const key = `${kind} ${status} ${nature}`;
    let c = counts.get(key);
    if (c) c.count++;
    else counts.set(key, (c = { kind, status, nature, count: 1 }));
    if (!worker) continue;
    let names = refused.get(c);
    if (!names) refused.set(c, (names = new Set()));
    names.add(worker);
  }
  for (const [c, names] of refused) c.workers = [...names].sort();
  return [...counts.values()].sort((a, b) => b.count - a.count);
}

/** One line for the report: `submission 401 ×51, restore 500 (-) ×3`. */
export function describeRejections(r: RejectedAnswer[]): string {
  const status = (s: string) => (s === '0' ? 'no answer (connection error or timeout)' : s);
  return r.map((x) => `${x.kind} ${status(x.status)}${x.nature !== '-' ? ` ${x.nature}` : ''} ×${x.count}`).join(', ');
}

/** The acknowledged ids that the listing does not hold, in acknowledgement order. */
export function missingIds(acked: Ack[], listed: Set<string>): string[] {
  return acked.filter((a) => !listed.has(a.formId) && !listed.has(a.instanceId)).map((a) => a.formId);
}

interface FormList {
  meta?: { next?: string | null; total_count?: number; limit?: number; offset?: number };
  objects?: { id?: string; form?: { meta?: { instanceID?: string } } }[];
}

/** How long one page may wait out HQ's API throttle (429) before the audit gives up, as throttling. */
const THROTTLE_WAIT_MS = 120_000;

/** One page of the Form API; a 429 waited out (Retry-After, else a doubling back-off) within a bound. */
async function fetchPage(client: HqClient, url: string, authorization: string): Promise<HttpResponse> {
  let waited = 0;
  for (let attempt = 1; ; attempt++) {
    // Same-origin redirects are followed; one to another origin is refused (ForeignOriginError).
    const res = await client.get(url, { headers: { authorization, accept: 'application/json' }, timeoutMs: 60000, follow: 3 });
    if (res.status !== 429) return res;
    const wait = retryDelayMs(res.headers['retry-after'], attempt);
    if (waited + wait > THROTTLE_WAIT_MS) throw new Error(`Form API kept answering 429 for ${Math.round(waited / 1000)} s: HQ's API rate limit (throttling), not a failed service`);
    waited += wait;
    await new Promise((r) => setTimeout(r, wait));
  }
}

/** Every form id the Form API lists as received since `since` (pages of 1000). */
export async function listFormIds(target: Target, since: Date, maxPages = 1000): Promise<Set<string>> {
  const creds = target.web;
  if (!creds) throw new UsageError('integrity audit: no web user for the Form API (set CCHQ_WEB_USERNAME/CCHQ_WEB_PASSWORD)');
  const ids = new Set<string>();
  const start = new Date(since.getTime() - 60_000).toISOString().replace(/\.\d+Z$/, '');
  // Page with offset and the same filter ourselves (rather than following meta.next), so every
  // page is filtered alike whatever the server puts in its links.
  const pageUrl = (offset: number) => `${target.url}/a/${target.domain}/api/form/v1/?limit=1000&offset=${offset}&received_on_start=${encodeURIComponent(start)}`;
  const client = targetClient(target);
  try {
    let offset = 0;
    for (let page = 0; page < maxPages; page++) {
      const url = pageUrl(offset);
      // The API key (`ApiKey user:key`) when given: HQ lets it past 2FA; 429s waited out.
      const res = await fetchPage(client, url, apiAuthorization(creds, target.apiKey));
      if (res.status !== 200) {
        if (asksForOtp(res.status, res.text)) throw new Error(`Form API answered 401: ${TWO_FACTOR_HINT}`);
        throw new Error(`Form API answered ${res.status} for ${new URL(url).pathname}`);
      }
      let body: FormList;
      try {
        body = JSON.parse(res.text) as FormList;
      } catch {
        throw new Error(`Form API answered 200 but not JSON for ${new URL(url).pathname}`);
      }
      const objs = body.objects ?? [];
      for (const o of objs) {
        if (o.id) ids.add(o.id);
        const iid = o.form?.meta?.instanceID;
        if (iid) ids.add(iid);
      }
      offset += objs.length;
      const total = body.meta?.total_count;
      const more = objs.length > 0 && (body.meta?.next ? true : total !== undefined && offset < total);
      if (!more) break;
    }
  } finally {
    await client.close();
  }
  return ids;
}

export interface AuditOptions {
  target: Target;
  acked: Ack[];
  since: Date;
  /** how long to wait for the listing to catch up (pillow lag) */
  timeoutS?: number;
  pollS?: number;
  list?: (target: Target, since: Date) => Promise<Set<string>>;
  /** Ctrl-C: stop waiting, keep what was confirmed so far */
  signal?: AbortSignal;
}

export async function auditForms(o: AuditOptions): Promise<AuditResult> {
  const timeoutS = o.timeoutS ?? 60;
  const pollMs = (o.pollS ?? 1) * 1000;
  const list = o.list ?? listFormIds;
  const started = Date.now();
  if (o.acked.length === 0) return { checked: true, acknowledged: 0, found: 0, lost: 0, missingFormIds: [], waitedS: 0 };
  if (!o.target.web) {
    // The Form API needs a web user with API access; a mobile worker cannot list forms.
    return { checked: false, acknowledged: o.acked.length, found: 0, lost: 0, missingFormIds: [], waitedS: 0, note: 'skipped: no web user for the Form API (set CCHQ_WEB_USERNAME/CCHQ_WEB_PASSWORD)' };
  }
  let missing: string[] = o.acked.map((a) => a.formId);
  let lastError: string | undefined;
  let listed = false;
  const stopped = (): AuditResult => ({
    checked: false, interrupted: true, acknowledged: o.acked.length, found: listed ? o.acked.length - missing.length : 0, lost: 0, missingFormIds: [],
    waitedS: Number(((Date.now() - started) / 1000).toFixed(1)),
    note: listed ? `stopped after ${((Date.now() - started) / 1000).toFixed(0)} s with ${o.acked.length - missing.length} of ${o.acked.length} forms confirmed` : 'stopped before the Form API answered',
  });
  for (;;) {
    if (o.signal?.aborted) return stopped();
    try {
      missing = missingIds(o.acked, await list(o.target, o.since));
      listed = true;
      lastError = undefined;
    } catch (e) {
      lastError = (e as Error).message;
    }
    const waited = (Date.now() - started) / 1000;
    if ((missing.length === 0 && !lastError) || waited + pollMs / 1000 > timeoutS) {
      if (lastError) {
        return { checked: false, failed: true, acknowledged: o.acked.length, found: 0, lost: 0, missingFormIds: [], waitedS: Number(waited.toFixed(1)), note: `Form API unusable, no acknowledged form could be confirmed: ${lastError}` };
      }
      return { checked: true, acknowledged: o.acked.length, found: o.acked.length - missing.length, lost: missing.length, missingFormIds: missing, waitedS: Number(waited.toFixed(1)) };
    }
    if (o.signal?.aborted) return stopped();
    await new Promise<void>((r) => {
      const t = setTimeout(done, pollMs);
      function done() {
        clearTimeout(t);
        o.signal?.removeEventListener('abort', done);
        r();
      }
      o.signal?.addEventListener('abort', done, { once: true });
    });
  }
}
