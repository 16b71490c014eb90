// The server's own numbers under load. Pure parts on /proc text; then a real peak run of the
// stand-in (its own process counts as the server, `--local --local-pid`) whose report carries CPU
// and RAM samples and a measured sharing factor that `load calibrate` proposes; the host sampler
// and the Prometheus sampler (real Prometheus + node_exporter on loopback) give real samples.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDiskstats, parseMeminfo, parsePidStat, parseProcStat, sampleBetween, startServerSampling } from '../server-sampler.ts';
import { compareWithModel, peaks, sharingProposal, type ServerNumbers } from '../server-numbers.ts';
import { startNodeExporter, startPrometheus, waitForSeries } from '../../verify/monitoring/test/prom.ts';
import { cliArgs, REPO as root, runCli } from '../../common/test/run-cli.ts';

const cli = (args: string[]) => runCli(args);

const work = mkdtempSync(join(tmpdir(), 'ccready-server-'));


test('/proc parsers: host CPU, RAM, whole-disk IO, a process with spaces in its name', () => {
  assert.equal(parseProcStat('cpu  100 5 50 800 20 3 2 10 0 0\ncpu0 1 2 3 4\n'), { busy: 160, total: 990 });
  assert.equal(parseMeminfo('MemTotal:       1000 kB\nMemFree:         100 kB\nMemAvailable:    400 kB\n'), { usedBytes: 600 * 1024, totalBytes: 1000 * 1024 });
  const disk = '   8       0 sda 10 0 2000 5 20 0 4000 7 0 0 0\n   8       1 sda1 10 0 2000 5 20 0 4000 7 0 0 0\n   7       0 loop0 1 0 99 0 1 0 99 0 0 0 0\n';
  assert.equal(parseDiskstats(disk, new Set(['sda'])), { readBytes: 2000 * 512, writeBytes: 4000 * 512 });
  assert.is(parsePidStat('42 (node (sim) x) S 1 42 42 0 -1 4194560 100 0 0 0 250 70 0 0 20 0 11 0'), 320);
  const a = { at: 0, cpuTicks: 100, cpuTotal: 1000, ramBytes: 0, readBytes: 0, writeBytes: 0, freeBytes: null };
  const host = sampleBetween(a, { ...a, at: 2000, cpuTicks: 300, cpuTotal: 1400, ramBytes: 2e9, writeBytes: 4e6 }, 0, 8, false);
  assert.equal([host.cpuCores, host.ramGb, host.diskWriteMBps, host.t], [4, 2, 2, 2], 'half of 8 cores busy, 4 MB over 2 s');
  const proc = sampleBetween({ ...a, cpuTicks: 0 }, { ...a, at: 2000, cpuTicks: 150 }, 0, 8, true);
  assert.is(proc.cpuCores, 0.75, '150 ticks of 1/100 s over 2 s');
});

test('the sharing factor: modelled cores over busy cores at the plan peak, scaled when the run was below it', () => {
  const model = { sizingFile: 'x.yml', month: '2028-12', cores: 14, ramGb: 28, assumedSharing: 2 };
  const p = peaks([{ t: 1, cpuCores: 3.5, ramGb: 20, diskReadMBps: 0, diskWriteMBps: 1, diskFreeGb: 100 }, { t: 2, cpuCores: 7, ramGb: 22.4, diskReadMBps: 2, diskWriteMBps: 0, diskFreeGb: 99 }]);
  assert.equal(p, { cpuCores: 7, ramGb: 22.4, diskReadMBps: 2, diskWriteMBps: 1, minDiskFreeGb: 99 });
  assert.equal(compareWithModel(p, model, { achieved: 10, plannedPeak: 10 }), { model, cpuAtPlanPeak: 7, loadScale: 1, measuredSharing: 2, ramRatio: 0.8 });
  assert.is(compareWithModel(p, model, { achieved: 5, plannedPeak: 10 })!.measuredSharing, 1, 'half the rate: twice the cores at the plan peak');
  assert.is(compareWithModel({ ...p, cpuCores: 0 }, model, { achieved: 5, plannedPeak: 10 }), null);
  const numbers = (measuredSharing: number) => ({ server: { lines: ['x'], peak: p, vsModel: { model, cpuAtPlanPeak: 7, loadScale: 1, measuredSharing, ramRatio: 0.8 } } as unknown as ServerNumbers, runId: 'r1' });
  assert.ok(sharingProposal(numbers(1.7)).includes('Proposed CPU sharing factor: 1.7 (was 2; measured by ccready load run r1)'));
  assert.ok(sharingProposal(numbers(40)).some((l) => /capped at 8/.test(l)));
  assert.ok(sharingProposal(numbers(0.5)).some((l) => /Proposed CPU sharing factor: 1 .*/.test(l)));
  assert.ok(sharingProposal(numbers(0.5)).some((l) => /per-service cores of the sizing are too low/.test(l)));
});

