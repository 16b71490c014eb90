// `verify monitoring` against a real Prometheus scraping a real node_exporter on loopback ports:
// healthy → every item PASS; node_exporter stopped → FAIL naming it; stale series (Prometheus
// restarted without the scrape job, so the newest samples age) → FAIL; the disk alert rule
// missing → WARN naming the limit and the month the sizing says the disk fills.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runMonitoring } from '../index.ts';
import { runCli } from '../../../common/test/run-cli.ts';

const cli = (args: string[]) => runCli(args);
import { INDICATORS, NODE_EXPORTER_BIN, PROMETHEUS_BIN, installed, rulesFile, startNodeExporter, startPrometheus, waitForRules, waitForSeries, type Proc } from './prom.ts';

const work = mkdtempSync(join(tmpdir(), 'ccready-monitoring-'));
const verdictDir = join(work, 'size');


async function healthy(rules: Parameters<typeof rulesFile>[0]) {
  const ne = await startNodeExporter({ textfile: INDICATORS });
  let prom: Proc | undefined;
  try {
    prom = await startPrometheus({ nodes: [`127.0.0.1:${ne.port}`], rules: rulesFile(rules) });
    await waitForSeries(prom.url, 'node_cpu_seconds_total');
    await waitForSeries(prom.url, 'pg_up');
    await waitForRules(prom.url, rules.length);
  } catch (e) {
    await prom?.stop();
    await ne.stop();
    throw e;
  }
  return { ne, prom, stop: async () => (await prom!.stop(), await ne.stop()) };
}

const byId = (r: Awaited<ReturnType<typeof runMonitoring>>, id: string) => r.steps.find((s) => s.id === id)!;

test('setup: Prometheus and node_exporter are installed; a sizing verdict whose 0.15 TB disk fills', async () => {
  for (const b of [PROMETHEUS_BIN, NODE_EXPORTER_BIN]) assert.ok(installed(b), `${b} not found (npm run setup installs Debian's prometheus and prometheus-node-exporter)`);
  const r = await cli(['size', '--server', '8c/32GB/0.15TB', '--out', verdictDir, '--no-screenshot']);
  assert.is(r.code, 0, r.stderr);
});

test('healthy: host series fresh, every indicator present, disk/RAM/CPU alert rules → READY; CLI writes the usual reports', async () => {
  const h = await healthy(['disk', 'ram', 'cpu']);
  try {
    const r = await runMonitoring({ prometheus: h.prom.url, runId: 'm1', freshWithinS: 10, verdictFile: join(verdictDir, 'verdict.json') });
    for (const id of ['M1-prometheus', 'M2-host-series', 'M3-service-indicators', 'M4-alert-rules']) assert.is(byId(r, id).status, 'pass', `${id}: ${byId(r, id).reason}`);
    assert.is(byId(r, 'error-logging').status, 'skip');
    assert.is(r.decision.verdict, 'READY', r.decision.summary);
    assert.ok(byId(r, 'M2-host-series').evidence.some((e) => e.startsWith(`node_cpu_seconds_total on 127.0.0.1:${h.ne.port}: newest sample`)));
    const out = join(work, 'cli-healthy');
    const c = await cli(['verify', 'monitoring', '--prometheus', h.prom.url, '--verdict', join(verdictDir, 'verdict.json'), '--fresh-within', '10', '--target', 'http://127.0.0.1:8000', '--out', out]);
    assert.is(c.code, 0, c.stdout + c.stderr);
    assert.match(c.stdout, /PASS M2-host-series/);
    const json = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    assert.equal([json.kind, json.target, json.decision.verdict], ['monitoring', 'http://127.0.0.1:8000', 'READY']);
    assert.match(readFileSync(join(out, 'junit.xml'), 'utf8'), /M4-alert-rules/);
  } finally {
    await h.stop();
  }
});

test('node_exporter stopped → FAIL naming it; NOT READY (exit 1 from the CLI)', async () => {
  const h = await healthy(['disk', 'ram', 'cpu']);
  try {
    await h.ne.stop();
    // Prometheus notices at its next scrape (1 s); bounded wait for the target to go down
    const until = Date.now() + 10_000;
    let r = await runMonitoring({ prometheus: h.prom.url, runId: 'm2', freshWithinS: 10 });
    while (byId(r, 'M2-host-series').status === 'pass' && Date.now() < until) {
      await new Promise((res) => setTimeout(res, 500));
      r = await runMonitoring({ prometheus: h.prom.url, runId: 'm2', freshWithinS: 10 });
    }
    const host = byId(r, 'M2-host-series');
    assert.is(host.status, 'fail');
    assert.match(host.reason!, new RegExp(`node_exporter 127\\.0\\.0\\.1:${h.ne.port} \\(job node\\) is down: .*connection refused`));
    assert.is(r.decision.verdict, 'NOT READY');
    const c = await cli(['verify', 'monitoring', '--prometheus', h.prom.url, '--out', join(work, 'cli-down')]);
    assert.is(c.code, 1, c.stdout + c.stderr);
    assert.match(c.stdout, /FAIL M2-host-series: node_exporter 127\.0\.0\.1:\d+ \(job node\) is down/);
  } finally {
    await h.stop();
  }
});

