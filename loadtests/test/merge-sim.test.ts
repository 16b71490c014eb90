// Issue 13's done-when for split runs, with the real k6 against the stand-in on 127.0.0.1: two
// `load run --execution-segment` halves merged by `load merge` give the verdict, rates and audit
// of one unsegmented run of the same plan; a stand-in that drops forms is caught across segments.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mergeInputFromFolders, mergeRun } from '../index.ts';
import type { LoadRunRecord } from '../record.ts';
import { runCli } from '../../common/test/run-cli.ts';
import { EXAMPLE_CONFIG } from '../../sizing/index.ts';
import { nextOut, out, run, targetOf, withSim } from './helpers.ts';

const within = (a: number, b: number, share: number) => Math.abs(a - b) <= share * Math.max(a, b);

test('two halves merged give the verdict, rates (within 5 %) and audit of one unsegmented run', async () => {
  await withSim({}, async (sim) => {
    const whole = await run(sim, { scenario: 'submit' });
    // the two machines, side by side
    const [a, b] = await Promise.all([run(sim, { scenario: 'submit', executionSegment: '0:1/2' }), run(sim, { scenario: 'submit', executionSegment: '1/2:1' })]);
    // each half's own report names its segment and is judged against its share of the plan
    for (const [h, seg] of [[a, '0:1/2'], [b, '1/2:1']] as const) {
      const rec = JSON.parse(readFileSync(join(h.reportDir, 'run.json'), 'utf8')) as LoadRunRecord;
      assert.is(rec.segment?.segment, seg);
      assert.is(rec.segment?.targetRate, rec.targetRate / 2);
      assert.is(rec.completion.planned, 25, 'half of the 50 planned submissions');
      assert.match(readFileSync(join(h.reportDir, 'summary.md'), 'utf8'), new RegExp(`Execution segment \\| ${seg.replace('/', '\\/')} \\(50\\.0% of the plan`));
    }
    const merged = await mergeRun({ ...mergeInputFromFolders([b.reportDir, a.reportDir]), target: targetOf(sim), out: nextOut(), auditTimeoutS: 10 });
    assert.is(whole.verdict, 'PASS', whole.failures.join('; '));
    assert.is(merged.verdict, whole.verdict, merged.failures.join('; '));
    assert.is(merged.exitCode, whole.exitCode);
    const [m, w] = [merged.summary, whole.summary];
    assert.ok(within(m.formRate, w.formRate, 0.05), `form rate merged ${m.formRate}/s, whole ${w.formRate}/s`);
    assert.ok(within(m.requestRate, w.requestRate, 0.05), `request rate merged ${m.requestRate}/s, whole ${w.requestRate}/s`);
    // k6 rounds each segment's share of a constant arrival rate on its own: a segment may start one more
    assert.ok(Math.abs(m.iterations - w.iterations) <= 2, `iterations merged ${m.iterations}, whole ${w.iterations}`);
    assert.is(m.formsAcknowledged, a.summary.formsAcknowledged + b.summary.formsAcknowledged);
    // one audit over both halves' forms, with the whole run's result
    assert.is(merged.audit.checked, true);
    assert.is(merged.audit.acknowledged, a.acknowledged + b.acknowledged);
    assert.is(merged.audit.lost, whole.audit.lost);
    assert.is(merged.lost, 0);
    // the merged p95 lies within the halves' own (never outside what either measured)
    const p95 = m.latency.submission!.p95;
    assert.ok(p95 >= Math.min(a.summary.latency.submission!.p95, b.summary.latency.submission!.p95) - 1e-9 && p95 <= Math.max(a.summary.latency.submission!.p95, b.summary.latency.submission!.p95) + 1e-9, `p95 ${p95}`);
    // the report names every segment
    const rec = JSON.parse(readFileSync(join(merged.reportDir, 'run.json'), 'utf8')) as LoadRunRecord;
    assert.equal(rec.segments!.map((s) => s.segment), ['0:1/2', '1/2:1']);
    assert.is(rec.segment, undefined);
    // each half was given the whole list of workers and used its slice: the merged run had that list
    assert.is(rec.workers, (JSON.parse(readFileSync(join(whole.reportDir, 'run.json'), 'utf8')) as LoadRunRecord).workers);
    const md = readFileSync(join(merged.reportDir, 'summary.md'), 'utf8');
    assert.match(md, /# Load run .*: PASS/);
    for (const s of ['0:1/2', '1/2:1']) assert.ok(md.includes(s), `summary.md names ${s}`);
    for (const f of ['report.html', 'junit.xml']) assert.ok(readFileSync(join(merged.reportDir, f), 'utf8').includes('1/2:1'), `${f} names the segments`);
    // calibrate takes the merged folder (the plan's rate) and still refuses a half
    const cal = await runCli(['load', 'calibrate', '--report', merged.reportDir, '--sizing', EXAMPLE_CONFIG, '--workers', '4']);
    assert.is(cal.code, 0, cal.stderr);
    assert.match(cal.stdout, new RegExp(`^sustained rate: ${String(Number(m.requestRate.toPrecision(3))).replace('.', '\\.')} requests/s`));
    const half = await runCli(['load', 'calibrate', '--report', a.reportDir, '--sizing', EXAMPLE_CONFIG, '--workers', '4']);
    assert.is(half.code, 2);
    assert.match(half.stderr, /segment: this run was execution segment 0:1\/2 \(50\.0% of the plan\): its rate is its share only/);
  });
});

test('load merge with a stand-in dropping 10 % of forms: the one audit names the missing forms of both segments, exit 1', async () => {
  await withSim({}, async (sim) => {
    sim.setDropForms(0.1);
    const [a, b] = await Promise.all([run(sim, { scenario: 'submit', executionSegment: '0:1/2' }), run(sim, { scenario: 'submit', executionSegment: '1/2:1' })]);
    const env = join(out, 'sim.env');
    writeFileSync(env, Object.entries(sim.env()).map(([k, v]) => `${k}=${v}`).join('\n') + '\n', { mode: 0o600 });
    const mergedDir = nextOut();
    const r = await runCli(['load', 'merge', a.reportDir, b.reportDir, '--out', mergedDir, '--target-env', env, '--audit-timeout', '10']);
    assert.is(r.code, 1, r.stderr);
    const rec = JSON.parse(readFileSync(join(mergedDir, 'run.json'), 'utf8')) as LoadRunRecord;
    assert.ok(rec.audit.lost > 0, `lost ${rec.audit.lost}`);
    // every form either half's own audit missed is named by the merged one, and nothing else
    assert.equal([...rec.audit.missingFormIds].sort(), [...a.missingFormIds, ...b.missingFormIds].sort());
    assert.match(r.stdout, /^FAIL: .*lost \d+ \(missing: /);
    for (const id of rec.audit.missingFormIds.slice(0, 10)) assert.ok(r.stdout.includes(id), id);
    assert.not.ok(r.stdout.includes(sim.web.password) || readFileSync(join(mergedDir, 'summary.md'), 'utf8').includes(sim.web.password));
  });
});

test.run();
