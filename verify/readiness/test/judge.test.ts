// The go-live judgement, rule by rule, on evidence built in the test (the CLI test runs it over
// real run folders): every blocking reason is named, nothing missing passes as READY.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CHECKPOINTS, attestationsTemplate, classifyRun, isAttested, judgeReadiness, parseAttestations, parseMaxAge, type Evidence } from '../index.ts';

const NOW = new Date('2026-11-30T10:00:00Z');
const T = 'https://hq.example.org';
const DAY = 86_400_000;
const ago = (days: number) => new Date(NOW.getTime() - days * DAY).toISOString();

function ev(kind: Evidence['kind'], o: Partial<Evidence> = {}): Evidence {
  return { kind, dir: `/runs/${kind}${o.profile ?? ''}`, runId: `${kind}-${o.profile ?? 'x'}`, at: ago(1), target: kind === 'sizing' ? undefined : T, ok: true, summary: 'READY', ...o };
}

function allEvidence(): Evidence[] {
  return [
    ev('sizing', { sizingConfig: 'configs/plan.yml', at: ago(90) }),
    ev('verify'),
    ev('gate'),
    ev('load', { profile: 'normal', sizingConfig: '/abs/configs/plan.yml' }),
    ev('load', { profile: 'peak', sizingConfig: 'plan.yml' }),
    ev('drill'),
    ev('monitoring', { steps: { 'node-exporter': 'pass', 'error-logging': 'pass' } }),
  ];
}

function allSigned(extra = ''): string {
  const rows = CHECKPOINTS.filter((c) => isAttested(c) && !c.optional).map((c) => `  ${c.id}: { by: "A. Banda, MSP lead", date: 2026-11-20, link: "https://wiki.example.org/${c.id}" }`);
  return `target: ${T}\nattestations:\n${rows.join('\n')}\n${extra}`;
}

const judge = (evidence: Evidence[], yamlText = allSigned(), o: { target?: string; maxAgeDays?: number; named?: Evidence[] } = {}) =>
  judgeReadiness({ evidence, named: o.named, attestations: parseAttestations(yamlText, 'attestations.yml', '2026-11-30'), target: o.target, maxAgeMs: (o.maxAgeDays ?? 14) * DAY, now: NOW });

const blockingIds = (r: ReturnType<typeof judge>) => r.rows.filter((x) => x.status === 'blocking').map((x) => x.checkpoint.id);

test('the matrix holds every checkpoint of Phases 1-6, each with section and wording, ids unique', () => {
  assert.is(CHECKPOINTS.length, 24);
  assert.is(new Set(CHECKPOINTS.map((c) => c.id)).size, CHECKPOINTS.length);
  assert.equal([...new Set(CHECKPOINTS.map((c) => c.phase))], [1, 2, 3, 4, 5, 6]);
  for (const c of CHECKPOINTS) assert.ok(c.id.startsWith(c.section.split(' ')[0]!), `${c.id} in ${c.section}`);
  assert.ok(CHECKPOINTS.some((c) => c.text.startsWith('A full backup and restore is completed for the entire system including PostgreSQL, CouchDB, BlobDB, and ElasticSearch')));
  assert.equal(CHECKPOINTS.filter((c) => !isAttested(c)).map((c) => c.id), ['1.2-server-configuration', '3.1-tests-passed', '3.1-real-conditions', '4.1-load-tested', '4.2-health-dashboards', '4.2-error-logging', '4.3-backup-restore']);
});

test('all evidence present, recent, same target, passing, everything attested → GO-LIVE READY, exit 0', () => {
  const r = judge(allEvidence());
  assert.is(r.decision.verdict, 'GO-LIVE READY', r.decision.blocking.join('\n'));
  assert.is(r.decision.exitCode, 0);
  assert.equal(blockingIds(r), []);
  assert.is(r.rows.find((x) => x.checkpoint.id === '4.1-load-tested')!.status, 'proven');
  assert.is(r.rows.find((x) => x.checkpoint.id === '3.3-app-moved')!.status, 'optional', 'blank optional rows block nothing');
  assert.is(r.rows.find((x) => x.checkpoint.id === '2.2-hosting-agreement')!.status, 'attested');
});

test('each missing, failed, stale or foreign-target run blocks its row and is named', () => {
  const e = allEvidence().filter((x) => x.kind !== 'drill');
  e.find((x) => x.kind === 'verify')!.ok = false;
  e.find((x) => x.kind === 'verify')!.summary = 'NOT READY: failing: redis';
  e.find((x) => x.kind === 'gate')!.at = ago(20);
  e.find((x) => x.profile === 'peak')!.target = 'https://staging.example.org';
  const r = judge(e);
  assert.is(r.decision.verdict, 'NOT READY');
  assert.is(r.decision.exitCode, 1);
  assert.equal(blockingIds(r), ['3.1-tests-passed', '3.1-real-conditions', '4.1-load-tested', '4.3-backup-restore']);
  const line = (id: string) => r.decision.blocking.find((b) => b.startsWith(id))!;
  assert.match(line('3.1-tests-passed'), /verify run verify-x: NOT READY: failing: redis/);
  assert.match(line('3.1-real-conditions'), /gate run gate-x is 20 days old \(limit 14 days\)/);
  assert.match(line('4.1-load-tested'), /load run load-peak is about https:\/\/staging\.example\.org, not https:\/\/hq\.example\.org/);
  assert.match(line('4.3-backup-restore'), /no run found: backup-and-restore drill passed/);
});

