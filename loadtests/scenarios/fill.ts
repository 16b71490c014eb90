// The per-form work of the submit scenario, kept free of k6 imports so it runs (and is tested) in
// Node too: choosing the next form for a virtual worker, filling its template with fresh values,
// and keeping the worker's open cases. This runs once per submission inside k6's JavaScript
// interpreter, where every allocation, closure, iterator and string copy costs: templates are
// split into literal text and numbered slots once, each form writes its values into the slots of
// a reused array and joins it (one string allocation), and open cases are changed in place.
import type { FormKind, FormTemplate, K6RunConfig, MobileWorker } from '../contract.ts';

/** The cases a virtual worker opened and has not closed yet: each worker works only on its own. */
export interface WorkerState {
  worker: MobileWorker;
  deviceId: string;
  openCases: string[];
  userId?: string;
  syncToken?: string;
  /** the set's templates with this worker's fixed values already in the text */
  bound?: { set: TemplateSet; userId: string | undefined; templates: CompiledTemplate[] };
}

// Slot codes of the placeholders described in contract.ts.
const INSTANCE_ID = 0;
const USER_ID = 1;
const USERNAME = 2;
const DEVICE_ID = 3;
const TIME_START = 4;
const TIME_END = 5;
const DATE_MODIFIED = 6;
const TODAY = 7;
const RUN_ID = 8;
const OWN_CASE_ID = 9;
const NEW_CASE_ID = 10;
const SLOT_CODES: Record<string, number> = {
  instance_id: INSTANCE_ID, user_id: USER_ID, username: USERNAME, device_id: DEVICE_ID, time_start: TIME_START,
  time_end: TIME_END, date_modified: DATE_MODIFIED, today: TODAY, run_id: RUN_ID, own_case_id: OWN_CASE_ID,
};

interface CompiledTemplate {
  /** literal text at even indexes; odd indexes are overwritten with each form's values */
  parts: string[];
  /** per slot (odd index i → slots[(i-1)/2]): a slot code, or NEW_CASE_ID + N for {{new_case_id:N}} */
  slots: number[];
  usesOwnCase: boolean;
}

/** Splits a template once; unknown placeholders stay as written (as the regex fill left them). */
export function compileTemplate(t: FormTemplate): CompiledTemplate {
  const parts: string[] = [];
  const slots: number[] = [];
  const re = /\{\{([a-z_]+)(?::(\d+))?\}\}/g;
  let literal = '';
  let last = 0;
  for (let m = re.exec(t.xml); m; m = re.exec(t.xml)) {
    literal += t.xml.slice(last, m.index);
    last = m.index + m[0].length;
    const code = m[1] === 'new_case_id' && m[2] !== undefined && Number(m[2]) < t.creates ? NEW_CASE_ID + Number(m[2])
      : m[2] === undefined ? SLOT_CODES[m[1]] : undefined;
    if (code === undefined) {
      literal += m[0];
      continue;
    }
    parts.push(literal, '');
    slots.push(code);
    literal = '';
  }
  parts.push(literal + t.xml.slice(last));
  return { parts, slots, usesOwnCase: slots.includes(OWN_CASE_ID) };
}

/**
 * Puts a worker's values that stay the same from form to form (user id, username, device id, run
 * id) into the literal text, so a form fills only its fresh values and joins fewer parts.
 */
export function bindTemplate(c: CompiledTemplate, st: WorkerState, runId: string): CompiledTemplate {
  const u = st.worker.username;
  const at = u.indexOf('@');
  const fixed: Record<number, string> = { [USER_ID]: st.userId ?? '', [USERNAME]: at < 0 ? u : u.slice(0, at), [DEVICE_ID]: st.deviceId, [RUN_ID]: runId };
  const parts: string[] = [];
  const slots: number[] = [];
  let literal = c.parts[0];
  for (let i = 0; i < c.slots.length; i++) {
    const code = c.slots[i];
    const v = fixed[code];
    if (v !== undefined) literal += v + c.parts[2 * i + 2];
    else {
      parts.push(literal, '');
      slots.push(code);
      literal = c.parts[2 * i + 2];
    }
  }
  parts.push(literal);
  return { parts, slots, usesOwnCase: c.usesOwnCase };
}

/** What a set of templates offers, worked out once per VU instead of once per form. */
export interface TemplateSet {
  all: FormTemplate[];
  compiled: CompiledTemplate[];
  byKind: Record<FormKind, number[]>;
  /** no registration, follow-up or close among them: every form is picked uniformly */
  caseless: boolean;
  /** share of 'other' forms among follow-ups and others (they stand in for follow-ups) */
  otherShare: number;
}

