import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { UsageError } from '../../common/errors.ts';
import { arrivalRate, defaultPlan, derivePlan, shapeRun, type UsageTable } from '../plan.ts';
import { validatePlan } from '../plan-file.ts';
import { loadSizingConfig, runModel, EXAMPLE_CONFIG } from '../../sizing/index.ts';

const table: UsageTable = {
  index: ['2026-01-01', '2026-02-01'],
  columns: ['users', 'active_users', 'forms_monthly', 'synclogs_monthly', 'requests_per_second'],
  data: [
    [1000, 500, 110000, 22000, 1],
    [2000, 1000, 440000, 44000, 2],
  ],
};

function throwsUsage(fn: () => unknown, re: RegExp) {
  try {
    fn();
  } catch (e) {
    assert.instance(e, UsageError);
    assert.is((e as UsageError).exitCode, 2);
    assert.match((e as Error).message, re);
    return;
  }
  assert.unreachable('expected a UsageError');
}

test('derivePlan: last month, active_users preferred, per-user-day and per-second rates', () => {
  const p = derivePlan({ usage: table, sizingFile: 'cfg.yml' });
  assert.is(p.source.month, '2026-02');
  assert.is(p.source.fields?.users, 'active_users');
  assert.is(p.users, 1000);
  // 440000 forms / 1000 users / 22 days = 20 forms per user per day
  assert.is(p.formsPerUserPerDay, 20);
  assert.is(p.restoresPerUserPerDay, 2);
  // 1000 × 20 / (8 × 3600) = 0.6944 forms/s; peak ×3 = 2.0833
  assert.is(p.rates.formsPerSecond.average, 0.6944);
  assert.is(p.rates.formsPerSecond.peak, 2.0833);
  assert.is(p.rates.restoresPerSecond.peak, 0.2083);
  assert.ok(p.derivation.some((l) => l.includes('forms/user/day = 440000 / 1000 / 22')));
  assert.ok(p.derivation.some((l) => l.includes("sizing config's own requests_per_second")));
});

test('derivePlan: month, field names and assumptions are configurable', () => {
  const p = derivePlan({ usage: table, month: '2026-01', fields: { users: ['users'] }, assumptions: { workingHoursPerDay: 4, peakFactor: 2, workingDaysPerMonth: 20 } });
  assert.is(p.source.month, '2026-01');
  assert.is(p.users, 1000);
  // 110000 / 1000 / 20 = 5.5 per day; 1000 × 5.5 / 14400 = 0.3819; × 2
  assert.is(p.formsPerUserPerDay, 5.5);
  assert.is(p.rates.formsPerSecond.average, 0.3819);
  assert.is(p.rates.formsPerSecond.peak, 0.7639);
});

test('derivePlan: bad input names the file, key or flag', () => {
  throwsUsage(() => derivePlan({ usage: table, month: '2027-01' }), /--month: 2027-01 is not in the usage table \(2026-01 … 2026-02\)/);
  throwsUsage(() => derivePlan({ usage: table, month: 'Jan' }), /--month: expected YYYY-MM/);
  throwsUsage(() => derivePlan({ usage: table, fields: { forms: ['nope'] }, sizingFile: 'c.yml' }), /^c\.yml: usage: expected a usage field for forms per month \(tried nope\); name it with --forms-field/);
  const nan: UsageTable = { ...table, data: [[1, 1, null, 1, 1]] , index: ['2026-01-01'] };
  throwsUsage(() => derivePlan({ usage: nan, sizingFile: 'c.yml' }), /^c\.yml: usage\.forms_monthly: expected a number for 2026-01, got no value/);
  throwsUsage(() => derivePlan({ usage: table, assumptions: { peakFactor: 0 } }), /--peak-factor: expected a positive number/);
});

