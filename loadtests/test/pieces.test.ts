import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse } from 'yaml';
import { UsageError } from '../../common/errors.ts';
import { auditForms, describeRejections, missingIds, parseAckLog, parseRejectLog } from '../audit.ts';
import { k6OwnErrors } from '../k6log.ts';
import { combineRejected } from '../merge-segments.ts';
import { calibrate } from '../calibrate.ts';
import { k8sManifest } from '../k8s.ts';
import { defaultPlan, derivePlan, shapeRun } from '../plan.ts';
import { buildRunConfig, checkSafety } from '../config.ts';
import type { LoadRunRecord } from '../record.ts';
import { interpretSummary, type K6SummaryData } from '../summary.ts';
import { builtinTemplates, templateFromXml, templatesFromDir } from '../templates.ts';
import { parseUsersCsv } from '../users.ts';
import { loadSizingConfig, EXAMPLE_CONFIG } from '../../sizing/index.ts';
import { hqSample, hqSampleNames } from '../../fixtures/reference.ts';
import { throwsUsage } from './throws-usage.ts';



test('built-in templates: registration creates a case, follow-up and close use the worker\'s own case', () => {
  const t = builtinTemplates();
  assert.equal(t.map((x) => x.kind), ['registration', 'followup', 'close']);
  assert.match(t[0].xml, /case_id="\{\{new_case_id:0\}\}"/);
  assert.match(t[0].xml, /<n0:owner_id>\{\{user_id\}\}<\/n0:owner_id>/);
  assert.match(t[1].xml, /case_id="\{\{own_case_id\}\}"/);
  assert.match(t[2].xml, /<n0:close\/>/);
  for (const x of t) assert.match(x.xml, /<n1:instanceID>\{\{instance_id\}\}<\/n1:instanceID>/);
});

test('Raw XML from HQ: fresh instanceID, fresh created case ids, updates go to own cases (no Locust hot-spot)', () => {
  const create = templateFromXml(hqSample('perf-creates_case.xml'), 'creates_case.xml');
  assert.is(create.kind, 'registration');
  assert.is(create.creates, 1);
  assert.not.match(create.xml, /1e16a2e1/);
  assert.not.match(create.xml, /d656627c/);
  const update = templateFromXml(hqSample('perf-updates_case.xml'), 'updates_case.xml');
  assert.is(update.kind, 'followup');
  assert.match(update.xml, /case_id="\{\{own_case_id\}\}"/);
  assert.not.match(update.xml, /1e16a2e1-b0a0-42ee-92e1-4c43dca11171/);
  const simple = templateFromXml(hqSample('perf-simple_xform.xml'), 'simple.xml');
  assert.is(simple.kind, 'other');
  assert.match(simple.xml, /\{\{instance_id\}\}/);
  // a form without meta gets one, so each replay is a new form
  const close = templateFromXml(hqSample('hq-casexml-v2-basic_close.xml'), 'close.xml');
  assert.is(close.kind, 'close');
  assert.match(close.xml, /instanceID>\{\{instance_id\}\}</);
  throwsUsage(() => templateFromXml(hqSample('hq-receiver-invalid_form_xml.xml'), 'bad.xml'), /^bad\.xml: expected an XForm instance/);
  throwsUsage(() => templateFromXml(hqSample('hq-receiver-missing_xmlns.xml'), 'nox.xml'), /^nox\.xml: .*expected the root element to have an xmlns/);
  throwsUsage(() => templatesFromDir('/nonexistent-dir'), /^--xforms: expected a folder of Raw XML forms/);
});

test('users CSV: header skipped, bare names get the mobile suffix, bad lines named', () => {
  const u = parseUsersCsv('username,password,user_id\nalice,pw1\nbob@d.commcarehq.org,pw2,abc\n', 'u.csv', 'd');
  assert.equal(u, [
    { username: 'alice@d.commcarehq.org', password: 'pw1' },
    { username: 'bob@d.commcarehq.org', password: 'pw2', userId: 'abc' },
  ]);
  throwsUsage(() => parseUsersCsv('alice\n', 'u.csv', 'd'), /^u\.csv:1: expected username,password/);
  throwsUsage(() => parseUsersCsv('\n', 'u.csv', 'd'), /^u\.csv: expected at least one/);
});

