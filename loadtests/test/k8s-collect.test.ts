// `load k8s collect` against a stand-in kubectl (fake-kubectl.mjs) serving a hand-made cluster:
// the operator's segments, what a TestRun that is not finished or a runner that left nothing
// gets, and kubectl's own behaviour (only the newest rotated log file, cp only from a running pod).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { REPO } from '../../common/test/run-cli.ts';
import { RunError, UsageError } from '../../common/errors.ts';
import { collectTestRun, kubectlCommand, operatorSegment, runnerPods } from '../k8s-collect.ts';
import { RUN_FILE } from '../k8s.ts';
import { checkCoverage } from '../merge-segments.ts';

const dir = mkdtempSync(join(tmpdir(), 'ccready-k8s-collect-'));
const fake = join(dir, 'kubectl');
writeFileSync(fake, `#!/bin/sh\nexec "${process.execPath}" "${join(REPO, 'loadtests/test/fake-kubectl.mjs')}" "$@"\n`);
chmodSync(fake, 0o755);

test('segments as k6-operator v1.6.0 gives them (pkg/segmentation NewCommandFragments)', () => {
  assert.equal(operatorSegment(1, 1), { segment: '0:1', sequence: '0,1' });
  assert.equal(operatorSegment(1, 2), { segment: '0:1/2', sequence: '0,1/2,1' });
  assert.equal(operatorSegment(2, 2), { segment: '1/2:1', sequence: '0,1/2,1' });
  assert.equal([1, 2, 3].map((n) => operatorSegment(n, 3).segment), ['0:1/3', '1/3:2/3', '2/3:1']);
  assert.is(operatorSegment(3, 3).sequence, '0,1/3,2/3,1');
  // a TestRun with one runner is the whole plan, and merges as one part
  checkCoverage([{ source: 'pod t-1-x', ...operatorSegment(1, 1) }]);
  assert.throws(() => checkCoverage([{ source: 'pod t-1-x', ...operatorSegment(1, 2) }]), /at least two execution segments/);
});

test('runner pods: by the job-name label, exit code and times from the k6 container', () => {
  const list = JSON.stringify({ items: [
    { metadata: { name: 't-2-abc', labels: { 'job-name': 't-2' } }, status: { phase: 'Failed', containerStatuses: [{ name: 'k6', state: { terminated: { exitCode: 99, startedAt: 'a', finishedAt: 'b' } } }] } },
    { metadata: { name: 't-initializer-x', labels: { 'job-name': 't-initializer' } }, status: { phase: 'Succeeded' } },
    { metadata: { name: 't-1-def', labels: { 'job-name': 't-1' } }, status: { phase: 'Running', containerStatuses: [{ name: 'k6', state: { running: {} } }] } },
  ] });
  assert.equal(runnerPods(list, 't'), [
    { name: 't-1-def', job: 't-1', index: 1, phase: 'Running', exitCode: null, startedAt: undefined, finishedAt: undefined },
    { name: 't-2-abc', job: 't-2', index: 2, phase: 'Failed', exitCode: 99, startedAt: 'a', finishedAt: 'b' },
  ]);
});

