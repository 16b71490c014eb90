// Form submission: fills a template for this virtual worker and posts it to the receiver the way a
// phone does (raw XML, Basic auth, X-OpenRosa-Version). Success is 201 with the OpenRosa
// nature "submit_success", not just a 2xx: HQ's v2 contract reports errors inside a 201.
import type { FormTemplate, K6RunConfig } from '../contract.ts';
import { ACK_PREFIX, REJECT_PREFIX, refusesWorker } from '../contract.ts';
import { basicAuth, errors, formsAcked, formsRejected, http, stalled, STALL_MS, tagsFor, throttled, uuid4 } from './lib.ts';
import { applyAcknowledged, chooseTemplate, fillTemplate, templateSet, type TemplateSet, type WorkerState } from './fill.ts';

export type { WorkerState } from './fill.ts';

// Per VU, worked out on first use: the templates' index, the receiver URL, the success callback.
let set: TemplateSet | undefined;
let setOf: FormTemplate[] | undefined;
let receiver: string | undefined;
const expect201 = http.expectedStatuses(201);
const fillCtx = { runId: '', newId: uuid4, random: Math.random };
// The Date header, formatted once per second rather than once per form.
let dateSecond = -1;
let dateHeader = '';

export function receiverUrl(cfg: K6RunConfig): string {
  const base = `${cfg.baseUrl}/a/${cfg.domain}/receiver/`;
  if (cfg.submit.path === 'secure') return cfg.appId ? `${base}secure/${cfg.appId}/` : `${base}secure/`;
  return cfg.appId ? `${base}${cfg.appId}/` : base;
}

/** Submits one form; updates the worker's open cases on success. Returns true when acknowledged. */
export function submitForm(cfg: K6RunConfig, templates: FormTemplate[], st: WorkerState): boolean {
  if (setOf !== templates) {
    set = templateSet(templates);
    setOf = templates;
    fillCtx.runId = cfg.runId;
  }
  const s = set as TemplateSet;
  const index = chooseTemplate(cfg.submit.mix, s, st.openCases.length);
  const kind = s.all[index].kind;
  const now = Date.now();
  const f = fillTemplate(fillCtx, s, index, st, now);
  const second = Math.floor(now / 1000);
  if (second !== dateSecond) {
    dateSecond = second;
    dateHeader = new Date(now).toUTCString();
  }
  const tags = tagsFor(cfg, 'submission', `receiver ${kind}`);
  const headers: Record<string, string> = {
    Authorization: basicAuth(st.worker),
    'Content-Type': 'text/xml',
    'X-OpenRosa-Version': cfg.submit.openRosaVersion,
    Date: dateHeader,
  };
  // A phone that has synced names its last sync on every submission, so HQ updates that sync
  // log with the form's cases (casexml/apps/phone/middleware.py: SyncTokenMiddleware reads
  // HTTP_X_COMMCAREHQ_LASTSYNCTOKEN into request.last_sync_token for the receiver).
  if (st.syncToken) headers['X-CommCareHQ-LastSyncToken'] = st.syncToken;
  const res = http.post(receiver ?? (receiver = receiverUrl(cfg)), f.xml, { headers, tags, responseCallback: expect201 });
  // The OpenRosa nature, not only the status: HQ's v2 contract reports errors inside a 201.
  const body = res.body;
  const ok = res.status === 201 && typeof body === 'string' && body.indexOf('nature="submit_success"') >= 0;
  if (res.status === 429) {
    // HQ's rate limiter said "later": throttling, counted apart from errors; the form is not sent.
    throttled.add(1);
    console.warn(`${REJECT_PREFIX} submission 429 throttled`);
    return false;
  }
  errors.add(!ok, tags);
  if (ok && res.timings.duration >= STALL_MS) stalled.add(1);
  if (!ok) {
    formsRejected.add(1);
    const nature = typeof body === 'string' ? /nature="([^"]+)"/.exec(body) : null;
    console.warn(`${REJECT_PREFIX} submission ${res.status} ${nature ? nature[1] : '-'}${refusesWorker(res.status) ? ` ${st.worker.username}` : ''}`);
    return false;
  }
  formsAcked.add(1);
  if (cfg.logAcks) {
    // One raw console line per acknowledged form (loadtests/k6log.ts says where it goes and why
    // raw): HQ's form id, and the instanceID only when HQ gave the form another id.
    const h = res.headers;
    const formId = (h['X-Commcarehq-Formid'] ?? h['X-CommCareHQ-FormID'] ?? f.instanceId) as string;
    console.log(formId === f.instanceId ? `${ACK_PREFIX} ${formId}` : `${ACK_PREFIX} ${formId} ${f.instanceId}`);
  }
  applyAcknowledged(st, kind, f);
  return true;
}
