// Merging the k6 summaries of the generators of one split run (execution segments, k6-operator
// runner pods) into the summary one generator would have written for the whole plan. Pure.
//
// Counts, passes and fails add up exactly; a rate metric is passes ÷ (passes + fails) of the sums;
// a trend's count, min, max and mean are exact. Percentiles are never averaged (the mean of two
// p95s is not the p95 of anything): every generator's summary holds its trend's empirical
// quantile function on a grid of 1001 points (contract.ts gridStats: p(0), p(0.1) … p(100),
// computed by k6 from all its raw samples), which gives each generator's distribution function
// within GRID_STEP; the count-weighted mixture of those is the distribution of all samples
// together, within the same GRID_STEP, and a merged percentile is that mixture inverted. So a
// merged p(95) lies between the true p(94.9) and p(95.1) of every sample of every generator.
import { UsageError } from '../common/errors.ts';
import { GRID_STEP, gridStats } from './contract.ts';
import type { K6Metric, K6SummaryData } from './summary.ts';

const GRID = gridStats();
const GRID_P = GRID.map((_, i) => i * GRID_STEP);

/** One generator's trend as a distribution: its count and its quantile function on the grid. */
interface Quantiles {
  n: number;
  q: number[];
}

function quantilesOf(metric: string, m: K6Metric, source: string): Quantiles | null {
  const n = m.values?.count ?? 0;
  if (!n) return null;
  const q = GRID.map((k) => m.values[k]);
  if (q.some((x) => typeof x !== 'number' || !Number.isFinite(x))) {
    throw new UsageError(`${source}: k6 summary has no percentile grid for ${metric} (written by an older ccready?); rerun the segment with this version`);
  }
  return { n, q };
}

/** Share of the generator's samples at or below x (right-continuous), from its quantile grid. */
function cdf(d: Quantiles, x: number): number {
  const q = d.q;
  if (x < q[0]) return 0;
  if (x >= q[q.length - 1]) return 1;
  // largest k with q[k] <= x
  let lo = 0;
  let hi = q.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (q[mid] <= x) lo = mid;
    else hi = mid;
  }
  if (q[lo] === x) return GRID_P[lo];
  return GRID_P[lo] + ((x - q[lo]) / (q[lo + 1] - q[lo])) * GRID_STEP;
}

/** Share strictly below x (the left limit): differs from cdf where many samples share one value. */
function cdfBelow(d: Quantiles, x: number): number {
  const q = d.q;
  if (x <= q[0]) return 0;
  if (x > q[q.length - 1]) return 1;
  // smallest k with q[k] >= x
  let lo = 0;
  let hi = q.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (q[mid] >= x) hi = mid;
    else lo = mid;
  }
  if (q[hi] === x) return GRID_P[hi];
  return GRID_P[lo] + ((x - q[lo]) / (q[hi] - q[lo])) * GRID_STEP;
}

/**
 * Percentiles (p in 0…1) of all the generators' samples together: the count-weighted mixture of
 * their distribution functions, inverted. It is piecewise linear between the union of the grids'
 * values (with a step where samples share a value), so the inversion is exact for the mixture.
 */
export function mixtureQuantiles(parts: Quantiles[], ps: number[]): number[] {
  const live = parts.filter((d) => d.n > 0);
  if (!live.length) return ps.map(() => 0);
  const total = live.reduce((a, d) => a + d.n, 0);
  const at = (x: number) => live.reduce((a, d) => a + d.n * cdf(d, x), 0) / total;
  const below = (x: number) => live.reduce((a, d) => a + d.n * cdfBelow(d, x), 0) / total;
  const xs = [...new Set(live.flatMap((d) => d.q))].sort((a, b) => a - b);
  return ps.map((p) => {
    if (p <= 0) return xs[0];
    if (p >= 1) return xs[xs.length - 1];
    // first breakpoint where the mixture reaches p
    let lo = 0;
    let hi = xs.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (at(xs[mid]) >= p) hi = mid;
      else lo = mid + 1;
    }
    const x1 = xs[lo];
    if (lo === 0) return x1;
    const x0 = xs[lo - 1];
    const g0 = at(x0);
    const g1 = below(x1);
    if (p >= g1 || g1 <= g0) return x1; // within the step at x1
    return x0 + ((p - g0) / (g1 - g0)) * (x1 - x0);
  });
}

/** `p(95)` → 0.95, `med` → 0.5; null for other statistics. */
function percentileOf(stat: string): number | null {
  if (stat === 'med') return 0.5;
  const m = /^p\((\d+(?:\.\d+)?)\)$/.exec(stat);
  return m ? Number(m[1]) / 100 : null;
}

/** The generators' runners keep the grid only where a threshold reads the trend (scenarios/main.ts). */
function hasGrid(m: K6Metric): boolean {
  return !(m.values?.count) || typeof m.values[GRID[GRID.length >> 1]] === 'number';
}

