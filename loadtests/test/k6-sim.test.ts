// The smoke profile of each scenario, run by the real k6 against the stand-in on 127.0.0.1: exit
// codes both ways, the 202 polling path, the 412 path, and the integrity audit catching loss.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { defaultPlan } from '../index.ts';
import { out, run, targetOf, withSim } from './helpers.ts';

test('submit smoke against a healthy stand-in: exit 0, every acknowledged form found, reports written, no secrets', async () => {
  await withSim({}, async (sim) => {
    const before = sim.stats();
    const r = await run(sim, { scenario: 'submit' });
    assert.is(r.exitCode, 0, JSON.stringify(r.summary.thresholds));
    assert.ok(r.acknowledged >= 20, `acknowledged ${r.acknowledged}`);
    assert.is(r.lost, 0);
    assert.is(r.audit.checked, true);
    assert.is(r.audit.found, r.acknowledged);
    assert.is(r.summary.formsRejected, 0);
    // every form reached the stand-in as a new form: fresh instance ids, no duplicates, no case errors
    const d0 = before.domains[sim.domain];
    const d1 = sim.stats().domains[sim.domain];
    assert.is(d1.forms - d0.forms, r.acknowledged);
    assert.is(d1.duplicates, 0);
    assert.is(d1.errors, 0);
    // registrations created new cases owned by the workers (follow-ups and closes touch only those)
    assert.ok(d1.cases > d0.cases, `cases ${d0.cases} → ${d1.cases}`);
    for (const f of ['k6-summary.json', 'junit.xml', 'metrics.csv', 'summary.md', 'run.json', 'dashboard.html']) assert.ok(existsSync(join(r.reportDir, f)), f);
    const md = readFileSync(join(r.reportDir, 'summary.md'), 'utf8');
    assert.match(md, /# Load run .*: PASS/);
    assert.match(md, /lost = 0/);
    for (const f of ['k6-summary.json', 'run.json', 'summary.md', 'k6-config.json', 'junit.xml']) {
      const text = readFileSync(join(r.reportDir, f), 'utf8');
      assert.not.ok(text.includes(sim.mobile.password), `${f} holds the mobile password`);
      assert.not.ok(text.includes(sim.web.password), `${f} holds the web password`);
    }
    assert.match(readFileSync(join(r.reportDir, 'junit.xml'), 'utf8'), /failures="0"/);
  });
});

test('submit smoke with the receiver failing: thresholds break, exit 1', async () => {
  await withSim({}, async (sim) => {
    sim.setFault('postgres', { mode: 'failing', rate: 1 });
    const r = await run(sim, { scenario: 'submit', audit: false });
    assert.is(r.exitCode, 1);
    assert.is(r.thresholdsOk, false);
    assert.ok(r.summary.errorRate > 0.5, `error rate ${r.summary.errorRate}`);
    assert.match(readFileSync(join(r.reportDir, 'junit.xml'), 'utf8'), /<failure/);
    // the report says what the server answered, not only that it failed
    assert.match(r.notes.join('\n'), /what the server answered to failed requests: .*submission 5\d\d ×\d+/, r.notes.join(' / '));
    assert.match(readFileSync(join(r.reportDir, 'summary.md'), 'utf8'), /what the server answered to failed requests: .*submission 5\d\d ×\d+/);
  });
});

test('a failing server is not hammered: the error-rate abort ends a 30 s run after a few seconds', async () => {
  await withSim({}, async (sim) => {
    sim.setFault('postgres', { mode: 'failing', rate: 1 });
    const plan = defaultPlan();
    plan.durations.normalS = 30;
    plan.rates.formsPerSecond.average = 10;
    plan.thresholds.abortDelayS = 2;
    const started = Date.now();
    const r = await run(sim, { scenario: 'submit', plan, profile: 'normal', audit: false });
    assert.is(r.exitCode, 1);
    assert.ok(r.summary.durationS < 10, `ran ${r.summary.durationS}s`);
    assert.ok(Date.now() - started < 20000);
    assert.match(readFileSync(join(r.reportDir, 'summary.md'), 'utf8'), /k6 stopped the run after [\d.]+s of 30s/);
  });
});

test('integrity audit catches silent loss: drop-forms → lost > 0 with the missing ids, exit 1', async () => {
  await withSim({}, async (sim) => {
    sim.setDropForms(0.3);
    const r = await run(sim, { scenario: 'submit' });
    assert.is(r.exitCode, 1);
    assert.ok(r.thresholdsOk, 'the server answered 201 submit_success to everything');
    assert.ok(r.lost > 0, `lost ${r.lost}`);
    assert.is(r.missingFormIds.length, r.lost);
    const acked = readFileSync(join(r.reportDir, 'acknowledged-forms.txt'), 'utf8');
    for (const id of r.missingFormIds) assert.ok(acked.includes(id));
    assert.match(readFileSync(join(r.reportDir, 'summary.md'), 'utf8'), new RegExp(`lost = ${r.lost}`));
  });
});

test('drop-forms without a web user: the audit cannot run, so the run is FAIL (exit 1), never PASS', async () => {
  await withSim({}, async (sim) => {
    sim.setDropForms(0.3);
    const r = await run(sim, { scenario: 'submit', target: { ...targetOf(sim), web: undefined } });
    assert.is(r.thresholdsOk, true, 'the server answered 201 submit_success to everything');
    assert.is(r.verdict, 'FAIL');
    assert.is(r.exitCode, 1);
    assert.match(r.failures.join('\n'), /integrity audit not done: .*no web user.*--no-audit/);
    assert.match(readFileSync(join(r.reportDir, 'summary.md'), 'utf8'), /# Load run .*: FAIL/);
  });
});

test.after(() => rmSync(out, { recursive: true, force: true }));
test.run();
