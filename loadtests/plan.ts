// Load plans: how many forms and restores per second the server must hold, derived from the
// sizing model's usage table, and the k6 options (executors, thresholds) each profile turns a plan
// into. Pure functions only: no I/O, so every number can be checked in a unit test.
import { inputError, UsageError } from '../common/errors.ts';
import type { Options, Scenario, Threshold } from 'k6/options';
import { scenarioVUs, type ProfileName, type ScenarioName, type StressStep } from './contract.ts';

export interface LatencyLimits {
  /** milliseconds */
  p95Ms: number;
  p99Ms: number;
}

export interface Thresholds {
  /** highest acceptable share of failed requests (HTTP errors or wrong OpenRosa nature) */
  errorRate: number;
  /** stop the run early when the error share passes this (a failing server is not hammered) */
  abortErrorRate: number;
  /** …but only after this many seconds, so a few early failures do not end a run */
  abortDelayS: number;
  submission: LatencyLimits;
  restore: LatencyLimits;
  /** time from the first 202 of an async restore to its 200 */
  asyncWait: LatencyLimits;
}

/**
 * Defaults, documented in docs/loadtests.md. A phone waits for the receiver before it shows
 * "sent", so submissions get the tightest limit; restores carry the whole case list and may be
 * slow for big case loads; async restores are by design polled for tens of seconds.
 */
export const DEFAULT_THRESHOLDS: Thresholds = {
  errorRate: 0.01,
  abortErrorRate: 0.2,
  abortDelayS: 10,
  submission: { p95Ms: 2000, p99Ms: 5000 },
  restore: { p95Ms: 5000, p99Ms: 15000 },
  asyncWait: { p95Ms: 60000, p99Ms: 120000 },
};

export interface UsageFields {
  users: string[];
  forms: string[];
  restores: string[];
}

/** Usage fields read from the sizing config, first one present wins (names differ between configs). */
export const DEFAULT_FIELDS: UsageFields = {
  users: ['active_users', 'users'],
  forms: ['forms_monthly', 'forms'],
  restores: ['restores_monthly', 'synclogs_monthly', 'synclogs'],
};

export interface PlanAssumptions {
  workingDaysPerMonth: number;
  workingHoursPerDay: number;
  /** busiest hour ÷ average working hour */
  peakFactor: number;
}

export const DEFAULT_ASSUMPTIONS: PlanAssumptions = { workingDaysPerMonth: 22, workingHoursPerDay: 8, peakFactor: 3 };

export interface PlanDurations {
  normalS: number;
  peakS: number;
  soakS: number;
  /** how long each stress step holds its rate */
  stressStepS: number;
  /** stress climbs from stressFrom × peak to stressTo × peak */
  stressFrom: number;
  stressTo: number;
  stressSteps: number;
}

export const DEFAULT_DURATIONS: PlanDurations = {
  normalS: 600,
  peakS: 600,
  soakS: 3600,
  stressStepS: 60,
  stressFrom: 0.5,
  stressTo: 4,
  stressSteps: 8,
};

export interface LoadPlan {
  kind: 'ccready-load-plan';
  version: 1;
  /** where the numbers came from */
  source: { sizing?: string; month?: string; fields?: { users: string; forms: string; restores: string } };
  /** a plan may name the target it was made for; such a target needs no --yes */
  target?: string;
  users: number;
  formsPerUserPerDay: number;
  restoresPerUserPerDay: number;
  assumptions: PlanAssumptions;
  rates: {
    formsPerSecond: { average: number; peak: number };
    restoresPerSecond: { average: number; peak: number };
  };
  thresholds: Thresholds;
  durations: PlanDurations;
  /** upper bound on k6 virtual users */
  maxVirtualUsers: number;
  /** the derivation, line by line, for a reviewer */
  derivation: string[];
  /**
   * For a reviewer: the k6 scenarios and thresholds `load run --plan` hands k6 for each profile and
   * scenario (one worker per planned user, the default 1 h cap). Derived, never read back: a run
   * recomputes them from the rates, thresholds and durations above, so edit those.
   */
  k6?: Record<string, Record<string, Options>>;
}

/** A usage table as produced by the sizing model (pandas "split" layout). */
export interface UsageTable {
  index: string[];
  columns: (string | string[])[];
  data: (number | string | null)[][];
}

export interface DeriveInput {
  usage: UsageTable;
  /** YYYY-MM; default: the last month of the table (the most load the sizing plans for) */
  month?: string;
  fields?: Partial<UsageFields>;
  assumptions?: Partial<PlanAssumptions>;
  thresholds?: Partial<Thresholds>;
  sizingFile?: string;
  target?: string;
}

