// `ccready gate`: the CI gate for a release candidate. Wait until serverup.txt answers 200 (with
// backoff, up to a deadline), run every verify step, run the load test's smoke profile with its
// integrity audit, and decide once.
import { join } from 'node:path';
import { UsageError } from '../common/errors.ts';
import { redact, type Target, type TlsOptions } from '../common/target.ts';
import { newRunId } from '../common/runs.ts';
import { HqClient, type HttpError } from './http.ts';
import { connectProblem } from './preflight.ts';
import { runVerify, toReport, verifySteps, type ProgressEvent, type VerifyRunOptions } from './run.ts';
import { sleep } from './context.ts';
import type { StepResult, VerifyReport } from './types.ts';

/** Delay before poll `n` (0-based): doubling from `initialMs`, capped at `maxMs`. */
export function backoffDelay(n: number, initialMs = 1000, maxMs = 15_000): number {
  return Math.min(maxMs, initialMs * 2 ** Math.min(n, 30));
}

export interface WaitOptions {
  timeoutMs: number;
  initialMs?: number;
  maxMs?: number;
  tls?: TlsOptions;
  signal?: AbortSignal;
  onPoll?: (p: { attempt: number; elapsedMs: number; status: string; nextInMs: number }) => void;
}

export async function waitForServerUp(url: string, o: WaitOptions): Promise<StepResult> {
  const started = Date.now();
  const client = new HqClient(url, { tls: o.tls, timeoutMs: Math.min(30_000, o.timeoutMs), signal: o.signal });
  const evidence: string[] = [];
  let last = '';
  const result = (status: StepResult['status'], reason?: string): StepResult => ({
    id: '00-wait-serverup',
    title: 'Wait until serverup.txt answers 200',
    services: ['nginx', 'django'],
    required: true,
    status,
    ...(reason ? { reason } : {}),
    evidence,
    durationMs: Date.now() - started,
    metrics: { waitedMs: Date.now() - started },
  });
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        const r = await client.get('/serverup.txt', { timeoutMs: Math.max(1000, Math.min(30_000, started + o.timeoutMs - Date.now())) });
        last = `${r.status} ${r.text.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 120)}`;
        if (r.status === 200) {
          evidence.push(`serverup.txt → 200 after ${attempt + 1} polls, ${((Date.now() - started) / 1000).toFixed(1)} s`);
          return result('pass');
        }
      } catch (e) {
        if (o.signal?.aborted) return { ...result('skip', 'interrupted while waiting'), blockedBy: 'interrupted' };
        last = (e as Error).message;
        // A refused connection is a server still starting: wait. A name that does not resolve or a
        // certificate not trusted will not fix itself: say which setting, now, and blame no service.
        const code = (e as HttpError).code;
        const problem = code === 'ECONNREFUSED' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH' ? undefined : connectProblem(e, { url });
        if (problem) {
          evidence.push(`serverup.txt: ${last}`);
          return { ...result('fail', problem), services: [], cause: 'configuration' };
        }
      }
      const delay = backoffDelay(attempt, o.initialMs, o.maxMs);
      const elapsed = Date.now() - started;
      o.onPoll?.({ attempt: attempt + 1, elapsedMs: elapsed, status: last, nextInMs: delay });
      if (elapsed + delay > o.timeoutMs) {
        evidence.push(`last answer after ${attempt + 1} polls: ${last}`);
        return result('fail', `server not up within ${Math.round(o.timeoutMs / 1000)} s (last: ${last})`);
      }
      try {
        await sleep(delay, o.signal);
      } catch {
        return { ...result('skip', 'interrupted while waiting'), blockedBy: 'interrupted' };
      }
    }
  } finally {
    await client.close();
  }
}

