// Monitoring readiness, judged from what a Prometheus server holds: the host's node_exporter
// series (present and fresh), the per-service indicators the transition guide's "CommCare
// Infrastructure Metrics" list, and alert rules for the limits the sizing verdict computed. Pure:
// prometheus.ts gathers the facts, this turns them into PASS / WARN / FAIL items (StepResults, so
// the verify report writers and decision serve monitoring as they serve verify).
import type { Service, StepResult } from '../types.ts';

/** One scrape target as Prometheus reports it (/api/v1/targets). */
export interface ScrapeTarget {
  job: string;
  instance: string;
  health: 'up' | 'down' | 'unknown';
  lastError: string;
}

/** The newest sample of a metric on one instance: how old it is, by Prometheus's own clock. */
export interface SeriesAge {
  metric: string;
  instance: string;
  job: string;
  ageS: number;
}

export interface AlertRule {
  name: string;
  group: string;
  query: string;
}

export interface PromFacts {
  url: string;
  version: string;
  targets: ScrapeTarget[];
  /** metric name → newest sample per instance (absent or empty: no such series) */
  series: Record<string, SeriesAge[]>;
  alertRules: AlertRule[];
}

/** The limits `ccready size` computed, as read from verdict.json (only what the alert check needs). */
export interface SizingLimits {
  file: string;
  server: { cores: number; ram_gb: number; disk_tb: number };
  horizonEnd: string;
  storage?: { peak: number | null; peakMonth: string | null; limit: number; firstCrossed: string | null; unit: string };
  ram?: { peak: number | null; peakMonth: string | null; limit: number; firstCrossed: string | null };
}

export interface MonitoringOptions {
  /** a newest sample older than this is stale (seconds) */
  freshWithinS: number;
  limits?: SizingLimits;
}

/** The host series the guide's host indicators need, each by the node_exporter metric that carries it. */
export const HOST_SERIES: { what: string; metric: string }[] = [
  { what: 'CPU', metric: 'node_cpu_seconds_total' },
  { what: 'RAM', metric: 'node_memory_MemAvailable_bytes' },
  { what: 'disk', metric: 'node_filesystem_avail_bytes' },
  { what: 'network', metric: 'node_network_receive_bytes_total' },
];

/**
 * Per-service indicators, by the metric the usual exporter (or HQ itself) exposes. HQ's names are
 * its dotted metric names with dots as underscores (corehq/util/metrics/prometheus.py,
 * PrometheusMetrics._get_metric): the Celery queue heartbeat (corehq/celery_monitoring/heartbeat.py,
 * Heartbeat.get_and_report_blockage_duration) and pillow change lag (pillowtop/pillow/interface.py,
 * PillowBase._record_change_in_datadog).
 */
export const SERVICE_SERIES: { service: Service; what: string; metrics: string[] }[] = [
  { service: 'django', what: 'serverup probe', metrics: ['probe_success'] },
  { service: 'postgres', what: 'PostgreSQL up', metrics: ['pg_up'] },
  { service: 'redis', what: 'Redis up', metrics: ['redis_up'] },
  { service: 'elasticsearch', what: 'Elasticsearch cluster health', metrics: ['elasticsearch_cluster_health_status'] },
  { service: 'rabbitmq', what: 'RabbitMQ up', metrics: ['rabbitmq_up', 'rabbitmq_identity_info'] },
  { service: 'celery', what: 'Celery queue heartbeat', metrics: ['commcare_celery_heartbeat_blockage_duration'] },
  { service: 'kafka', what: 'Kafka consumer lag', metrics: ['kafka_consumergroup_lag'] },
  { service: 'kafka', what: 'pillow change lag', metrics: ['commcare_change_feed_change_lag'] },
];

