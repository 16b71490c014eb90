// Stress against the stand-in's capacity model (gunicorn-like workers, a queue, 502 past it):
// the steps climb until the thresholds break, the knee is reported, and calibration turns it
// into requests per gunicorn worker.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSim } from '../../fixtures/hq-sim/index.ts';
import { loadSizingConfig, EXAMPLE_CONFIG } from '../../sizing/index.ts';
import { calibrate } from '../calibrate.ts';
import { defaultPlan, runLoad } from '../index.ts';

const out = mkdtempSync(join(tmpdir(), 'ccready-stress-test-'));

test('stress finds the knee of a 1-worker stand-in and calibrate turns it into a gunicorn capacity', async () => {
  // One worker at 20 ms per request holds about 50 requests/s; the steps go 10 → 160 /s.
  const sim = await startSim({ users: 4, casesPerUser: 1, workers: 1, serviceMs: 20, queueSize: 4, pillowDelayMs: 50 });
  try {
    const plan = defaultPlan();
    plan.rates.formsPerSecond.peak = 20;
    plan.durations = { ...plan.durations, stressStepS: 5, stressSteps: 4, stressFrom: 0.5, stressTo: 8 };
    const users = sim.users.filter((u) => u.domain === sim.domain).map((u) => ({ username: u.username, password: u.password }));
    const r = await runLoad({
      target: { url: sim.url, domain: sim.domain, appId: sim.appId, web: sim.web },
      users,
      plan,
      profile: 'stress',
      scenario: 'submit',
      audit: false,
      out: join(out, 'stress'),
    });
    const steps = r.summary.steps!;
    if (process.env.CCREADY_DEBUG) console.log(JSON.stringify(steps));
    assert.equal(steps.map((s) => s.rate), [10, 25.2, 63.5, 160]);
    assert.ok(steps[0].ok, JSON.stringify(steps));
    assert.not.ok(steps[3].ok, JSON.stringify(steps));
    assert.ok(r.summary.knee, 'a knee was found');
    assert.ok(r.summary.knee!.rate < 160);
    assert.is(r.exitCode, r.summary.knee!.rate >= 20 ? 0 : 1);
    const md = readFileSync(join(r.reportDir, 'summary.md'), 'utf8');
    assert.match(md, /\*\*Knee: [\d.]+\/s\*\* \(step \d\)/);
    const run = JSON.parse(readFileSync(join(r.reportDir, 'run.json'), 'utf8'));
    const c = calibrate({ run, config: loadSizingConfig(EXAMPLE_CONFIG), workers: 1, reportDir: r.reportDir });
    assert.ok(c.proposedCapacity >= r.summary.knee!.rate * 0.99, `${c.proposedCapacity} vs knee ${r.summary.knee!.rate}`);
    assert.match(c.change.join('\n'), /name: 'gunicorn_worker'/);
  } finally {
    await sim.stop();
  }
});

test.after(() => rmSync(out, { recursive: true, force: true }));
test.run();