/** What the load helper's `runLoad` returns (the fields the gate reads). */
export interface LoadOutcome {
  runId: string;
  reportDir: string;
  exitCode: number;
  thresholdsOk: boolean;
  /** The load run's own judgement (loadtests/outcome.ts judgeRun): k6 did the planned work (not cut at the cap, ≥ 95 % of its iterations). */
  complete?: boolean;
  /** The judgement's reasons, one line each. */
  failures?: string[];
  lost: number;
  missingFormIds: string[];
  acknowledged: number;
  /** How the integrity audit went: not checked (no web user) or failed (Form API unusable) confirms nothing. */
  audit?: { checked: boolean; failed?: boolean; note?: string };
}
export type LoadRunner = (o: { target: Target; profile: 'smoke'; out: string; yes?: boolean; onProgress?: (line: string) => void }) => Promise<LoadOutcome>;

export interface GateOptions extends VerifyRunOptions {
  outDir: string;
  waitTimeoutMs?: number;
  waitInitialMs?: number;
  waitMaxMs?: number;
  /** The load test to run (the CLI passes loadtests' runLoad: verify/ does not import loadtests/); `false` skips the load step with a reason. */
  loadRunner: LoadRunner | false;
  /** Confirms load traffic to a non-loopback target (the load tests refuse it otherwise). */
  yes?: boolean;
  onWait?: (message: string) => void;
  onLoadProgress?: (line: string) => void;
}

