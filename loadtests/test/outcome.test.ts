// The judgement of a load run (pure): PASS only when the thresholds held, k6 did the planned work,
// and every acknowledged form was confirmed by an audit that ran; INTERRUPTED never reads as a pass.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { AuditResult } from '../audit.ts';
import { describeK6Exit, judgeRun, plannedIterations, segmentShare, type RunFacts } from '../outcome.ts';
import { defaultPlan, shapeRun } from '../plan.ts';
import type { LoadSummary } from '../summary.ts';

const plan = defaultPlan();
const smoke = shapeRun({ plan, profile: 'smoke', scenario: 'submit', maxDurationS: 3600, workers: 1 });

function summary(over: Partial<LoadSummary> = {}): LoadSummary {
  return {
    durationS: 5.1, iterations: 50, droppedIterations: 0, requests: 50, requestRate: 10, errorRate: 0, httpFailedRate: 0,
    formsAcknowledged: 50, formsRejected: 0, throttled: 0, submissionsStalled: 0, formRate: 10, restoresFull: 0, restoresIncremental: 0, restoreAsync202: 0, restore412: 0,
    casesPerRestore: null, latency: {}, thresholds: [{ metric: 'ccready_errors', threshold: 'rate<0.01', ok: true }], thresholdsOk: true, info: [], ...over,
  };
}

const audited: AuditResult = { checked: true, acknowledged: 50, found: 50, lost: 0, missingFormIds: [], waitedS: 0.2 };

function facts(over: Partial<RunFacts> = {}): RunFacts {
  return {
    plan, shape: smoke, scenario: 'submit', summary: summary(), audit: audited, wantsAudit: true,
    exit: { code: 0, killedByCap: false, interrupted: false }, capS: 155, elapsedS: 6, ackedIds: 50, rejected: [], share: 1, dashboard: true, ...over,
  };
}

test('a complete, audited run with every threshold met is PASS, exit 0', () => {
  const j = judgeRun(facts());
  assert.is(j.verdict, 'PASS');
  assert.is(j.exitCode, 0);
  assert.equal(j.failures, []);
  assert.is(j.complete, true);
  assert.equal(j.completion, { planned: 50, completed: 50, dropped: 0, ratio: 1 });
});

test('the audit wanted but not done (no web user) is FAIL, naming the way out', () => {
  const j = judgeRun(facts({ audit: { ...audited, checked: false, found: 0, note: 'skipped: no web user for the Form API (set CCHQ_WEB_USERNAME/CCHQ_WEB_PASSWORD)' } }));
  assert.is(j.verdict, 'FAIL');
  assert.is(j.exitCode, 1);
  assert.match(j.failures.join('\n'), /integrity audit not done: skipped: no web user.*--no-audit/);
  // …but not when the audit was not asked for
  assert.is(judgeRun(facts({ wantsAudit: false, audit: { ...audited, checked: false, note: 'not requested' } })).verdict, 'PASS');
});

test('an unusable Form API or lost forms are FAIL', () => {
  assert.match(judgeRun(facts({ audit: { ...audited, checked: false, failed: true, note: 'Form API answered 500' } })).failures.join(), /integrity audit failed: Form API answered 500/);
  const lost = judgeRun(facts({ audit: { ...audited, found: 47, lost: 3, missingFormIds: ['a', 'b', 'c'] } }));
  assert.is(lost.verdict, 'FAIL');
  assert.match(lost.failures.join(), /3 of 50 acknowledged forms are missing/);
});

test('acknowledged forms missing from the ack log are FAIL (they cannot be audited)', () => {
  const j = judgeRun(facts({ ackedIds: 45 }));
  assert.is(j.verdict, 'FAIL');
  assert.match(j.failures.join(), /k6 counted 50 acknowledged forms but its log holds 45 ids: 5 cannot be audited/);
});

test('k6 at the cap, or under 95 % of the planned iterations (dropped counted), is FAIL; 95 % passes', () => {
  assert.match(judgeRun(facts({ exit: { code: 0, killedByCap: true, interrupted: false } })).failures.join(), /hard cap of 155s before the plan finished/);
  const short = judgeRun(facts({ summary: summary({ iterations: 14, droppedIterations: 36, formsAcknowledged: 14 }), ackedIds: 14, audit: { ...audited, acknowledged: 14, found: 14 } }));
  assert.is(short.verdict, 'FAIL');
  assert.is(short.complete, false);
  assert.match(short.failures.join(), /k6 completed 14 of 50 planned iterations \(28%, under 95%\); 36 could not start/);
  const enough = judgeRun(facts({ summary: summary({ iterations: 48, formsAcknowledged: 48 }), ackedIds: 48, audit: { ...audited, acknowledged: 48, found: 48 } }));
  assert.is(enough.verdict, 'PASS');
});

test('an interrupted run is INTERRUPTED after N s, exit 130, and never reads as thresholds met; no k6 codes in words', () => {
  const j = judgeRun(facts({ exit: { code: 105, killedByCap: false, interrupted: true }, elapsedS: 12.4, summary: summary({ iterations: 20 }) }));
  assert.is(j.verdict, 'INTERRUPTED');
  assert.is(j.exitCode, 130);
  assert.match(j.failures[0], /^interrupted after 12 s: the run is incomplete$/);
  assert.not.match(JSON.stringify(j), /105/);
  assert.is(j.k6End, 'stopped on an interrupt');
  const audit = judgeRun(facts({ audit: { ...audited, checked: false, interrupted: true, note: 'stopped after 3 s with 20 of 50 forms confirmed' } }));
  assert.is(audit.verdict, 'INTERRUPTED');
  assert.match(audit.failures[0], /interrupted during the integrity audit/);
});