test('ack log: JSON lines from k6, duplicates once; missing ids in order', () => {
  const log = [
    '{"level":"info","msg":"ccready-ack f1 i1 vu1","source":"console","time":"t"}',
    '{"level":"warning","msg":"something else"}',
    '{"level":"info","msg":"ccready-ack f2 i2 vu2","source":"console","time":"t"}',
    '{"level":"info","msg":"ccready-ack f1 i1 vu1","source":"console","time":"t"}',
    '{"level":"info","msg":"ccready-ack f3 i3 v',
  ].join('\n');
  const acks = parseAckLog(log);
  assert.equal(acks.map((a) => a.formId), ['f1', 'f2']);
  assert.equal(missingIds([...acks, { formId: 'f9', instanceId: 'i9' }], new Set(['f2', 'i1'])), ['f9']);
});

test('ack lines: raw console lines with one id or two; a last line cut short is not read as an id', () => {
  const log = [
    'ccready-ack f1',
    'ccready-reject submission 401 -',
    'ccready-ack f2 i2',
    'ccready-ack f1',
    // k6 stopped mid-line: a whole form id and half an instanceID, no newline
    'ccready-ack f3 i3-cut',
  ].join('\n');
  assert.equal(parseAckLog(log), [{ formId: 'f1', instanceId: 'f1' }, { formId: 'f2', instanceId: 'i2' }]);
  assert.equal(parseAckLog(`${log}\n`).map((a) => a.formId), ['f1', 'f2', 'f3']);
  assert.equal(parseRejectLog(log), [{ kind: 'submission', status: '401', nature: '-', count: 1 }]);
});

test("k6's own errors: raw error file (a stack trace read as its reason) and the old JSON log", () => {
  const raw = [
    'GoError: no mobile worker: set CCREADY_USERS_FILE or CCHQ_USERNAME/CCHQ_PASSWORD',
    '\tat default (file:///test/ccready-load.js:12:3(4))',
    '\tat native',
    'Aborting k6 in response to signal',
    'cut sho',
  ].join('\n');
  assert.equal(k6OwnErrors(raw), ['GoError: no mobile worker: set CCREADY_USERS_FILE or CCHQ_USERNAME/CCHQ_PASSWORD', 'Aborting k6 in response to signal']);
  const json = [
    '{"level":"info","msg":"starting"}',
    '{"level":"warning","msg":"Request Failed","error":"dial tcp: refused"}',
    '{"level":"error","msg":"Error: boom\\n\\tat x.js:1","source":"console"}',
    '{"level":"error","msg":"failed to handle the end-of-test summary","error":"open /r/s.json: permission denied"}',
    '{"level":"fatal","msg":"cut',
  ].join('\n') + '\n';
  assert.equal(k6OwnErrors(json), ['Error: boom', 'failed to handle the end-of-test summary: open /r/s.json: permission denied']);
});

test('auditForms waits for a lagging listing, then reports what is still missing', async () => {
  const acked = [{ formId: 'a', instanceId: 'a' }, { formId: 'b', instanceId: 'b' }, { formId: 'c', instanceId: 'c' }];
  let calls = 0;
  const target = { url: 'http://127.0.0.1:1', domain: 'd', web: { username: 'w', password: 'p' } };
  const lagging = async () => (++calls < 3 ? new Set(['a']) : new Set(['a', 'b', 'c']));
  const ok = await auditForms({ target, acked, since: new Date(), timeoutS: 5, pollS: 0.05, list: lagging });
  assert.is(ok.lost, 0);
  assert.is(ok.found, 3);
  assert.is(calls, 3);
  const lossy = await auditForms({ target, acked, since: new Date(), timeoutS: 0.2, pollS: 0.05, list: async () => new Set(['a']) });
  assert.is(lossy.checked, true);
  assert.is(lossy.lost, 2);
  assert.equal(lossy.missingFormIds, ['b', 'c']);
  const broken = await auditForms({ target, acked, since: new Date(), timeoutS: 0.1, pollS: 0.05, list: async () => { throw new Error('Form API answered 500'); } });
  assert.is(broken.checked, false);
  assert.is(broken.failed, true);
  assert.match(broken.note!, /500/);
  const noWeb = await auditForms({ target: { url: target.url, domain: 'd', mobile: { username: 'm', password: 'p' } }, acked, since: new Date(), list: lagging });
  assert.is(noWeb.checked, false);
  assert.not.ok(noWeb.failed);
  assert.match(noWeb.note!, /no web user/);
});

