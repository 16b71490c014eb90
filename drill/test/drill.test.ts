// The backup drill against the stand-in with a data directory (issue 14): a clean snapshot and
// restore PASSes with RPO and RTO; a restore from an older snapshot (--lose-after) is caught with the
// lost trickle forms named and RPO ≈ the time since the snapshot; a damaged attachment is caught by
// its hash and a lost user by name, each naming its store.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSim, type RunningSim, type SimOptions } from '../../fixtures/hq-sim/index.ts';
import { takeSnapshot } from '../../fixtures/hq-sim/persist.ts';
import { drillWrite, drillCheck, drillRetire, type DrillOptions } from '../index.ts';
import { targetOf, fast } from '../../verify/test/helpers.ts';
import { runCli } from '../../common/test/run-cli.ts';
import type { VerifyReport } from '../../verify/types.ts';

const t = suite('drill backup');
const tmp = mkdtempSync(join(tmpdir(), 'ccready-drill-'));
t.after(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;

const start = (dataDir: string, o: SimOptions = {}): Promise<RunningSim> => startSim({ dataDir, pillowDelayMs: 0, users: 1, casesPerUser: 1, ...o });
const step = (r: VerifyReport, id: string) => r.steps.find((s) => s.id === id)!;

/** Writes the drill, then trickle forms every 100 ms until `trickles` of them; `at[k]` runs after the k-th. */
async function write(sim: RunningSim, manifestPath: string, trickles: number, at: Record<number, () => void> = {}) {
  const ac = new AbortController();
  const o: DrillOptions = {
    ...fast(sim),
    manifestPath,
    count: 1,
    trickleS: trickles ? 0.1 : undefined,
    signal: ac.signal,
    onProgress: (e) => {
      const k = e.kind === 'note' ? /^trickle form (\d+) written/.exec(e.message)?.[1] : undefined;
      if (k === undefined) return;
      at[Number(k)]?.();
      if (Number(k) >= trickles) ac.abort();
    },
  };
  return drillWrite(targetOf(sim), o);
}

t('a clean backup and restore PASSes, with RPO and RTO', async () => {
  const dataDir = join(tmp, `d${++n}`);
  const manifest = join(tmp, `m${n}.json`);
  const snap = join(tmp, `s${n}.snap`);
  const a = await start(dataDir);
  const w = await write(a, manifest, 4);
  assert.is(w.report.decision.verdict, 'PASS', JSON.stringify(w.report.steps.map((s) => [s.id, s.status, s.reason])));
  assert.is(w.trickled, 4);
  assert.is(statSync(manifest).mode & 0o777, 0o600);
  takeSnapshot(dataDir, snap); // the backup, after the last trickle form
  await a.stop();
  const restoreStarted = new Date();
  const b = await start(dataDir, { loseAfter: snap });
  try {
    const c = await drillCheck(targetOf(b), { ...fast(b), manifestPath: manifest, restoreStarted });
    assert.is(c.report.decision.verdict, 'PASS', JSON.stringify(c.report.steps.map((s) => [s.id, s.status, s.reason])));
    assert.is(c.report.decision.exitCode, 0);
    assert.is(step(c.report, 'K6-rpo').metrics?.rpoSeconds, 0, 'nothing recent was lost');
    const rto = step(c.report, 'K1-recovery').metrics?.rtoSeconds;
    assert.ok(rto !== undefined && rto >= 0 && rto < 30, `RTO ${rto}`);
    // Done: `drill backup retire` retires the drill worker (HQ soft-deletes its data); a second time reads that from the manifest and asks HQ nothing (HQ would answer its DELETE with a 500).
    const r1 = await drillRetire(targetOf(b), { ...fast(b), manifestPath: manifest });
    assert.is(r1.report.decision.verdict, 'PASS', JSON.stringify(r1.report.steps.map((s) => [s.id, s.status, s.reason])));
    assert.ok(step(r1.report, 'D9-retire').evidence.some((e) => e.endsWith('retired')), JSON.stringify(step(r1.report, 'D9-retire').evidence));
    const gone = await fetch(`${b.url}/a/${b.domain}/api/user/v1/${r1.manifest.worker.id}/`, { headers: { authorization: `Basic ${Buffer.from(`${b.web.username}:${b.web.password}`).toString('base64')}` } });
    // the stand-in's User API then answers 400 "Could not find user" for it
    assert.match(`${gone.status} ${await gone.text()}`, /^400 .*Could not find user/, 'the drill worker is still there');
    assert.ok((JSON.parse(readFileSync(manifest, 'utf8')) as { retiredAt?: string }).retiredAt, 'the manifest does not say the worker was retired');
    const r2 = await drillRetire(targetOf(b), { ...fast(b), manifestPath: manifest });
    assert.is(r2.report.decision.verdict, 'PASS');
    assert.ok(step(r2.report, 'D9-retire').evidence.some((e) => /was retired at .* \(the manifest says so\)/.test(e)));
  } finally {
    await b.stop();
  }
});

t('--lose-after: the trickle forms after the snapshot are named lost, RPO ≈ time since the snapshot, FAIL over --max-rpo', async () => {
  const dataDir = join(tmp, `d${++n}`);
  const manifest = join(tmp, `m${n}.json`);
  const snap = join(tmp, `s${n}.snap`);
  const a = await start(dataDir);
  let snapAt = 0;
  // The backup is taken after the 3rd trickle form; 8 more follow it.
  await write(a, manifest, 11, { 3: () => ((snapAt = Date.now()), takeSnapshot(dataDir, snap)) });
  const wroteUntil = Date.now();
  await a.stop();
  const b = await start(dataDir, { loseAfter: snap });
  try {
    const c = await drillCheck(targetOf(b), { ...fast(b), manifestPath: manifest, maxRpoS: 0.5 });
    assert.is(c.report.decision.verdict, 'FAIL', JSON.stringify(c.report.steps.map((s) => [s.id, s.status, s.reason, s.evidence])));
    assert.is(c.report.decision.exitCode, 1);
    const rpo = step(c.report, 'K6-rpo');
    assert.is(rpo.status, 'fail');
    assert.is(rpo.metrics?.trickleLost, 8);
    assert.ok(rpo.evidence.some((e) => /^lost: trickle form [0-9a-f-]{36} written /.test(e)), 'lost items named');
    const since = (wroteUntil - snapAt) / 1000;
    assert.ok(Math.abs((rpo.metrics?.rpoSeconds ?? -9) - since) <= 1, `RPO ${rpo.metrics?.rpoSeconds} s vs ${since.toFixed(1)} s since the snapshot`);
    assert.is(step(c.report, 'K2-forms').status, 'pass', 'the drill forms themselves were in the snapshot');
  } finally {
    await b.stop();
  }
});

t('a damaged attachment is caught by hash (BlobDB) and a dropped user by name (CouchDB)', async () => {
  const dataDir = join(tmp, `d${++n}`);
  const manifest = join(tmp, `m${n}.json`);
  const a = await start(dataDir);
  const w = await write(a, manifest, 0);
  assert.is(w.report.decision.verdict, 'PASS', JSON.stringify(w.report.steps.map((s) => [s.id, s.status, s.reason])));
  await a.stop();
  const b = await start(dataDir, { corruptBlobs: 1, dropUsers: true });
  try {
    const c = await drillCheck(targetOf(b), { ...fast(b), manifestPath: manifest });
    assert.is(c.report.decision.verdict, 'FAIL');
    const att = step(c.report, 'K3-attachments');
    assert.is(att.status, 'fail');
    assert.match(att.reason!, /^BlobDB \(attachments\) lost or changed 1 of 1 drill items \(e\.g\. [0-9a-f-]{36}\/photo\.jpg: changed \(sha256 /);
    const user = step(c.report, 'K5-worker');
    assert.is(user.status, 'fail');
    assert.match(user.reason!, /^CouchDB \(users\) lost or changed 1 of 1 drill items \(e\.g\. mobile worker ccready-.*: missing \(400\)\)/);
    assert.is(step(c.report, 'K2-forms').status, 'pass', 'the form XML itself is intact');
    assert.is(step(c.report, 'K4-cases').status, 'pass');
  } finally {
    await b.stop();
  }
});

t('--backup-time: forms acknowledged before the stated backup time must survive; the RPO it promises is reported', async () => {
  const dataDir = join(tmp, `d${++n}`);
  const manifest = join(tmp, `m${n}.json`);
  const snap = join(tmp, `s${n}.snap`);
  const a = await start(dataDir);
  let snapAt = 0;
  await write(a, manifest, 8, { 3: () => ((snapAt = Date.now()), takeSnapshot(dataDir, snap)) });
  const wroteUntil = Date.now();
  await a.stop();
  const b = await start(dataDir, { loseAfter: snap });
  try {
    // The operator states the real backup time: the forms after it are lost, as expected.
    const right = await drillCheck(targetOf(b), { ...fast(b), manifestPath: manifest, backupTime: new Date(snapAt) });
    const k6 = step(right.report, 'K6-rpo');
    assert.is(k6.status, 'pass', JSON.stringify([k6.reason, k6.evidence]));
    assert.ok(k6.required, '--backup-time makes the RPO step count');
    assert.ok(k6.evidence.some((e) => e.startsWith(`backup time given: ${new Date(snapAt).toISOString()}`)));
    assert.is(k6.metrics?.trickleLost, 5);
    // A backup said to be taken after every trickle form (5 s later, beyond the clock tolerance) lacks them: FAIL.
    const wrong = await drillCheck(targetOf(b), { ...fast(b), manifestPath: manifest, backupTime: new Date(wroteUntil + 5000) });
    assert.is(wrong.report.decision.verdict, 'FAIL');
    assert.match(step(wrong.report, 'K6-rpo').reason!, /^the backup said to be taken at .* lacks 5 trickle forms acknowledged before it \(the first [0-9a-f-]{36}, written /);
  } finally {
    await b.stop();
  }
});

t('the app build the worker used is fingerprinted; a restore at another address keeps it, a different build is named', async () => {
  const dataDir = join(tmp, `d${++n}`);
  const manifest = join(tmp, `m${n}.json`);
  const a = await start(dataDir);
  const w = await write(a, manifest, 0);
  assert.is(step(w.report, 'D4-app-build').status, 'pass', JSON.stringify(step(w.report, 'D4-app-build')));
  const m = JSON.parse(readFileSync(manifest, 'utf8'));
  assert.is(m.appBuild.appId, a.appId);
  assert.equal(m.appBuild.files.map((f: { file: string }) => f.file), ['profile.ccpr', 'suite.xml']);
  await a.stop();
  // The same data restored behind another port: HQ writes its own address into the build's files.
  const b = await start(dataDir);
  try {
    assert.is.not(b.url, a.url);
    const same = await drillCheck(targetOf(b), { ...fast(b), manifestPath: manifest });
    assert.is(same.report.decision.verdict, 'PASS', JSON.stringify(same.report.steps.map((s) => [s.id, s.status, s.reason])));
    assert.is(step(same.report, 'K8-app-build').status, 'pass');
    assert.ok(step(same.report, 'K8-app-build').required);
    // A build with other files than the one the worker used (recorded here as a different hash) is named.
    m.appBuild.files[1].sha256 = '0'.repeat(64);
    writeFileSync(manifest, JSON.stringify(m));
    const other = await drillCheck(targetOf(b), { ...fast(b), manifestPath: manifest });
    assert.is(other.report.decision.verdict, 'FAIL');
    assert.match(step(other.report, 'K8-app-build').reason!, new RegExp(`^CouchDB \\(apps\\) lost or changed 1 of 2 drill items \\(e\\.g\\. app build ${b.appId} suite\\.xml: changed \\(sha256 `));
  } finally {
    await b.stop();
  }
});

t('CLI: `drill backup retire` retires the worker of the manifest, exit 0, its report written', async () => {
  const dataDir = join(tmp, `d${++n}`);
  const manifest = join(tmp, `m${n}.json`);
  const a = await start(dataDir);
  try {
    const w = await write(a, manifest, 0);
    assert.is(w.report.decision.verdict, 'PASS');
    const env = join(tmp, `e${n}.env`);
    writeFileSync(env, Object.entries(a.env()).map(([k, v]) => `${k}=${v}`).join('\n') + '\n', { mode: 0o600 });
    const out = join(tmp, `out${n}`);
    const r = await runCli(['drill', 'backup', 'retire', '--target-env', env, '--manifest', manifest, '--out', out]);
    assert.is(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^PASS$/m);
    const rep = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as VerifyReport;
    assert.is(rep.kind, 'drill-retire');
    assert.is(step(rep, 'D9-retire').status, 'pass');
    assert.not.ok((r.stdout + r.stderr).includes(a.web.password), 'a password was printed');
  } finally {
    await a.stop();
  }
});

t.run();
