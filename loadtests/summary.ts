// Reads k6's end-of-test summary (the handleSummary data) into ccready's verdict: which
// thresholds held, the key numbers per request kind, and for stress runs the knee: the highest
// step rate that still met the latency and error thresholds. Pure.
import type { ProfileName, ScenarioName, StressStep } from './contract.ts';
import type { LoadPlan } from './plan.ts';

export interface K6Metric {
  type: string;
  values: Record<string, number>;
  thresholds?: Record<string, { ok: boolean }>;
}

export interface K6SummaryData {
  state?: { testRunDurationMs?: number };
  metrics: Record<string, K6Metric>;
}

export interface Latency {
  count: number;
  avg: number;
  med: number;
  p95: number;
  p99: number;
  max: number;
}

export interface ThresholdResult {
  metric: string;
  threshold: string;
  ok: boolean;
  /** what k6 measured for the threshold's statistic (ms for durations, a ratio for rates); null when the metric saw no data */
  value?: number | null;
}

/** The measured value behind a threshold such as `p(95)<2000` or `rate<0.01`; null when the metric saw no data. */
export function thresholdValue(m: K6Metric, threshold: string): number | null {
  const v = m.values ?? {};
  const empty = m.type === 'rate' ? (v.passes ?? 0) + (v.fails ?? 0) === 0 : m.type === 'trend' ? (v.count !== undefined ? v.count === 0 : !v.max) : false;
  if (empty) return null;
  const stat = /^\s*([a-z]+(?:\(\d+(?:\.\d+)?\))?)/.exec(threshold)?.[1];
  const x = stat ? v[stat] : undefined;
  return typeof x === 'number' && Number.isFinite(x) ? x : null;
}

export interface StepResult {
  step: number;
  rate: number;
  requests: number;
  p95Ms: number | null;
  errorRate: number | null;
  ok: boolean;
}

export interface LoadSummary {
  durationS: number;
  iterations: number;
  /** iterations an arrival-rate scenario could not start (no free virtual user) */
  droppedIterations: number;
  requests: number;
  /** requests per second over the whole run */
  requestRate: number;
  errorRate: number;
  httpFailedRate: number;
  formsAcknowledged: number;
  formsRejected: number;
  /** requests HQ throttled (429): its rate limiter, kept apart from errors */
  throttled: number;
  /** accepted submissions that took ≥ 1 s: possibly held by HQ's submission rate limiter (up to 15 s) */
  submissionsStalled: number;
  /** acknowledged forms per second over the run */
  formRate: number;
  restoresFull: number;
  restoresIncremental: number;
  restoreAsync202: number;
  restore412: number;
  casesPerRestore: number | null;
  latency: { submission?: Latency; restore?: Latency; asyncWait?: Latency };
  thresholds: ThresholdResult[];
  thresholdsOk: boolean;
  /** observations that are not part of the verdict */
  info: string[];
  /** stress only */
  steps?: StepResult[];
  knee?: { step: number; rate: number } | null;
}

function latency(m: K6Metric | undefined): Latency | undefined {
  if (!m || !m.values || !m.values.count) return undefined;
  const v = m.values;
  return { count: v.count ?? 0, avg: v.avg ?? 0, med: v.med ?? 0, p95: v['p(95)'] ?? 0, p99: v['p(99)'] ?? 0, max: v.max ?? 0 };
}

