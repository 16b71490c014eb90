// The load run as a user sees it: a heartbeat every 10 s in a CI log (plain lines), and its own
// report.html opened in a real headless Chromium: verdict, thresholds with "—" where no data,
// the audit, charts over time, and what the server answered to failures.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkHtmlInChromium, chromiumAvailable } from '../../reports/browser.ts';
import { heartbeat, heartbeatLine, parseLiveMetrics, toSample } from '../live.ts';
import { defaultPlan } from '../plan.ts';
import { run, withSim } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'ccready-load-html-'));

test('live numbers: k6 REST metrics → sample (interval mean from avg × count) → one heartbeat line', () => {
  const snap = (forms: number, avg: number, p95: number) => parseLiveMetrics({ data: [
    { id: 'ccready_forms_acked', attributes: { sample: { count: forms, rate: 10 } } },
    { id: 'ccready_forms_rejected', attributes: { sample: { count: 1, rate: 0.1 } } },
    { id: 'http_reqs', attributes: { sample: { count: forms + 2, rate: 10 } } },
    { id: 'http_req_duration{kind:submission}', attributes: { sample: { avg, 'p(95)': p95 } } },
  ] });
  const a = toSample(10, snap(99, 10, 30), 'submission');
  assert.is(a.meanMs, 10);
  const b = toSample(20, snap(199, 15, 40), 'submission', a);
  // (15 × 200 − 10 × 100) / 100 = 20 ms for the interval's requests
  assert.is(b.meanMs, 20);
  assert.is(b.errors, 1);
  assert.is(b.checks, 200);
  assert.is(heartbeatLine(heartbeat(b, a, 600)), '20/600 s: 199 forms acknowledged, 10/s, errors 0.50%, p95 40 ms');
  assert.is(heartbeatLine(heartbeat(toSample(2, new Map(), 'submission'), undefined, 5)), '2/5 s: 0 forms acknowledged, 0/s, errors —, p95 —');
});

test('load run in CI: a heartbeat line every 10 s, and report.html renders in Chromium with the verdict, "—" for no data and the charts', async () => {
  assert.ok(chromiumAvailable(), 'Chromium is needed for the HTML report test (apt-get install chromium)');
  await withSim({}, async (sim) => {
    const plan = defaultPlan();
    plan.durations.normalS = 21;
    plan.rates.formsPerSecond.average = 5;
    const planPath = join(dir, 'plan.json');
    writeFileSync(planPath, JSON.stringify(plan));
    const out = join(dir, 'run-ci');
    // stderr is a pipe here, as in CI: plain lines, no terminal control codes
    const child = spawn(process.execPath, ['--import', 'tsx', 'cli/main.ts', 'load', 'run', '--plan', planPath, '--profile', 'normal', '--audit-timeout', '10', '--out', out], {
      env: { ...process.env, ...sim.env() }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.on('data', (d) => (stdout += d));
    const code = await new Promise<number | null>((r) => child.on('close', r));
    assert.is(code, 0, stderr + stdout);
    const beats = stderr.split('\n').filter((l) => /^ccready load: \d+\/21 s: \d+ forms acknowledged, [\d.]+\/s, errors [\d.]+%, p95 \d+ ms$/.test(l));
    assert.ok(beats.length >= 2 && beats.length <= 3, `heartbeat lines:\n${stderr}`);
    assert.not.match(stderr, /\x1b\[/);
    const page = await checkHtmlInChromium(join(out, 'report.html'));
    assert.equal(page.consoleErrors, []);
    assert.equal(page.failedRequests, []);
    assert.match(page.text, /^PASS/);
    assert.ok(page.svgCount >= 3, `charts: ${page.svgCount}`);
    // a submit run measures no restore: its restore thresholds say "—", not a made-up 0
    assert.match(page.text, /http_req_duration\{kind:restore\}\s+p\(95\)<5000\s+—/);
    assert.match(page.text, /lost = 0/);
    const run = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8'));
    assert.ok(run.timeline.length >= 5, `samples: ${run.timeline.length}`);
  });
});

test('report.html of a failing run: FAIL with its reasons and what the server answered', async () => {
  await withSim({}, async (sim) => {
    sim.setFault('postgres', { mode: 'failing', rate: 1 });
    const r = await run(sim, { scenario: 'submit', audit: false });
    assert.is(r.verdict, 'FAIL');
    const page = await checkHtmlInChromium(join(r.reportDir, 'report.html'));
    assert.equal(page.consoleErrors, []);
    assert.match(page.text, /^FAIL/);
    assert.match(page.text, /thresholds failed: ccready_errors rate<0\.01/);
    const answered = page.text.slice(page.text.indexOf('What the server answered to failed requests'));
    assert.match(answered, /^What the server answered to failed requests\s+Request\s+Status\s+OpenRosa nature\s+Count\s/, answered);
    assert.match(answered, /\nsubmission\s+5\d\d\s+—\s+\d+\n/, answered);
  });
});

test.run();
