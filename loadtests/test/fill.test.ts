// The submit scenario's per-form work (loadtests/scenarios/fill.ts), run in Node: the precompiled
// fill must give exactly what replacing every placeholder would, with fresh ids per form, realistic
// timestamps, and each worker working only on its own cases.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomUUID } from 'node:crypto';
import type { FormTemplate } from '../contract.ts';
import { applyAcknowledged, chooseTemplate, fillTemplate, templateSet, type FillContext, type WorkerState } from '../scenarios/fill.ts';
import { builtinTemplates, templateFromXml } from '../templates.ts';
import { hqSample } from '../../fixtures/reference.ts';

const MIX = { registration: 1, followup: 3, close: 1 };

function worker(): WorkerState {
  return { worker: { username: 'anna@demo.commcarehq.org', password: 'x' }, userId: 'u-123', deviceId: 'dev-1', openCases: [] };
}

function ctx(): FillContext {
  return { runId: 'run-7', newId: randomUUID, random: Math.random };
}

/** What the fill must equal: every placeholder replaced by its value, the slow obvious way. */
function reference(t: FormTemplate, st: WorkerState, v: { instanceId: string; created: string[]; usedCase?: string; start: string; end: string }): string {
  return t.xml
    .replace(/\{\{new_case_id:(\d+)\}\}/g, (_, n) => v.created[Number(n)])
    .replace(/\{\{own_case_id\}\}/g, v.usedCase ?? '')
    .replace(/\{\{instance_id\}\}/g, v.instanceId)
    .replace(/\{\{user_id\}\}/g, st.userId ?? '')
    .replace(/\{\{username\}\}/g, st.worker.username.split('@')[0])
    .replace(/\{\{device_id\}\}/g, st.deviceId)
    .replace(/\{\{time_start\}\}/g, v.start)
    .replace(/\{\{(time_end|date_modified)\}\}/g, v.end)
    .replace(/\{\{today\}\}/g, v.end.slice(0, 10))
    .replace(/\{\{run_id\}\}/g, 'run-7');
}

function metaTime(xml: string, name: string): string {
  return new RegExp(`<n1:${name}>([^<]+)<`).exec(xml)![1];
}