export function interpretSummary(
  data: K6SummaryData,
  ctx: { plan: LoadPlan; profile: ProfileName; scenario: ScenarioName; stressSteps?: StressStep[]; share?: number },
): LoadSummary {
  const m = data.metrics ?? {};
  const val = (name: string, key: string) => m[name]?.values?.[key] ?? 0;
  const durationS = (data.state?.testRunDurationMs ?? 0) / 1000;
  const thresholds: ThresholdResult[] = [];
  for (const [metric, mm] of Object.entries(m)) {
    for (const [threshold, r] of Object.entries(mm.thresholds ?? {})) {
      // The per-step sub-metrics of a stress run always hold; they are not a verdict.
      if (/\{.*step:/.test(metric)) continue;
      thresholds.push({ metric, threshold, ok: !!r.ok, value: thresholdValue(mm, threshold) });
    }
  }
  thresholds.sort((a, b) => a.metric.localeCompare(b.metric) || a.threshold.localeCompare(b.threshold));
  const restores = val('ccready_restores_full', 'count') + val('ccready_restores_incremental', 'count');
  const casesCount = m.ccready_restore_cases?.values?.count ?? 0;
  const s: LoadSummary = {
    durationS: Number(durationS.toFixed(2)),
    iterations: val('iterations', 'count'),
    droppedIterations: val('dropped_iterations', 'count'),
    requests: val('http_reqs', 'count'),
    requestRate: Number(val('http_reqs', 'rate').toFixed(3)),
    errorRate: val('ccready_errors', 'rate'),
    httpFailedRate: val('http_req_failed', 'rate'),
    formsAcknowledged: val('ccready_forms_acked', 'count'),
    formsRejected: val('ccready_forms_rejected', 'count'),
    throttled: val('ccready_throttled', 'count'),
    submissionsStalled: val('ccready_submissions_stalled', 'count'),
    formRate: Number(val('ccready_forms_acked', 'rate').toFixed(3)),
    restoresFull: val('ccready_restores_full', 'count'),
    restoresIncremental: val('ccready_restores_incremental', 'count'),
    restoreAsync202: val('ccready_restore_202', 'count'),
    restore412: val('ccready_restore_412', 'count'),
    casesPerRestore: restores > 0 && casesCount > 0 ? Number(val('ccready_restore_cases', 'avg').toFixed(2)) : null,
    latency: {
      submission: latency(m['http_req_duration{kind:submission}']),
      restore: latency(m['http_req_duration{kind:restore}']),
      asyncWait: latency(m.ccready_restore_async_wait),
    },
    thresholds,
    thresholdsOk: thresholds.every((t) => t.ok),
    info: [],
  };
  if (ctx.profile === 'stress' && ctx.stressSteps) {
    const th = ctx.plan.thresholds;
    const kind = ctx.scenario === 'restore' ? 'restore' : 'submission';
    const limit = kind === 'restore' ? th.restore.p95Ms : th.submission.p95Ms;
    // One execution segment offers its share of each step's rate, and is judged against its share
    // of the plan's peak: its knee is its own rate, not the whole plan's (the merge has that).
    const share = ctx.share ?? 1;
    const steps: StepResult[] = ctx.stressSteps.map((st) => {
      const d = m[`http_req_duration{kind:${kind},step:${st.step}}`];
      const e = m[`ccready_errors{step:${st.step}}`];
      const requests = d?.values?.count ?? 0;
      const p95 = requests ? d.values['p(95)'] ?? null : null;
      const er = e && (e.values.passes ?? 0) + (e.values.fails ?? 0) > 0 ? e.values.rate : null;
      const ok = requests > 0 && p95 !== null && p95 < limit && er !== null && er < th.errorRate;
      return { step: st.step, rate: Number((st.rate * share).toFixed(3)), requests, p95Ms: p95 === null ? null : Number(p95.toFixed(1)), errorRate: er, ok };
    });
    // The knee is the top of the unbroken run of passing steps from the bottom.
    let knee: { step: number; rate: number } | null = null;
    for (const st of steps) {
      if (!st.ok) break;
      knee = { step: st.step, rate: st.rate };
    }
    const planPeak = ctx.scenario === 'restore' ? ctx.plan.rates.restoresPerSecond.peak : ctx.plan.rates.formsPerSecond.peak;
    const peak = Number((planPeak * share).toFixed(4));
    s.steps = steps;
    s.knee = knee;
    // A stress run is meant to break the server: its error-rate abort tripping is how it ends, not
    // a failure. Its verdict is whether the knee lies at or above the plan's peak.
    for (const t of s.thresholds.filter((x) => !x.ok)) s.info.push(`${t.metric} ${t.threshold} broke (expected once the steps pass the knee)`);
    const against = share < 1 ? `>= this segment's ${Number((share * 100).toFixed(1))}% of the plan peak ${planPeak}: ${peak}` : `>= plan peak ${peak}`;
    s.thresholds = [{ metric: `stress knee (${kind}s/s)`, threshold: against, ok: knee !== null && knee.rate >= peak }];
    s.thresholdsOk = s.thresholds[0].ok;
  }
  return s;
}
