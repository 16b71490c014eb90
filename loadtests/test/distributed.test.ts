// Load past one machine (issue 13, the parts done): a script k6-operator's initializer can
// inspect with no credentials, each segment its own workers, a TestRun that can start (VUs per
// runner, pinned image, unique name, separate, --yes), and calibrate refusing one segment.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadSizingConfig, EXAMPLE_CONFIG } from '../../sizing/index.ts';
import { bundleScenarios } from '../bundle.ts';
import { calibrate } from '../calibrate.ts';
import { segmentRange, workersOfSegment } from '../contract.ts';
import { defaultTestRunName, k8sManifest, RUNNER_IMAGE } from '../k8s.ts';
import { resolveK6, TESTED_K6_VERSION } from '../k6bin.ts';
import { prepareRun } from '../prepare.ts';
import type { LoadRunRecord } from '../record.ts';
import { runCli } from '../../common/test/run-cli.ts';
import { throwsUsage as usage } from './throws-usage.ts';

const dir = mkdtempSync(join(tmpdir(), 'ccready-distributed-'));
const target = { url: 'http://127.0.0.1:8000', domain: 'demo' };


test('k6 inspect and archive succeed with the config but no credentials at all (the operator initializer\'s view)', async () => {
  const script = await bundleScenarios(join(dir, 'k6'));
  const config = join(dir, 'k6-config.json');
  writeFileSync(config, JSON.stringify(prepareRun({ runId: 'r1', target, workers: 2 }).config));
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: dir, K6_NO_USAGE_REPORT: 'true' };
  const k6 = resolveK6().path;
  for (const args of [['inspect', '-e', `CCREADY_CONFIG=${config}`, script], ['archive', '-e', `CCREADY_CONFIG=${config}`, '-O', join(dir, 'a.tar'), script]]) {
    const r = spawnSync(k6, args, { env, encoding: 'utf8', cwd: dir, timeout: 60000 });
    assert.is(r.status, 0, `k6 ${args[0]}: ${r.stdout}${r.stderr}`);
  }
  // …and a run without any worker stops in setup with the reason, not at init
  const run = spawnSync(k6, ['run', '--quiet', '--no-usage-report', '-e', `CCREADY_CONFIG=${config}`, script], { env, encoding: 'utf8', cwd: dir, timeout: 60000 });
  assert.not.equal(run.status, 0);
  assert.match(run.stdout + run.stderr, /no mobile worker: set CCREADY_USERS_FILE or CCHQ_USERNAME\/CCHQ_PASSWORD/);
});

test('each execution segment takes its own slice of the workers', () => {
  const w = ['a', 'b', 'c', 'd', 'e', 'f'];
  assert.equal(workersOfSegment(w, '0:1/2'), ['a', 'b', 'c']);
  assert.equal(workersOfSegment(w, '1/2:1'), ['d', 'e', 'f']);
  assert.equal(workersOfSegment(w, '1/3:2/3'), ['c', 'd']);
  assert.equal(workersOfSegment(w, null), w);
  assert.equal(workersOfSegment(['only'], '1/2:1'), ['only']);
  assert.equal(segmentRange('50%:100%'), [0.5, 1]);
});

test('TestRun: VUs per runner checked, runner image pinned, unique default name, separate on request', () => {
  const { config } = prepareRun({ runId: '20261130T090000Z-abc123', target, workers: 1, scenario: 'mobile-day' });
  // mobile-day smoke with one worker runs one VU: two runners cannot both get one
  usage(() => k8sManifest({ name: 'x', parallelism: 2, script: '//', config, secret: 's' }), /^--parallelism: 2 runners but the plan runs at most 1 virtual users/);
  const two = prepareRun({ runId: '20261130T090000Z-abc123', target, workers: 2, scenario: 'mobile-day' }).config;
  const docs = k8sManifest({ name: 'x', parallelism: 2, script: '//', config: two, secret: 's', separate: true }).split(/^---$/m).map((d) => parse(d)).filter(Boolean);
  const testRun = docs.find((d) => d.kind === 'TestRun');
  assert.is(testRun.spec.separate, true);
  assert.is(testRun.spec.runner.image, RUNNER_IMAGE);
  assert.is(RUNNER_IMAGE, `grafana/k6:${TESTED_K6_VERSION}`);
  assert.is(defaultTestRunName('20261130T090000Z-abc123'), 'ccready-20261130t090000z-abc123');
  assert.not.equal(defaultTestRunName('20261130T090000Z-abc123'), defaultTestRunName('20261130T090001Z-def456'));
});

test('load k8s: a non-loopback target needs --yes, as load run', async () => {
  const r = await runCli(['load', 'k8s', '--target', 'https://hq.example.org', '--domain', 'd', '--out', join(dir, 't.yaml')]);
  assert.is(r.code, 2);
  assert.match(r.stderr, /^ccready: --target: https:\/\/hq\.example\.org is not a loopback address; .*--yes/);
  const ok = await runCli(['load', 'k8s', '--target', 'https://hq.example.org', '--domain', 'd', '--yes', '--out', join(dir, 't.yaml')]);
  assert.is(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /TestRun ccready-\d{8}t\d{6}z-[0-9a-f]{6} with parallelism 2/);
});

test('calibrate refuses one execution segment of a split run', () => {
  const run = { runId: 'r', profile: 'peak', segment: { segment: '0:1/2', share: 0.5 }, summary: { thresholdsOk: true, requestRate: 10, iterations: 10, requests: 10 } } as unknown as LoadRunRecord;
  usage(() => calibrate({ run, config: loadSizingConfig(EXAMPLE_CONFIG), reportDir: 'rep' }), /^rep: segment: this run was execution segment 0:1\/2 \(50\.0% of the plan\): its rate is its share only/);
});

test.run();
