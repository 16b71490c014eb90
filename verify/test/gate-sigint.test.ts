// Ctrl-C during the gate's load step: k6 stops promptly (the load runner forwards the interrupt),
// and the gate still writes its complete report, with the cut-short smoke run reported as
// interrupted (never as a pass) and the decision NOT READY.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runGate, type LoadRunner } from '../index.ts';
import { checkHtmlInChromium, chromiumAvailable, CHROMIUM_PATH } from '../../reports/browser.ts';
import { sim, targetOf, fast } from './helpers.ts';

const root = new URL('../../', import.meta.url).pathname;

test('API: an interrupt while the load runner runs → smoke "interrupted", NOT READY, even if k6 reported thresholds met', async () => {
  const s = await sim();
  try {
    for (const outcome of ['returns', 'throws'] as const) {
      const ac = new AbortController();
      const cutShort: LoadRunner = async (o) => {
        ac.abort(); // the user's Ctrl-C arrives while k6 runs
        if (outcome === 'throws') throw new Error('k6 ended with exit code null and no summary');
        return { runId: 'l1', reportDir: o.out, exitCode: 1, thresholdsOk: true, lost: 0, missingFormIds: [], acknowledged: 12 };
      };
      const r = await runGate(targetOf(s), { ...fast(s), outDir: mkdtempSync(join(tmpdir(), 'ccready-gate-')), waitTimeoutMs: 2000, loadRunner: cutShort, signal: ac.signal, only: ['01-reachability-tls'] });
      assert.is(r.interrupted, true, outcome);
      assert.is(r.decision.verdict, 'NOT READY', outcome);
      assert.match(r.decision.summary, /interrupted/);
      assert.equal(r.decision.failing, [], `${outcome}: nothing is blamed for an interrupt`);
      const smoke = r.steps.find((x) => x.id === '13-load-smoke')!;
      const audit = r.steps.find((x) => x.id === '14-integrity-audit')!;
      assert.is(smoke.status, 'skip', outcome);
      assert.is(smoke.blockedBy, 'interrupted');
      assert.match(smoke.reason!, /^interrupted after \d+\.\d s: the smoke run is incomplete/);
      if (outcome === 'returns') {
        // The 12 forms acknowledged before the interrupt were audited: that evidence is kept.
        assert.is(audit.status, 'pass');
        assert.match(audit.evidence.join('\n'), /12 forms acknowledged, 0 missing .*interrupted/);
      } else {
        assert.is(audit.status, 'skip');
        assert.is(audit.reason, 'not run: interrupted');
      }
    }
    // An interrupt that came after verify but before the load step: k6 is never started.
    const ac = new AbortController();
    let started = false;
    const r = await runGate(targetOf(s), {
      ...fast(s),
      outDir: mkdtempSync(join(tmpdir(), 'ccready-gate-')),
      waitTimeoutMs: 2000,
      signal: ac.signal,
      only: ['01-reachability-tls'],
      onProgress: (e) => e.kind === 'step-end' && e.result.id === '01-reachability-tls' && ac.abort(),
      loadRunner: async () => {
        started = true;
        throw new Error('must not run');
      },
    });
    assert.not.ok(started, 'the load runner started after the interrupt');
    assert.is(r.steps.find((x) => x.id === '13-load-smoke')!.reason, 'not run: interrupted');
  } finally {
    await s.stop();
  }
});

async function gateInterruptedDuringK6(signalGroup: boolean, openHtml = false) {
  const s = await sim();
  const dir = mkdtempSync(join(tmpdir(), 'ccready-gate-sigint-'));
  const env = join(dir, 'sim.env');
  writeFileSync(env, Object.entries(s.env()).map(([k, v]) => `${k}=${v}`).join('\n'), { mode: 0o600 });
  const out = join(dir, 'report');
  // Its own process group, so the group can be signalled the way a terminal's Ctrl-C does.
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'cli/main.ts'), 'gate', '--env-file', env, '--out', out, '--wait', '10', '--only', '01-reachability-tls'], {
    cwd: root,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, CI: '1' },
  });
  let all = '';
  let sentAt = 0;
  let formsAtSignal = 0;
  const onData = (d: Buffer) => {
    all += d;
    if (!sentAt && /ccready load: run /.test(all)) {
      sentAt = -1;
      // Let k6 get going (setup, first submissions) before the interrupt.
      const waitForForms = setInterval(() => {
        if (s.stats().domains[s.domain].submissions < 3 && Date.now() - startedAt < 20_000) return;
        clearInterval(waitForForms);
        sentAt = Date.now();
        formsAtSignal = s.stats().domains[s.domain].submissions;
        if (signalGroup) process.kill(-child.pid!, 'SIGINT');
        else child.kill('SIGINT');
      }, 50);
    }
  };
  const startedAt = Date.now();
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const killer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 60_000);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearTimeout(killer);
  const stoppedMs = Date.now() - sentAt;
  try {
    assert.ok(sentAt > 0, `the load step never started:\n${all}`);
    assert.ok(stoppedMs < 20_000, `took ${stoppedMs} ms to stop after SIGINT`);
    const after = s.stats().domains[s.domain].submissions;
    await new Promise((r) => setTimeout(r, 1500));
    assert.is(s.stats().domains[s.domain].submissions, after, 'k6 still submitting after the gate exited');
    assert.ok(after - formsAtSignal < 60, `${after - formsAtSignal} forms after the interrupt: k6 did not stop promptly`);
    assert.is(code, 1, all);
    for (const f of ['report.json', 'junit.xml', 'report.md', 'report.html']) assert.ok(existsSync(join(out, f)), `${f} missing`);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    assert.is(report.interrupted, true);
    assert.is(report.decision.verdict, 'NOT READY');
    const ran = report.steps.filter((x: { unselected?: boolean }) => !x.unselected);
    assert.equal(ran.map((x: { id: string }) => x.id), ['00-wait-serverup', '00-preflight', '01-reachability-tls', '13-load-smoke', '14-integrity-audit']);
    const smoke = ran[3];
    assert.is(smoke.status, 'skip', JSON.stringify(smoke));
    assert.match(smoke.reason, /interrupted/);
    assert.is((readFileSync(join(out, 'junit.xml'), 'utf8').match(/<testcase /g) ?? []).length, 16);
    assert.match(all, /NOT READY/);
    assert.not.ok(all.includes(s.mobile.password) || readFileSync(join(out, 'report.md'), 'utf8').includes(s.mobile.password));
    if (openHtml) {
      // The gate's own HTML report, as CI publishes it: opens in Chromium with no error.
      assert.ok(chromiumAvailable(), `Chromium not found at ${CHROMIUM_PATH} (npm run setup installs it)`);
      const page = await checkHtmlInChromium(join(out, 'report.html'), { waitForSelector: '#verdict' });
      assert.equal(page.consoleErrors, []);
      assert.equal(page.failedRequests, []);
      assert.match(page.title, /ccready gate: NOT READY/);
      assert.match(page.text, /interrupted after \d+\.\d s: the smoke run is incomplete/);
      for (const id of ['00-wait-serverup', '01-reachability-tls', '13-load-smoke', '14-integrity-audit']) assert.ok(page.text.includes(id), `${id} not shown`);
    }
  } finally {
    await s.stop();
  }
}

test('CLI: SIGINT to the gate process during k6 → k6 stops, exit 1, complete report, smoke interrupted', async () => {
  await gateInterruptedDuringK6(false);
});

test("CLI: Ctrl-C in a terminal (SIGINT to the whole process group, k6 included) → the same", async () => {
  await gateInterruptedDuringK6(true, true);
});

test.run();
