// Upgrade canary: before an upgrade, `write` stores known forms and cases through the mobile worker
// and records them (with hashes of what was sent) in a manifest; after it, `check` proves every one
// is still there and unchanged, and that the server still accepts and syncs new data.
import { apiHeaders, waitOut429 } from './api.ts';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync, renameSync } from 'node:fs';
import { redact, type Target } from '../common/target.ts';
import { inputError, UsageError } from '../common/errors.ts';
import { newRunId } from '../common/runs.ts';
import { HqClient } from './http.ts';
import type { Recorder, StepDef } from './step.ts';
import { domainPath, mobileUsername, sleep, type VerifyContext, type VerifyOptions, type Worker } from './context.ts';
import { learnUserId, restore, submit } from './mobile.ts';
import { followUpForm, registrationForm, restoreCaseIds } from './forms.ts';
import { runSteps, toReport, withDefaults, type ProgressEvent } from './run.ts';
import type { StepResult, VerifyReport } from './types.ts';

export interface CanaryManifest {
  format: 'ccready-canary/1';
  canaryId: string;
  createdAt: string;
  target: string;
  domain: string;
  /** Login name of the mobile worker that owns the canary cases (no password is stored). */
  worker: string;
  workerId: string;
  forms: { formId: string; xmlns: string; caseId: string; sha256: string }[];
  cases: { caseId: string; caseName: string; properties: Record<string, string> }[];
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

export function readManifest(path: string): CanaryManifest {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`${path}: cannot read the canary manifest (${(e as NodeJS.ErrnoException).code ?? e}); run \`ccready verify canary write\` first`);
  }
  let m: CanaryManifest;
  try {
    m = JSON.parse(text);
  } catch {
    throw inputError(path, undefined, 'expected a JSON canary manifest');
  }
  if (m?.format !== 'ccready-canary/1') throw inputError(path, 'format', `expected "ccready-canary/1", got ${JSON.stringify(m?.format)}`);
  for (const k of ['domain', 'worker', 'workerId', 'canaryId'] as const) if (typeof m[k] !== 'string' || !m[k]) throw inputError(path, k, 'expected a non-empty string');
  if (!Array.isArray(m.forms) || !m.forms.length) throw inputError(path, 'forms', 'expected a non-empty list');
  if (!Array.isArray(m.cases) || !m.cases.length) throw inputError(path, 'cases', 'expected a non-empty list');
  m.cases.forEach((c, i) => {
    if (typeof c?.caseId !== 'string' || typeof c.properties !== 'object') throw inputError(path, `cases[${i}]`, 'expected {caseId, caseName, properties}');
  });
  m.forms.forEach((f, i) => {
    if (typeof f?.formId !== 'string' || typeof f.xmlns !== 'string') throw inputError(path, `forms[${i}]`, 'expected {formId, xmlns, caseId, sha256}');
  });
  return m;
}

interface CanaryCtx extends VerifyContext {
  manifest?: CanaryManifest;
  count: number;
}

function requireWorker(ctx: CanaryCtx): Worker {
  const m = ctx.target.mobile;
  if (!m) throw new UsageError('canary needs a mobile worker that survives the upgrade: pass --username/--password or set CCHQ_USERNAME/CCHQ_PASSWORD');
  if (!ctx.target.web) throw new UsageError('canary needs a web user to read the Form and Case APIs: pass --web-username/--web-password or set CCHQ_WEB_USERNAME/CCHQ_WEB_PASSWORD');
  return { id: '', username: mobileUsername(m.username, ctx.target.domain), password: m.password, created: false };
}

async function getJson(ctx: VerifyContext, path: string): Promise<{ status: number; body?: Record<string, unknown> }> {
  // HQ throttles its APIs: a 429 is waited out (bounded) rather than read as a missing form.
  const { r } = await waitOut429(ctx, () => ctx.client.get(path, { headers: apiHeaders(ctx) }));
  if (r.status !== 200) return { status: r.status };
  try {
    return { status: 200, body: JSON.parse(r.text) };
  } catch {
    return { status: 200 };
  }
}