test('derivePlan from the sizing engine on the embedded example config', () => {
  const r = runModel(loadSizingConfig(EXAMPLE_CONFIG));
  const p = derivePlan({ usage: r.sets[0].usage, sizingFile: EXAMPLE_CONFIG });
  const cols = r.sets[0].usage.columns as string[];
  const last = r.sets[0].usage.data[r.sets[0].usage.index.length - 1];
  const users = last[cols.indexOf('users')] as number;
  const forms = last[cols.indexOf('forms_monthly')] as number;
  assert.is(p.users, users);
  assert.ok(Math.abs(p.formsPerUserPerDay - forms / users / 22) < 1e-3);
  assert.is(p.source.fields?.restores, 'restores_monthly');
});

test('arrivalRate keeps fractional rates with a coarser time unit', () => {
  assert.equal(arrivalRate(37), { rate: 37, timeUnit: '1s' });
  assert.equal(arrivalRate(2.0833), { rate: 125, timeUnit: '1m' });
  assert.equal(arrivalRate(0.05), { rate: 180, timeUnit: '1h' });
});

test('shapeRun: smoke is seconds long with the documented thresholds', () => {
  const s = shapeRun({ plan: defaultPlan(), profile: 'smoke', scenario: 'submit', maxDurationS: 3600, workers: 1 });
  const sc = (s.options.scenarios as unknown as Record<string, Record<string, unknown>>).submit;
  assert.is(sc.executor, 'constant-arrival-rate');
  assert.is(sc.exec, 'submit');
  assert.ok(s.durationS <= 10);
  const th = s.options.thresholds as Record<string, unknown[]>;
  assert.equal(th['http_req_duration{kind:submission}'], ['p(95)<2000', 'p(99)<5000']);
  assert.equal(th.ccready_errors[0], 'rate<0.01');
  assert.equal(th.ccready_errors[1], { threshold: 'rate<0.2', abortOnFail: true, delayAbortEval: '10s' });
});

test('shapeRun: peak uses the plan peak rate; the duration cap shortens a run and says so', () => {
  const plan = derivePlan({ usage: table });
  const s = shapeRun({ plan, profile: 'peak', scenario: 'restore', maxDurationS: 120, workers: 3 });
  const sc = (s.options.scenarios as unknown as Record<string, Record<string, unknown>>).restore;
  assert.is(s.targetRate, plan.rates.restoresPerSecond.peak);
  assert.is(sc.duration, '120s');
  assert.is(sc.exec, 'restore');
  assert.ok(s.notes.some((n) => n.includes('cut to the cap of 120s')));
});

test('shapeRun: stress climbs in steps from half to four times peak, with per-step sub-metrics', () => {
  const plan = derivePlan({ usage: table });
  plan.rates.formsPerSecond.peak = 10;
  const s = shapeRun({ plan, profile: 'stress', scenario: 'submit', maxDurationS: 3600, workers: 1 });
  assert.is(s.stressSteps!.length, 8);
  assert.is(s.stressSteps![0].rate, 5);
  assert.is(s.stressSteps![7].rate, 40);
  assert.is(s.durationS, 8 * 60);
  const th = s.options.thresholds as Record<string, unknown[]>;
  assert.ok(th['http_req_duration{kind:submission,step:8}']);
  assert.equal(th.ccready_errors, [{ threshold: 'rate<0.2', abortOnFail: true, delayAbortEval: '10s' }]);
  const capped = shapeRun({ plan, profile: 'stress', scenario: 'submit', maxDurationS: 200, workers: 1 });
  assert.is(capped.stressSteps!.length, 3);
});

test('shapeRun: a small project\'s stress still climbs (from 1/s, same span) instead of holding the 1/s floor', () => {
  const plan = defaultPlan();
  plan.rates.formsPerSecond.peak = 0.284;
  const s = shapeRun({ plan, profile: 'stress', scenario: 'submit', maxDurationS: 3600, workers: 1 });
  const rates = s.stressSteps!.map((x) => x.rate);
  assert.is(rates[0], 1);
  for (let i = 1; i < rates.length; i++) assert.ok(rates[i] > rates[i - 1], rates.join(' '));
  assert.ok(Math.abs(rates[rates.length - 1] / rates[0] - plan.durations.stressTo / plan.durations.stressFrom) < 0.1, rates.join(' '));
  assert.match(s.notes.join('\n'), /stress starts at 1\/s/);
});

