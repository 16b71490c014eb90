// Merging split runs' k6 summaries: counts and rates add up exactly, percentiles come from the
// generators' quantile grids (never an average of percentiles) within the documented bound.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { GRID_STEP, gridStats } from '../contract.ts';
import { UsageError } from '../../common/errors.ts';
import { mergeK6Summaries, thresholdHolds } from '../merge-metrics.ts';
import type { K6SummaryData } from '../summary.ts';

/** k6's own percentile (lib/metrics/sink.go TrendSink.P): linear interpolation at rank p·(n−1). */
function k6P(sorted: number[], p: number): number {
  if (sorted.length === 1) return sorted[0];
  const i = p * (sorted.length - 1);
  const j = sorted[Math.floor(i)];
  const k = sorted[Math.ceil(i)];
  return j + (k - j) * (i - Math.floor(i));
}

/** The summary values k6 writes for a trend with ccready's summaryTrendStats and the grid. */
function trendValues(samples: number[]): Record<string, number> {
  const s = [...samples].sort((a, b) => a - b);
  const v: Record<string, number> = { count: s.length, min: s[0], max: s[s.length - 1], avg: s.reduce((a, x) => a + x, 0) / s.length, med: k6P(s, 0.5), 'p(90)': k6P(s, 0.9), 'p(95)': k6P(s, 0.95), 'p(99)': k6P(s, 0.99) };
  for (const g of gridStats()) v[g] = k6P(s, Number(/\((.*)\)/.exec(g)![1]) / 100);
  return v;
}

/** A seeded generator (mulberry32), so a failure can be replayed. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function lognormal(r: () => number, median: number, sigma: number): number {
  const z = Math.sqrt(-2 * Math.log(r() || 1e-12)) * Math.cos(2 * Math.PI * r());
  return median * Math.exp(sigma * z);
}

function summaryOf(samples: number[], extra: Partial<K6SummaryData['metrics']> = {}): K6SummaryData {
  return {
    state: { testRunDurationMs: 5000 },
    metrics: {
      'http_req_duration{kind:submission}': { type: 'trend', values: trendValues(samples), thresholds: { 'p(95)<2000': { ok: true } } },
      ...extra,
    } as K6SummaryData['metrics'],
  };
}

/** Rank of x among sorted samples, as a share: how many are ≤ x. */
function rankShare(sorted: number[], x: number): [number, number] {
  const below = sorted.filter((s) => s < x).length;
  const atOrBelow = sorted.filter((s) => s <= x).length;
  return [below / sorted.length, atOrBelow / sorted.length];
}

test('merged percentiles lie within one grid step of the true rank of all samples, for unlike generators', () => {
  const r = rng(13);
  // a fast generator and a slow one (e.g. one machine far from the server), unequal sizes
  const a = Array.from({ length: 1900 }, () => lognormal(r, 80, 0.4));
  const b = Array.from({ length: 400 }, () => lognormal(r, 1500, 0.3));
  const merged = mergeK6Summaries([{ source: 'a', data: summaryOf(a) }, { source: 'b', data: summaryOf(b) }]).metrics['http_req_duration{kind:submission}'].values;
  const all = [...a, ...b].sort((x, y) => x - y);
  for (const [stat, p] of [['med', 0.5], ['p(90)', 0.9], ['p(95)', 0.95], ['p(99)', 0.99], ['p(99.9)', 0.999]] as const) {
    const [lo, hi] = rankShare(all, merged[stat]);
    // the grid's bound, plus one sample of rounding at this size
    const slack = GRID_STEP + 1 / all.length;
    assert.ok(lo <= p + slack && hi >= p - slack, `${stat}: merged ${merged[stat].toFixed(1)} sits at rank ${lo.toFixed(4)}…${hi.toFixed(4)}, wanted ${p}`);
  }
  // counts, extremes and the mean are exact
  assert.is(merged.count, 2300);
  assert.is(merged.min, all[0]);
  assert.is(merged.max, all[all.length - 1]);
  assert.ok(Math.abs(merged.avg - all.reduce((x, y) => x + y, 0) / all.length) < 1e-9);
  // and averaging the two p95s would have been far off: the reason the grid exists
  const averaged = (k6P([...a].sort((x, y) => x - y), 0.95) + k6P([...b].sort((x, y) => x - y), 0.95)) / 2;
  const [lo] = rankShare(all, averaged);
  assert.ok(Math.abs(lo - 0.95) > 0.02, `averaged p95 at rank ${lo}`);
});