/** Waits until every case reads back through the Case API with the given properties. */
async function caseMatches(ctx: VerifyContext, c: CanaryManifest['cases'][number]): Promise<{ ok: boolean; why: string }> {
  const r = await getJson(ctx, `${domainPath(ctx)}/api/case/v2/${encodeURIComponent(c.caseId)}`);
  if (r.status === 404) return { ok: false, why: 'missing (404)' };
  if (r.status !== 200 || !r.body) return { ok: false, why: `Case API answered ${r.status}` };
  const props = (r.body.properties ?? {}) as Record<string, string>;
  const changed = Object.entries(c.properties).filter(([k, v]) => props[k] !== v);
  if (changed.length) return { ok: false, why: `changed: ${changed.map(([k, v]) => `${k} ${JSON.stringify(props[k])} ≠ ${JSON.stringify(v)}`).join(', ')}` };
  if (r.body.closed === true) return { ok: false, why: 'closed' };
  if (c.caseName && r.body.case_name !== undefined && r.body.case_name !== c.caseName) return { ok: false, why: `case_name ${JSON.stringify(r.body.case_name)} ≠ ${JSON.stringify(c.caseName)}` };
  return { ok: true, why: '' };
}

async function formMatches(ctx: VerifyContext, f: CanaryManifest['forms'][number]): Promise<{ ok: boolean; why: string }> {
  const r = await getJson(ctx, `${domainPath(ctx)}/api/form/v1/${encodeURIComponent(f.formId)}/`);
  if (r.status === 404 || r.status === 400) return { ok: false, why: `missing (${r.status})` };
  if (r.status !== 200 || !r.body) return { ok: false, why: `Form API answered ${r.status}` };
  const form = (r.body.form ?? {}) as Record<string, unknown>;
  const xmlns = (form['@xmlns'] as string | undefined) ?? (r.body.xmlns as string | undefined);
  if (xmlns !== undefined && xmlns !== f.xmlns) return { ok: false, why: `xmlns ${xmlns} ≠ ${f.xmlns}` };
  if (r.body.archived === true) return { ok: false, why: 'archived' };
  return { ok: true, why: '' };
}

async function until<T>(ctx: VerifyContext, fn: () => Promise<T>, done: (t: T) => boolean): Promise<{ value: T; ms: number }> {
  const start = Date.now();
  for (;;) {
    const value = await fn();
    if (done(value) || Date.now() - start + ctx.opts.pollMs > ctx.opts.lagTimeoutMs) return { value, ms: Date.now() - start };
    await sleep(ctx.opts.pollMs, ctx.opts.signal);
  }
}

const WRITE_STEPS: StepDef<CanaryCtx>[] = [
  {
    id: 'C1-write',
    title: 'Submit canary forms (registration + follow-up per case)',
    services: ['django', 'postgres', 'couch', 'redis'],
    required: true,
    async run(ctx: CanaryCtx, rec: Recorder) {
      const worker = requireWorker(ctx);
      ctx.state.worker = worker;
      const canaryId = `canary-${ctx.runId}`;
      const forms: CanaryManifest['forms'] = [];
      const cases: CanaryManifest['cases'] = [];
      for (let i = 0; i < ctx.count; i++) {
        const user = () => ({ userId: worker.id, username: worker.username.split('@')[0] });
        const props = { ccready_canary: canaryId, canary_index: String(i), canary_value: randomBytes(6).toString('hex') };
        // The first submission teaches us the worker's id (from its restore) when it is not known yet.
        if (!worker.id) worker.id = await learnUserId(ctx, worker);
        const name = `ccready canary ${i + 1} ${ctx.runId}`;
        const reg = registrationForm(user(), name, props);
        await submit(ctx, rec, worker, reg.xml, `canary ${i + 1} registration`, reg.xmlns);
        forms.push({ formId: reg.formId, xmlns: reg.xmlns, caseId: reg.caseId, sha256: sha256(reg.xml) });
        const update = { canary_followup: `visit-${i + 1}` };
        const fu = followUpForm(user(), reg.caseId, update);
        await submit(ctx, rec, worker, fu.xml, `canary ${i + 1} follow-up`, fu.xmlns);
        forms.push({ formId: fu.formId, xmlns: fu.xmlns, caseId: reg.caseId, sha256: sha256(fu.xml) });
        cases.push({ caseId: reg.caseId, caseName: name, properties: { ...props, ...update } });
      }
      ctx.manifest = {
        format: 'ccready-canary/1',
        canaryId,
        createdAt: new Date().toISOString(),
        target: redact(ctx.target.url, ctx.target),
        domain: ctx.target.domain,
        worker: worker.username,
        workerId: worker.id,
        forms,
        cases,
      };
      rec.see(`${forms.length} forms, ${cases.length} cases written (canary ${canaryId})`);
    },
  },
  {
    id: 'C2-readback',
    title: 'Canary forms and cases read back through the Form and Case APIs',
    services: ['kafka', 'elasticsearch', 'django'],
    required: true,
    async run(ctx: CanaryCtx, rec: Recorder) {
      if (!ctx.manifest) rec.skip('nothing was written', 'C1-write');
      await verifyManifest(ctx, rec, ctx.manifest);
    },
  },
];