test('load run --local --local-pid <stand-in>: CPU and RAM samples and a measured sharing factor; calibrate proposes it', async () => {
  const env = join(work, 'sim.env');
  const sim = spawn(process.execPath, cliArgs(['sim', '--port', '0', '--env-file', env]), { cwd: root, stdio: 'ignore' });
  try {
    const until = Date.now() + 30_000;
    while (!existsSync(env) && Date.now() < until) await new Promise((r) => setTimeout(r, 200));
    assert.ok(existsSync(env), 'the stand-in wrote no env file within 30 s');
    const config = join(root, 'fixtures/sizing/example.yml');
    const plan = await cli(['load', 'plan', '--sizing', config, '--out', join(work, 'plan.json')]);
    assert.is(plan.code, 0, plan.stderr);
    // busier and shorter than the example's peak, so the stand-in has work to show in seconds
    const p = JSON.parse(readFileSync(join(work, 'plan.json'), 'utf8'));
    p.rates.formsPerSecond.peak = 6;
    p.durations.peakS = 8;
    writeFileSync(join(work, 'plan.json'), JSON.stringify(p));
    const out = join(work, 'run');
    const r = await cli(['load', 'run', '--env-file', env, '--plan', join(work, 'plan.json'), '--profile', 'peak', '--local', '--local-pid', String(sim.pid), '--sample-every', '1', '--max-duration', '60', '--out', out]);
    assert.is(r.code, 0, r.stdout + r.stderr);
    const run = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8'));
    const s = run.server as ServerNumbers;
    assert.is(s.source, `local pid ${sim.pid}`);
    assert.ok(s.samples.length >= 6, `${s.samples.length} samples`);
    assert.ok(s.peak.cpuCores > 0, 'the stand-in used CPU while answering');
    assert.ok(s.peak.ramGb > 0.02 && s.peak.ramGb < 4, `stand-in RSS ${s.peak.ramGb} GB`);
    const v = s.vsModel!;
    assert.ok(v, s.note);
    assert.equal([v.model.sizingFile, v.model.month, v.model.assumedSharing], [config, '2028-12', 2]);
    assert.ok(Math.abs(v.measuredSharing - v.model.cores / v.cpuAtPlanPeak) < 0.05 * v.measuredSharing);
    const md = readFileSync(join(out, 'summary.md'), 'utf8');
    assert.match(md, /## Server/);
    assert.match(md, new RegExp(`sharing factor ${v.measuredSharing} measured vs 2 assumed`));
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    assert.match(html, /<h3>Server CPU: cores busy \(local pid \d+\)<\/h3><svg[^>]*>.*<path d="M[\d.,L]+"/s);
    assert.match(html, /<h3>Server RAM in use<\/h3>/);
    assert.ok(html.indexOf('Forms acknowledged per second') < html.indexOf('Server CPU'), 'the server charts sit under the forms rate');
    assert.is(readFileSync(join(out, 'server.csv'), 'utf8').trim().split('\n').length, s.samples.length + 1);
    const c = await cli(['load', 'calibrate', '--report', out, '--sizing', config]);
    assert.is(c.code, 0, c.stderr);
    const proposed = Math.round(Math.max(1, Math.min(8, v.measuredSharing)) * 100) / 100;
    assert.match(c.stdout, new RegExp(`Proposed CPU sharing factor: ${proposed} \\(was 2; measured by ccready load run ${run.runId}\\)`));
    assert.match(c.stdout, new RegExp(`--cpu-overcommit ${proposed}`));
  } finally {
    sim.kill('SIGTERM');
  }
});

test('host sampling (--local without pids) and Prometheus sampling give real samples', async () => {
  const host = startServerSampling({ source: { kind: 'local' }, intervalS: 0.5 });
  await new Promise((r) => setTimeout(r, 1700));
  const h = await host.stop();
  assert.is(h.source, 'local host');
  assert.ok(h.samples.length >= 3);
  assert.is(h.cores, cpus().length);
  assert.ok(h.peak.ramGb > 0.1 && h.samples.every((x) => x.cpuCores >= 0 && x.cpuCores <= cpus().length + 0.01));
  assert.ok(h.peak.minDiskFreeGb !== null && h.peak.minDiskFreeGb > 0);

  const ne = await startNodeExporter();
  const prom = await startPrometheus({ nodes: [`127.0.0.1:${ne.port}`] }).catch(async (e) => (await ne.stop(), Promise.reject(e)));
  try {
    await waitForSeries(prom.url, 'node_cpu_seconds_total');
    const s = startServerSampling({ source: { kind: 'prometheus', url: prom.url }, intervalS: 1 });
    await new Promise((r) => setTimeout(r, 3500));
    const n = await s.stop();
    assert.is(n.source, `prometheus ${prom.url}`);
    assert.ok(n.samples.length >= 3, `${n.samples.length} samples`);
    assert.is(n.cores, cpus().length);
    assert.ok(n.peak.ramGb > 0.1, `RAM ${n.peak.ramGb}`);
    assert.ok(n.samples.every((x) => x.diskFreeGb !== null && x.diskFreeGb > 0));
  } finally {
    await prom.stop();
    await ne.stop();
  }
});

test('bad flags are one-line errors with exit 2', async () => {
  for (const [args, re] of [
    [['--local', '--prometheus', 'http://127.0.0.1:9090'], /^ccready: --local and --prometheus: pass one of them, not both\n$/],
    [['--local-pid', '1'], /^ccready: --local-pid: needs --local\n$/],
    [['--local', '--local-pid', '999999999'], /^ccready: --local-pid: no process 999999999 on this box\n$/],
    [['--local', '--sample-every', '0.1'], /^ccready: --sample-every: expected seconds from 0\.5 to 60, got 0\.1\n$/],
  ] as [string[], RegExp][]) {
    const r = await cli(['load', 'run', '--target', 'http://127.0.0.1:1', '--domain', 'd', ...args]);
    assert.is(r.code, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
    assert.match(r.stderr, re);
  }
});

test.run();
