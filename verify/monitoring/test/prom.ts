// Real Prometheus and node_exporter (Debian's `prometheus` and `prometheus-node-exporter`, installed
// by scripts/setup.mjs) started by the tests on loopback ports, each bounded in time and stopped in
// `finally`. The service indicators come from node_exporter's own textfile collector, so every
// series Prometheus holds was scraped for real.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const PROMETHEUS_BIN = process.env.PROMETHEUS_BIN ?? 'prometheus';
export const NODE_EXPORTER_BIN = process.env.NODE_EXPORTER_BIN ?? 'prometheus-node-exporter';

export function installed(bin: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' }).status === 0;
}

/** A free loopback port (bound and released: the process started next takes it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function waitFor(url: string, what: string, child: ChildProcess, log: () => string, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`${what} exited with ${child.exitCode}: ${log().slice(-400)}`);
    try {
      if ((await fetch(url, { signal: AbortSignal.timeout(1000) })).ok) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} not up within ${timeoutMs} ms: ${log().slice(-400)}`);
}

export interface Proc {
  url: string;
  port: number;
  stop(): Promise<void>;
}

function start(bin: string, args: string[], url: string, what: string, port: number): Promise<Proc> {
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out = (out + d).slice(-4000)));
  child.stderr!.on('data', (d) => (out = (out + d).slice(-4000)));
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
      child.once('exit', () => {
        clearTimeout(killer);
        resolve();
      });
      child.kill('SIGTERM');
    });
  return waitFor(`${url}${what === 'prometheus' ? '/-/ready' : '/metrics'}`, what, child, () => out).then(
    () => ({ url, port, stop }),
    async (e) => {
      await stop();
      throw e;
    },
  );
}

/** The service indicators a CommCare box would expose, as a node_exporter textfile. */
export const INDICATORS = [
  'probe_success{target="serverup"} 1',
  'pg_up 1',
  'redis_up 1',
  'elasticsearch_cluster_health_status{color="green"} 1',
  'rabbitmq_up 1',
  'commcare_celery_heartbeat_blockage_duration{celery_queue="celery"} 0',
  'kafka_consumergroup_lag{consumergroup="pillows",topic="form"} 0',
  'commcare_change_feed_change_lag{pillow_name="xform-pillow"} 1',
].join('\n') + '\n';

export async function startNodeExporter(o: { textfile?: string } = {}): Promise<Proc> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'ccready-textfile-'));
  if (o.textfile) writeFileSync(join(dir, 'ccready.prom'), o.textfile);
  return start(NODE_EXPORTER_BIN, [`--web.listen-address=127.0.0.1:${port}`, `--collector.textfile.directory=${dir}`], `http://127.0.0.1:${port}`, 'node_exporter', port);
}

export interface PromSetup {
  /** host:port of each node_exporter to scrape (job "node") */
  nodes: string[];
  /** alerting rules YAML (omitted: no rule file at all) */
  rules?: string;
  /** keep the data between two starts (for a restart) */
  dataDir?: string;
  port?: number;
}

export async function startPrometheus(s: PromSetup): Promise<Proc & { dataDir: string }> {
  const port = s.port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), 'ccready-prom-'));
  const dataDir = s.dataDir ?? join(dir, 'data');
  mkdirSync(dataDir, { recursive: true });
  const config = [
    'global: { scrape_interval: 1s, scrape_timeout: 900ms, evaluation_interval: 1s }',
    ...(s.rules !== undefined ? [`rule_files: ["${join(dir, 'rules.yml')}"]`] : []),
    ...(s.nodes.length ? ['scrape_configs:', '  - job_name: node', `    static_configs: [{ targets: [${s.nodes.map((n) => `"${n}"`).join(', ')}] }]`] : []),
  ].join('\n');
  writeFileSync(join(dir, 'prometheus.yml'), config + '\n');
  if (s.rules !== undefined) writeFileSync(join(dir, 'rules.yml'), s.rules);
  const p = await start(PROMETHEUS_BIN, [
    `--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${dataDir}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn',
  ], `http://127.0.0.1:${port}`, 'prometheus', port);
  return { ...p, dataDir };
}

/** Waits until Prometheus has scraped `metric` (bounded). */
export async function waitForSeries(prom: string, metric: string, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const r = (await (await fetch(`${prom}/api/v1/query?query=${encodeURIComponent(metric)}`)).json()) as { data: { result: unknown[] } };
    if (r.data.result.length) return;
    await new Promise((res) => setTimeout(res, 250));
  }
  throw new Error(`${metric} not scraped within ${timeoutMs} ms`);
}

/** Waits until a rule file's groups are loaded (bounded). */
export async function waitForRules(prom: string, count: number, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const r = (await (await fetch(`${prom}/api/v1/rules?type=alert`)).json()) as { data: { groups: { rules: unknown[] }[] } };
    if (r.data.groups.flatMap((g) => g.rules).length >= count) return;
    await new Promise((res) => setTimeout(res, 250));
  }
  throw new Error(`${count} alert rules not loaded within ${timeoutMs} ms`);
}

export const RULES = {
  disk: '      - alert: DataDiskAbove80\n        expr: 1 - node_filesystem_avail_bytes{mountpoint="/"} / node_filesystem_size_bytes{mountpoint="/"} > 0.8\n        for: 5m\n',
  ram: '      - alert: RamAbove90\n        expr: 1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes > 0.9\n        for: 5m\n',
  cpu: '      - alert: CpuAbove80\n        expr: 1 - avg(rate(node_cpu_seconds_total{mode="idle"}[5m])) > 0.8\n        for: 15m\n',
};

export function rulesFile(which: (keyof typeof RULES)[]): string {
  return `groups:\n  - name: ccready-test\n    rules:\n${which.map((k) => RULES[k]).join('')}`;
}
