// Upgrade canary both ways: write → check passes on the same server; a case changed, a case lost,
// or a fresh (wiped) server → check fails naming what is missing or changed.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canaryWrite, canaryCheck, readManifest } from '../index.ts';
import { sim, targetOf, fast } from './helpers.ts';

test('canary write, then check: all there and unchanged, new data accepted and synced → READY', async () => {
  const s = await sim();
  const dir = mkdtempSync(join(tmpdir(), 'ccready-canary-'));
  const manifestPath = join(dir, 'canary.json');
  try {
    const w = await canaryWrite(targetOf(s), { ...fast(s), manifestPath, count: 2 });
    assert.is(w.report.decision.verdict, 'READY', w.report.decision.summary);
    const m = readManifest(manifestPath);
    assert.is(m.cases.length, 2);
    assert.is(m.forms.length, 4);
    const text = readFileSync(manifestPath, 'utf8');
    assert.not.ok(text.includes(s.mobile.password) || text.includes(s.web.password), 'a password is in the manifest');

    const c = await canaryCheck(targetOf(s), { ...fast(s), manifestPath });
    assert.is(c.report.decision.verdict, 'READY', c.report.decision.summary);
    assert.equal(c.report.steps.map((x) => x.status), ['pass', 'pass', 'pass']);
    assert.match(c.report.steps[0].evidence.join('\n'), /4\/4 canary forms present and unchanged/);

    // An "upgrade" that altered one case and lost another.
    const d = s.server.store.domain(s.domain)!;
    d.cases.get(m.cases[0].caseId)!.properties.canary_value = 'tampered';
    d.cases.delete(m.cases[1].caseId);
    const bad = await canaryCheck(targetOf(s), { ...fast(s), lagTimeoutMs: 500, manifestPath });
    assert.is(bad.report.decision.verdict, 'NOT READY');
    const intact = bad.report.steps.find((x) => x.id === 'C1-data-intact')!;
    assert.is(intact.status, 'fail');
    assert.match(intact.reason!, /2 of 2 cases missing or changed/);
    const ev = intact.evidence.join('\n');
    assert.match(ev, new RegExp(`case ${m.cases[0].caseId}: changed: canary_value "tampered"`));
    assert.match(ev, new RegExp(`case ${m.cases[1].caseId}: missing \\(404\\)`));
    assert.is(bad.report.steps.find((x) => x.id === 'C3-accepts-new-data')!.status, 'pass', 'the server still accepts new data');
  } finally {
    await s.stop();
  }
});

test('canary check against a wiped server (fresh install instead of an upgrade) → NOT READY', async () => {
  const before = await sim({ seed: 7 });
  const dir = mkdtempSync(join(tmpdir(), 'ccready-canary-'));
  const manifestPath = join(dir, 'canary.json');
  try {
    const w = await canaryWrite(targetOf(before), { ...fast(before), manifestPath, count: 1 });
    assert.is(w.report.decision.exitCode, 0);
  } finally {
    await before.stop();
  }
  // Same seed: same project, worker and ids, but none of the canary data.
  const after = await sim({ seed: 7 });
  try {
    const t = targetOf(after);
    const c = await canaryCheck(t, { ...fast(after), lagTimeoutMs: 400, manifestPath });
    assert.is(c.report.decision.verdict, 'NOT READY');
    assert.match(c.report.steps[0].reason!, /2 of 2 forms and 1 of 1 cases missing or changed/);
    assert.is(c.report.steps[1].status, 'fail', 'the restore no longer holds the canary case');
  } finally {
    await after.stop();
  }
});

test('a canary write that cannot read back writes no manifest; a bad manifest is a usage error', async () => {
  const s = await sim();
  const dir = mkdtempSync(join(tmpdir(), 'ccready-canary-'));
  const manifestPath = join(dir, 'canary.json');
  try {
    s.setFault('kafka', { mode: 'down' });
    const w = await canaryWrite(targetOf(s), { ...fast(s), lagTimeoutMs: 500, manifestPath, count: 1 });
    assert.is(w.report.decision.verdict, 'NOT READY');
    assert.not.ok(existsSync(manifestPath), 'a manifest was written for data that never read back');
    writeFileSync(manifestPath, JSON.stringify({ format: 'ccready-canary/1', domain: 'demo', worker: 'w', workerId: 'x', canaryId: 'c', forms: [], cases: [] }));
    assert.throws(() => readManifest(manifestPath), /canary\.json: forms: expected a non-empty list/);
    writeFileSync(manifestPath, '{');
    assert.throws(() => readManifest(manifestPath), /canary\.json: expected a JSON canary manifest/);
  } finally {
    await s.stop();
  }
});

test.run();