test('a newer run about another server is left aside when one about the target exists (and noted)', () => {
  const e = allEvidence();
  e.push(ev('verify', { runId: 'verify-staging', at: ago(0.1), target: 'https://staging.example.org/', ok: false }));
  const r = judge(e);
  assert.is(r.decision.verdict, 'GO-LIVE READY');
  assert.ok(r.notes.some((n) => /verify run verify-staging is about https:\/\/staging/.test(n)), r.notes.join('\n'));
});

test('the newest run of a kind counts: an older pass does not hide a newer failure; --evidence picks a run', () => {
  const e = allEvidence();
  e.push(ev('verify', { runId: 'verify-new', at: ago(0.5), ok: false, summary: 'NOT READY: failing: couch' }));
  assert.equal(blockingIds(judge(e)), ['3.1-tests-passed']);
  assert.equal(blockingIds(judge(e, allSigned(), { named: [e.find((x) => x.runId === 'verify-x')!] })), []);
});

test('load runs must use a plan from the sizing config of the verdict; the built-in plan proves nothing', () => {
  const e = allEvidence();
  e.find((x) => x.profile === 'normal')!.sizingConfig = 'other.yml';
  delete e.find((x) => x.profile === 'peak')!.sizingConfig;
  const r = judge(e);
  const line = r.decision.blocking.find((b) => b.startsWith('4.1'))!;
  assert.match(line, /plan from other\.yml, but the sizing verdict is for configs\/plan\.yml/);
  assert.match(line, /load-peak used the built-in plan/);
});

test('the sizing verdict does not go stale (a plan, not a measurement) but must fit', () => {
  const e = allEvidence();
  const s = e.find((x) => x.kind === 'sizing')!;
  s.at = ago(400);
  assert.equal(blockingIds(judge(e)), []);
  s.ok = false;
  s.summary = 'does not fit 8c/32GB/2TB: storage 2027-08';
  assert.match(judge(e).decision.blocking[0]!, /^1\.2-server-configuration: sizing run .*does not fit 8c\/32GB\/2TB: storage 2027-08/);
});

test('error logging needs the monitoring run to have sent a test event', () => {
  const e = allEvidence();
  e.find((x) => x.kind === 'monitoring')!.steps = { 'node-exporter': 'pass', 'error-logging': 'skip' };
  assert.match(judge(e).decision.blocking.join('\n'), /4\.2-error-logging: monitoring run monitoring-x did not test error logging \(add --sentry-dsn\)/);
});

test('waivers: a live one settles a row (listed as waived), an expired one blocks and is named', () => {
  const e = allEvidence().filter((x) => x.kind !== 'drill');
  const live = judge(e, allSigned('waivers:\n  4.3-backup-restore: { reason: "drill booked for Dec 3", by: "MSP", expires: 2026-12-05 }\n'));
  assert.is(live.decision.verdict, 'GO-LIVE READY');
  assert.equal(live.decision.waived, ['4.3-backup-restore: waived until 2026-12-05 (drill booked for Dec 3)']);
  const expired = judge(e, allSigned('waivers:\n  4.3-backup-restore: { reason: "drill booked", expires: 2026-11-29 }\n'));
  assert.is(expired.decision.verdict, 'NOT READY');
  assert.match(expired.decision.blocking[0]!, /^4\.3-backup-restore: no run found.*; waiver expired on 2026-11-29 \(drill booked\)$/);
});

test('unattested rows block; blank template entries are not attestations', () => {
  const r = judge(allEvidence(), attestationsTemplate().replace('target: ""', `target: ${T}`));
  assert.equal(blockingIds(r), CHECKPOINTS.filter((c) => isAttested(c) && !c.optional).map((c) => c.id));
  assert.match(r.decision.blocking[0]!, /not attested: fill in by and date for 1\.2-architecture-diagram/);
});

test('the target: --target beats the file; without any, the newest verify/gate run names it', () => {
  const r = judge(allEvidence(), allSigned(), { target: 'https://other.example.org' });
  assert.is(r.target, 'https://other.example.org');
  assert.ok(blockingIds(r).includes('3.1-tests-passed'));
  const noFile = judgeReadiness({ evidence: allEvidence(), maxAgeMs: 14 * DAY, now: NOW });
  assert.is(noFile.target, T);
  assert.match(noFile.targetSource, /newest (verify|gate) run/);
});

