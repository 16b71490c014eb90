// `load merge` refuses what is not one split run of one plan, with one line and exit 2, before
// any audit or report; calibrate reads a merged run and still refuses one segment; a segment's
// own stress knee is judged against its share of the peak.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSizingConfig, EXAMPLE_CONFIG } from '../../sizing/index.ts';
import { runCli } from '../../common/test/run-cli.ts';
import { calibrate } from '../calibrate.ts';
import { gridStats } from '../contract.ts';
import { checkCoverage, combineExits, overlapShare } from '../merge-segments.ts';
import { mergeInputFromFolders, mergeRun } from '../merge.ts';
import { mergeK6Summaries } from '../merge-metrics.ts';
import { defaultPlan } from '../plan.ts';
import { prepareRun } from '../prepare.ts';
import type { LoadRunRecord } from '../record.ts';
import { interpretSummary, type K6SummaryData } from '../summary.ts';
import { throwsUsage as usage } from './throws-usage.ts';

const dir = mkdtempSync(join(tmpdir(), 'ccready-merge-refuse-'));
const target = { url: 'http://127.0.0.1:8000', domain: 'demo' };

function grid(values: number[]): Record<string, number> {
  const s = [...values].sort((a, b) => a - b);
  const v: Record<string, number> = { count: s.length, min: s[0], max: s[s.length - 1], avg: s.reduce((a, x) => a + x, 0) / s.length };
  for (const g of gridStats()) {
    const i = (Number(/\((.*)\)/.exec(g)![1]) / 100) * (s.length - 1);
    v[g] = s[Math.floor(i)] + (s[Math.ceil(i)] - s[Math.floor(i)]) * (i - Math.floor(i));
  }
  return { ...v, med: v['p(50)'], 'p(90)': v['p(90)'], 'p(95)': v['p(95)'], 'p(99)': v['p(99)'] };
}

/** A segment's report folder as `load run --execution-segment` writes it (no k6 needed). */
function folder(name: string, segment: string, o: { plan?: ReturnType<typeof defaultPlan>; segments?: boolean; usersSource?: string } = {}): string {
  const d = join(dir, name);
  mkdirSync(d, { recursive: true });
  const plan = o.plan ?? defaultPlan();
  const { config, shape } = prepareRun({ runId: name, target, plan, workers: 2 });
  const summary: K6SummaryData = { state: { testRunDurationMs: 5000 }, metrics: {
    'http_req_duration{kind:submission}': { type: 'trend', values: grid([10, 20, 30, 40]), thresholds: { 'p(95)<2000': { ok: true } } },
    ccready_forms_acked: { type: 'counter', values: { count: 4, rate: 0.8 } },
    http_reqs: { type: 'counter', values: { count: 4, rate: 0.8 } },
  } };
  const record = {
    runId: name, target: target.url, domain: target.domain, scenario: 'submit', profile: 'smoke', startedAt: '2026-11-30T10:00:00.000Z', endedAt: '2026-11-30T10:00:05.000Z',
    k6: { path: 'k6', version: '1.8.1', source: 'PATH' }, k6ExitCode: 0, k6End: 'finished', workers: 1, usersSource: o.usersSource ?? 'test', targetRate: shape.targetRate, plannedDurationS: shape.durationS,
    segment: { segment, share: 0.5 }, ...(o.segments ? { segments: [] } : {}), verdict: 'PASS', exitCode: 0, failures: [], completion: { planned: 25, completed: 4, dropped: 0, ratio: 0.16 },
    summary: interpretSummary(summary, { plan, profile: 'smoke', scenario: 'submit' }), audit: { checked: true, acknowledged: 0, found: 0, lost: 0, missingFormIds: [], waitedS: 0 },
    notes: [], rejected: [], timeline: [], plan,
  };
  writeFileSync(join(d, 'run.json'), JSON.stringify(record));
  writeFileSync(join(d, 'k6-config.json'), JSON.stringify(config));
  writeFileSync(join(d, 'k6-summary.json'), JSON.stringify(summary));
  writeFileSync(join(d, 'acknowledged-forms.txt'), `${name}-f1 ${name}-i1\n`);
  return d;
}

