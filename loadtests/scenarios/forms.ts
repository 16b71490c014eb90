// Form submission: fills a template for this virtual worker and posts it to the receiver the way a
// phone does (raw XML, Basic auth, X-OpenRosa-Version). Success is 201 with the OpenRosa
// nature "submit_success", not just a 2xx: HQ's v2 contract reports errors inside a 201.
import exec from 'k6/execution';
import type { FormTemplate, K6RunConfig, MobileWorker } from '../contract.ts';
import { ACK_PREFIX } from '../contract.ts';
import { basicAuth, errors, formsAcked, formsRejected, http, iso, tagsFor, uuid4 } from './lib.ts';

/** The cases a virtual worker opened and has not closed yet: each worker works only on its own. */
export interface WorkerState {
  worker: MobileWorker;
  deviceId: string;
  openCases: string[];
  userId?: string;
  syncToken?: string;
}

function pick<T>(items: T[]): T {
  return items[Math.floor(Math.random() * items.length)];
}

function weightedKind(cfg: K6RunConfig, st: WorkerState, available: Set<string>): 'registration' | 'followup' | 'close' {
  // A worker with no open case can only register one.
  if (st.openCases.length === 0 && available.has('registration')) return 'registration';
  const mix = cfg.submit.mix;
  const entries = (['registration', 'followup', 'close'] as const).filter((k) => available.has(k) && mix[k] > 0);
  if (entries.length === 0) return 'registration';
  const total = entries.reduce((a, k) => a + mix[k], 0);
  let r = Math.random() * total;
  for (const k of entries) {
    r -= mix[k];
    if (r < 0) return k;
  }
  return entries[entries.length - 1];
}

export function chooseTemplate(cfg: K6RunConfig, templates: FormTemplate[], st: WorkerState): FormTemplate {
  const kinds = new Set(templates.map((t) => t.kind));
  const other = templates.filter((t) => t.kind === 'other');
  // User folders may hold only case-less forms, or a mix; 'other' forms take a share like follow-ups.
  if (!kinds.has('registration') && !kinds.has('followup') && !kinds.has('close')) return pick(templates);
  let kind: string = weightedKind(cfg, st, kinds);
  if (other.length && kind === 'followup' && Math.random() < other.length / (other.length + templates.filter((t) => t.kind === 'followup').length)) kind = 'other';
  const candidates = templates.filter((t) => t.kind === kind);
  return pick(candidates.length ? candidates : templates);
}

export interface FilledForm {
  xml: string;
  instanceId: string;
  created: string[];
  usedCase?: string;
}

type Part = string | { name: string; n: number };
const compiledTemplates = new Map<FormTemplate, Part[]>();

function compiled(t: FormTemplate): Part[] {
  let parts = compiledTemplates.get(t);
  if (!parts) {
    parts = [];
    const re = /\{\{([a-z_]+)(?::(\d+))?\}\}/g;
    let last = 0;
    for (let m = re.exec(t.xml); m; m = re.exec(t.xml)) {
      if (m.index > last) parts.push(t.xml.slice(last, m.index));
      parts.push({ name: m[1], n: m[2] === undefined ? 0 : Number(m[2]) });
      last = m.index + m[0].length;
    }
    if (last < t.xml.length) parts.push(t.xml.slice(last));
    compiledTemplates.set(t, parts);
  }
  return parts;
}

export function fillTemplate(cfg: K6RunConfig, t: FormTemplate, st: WorkerState, nowMs: number): FilledForm {
  const instanceId = uuid4();
  const created: string[] = [];
  for (let i = 0; i < t.creates; i++) created.push(uuid4());
  let usedCase: string | undefined;
  const own = (): string => {
    if (usedCase) return usedCase;
    // HQ creates a case on an update of an unknown id, so a worker with no open case still
    // updates a case of its own rather than a shared fixed id (the Locust hot-spot).
    usedCase = st.openCases.length ? pick(st.openCases) : uuid4();
    return usedCase;
  };
  // A realistic form: filled over 30 s to 5 min, finished a few seconds before it is sent.
  const end = nowMs - Math.floor(Math.random() * 5000);
  const start = end - 30000 - Math.floor(Math.random() * 270000);
  const values: Record<string, string> = {
    instance_id: instanceId,
    user_id: st.userId ?? '',
    username: st.worker.username.split('@')[0],
    device_id: st.deviceId,
    time_start: iso(start),
    time_end: iso(end),
    date_modified: iso(end),
    today: iso(end).slice(0, 10),
    run_id: cfg.runId,
  };
  // Templates are split into literal text and placeholders once per VU, then joined per form.
  const parts = compiled(t);
  let xml = '';
  for (const p of parts) {
    if (typeof p === 'string') xml += p;
    else if (p.name === 'new_case_id') xml += created[p.n] ?? `{{new_case_id:${p.n}}}`;
    else if (p.name === 'own_case_id') xml += own();
    else xml += values[p.name] ?? `{{${p.name}}}`;
  }
  return { xml, instanceId, created, usedCase };
}

export function receiverUrl(cfg: K6RunConfig): string {
  const base = `${cfg.baseUrl}/a/${cfg.domain}/receiver/`;
  if (cfg.submit.path === 'secure') return cfg.appId ? `${base}secure/${cfg.appId}/` : `${base}secure/`;
  return cfg.appId ? `${base}${cfg.appId}/` : base;
}

/** Submits one form; updates the worker's open cases on success. Returns true when acknowledged. */
export function submitForm(cfg: K6RunConfig, templates: FormTemplate[], st: WorkerState): boolean {
  const t = chooseTemplate(cfg, templates, st);
  const f = fillTemplate(cfg, t, st, Date.now());
  const res = http.post(receiverUrl(cfg), f.xml, {
    headers: {
      Authorization: basicAuth(st.worker),
      'Content-Type': 'text/xml',
      'X-OpenRosa-Version': cfg.submit.openRosaVersion,
      Date: new Date().toUTCString(),
    },
    tags: tagsFor(cfg, 'submission', `receiver ${t.kind}`),
    responseCallback: http.expectedStatuses(201),
  });
  const body = typeof res.body === 'string' ? res.body : '';
  const ok = res.status === 201 && /nature="submit_success"/.test(body);
  errors.add(!ok, tagsFor(cfg, 'submission', `receiver ${t.kind}`));
  if (!ok) {
    formsRejected.add(1);
    return false;
  }
  formsAcked.add(1);
  const formId = (res.headers['X-Commcarehq-Formid'] ?? res.headers['X-CommCareHQ-FormID'] ?? f.instanceId) as string;
  if (cfg.logAcks) console.log(`${ACK_PREFIX} ${formId} ${f.instanceId} vu${exec.vu.idInTest}`);
  if (t.kind === 'registration' || t.creates > 0) st.openCases.push(...f.created);
  if (f.usedCase && !st.openCases.includes(f.usedCase) && t.kind !== 'close') st.openCases.push(f.usedCase);
  if (t.kind === 'close' && f.usedCase) st.openCases = st.openCases.filter((c) => c !== f.usedCase);
  return true;
}
