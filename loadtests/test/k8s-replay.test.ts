// The k6-operator's run of the TestRun `load k8s` emits, replayed without a cluster, step by step
// as k6-operator v1.6.0 builds it (fixtures/k6-operator/README.md):
//  - initializer (pkg/resources/jobs/initializer.go): `k6 archive` then `k6 inspect
//    --execution-requirements`, with only spec.initializer.env (no Secret), failing on an error log;
//  - runners (runner.go): `k6 run --quiet <segment fragments> <spec.arguments split on spaces>
//    /test/<file> --address=… --paused --tag instance_id=N --tag testrun_name=NAME`, with
//    spec.runner.env (+ the downward-API label and kubelet's $(VAR) expansion) and the Secret;
//    the fragments as pkg/segmentation/segmentation.go builds them for parallelism 2;
//  - starter (containers/curl_start.go): PATCH /v1/status {"data":{"attributes":{"paused":false},…}}
//    to every runner.
// The mounts are emulated by mapping /test (the ConfigMap) and /results (the runner's sub-folder of
// the claim, made as kubelet makes a subPathExpr) to folders; the REST address is 127.0.0.1 (tests
// send traffic to loopback only). Then `load k8s collect` gathers the claim through a stand-in
// kubectl (fake-kubectl.mjs) and merges: PASS on a healthy stand-in; with --drop-forms 0.1 the
// merged audit names the forms lost and exits 1.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { startSim } from '../../fixtures/hq-sim/index.ts';
import { runCli, REPO } from '../../common/test/run-cli.ts';
import { parseAckLog } from '../audit.ts';
import { freePort } from '../live.ts';
import { resolveK6 } from '../k6bin.ts';

const dir = mkdtempSync(join(tmpdir(), 'ccready-k8s-replay-'));
const bin = join(dir, 'bin');
mkdirSync(bin);
symlinkSync(resolveK6().path, join(bin, 'k6'));
const fakeKubectl = join(bin, 'kubectl');
writeFileSync(fakeKubectl, `#!/bin/sh\nexec "${process.execPath}" "${join(REPO, 'loadtests/test/fake-kubectl.mjs')}" "$@"\n`);
chmodSync(fakeKubectl, 0o755);
const PATH = `${bin}:${process.env.PATH}`;

/** kubelet's $(VAR) expansion of a command or env value, from the variables defined before it. */
const expand = (s: string, vars: Record<string, string>) => s.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m, v) => vars[v] ?? m);

interface Replayed {
  name: string;
  kube: string;
  envFile: string;
  acked: string[][];
}