const round = (x: number, digits = 4) => Number(x.toFixed(digits));
const fmt = (x: number) => (Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 1 ? x.toFixed(2) : x.toPrecision(3));

function pickField(table: UsageTable, names: string[], what: string, file: string | undefined, flag: string): { name: string; col: number } {
  const cols = table.columns.map((c) => (Array.isArray(c) ? c.join('.') : c));
  for (const n of names) {
    const i = cols.indexOf(n);
    if (i >= 0) return { name: n, col: i };
  }
  throw inputError(file, 'usage', `expected a usage field for ${what} (tried ${names.join(', ')}); name it with ${flag}`);
}

/** Derives a load plan from one month of the sizing model's usage table. */
export function derivePlan(input: DeriveInput): LoadPlan {
  const file = input.sizingFile;
  const a: PlanAssumptions = { ...DEFAULT_ASSUMPTIONS, ...stripUndefined(input.assumptions ?? {}) };
  for (const [k, v] of Object.entries(a)) {
    if (!(typeof v === 'number' && Number.isFinite(v) && v > 0)) throw new UsageError(`--${kebab(k)}: expected a positive number, got ${v}`);
  }
  if (a.workingHoursPerDay > 24) throw new UsageError(`--working-hours: expected at most 24, got ${a.workingHoursPerDay}`);
  const fields: UsageFields = {
    users: input.fields?.users?.length ? input.fields.users : DEFAULT_FIELDS.users,
    forms: input.fields?.forms?.length ? input.fields.forms : DEFAULT_FIELDS.forms,
    restores: input.fields?.restores?.length ? input.fields.restores : DEFAULT_FIELDS.restores,
  };
  const t = input.usage;
  if (!t.index.length) throw inputError(file, 'usage', 'expected at least one month in the usage table, found none');
  const u = pickField(t, fields.users, 'users', file, '--users-field');
  const f = pickField(t, fields.forms, 'forms per month', file, '--forms-field');
  const r = pickField(t, fields.restores, 'restores (sync logs) per month', file, '--restores-field');

  let row: number;
  if (input.month) {
    if (!/^\d{4}-\d{2}$/.test(input.month)) throw new UsageError(`--month: expected YYYY-MM, got "${input.month}"`);
    row = t.index.findIndex((d) => d.startsWith(input.month!));
    if (row < 0) throw new UsageError(`--month: ${input.month} is not in the usage table (${t.index[0].slice(0, 7)} … ${t.index[t.index.length - 1].slice(0, 7)})`);
  } else {
    row = t.index.length - 1;
  }
  const month = t.index[row].slice(0, 7);
  const num = (col: number, name: string): number => {
    const v = t.data[row][col];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw inputError(file, `usage.${name}`, `expected a number for ${month}, got ${v === null ? 'no value' : JSON.stringify(v)}`);
    return v;
  };
  const users = num(u.col, u.name);
  const forms = num(f.col, f.name);
  const restores = num(r.col, r.name);
  if (users <= 0) throw inputError(file, `usage.${u.name}`, `expected more than 0 users in ${month}, got ${users}`);

  const formsPerUserPerDay = forms / users / a.workingDaysPerMonth;
  const restoresPerUserPerDay = restores / users / a.workingDaysPerMonth;
  const workSeconds = a.workingHoursPerDay * 3600;
  const formsAvg = (users * formsPerUserPerDay) / workSeconds;
  const restoresAvg = (users * restoresPerUserPerDay) / workSeconds;
  const derivation = [
    `month ${month}${input.month ? '' : ' (last month of the usage table)'}${file ? ` of ${file}` : ''}`,
    `users = ${u.name} = ${fmt(users)}`,
    `forms per month = ${f.name} = ${fmt(forms)}; restores per month = ${r.name} = ${fmt(restores)}`,
    `forms/user/day = ${fmt(forms)} / ${fmt(users)} / ${a.workingDaysPerMonth} working days = ${fmt(formsPerUserPerDay)}`,
    `restores/user/day = ${fmt(restores)} / ${fmt(users)} / ${a.workingDaysPerMonth} = ${fmt(restoresPerUserPerDay)}`,
    `average forms/s = ${fmt(users)} × ${fmt(formsPerUserPerDay)} / (${a.workingHoursPerDay} h × 3600 s) = ${fmt(formsAvg)}`,
    `average restores/s = ${fmt(users)} × ${fmt(restoresPerUserPerDay)} / (${a.workingHoursPerDay} h × 3600 s) = ${fmt(restoresAvg)}`,
    `peak = average × peak factor ${a.peakFactor}: forms/s = ${fmt(formsAvg * a.peakFactor)}, restores/s = ${fmt(restoresAvg * a.peakFactor)}`,
  ];
  const cols = t.columns.map((c) => (Array.isArray(c) ? c.join('.') : c));
  const rps = cols.indexOf('requests_per_second');
  const rpsValue = rps >= 0 ? t.data[row][rps] : null;
  if (typeof rpsValue === 'number') {
    derivation.push(`for comparison, the sizing config's own requests_per_second for ${month} = ${fmt(rpsValue)} (plan peak forms + restores = ${fmt((formsAvg + restoresAvg) * a.peakFactor)})`);
  }
  const plan: LoadPlan = {
    kind: 'ccready-load-plan',
    version: 1,
    source: { sizing: file, month, fields: { users: u.name, forms: f.name, restores: r.name } },
    target: input.target,
    users: round(users, 2),
    formsPerUserPerDay: round(formsPerUserPerDay),
    restoresPerUserPerDay: round(restoresPerUserPerDay),
    assumptions: a,
    rates: {
      formsPerSecond: { average: round(formsAvg), peak: round(formsAvg * a.peakFactor) },
      restoresPerSecond: { average: round(restoresAvg), peak: round(restoresAvg * a.peakFactor) },
    },
    thresholds: mergeThresholds(input.thresholds),
    durations: { ...DEFAULT_DURATIONS },
    maxVirtualUsers: 1000,
    derivation,
  };
  return { ...plan, k6: k6Preview(plan) };
}