test('built-in forms: the fill equals replacing every placeholder, none is left, times are realistic', () => {
  const set = templateSet(builtinTemplates());
  const st = worker();
  st.openCases.push('case-a');
  for (let i = 0; i < set.all.length; i++) {
    const now = Date.parse('2026-03-04T10:00:00Z');
    const f = fillTemplate(ctx(), set, i, st, now);
    assert.not.match(f.xml, /\{\{/);
    const start = metaTime(f.xml, 'timeStart');
    const end = metaTime(f.xml, 'timeEnd');
    assert.is(f.xml, reference(set.all[i], st, { instanceId: f.instanceId, created: f.created, usedCase: f.usedCase, start, end }));
    // filled over 30 s to 5 min, finished within 5 s before it is sent
    const s = Date.parse(start);
    const e = Date.parse(end);
    assert.ok(e <= now && e > now - 5000, end);
    assert.ok(e - s >= 30000 && e - s <= 300000, `${start} → ${end}`);
    assert.match(f.xml, /<n1:username>anna<\/n1:username>/);
    assert.match(f.xml, new RegExp(`<n1:instanceID>${f.instanceId}</n1:instanceID>`));
  }
});

test('a worker\'s user id learned later (from its first sync) reaches the next forms', () => {
  const set = templateSet(builtinTemplates());
  const st = worker();
  st.userId = undefined;
  const before = fillTemplate(ctx(), set, 0, st, Date.now());
  assert.match(before.xml, /<n0:owner_id><\/n0:owner_id>/);
  st.userId = 'u-999';
  const after = fillTemplate(ctx(), set, 0, st, Date.now());
  assert.match(after.xml, /<n0:owner_id>u-999<\/n0:owner_id>/);
  assert.match(after.xml, /<n1:userID>u-999<\/n1:userID>/);
  assert.not.match(after.xml, /\{\{/);
});

test('Raw XML from HQ (commcare-perf forms): same fill as the reference, fresh ids per form', () => {
  const t = [
    templateFromXml(hqSample('perf-creates_case.xml'), 'creates_case.xml'),
    templateFromXml(hqSample('perf-updates_case.xml'), 'updates_case.xml'),
    templateFromXml(hqSample('hq-casexml-v2-index_update.xml'), 'index_update.xml'),
  ];
  const set = templateSet(t);
  const st = worker();
  st.openCases.push('case-a', 'case-b');
  for (let i = 0; i < t.length; i++) {
    const a = fillTemplate(ctx(), set, i, st, Date.now());
    const firstXml = a.xml;
    const b = fillTemplate(ctx(), set, i, st, Date.now());
    // the reused buffer does not change a form already made
    assert.is(a.xml, firstXml);
    assert.is.not(a.instanceId, b.instanceId);
    assert.ok(a.xml.includes(a.instanceId) && !a.xml.includes(b.instanceId));
    for (let n = 0; n < t[i].creates; n++) assert.is.not(a.created[n], b.created[n]);
    for (const f of [a, b]) {
      const start = /timeStart>([^<]+)</.exec(f.xml)![1];
      const end = /timeEnd>([^<]+)</.exec(f.xml)![1];
      assert.is(f.xml, reference(t[i], st, { instanceId: f.instanceId, created: f.created, usedCase: f.usedCase, start, end }), t[i].name);
    }
  }
});

test('each worker works on its own cases: register adds, follow-up reuses, close removes exactly one', () => {
  const set = templateSet(builtinTemplates());
  const st = worker();
  // no open case: only a registration is possible
  for (let i = 0; i < 20; i++) assert.is(set.all[chooseTemplate(MIX, set, 0)].kind, 'registration');
  const reg = fillTemplate(ctx(), set, 0, st, Date.now());
  applyAcknowledged(st, 'registration', reg);
  const reg2 = fillTemplate(ctx(), set, 0, st, Date.now());
  applyAcknowledged(st, 'registration', reg2);
  assert.equal(st.openCases, [reg.created[0], reg2.created[0]]);
  const fu = fillTemplate(ctx(), set, 1, st, Date.now());
  assert.ok(st.openCases.includes(fu.usedCase!), 'a follow-up visits one of the worker\'s open cases');
  applyAcknowledged(st, 'followup', fu);
  assert.is(st.openCases.length, 2);
  const cl = fillTemplate(ctx(), set, 2, st, Date.now());
  applyAcknowledged(st, 'close', cl);
  assert.equal(st.openCases, [reg.created[0], reg2.created[0]].filter((c) => c !== cl.usedCase));
  // a follow-up with nothing open updates a new case of the worker's own, which is then open
  const empty = worker();
  const lone = fillTemplate(ctx(), set, 1, empty, Date.now());
  assert.is(lone.usedIndex, -1);
  applyAcknowledged(empty, 'followup', lone);
  assert.equal(empty.openCases, [lone.usedCase]);
  // many closes in a row keep the list exact
  const many = worker();
  for (let i = 0; i < 50; i++) applyAcknowledged(many, 'registration', fillTemplate(ctx(), set, 0, many, Date.now()));
  const all = new Set(many.openCases);
  for (let i = 0; i < 30; i++) {
    const c = fillTemplate(ctx(), set, 2, many, Date.now());
    applyAcknowledged(many, 'close', c);
    all.delete(c.usedCase!);
  }
  assert.equal(new Set(many.openCases), all);
  assert.is(many.openCases.length, 20);
});

test('choosing forms follows the mix; case-less folders pick any form; other forms stand in for follow-ups', () => {
  const set = templateSet(builtinTemplates());
  // weights 1:3:1 over [0,5): 0.5 → registration, 2.5 → follow-up, 4.75 → close
  assert.equal([0.1, 0.5, 0.95].map((x) => set.all[chooseTemplate(MIX, set, 3, () => x)].kind), ['registration', 'followup', 'close']);
  assert.is(set.all[chooseTemplate({ registration: 0, followup: 0, close: 1 }, set, 3)].kind, 'close');
  const caseless = templateSet([templateFromXml(hqSample('perf-simple_xform.xml'), 'simple.xml')]);
  assert.is(chooseTemplate(MIX, caseless, 0), 0);
  const mixed = templateSet([...builtinTemplates(), caseless.all[0]]);
  const kinds = new Set<string>();
  for (let i = 0; i < 400; i++) kinds.add(mixed.all[chooseTemplate(MIX, mixed, 2)].kind);
  assert.equal([...kinds].sort(), ['close', 'followup', 'other', 'registration']);
});

test.run();