test('stale series: Prometheus restarted without the scrape job keeps old samples → FAIL stale', async () => {
  const h = await healthy(['disk', 'ram', 'cpu']);
  let again: Proc | undefined;
  try {
    await h.prom.stop();
    again = await startPrometheus({ nodes: [], dataDir: (h.prom as Proc & { dataDir: string }).dataDir, rules: rulesFile(['disk', 'ram', 'cpu']) });
    await new Promise((res) => setTimeout(res, 3500));
    const r = await runMonitoring({ prometheus: again.url, runId: 'm3', freshWithinS: 3 });
    const host = byId(r, 'M2-host-series');
    assert.is(host.status, 'fail', JSON.stringify(host));
    assert.match(host.reason!, new RegExp(`CPU series node_cpu_seconds_total on 127\\.0\\.0\\.1:${h.ne.port} is stale: newest sample \\d+ s old \\(limit 3 s\\)`));
    assert.is(r.decision.verdict, 'NOT READY');
  } finally {
    await again?.stop();
    await h.stop();
  }
});

test('disk alert rule missing → WARN naming the limit and the month the sizing fills the disk', async () => {
  const verdict = JSON.parse(readFileSync(join(verdictDir, 'verdict.json'), 'utf8'));
  const fills = verdict.verdicts[0].limits.find((l: { key: string }) => l.key === 'storage').firstCrossed as string;
  assert.match(fills, /^\d{4}-\d{2}$/);
  const h = await healthy(['ram', 'cpu']);
  try {
    const r = await runMonitoring({ prometheus: h.prom.url, runId: 'm4', freshWithinS: 10, verdictFile: join(verdictDir, 'verdict.json') });
    const alerts = byId(r, 'M4-alert-rules');
    assert.is(alerts.status, 'warn');
    assert.match(alerts.reason!, new RegExp(`^alert when the data disk passes 80 %: missing .*fills the 0\\.15 TB disk in ${fills}$`));
    assert.is(byId(r, 'M2-host-series').status, 'pass');
    assert.is(r.decision.verdict, 'READY WITH WARNINGS');
  } finally {
    await h.stop();
  }
});

test('--sentry-dsn: a loopback receiver that accepts the event → PASS; one that refuses → FAIL; the key never shows', async () => {
  const seen: string[] = [];
  const srv = createServer((req, res) => {
    seen.push(`${req.method} ${req.url} ${req.headers['x-sentry-auth']}`);
    res.writeHead(req.url === '/api/7/store/' ? 200 : 403).end('{}');
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as { port: number }).port;
  try {
    const dead = 'http://127.0.0.1:1';
    const ok = await runMonitoring({ prometheus: dead, runId: 'm5', freshWithinS: 10, sentryDsn: `http://s3cr3tkey@127.0.0.1:${port}/7`, timeoutMs: 1000 });
    assert.is(byId(ok, 'error-logging').status, 'pass');
    assert.match(seen[0]!, /^POST \/api\/7\/store\/ Sentry sentry_version=7, sentry_client=ccready\/0\.1, sentry_key=s3cr3tkey$/);
    assert.is(byId(ok, 'M1-prometheus').status, 'fail', 'Prometheus on port 1 does not answer');
    assert.is(byId(ok, 'M2-host-series').status, 'skip');
    const bad = await runMonitoring({ prometheus: dead, runId: 'm6', freshWithinS: 10, sentryDsn: `http://s3cr3tkey@127.0.0.1:${port}/8`, timeoutMs: 1000 });
    assert.is(byId(bad, 'error-logging').status, 'fail');
    assert.not.ok(JSON.stringify([ok, bad]).includes('s3cr3tkey'), 'the DSN key must not reach the report');
  } finally {
    srv.close();
  }
});

test('bad flags are one-line errors with exit 2', async () => {
  for (const [args, re] of [
    [['--prometheus', 'prom:9090'], /^ccready: --prometheus: expected the Prometheus base URL like http:\/\/127\.0\.0\.1:9090, got "prom:9090"\n$/],
    [['--prometheus', 'http://127.0.0.1:1', '--sentry-dsn', 'nope'], /^ccready: --sentry-dsn: expected a Sentry DSN like https:\/\/KEY@sentry\.example\.org\/PROJECT_ID\n$/],
    [['--prometheus', 'http://127.0.0.1:1', '--verdict', 'missing.json'], /^ccready: missing\.json: cannot read the verdict \(ENOENT\)/],
    [['--prometheus', 'http://127.0.0.1:1', '--fresh-within', '0'], /^ccready: --fresh-within: expected seconds above 0, got 0\n$/],
  ] as [string[], RegExp][]) {
    const r = await cli(['verify', 'monitoring', ...args]);
    assert.is(r.code, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
    assert.match(r.stderr, re);
  }
});

test.run();
