// One composer for run, k8s and bundle: the defaults exist once, the config carries the target's
// TLS choice to k6, and a run past the ceilings needs --beyond-ceilings.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { defaultPlan } from '../plan.ts';
import { CEILINGS, prepareRun } from '../prepare.ts';
import { throwsUsage as usage } from './throws-usage.ts';

const target = { url: 'http://127.0.0.1:8000', domain: 'demo' };


test('defaults once: smoke without a plan, peak with one; the audit wanted where forms are submitted', () => {
  const a = prepareRun({ runId: 'r', target, workers: 1 });
  assert.is(a.profile, 'smoke');
  assert.is(a.scenario, 'submit');
  assert.is(a.wantsAudit, true);
  assert.is(a.config.logAcks, true);
  assert.is(a.maxDurationS, 3600);
  const b = prepareRun({ runId: 'r', target, workers: 1, plan: defaultPlan(), scenario: 'restore' });
  assert.is(b.profile, 'peak');
  assert.is(b.wantsAudit, false);
  assert.is(b.config.options.insecureSkipTLSVerify, undefined);
  const c = prepareRun({ runId: 'r', target: { ...target, url: 'https://hq.internal', tls: { insecure: true } }, workers: 1 });
  assert.is(c.config.options.insecureSkipTLSVerify, true);
});

test('ceilings: duration, VUs and rate need --beyond-ceilings to exceed', () => {
  usage(() => prepareRun({ runId: 'r', target, workers: 1, maxDurationS: CEILINGS.durationS + 1 }), /^--max-duration: 14401 s is over the ceiling of 14400 s \(4 h\); pass --beyond-ceilings/);
  prepareRun({ runId: 'r', target, workers: 1, maxDurationS: CEILINGS.durationS + 1, beyondCeilings: true });
  const fast = defaultPlan();
  fast.rates.formsPerSecond.peak = 500;
  fast.maxVirtualUsers = 5000;
  usage(() => prepareRun({ runId: 'r', target, workers: 1, plan: fast, profile: 'peak' }), /^plan: the run needs up to \d+ k6 virtual users, over the ceiling of 1000.*--beyond-ceilings/);
  fast.maxVirtualUsers = 1000;
  usage(() => prepareRun({ runId: 'r', target, workers: 1, plan: fast, profile: 'peak' }), /^plan: the run aims at 500 requests\/s, over the ceiling of 200\/s.*--beyond-ceilings/);
  assert.is(prepareRun({ runId: 'r', target, workers: 1, plan: fast, profile: 'peak', beyondCeilings: true }).shape.targetRate, 500);
});

test.run();