async function replayOperator(sim: Awaited<ReturnType<typeof startSim>>, tag: string, parallelism = 2): Promise<Replayed> {
  const work = join(dir, tag);
  mkdirSync(work);
  const envFile = join(work, 'sim.env');
  writeFileSync(envFile, Object.entries(sim.env()).map(([k, v]) => `${k}=${v}`).join('\n') + '\n', { mode: 0o600 });
  const manifest = join(work, 'testrun.yaml');
  const emitted = await runCli(['load', 'k8s', '--target-env', envFile, '--parallelism', String(parallelism), '--secret', 'ccready-creds', '--out', manifest]);
  assert.is(emitted.code, 0, emitted.stderr);
  const docs = readFileSync(manifest, 'utf8').split(/^---$/m).map((d) => parse(d)).filter(Boolean);
  const configMap = docs.find((d) => d.kind === 'ConfigMap');
  const testRun = docs.find((d) => d.kind === 'TestRun');
  const name: string = testRun.metadata.name;
  const spec = testRun.spec;
  const file: string = spec.script.configMap.file;
  const argv: string[] = spec.arguments.split(/\s+/).filter(Boolean); // TestRunSpec.Argv: strings.Fields
  const kube = join(work, 'cluster');
  const put = (kind: string, obj: Record<string, unknown>) => {
    mkdirSync(join(kube, 'objects', 'default', kind), { recursive: true });
    writeFileSync(join(kube, 'objects', 'default', kind, `${(obj.metadata as { name: string }).name}.json`), JSON.stringify(obj));
  };
  put('configmap', configMap);
  put('testrun', { ...testRun, status: { stage: 'created' } });
  // The ConfigMap as its volume shows it at /test: one file per key.
  const mountTest = (root: string, results?: string) => {
    mkdirSync(root, { recursive: true });
    for (const [k, v] of Object.entries(configMap.data as Record<string, string>)) writeFileSync(join(root, k), results ? v.replaceAll('/results/', `${results}/`) : v);
    return root;
  };
  const toTest = (s: string, root: string) => s.replaceAll('/test/', `${root}/`);

  // Initializer: only spec.initializer.env reaches k6 (the operator's note: not .envFrom).
  const initDir = mountTest(join(work, 'initializer-test'));
  const initEnv: Record<string, string> = { PATH, HOME: work };
  for (const e of spec.initializer.env) initEnv[e.name] = e.value;
  const archive = join(work, `${file}.archived.tar`);
  const archiveCmd = ['archive', `${initDir}/${file}`, ...spec.initializer.env.flatMap((e: { name: string }) => ['-e', `${e.name}=${initEnv[e.name]}`]), '-O', archive, ...argv.map((a) => toTest(a, initDir))];
  for (const args of [archiveCmd, ['inspect', '--execution-requirements', archive]]) {
    const r = spawnSync('k6', args, { env: initEnv, encoding: 'utf8', cwd: work, timeout: 60000 });
    assert.is(r.status, 0, `initializer: k6 ${args[0]}: ${r.stderr}`);
    assert.not.match(r.stderr, /level.*error/, `initializer: k6 ${args[0]} logged an error: ${r.stderr}`);
    if (args[0] === 'inspect') assert.ok(JSON.parse(r.stdout), 'inspect prints JSON');
  }
  put('testrun', { ...testRun, status: { stage: 'initialized' } });

  // The Secret the walk-through creates: the stand-in's workers, each runner takes its slice.
  const workers = sim.users.filter((u) => u.domain === sim.domain).map((u) => ({ username: u.username, password: u.password }));
  const secret = { CCREADY_USERS_JSON: JSON.stringify(workers) };
  // runner.go adds the fragments only when parallelism > 1
  const fragments = parallelism === 1 ? [[]] : [['--execution-segment=0:1/2', '--execution-segment-sequence=0,1/2,1'], ['--execution-segment=1/2:1', '--execution-segment-sequence=0,1/2,1']];
  const runners = [];
  for (let n = 1; n <= spec.parallelism; n++) {
    const job = `${name}-${n}`;
    const pod = `${job}-x${n}q7z`;
    const env: Record<string, string> = { PATH, HOME: work, ...secret };
    for (const e of spec.runner.env) {
      if (e.valueFrom) {
        assert.is(e.valueFrom.fieldRef.fieldPath, "metadata.labels['job-name']");
        env[e.name] = job; // the Job controller's label on the pod
      } else env[e.name] = expand(e.value, env);
    }
    const mount = spec.runner.volumeMounts[0];
    const claim = spec.runner.volumes.find((v: { name: string }) => v.name === mount.name).persistentVolumeClaim.claimName;
    const results = join(kube, 'volumes', claim, expand(mount.subPathExpr, env));
    mkdirSync(results, { recursive: true }); // kubelet makes the subPathExpr folder
    for (const k of Object.keys(env)) env[k] = env[k].replaceAll(`${mount.mountPath}/`, `${results}/`);
    const testDir = mountTest(join(work, `${job}-test`), results);
    const port = await freePort();
    const command = ['run', '--quiet', ...fragments[n - 1], ...argv.map((a) => toTest(a, testDir)), `${testDir}/${file}`, `--address=127.0.0.1:${port}`, '--paused', '--tag', `instance_id=${n}`, '--tag', `testrun_name=${name}`];
    const child = spawn('k6', command, { env, cwd: work, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const startedAt = new Date().toISOString();
    const done = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? 137)));
    const killer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    runners.push({ n, job, pod, port, done, startedAt, log: () => out, results, killer });
  }
  // Starter: once every runner's REST API answers, un-pause them all.
  for (const r of runners) {
    for (let i = 0; ; i++) {
      const ok = await fetch(`http://127.0.0.1:${r.port}/v1/status`).then((x) => x.ok, () => false);
      if (ok) break;
      assert.ok(i < 300, `runner ${r.job} never answered on its REST port: ${r.log()}`);
      await new Promise((res) => setTimeout(res, 100));
    }
  }
  put('testrun', { ...testRun, status: { stage: 'started' } });
  for (const r of runners) {
    const res = await fetch(`http://127.0.0.1:${r.port}/v1/status`, { method: 'PATCH', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ data: { attributes: { paused: false, stopped: false }, id: 'default', type: 'status' } }) });
    assert.is(res.status, 200, `starter: PATCH ${r.job}`);
  }
  const acked: string[][] = [];
  for (const r of runners) {
    const code = await r.done;
    clearTimeout(r.killer);
    const term = { exitCode: code, startedAt: r.startedAt, finishedAt: new Date().toISOString() };
    put('pod', {
      apiVersion: 'v1', kind: 'Pod',
      metadata: { name: r.pod, labels: { app: 'k6', k6_cr: name, runner: 'true', 'job-name': r.job } },
      status: { phase: code === 0 ? 'Succeeded' : 'Failed', containerStatuses: [{ name: 'k6', state: { terminated: term } }] },
    });
    mkdirSync(join(kube, 'logs', r.pod), { recursive: true });
    writeFileSync(join(kube, 'logs', r.pod, '0.log'), r.log());
    // the runner's console lines (the acks) and k6's errors, each in its file on the claim
    assert.ok(existsSync(join(r.results, 'k6-errors.log')), `runner ${r.job}: no k6-errors.log`);
    acked.push(parseAckLog(readFileSync(join(r.results, 'k6-console.log'), 'utf8')).map((a) => a.formId));
  }
  // The operator says finished once every runner Job is done, whatever their exit codes.
  put('testrun', { ...testRun, status: { stage: 'finished' } });
  return { name, kube, envFile, acked };
}

