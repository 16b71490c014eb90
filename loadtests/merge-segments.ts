// What makes a set of generators one split run, and what of theirs adds up: their execution
// segments must tile 0…1 exactly (no overlap, no gap), they must have run the same plan the same
// way, and at the same time. Pure: the I/O is in merge.ts.
import { UsageError } from '../common/errors.ts';
import type { RejectedAnswer } from './audit.ts';
import { segmentRange } from './contract.ts';
import type { K6Exit } from './outcome.ts';
import type { RunSample } from './record.ts';

/** Two fractions closer than this are the same boundary (1/3 + 1/3 + 1/3 in floating point). */
const EPS = 1e-9;

/** Below this share of the shortest generator's run spent together, the server never carried the whole plan. */
export const MIN_OVERLAP = 0.8;

export interface SegmentId {
  source: string;
  segment: string;
  sequence?: string;
}

/** Refuses (one line) segments that overlap, leave a gap, or were cut from different sequences. */
export function checkCoverage(parts: SegmentId[]): void {
  // One part is a whole run only when it ran all of the plan: a k6-operator TestRun with one runner (0:1).
  const whole = parts.length === 1 && segmentRange(parts[0].segment)[0] === 0 && segmentRange(parts[0].segment)[1] === 1;
  if (parts.length < 2 && !whole) throw new UsageError(`load merge: expected the results of at least two execution segments, got ${parts.length}`);
  const ranged = parts.map((p) => {
    const [from, to] = segmentRange(p.segment);
    if (!(to > from)) throw new UsageError(`${p.source}: segment: expected a k6 execution segment such as 0:1/2, got "${p.segment}"`);
    return { ...p, from, to };
  }).sort((a, b) => a.from - b.from || a.to - b.to);
  const sequences = [...new Set(parts.map((p) => p.sequence ?? ''))];
  if (sequences.length > 1) throw new UsageError(`${parts.find((p) => (p.sequence ?? '') !== (parts[0].sequence ?? ''))!.source}: segment sequence "${sequences[1] || 'none'}" differs from ${parts[0].source}'s "${sequences[0] || 'none'}": the segments were cut differently`);
  let at = 0;
  let prev: (typeof ranged)[number] | undefined;
  for (const p of ranged) {
    if (p.from < at - EPS) throw new UsageError(`${p.source}: segment ${p.segment} overlaps ${prev!.segment} of ${prev!.source}: each part of the plan must be run once`);
    if (p.from > at + EPS) throw new UsageError(`segments missing: nothing covers ${fraction(at)}:${fraction(p.from)} of the plan (have ${ranged.map((x) => x.segment).join(', ')})`);
    at = p.to;
    prev = p;
  }
  if (at < 1 - EPS) throw new UsageError(`segments missing: nothing covers ${fraction(at)}:1 of the plan (have ${ranged.map((x) => x.segment).join(', ')})`);
}

/** 0.5 → 1/2, 0.333… → 1/3 (small denominators), else a decimal. */
function fraction(x: number): string {
  if (Math.abs(x) < EPS) return '0';
  for (let d = 2; d <= 64; d++) {
    const n = Math.round(x * d);
    if (Math.abs(n / d - x) < EPS) return `${n}/${d}`;
  }
  return String(Number(x.toFixed(6)));
}

/** The first top-level key where two JSON values differ (for "different plans" messages), or null. */
export function firstDifference(a: unknown, b: unknown, path = ''): string | null {
  if (JSON.stringify(a) === JSON.stringify(b)) return null;
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
      const d = firstDifference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], path ? `${path}.${k}` : k);
      if (d) return d;
    }
  }
  return path || '(the whole value)';
}

export interface Window {
  source: string;
  startedAt?: string;
  endedAt?: string;
}

/**
 * How much of the shortest generator's run all of them spent running together (1 = fully side by
 * side); null when a generator did not say when it ran.
 */
export function overlapShare(ws: Window[]): number | null {
  if (ws.some((w) => !w.startedAt || !w.endedAt)) return null;
  const starts = ws.map((w) => Date.parse(w.startedAt!));
  const ends = ws.map((w) => Date.parse(w.endedAt!));
  const shortest = Math.min(...ws.map((_, i) => ends[i] - starts[i]));
  if (!(shortest > 0)) return null;
  return Math.max(0, Math.min(...ends) - Math.max(...starts)) / shortest;
}

/** How the generators' k6 processes ended, as one: any interrupt or cap counts, the worst exit code wins. */
export function combineExits(exits: K6Exit[]): K6Exit {
  const bad = exits.find((e) => ![0, 99].includes(e.code ?? -1));
  return {
    code: bad ? bad.code : exits.some((e) => e.code === 99) ? 99 : 0,
    killedByCap: exits.some((e) => e.killedByCap),
    interrupted: exits.some((e) => e.interrupted),
  };
}

/** What the server answered to failed requests, summed over the generators, most frequent first. */
export function combineRejected(lists: RejectedAnswer[][]): RejectedAnswer[] {
  const m = new Map<string, RejectedAnswer>();
  for (const r of lists.flat()) {
    const key = `${r.kind} ${r.status} ${r.nature}`;
    const c = m.get(key);
    if (c) {
      c.count += r.count;
      if (r.workers?.length) c.workers = [...new Set([...(c.workers ?? []), ...r.workers])].sort();
    } else m.set(key, { ...r });
  }
  return [...m.values()].sort((a, b) => b.count - a.count);
}

/**
 * The generators' heartbeat samples on one clock (seconds since the first started): counts summed
 * from each generator's latest sample, the mean latency weighted by each one's new requests. The
 * p95 so far cannot be summed and is left out (the merged report's percentiles are the merged ones).
 */
export function combineTimelines(parts: { startedAt?: string; timeline?: RunSample[] }[]): RunSample[] {
  const live = parts.filter((p) => p.startedAt && p.timeline?.length);
  if (!live.length) return [];
  const t0 = Math.min(...live.map((p) => Date.parse(p.startedAt!)));
  const shifted = live.map((p) => p.timeline!.map((s) => ({ ...s, t: s.t + (Date.parse(p.startedAt!) - t0) / 1000 })));
  const times = [...new Set(shifted.flat().map((s) => Number(s.t.toFixed(1))))].sort((a, b) => a - b);
  const zero: RunSample = { t: 0, forms: 0, requests: 0, errors: 0, checks: 0, throttled: 0, meanMs: null, p95Ms: null };
  const before = shifted.map(() => zero);
  return times.map((t) => {
    const now = shifted.map((ss) => [...ss].reverse().find((s) => s.t <= t + 0.05) ?? zero);
    let weight = 0;
    let weighted = 0;
    now.forEach((s, i) => {
      const n = s.requests - before[i].requests;
      if (n > 0 && s.meanMs !== null) {
        weight += n;
        weighted += n * s.meanMs;
      }
    });
    const add = (k: 'forms' | 'requests' | 'errors' | 'checks' | 'throttled') => now.reduce((a, s) => a + s[k], 0);
    now.forEach((s, i) => (before[i] = s));
    return { t, forms: add('forms'), requests: add('requests'), errors: add('errors'), checks: add('checks'), throttled: add('throttled'), meanMs: weight ? Number((weighted / weight).toFixed(1)) : null, p95Ms: null };
  });
}
