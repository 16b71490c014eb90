// `ccready verify migration` end to end on loopback: two stand-ins seeded with the same history
// are MIGRATED (exit 0); one that lost a month is INCOMPLETE (exit 1) naming the month, the xmlns
// and the count difference; a 429 with Retry-After is waited out, not counted as a difference.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { createServer, request, type Server } from 'node:http';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSim, type RunningSim } from '../../../fixtures/hq-sim/index.ts';
import { runMigration } from '../index.ts';
import type { Target } from '../../../common/target.ts';

const root = new URL('../../../', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'ccready-migration-'));
const opts = { users: 4, casesPerUser: 2, history: 24, pillowDelayMs: 0 };
let source: RunningSim, same: RunningSim, gap: RunningSim, lost: RunningSim;

function envFile(s: RunningSim, name: string, url = s.url): string {
  const path = join(dir, name);
  writeFileSync(path, Object.entries({ ...s.env(), CCHQ_URL: url }).map(([k, v]) => `${k}=${v}`).join('\n'), { mode: 0o600 });
  return path;
}

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'cli/main.ts'), ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const killer = setTimeout(() => child.kill('SIGKILL'), 90_000);
  return new Promise((resolve) => child.on('close', (code) => (clearTimeout(killer), resolve({ code, stdout, stderr }))));
}

const targetOf = (s: RunningSim, url = s.url): Target => ({ url, domain: s.domain, web: { username: s.web.username, password: s.web.password } });

test.before(async () => {
  [source, same, gap, lost] = await Promise.all([startSim(opts), startSim(opts), startSim({ ...opts, historyGap: ['2025-03'] }), startSim(opts)]);
});
test.after(async () => {
  await Promise.all([source?.stop(), same?.stop(), gap?.stop(), lost?.stop()]);
});