export function templateSet(templates: FormTemplate[]): TemplateSet {
  const byKind: Record<FormKind, number[]> = { registration: [], followup: [], close: [], other: [] };
  templates.forEach((t, i) => byKind[t.kind].push(i));
  const other = byKind.other.length;
  return {
    all: templates,
    compiled: templates.map(compileTemplate),
    byKind,
    caseless: !byKind.registration.length && !byKind.followup.length && !byKind.close.length,
    otherShare: other ? other / (other + byKind.followup.length) : 0,
  };
}

function pickIndex(n: number, random: () => number): number {
  return Math.floor(random() * n);
}

function weightedKind(mix: K6RunConfig['submit']['mix'], set: TemplateSet, openCases: number, random: () => number): FormKind {
  const k = set.byKind;
  // A worker with no open case can only register one.
  if (openCases === 0 && k.registration.length) return 'registration';
  const r0 = k.registration.length && mix.registration > 0 ? mix.registration : 0;
  const r1 = k.followup.length && mix.followup > 0 ? mix.followup : 0;
  const r2 = k.close.length && mix.close > 0 ? mix.close : 0;
  const total = r0 + r1 + r2;
  if (total === 0) return 'registration';
  const r = random() * total;
  if (r < r0) return 'registration';
  if (r < r0 + r1 || r2 === 0) return 'followup';
  return 'close';
}

/** Index (in set.all) of the next form this worker fills. */
export function chooseTemplate(mix: K6RunConfig['submit']['mix'], set: TemplateSet, openCases: number, random: () => number = Math.random): number {
  if (set.caseless) return pickIndex(set.all.length, random);
  let kind = weightedKind(mix, set, openCases, random);
  if (kind === 'followup' && set.otherShare > 0 && random() < set.otherShare) kind = 'other';
  const candidates = set.byKind[kind];
  return candidates.length ? candidates[pickIndex(candidates.length, random)] : pickIndex(set.all.length, random);
}

export interface FilledForm {
  xml: string;
  instanceId: string;
  created: string[];
  /** the case a follow-up or close works on */
  usedCase?: string;
  /** index of usedCase in the worker's open cases, or -1 when it is a new id */
  usedIndex: number;
}

export interface FillContext {
  runId: string;
  newId: () => string;
  random: () => number;
}

/** Fills template `index` of the set for this worker; nowMs is when it is sent. */
export function fillTemplate(ctx: FillContext, set: TemplateSet, index: number, st: WorkerState, nowMs: number): FilledForm {
  const t = set.all[index];
  let b = st.bound;
  if (!b || b.set !== set || b.userId !== st.userId) {
    // Once per worker, and again only when its user id is learned from a sync.
    b = st.bound = { set, userId: st.userId, templates: set.compiled.map((x) => bindTemplate(x, st, ctx.runId)) };
  }
  const c = b.templates[index];
  const instanceId = ctx.newId();
  const created: string[] = [];
  for (let i = 0; i < t.creates; i++) created.push(ctx.newId());
  let usedCase: string | undefined;
  let usedIndex = -1;
  if (c.usesOwnCase) {
    // HQ creates a case on an update of an unknown id, so a worker with no open case still
    // updates a case of its own rather than a shared fixed id (the Locust hot-spot).
    if (st.openCases.length) {
      usedIndex = pickIndex(st.openCases.length, ctx.random);
      usedCase = st.openCases[usedIndex];
    } else usedCase = ctx.newId();
  }
  // A realistic form: filled over 30 s to 5 min, finished a few seconds before it is sent.
  const end = nowMs - Math.floor(ctx.random() * 5000);
  const start = end - 30000 - Math.floor(ctx.random() * 270000);
  const endIso = new Date(end).toISOString();
  const startIso = new Date(start).toISOString();
  const today = endIso.slice(0, 10);
  const parts = c.parts;
  const slots = c.slots;
  for (let i = 0; i < slots.length; i++) {
    const code = slots[i];
    let v: string;
    switch (code) {
      case INSTANCE_ID: v = instanceId; break;
      case TIME_START: v = startIso; break;
      case TIME_END: case DATE_MODIFIED: v = endIso; break;
      case TODAY: v = today; break;
      case OWN_CASE_ID: v = usedCase as string; break;
      default: v = created[code - NEW_CASE_ID];
    }
    parts[2 * i + 1] = v;
  }
  return { xml: parts.join(''), instanceId, created, usedCase, usedIndex };
}

/** After the server acknowledged form `f` (of kind `kind`): the worker's open cases change. */
export function applyAcknowledged(st: WorkerState, kind: FormKind, f: FilledForm): void {
  for (let i = 0; i < f.created.length; i++) st.openCases.push(f.created[i]);
  if (f.usedCase === undefined) return;
  if (kind === 'close') {
    if (f.usedIndex >= 0) {
      // Order does not matter: move the last case into the closed one's place.
      const last = st.openCases.pop() as string;
      if (f.usedIndex < st.openCases.length) st.openCases[f.usedIndex] = last;
    }
  } else if (f.usedIndex < 0) st.openCases.push(f.usedCase);
}
