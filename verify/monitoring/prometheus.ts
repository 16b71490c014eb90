// Reads what a Prometheus server holds through its HTTP API (/api/v1/...): build info, scrape
// targets, the age of the newest sample of each metric monitoring readiness needs, and the alerting
// rules. Facts only; judge.ts decides.
import { HOST_SERIES, SERVICE_SERIES, type AlertRule, type PromFacts, type ScrapeTarget, type SeriesAge } from './judge.ts';

export class PromError extends Error {}

async function api<T>(base: string, path: string, timeoutMs: number): Promise<T> {
  const url = new URL(path, base.endsWith('/') ? base : `${base}/`);
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/json' } });
  } catch (e) {
    const err = e as Error & { cause?: { code?: string } };
    throw new PromError(`${url.pathname}: ${err.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : err.cause?.code ?? err.message}`);
  }
  const text = await res.text();
  let body: { status?: string; data?: T; error?: string };
  try {
    body = JSON.parse(text);
  } catch {
    throw new PromError(`${url.pathname}: HTTP ${res.status}, not the Prometheus API (expected JSON)`);
  }
  if (!res.ok || body.status !== 'success') throw new PromError(`${url.pathname}: HTTP ${res.status} ${body.error ?? ''}`.trim());
  return body.data as T;
}

/** Prometheus's version, or a PromError saying why it does not answer. */
export async function promVersion(base: string, timeoutMs = 5000): Promise<string> {
  const d = await api<{ version: string }>(base, 'api/v1/status/buildinfo', timeoutMs);
  return d.version;
}

/** The newest sample of `metric` per instance, aged by Prometheus's own clock (no clock skew with ours). */
async function seriesAge(base: string, metric: string, timeoutMs: number): Promise<SeriesAge[]> {
  const q = `time() - max by (instance, job) (timestamp(${metric}))`;
  const d = await api<{ result: { metric: Record<string, string>; value: [number, string] }[] }>(base, `api/v1/query?query=${encodeURIComponent(q)}`, timeoutMs);
  return d.result.map((r) => ({ metric, instance: r.metric.instance ?? '', job: r.metric.job ?? '', ageS: Number(r.value[1]) }));
}

export async function gatherFacts(base: string, version: string, timeoutMs = 5000): Promise<PromFacts> {
  const metrics = [...HOST_SERIES.map((h) => h.metric), ...SERVICE_SERIES.flatMap((s) => s.metrics)];
  const [targets, ages, rules] = await Promise.all([
    api<{ activeTargets: { labels: Record<string, string>; health: ScrapeTarget['health']; lastError: string }[] }>(base, 'api/v1/targets?state=active', timeoutMs),
    Promise.all(metrics.map((m) => seriesAge(base, m, timeoutMs))),
    api<{ groups: { name: string; rules: { name: string; query: string; type: string }[] }[] }>(base, 'api/v1/rules?type=alert', timeoutMs),
  ]);
  const alertRules: AlertRule[] = rules.groups.flatMap((g) => g.rules.filter((r) => r.type === 'alerting').map((r) => ({ name: r.name, group: g.name, query: r.query })));
  return {
    url: base,
    version,
    targets: targets.activeTargets.map((t) => ({ job: t.labels.job ?? '', instance: t.labels.instance ?? '', health: t.health, lastError: t.lastError ?? '' })),
    series: Object.fromEntries(metrics.map((m, i) => [m, ages[i]!])),
    alertRules,
  };
}