test('segments that overlap, leave a gap, or are alone are refused with one line', () => {
  const p = (source: string, segment: string, sequence?: string) => ({ source, segment, sequence });
  usage(() => checkCoverage([p('a', '0:1/2'), p('b', '1/3:1')]), /^b: segment 1\/3:1 overlaps 0:1\/2 of a: each part of the plan must be run once$/);
  usage(() => checkCoverage([p('a', '0:1/3'), p('b', '1/2:1')]), /^segments missing: nothing covers 1\/3:1\/2 of the plan \(have 0:1\/3, 1\/2:1\)$/);
  usage(() => checkCoverage([p('a', '0:1/2'), p('b', '1/2:3/4')]), /^segments missing: nothing covers 3\/4:1 of the plan/);
  usage(() => checkCoverage([p('a', '0:1/2')]), /^load merge: expected the results of at least two execution segments, got 1$/);
  usage(() => checkCoverage([p('a', '0:1/2', '0,1/2,1'), p('b', '1/2:1')]), /^b: segment sequence "none" differs from a's "0,1\/2,1"/);
  checkCoverage([p('c', '2/3:1'), p('a', '0:1/3'), p('b', '1/3:2/3')]);
  checkCoverage([p('a', '0:50%'), p('b', '50%:100%')]);
});

test('load merge CLI: different plans, overlapping, missing and non-segment folders exit 2 with one line and no report', async () => {
  const other = defaultPlan();
  other.thresholds.submission.p95Ms = 900;
  const cases: [string[], RegExp][] = [
    [[folder('p1', '0:1/2'), folder('p2', '1/2:1', { plan: other })], /^ccready: .*p2\/run\.json: plan\.thresholds\.submission\.p95Ms: differs from .*p1\/run\.json: the folders are not segments of one run of one plan$/],
    [[folder('o1', '0:1/2'), folder('o2', '1/4:1')], /^ccready: .*o2: segment 1\/4:1 overlaps 0:1\/2 of .*o1: each part of the plan must be run once$/],
    [[folder('m1', '0:1/2'), folder('m2', '1/2:3/4')], /^ccready: segments missing: nothing covers 3\/4:1 of the plan/],
    [[folder('w1', '0:1/2'), folder('w2', '1/2:1', { segments: true })], /^ccready: .*w2\/run\.json: segments: this is already a merged run/],
    [[folder('n1', '0:1/2'), join(dir, 'nowhere')], /^ccready: .*nowhere\/run\.json: cannot read it \(ENOENT\)/],
  ];
  for (const [dirs, re] of cases) {
    const out = join(dir, `out-${dirs.length}-${Math.random().toString(36).slice(2)}`);
    const r = await runCli(['load', 'merge', ...dirs, '--out', out, '--target', target.url, '--domain', target.domain]);
    assert.is(r.code, 2, r.stderr);
    assert.is(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr.trim(), re);
    assert.not.ok(existsSync(out), 'no report written');
  }
});

test('calibrate reads a merged run (the segments\' summed rate) and still refuses one segment', () => {
  const config = loadSizingConfig(EXAMPLE_CONFIG);
  const half = { runId: 'a', profile: 'peak', segment: { segment: '0:1/2', share: 0.5 }, summary: { thresholdsOk: true, requestRate: 10, iterations: 10, requests: 10 } } as unknown as LoadRunRecord;
  usage(() => calibrate({ run: half, config, reportDir: 'a' }), /^a: segment: this run was execution segment 0:1\/2 \(50\.0% of the plan\): its rate is its share only/);
  const merged = { runId: 'm', profile: 'peak', segments: [{ segment: '0:1/2', share: 0.5 }, { segment: '1/2:1', share: 0.5 }], summary: { thresholdsOk: true, requestRate: 20, iterations: 20, requests: 20 } } as unknown as LoadRunRecord;
  const c = calibrate({ run: merged, config, reportDir: 'm', workers: 4 });
  assert.is(c.sustainedRps, 20);
});

test('a segment\'s stress knee is its own rate, judged against its share of the plan peak', () => {
  const plan = defaultPlan();
  const steps = [{ step: 1, startS: 1, endS: 10, rate: 2 }, { step: 2, startS: 11, endS: 20, rate: 4 }];
  const trend = (p95: number) => ({ type: 'trend', values: { count: 20, 'p(95)': p95 } });
  const data: K6SummaryData = { metrics: {
    'http_req_duration{kind:submission,step:1}': trend(100), 'http_req_duration{kind:submission,step:2}': trend(100),
    'ccready_errors{step:1}': { type: 'rate', values: { rate: 0, passes: 0, fails: 20 } }, 'ccready_errors{step:2}': { type: 'rate', values: { rate: 0, passes: 0, fails: 20 } },
  } };
  const whole = interpretSummary(data, { plan, profile: 'stress', scenario: 'submit', stressSteps: steps });
  const half = interpretSummary(data, { plan, profile: 'stress', scenario: 'submit', stressSteps: steps, share: 0.5 });
  assert.equal(whole.knee, { step: 2, rate: 4 });
  assert.equal(half.knee, { step: 2, rate: 2 });
  assert.match(half.thresholds[0].threshold, /^>= this segment's 50% of the plan peak [\d.]+: [\d.]+$/);
});

test('merged stress steps: the knee is the whole plan\'s rate, and a step one slow segment broke is broken for the whole', () => {
  const plan = defaultPlan();
  const steps = [{ step: 1, startS: 1, endS: 10, rate: 2 }, { step: 2, startS: 11, endS: 20, rate: 4 }, { step: 3, startS: 21, endS: 30, rate: 8 }];
  const seg = (p95s: number[]): K6SummaryData => ({ state: { testRunDurationMs: 30000 }, metrics: Object.fromEntries(steps.flatMap((st, i) => [
    [`http_req_duration{kind:submission,step:${st.step}}`, { type: 'trend', values: grid(Array.from({ length: 40 }, (_, k) => (k < 39 ? 100 : p95s[i]))), thresholds: { 'max>=0': { ok: true } } }],
    [`ccready_errors{step:${st.step}}`, { type: 'rate', values: { rate: 0, passes: 0, fails: 40 }, thresholds: { 'rate>=0': { ok: true } } }],
  ])) });
  // segment b's slowest requests in step 3 are 10 s: 1 in 40 of its own, 1 in 80 of the whole,
  // under the 5 % of a p95 either way; but with 4 of 40 slow in step 3 the whole p95 breaks
  const fine = mergeK6Summaries([{ source: 'a', data: seg([100, 100, 100]) }, { source: 'b', data: seg([100, 100, 10000]) }]);
  assert.equal(interpretSummary(fine, { plan, profile: 'stress', scenario: 'submit', stressSteps: steps }).knee, { step: 3, rate: 8 });
  const slow = seg([100, 100, 100]);
  slow.metrics['http_req_duration{kind:submission,step:3}'].values = grid(Array.from({ length: 40 }, (_, k) => (k < 30 ? 100 : 10000)));
  const broken = mergeK6Summaries([{ source: 'a', data: seg([100, 100, 100]) }, { source: 'b', data: slow }]);
  assert.equal(interpretSummary(broken, { plan, profile: 'stress', scenario: 'submit', stressSteps: steps }).knee, { step: 2, rate: 4 });
});

test('generators that did not run together, and how their k6s ended, as one', () => {
  assert.is(overlapShare([{ source: 'a', startedAt: '2026-01-01T00:00:00Z', endedAt: '2026-01-01T00:00:10Z' }, { source: 'b', startedAt: '2026-01-01T00:00:05Z', endedAt: '2026-01-01T00:00:15Z' }]), 0.5);
  assert.is(overlapShare([{ source: 'a', startedAt: '2026-01-01T00:00:00Z', endedAt: '2026-01-01T00:00:10Z' }, { source: 'b' }]), null);
  assert.equal(combineExits([{ code: 0, killedByCap: false, interrupted: false }, { code: 99, killedByCap: false, interrupted: false }]), { code: 99, killedByCap: false, interrupted: false });
  assert.equal(combineExits([{ code: 99, killedByCap: false, interrupted: false }, { code: 107, killedByCap: false, interrupted: true }]), { code: 107, killedByCap: false, interrupted: true });
});

test('a trend no threshold reads has no grid: its count and mean merge, its percentiles are left out, never averaged', () => {
  const m = (n: number, avg: number) => ({ state: { testRunDurationMs: 1000 }, metrics: { ccready_restore_cases: { type: 'trend', values: { count: n, avg, min: 1, max: 9, med: 5, 'p(95)': 9 } } } });
  const v = mergeK6Summaries([{ source: 'a', data: m(1, 2) }, { source: 'b', data: m(3, 6) }]).metrics.ccready_restore_cases.values;
  assert.equal(v, { count: 4, avg: 5, min: 1, max: 9 });
});

test('load merge: segments that all ran as the one CCHQ_USERNAME worker are told so (one account took the whole rate); a users file is not', async () => {
  const one = await mergeRun({ ...mergeInputFromFolders([folder('u1', '0:1/2', { usersSource: 'CCHQ_USERNAME' }), folder('u2', '1/2:1', { usersSource: 'CCHQ_USERNAME' })]), target, audit: false, out: join(dir, 'u-merged') });
  assert.match(one.notes.join('\n'), /all 2 segments ran as the one mobile worker of CCHQ_USERNAME: HQ saw a single worker/);
  const file = await mergeRun({ ...mergeInputFromFolders([folder('f1', '0:1/2', { usersSource: '--users-csv w.csv' }), folder('f2', '1/2:1', { usersSource: 'CCHQ_USERNAME' })]), target, audit: false, out: join(dir, 'f-merged') });
  assert.not.match(file.notes.join('\n'), /one mobile worker/);
});

test.run();