async function verifyManifest(ctx: VerifyContext, rec: Recorder, m: CanaryManifest): Promise<void> {
  const forms = await until(
    ctx,
    () => Promise.all(m.forms.map(async (f) => ({ f, r: await formMatches(ctx, f) }))),
    (all) => all.every((x) => x.r.ok),
  );
  const badForms = forms.value.filter((x) => !x.r.ok);
  rec.see(`Form API: ${m.forms.length - badForms.length}/${m.forms.length} canary forms present and unchanged (${forms.ms} ms)`);
  for (const b of badForms.slice(0, 10)) rec.see(`form ${b.f.formId}: ${b.r.why}`);
  const cases = await until(
    ctx,
    () => Promise.all(m.cases.map(async (c) => ({ c, r: await caseMatches(ctx, c) }))),
    (all) => all.every((x) => x.r.ok),
  );
  const badCases = cases.value.filter((x) => !x.r.ok);
  rec.see(`Case API: ${m.cases.length - badCases.length}/${m.cases.length} canary cases present and unchanged (${cases.ms} ms)`);
  for (const b of badCases.slice(0, 10)) rec.see(`case ${b.c.caseId}: ${b.r.why}`);
  rec.metric('formsMissingOrChanged', badForms.length);
  rec.metric('casesMissingOrChanged', badCases.length);
  if (badForms.length || badCases.length) {
    rec.fail(
      `${badForms.length} of ${m.forms.length} forms and ${badCases.length} of ${m.cases.length} cases missing or changed` +
        (badCases[0] ? ` (e.g. case ${badCases[0].c.caseId}: ${badCases[0].r.why})` : badForms[0] ? ` (e.g. form ${badForms[0].f.formId}: ${badForms[0].r.why})` : ''),
    );
  }
}