test('k6 ending abnormally is FAIL in words; thresholds failing is FAIL naming them', () => {
  const j = judgeRun(facts({ exit: { code: 107, killedByCap: false, interrupted: false } }));
  assert.match(j.failures.join(), /k6 the script threw an error/);
  assert.not.match(j.failures.join(), /107/);
  assert.is(describeK6Exit(99, false), 'finished, thresholds failed');
  const t = judgeRun(facts({ summary: summary({ thresholdsOk: false, thresholds: [{ metric: 'http_req_duration{kind:submission}', threshold: 'p(95)<2000', ok: false }] }) }));
  assert.match(t.failures.join(), /thresholds failed: http_req_duration\{kind:submission\} p\(95\)<2000/);
});

test('throttling (429) is reported apart from errors; beyond the error budget the planned rate was not tested', () => {
  const few = judgeRun(facts({ summary: summary({ throttled: 0 + 0, submissionsStalled: 3 }) }));
  assert.match(few.notes.join('\n'), /3 accepted submissions took 1 s or more: HQ's submission rate limiter/);
  const some = judgeRun(facts({ summary: summary({ formsAcknowledged: 200, iterations: 50, throttled: 1 }), ackedIds: 200 }));
  assert.is(some.verdict, 'PASS');
  assert.match(some.notes.join('\n'), /HQ throttled 1 requests \(429, 0\.5%\): its rate limiter, not an error/);
  const many = judgeRun(facts({ summary: summary({ formsAcknowledged: 40, throttled: 10 }), ackedIds: 40 }));
  assert.is(many.verdict, 'FAIL');
  assert.match(many.failures.join('\n'), /HQ throttled 10 requests \(429, 20\.0%\).*planned rate was not tested/);
  assert.not.match(many.failures.join('\n'), /thresholds failed/);
});

test('planned iterations: arrival rate × duration, the segment\'s share; none for constant VUs', () => {
  assert.is(plannedIterations(smoke), 50);
  assert.is(plannedIterations(smoke, 0.5), 25);
  const peak = shapeRun({ plan, profile: 'peak', scenario: 'submit', maxDurationS: 3600, workers: 1 });
  const rate = plan.rates.formsPerSecond.peak;
  assert.ok(Math.abs(plannedIterations(peak)! - rate * 600) <= rate * 600 * 0.02, `${plannedIterations(peak)} vs ${rate * 600}`);
  assert.is(plannedIterations(shapeRun({ plan, profile: 'peak', scenario: 'mobile-day', maxDurationS: 3600, workers: 1 })), null);
  assert.is(segmentShare('0:1/2'), 0.5);
  assert.is(segmentShare('1/3:2/3'), 1 / 3);
  assert.is(segmentShare(undefined), 1);
  assert.ok(Number.isNaN(segmentShare('x:y')));
});

test('workers refused by HQ (401/403) are the credentials, not the server: said first, exit 2, no service named', () => {
  const rejected = [{ kind: 'submission', status: '401', nature: '-', count: 12 }, { kind: 'restore', status: '403', nature: '-', count: 3 }, { kind: 'submission', status: '500', nature: '-', count: 2 }];
  const j = judgeRun(facts({ rejected, workersFrom: '--users-csv workers.csv', summary: summary({ thresholdsOk: false, thresholds: [{ metric: 'ccready_errors', threshold: 'rate<0.01', ok: false }] }) }));
  assert.is(j.verdict, 'FAIL');
  assert.is(j.exitCode, 2);
  assert.match(j.failures[0], /^HQ refused 15 requests of mobile workers \(401\/403: .*check the workers' credentials \(--users-csv workers\.csv\)/);
  assert.match(j.failures.join('\n'), /thresholds failed/);
  // a run whose only failures are server errors keeps exit 1
  const server = judgeRun(facts({ rejected: [{ kind: 'submission', status: '500', nature: '-', count: 2 }], summary: summary({ thresholdsOk: false, thresholds: [{ metric: 'ccready_errors', threshold: 'rate<0.01', ok: false }] }) }));
  assert.is(server.exitCode, 1);
  assert.not.match(server.failures.join(), /refused/);
  // one refused request is enough to say so, even when every threshold held
  const one = judgeRun(facts({ rejected: [{ kind: 'submission', status: '401', nature: '-', count: 1 }] }));
  assert.is(one.verdict, 'FAIL');
  assert.is(one.exitCode, 2);
});

test('the refused workers are named (five, then how many more), after the file they came from', () => {
  const workers = ['w7', 'w1', 'w3', 'w2', 'w6', 'w5', 'w4'];
  const named = judgeRun(facts({ rejected: [{ kind: 'submission', status: '401', nature: '-', count: 9, workers: workers.slice(0, 2) }, { kind: 'restore', status: '401', nature: '-', count: 4, workers: ['w1'] }], workersFrom: '--users-csv workers.csv' }));
  assert.match(named.failures[0], /check the workers' credentials \(--users-csv workers\.csv: w1, w7\);/);
  const many = judgeRun(facts({ rejected: [{ kind: 'submission', status: '403', nature: '-', count: 7, workers }] }));
  assert.match(many.failures[0], /check the workers' credentials \(refused: w1, w2, w3, w4, w5 and 2 more\);/);
});

test.run();
