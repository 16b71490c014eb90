// k6's live numbers during a run, for the heartbeat and the report's charts over time: k6's own
// REST API (`k6 run --address`, GET /v1/metrics) polled every few seconds. It costs k6 one JSON
// answer per poll (about 15 ms of curl round trip measured here), nothing per request, unlike
// `--out json`, which writes every sample. The parsing and the arithmetic are pure.
import { createServer } from 'node:net';
import type { RunSample } from './record.ts';

type MetricSample = Record<string, number>;

/** The fields of /v1/metrics ccready reads, by metric name. */
export function parseLiveMetrics(body: unknown): Map<string, MetricSample> {
  const out = new Map<string, MetricSample>();
  const data = (body as { data?: { id?: string; attributes?: { sample?: MetricSample } }[] })?.data;
  if (!Array.isArray(data)) return out;
  for (const m of data) if (m?.id && m.attributes?.sample) out.set(m.id, m.attributes.sample);
  return out;
}

/** One heartbeat sample from a metrics snapshot and the previous sample (for the interval's mean). */
export function toSample(t: number, m: Map<string, MetricSample>, kind: 'submission' | 'restore', prev?: RunSample & { n: number; sum: number }): RunSample & { n: number; sum: number } {
  const count = (id: string) => m.get(id)?.count ?? 0;
  const forms = count('ccready_forms_acked');
  const rejected = count('ccready_forms_rejected');
  const restores = count('ccready_restores_full') + count('ccready_restores_incremental');
  const restoreFailed = count('ccready_restores_failed');
  const throttled = count('ccready_throttled');
  const checks = forms + rejected + restores + restoreFailed;
  const errors = rejected + restoreFailed;
  // Requests of the scenario's kind so far: one per submission, one per sync (412 retries aside).
  const n = kind === 'submission' ? forms + rejected + throttled : restores + restoreFailed;
  const lat = m.get(`http_req_duration{kind:${kind}}`);
  const sum = lat?.avg !== undefined ? lat.avg * n : prev?.sum ?? 0;
  const dn = n - (prev?.n ?? 0);
  return {
    t: Number(t.toFixed(1)),
    forms,
    requests: count('http_reqs'),
    errors,
    checks,
    throttled,
    meanMs: dn > 0 ? Number(((sum - (prev?.sum ?? 0)) / dn).toFixed(1)) : null,
    p95Ms: lat?.['p(95)'] !== undefined ? Number(lat['p(95)'].toFixed(1)) : null,
    n,
    sum,
  };
}

export interface Heartbeat {
  elapsedS: number;
  plannedS: number;
  forms: number;
  /** forms per second over the last interval */
  rate: number;
  errorRate: number | null;
  p95Ms: number | null;
  throttled: number;
}

export function heartbeat(s: RunSample, prev: RunSample | undefined, plannedS: number): Heartbeat {
  const dt = s.t - (prev?.t ?? 0);
  return {
    elapsedS: s.t,
    plannedS,
    forms: s.forms,
    rate: dt > 0 ? Number(((s.forms - (prev?.forms ?? 0)) / dt).toFixed(2)) : 0,
    errorRate: s.checks > 0 ? s.errors / s.checks : null,
    p95Ms: s.p95Ms,
    throttled: s.throttled,
  };
}

/** `42/600 s: 410 forms acknowledged, 9.8/s, errors 0.00%, p95 38 ms` */
export function heartbeatLine(h: Heartbeat): string {
  return `${Math.round(h.elapsedS)}/${Math.round(h.plannedS)} s: ${h.forms} forms acknowledged, ${h.rate}/s, ` +
    `errors ${h.errorRate === null ? '—' : `${(h.errorRate * 100).toFixed(2)}%`}, p95 ${h.p95Ms === null ? '—' : `${Math.round(h.p95Ms)} ms`}` +
    (h.throttled ? `, throttled ${h.throttled}` : '');
}

/** A free loopback port for k6's REST API (k6 cannot report the one it picks for :0). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Polls k6's REST API until stopped; every answer becomes a sample. Errors (k6 not up yet) are skipped. */
export function pollLive(o: { port: number; everyMs: number; kind: 'submission' | 'restore'; onSample: (s: RunSample) => void }): () => void {
  const started = Date.now();
  let prev: (RunSample & { n: number; sum: number }) | undefined;
  let busy = false;
  const tick = async () => {
    if (busy) return;
    busy = true;
    try {
      const res = await fetch(`http://127.0.0.1:${o.port}/v1/metrics`, { signal: AbortSignal.timeout(Math.max(1000, o.everyMs)) });
      if (res.ok) {
        const s = toSample((Date.now() - started) / 1000, parseLiveMetrics(await res.json()), o.kind, prev);
        prev = s;
        const { n: _n, sum: _s, ...sample } = s;
        o.onSample(sample);
      } else await res.arrayBuffer();
    } catch {
      /* k6 still starting or already gone */
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(tick, o.everyMs);
  return () => clearInterval(timer);
}