function metric(values: Record<string, number>, thresholds?: Record<string, boolean>) {
  return { type: 'trend', values, ...(thresholds ? { thresholds: Object.fromEntries(Object.entries(thresholds).map(([k, ok]) => [k, { ok }])) } : {}) };
}

test('interpretSummary: a failed threshold fails the run; stress knee is the last passing step from the bottom', () => {
  const plan = defaultPlan();
  const failing: K6SummaryData = {
    state: { testRunDurationMs: 5000 },
    metrics: {
      http_reqs: metric({ count: 50, rate: 10 }),
      ccready_errors: metric({ rate: 0.4, passes: 20, fails: 30 }, { 'rate<0.01': false, 'rate<0.2': false }),
      ccready_forms_acked: metric({ count: 30, rate: 6 }),
      'http_req_duration{kind:submission}': metric({ count: 50, avg: 5, med: 4, 'p(95)': 9, 'p(99)': 12, max: 20 }, { 'p(95)<2000': true }),
    },
  };
  const s = interpretSummary(failing, { plan, profile: 'smoke', scenario: 'submit' });
  assert.is(s.thresholdsOk, false);
  assert.is(s.formsAcknowledged, 30);
  assert.is(s.latency.submission!.p95, 9);
  assert.equal(s.thresholds.filter((t) => !t.ok).map((t) => t.threshold), ['rate<0.01', 'rate<0.2']);

  plan.rates.formsPerSecond.peak = 10;
  const steps = [1, 2, 3].map((i) => ({ step: i, startS: (i - 1) * 10 + 1, endS: i * 10, rate: i * 10 }));
  const stress: K6SummaryData = {
    metrics: {
      ccready_errors: metric({ rate: 0.1, passes: 1, fails: 9 }, { 'rate<0.2': true }),
      'http_req_duration{kind:submission,step:1}': metric({ count: 100, 'p(95)': 100 }, { 'max>=0': true }),
      'http_req_duration{kind:submission,step:2}': metric({ count: 200, 'p(95)': 1500 }, { 'max>=0': true }),
      'http_req_duration{kind:submission,step:3}': metric({ count: 300, 'p(95)': 4000 }, { 'max>=0': true }),
      'ccready_errors{step:1}': metric({ rate: 0, passes: 0, fails: 100 }),
      'ccready_errors{step:2}': metric({ rate: 0.005, passes: 1, fails: 199 }),
      'ccready_errors{step:3}': metric({ rate: 0.3, passes: 90, fails: 210 }),
    },
  };
  const st = interpretSummary(stress, { plan, profile: 'stress', scenario: 'submit', stressSteps: steps });
  assert.equal(st.knee, { step: 2, rate: 20 });
  assert.equal(st.steps!.map((x) => x.ok), [true, true, false]);
  assert.is(st.thresholdsOk, true, 'knee 20/s holds the plan peak of 10/s');
  plan.rates.formsPerSecond.peak = 25;
  assert.is(interpretSummary(stress, { plan, profile: 'stress', scenario: 'submit', stressSteps: steps }).thresholdsOk, false);
});

test('safety: a non-loopback target needs --yes or the plan naming it', () => {
  const target = { url: 'https://hq.example.org', domain: 'd' };
  throwsUsage(() => checkSafety({ target }), /^--target: https:\/\/hq\.example\.org is not a loopback address; .*--yes/);
  checkSafety({ target, yes: true });
  checkSafety({ target, plan: { ...defaultPlan(), target: 'https://hq.example.org/' } });
  checkSafety({ target: { url: 'http://127.0.0.1:8000', domain: 'd' } });
  throwsUsage(() => checkSafety({ target: { url: 'http://127.0.0.1:8000', domain: 'd' }, maxDurationS: 0 }), /--max-duration/);
});

