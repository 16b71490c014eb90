import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decide, suspectServices, likelyAtFault } from '../decide.ts';
import { STEPS } from '../qa-plan.ts';
import type { StepResult } from '../types.ts';

function steps(over: Record<string, Partial<StepResult>> = {}): StepResult[] {
  return STEPS.map((s) => ({
    id: s.id,
    title: s.title,
    services: s.services,
    required: s.required,
    shallow: s.shallow,
    status: s.id === '11-sms' ? 'skip' : 'pass',
    evidence: [],
    durationMs: 1,
    ...(s.id === '11-sms' ? { reason: 'not configured' } : {}),
    ...(over[s.id] ?? {}),
  })) as StepResult[];
}

test('all required steps pass, optional SMS skipped → READY, exit 0', () => {
  const d = decide(steps());
  assert.is(d.verdict, 'READY');
  assert.is(d.exitCode, 0);
  assert.equal(d.failing, []);
});

test('a warning only → READY WITH WARNINGS, exit 0', () => {
  const d = decide(steps({ '01-reachability-tls': { status: 'warn', reason: 'certificate expires in 10 days' } }));
  assert.is(d.verdict, 'READY WITH WARNINGS');
  assert.is(d.exitCode, 0);
  assert.equal(d.warnings, ['01-reachability-tls']);
});

test('elasticsearch down: serverup names it, login passes, listings fail → elasticsearch first', () => {
  const d = decide(
    steps({
      '02-service-health': { status: 'fail', failedServices: ['elasticsearch'] },
      '04-mobile-worker': { status: 'fail' },
      '08-form-case-api': { status: 'fail' },
      '09-export-odata': { status: 'fail' },
    }),
  );
  assert.is(d.verdict, 'NOT READY');
  assert.is(d.exitCode, 1);
  assert.is(d.suspects[0].service, 'elasticsearch');
  assert.equal(likelyAtFault(d.suspects), ['elasticsearch']);
  assert.match(d.summary, /most likely at fault: elasticsearch/);
});

test('without a direct health report, the service only failing steps share wins over ones cleared by passing steps', () => {
  // Listings fail, login passed (clears postgres, couch, redis, django): elasticsearch is the common one.
  const s = suspectServices(
    steps({
      '04-mobile-worker': { status: 'fail' },
      '08-form-case-api': { status: 'fail' },
      '09-export-odata': { status: 'fail' },
    }),
  );
  assert.is(s[0].service, 'elasticsearch');
  assert.ok(s.find((x) => x.service === 'postgres')!.score < s[0].score / 2);
});

test('celery down: exports and bulk upload fail → celery first', () => {
  const d = decide(
    steps({
      '02-service-health': { status: 'fail', failedServices: ['celery'] },
      '09-export-odata': { status: 'fail' },
      '10-bulk-upload': { status: 'fail' },
    }),
  );
  assert.is(d.suspects[0].service, 'celery');
});

test('skipped because an earlier step failed does not count as unverified', () => {
  const d = decide(steps({ '06-submit-forms': { status: 'fail' }, '07-restore': { status: 'skip', blockedBy: '06-submit-forms' } }));
  assert.equal(d.unverified, []);
  assert.equal(d.failing, ['06-submit-forms']);
});

test('a required step skipped for missing credentials → NOT READY (not verified), no service blamed', () => {
  const d = decide(steps({ '10-bulk-upload': { status: 'skip', reason: 'no web user' } }));
  assert.is(d.verdict, 'NOT READY');
  assert.equal(d.unverified, ['10-bulk-upload']);
  assert.equal(d.suspects, []);
});

test('an interrupted run is never READY', () => {
  const d = decide(steps().slice(0, 3), { interrupted: true });
  assert.is(d.verdict, 'NOT READY');
  assert.match(d.summary, /interrupted/);
});

test('a failing optional step is a warning', () => {
  const d = decide(steps({ '11-sms': { status: 'fail', reason: 'gateway down' } }));
  assert.is(d.verdict, 'READY WITH WARNINGS');
});

test('pillows stopped: forms accepted, health green, only the Form/Case API step fails → kafka first', () => {
  const s = suspectServices(steps({ '08-form-case-api': { status: 'fail' } }));
  assert.is(s[0].service, 'kafka');
});

test('a slow elasticsearch seen by the health step: the lag failure of step 8 points at it, not at kafka', () => {
  const d = decide(
    steps({
      '02-service-health': { status: 'warn', reason: 'slow service checks: elasticsearch 1200 ms', slowServices: ['elasticsearch'] },
      '08-form-case-api': { status: 'fail', reason: 'not in Form API within 2000 ms' },
    }),
  );
  assert.is(d.verdict, 'NOT READY');
  assert.is(d.suspects[0].service, 'elasticsearch', JSON.stringify(d.suspects));
  assert.ok(d.suspects[0].why.some((w) => /reported slow by 02-service-health/.test(w)));
  assert.match(d.summary, /most likely at fault: elasticsearch/);
  assert.match(d.summary, /slow: elasticsearch/);
});

test('a slow service with nothing failing → READY WITH WARNINGS naming it, no suspects', () => {
  const d = decide(steps({ '02-service-health': { status: 'warn', reason: 'slow service checks: postgres 1500 ms', slowServices: ['postgres'] } }));
  assert.is(d.verdict, 'READY WITH WARNINGS');
  assert.equal(d.suspects, []);
  assert.match(d.summary, /warnings: 02-service-health; slow: postgres/);
});

test('an empty run is not READY: nothing was checked', () => {
  const d = decide([]);
  assert.is(d.verdict, 'NOT READY');
  assert.is(d.exitCode, 1);
  assert.match(d.summary, /no required step ran/);
});

test('--only/--skip: the steps left out make the run PARTIAL (exit 4), never READY', () => {
  const left = { status: 'skip' as const, reason: 'not selected (--only/--skip)', unselected: true as const };
  const d = decide(steps({ '07-restore': left, '08-form-case-api': left }));
  assert.is(d.verdict, 'PARTIAL');
  assert.is(d.exitCode, 4);
  assert.equal(d.unselected, ['07-restore', '08-form-case-api']);
  // A failure among the steps that ran still says NOT READY.
  const f = decide(steps({ '07-restore': left, '06-submit-forms': { status: 'fail', reason: 'x' } }));
  assert.is(f.verdict, 'NOT READY');
  assert.is(f.exitCode, 1);
  // Only unselected steps: PARTIAL, not NOT READY for "nothing ran".
  const all = decide(steps(Object.fromEntries(STEPS.map((s) => [s.id, left]))));
  assert.is(all.verdict, 'PARTIAL');
});

test.run();