test('attestations file errors are one line naming the key', () => {
  const bad = (y: string) => {
    try {
      parseAttestations(y, 'a.yml', '2026-11-30');
    } catch (e) {
      return (e as Error).message;
    }
    return 'no error';
  };
  assert.match(bad('attestations:\n  9.9-nope: { by: x, date: 2026-01-01 }'), /^a\.yml: attestations\.9\.9-nope: no such checkpoint; expected one of 1\.2-architecture-diagram/);
  assert.match(bad('attestations:\n  6.1-support-sla: { by: x, date: 2026-13-45 }'), /^a\.yml: attestations\.6\.1-support-sla\.date: expected a date YYYY-MM-DD/);
  assert.match(bad('attestations:\n  6.1-support-sla: { by: x, date: 2026-12-24 }'), /not after today \(2026-11-30\)/);
  assert.match(bad('attestations:\n  6.1-support-sla: { by: x }'), /6\.1-support-sla\.date: expected the date/);
  assert.match(bad('attestations:\n  4.1-load-tested: { by: x, date: 2026-11-01 }'), /4\.1-load-tested: this checkpoint is proven by ccready runs \(load-normal, load-peak\), not attested; .*waiver/);
  assert.match(bad('waivers:\n  4.1-load-tested: { reason: later }'), /waivers\.4\.1-load-tested\.expires: expected a date/);
  assert.match(bad('targett: x'), /^a\.yml: targett: unknown key/);
  assert.match(bad('a: [1'), /^a\.yml: expected YAML/);
  assert.not.match(bad('a: [1'), /\n/);
});

test('--max-age accepts 14d, 36h, 2w and names itself otherwise', () => {
  assert.is(parseMaxAge('14d'), 14 * DAY);
  assert.is(parseMaxAge('36h'), 1.5 * DAY);
  assert.is(parseMaxAge('2w'), 14 * DAY);
  assert.throws(() => parseMaxAge('14'), /--max-age: expected a positive age like 14d/);
  assert.throws(() => parseMaxAge('0d'), /--max-age/);
});

test('run folders: verify, gate, load, sizing and drill reports are read; a canary or unknown folder proves nothing', () => {
  const verify = classifyRun('/r/a', { reportJson: JSON.stringify({ kind: 'verify', runId: 'a', target: T, finishedAt: ago(1), interrupted: false, steps: [{ id: '01', status: 'pass' }], decision: { verdict: 'READY', exitCode: 0, summary: 'every required step passed' } }) })!;
  assert.equal([verify.kind, verify.ok, verify.target, verify.steps], ['verify', true, T, { '01': 'pass' }]);
  const interrupted = classifyRun('/r/a', { reportJson: JSON.stringify({ kind: 'gate', finishedAt: ago(1), interrupted: true, decision: { exitCode: 0 } }) })!;
  assert.is(interrupted.ok, false, 'an interrupted run proves nothing');
  assert.is(classifyRun('/r/c', { reportJson: JSON.stringify({ kind: 'canary-write', finishedAt: ago(1) }) }), null);
  const drillWrite = classifyRun('/r/d', { reportJson: JSON.stringify({ kind: 'drill-write', finishedAt: ago(1), decision: { exitCode: 0 } }) })!;
  assert.equal([drillWrite.kind, drillWrite.ok], ['drill', false]);
  assert.is(classifyRun('/r/e', { reportJson: JSON.stringify({ kind: 'drill-retire', finishedAt: ago(0), decision: { exitCode: 0 } }) }), null, 'a retire is not a drill proof');
  assert.equal(classifyRun('/r/f', { reportJson: JSON.stringify({ kind: 'drill-check', finishedAt: ago(1), decision: { exitCode: 0 } }) })!.ok, true);
  const load = classifyRun('/r/l', { runJson: JSON.stringify({ runId: 'l', target: T, profile: 'peak', scenario: 'submit', endedAt: ago(1), verdict: 'PASS', summary: { thresholdsOk: true }, audit: { checked: false }, plan: { source: { sizing: 'x.yml' } } }) })!;
  assert.equal([load.kind, load.profile, load.sizingConfig, load.ok], ['load', 'peak', 'x.yml', false]);
  assert.match(load.summary, /not audited/);
  const sizing = classifyRun('/r/s', { verdictJson: JSON.stringify({ format: 'ccready-verdict/1', config_file: 'x.yml', verdicts: [{ fits: false, server: { cores: 8, ram_gb: 32, disk_tb: 2 }, limits: [{ label: 'storage (disk)', status: 'DOES NOT FIT', firstCrossed: '2027-08' }] }] }), verdictAt: ago(3) })!;
  assert.equal([sizing.kind, sizing.ok, sizing.summary], ['sizing', false, 'does not fit 8c/32GB/2TB: storage 2027-08']);
  assert.throws(() => classifyRun('/r/x', { runJson: '{nope' }), /\/r\/x\/run\.json: expected JSON written by ccready/);
});

test.run();