/** Which node_exporter metrics an alert rule must watch to cover each limit. */
export const ALERT_LIMITS: { key: 'disk' | 'ram' | 'cpu'; what: string; watches: RegExp; advice: string }[] = [
  { key: 'disk', what: 'data disk', watches: /node_filesystem_(avail|free|size)_bytes/, advice: 'alert when the data disk passes 80 %' },
  { key: 'ram', what: 'RAM', watches: /node_memory_(MemAvailable|MemFree|MemTotal)_bytes/, advice: 'alert when RAM use passes 90 %' },
  { key: 'cpu', what: 'CPU', watches: /node_cpu_seconds_total|node_load(1|5|15)\b/, advice: 'alert when CPU use stays above 80 %' },
];

const step = (id: string, title: string, services: Service[], required: boolean, o: Partial<StepResult>): StepResult => ({
  id, title, services, required, status: 'pass', evidence: [], durationMs: 0, ...o,
});

const NODE_JOB = /node/i;

export function hostStep(f: PromFacts, o: MonitoringOptions): StepResult {
  const evidence: string[] = [];
  const problems: string[] = [];
  const nodeTargets = f.targets.filter((t) => NODE_JOB.test(t.job) || HOST_SERIES.some((h) => (f.series[h.metric] ?? []).some((s) => s.instance === t.instance)));
  for (const t of nodeTargets) {
    evidence.push(`target ${t.job} ${t.instance}: ${t.health}${t.lastError ? ` (${t.lastError})` : ''}`);
    if (t.health === 'down') problems.push(`node_exporter ${t.instance} (job ${t.job}) is down: ${t.lastError || 'scrape failed'}`);
  }
  for (const h of HOST_SERIES) {
    const ss = f.series[h.metric] ?? [];
    if (!ss.length) {
      problems.push(`no ${h.what} series (${h.metric})`);
      continue;
    }
    for (const s of ss) {
      evidence.push(`${h.metric} on ${s.instance}: newest sample ${s.ageS.toFixed(1)} s old`);
      if (s.ageS > o.freshWithinS) problems.push(`${h.what} series ${h.metric} on ${s.instance} is stale: newest sample ${Math.round(s.ageS)} s old (limit ${o.freshWithinS} s)`);
    }
  }
  if (!nodeTargets.length && problems.length) problems.unshift('no node_exporter target is scraped');
  const metrics = { node_targets: nodeTargets.length, node_targets_down: nodeTargets.filter((t) => t.health === 'down').length };
  return step('M2-host-series', 'Host series from node_exporter present and fresh (CPU, RAM, disk, network)', ['host'], true, problems.length
    ? { status: 'fail', reason: problems.join('; '), evidence, failedServices: ['host'], metrics }
    : { evidence, metrics });
}

export function servicesStep(f: PromFacts, o: MonitoringOptions): StepResult {
  const evidence: string[] = [];
  const absent: string[] = [];
  const stale: string[] = [];
  for (const s of SERVICE_SERIES) {
    const found = s.metrics.flatMap((m) => f.series[m] ?? []);
    if (!found.length) {
      absent.push(`${s.what} (${s.metrics.join(' or ')})`);
      continue;
    }
    const newest = Math.min(...found.map((x) => x.ageS));
    evidence.push(`${s.service}: ${s.what} on ${[...new Set(found.map((x) => x.instance))].join(', ')}, newest sample ${newest.toFixed(1)} s old`);
    if (newest > o.freshWithinS) stale.push(`${s.what} stale (${Math.round(newest)} s old)`);
  }
  if (absent.length) evidence.push(`not exposed or not scraped: ${absent.join(', ')}`);
  const warn = [...stale, ...(absent.length ? [`no series for ${absent.length} of ${SERVICE_SERIES.length} service indicators: ${absent.map((a) => a.split(' (')[0]).join(', ')}`] : [])];
  return step('M3-service-indicators', 'Per-service indicators (serverup, PostgreSQL, Redis, Elasticsearch, RabbitMQ, Celery queues, Kafka and pillow lag)', [], false,
    warn.length ? { status: 'warn', reason: warn.join('; '), evidence, metrics: { indicators_present: SERVICE_SERIES.length - absent.length } } : { evidence, metrics: { indicators_present: SERVICE_SERIES.length } });
}

