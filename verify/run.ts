// Runs the steps in order against one target and returns the report. Progress is reported as
// events; an abort signal (SIGINT) stops the run between or inside steps and the report still
// lists every step: done ones with their results, the rest as not run.
import { redact, type Target } from '../common/target.ts';
import { newRunId } from '../common/runs.ts';
import { HqClient } from './http.ts';
import { runStep, Recorder, StepEnd, type StepDef } from './step.ts';
import { STEPS } from './qa-plan.ts';
import { cleanup } from './cleanup.ts';
import { DEFAULTS, type VerifyContext, type VerifyOptions } from './context.ts';
import { decide } from './decide.ts';
import { gatherHostFacts, judgeHost } from './local.ts';
import type { StepResult, VerifyReport } from './types.ts';

export type ProgressEvent =
  | { kind: 'step-start'; id: string; title: string; index: number; total: number }
  | { kind: 'step-end'; result: StepResult; index: number; total: number }
  | { kind: 'note'; message: string };

export interface VerifyRunOptions extends VerifyOptions {
  runId?: string;
  onProgress?: (e: ProgressEvent) => void;
  /** Run only these step ids (re-checking one area): the run is PARTIAL, never READY. */
  only?: string[];
  /** Leave these step ids out: the run is PARTIAL, never READY. */
  skip?: string[];
}

/** Whether `--only`/`--skip` keep a step; the preflight runs unless skipped by name (it is cheap, and it keeps the blame off services). */
export function selected(id: string, o: { only?: string[]; skip?: string[] }): boolean {
  if (id === '00-preflight') return !o.skip?.includes(id);
  return (!o.only?.length || o.only.includes(id)) && !o.skip?.includes(id);
}

function localSteps(): StepDef<VerifyContext>[] {
  // The four host checks share one gathering of facts; each becomes its own step in the report.
  let judged: ReturnType<typeof judgeHost> | undefined;
  const ids = ['L1-hardware', 'L2-internal-ports', 'L3-clock', 'L4-containers'];
  const titles = ['Host hardware vs the server spec', 'Internal ports not reachable from outside', 'Clock in sync', 'Container health'];
  return ids.map((id, i) => ({
    id,
    title: titles[i],
    services: ['host'],
    required: id !== 'L4-containers',
    async run(ctx: VerifyContext, rec: Recorder) {
      judged ??= judgeHost(await gatherHostFacts({ ...ctx.opts.local, clockSkewMs: ctx.state.clockSkewMs }), ctx.opts.local);
      const j = judged.find((x) => x.id === id)!;
      for (const e of j.evidence) rec.see(e);
      if (j.status === 'fail') throw new StepEnd('fail', j.reason ?? 'failed');
      if (j.status === 'skip') throw new StepEnd('skip', j.reason ?? 'skipped');
      if (j.status === 'warn') rec.warn(j.reason ?? 'warning');
    },
  }));
}

export function verifySteps(opts: { local?: boolean; only?: string[]; skip?: string[] } = {}): StepDef<VerifyContext>[] {
  return [...STEPS, ...(opts.local ? localSteps() : [])].filter((s) => selected(s.id, opts));
}

/** What the one step loop needs from a context: which steps passed, for the steps that need them. */
export interface LoopContext {
  state: { passed: Set<string> };
}

export interface StepLoopOptions<C> {
  signal?: AbortSignal;
  onProgress?: (e: ProgressEvent) => void;
  /** Redacts secrets from every reason and evidence line. */
  scrub: (s: string) => string;
  /** Why a step must not run given the results so far (a failed preflight, a service reported down); undefined = run it. */
  blocked?: (def: StepDef<C>, done: StepResult[]) => { reason: string; by: string } | undefined;
}

/**
 * The one step loop of verify, the canary and the gate: runs the steps in order, reports progress,
 * and on an interrupt lists the rest as not run, so the report always has every step.
 */
export async function runSteps<C extends LoopContext>(steps: StepDef<C>[], ctx: C, o: StepLoopOptions<C>): Promise<{ results: StepResult[]; interrupted: boolean }> {
  const results: StepResult[] = [];
  const emit = o.onProgress ?? (() => undefined);
  let interrupted = false;
  for (const [index, def] of steps.entries()) {
    if (o.signal?.aborted) {
      interrupted = true;
      results.push(notRun(def, 'not run: interrupted', 'interrupted'));
      continue;
    }
    const block = o.blocked?.(def, results);
    if (block) {
      const result = notRun(def, o.scrub(block.reason), block.by);
      results.push(result);
      emit({ kind: 'step-end', result, index, total: steps.length });
      continue;
    }
    emit({ kind: 'step-start', id: def.id, title: def.title, index, total: steps.length });
    let result = await runStep(def, ctx, o.scrub);
    if (o.signal?.aborted) {
      interrupted = true;
      result = { ...result, status: 'skip', reason: `interrupted after ${result.durationMs} ms`, blockedBy: 'interrupted', failedServices: undefined };
    }
    results.push(result);
    if (result.status === 'pass' || result.status === 'warn') ctx.state.passed.add(def.id);
    emit({ kind: 'step-end', result, index, total: steps.length });
  }
  return { results, interrupted };
}