function mergeTrend(metric: string, ms: { m: K6Metric; source: string }[]): Record<string, number> {
  // A trend no threshold reads has no grid: its count, extremes and mean merge exactly, its
  // percentiles are left out rather than averaged. One a threshold reads must have the grid.
  const gridless = !ms.every(({ m }) => hasGrid(m)) && !ms.some(({ m }) => m.thresholds);
  const parts = gridless ? [] : ms.map(({ m, source }) => quantilesOf(metric, m, source)).filter((d): d is Quantiles => d !== null);
  const keys = [...new Set(ms.flatMap(({ m }) => Object.keys(m.values ?? {})))].filter((k) => !gridless || percentileOf(k) === null);
  const out: Record<string, number> = {};
  const n = ms.reduce((a, { m }) => a + (m.values?.count ?? 0), 0);
  const live = ms.filter(({ m }) => (m.values?.count ?? 0) > 0).map(({ m }) => m.values);
  const stats = keys.map((k) => [k, percentileOf(k)] as const).filter(([, p]) => p !== null) as [string, number][];
  const qs = mixtureQuantiles(parts, stats.map(([, p]) => p));
  stats.forEach(([k], i) => (out[k] = n ? qs[i] : 0));
  for (const k of keys) {
    if (k in out) continue;
    if (k === 'count') out.count = n;
    else if (k === 'min') out.min = live.length ? Math.min(...live.map((v) => v.min)) : 0;
    else if (k === 'max') out.max = live.length ? Math.max(...live.map((v) => v.max)) : 0;
    else if (k === 'avg') out.avg = n ? live.reduce((a, v) => a + v.avg * v.count, 0) / n : 0;
  }
  return out;
}

function sum(ms: K6Metric[], key: string): number {
  return ms.reduce((a, m) => a + (m.values?.[key] ?? 0), 0);
}

function mergeValues(metric: string, type: string, ms: { m: K6Metric; source: string }[]): Record<string, number> {
  const plain = ms.map((x) => x.m);
  switch (type) {
    case 'counter':
      // generators run side by side: their rates add up, as their counts do
      return { count: sum(plain, 'count'), rate: sum(plain, 'rate') };
    case 'rate': {
      const passes = sum(plain, 'passes');
      const fails = sum(plain, 'fails');
      return { rate: passes + fails ? passes / (passes + fails) : 0, passes, fails };
    }
    case 'gauge':
      // virtual users of several generators add up
      return { value: sum(plain, 'value'), min: sum(plain, 'min'), max: sum(plain, 'max') };
    case 'trend':
      return mergeTrend(metric, ms);
    default:
      throw new UsageError(`${ms[0].source}: k6 summary metric ${metric} has an unknown type "${type}"`);
  }
}

const OPS: Record<string, (a: number, b: number) => boolean> = {
  '<': (a, b) => a < b, '<=': (a, b) => a <= b, '>': (a, b) => a > b, '>=': (a, b) => a >= b,
  '==': (a, b) => a === b, '===': (a, b) => a === b, '!=': (a, b) => a !== b,
};

/** Judges one k6 threshold expression (`p(95)<2000`, `rate<0.01`, `count>=0`) on merged values, as k6 does. */
export function thresholdHolds(values: Record<string, number>, expression: string): boolean {
  const m = /^\s*([a-z]+(?:\(\d+(?:\.\d+)?\))?)\s*(<=|>=|===|==|!=|<|>)\s*(-?\d+(?:\.\d+)?(?:e-?\d+)?)\s*$/.exec(expression);
  if (!m) throw new UsageError(`threshold "${expression}": expected STAT OP NUMBER, as k6 writes it`);
  const v = values[m[1]];
  if (typeof v !== 'number') throw new UsageError(`threshold "${expression}": the merged metric has no ${m[1]}`);
  return OPS[m[2]](v, Number(m[3]));
}

export interface SummaryPart {
  /** where the summary came from, for messages (a run folder, a pod) */
  source: string;
  data: K6SummaryData;
}

/**
 * The summary of the whole split run: every metric merged, every threshold judged once on the
 * merged numbers (never "all segments passed"), the run's length the longest generator's.
 */
export function mergeK6Summaries(parts: SummaryPart[]): K6SummaryData {
  if (!parts.length) throw new UsageError('no k6 summary to merge');
  const names = [...new Set(parts.flatMap((p) => Object.keys(p.data.metrics ?? {})))].sort();
  const metrics: Record<string, K6Metric> = {};
  for (const name of names) {
    const ms = parts.filter((p) => p.data.metrics?.[name]).map((p) => ({ m: p.data.metrics[name], source: p.source }));
    const types = [...new Set(ms.map((x) => x.m.type))];
    if (types.length > 1) throw new UsageError(`${ms[0].source}: k6 summary metric ${name} is a ${types[0]} here and a ${types[1]} elsewhere`);
    const values = mergeValues(name, types[0], ms);
    const expressions = [...new Set(ms.flatMap((x) => Object.keys(x.m.thresholds ?? {})))].sort();
    metrics[name] = {
      type: types[0],
      values,
      ...(expressions.length ? { thresholds: Object.fromEntries(expressions.map((t) => [t, { ok: thresholdHolds(values, t) }])) } : {}),
    };
  }
  const durationMs = Math.max(...parts.map((p) => p.data.state?.testRunDurationMs ?? 0));
  return { state: { testRunDurationMs: durationMs }, metrics };
}