const PREVIEW_PROFILES = ['normal', 'peak', 'stress', 'soak'] as const;
const PREVIEW_SCENARIOS = ['submit', 'restore', 'mobile-day'] as const;

/** The k6 options of every profile × scenario for this plan, as `load run` would build them. */
export function k6Preview(plan: LoadPlan): NonNullable<LoadPlan['k6']> {
  const out: NonNullable<LoadPlan['k6']> = {};
  for (const profile of PREVIEW_PROFILES) {
    out[profile] = {};
    for (const scenario of PREVIEW_SCENARIOS) {
      out[profile][scenario] = shapeRun({ plan, profile, scenario, maxDurationS: 3600, workers: Math.max(1, Math.round(plan.users)) }).options;
    }
  }
  return out;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function kebab(s: string): string {
  return s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

export function mergeThresholds(t?: Partial<Thresholds>): Thresholds {
  return {
    ...DEFAULT_THRESHOLDS,
    ...stripUndefined(t ?? {}),
    submission: { ...DEFAULT_THRESHOLDS.submission, ...(t?.submission ?? {}) },
    restore: { ...DEFAULT_THRESHOLDS.restore, ...(t?.restore ?? {}) },
    asyncWait: { ...DEFAULT_THRESHOLDS.asyncWait, ...(t?.asyncWait ?? {}) },
  };
}

/**
 * The plan used when a profile is run without one: a small project (200 mobile workers, 10 forms
 * and 2 syncs per worker per working day). Documented in docs/loadtests.md.
 */
export function defaultPlan(): LoadPlan {
  return derivePlan({
    usage: { index: ['2026-01-01'], columns: ['users', 'forms_monthly', 'synclogs_monthly'], data: [[200, 200 * 10 * 22, 200 * 2 * 22]] },
  });
}

// ---------------------------------------------------------------------------------------------
// From a plan and a profile to k6 options.

export interface ScenarioShape {
  /** the k6 options object exported by the script */
  options: Options;
  /** requests per second the run aims at (forms/s for submit, restores/s for restore, forms/s for mobile-day) */
  targetRate: number;
  /** seconds of load (without graceful stop) */
  durationS: number;
  stressSteps?: StressStep[];
  mobileDay: { formsPerDay: number; thinkS: number };
  /** notes for the report, e.g. when the duration cap shortened the run */
  notes: string[];
  /** k6 setup() learns worker user ids with restores, ten at a time */
  setupTimeoutS: number;
}

const EXEC: Record<ScenarioName, string> = { submit: 'submit', restore: 'restore', 'mobile-day': 'mobileDay' };

/** k6 wants an integer rate per time unit; pick the unit that keeps fractional rates exact enough. */
export function arrivalRate(perSecond: number): { rate: number; timeUnit: string } {
  if (perSecond >= 20) return { rate: Math.round(perSecond), timeUnit: '1s' };
  if (perSecond * 60 >= 20) return { rate: Math.round(perSecond * 60), timeUnit: '1m' };
  return { rate: Math.max(1, Math.round(perSecond * 3600)), timeUnit: '1h' };
}

function vus(rate: number, maxVU: number): { preAllocatedVUs: number; maxVUs: number } {
  // Little's law with a pessimistic 2 s per request, so VUs are not the bottleneck of the test.
  const pre = Math.min(maxVU, Math.max(2, Math.ceil(rate * 2)));
  return { preAllocatedVUs: pre, maxVUs: Math.min(maxVU, Math.max(pre * 2, 10)) };
}

export function k6Thresholds(th: Thresholds, opts: { abort: boolean; latency: boolean }): Record<string, Threshold[]> {
  const out: Record<string, Threshold[]> = {
    ccready_errors: [
      ...(opts.latency ? [`rate<${th.errorRate}`] : []),
      ...(opts.abort ? [{ threshold: `rate<${th.abortErrorRate}`, abortOnFail: true, delayAbortEval: `${th.abortDelayS}s` }] : []),
    ],
  };
  if (opts.latency) {
    out['http_req_duration{kind:submission}'] = [`p(95)<${th.submission.p95Ms}`, `p(99)<${th.submission.p99Ms}`];
    out['http_req_duration{kind:restore}'] = [`p(95)<${th.restore.p95Ms}`, `p(99)<${th.restore.p99Ms}`];
    out['ccready_restore_async_wait'] = [`p(95)<${th.asyncWait.p95Ms}`, `p(99)<${th.asyncWait.p99Ms}`];
  }
  return out;
}

export interface ShapeInput {
  plan: LoadPlan;
  profile: ProfileName;
  scenario: ScenarioName;
  /** hard cap on the run's length in seconds */
  maxDurationS: number;
  /** number of distinct mobile workers available */
  workers: number;
}

/** Turns plan × profile × scenario into k6 scenarios and thresholds. */
export function shapeRun(input: ShapeInput): ScenarioShape {
  const { plan, profile, scenario } = input;
  const th = plan.thresholds;
  const d = plan.durations;
  const notes: string[] = [];
  const perSecond = (kind: 'average' | 'peak') => (scenario === 'restore' ? plan.rates.restoresPerSecond[kind] : plan.rates.formsPerSecond[kind]);
  const cap = (s: number) => {
    if (s > input.maxDurationS) {
      notes.push(`duration ${s}s cut to the cap of ${input.maxDurationS}s`);
      return input.maxDurationS;
    }
    return s;
  };
  const exec = EXEC[scenario];
  const base = { exec, gracefulStop: '5s' };
  let targetRate: number;
  let durationS: number;
  let k6scenario: Scenario;
  let stressSteps: StressStep[] | undefined;
  let mobileDay = { formsPerDay: Math.max(1, Math.min(50, Math.round(plan.formsPerUserPerDay))), thinkS: 1 };

  if (profile === 'smoke') {
    // Seconds, for CI: proves the path works end to end, not capacity.
    durationS = cap(5);
    targetRate = scenario === 'restore' ? 4 : 10;
    if (scenario === 'mobile-day') {
      mobileDay = { formsPerDay: 3, thinkS: 0.2 };
      k6scenario = { ...base, executor: 'per-vu-iterations', vus: Math.min(2, Math.max(1, input.workers)), iterations: 1, maxDuration: `${durationS + 10}s` };
      durationS += 10;
    } else {
      // VUs for 2 s per request up front, as the other profiles: k6 drops an iteration that finds no
      // free VU, and a slow or async-restoring server must not leave the smoke run incomplete.
      k6scenario = { ...base, executor: 'constant-arrival-rate', ...arrivalRate(targetRate), duration: `${durationS}s`, ...vus(targetRate, plan.maxVirtualUsers) };
    }
  } else if (profile === 'stress') {
    const peak = perSecond('peak');
    const n = Math.max(2, Math.round(d.stressSteps));
    const stepS = Math.max(5, Math.round(d.stressStepS));
    const allowedSteps = Math.max(1, Math.min(n, Math.floor(input.maxDurationS / stepS)));
    if (allowedSteps < n) notes.push(`stress cut to ${allowedSteps} of ${n} steps by the ${input.maxDurationS}s cap`);
    stressSteps = [];
    const stages: { target: number; duration: string }[] = [];
    // Rates climb geometrically from stressFrom × peak to stressTo × peak; each step holds its rate.
    const ratio = n > 1 ? Math.pow(d.stressTo / d.stressFrom, 1 / (n - 1)) : 1;
    // At least 1/s at the bottom, so every step has enough requests for a p95; a small project's
    // plan would otherwise hold every step at that floor (a flat line, no knee to find). The
    // ramp keeps its span (stressTo / stressFrom) from wherever it starts.
    const bottom = Math.max(1, peak * d.stressFrom);
    if (bottom > peak * d.stressFrom) {
      notes.push(`stress starts at 1/s (the plan's ${round(peak * d.stressFrom, 3)}/s is too few requests per step for a p95) and climbs ×${round(d.stressTo / d.stressFrom, 2)} to ${round(bottom * Math.pow(ratio, n - 1), 2)}/s`);
    }
    let t = 0;
    for (let i = 0; i < allowedSteps; i++) {
      const rate = bottom * Math.pow(ratio, i);
      // 1 s ramp to the new rate, then hold; the step window skips the ramp.
      stages.push({ target: Math.round(rate * 60), duration: '1s' }, { target: Math.round(rate * 60), duration: `${stepS - 1}s` });
      stressSteps.push({ step: i + 1, startS: t + 1, endS: t + stepS, rate: round(Math.round(rate * 60) / 60, 3) });
      t += stepS;
    }
    durationS = t;
    targetRate = stressSteps[stressSteps.length - 1].rate;
    const top = stressSteps[stressSteps.length - 1].rate;
    k6scenario = {
      ...base,
      executor: 'ramping-arrival-rate',
      startRate: Math.round(stressSteps[0].rate * 60),
      timeUnit: '1m',
      stages,
      ...vus(top, plan.maxVirtualUsers),
    };
  } else {
    const kind = profile === 'peak' ? 'peak' : 'average';
    targetRate = perSecond(kind);
    durationS = cap(profile === 'soak' ? d.soakS : profile === 'peak' ? d.peakS : d.normalS);
    if (targetRate <= 0) throw new UsageError(`plan: the ${kind} ${scenario === 'restore' ? 'restore' : 'form'} rate is 0; nothing to run`);
    if (scenario === 'mobile-day') {
      // Concurrent workers on line; together they produce the plan's form rate. A day waits thinkS
      // before each of its F forms and once more before the closing sync: F forms per (F + 1)
      // think times (requests are short next to them), so thinkS = workers × F / ((F + 1) × rate).
      const workers = Math.max(1, Math.min(plan.maxVirtualUsers, Math.round(plan.users), Math.max(input.workers, Math.ceil(targetRate * 30))));
      const f = mobileDay.formsPerDay;
      mobileDay = { formsPerDay: f, thinkS: round((workers * f) / ((f + 1) * targetRate), 3) };
      k6scenario = { ...base, executor: 'constant-vus', vus: workers, duration: `${durationS}s`, gracefulStop: `${Math.ceil(Math.min(60, mobileDay.thinkS * 2))}s` };
    } else {
      k6scenario = { ...base, executor: 'constant-arrival-rate', ...arrivalRate(targetRate), duration: `${durationS}s`, ...vus(targetRate, plan.maxVirtualUsers) };
    }
  }

  const thresholds = k6Thresholds(th, { abort: true, latency: profile !== 'stress' });
  if (stressSteps) {
    // Per-step sub-metrics only show up in k6's summary when a threshold names them; these always
    // hold (the knee is judged by ccready from their values, not by k6).
    const kind = scenario === 'restore' ? 'restore' : 'submission';
    for (const s of stressSteps) {
      thresholds[`http_req_duration{kind:${kind},step:${s.step}}`] = ['max>=0'];
      thresholds[`ccready_errors{step:${s.step}}`] = ['rate>=0'];
    }
  }
  // Up to 30 s per batch of ten setup restores, for the workers that virtual users will be.
  const vuCap = scenarioVUs(k6scenario);
  const setupTimeoutS = Math.max(60, Math.ceil(Math.min(input.workers, vuCap) / 10) * 30);
  const options: Options = {
    scenarios: { [scenario]: k6scenario },
    thresholds,
    summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)', 'count'],
    discardResponseBodies: false,
    userAgent: 'ccready-load (k6)',
    setupTimeout: `${setupTimeoutS}s`,
    teardownTimeout: '30s',
  };
  return { options, targetRate, durationS, stressSteps, mobileDay, notes, setupTimeoutS };
}
