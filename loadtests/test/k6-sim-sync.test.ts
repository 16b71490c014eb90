// Restore and mobile-day smoke runs by the real k6 against the stand-in on 127.0.0.1: the 202
// polling path, the 412 path, created users, and an audit that cannot confirm anything.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runLoad } from '../index.ts';
import { nextOut, out, run, targetOf, withSim } from './helpers.ts';
import { hqSamplePath } from '../../fixtures/reference.ts';

test('integrity audit with the Form API down (elasticsearch): nothing confirmed, so the run fails', async () => {
  await withSim({}, async (sim) => {
    sim.setFault('elasticsearch', { mode: 'down' });
    const r = await run(sim, { scenario: 'submit', auditTimeoutS: 2 });
    assert.ok(r.acknowledged > 0);
    assert.is(r.audit.failed, true);
    assert.is(r.exitCode, 1);
    assert.match(readFileSync(join(r.reportDir, 'summary.md'), 'utf8'), /Integrity audit: \*\*FAILED\*\*/);
  });
});

test('restore smoke: full then incremental restores, cases counted; stale tokens take the 412 path', async () => {
  await withSim({}, async (sim) => {
    const r = await run(sim, { scenario: 'restore', restore: { staleTokenRate: 0.5 } });
    assert.is(r.exitCode, 0, JSON.stringify(r.summary));
    assert.ok(r.summary.restoresFull >= 1);
    assert.ok(r.summary.restoresIncremental >= 1, JSON.stringify(r.summary));
    assert.ok(r.summary.restore412 >= 1, `412s: ${r.summary.restore412}`);
    assert.ok((r.summary.casesPerRestore ?? 0) > 0);
    assert.is(r.summary.errorRate, 0);
  });
});

test('restore smoke with async restores: 202 + Retry-After polled until 200', async () => {
  await withSim({ asyncRestore: true, asyncRestoreMs: 1200 }, async (sim) => {
    const r = await run(sim, { scenario: 'restore' });
    assert.is(r.exitCode, 0, JSON.stringify(r.summary));
    assert.ok(r.summary.restoreAsync202 >= 1, `202s: ${r.summary.restoreAsync202}`);
    assert.ok(r.summary.latency.asyncWait && r.summary.latency.asyncWait.count >= 1);
    assert.ok(r.summary.latency.asyncWait!.med >= 500, `waited ${r.summary.latency.asyncWait!.med} ms`);
  });
});

test('mobile-day smoke with --create-users: sync, forms, sync; audited; the created workers are removed', async () => {
  await withSim({}, async (sim) => {
    const users0 = sim.stats().domains[sim.domain].users;
    const target = { ...targetOf(sim), mobile: undefined };
    const r = await runLoad({ target, profile: 'smoke', scenario: 'mobile-day', createUsers: 2, out: nextOut(), auditTimeoutS: 10 });
    assert.is(r.exitCode, 0, JSON.stringify(r.summary));
    // 2 workers × 3 forms each, every one a worker's own registration/follow-up/close
    assert.is(r.summary.formsAcknowledged, 6);
    assert.is(r.summary.restoresFull, 2);
    assert.is(r.summary.restoresIncremental, 2);
    assert.is(r.lost, 0);
    assert.is(sim.stats().domains[sim.domain].users, users0, 'created workers removed');
    const run = JSON.parse(readFileSync(join(r.reportDir, 'run.json'), 'utf8'));
    assert.match(run.usersSource, /created through the User API, removed afterwards/);
  });
});

test('--execution-segment passes through to k6: half the plan from this machine', async () => {
  await withSim({}, async (sim) => {
    const r = await run(sim, { scenario: 'submit', executionSegment: '0:1/2', executionSegmentSequence: '0,1/2,1' });
    assert.is(r.exitCode, 0, JSON.stringify(r.summary));
    // smoke is 10 forms/s for 5 s; this segment carries half of them
    assert.ok(r.summary.formsAcknowledged >= 20 && r.summary.formsAcknowledged <= 30, `acknowledged ${r.summary.formsAcknowledged}`);
    assert.is(r.lost, 0);
  });
});

test('--xforms: Raw XML from HQ (commcare-perf\'s three forms) replayed with fresh ids and own cases', async () => {
  await withSim({}, async (sim) => {
    const xforms = mkdtempSync(join(tmpdir(), 'ccready-xforms-'));
    try {
      for (const f of ['perf-creates_case.xml', 'perf-updates_case.xml', 'perf-simple_xform.xml']) copyFileSync(hqSamplePath(f), join(xforms, f));
      const before = sim.stats().domains[sim.domain];
      const r = await run(sim, { scenario: 'submit', xformsDir: xforms });
      assert.is(r.exitCode, 0, JSON.stringify(r.summary));
      const after = sim.stats().domains[sim.domain];
      assert.is(after.forms - before.forms, r.acknowledged);
      assert.is(after.duplicates, 0);
      assert.is(after.errors, 0);
      assert.ok(after.cases > before.cases);
    } finally {
      rmSync(xforms, { recursive: true, force: true });
    }
  });
});

test.after(() => rmSync(out, { recursive: true, force: true }));
test.run();