export async function runGate(target: Target, o: GateOptions): Promise<VerifyReport> {
  const runId = o.runId ?? newRunId();
  const startedAt = new Date().toISOString();
  const outer = o.onProgress ?? ((_: ProgressEvent) => undefined);
  // One numbering across the gate: the wait, every verify step, then the load smoke and the audit.
  const total = verifySteps({ local: !!o.local, only: o.only, skip: o.skip }).length + 3;
  const emit = (e: ProgressEvent, index: number) => outer(e.kind === 'note' ? e : { ...e, index, total });
  const wait = await waitForServerUp(target.url, {
    timeoutMs: o.waitTimeoutMs ?? 600_000,
    initialMs: o.waitInitialMs,
    maxMs: o.waitMaxMs,
    tls: target.tls,
    signal: o.signal,
    onPoll: (p) => o.onWait?.(`waiting for ${redact(target.url, target)}/serverup.txt: poll ${p.attempt}, ${(p.elapsedMs / 1000).toFixed(0)} s, last ${p.status}; next in ${(p.nextInMs / 1000).toFixed(0)} s`),
  });
  emit({ kind: 'step-end', result: wait, index: 0, total }, 0);
  const steps: StepResult[] = [wait];
  let interrupted = wait.blockedBy === 'interrupted';
  if (wait.status === 'pass') {
    const v = await runVerify(target, { ...o, runId, onProgress: (e) => emit(e, e.kind === 'note' ? 0 : e.index + 1) });
    steps.push(...v.steps);
    interrupted ||= v.interrupted;
  }
  const loadStep = (id: string, title: string, services: StepResult['services']): StepResult => ({ id, title, services, required: true, status: 'skip', evidence: [], durationMs: 0 });
  const smoke = loadStep('13-load-smoke', 'Load test, smoke profile (k6)', ['django', 'postgres', 'couch', 'redis']);
  const audit = loadStep('14-integrity-audit', 'Integrity audit: every acknowledged form is on the server', ['kafka', 'elasticsearch', 'postgres']);
  // A Ctrl-C between the last verify step and the load step must not start k6.
  interrupted ||= !!o.signal?.aborted;
  if (interrupted) {
    smoke.reason = audit.reason = 'not run: interrupted';
    smoke.blockedBy = audit.blockedBy = 'interrupted';
  } else if (wait.status !== 'pass') {
    smoke.reason = audit.reason = 'server never came up';
    smoke.blockedBy = audit.blockedBy = wait.id;
  } else if (steps.some((s) => s.id === '00-preflight' && s.status === 'fail')) {
    // No load against a server ccready is misconfigured for (wrong URL, users or app).
    smoke.reason = audit.reason = 'not run: the configuration must be fixed first (see 00-preflight)';
    smoke.blockedBy = audit.blockedBy = '00-preflight';
  } else if (o.loadRunner === false) {
    smoke.reason = audit.reason = 'load test disabled (--no-load)';
  } else {
    const started = Date.now();
    emit({ kind: 'step-start', id: smoke.id, title: smoke.title, index: 0, total }, total - 2);
    let out: LoadOutcome | undefined;
    let error: string | undefined;
    // the load run refused its settings or this machine's tools (no k6, a bad flag): nothing was
    // asked of the server, so no service is to blame (decide.ts reads `cause`)
    let usage = false;
    try {
      out = await o.loadRunner({ target, profile: 'smoke', out: join(o.outDir, 'load'), yes: o.yes, onProgress: o.onLoadProgress });
    } catch (e) {
      error = (e as Error).message.split('\n')[0];
      usage = e instanceof UsageError;
    }
    smoke.durationMs = Date.now() - started;
    if (out) smoke.evidence.push(`load run ${out.runId}: exit ${out.exitCode}, thresholds ${out.thresholdsOk ? 'met' : 'failed'}, report ${out.reportDir}`);
    if (o.signal?.aborted) {
      // The load runner stops k6 on the same Ctrl-C (it handles SIGINT itself): whatever k6 managed,
      // a cut-short smoke run proves nothing, so it is reported as interrupted, never as a pass.
      interrupted = true;
      smoke.status = 'skip';
      smoke.blockedBy = 'interrupted';
      smoke.reason = `interrupted after ${(smoke.durationMs / 1000).toFixed(1)} s: the smoke run is incomplete${out ? ` (partial k6 report in ${out.reportDir})` : ''}`;
      if (error) smoke.evidence.push(`load runner after the interrupt: ${error}`);
    }
    if (out) {
      if (!interrupted) {
        // The same judgement as `load run`: thresholds alone do not pass a run k6 did not finish.
        const complete = out.complete !== false;
        smoke.status = out.thresholdsOk && complete ? 'pass' : 'fail';
        if (!out.thresholdsOk) smoke.reason = `smoke thresholds failed; see ${out.reportDir}`;
        else if (!complete) smoke.reason = `smoke run incomplete: ${out.failures?.[0] ?? 'k6 did not finish the plan'}; see ${out.reportDir}`;
      }
      // The audit of the forms acknowledged before an interrupt is still real evidence: kept.
      audit.evidence.push(`${out.acknowledged} forms acknowledged, ${out.lost} missing from the Form API${interrupted ? ' (smoke run interrupted)' : ''}`);
      audit.metrics = { acknowledged: out.acknowledged, lost: out.lost };
      if (out.audit && (out.audit.failed || !out.audit.checked)) {
        // lost = 0 means nothing when the Form API could not be read: no form is confirmed.
        audit.status = 'fail';
        audit.reason = `the integrity audit could not confirm the forms: ${out.audit.note ?? 'the Form API was not usable'}`;
      } else if (out.acknowledged === 0) {
        if (interrupted) {
          audit.reason = 'not run: interrupted before any form was acknowledged';
          audit.blockedBy = 'interrupted';
        } else {
          audit.status = 'fail';
          audit.reason = 'no form was acknowledged during the smoke test: nothing to audit';
        }
      } else if (out.lost > 0) {
        audit.status = 'fail';
        audit.reason = `${out.lost} acknowledged forms are missing: ${out.missingFormIds.slice(0, 5).join(', ')}${out.missingFormIds.length > 5 ? ', …' : ''}`;
      } else audit.status = 'pass';
    } else if (interrupted) {
      audit.reason = 'not run: interrupted';
      audit.blockedBy = 'interrupted';
    } else {
      smoke.status = 'fail';
      smoke.reason = `could not run the load test: ${error}`;
      if (usage) smoke.cause = 'configuration';
      audit.reason = 'load test did not run';
      audit.blockedBy = smoke.id;
    }
    smoke.evidence = smoke.evidence.map((e) => redact(e, target));
    smoke.reason &&= redact(smoke.reason, target);
    emit({ kind: 'step-end', result: smoke, index: 0, total }, total - 2);
    emit({ kind: 'step-end', result: audit, index: 0, total }, total - 1);
  }
  steps.push(smoke, audit);
  return toReport('gate', target, steps, { runId, startedAt, interrupted });
}