const gb = (x: number) => `${Math.round(x)} GB`;

/** What the sizing says about a limit, for the alert line: when the disk fills, how much RAM the peak needs. */
function sizingSays(key: 'disk' | 'ram' | 'cpu', l: SizingLimits | undefined): string {
  if (!l) return '';
  if (key === 'disk' && l.storage) {
    const s = l.storage;
    const cap = `${l.server.disk_tb} TB`;
    return s.firstCrossed
      ? `; the sizing (${l.file}) fills the ${cap} disk in ${s.firstCrossed}`
      : `; the sizing (${l.file}) peaks at ${s.peak === null ? '?' : gb(s.peak)} of ${gb(s.limit)} by ${s.peakMonth ?? l.horizonEnd}, the disk does not fill before ${l.horizonEnd}`;
  }
  if (key === 'ram' && l.ram) {
    const r = l.ram;
    return `; the sizing (${l.file}) needs ${r.peak === null ? '?' : gb(r.peak)} of ${l.server.ram_gb} GB at peak${r.peakMonth ? ` (${r.peakMonth})` : ''}${r.firstCrossed ? `, more than the box holds from ${r.firstCrossed}` : ''}`;
  }
  return '';
}

export function alertsStep(f: PromFacts, o: MonitoringOptions): StepResult {
  const evidence = [`${f.alertRules.length} alerting rules loaded`];
  if (!o.limits) evidence.push('no --verdict: the alert lines do not quote the sizing limits');
  const missing: string[] = [];
  for (const a of ALERT_LIMITS) {
    const rules = f.alertRules.filter((r) => a.watches.test(r.query));
    if (rules.length) evidence.push(`${a.what}: ${rules.map((r) => `${r.name} (${r.query})`).join(', ')}`);
    else missing.push(`${a.advice}: missing (no alerting rule on ${a.watches.source.replace(/\\b/g, '')})${sizingSays(a.key, o.limits)}`);
  }
  return step('M4-alert-rules', 'Alert rules for the limits the sizing computed (disk, RAM, CPU)', ['host'], false,
    missing.length ? { status: 'warn', reason: missing.join('; '), evidence, metrics: { alert_rules: f.alertRules.length } } : { evidence, metrics: { alert_rules: f.alertRules.length } });
}

/** The Prometheus server itself: reachable and answering its API. */
export function prometheusStep(url: string, version: string | null, error?: string): StepResult {
  return step('M1-prometheus', `Prometheus answers (${url})`, ['host'], true, version
    ? { evidence: [`Prometheus ${version} at ${url}`] }
    : { status: 'fail', reason: `Prometheus at ${url} does not answer: ${error ?? 'no answer'}`, evidence: [] });
}

export function judgeMonitoring(f: PromFacts, o: MonitoringOptions): StepResult[] {
  return [prometheusStep(f.url, f.version), hostStep(f, o), servicesStep(f, o), alertsStep(f, o)];
}

/** The limits alert rules should cover, from a `ccready size --out` verdict.json (first set). */
export function limitsFromVerdict(raw: unknown, file: string): SizingLimits | string {
  const r = raw as { format?: string; verdicts?: { server?: SizingLimits['server']; horizon?: { end?: string }; limits?: { key: string; peak: number | null; peakMonth: string | null; limit: number; firstCrossed: string | null; unit: string }[] }[] };
  const v = r?.verdicts?.[0];
  if (r?.format !== 'ccready-verdict/1' || !v?.server || !Array.isArray(v.limits)) return 'expected verdict.json written by `ccready size --out` (format ccready-verdict/1)';
  const lim = (k: string) => v.limits!.find((l) => l.key === k);
  return { file, server: v.server, horizonEnd: v.horizon?.end ?? '', storage: lim('storage'), ram: lim('ram') };
}