function fakeRun(over: Partial<LoadRunRecord['summary']>, profile: LoadRunRecord['profile'] = 'peak'): LoadRunRecord {
  const summary = { durationS: 60, iterations: 1000, requests: 1200, requestRate: 20, errorRate: 0, httpFailedRate: 0, formsAcknowledged: 1000, formsRejected: 0, formRate: 16, restoresFull: 0, restoresIncremental: 0, restoreAsync202: 0, restore412: 0, casesPerRestore: null, latency: {}, thresholds: [], thresholdsOk: true, ...over };
  return { runId: 'r1', profile, summary } as unknown as LoadRunRecord;
}

test('calibrate: requests per gunicorn worker from a passing run or a stress knee', () => {
  const config = loadSizingConfig(EXAMPLE_CONFIG);
  const django = config.services.find((s) => s.name === 'django')!;
  const workers = Math.floor(django.process!.cores_per_node! / django.process!.cores_per_sub_process!);
  const c = calibrate({ run: fakeRun({}), config, reportDir: 'rep' });
  assert.is(c.service, 'django');
  assert.is(c.workers, workers);
  assert.is(c.proposedCapacity, Number((20 / workers).toPrecision(3)));
  assert.match(c.change.join('\n'), /capacity: [\d.]+ {3}# was 0\.5/);
  const knee = calibrate({ run: fakeRun({ knee: { step: 3, rate: 40 }, iterations: 100, requests: 150 }, 'stress'), config, workers: 10, reportDir: 'rep' });
  assert.is(knee.sustainedRps, 60);
  assert.is(knee.proposedCapacity, 6);
  throwsUsage(() => calibrate({ run: fakeRun({ thresholdsOk: false }), config, reportDir: 'rep' }), /^rep: summary\.thresholdsOk: the run failed its thresholds/);
  throwsUsage(() => calibrate({ run: fakeRun({ knee: null }, 'stress'), config, reportDir: 'rep' }), /no knee/);
});

test('reject log: what the server answered to failed requests, counted, most frequent first', () => {
  const log = [
    '{"level":"warning","msg":"ccready-reject submission 401 -","source":"console","time":"t"}',
    '{"level":"info","msg":"ccready-ack f1 i1 vu1","source":"console","time":"t"}',
    '{"level":"warning","msg":"ccready-reject restore 200 no-restore-id","source":"console","time":"t"}',
    '{"level":"warning","msg":"ccready-reject submission 401 -","source":"console","time":"t"}',
    '{"level":"warning","msg":"ccready-reject submission 201 processing_failure","source":"console","time":"t"}',
    '{"level":"warning","msg":"ccready-reject submission 0 -","source":"console","time":"t"}',
    '{"level":"warning","msg":"ccready-reject submission 401 -","source":"console","time":"t"}',
    '{"level":"warning","msg":"ccready-reject subm',
  ].join('\n');
  const r = parseRejectLog(log);
  assert.equal(r[0], { kind: 'submission', status: '401', nature: '-', count: 3 });
  // a refusal names its worker (raw console lines, loadtests/k6log.ts); the count stays per answer
  const refused = parseRejectLog(['ccready-reject submission 401 - w2@p.commcarehq.org', 'ccready-reject submission 401 - w1@p.commcarehq.org', 'ccready-reject submission 401 - w2@p.commcarehq.org', 'ccready-reject restore 500 -', ''].join('\n'));
  assert.equal(refused, [{ kind: 'submission', status: '401', nature: '-', count: 3, workers: ['w1@p.commcarehq.org', 'w2@p.commcarehq.org'] }, { kind: 'restore', status: '500', nature: '-', count: 1 }]);
  // summed over generators, the workers too
  assert.equal(combineRejected([refused, [{ kind: 'submission', status: '401', nature: '-', count: 2, workers: ['w3@p.commcarehq.org', 'w1@p.commcarehq.org'] }]])[0],
    { kind: 'submission', status: '401', nature: '-', count: 5, workers: ['w1@p.commcarehq.org', 'w2@p.commcarehq.org', 'w3@p.commcarehq.org'] });
  assert.is(r.length, 4);
  assert.is(describeRejections(r), 'submission 401 ×3, restore 200 no-restore-id ×1, submission 201 processing_failure ×1, submission no answer (connection error or timeout) ×1');
  assert.equal(parseRejectLog('{"level":"info","msg":"ccready-ack f1 i1 vu1"}'), []);
});

test('calibrate: a lower bound under the configured capacity proposes no change (the server was not pushed)', () => {
  const config = loadSizingConfig(EXAMPLE_CONFIG);
  // a peak run of a small plan: 0.35 requests/s over 2 workers is far under 0.5 each
  const low = calibrate({ run: fakeRun({ requestRate: 0.35 }), config, reportDir: 'rep' });
  assert.equal(low.change, []);
  assert.is(low.proposedCapacity, 0.5);
  assert.match(low.lines.join('\n'), /at least 0\.175 per gunicorn_worker, under the configured 0\.5.*no change proposed/);
  assert.not.match(low.lines.join('\n'), /under-provisions/);
  // a stress run whose every step held: its knee is where the ramp stopped, also a lower bound
  const held = [1, 2, 3].map((step) => ({ step, rate: step * 0.1, requests: 10, p95Ms: 5, errorRate: 0, ok: true }));
  const ramp = calibrate({ run: fakeRun({ knee: { step: 3, rate: 0.3 }, steps: held, iterations: 100, requests: 100 }, 'stress'), config, reportDir: 'rep' });
  assert.equal(ramp.change, []);
  assert.match(ramp.basis, /every step held/);
  // a knee with a broken step above it is the server's limit: lowering the capacity is proposed
  const broke = [...held.slice(0, 2), { ...held[2], ok: false, p95Ms: 9000 }];
  const real = calibrate({ run: fakeRun({ knee: { step: 2, rate: 0.2 }, steps: broke, iterations: 100, requests: 100 }, 'stress'), config, reportDir: 'rep' });
  assert.is(real.proposedCapacity, 0.1);
  assert.match(real.change.join('\n'), /capacity: 0\.1 {3}# was 0\.5/);
  assert.match(real.lines.join('\n'), /under-provisions django/);
});

test('k8s: TestRun with the bundled script in a ConfigMap, parallelism, and no secrets', () => {
  const shape = shapeRun({ plan: defaultPlan(), profile: 'peak', scenario: 'submit', maxDurationS: 600, workers: 1 });
  const config = buildRunConfig({ runId: 'r42', target: { url: 'https://hq.example.org', domain: 'd', mobile: { username: 'u', password: 'supersecret' } }, scenario: 'submit', profile: 'peak', shape, summaryPath: '/x', logAcks: true });
  const yaml = k8sManifest({ name: 'load-a', parallelism: 4, script: '// script', config, secret: 'creds' });
  assert.not.match(yaml, /supersecret/);
  const docs = yaml.split(/^---$/m).map((d) => parse(d)).filter(Boolean);
  assert.equal(docs.map((d) => d.kind), ['ConfigMap', 'PersistentVolumeClaim', 'TestRun']);
  assert.is(docs[2].apiVersion, 'k6.io/v1alpha1');
  assert.is(docs[2].spec.parallelism, 4);
  assert.equal(docs[2].spec.script.configMap, { name: 'load-a-script', file: 'ccready-load.js' });
  assert.match(docs[2].spec.arguments, /CCREADY_CONFIG=\/test\/k6-config\.json/);
  assert.equal(Object.keys(docs[0].data), ['ccready-load.js', 'k6-config.json']);
  throwsUsage(() => k8sManifest({ name: 'Bad_Name', parallelism: 1, script: '', config, secret: 's' }), /^--name/);
  throwsUsage(() => k8sManifest({ name: 'ok', parallelism: 0, script: '', config, secret: 's' }), /^--parallelism/);
  throwsUsage(() => k8sManifest({ name: 'ok', parallelism: 1, script: 'x'.repeat(1100000), config, secret: 's' }), /1 MiB/);
});

test('every sample form of the reference set is either a template or a one-line input error', () => {
  for (const f of hqSampleNames().filter((n) => /^(perf|hq-receiver|hq-casexml-v2)/.test(n))) {
    try {
      const t = templateFromXml(hqSample(f), f);
      assert.match(t.xml, /\{\{instance_id\}\}/, f);
    } catch (e) {
      assert.instance(e, UsageError, f);
      assert.not.match((e as Error).message, /\n/);
    }
  }
});

void derivePlan;
test.run();
