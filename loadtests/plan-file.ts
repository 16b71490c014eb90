// A plan read back from JSON (`load run --plan`): every number checked, defaults filled in, and
// an input error naming the file and key for anything else. Pure.
import { inputError } from '../common/errors.ts';
import {
  DEFAULT_ASSUMPTIONS, DEFAULT_DURATIONS, mergeThresholds,
  type LoadPlan, type PlanAssumptions, type PlanDurations, type Thresholds,
} from './plan.ts';

/** Checks a plan read from JSON; throws an input error naming the file and key. */
export function validatePlan(raw: unknown, file: string): LoadPlan {
  const fail = (key: string, msg: string) => inputError(file, key, msg);
  if (!raw || typeof raw !== 'object') throw fail('', 'expected a JSON object (a plan written by `ccready load plan`)');
  const p = raw as Record<string, unknown>;
  if (p.kind !== 'ccready-load-plan') throw fail('kind', `expected "ccready-load-plan", got ${JSON.stringify(p.kind)}`);
  const pos = (v: unknown, key: string, allowZero = true) => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || (!allowZero && v === 0)) throw fail(key, `expected a ${allowZero ? 'non-negative' : 'positive'} number, got ${JSON.stringify(v)}`);
    return v;
  };
  pos(p.users, 'users', false);
  pos(p.formsPerUserPerDay, 'formsPerUserPerDay');
  pos(p.restoresPerUserPerDay, 'restoresPerUserPerDay');
  const rates = p.rates as LoadPlan['rates'] | undefined;
  if (!rates || typeof rates !== 'object') throw fail('rates', 'expected an object with formsPerSecond and restoresPerSecond');
  for (const k of ['formsPerSecond', 'restoresPerSecond'] as const) {
    const r = rates[k];
    if (!r || typeof r !== 'object') throw fail(`rates.${k}`, 'expected {average, peak}');
    pos(r.average, `rates.${k}.average`);
    pos(r.peak, `rates.${k}.peak`);
  }
  const th = mergeThresholds(p.thresholds as Partial<Thresholds> | undefined);
  const frac = (v: number, key: string) => {
    if (!(v > 0 && v <= 1)) throw fail(key, `expected a fraction between 0 and 1, got ${v}`);
  };
  frac(th.errorRate, 'thresholds.errorRate');
  frac(th.abortErrorRate, 'thresholds.abortErrorRate');
  for (const k of ['submission', 'restore', 'asyncWait'] as const) {
    pos(th[k].p95Ms, `thresholds.${k}.p95Ms`, false);
    pos(th[k].p99Ms, `thresholds.${k}.p99Ms`, false);
  }
  const d = { ...DEFAULT_DURATIONS, ...((p.durations as Partial<PlanDurations>) ?? {}) };
  for (const [k, v] of Object.entries(d)) pos(v, `durations.${k}`, false);
  const a = { ...DEFAULT_ASSUMPTIONS, ...((p.assumptions as Partial<PlanAssumptions>) ?? {}) };
  if (p.target !== undefined && typeof p.target !== 'string') throw fail('target', `expected a URL string, got ${JSON.stringify(p.target)}`);
  const maxVU = p.maxVirtualUsers === undefined ? 1000 : pos(p.maxVirtualUsers, 'maxVirtualUsers', false);
  return {
    kind: 'ccready-load-plan',
    version: 1,
    source: (p.source as LoadPlan['source']) ?? {},
    target: p.target as string | undefined,
    users: p.users as number,
    formsPerUserPerDay: p.formsPerUserPerDay as number,
    restoresPerUserPerDay: p.restoresPerUserPerDay as number,
    assumptions: a,
    rates,
    thresholds: th,
    durations: d,
    maxVirtualUsers: maxVU,
    derivation: Array.isArray(p.derivation) ? (p.derivation as string[]) : [],
  };
}
