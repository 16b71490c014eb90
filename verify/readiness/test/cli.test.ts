// `ccready readiness` over run folders the test makes for real: the sizing verdict of the example
// config (`size --out`), verify and gate against the stand-in, load normal and peak with a plan
// from the same config (durations shortened in the plan JSON, as a user may edit it), monitoring
// against a real Prometheus and node_exporter. All present and signed (the drill, which ccready
// does not have yet, waived) → GO-LIVE READY; then each missing, failed, stale, foreign-target and expired item is
// named and the answer is NOT READY. The HTML matrix is opened in headless Chromium.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runGate, runVerify } from '../../index.ts';
import { runLoad, validatePlan } from '../../../loadtests/index.ts';
import { writeVerifyReports } from '../../../reports/verify-files.ts';
import { checkHtmlInChromium, chromiumAvailable, CHROMIUM_PATH } from '../../../reports/browser.ts';
import { CHECKPOINTS, isAttested } from '../index.ts';
import { sim, targetOf, fast } from '../../test/helpers.ts';
import { runCli, REPO as root } from '../../../common/test/run-cli.ts';
import { INDICATORS, rulesFile, startNodeExporter, startPrometheus, waitForRules, waitForSeries } from '../../monitoring/test/prom.ts';
import { createServer } from 'node:http';

const cli = (args: string[]) => runCli(args, { cwd: work });

const work = mkdtempSync(join(tmpdir(), 'ccready-readiness-'));
const runs = join(work, 'runs');
mkdirSync(runs);


const config = join(root, 'fixtures/sizing/example.yml');
let target = '';

/** Signs every non-optional attested row of the template; waives the rows whose runs this test cannot make. */
function signed(extraWaivers = ''): string {
  let t = readFileSync(join(work, 'template.yml'), 'utf8').replace('target: ""', `target: "${target}"`);
  for (const c of CHECKPOINTS.filter((x) => isAttested(x) && !x.optional)) {
    t = t.replace(`  ${c.id}:\n    by: ""\n    date: ""`, `  ${c.id}:\n    by: "A. Banda, MSP lead"\n    date: "2026-01-05"`);
  }
  // ccready has no backup-and-restore drill yet (issue 14): its row is knowingly waived
  return t.replace('waivers: {}', `waivers:\n  4.3-backup-restore: { reason: "no drill command yet", expires: "2099-01-01" }\n${extraWaivers}`);
}

test('init writes the template with every attested checkpoint; refuses to overwrite', async () => {
  const r = await cli(['readiness', 'init']);
  assert.is(r.code, 0, r.stderr);
  const t = readFileSync(join(work, 'attestations.yml'), 'utf8');
  for (const c of CHECKPOINTS) assert.is(new RegExp(`^  ${c.id.replace(/\./g, '\\.')}:$`, 'm').test(t), isAttested(c), c.id);
  const again = await cli(['readiness', 'init']);
  assert.is(again.code, 2);
  assert.match(again.stderr, /^ccready: --out attestations\.yml: exists; pass --force/);
  const other = await cli(['readiness', 'init', '--out', 'template.yml']);
  assert.is(other.code, 0, other.stderr);
});