/** A cluster where TestRun `t` ran two runners; runner 2 left nothing on the claim. */
function cluster(stage: string): string {
  const kube = mkdtempSync(join(dir, 'kube-'));
  const put = (kind: string, obj: any) => {
    mkdirSync(join(kube, 'objects', 'default', kind), { recursive: true });
    writeFileSync(join(kube, 'objects', 'default', kind, `${obj.metadata.name}.json`), JSON.stringify(obj));
  };
  put('testrun', { metadata: { name: 't' }, spec: { parallelism: 2, script: { configMap: { name: 't-script' } }, runner: { image: 'grafana/k6:1.8.1', volumes: [{ name: 'ccready-results', persistentVolumeClaim: { claimName: 't-results' } }] } }, status: { stage } });
  put('configmap', { metadata: { name: 't-script' }, data: { 'k6-config.json': JSON.stringify({ runId: 'r1', logAcks: true, baseUrl: 'http://127.0.0.1:1', domain: 'd' }), [RUN_FILE]: JSON.stringify({ runId: 'r1' }) } });
  const pod = (n: number, code: number) => put('pod', { metadata: { name: `t-${n}-p`, labels: { k6_cr: 't', runner: 'true', 'job-name': `t-${n}` } }, status: { phase: code ? 'Failed' : 'Succeeded', containerStatuses: [{ name: 'k6', state: { terminated: { exitCode: code } } }] } });
  pod(1, 0);
  pod(2, 107);
  const r1 = join(kube, 'volumes', 't-results', 't', 't-1');
  mkdirSync(r1, { recursive: true });
  writeFileSync(join(r1, 'k6-summary.json'), JSON.stringify({ metrics: {} }));
  writeFileSync(join(r1, 'k6-log.json'), '{"level":"info","msg":"ccready-ack f1 i1 vu1","source":"console"}\n');
  mkdirSync(join(kube, 'volumes', 't-results', 't', 't-2'), { recursive: true });
  // kubelet rotated runner 2's log: the older file holds the real cause, `kubectl logs` shows the newer
  mkdirSync(join(kube, 'logs', 't-2-p'), { recursive: true });
  writeFileSync(join(kube, 'logs', 't-2-p', '0.log.20261130-101500'), 'level=error msg="GoError: no mobile worker"\n');
  writeFileSync(join(kube, 'logs', 't-2-p', '0.log.20261130-101600'), 'level=info msg="shutting down"\n');
  return kube;
}

test('a TestRun that has not finished is not collected', async () => {
  process.env.FAKE_KUBE_DIR = cluster('started');
  try {
    await collectTestRun({ name: 't', out: join(dir, 'o1'), kubectl: kubectlCommand(fake) });
    assert.unreachable();
  } catch (e) {
    assert.instance(e, UsageError);
    assert.match((e as Error).message, /^--name: TestRun t is at stage "started"; collect once it is finished/);
  }
});

test('a runner that left no summary: no merge, the runner named with its exit code and newest log line', async () => {
  const kube = cluster('finished');
  process.env.FAKE_KUBE_DIR = kube;
  try {
    await collectTestRun({ name: 't', out: join(dir, 'o2'), kubectl: kubectlCommand(fake) });
    assert.unreachable();
  } catch (e) {
    assert.instance(e, RunError);
    assert.match((e as Error).message, /^TestRun t: 1 of 2 runners left no results, so no verdict: runner t-2 \(segment 1\/2:1\) left no k6 summary: pod t-2-p Failed, exit code 107; last log line: level=info msg="shutting down"$/);
  }
  // the reader pod was made, used and deleted; the finished runner pods were never exec'd into
  const calls = readFileSync(join(kube, 'calls.log'), 'utf8');
  assert.match(calls, /^delete pod t-collect --ignore-not-found --wait=true\napply -f -\nwait --for=condition=Ready pod\/t-collect --timeout=180s\ncp t-collect:\/results\/t /m);
  assert.match(calls, /^delete pod t-collect --wait=false$/m);
  assert.match(calls, /^logs t-2-p -c k6 --tail=20$/m);
});

test('a runner whose k6 logged an error to the claim (JSON log of ccready before the split): that error is the reason given', async () => {
  const kube = cluster('error');
  writeFileSync(join(kube, 'volumes', 't-results', 't', 't-2', 'k6-log.json'), '{"level":"info","msg":"starting"}\n{"level":"error","msg":"GoError: no mobile worker: set CCREADY_USERS_FILE or CCHQ_USERNAME/CCHQ_PASSWORD","source":"console"}\n');
  process.env.FAKE_KUBE_DIR = kube;
  try {
    await collectTestRun({ name: 't', out: join(dir, 'o5'), kubectl: kubectlCommand(fake) });
    assert.unreachable();
  } catch (e) {
    assert.match((e as Error).message, /runner t-2 \(segment 1\/2:1\) left no k6 summary: pod t-2-p Failed, exit code 107; last log line: GoError: no mobile worker/);
  }
  assert.not.match(readFileSync(join(kube, 'calls.log'), 'utf8'), /^logs /m);
});