const CHECK_STEPS: StepDef<CanaryCtx>[] = [
  {
    id: 'C1-data-intact',
    title: 'Every canary form and case is there, unchanged',
    services: ['postgres', 'couch', 'elasticsearch'],
    required: true,
    async run(ctx: CanaryCtx, rec: Recorder) {
      await verifyManifest(ctx, rec, ctx.manifest!);
    },
  },
  {
    id: 'C2-restore-has-canary',
    title: "The worker's restore still holds the canary cases",
    services: ['django', 'postgres', 'couch', 'redis'],
    required: true,
    async run(ctx: CanaryCtx, rec: Recorder) {
      const worker = requireWorker(ctx);
      const r = await restore(ctx, rec, worker);
      const ids = new Set(restoreCaseIds(r.text));
      const missing = ctx.manifest!.cases.filter((c) => !ids.has(c.caseId));
      rec.see(`restore: ${ids.size} cases, ${ctx.manifest!.cases.length - missing.length}/${ctx.manifest!.cases.length} canary cases`);
      if (missing.length) rec.fail(`${missing.length} canary cases missing from the restore: ${missing.map((c) => c.caseId).slice(0, 5).join(', ')}`);
    },
  },
  {
    id: 'C3-accepts-new-data',
    title: 'Server still accepts and syncs new data',
    services: ['django', 'postgres', 'couch', 'redis', 'kafka', 'elasticsearch'],
    required: true,
    async run(ctx: CanaryCtx, rec: Recorder) {
      const worker = requireWorker(ctx);
      worker.id = ctx.manifest!.workerId;
      const user = { userId: worker.id, username: worker.username.split('@')[0] };
      const reg = registrationForm(user, `ccready canary probe ${ctx.runId}`, { ccready_run: ctx.runId });
      await submit(ctx, rec, worker, reg.xml, 'probe registration', reg.xmlns);
      const r = await restore(ctx, rec, worker);
      if (!restoreCaseIds(r.text).includes(reg.caseId)) rec.fail('the new probe case is not in the restore');
      const seen = await until(ctx, () => caseMatches(ctx, { caseId: reg.caseId, caseName: '', properties: { ccready_run: ctx.runId } }), (x) => x.ok);
      if (!seen.value.ok) rec.fail(`the new probe case did not reach the Case API within ${ctx.opts.lagTimeoutMs} ms`);
      rec.see(`probe case ${reg.caseId} synced and listed after ${seen.ms} ms`);
      const close = followUpForm(user, reg.caseId, { ccready_run: ctx.runId }, { close: true });
      await submit(ctx, rec, worker, close.xml, 'probe close', close.xmlns, false);
    },
  },
];

export interface CanaryOptions extends VerifyOptions {
  manifestPath: string;
  runId?: string;
  /** Cases to write (each gets a registration and a follow-up). */
  count?: number;
  onProgress?: (e: ProgressEvent) => void;
}

async function runCanary(kind: 'canary-write' | 'canary-check', target: Target, o: CanaryOptions, steps: StepDef<CanaryCtx>[], manifest?: CanaryManifest) {
  const runId = o.runId ?? newRunId();
  const startedAt = new Date().toISOString();
  const opts = withDefaults(o);
  const client = new HqClient(target.url, { tls: target.tls, timeoutMs: opts.requestTimeoutMs, signal: opts.signal });
  const ctx: CanaryCtx = { target, client, runId, opts, state: { forms: [], passed: new Set() }, manifest, count: o.count ?? 3 };
  requireWorker(ctx);
  let loop: { results: StepResult[]; interrupted: boolean };
  try {
    loop = await runSteps(steps, ctx, { signal: opts.signal, onProgress: o.onProgress, scrub: (s) => redact(s, target) });
  } finally {
    await client.close();
  }
  return { report: toReport(kind, target, loop.results, { runId, startedAt, interrupted: loop.interrupted }), manifest: ctx.manifest };
}

/** Writes the canary; the manifest is saved only when every form and case read back. */
export async function canaryWrite(target: Target, o: CanaryOptions): Promise<{ report: VerifyReport; manifest?: CanaryManifest }> {
  const out = await runCanary('canary-write', target, o, WRITE_STEPS);
  if (out.manifest && out.report.decision.exitCode === 0) {
    const tmp = `${o.manifestPath}.partial-${randomBytes(3).toString('hex')}`;
    writeFileSync(tmp, JSON.stringify(out.manifest, null, 2) + '\n', { mode: 0o644 });
    renameSync(tmp, o.manifestPath);
  }
  return out;
}

export async function canaryCheck(target: Target, o: CanaryOptions): Promise<{ report: VerifyReport; manifest: CanaryManifest }> {
  const manifest = readManifest(o.manifestPath);
  if (manifest.domain !== target.domain) throw inputError(o.manifestPath, 'domain', `manifest is for project "${manifest.domain}", target is "${target.domain}"`);
  const out = await runCanary('canary-check', target, o, CHECK_STEPS, manifest);
  return { report: out.report, manifest };
}