test('real run folders, everything signed → GO-LIVE READY; the HTML matrix reads in Chromium', async () => {
  assert.ok(chromiumAvailable(), `Chromium not found at ${CHROMIUM_PATH} (npm run setup installs it)`);
  const size = await cli(['size', config, '--out', join(runs, 'size'), '--no-screenshot']);
  assert.is(size.code, 0, size.stderr);
  const plan = await cli(['load', 'plan', '--sizing', config, '--out', join(work, 'plan.json')]);
  assert.is(plan.code, 0, plan.stderr);
  const p = JSON.parse(readFileSync(join(work, 'plan.json'), 'utf8'));
  p.durations = { ...p.durations, normalS: 4, peakS: 4 };
  const s = await sim();
  try {
    target = s.url;
    const t = targetOf(s);
    // the stand-in's export takes 1-4 s; on a loaded test machine the 3 s request budget of fast() is too tight
    const roomy = { ...fast(s), requestTimeoutMs: 15_000 };
    writeVerifyReports(await runVerify(t, { ...roomy, runId: 'verify1' }), join(runs, 'verify1'));
    const gate = await runGate(t, { ...roomy, runId: 'gate1', outDir: join(runs, 'gate1'), waitTimeoutMs: 5000, loadRunner: runLoad });
    writeVerifyReports(gate, join(runs, 'gate1'));
    const users = s.users.filter((u) => u.domain === s.domain).map((u) => ({ username: u.username, password: u.password }));
    for (const profile of ['normal', 'peak'] as const) {
      const r = await runLoad({ target: t, plan: validatePlan(p, 'plan.json'), profile, out: join(runs, profile), users, auditTimeoutS: 10, maxDurationS: 60 });
      assert.is(r.verdict, 'PASS', `${profile}: ${r.notes.join('; ')}`);
    }
  } finally {
    await s.stop();
  }
  // monitoring: real Prometheus scraping a real node_exporter, and a loopback error-logging endpoint
  const ne = await startNodeExporter({ textfile: INDICATORS });
  const sentry = createServer((req, res) => res.writeHead(req.url === '/api/3/store/' ? 200 : 404).end('{}'));
  await new Promise<void>((r) => sentry.listen(0, '127.0.0.1', () => r()));
  try {
    const prom = await startPrometheus({ nodes: [`127.0.0.1:${ne.port}`], rules: rulesFile(['disk', 'ram', 'cpu']) });
    try {
      await waitForSeries(prom.url, 'node_cpu_seconds_total');
      await waitForRules(prom.url, 3);
      const dsn = `http://k3y@127.0.0.1:${(sentry.address() as { port: number }).port}/3`;
      const m = await cli(['verify', 'monitoring', '--prometheus', prom.url, '--target', target, '--sentry-dsn', dsn, '--verdict', join(runs, 'size/verdict.json'), '--fresh-within', '10', '--out', join(runs, 'monitoring')]);
      assert.is(m.code, 0, m.stdout + m.stderr);
    } finally {
      await prom.stop();
    }
  } finally {
    sentry.close();
    await ne.stop();
  }
  writeFileSync(join(work, 'attestations.yml'), signed());
  const r = await cli(['readiness', '--runs', 'runs', '--out', 'ready']);
  assert.is(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^GO-LIVE READY: 24 checkpoints, 0 blocking, 1 waived/);
  const json = JSON.parse(readFileSync(join(work, 'ready/report.json'), 'utf8'));
  const status = (id: string) => json.rows.find((x: { checkpoint: { id: string } }) => x.checkpoint.id === id).status;
  for (const id of ['1.2-server-configuration', '3.1-tests-passed', '3.1-real-conditions', '4.1-load-tested', '4.2-health-dashboards', '4.2-error-logging']) assert.is(status(id), 'proven', id);
  assert.is(status('4.3-backup-restore'), 'waived');
  assert.is(status('2.2-hosting-agreement'), 'attested');
  const page = await checkHtmlInChromium(join(work, 'ready/report.html'), { waitForSelector: '#verdict' });
  writeFileSync(join(work, 'ready/screenshot.png'), page.screenshot);
  assert.equal(page.consoleErrors, []);
  assert.equal(page.failedRequests, [], 'the matrix must not load anything from outside');
  assert.match(page.title, /ccready readiness: GO-LIVE READY/);
  for (const c of CHECKPOINTS) assert.ok(page.text.includes(c.text.slice(0, 60)), `row missing: ${c.id}`);
  for (const ph of [1, 2, 3, 4, 5, 6]) assert.match(page.text, new RegExp(`Phase ${ph}:`));
  assert.match(page.text, /attested by A\. Banda, MSP lead on 2026-01-05/);
  assert.match(readFileSync(join(work, 'ready/report.md'), 'utf8'), /\| 4\.1 System Load Testing \| Applicable load and performance tests .* \| automatic \| PROVEN \| load run .*PASS: normal submit/);
});