/** The one report builder: the decision is always computed from the steps, the target always redacted. */
export function toReport(kind: VerifyReport['kind'], target: Target, results: StepResult[], run: { runId: string; startedAt: string; interrupted: boolean }): VerifyReport {
  return {
    kind,
    runId: run.runId,
    target: redact(target.url, target),
    domain: target.domain,
    startedAt: run.startedAt,
    finishedAt: new Date().toISOString(),
    interrupted: run.interrupted,
    steps: results,
    decision: decide(results, { interrupted: run.interrupted }),
  };
}

/** The options every run starts from: the defaults, overridden by what was given. */
export function withDefaults(options: VerifyOptions): VerifyContext['opts'] {
  return { ...DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) } as VerifyContext['opts'];
}

/**
 * Fail fast: after a failed preflight nothing runs (the configuration is wrong, no service is to
 * blame); a service the health step reports failing blocks the later steps that need it, instead
 * of letting each wait out its timeout to find the same thing (Celery down: the export and the bulk
 * upload would wait 300 s each).
 */
export function blockedBy(def: StepDef<VerifyContext>, done: StepResult[]): { reason: string; by: string } | undefined {
  const pre = done.find((r) => r.id === '00-preflight');
  if (pre?.status === 'fail' && def.id !== '12-cleanup') return { reason: 'not run: the configuration must be fixed first (see 00-preflight)', by: pre.id };
  const health = done.find((r) => r.id === '02-service-health');
  const down = (def.needs ?? def.services).filter((s) => health?.failedServices?.includes(s));
  if (health && down.length) return { reason: `not run: ${down.join(', ')} reported failing by ${health.id}`, by: health.id };
  return undefined;
}

export async function runVerify(target: Target, options: VerifyRunOptions = {}): Promise<VerifyReport> {
  const runId = options.runId ?? newRunId();
  const startedAt = new Date().toISOString();
  const opts = withDefaults(options);
  const client = new HqClient(target.url, { tls: target.tls, timeoutMs: opts.requestTimeoutMs, signal: opts.signal });
  const ctx: VerifyContext = { target, client, runId, opts, state: { forms: [], passed: new Set() } };
  const scrub = (s: string) => redact(s, target);
  const steps = verifySteps({ local: !!opts.local, only: options.only, skip: options.skip });
  let loop: { results: StepResult[]; interrupted: boolean };
  try {
    loop = await runSteps(steps, ctx, { signal: opts.signal, onProgress: options.onProgress, scrub, blocked: blockedBy });
  } finally {
    await client.close();
  }
  const { results, interrupted } = loop;
  // Stopped early (Ctrl-C) or left out by --only/--skip, the cleanup step did not run: leave nothing behind.
  if (!ctx.state.cleanedUp && ((ctx.state.worker && (ctx.state.worker.created || ctx.state.caseId)) || ctx.state.bulkUsers?.length)) {
    // A fresh client with a short deadline: the run's client may be aborted.
    const fresh = new HqClient(target.url, { tls: target.tls, timeoutMs: 5000 });
    const cleanupCtx: VerifyContext = { ...ctx, client: fresh, opts: { ...opts, signal: undefined } };
    const r = await runStep({ ...STEPS.find((s) => s.id === '12-cleanup')!, run: (c, rec) => cleanup(c, rec) }, cleanupCtx, scrub);
    await fresh.close();
    const i = results.findIndex((x) => x.id === '12-cleanup');
    const entry = { ...r, reason: r.reason ?? (interrupted ? 'ran after the interrupt' : 'ran to remove what the selected steps created') };
    if (i >= 0) results[i] = entry;
    else results.push(entry);
    options.onProgress?.({ kind: 'note', message: `cleanup${interrupted ? ' after interrupt' : ''}: ${r.status}` });
  }
  // Steps left out by --only/--skip stay in the report, so no reader takes the subset for the whole.
  const all = verifySteps({ local: !!opts.local });
  for (const def of all) if (!selected(def.id, options) && !results.some((r) => r.id === def.id)) results.push({ ...notRun(def, 'not selected (--only/--skip)'), unselected: true });
  const order = all.map((s) => s.id);
  results.sort((a, b) => order.indexOf(a.id) - order.indexOf(b.id));
  return toReport('verify', target, results, { runId, startedAt, interrupted });
}

function notRun<C>(def: StepDef<C>, reason: string, blockedBy?: string): StepResult {
  return { id: def.id, title: def.title, services: def.services, required: def.required, status: 'skip', reason, ...(blockedBy ? { blockedBy } : {}), evidence: [], durationMs: 0 };
}