test('shapeRun: mobile-day spreads the plan rate over concurrent workers with think time', () => {
  const plan = derivePlan({ usage: table });
  const s = shapeRun({ plan, profile: 'normal', scenario: 'mobile-day', maxDurationS: 3600, workers: 5 });
  const sc = (s.options.scenarios as unknown as Record<string, Record<string, unknown>>)['mobile-day'];
  assert.is(sc.executor, 'constant-vus');
  const vus = sc.vus as number;
  // a day is F forms over F + 1 think times (one before each form, one before the closing sync):
  // vus such days side by side give the average form rate
  const formRate = (x: typeof s, v: number) => (v * x.mobileDay.formsPerDay) / ((x.mobileDay.formsPerDay + 1) * x.mobileDay.thinkS);
  assert.ok(Math.abs(formRate(s, vus) / plan.rates.formsPerSecond.average - 1) < 0.01, `${formRate(s, vus)} vs ${plan.rates.formsPerSecond.average}`);
  assert.is(s.mobileDay.formsPerDay, 20);
  // few forms a day is where the closing think time weighs most (the example config: 3 a day)
  const example = derivePlan({ usage: table });
  example.formsPerUserPerDay = 2.7;
  const p3 = shapeRun({ plan: example, profile: 'peak', scenario: 'mobile-day', maxDurationS: 3600, workers: 1 });
  const v3 = ((p3.options.scenarios as unknown as Record<string, Record<string, unknown>>)['mobile-day'].vus as number);
  assert.is(p3.mobileDay.formsPerDay, 3);
  assert.ok(Math.abs(formRate(p3, v3) / example.rates.formsPerSecond.peak - 1) < 0.01, `${formRate(p3, v3)} vs ${example.rates.formsPerSecond.peak}`);
});

test('validatePlan: accepts a derived plan and names the key of a broken one', () => {
  const p = derivePlan({ usage: table });
  const back = validatePlan(JSON.parse(JSON.stringify(p)), 'p.json');
  assert.is(back.rates.formsPerSecond.peak, p.rates.formsPerSecond.peak);
  throwsUsage(() => validatePlan({ ...p, kind: 'x' }, 'p.json'), /^p\.json: kind: expected "ccready-load-plan"/);
  throwsUsage(() => validatePlan({ ...p, rates: { ...p.rates, formsPerSecond: { average: -1, peak: 1 } } }, 'p.json'), /^p\.json: rates\.formsPerSecond\.average: expected a non-negative number, got -1/);
  throwsUsage(() => validatePlan({ ...p, thresholds: { errorRate: 5 } }, 'p.json'), /^p\.json: thresholds\.errorRate: expected a fraction/);
});

test('a derived plan shows the k6 scenarios and thresholds of each profile, as a run builds them', () => {
  const plan = derivePlan({ usage: { index: ['2026-01-01'], columns: ['users', 'forms_monthly', 'restores_monthly'], data: [[1000, 60000, 30000]] } });
  const peak = plan.k6!.peak!.submit as { scenarios: Record<string, { executor: string; rate: number; timeUnit: string }>; thresholds: Record<string, unknown> };
  const sc = Object.values(peak.scenarios)[0];
  assert.is(sc.executor, 'constant-arrival-rate');
  // 60000 forms / 1000 users / 22 days / 8 h × peak 3 = 0.2841/s = 1023 an hour
  assert.equal([sc.rate, sc.timeUnit], [1023, '1h']);
  assert.ok(peak.thresholds['http_req_duration{kind:submission}']);
  assert.equal(Object.keys(plan.k6!), ['normal', 'peak', 'stress', 'soak']);
  assert.equal(Object.keys(plan.k6!.stress!), ['submit', 'restore', 'mobile-day']);
  // Read back, the preview is ignored: a run recomputes from the rates.
  const back = validatePlan(JSON.parse(JSON.stringify({ ...plan, k6: { peak: { submit: 'edited' } } })), 'plan.json');
  assert.is(back.rates.formsPerSecond.peak, plan.rates.formsPerSecond.peak);
});

test.run();