test('one generator merged alone gives back its own percentiles', () => {
  const r = rng(7);
  const a = Array.from({ length: 333 }, () => lognormal(r, 120, 0.5));
  const v = trendValues(a);
  const m = mergeK6Summaries([{ source: 'a', data: summaryOf(a) }]).metrics['http_req_duration{kind:submission}'].values;
  for (const k of ['med', 'p(90)', 'p(95)', 'p(99)', 'min', 'max']) assert.ok(Math.abs(m[k] - v[k]) < 1e-9 * Math.max(1, v[k]), `${k}: ${m[k]} vs ${v[k]}`);
});

test('many equal samples (a step in the distribution) merge to that value', () => {
  const a = [...Array(500).fill(100), ...Array(500).fill(200)];
  const b = Array(1000).fill(100);
  const m = mergeK6Summaries([{ source: 'a', data: summaryOf(a) }, { source: 'b', data: summaryOf(b) }]).metrics['http_req_duration{kind:submission}'].values;
  assert.is(m.med, 100);
  assert.is(m['p(95)'], 200);
});

test('counters and rates add up exactly; thresholds are judged once, on the merged numbers', () => {
  const a = summaryOf([10, 20, 30], {
    ccready_forms_acked: { type: 'counter', values: { count: 30, rate: 6 } },
    ccready_errors: { type: 'rate', values: { rate: 0, passes: 0, fails: 100 }, thresholds: { 'rate<0.01': { ok: true } } },
  });
  const b = summaryOf([3000, 3000, 3000], {
    ccready_forms_acked: { type: 'counter', values: { count: 20, rate: 4 } },
    ccready_errors: { type: 'rate', values: { rate: 0.015, passes: 3, fails: 197 }, thresholds: { 'rate<0.01': { ok: false } } },
  });
  const m = mergeK6Summaries([{ source: 'a', data: a }, { source: 'b', data: b }]).metrics;
  assert.equal(m.ccready_forms_acked.values, { count: 50, rate: 10 });
  assert.equal(m.ccready_errors.values, { rate: 0.01, passes: 3, fails: 297 });
  // 3 of 300 is exactly 1 %: not under it, so the merged threshold fails though segment a held
  assert.is(m.ccready_errors.thresholds!['rate<0.01'].ok, false);
  // half the submissions took 3 s: the merged p95 is over 2 s whatever segment a said
  assert.is(m['http_req_duration{kind:submission}'].thresholds!['p(95)<2000'].ok, false);
  assert.ok(thresholdHolds({ 'p(95)': 1999 }, 'p(95)<2000'));
  assert.not.ok(thresholdHolds({ count: 0 }, 'count>=1'));
});

test('a summary without the percentile grid is refused, not averaged', () => {
  const old = summaryOf([1, 2, 3]);
  const v = old.metrics['http_req_duration{kind:submission}'].values;
  for (const k of Object.keys(v)) if (k.startsWith('p(') && !['p(90)', 'p(95)', 'p(99)'].includes(k)) delete v[k];
  assert.throws(() => mergeK6Summaries([{ source: 'runs/a', data: old }, { source: 'b', data: summaryOf([1]) }]),
    (e: Error) => e instanceof UsageError && /^runs\/a: k6 summary has no percentile grid for http_req_duration\{kind:submission\}/.test(e.message));
});

test.run();