test('each missing, failed, stale, foreign-target and expired item is named → NOT READY, exit 1', async () => {
  // a failed verify (redis down) and one about another stand-in, named with --evidence
  // the failing one on the same address as the runs above: the same target, now broken
  const bad = await sim({ port: Number(new URL(target).port), faults: { redis: { mode: 'down' } } });
  const other = await sim();
  try {
    writeVerifyReports(await runVerify(targetOf(bad), { ...fast(bad), runId: 'verify-bad', only: ['02-service-health'] }), join(work, 'verify-bad'));
    writeVerifyReports(await runVerify(targetOf(other), { ...fast(other), runId: 'verify-other', only: ['02-service-health'] }), join(work, 'verify-other'));
  } finally {
    await bad.stop();
    await other.stop();
  }
  // a gate run from 20 days ago: the real folder, its finish time moved back
  cpSync(join(runs, 'gate1'), join(work, 'gate-old'), { recursive: true });
  const g = JSON.parse(readFileSync(join(work, 'gate-old/report.json'), 'utf8'));
  g.finishedAt = new Date(Date.now() - 20 * 86_400_000).toISOString();
  writeFileSync(join(work, 'gate-old/report.json'), JSON.stringify(g));
  // a runs folder without the peak load run
  mkdirSync(join(work, 'partial'));
  for (const n of ['size', 'verify1', 'gate1', 'normal', 'monitoring']) symlinkSync(join(runs, n), join(work, 'partial', n));
  writeFileSync(join(work, 'attestations.yml'), signed('  6.1-support-staff: { reason: "hiring", expires: "2026-01-01" }\n').replace(/  6\.1-support-staff:\n    by: "A\. Banda, MSP lead"\n    date: "2026-01-05"/, '  6.1-support-staff:\n    by: ""\n    date: ""').replace(/  2\.2-hosting-agreement:\n    by: "A\. Banda, MSP lead"\n    date: "2026-01-05"/, '  2.2-hosting-agreement:\n    by: ""\n    date: ""'));

  const r = await cli(['readiness', '--runs', 'partial', '--evidence', join(work, 'verify-bad'), '--evidence', join(work, 'gate-old'), '--out', 'notready']);
  assert.is(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /^NOT READY: 24 checkpoints, 5 blocking/, r.stdout);
  assert.match(r.stdout, /blocking 2\.2-hosting-agreement: not attested/);
  assert.match(r.stdout, /blocking 3\.1-tests-passed: verify run verify-bad: NOT READY/);
  assert.match(r.stdout, /blocking 3\.1-real-conditions: gate run gate1 is 20 days old \(limit 14 days\)/);
  assert.match(r.stdout, /blocking 4\.1-load-tested: no run found: load test at the peak rate/);
  assert.match(r.stdout, /blocking 6\.1-support-staff: not attested.*; waiver expired on 2026-01-01 \(hiring\)/, r.stdout);

  const foreign = await cli(['readiness', '--runs', 'runs', '--evidence', join(work, 'verify-other'), '--out', 'foreign']);
  assert.is(foreign.code, 1);
  assert.match(foreign.stdout, /blocking 3\.1-tests-passed: verify run verify-other is about http:\/\/127\.0\.0\.1:\d+, not http:\/\/127\.0\.0\.1:\d+/);
  const html = await checkHtmlInChromium(join(work, 'notready/report.html'), { waitForSelector: '#verdict' });
  assert.match(html.text, /NOT READY/);
  assert.match(html.text, /Blocking go-live/);
  assert.match(html.text, /EXPIRED waiver until 2026-01-01/);
});

test('bad flags and files are one-line errors with exit 2', async () => {
  const cases: [string[], RegExp][] = [
    [['readiness', '--max-age', 'soon'], /^ccready: --max-age: expected a positive age like 14d, 36h or 2w, got "soon"\n$/],
    [['readiness', '--attestations', 'nope.yml'], /^ccready: nope\.yml: cannot read the attestations file \(ENOENT\); write one with `ccready readiness init`\n$/],
    [['readiness', '--runs', 'no-such-dir'], /^ccready: --runs: no-such-dir: cannot read the run folders \(ENOENT\)/],
    [['readiness', '--evidence', 'runs'], /^ccready: --evidence: runs: holds no ccready report/],
    [['readiness', '--target', 'hq'], /^ccready: --target: expected a URL/],
  ];
  for (const [args, re] of cases) {
    const r = await cli(args);
    assert.is(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, re, r.stderr);
    assert.is(r.stderr.trim().split('\n').length, 1);
  }
});

test.run();