test('same history on both → MIGRATED, exit 0, JSON and Markdown reports', async () => {
  const out = join(dir, 'ok');
  const r = await cli(['verify', 'migration', '--source-env', envFile(source, 'a.env'), '--target-env', envFile(same, 'b.env'), '--samples', '3', '--out', out]);
  assert.is(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^MIGRATED: 24 months, \d+ forms/m);
  const rep = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
  assert.is(rep.verdict, 'MIGRATED');
  assert.is(rep.months.length, 24);
  assert.ok(rep.totals.sourceForms > 300, `only ${rep.totals.sourceForms} forms`);
  assert.is(rep.totals.sourceForms, rep.totals.targetForms);
  assert.is(rep.totals.sampled, 24 * 3);
  assert.is(rep.totals.restoredWorkers, 3);
  assert.match(r.stdout, /3 sampled mobile workers restore with all their open cases/);
  assert.equal(rep.differences, []);
  assert.match(readFileSync(join(out, 'report.md'), 'utf8'), /# Migration check: MIGRATED/);
  // no secret in what was printed or written
  for (const text of [r.stdout, r.stderr, readFileSync(join(out, 'report.json'), 'utf8')]) assert.not.ok(text.includes(source.web.password));
});

test('a month missing on the target → INCOMPLETE, exit 1, naming 2025-03, each xmlns and its count difference', async () => {
  const out = join(dir, 'gap');
  const r = await cli(['verify', 'migration', '--source-env', envFile(source, 'a.env'), '--target-env', envFile(gap, 'c.env'), '--out', out]);
  assert.is(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /^INCOMPLETE: /m);
  const rep = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
  const counts = rep.differences.filter((d: { kind: string }) => d.kind === 'forms');
  const d = source.server.store.domain(source.domain)!;
  const march = d.formList.filter((f) => new Date(f.receivedOn).toISOString().startsWith('2025-03'));
  assert.ok(march.length > 0);
  // every app form seen in March is named, with the exact number lost, and no other month
  const expected = new Map<string, number>();
  for (const f of march) expected.set(f.xmlns, (expected.get(f.xmlns) ?? 0) + 1);
  assert.is(counts.length, expected.size);
  for (const c of counts) {
    assert.is(c.month, '2025-03');
    assert.is(c.source, expected.get(c.xmlns));
    assert.is(c.target, 0);
    assert.is(c.difference, -expected.get(c.xmlns)!);
    assert.ok(r.stdout.includes(`2025-03 forms of ${c.xmlns}: source ${c.source}, target 0 (-${c.source})`), r.stdout);
  }
  assert.ok(rep.differences.every((x: { month?: string }) => x.month === '2025-03'));
  assert.match(readFileSync(join(out, 'report.md'), 'utf8'), /2025-03 forms of http/);
});

test('a worker whose case lost its owner on the target: counts agree, the restore sample names the worker and the case', async () => {
  // On the target, one person case of worker1 no longer belongs to them (its owner link lost in the
  // move): listed by the Case API as before, so only a restore shows it is gone from the phone.
  const d = lost.server.store.domain(lost.domain)!;
  const worker = [...lost.server.store.users.values()].find((u) => u.kind === 'mobile' && u.domain === lost.domain && u.username.startsWith('worker1@'))!;
  const owned = [...d.casesByOwner.get(worker.id)!].map((id) => d.cases.get(id)!).filter((c) => !c.closed);
  const person = owned.find((c) => c.caseType === 'person')!;
  d.casesByOwner.get(worker.id)!.delete(person.id);
  const out = join(dir, 'lost');
  const r = await cli(['verify', 'migration', '--source-env', envFile(source, 'a.env'), '--target-env', envFile(lost, 'd.env'), '--samples', '1', '--workers', '4', '--out', out]);
  assert.is(r.code, 1, r.stdout + r.stderr);
  const rep = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
  assert.equal(rep.differences.map((x: { kind: string }) => x.kind), ['restore'], r.stdout);
  const [x] = rep.differences;
  assert.is(x.worker, worker.username);
  assert.is(x.source, owned.length);
  assert.is(x.target, owned.length - 1);
  assert.ok(x.detail.includes(person.id));
  assert.ok(r.stdout.includes(`mobile worker ${worker.username} restores on the target with ${owned.length - 1} of their ${owned.length} open cases (-1; missing ${person.id})`), r.stdout);
  assert.is(rep.totals.restoredWorkers, 4);
});

test('429 with Retry-After is waited out and the run still compares everything', async () => {
  let refused = 0;
  const proxy: Server = createServer((req, res) => {
    if (refused < 2 && req.url?.includes('/api/form/v1/')) {
      refused++;
      res.writeHead(429, { 'retry-after': '1' }).end('slow down');
      return;
    }
    const up = request(`${same.url}${req.url}`, { method: req.method, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode!, r.headers);
      r.pipe(res);
    });
    req.pipe(up);
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  try {
    const port = (proxy.address() as { port: number }).port;
    const rep = await runMigration(targetOf(source), targetOf(same, `http://127.0.0.1:${port}`), { runId: 't', samplesPerMonth: 1 });
    assert.is(refused, 2);
    assert.is(rep.requests.retryWaits, 2);
    assert.is(rep.verdict, 'MIGRATED', rep.findings.join('\n'));
  } finally {
    proxy.closeAllConnections();
    await new Promise((r) => proxy.close(r));
  }
});

test('bad input: one line naming the flag, exit 2, no report', async () => {
  const r = await cli(['verify', 'migration', '--target-env', envFile(same, 'b.env')]);
  assert.is(r.code, 2);
  assert.match(r.stderr, /--source: expected the source server's URL/);
  assert.is(r.stderr.trim().split('\n').length, 1, r.stderr);
  const s = await cli(['verify', 'migration', '--source', 'ftp://x', '--source-domain', 'demo', '--target-env', envFile(same, 'b.env')]);
  assert.is(s.code, 2);
  assert.match(s.stderr, /source: --source: expected an http\(s\) URL/);
});

test.run();