test('a runner whose k6 wrote its errors raw to the claim (k6-errors.log): the reason is the stack trace\'s first line', async () => {
  const kube = cluster('error');
  writeFileSync(join(kube, 'volumes', 't-results', 't', 't-2', 'k6-errors.log'), 'GoError: no mobile worker: set CCREADY_USERS_FILE or CCHQ_USERNAME/CCHQ_PASSWORD\n\tat default (file:///test/ccready-load.js:3:9(4))\n');
  writeFileSync(join(kube, 'volumes', 't-results', 't', 't-2', 'k6-console.log'), '');
  process.env.FAKE_KUBE_DIR = kube;
  try {
    await collectTestRun({ name: 't', out: join(dir, 'o6'), kubectl: kubectlCommand(fake) });
    assert.unreachable();
  } catch (e) {
    assert.match((e as Error).message, /left no k6 summary: pod t-2-p Failed, exit code 107; last log line: GoError: no mobile worker: set CCREADY_USERS_FILE or CCHQ_USERNAME\/CCHQ_PASSWORD$/);
  }
});

test('acknowledged forms from a runner\'s console file and from an older runner\'s JSON log alike', async () => {
  const kube = cluster('finished');
  const r2 = join(kube, 'volumes', 't-results', 't', 't-2');
  writeFileSync(join(r2, 'k6-summary.json'), JSON.stringify({ metrics: {} }));
  // a raw console file: one id when HQ's form id is the instanceID, two otherwise, a cut last line
  writeFileSync(join(r2, 'k6-console.log'), 'ccready-ack f2\nccready-reject submission 500 -\nccready-ack f3 i3\nccready-ack f4 i');
  process.env.FAKE_KUBE_DIR = kube;
  const c = await collectTestRun({ name: 't', out: join(dir, 'o7'), kubectl: kubectlCommand(fake) });
  try {
    assert.equal(c.segments.map((x) => x.acked), [[{ formId: 'f1', instanceId: 'i1' }], [{ formId: 'f2', instanceId: 'f2' }, { formId: 'f3', instanceId: 'i3' }]]);
    assert.equal(c.segments[1].rejected, [{ kind: 'submission', status: '500', nature: '-', count: 1 }]);
  } finally {
    rmSync(dirname(c.podsDir), { recursive: true, force: true });
  }
});

test('kubectl missing, answering NotFound or not JSON: one line naming the command', async () => {
  process.env.FAKE_KUBE_DIR = cluster('finished');
  for (const [kubectl, name, re] of [
    [kubectlCommand(join(dir, 'no-such-kubectl')), 't', /^kubectl get testrun: .*no-such-kubectl: not found \(install kubectl, or pass --kubectl PATH or set KUBECTL\)$/],
    [kubectlCommand(fake), 'nope', /^kubectl get testrun: Error from server \(NotFound\): testruns\.k6\.io "nope" not found$/],
    [async () => ({ code: 0, stdout: '<html>proxy login</html>', stderr: '' }), 't', /^kubectl get testrun t: expected JSON from kubectl, got "<html>proxy login<\/html>"$/],
  ] as const) {
    try {
      await collectTestRun({ name, out: join(dir, 'o3'), kubectl });
      assert.unreachable();
    } catch (e) {
      assert.instance(e, RunError);
      assert.match((e as Error).message, re);
    }
  }
});

test('the stand-in kubectl keeps kubectl\'s rules: cp only from a running pod, logs only the newest file', async () => {
  process.env.FAKE_KUBE_DIR = cluster('finished');
  const k = kubectlCommand(fake);
  const cp = await k(['cp', 't-1-p:/results/t', join(dir, 'o4')]);
  assert.is(cp.code, 1);
  assert.match(cp.stderr, /cannot exec into a container in a completed pod; current phase is Succeeded/);
  const logs = await k(['logs', 't-2-p']);
  assert.is(logs.stdout, 'level=info msg="shutting down"\n');
  // with no --kubectl, `kubectl` is looked up on PATH
  const path = process.env.PATH;
  process.env.PATH = `${dir}:${path}`;
  try {
    const got = await kubectlCommand()(['get', 'testrun', 't', '-o', 'json']);
    assert.is(JSON.parse(got.stdout).status.stage, 'finished');
  } finally {
    process.env.PATH = path;
  }
});

test.run();
