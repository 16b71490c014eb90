// The one k6 script ccready runs. Everything that varies (which scenario, rates, thresholds, the
// target) comes from the run config JSON named by CCREADY_CONFIG, computed by `ccready load plan/run`;
// credentials come from the environment or a 0600 users file, never from the script.
import { sleep } from 'k6';
import exec from 'k6/execution';
import { scenarioVUs, workersOfSegment, type FormTemplate, type MobileWorker } from '../contract.ts';
import { loadConfig, loadWorkers, NO_WORKER } from './lib.ts';
import { submitForm, type WorkerState } from './forms.ts';
import { learnUserIds, sync } from './sync.ts';

// Built-in templates (registration, follow-up, close), generated with xmlbuilder2 at bundle time.
declare const __CCREADY_TEMPLATES__: FormTemplate[];

const cfg = loadConfig();
const allWorkers = loadWorkers();
let segmentWorkers: MobileWorker[] | undefined;
/** This generator's workers (its execution segment's slice); test options exist only after init. */
function workers(): MobileWorker[] {
  return (segmentWorkers ??= workersOfSegment(allWorkers, exec.test.options.executionSegment as unknown as string | undefined));
}
const templates: FormTemplate[] = cfg.submit.templates && cfg.submit.templates.length ? cfg.submit.templates : __CCREADY_TEMPLATES__;

export const options = cfg.options;

let state: WorkerState | undefined;

interface SetupData {
  /** username → user id, learned once per worker (a phone learns it from its first sync) */
  userIds: Record<string, string>;
  /** username → the restore id of that first sync (the token its submissions carry) */
  syncTokens?: Record<string, string>;
}

/**
 * Learns each worker's user id once, before the load starts, so that forms carry the right
 * userID and owner_id (cases then belong to the worker and come back in its restores).
 */
export function setup(): SetupData {
  if (workers().length === 0) exec.test.abort(NO_WORKER);
  if (cfg.scenario !== 'submit') return { userIds: {} };
  // Only the workers that virtual users will actually be (VU n is worker n mod N).
  const maxVUs = Object.values(cfg.options.scenarios ?? {}).reduce((a, s) => Math.max(a, scenarioVUs(s)), 1);
  const unknown = workers().slice(0, Math.min(workers().length, maxVUs)).filter((w) => !w.userId);
  return learnUserIds(cfg, unknown);
}

function worker(data?: SetupData): WorkerState {
  if (!state) {
    const id = exec.vu.idInTest;
    const w = workers()[(id - 1) % workers().length];
    state = { worker: w, userId: w.userId ?? data?.userIds?.[w.username], syncToken: data?.syncTokens?.[w.username], deviceId: `ccready-${cfg.runId}-vu${id}`, openCases: [] };
  }
  return state;
}

/** submit scenario: one form per iteration. */
export function submit(data?: SetupData): void {
  const st = worker(data);
  // A worker setup could not look up syncs once first, as a phone does after login.
  if (!st.userId && !st.syncToken) sync(cfg, st);
  submitForm(cfg, templates, st);
}

/** restore scenario: one sync per iteration (full first, then incremental). */
export function restore(data?: SetupData): void {
  sync(cfg, worker(data));
}

/** mobile-day scenario: one compressed working day per iteration. */
export function mobileDay(data?: SetupData): void {
  const st = worker(data);
  sync(cfg, st);
  for (let i = 0; i < cfg.mobileDay.formsPerDay; i++) {
    sleep(cfg.mobileDay.thinkS * (0.5 + Math.random()));
    submitForm(cfg, templates, st);
  }
  sleep(cfg.mobileDay.thinkS * (0.5 + Math.random()));
  sync(cfg, st);
}

export default submit;

// The summary stays local: written where the runner asked, nothing sent anywhere.
export function handleSummary(data: Record<string, unknown>): Record<string, string> {
  const m = (data.metrics ?? {}) as Record<string, { values?: Record<string, number> }>;
  const v = (name: string, key: string) => m[name]?.values?.[key];
  const line = `ccready k6: ${v('iterations', 'count') ?? 0} iterations, ${v('ccready_forms_acked', 'count') ?? 0} forms acknowledged, ` +
    `${v('ccready_restores_full', 'count') ?? 0} full + ${v('ccready_restores_incremental', 'count') ?? 0} incremental restores, ` +
    `error rate ${((v('ccready_errors', 'rate') ?? 0) * 100).toFixed(2)}%\n`;
  // The percentile grid (contract.ts gridStats) is kept only where a threshold reads the metric:
  // those are what a merge of split runs judges; the rest would only swell the file.
  const base = new Set(['p(90)', 'p(95)', 'p(99)']);
  for (const metric of Object.values(data.metrics ?? {}) as { type?: string; thresholds?: unknown; values?: Record<string, number> }[]) {
    if (metric.type !== 'trend' || metric.thresholds || !metric.values) continue;
    for (const k of Object.keys(metric.values)) if (k.startsWith('p(') && !base.has(k)) delete metric.values[k];
  }
  return { [cfg.summaryPath]: JSON.stringify(data, null, 1), stdout: line };
}