async function collect(r: Replayed, out: string) {
  process.env.FAKE_KUBE_DIR = r.kube;
  return runCli(['load', 'k8s', 'collect', '--name', r.name, '--kubectl', fakeKubectl, '--target-env', r.envFile, '--out', out, '--audit-timeout', '30'], { timeoutMs: 180_000 });
}

test('replayed operator run of the emitted TestRun: initializer without credentials, two runners, starter; collect merges to one PASS', async () => {
  const sim = await startSim({ users: 4, casesPerUser: 2, pillowDelayMs: 50 });
  try {
    const r = await replayOperator(sim, 'healthy');
    assert.ok(r.acked[0].length > 0 && r.acked[1].length > 0, `both runners acknowledged forms: ${r.acked.map((a) => a.length)}`);
    const out = join(dir, 'healthy-report');
    const c = await collect(r, out);
    assert.is(c.code, 0, c.stdout + c.stderr);
    assert.match(c.stdout, new RegExp(`^PASS: thresholds met, ${r.acked[0].length + r.acked[1].length} forms acknowledged, lost 0`));
    const md = readFileSync(join(out, 'summary.md'), 'utf8');
    assert.match(md, /0:1\/2/);
    assert.match(md, /1\/2:1/);
    assert.match(md, /\| k6 \| 1\.8\.1 \(image\), /);
    assert.equal(readdirSync(join(out, 'pods')).sort(), [`${r.name}-1`, `${r.name}-2`]);
    // read through a reader pod on the claim (the runner pods had exited), which is deleted after
    const calls = readFileSync(join(r.kube, 'calls.log'), 'utf8');
    assert.match(calls, new RegExp(`^cp ${r.name}-collect:/results/${r.name} `, 'm'));
    assert.match(calls, new RegExp(`^delete pod ${r.name}-collect`, 'm'));
    assert.not.ok(existsSync(join(r.kube, 'objects', 'default', 'pod', `${r.name}-collect.json`)));
    assert.not.match(c.stdout + c.stderr + md, new RegExp(sim.users[0].password));
  } finally {
    await sim.stop();
  }
});

test('replayed operator run against a stand-in dropping 10 % of forms: the merged audit names them, exit 1', async () => {
  const sim = await startSim({ users: 4, casesPerUser: 2, pillowDelayMs: 50, dropForms: 0.1 });
  try {
    const r = await replayOperator(sim, 'dropping');
    const out = join(dir, 'dropping-report');
    const c = await collect(r, out);
    const dropped = sim.stats().domains[sim.domain].dropped;
    const run = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8'));
    // exactly the forms the stand-in threw away, from both runners' acknowledgements
    assert.is(run.audit.lost, dropped, c.stdout);
    const all = new Set([...r.acked[0], ...r.acked[1]]);
    for (const id of run.audit.missingFormIds) assert.ok(all.has(id), `${id} was acknowledged to a runner`);
    // 50 forms at 10 %: none dropped has odds of 0.5 %; then it is a PASS, and must say so
    if (dropped > 0) {
      assert.is(c.code, 1, c.stdout + c.stderr);
      assert.match(c.stdout, new RegExp(`^FAIL: .*lost ${dropped} \\(missing: ${run.audit.missingFormIds[0]}`));
    } else assert.is(c.code, 0, c.stdout + c.stderr);
  } finally {
    await sim.stop();
  }
});

test('a TestRun with one runner (no segment flags at all) is judged as the whole plan', async () => {
  const sim = await startSim({ users: 2, casesPerUser: 2, pillowDelayMs: 50 });
  try {
    const r = await replayOperator(sim, 'single', 1);
    const out = join(dir, 'single-report');
    const c = await collect(r, out);
    assert.is(c.code, 0, c.stdout + c.stderr);
    assert.match(c.stdout, new RegExp(`^PASS: thresholds met, ${r.acked[0].length} forms acknowledged, lost 0`));
    assert.equal(JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')).segments.map((x: { segment: string }) => x.segment), ['0:1']);
  } finally {
    await sim.stop();
  }
});

test.run();
