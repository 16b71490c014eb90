// The backup drill (issue 14 item 1). `write` puts known data into every store the transition guide
// names — a mobile worker with user data (CouchDB users) and the app build it submits with (Couch
// apps), forms with case create/update and a photo
// (PostgreSQL + BlobDB), read back through the Form and Case APIs (Elasticsearch) — tagged with a
// drill id, and saves a manifest with content hashes; then it can keep writing a small form every N
// seconds until stopped. `check`, after a backup was restored, compares every item by content, names
// the store that lost or changed data, and measures RPO (how much recent data the restore lost) and
// RTO (from the restore's start to a healthy server serving the drill's data).
import { createHash, randomBytes } from 'node:crypto';
import { UsageError } from '../common/errors.ts';
import { redact, type Target } from '../common/target.ts';
import { newRunId } from '../common/runs.ts';
import { HqClient } from '../common/http.ts';
import { api as webApi, domainPath, mobileUsername, sleep, registrationForm, followUpForm, submit, runSteps, toReport, withDefaults, type Recorder, type StepDef, type VerifyContext, type VerifyOptions, type Worker, type ProgressEvent, type StepResult, type VerifyReport } from '../verify/index.ts';
import { DRILL_FORMAT, readManifest, saveManifest, type DrillManifest } from './manifest.ts';
import { backupFacts } from './local.ts';
import { api, appBuildFindings, appBuildHashes, attachmentFindings, caseFindings, formFindings, judge, sha256, workerFindings } from './findings.ts';

export interface DrillOptions extends VerifyOptions {
  manifestPath: string;
  runId?: string;
  /** Cases to write, each with a registration (with a photo) and a follow-up form. Default 2. */
  count?: number;
  /** After the write, a small form every this many seconds until the signal stops it (0: none). */
  trickleS?: number;
  /** check: when the restore started (RTO is measured from it). */
  restoreStarted?: Date;
  /** check: when the backup was taken, as the operator knows it; else RPO is inferred from the trickle forms that survived. */
  backupTime?: Date;
  /** check: FAIL when the restore lost more than this many seconds of recent data. */
  maxRpoS?: number;
  /** check --local: the folder backups are written to, and the data disk to compare it with. */
  backupPath?: string;
  dataPath?: string;
  onProgress?: (e: ProgressEvent) => void;
}

interface DrillCtx extends VerifyContext {
  manifest?: DrillManifest;
  drill: DrillOptions;
  /** The drill worker with its password, known only during `write`. */
  worker?: Worker;
}

/** A small JPEG-looking file unique to the drill: the BlobDB item. */
function photo(drillId: string, i: number): Buffer {
  return Buffer.concat([Buffer.from('ffd8ffe000104a464946', 'hex'), createHash('sha512').update(`${drillId}/${i}`).digest(), randomBytes(2048), Buffer.from('ffd9', 'hex')]);
}

async function submitWithPhoto(ctx: DrillCtx, rec: Recorder, worker: Worker, xml: string, name: string, data: Buffer): Promise<void> {
  const boundary = `ccready-drill-${randomBytes(8).toString('hex')}`;
  const part = (field: string, filename: string, type: string, body: Buffer): Buffer =>
    Buffer.concat([Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${filename}"\r\nContent-Type: ${type}\r\n\r\n`), body, Buffer.from('\r\n')]);
  const body = Buffer.concat([part('xml_submission_file', 'form.xml', 'text/xml', Buffer.from(xml)), part(name, name, 'image/jpeg', data), Buffer.from(`--${boundary}--\r\n`)]);
  const path = `${domainPath(ctx)}/receiver/secure/${ctx.target.appId ? `${encodeURIComponent(ctx.target.appId)}/` : ''}`;
  const r = await ctx.client.post(path, body, { auth: worker, headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, 'x-openrosa-version': '3.0' } });
  rec.see(`POST ${path} (form with ${name}, ${data.length} bytes) → ${r.status}`);
  if (r.status !== 201) rec.fail(`the form with a photo was refused: ${r.status} ${r.text.slice(0, 120)}`);
}

/** Polls until `ok` or the lag timeout; returns the last value. */
async function until<T>(ctx: VerifyContext, fn: () => Promise<T>, ok: (t: T) => boolean): Promise<T> {
  const start = Date.now();
  for (;;) {
    const v = await fn();
    if (ok(v) || Date.now() - start + ctx.opts.pollMs > ctx.opts.lagTimeoutMs) return v;
    await sleep(ctx.opts.pollMs, ctx.opts.signal);
  }
}

// ---- write -----------------------------------------------------------------------------------

/** D4 counts toward PASS only when the drill has an app (--app-id): the build its forms name. */
function writeSteps(withApp: boolean): StepDef<DrillCtx>[] {
  return [
  {
    id: 'D1-worker',
    title: 'Create a drill mobile worker with user data (CouchDB users)',
    services: ['django', 'couch', 'postgres'],
    required: true,
    async run(ctx, rec) {
      const drillId = `drill-${ctx.runId}`;
      const bare = `ccready-${ctx.runId}`.toLowerCase().replace(/[^a-z0-9._-]/g, '-');
      const password = randomBytes(12).toString('base64url');
      const userData = { ccready_drill: drillId, drill_note: randomBytes(6).toString('hex') };
      const r = await ctx.client.post(`${domainPath(ctx)}/api/user/v1/`, JSON.stringify({ username: bare, password, first_name: 'ccready', last_name: 'drill', user_data: userData }), {
        auth: ctx.target.web,
        headers: { 'content-type': 'application/json', accept: 'application/json' },
      });
      rec.see(`POST User API → ${r.status}`);
      let id: unknown;
      try {
        id = JSON.parse(r.text).id;
      } catch {
        id = undefined;
      }
      if (r.status !== 201 || typeof id !== 'string') rec.fail(`could not create the drill worker: ${r.status} ${r.text.slice(0, 120)}`);
      const username = mobileUsername(bare, ctx.target.domain);
      ctx.worker = { id: id as string, username, password, created: true };
      ctx.manifest = {
        format: DRILL_FORMAT,
        drillId,
        createdAt: new Date().toISOString(),
        target: redact(ctx.target.url, ctx.target),
        domain: ctx.target.domain,
        appId: ctx.target.appId,
        worker: { id: id as string, username, userData },
        forms: [],
        cases: [],
        trickle: { everyS: ctx.drill.trickleS ?? 0, forms: [] },
      };
      rec.see(`worker ${username} (${id})`);
    },
  },
  {
    id: 'D2-forms',
    title: 'Submit forms with case create/update and a photo (PostgreSQL + BlobDB)',
    services: ['django', 'postgres', 'couch', 'redis', 'blobdb'],
    required: true,
    async run(ctx, rec) {
      const m = ctx.manifest;
      const worker = ctx.worker;
      if (!m || !worker) return rec.skip('no drill worker', 'D1-worker');
      const user = { userId: worker.id, username: worker.username.split('@')[0] };
      for (let i = 0; i < (ctx.drill.count ?? 2); i++) {
        const name = `ccready drill ${i + 1} ${m.drillId}`;
        const props = { ccready_drill: m.drillId, drill_index: String(i), drill_value: randomBytes(6).toString('hex') };
        const reg = registrationForm(user, name, props);
        const img = photo(m.drillId, i);
        await submitWithPhoto(ctx, rec, worker, reg.xml, 'photo.jpg', img);
        m.forms.push({ formId: reg.formId, xmlns: reg.xmlns, caseId: reg.caseId, sha256: sha256(reg.xml), attachments: [{ name: 'photo.jpg', sha256: sha256(img), size: img.length }] });
        const update = { drill_followup: `visit-${i + 1}` };
        const fu = followUpForm(user, reg.caseId, update);
        await submit(ctx, rec, worker, fu.xml, `drill ${i + 1} follow-up`, fu.xmlns);
        m.forms.push({ formId: fu.formId, xmlns: fu.xmlns, caseId: reg.caseId, sha256: sha256(fu.xml), attachments: [] });
        m.cases.push({ caseId: reg.caseId, caseName: name, properties: { ...props, ...update } });
      }
      rec.see(`${m.forms.length} forms, ${m.cases.length} cases, ${m.cases.length} photos written`);
    },
  },
  {
    id: 'D3-readback',
    title: 'The drill data reads back by content (Form, Case and User APIs, attachments)',
    services: ['django', 'postgres', 'blobdb', 'kafka', 'elasticsearch', 'couch'],
    required: true,
    async run(ctx, rec) {
      const m = ctx.manifest;
      if (!m?.forms.length) return rec.skip('nothing was written', 'D2-forms');
      const all = await until(
        ctx,
        async () => [...(await formFindings(ctx, m)), ...(await attachmentFindings(ctx, m)), ...(await caseFindings(ctx, m)), ...(await workerFindings(ctx, m))],
        (f) => !f.length,
      );
      judge(rec, 'read-back', m.forms.length + m.cases.length * 2 + 1, all);
    },
  },
  {
    id: 'D4-app-build',
    title: 'Fingerprint the app build the worker submitted with (CouchDB apps)',
    services: ['django', 'couch'],
    required: withApp,
    async run(ctx, rec) {
      const m = ctx.manifest;
      if (!m) return rec.skip('no drill worker', 'D1-worker');
      const appId = ctx.target.appId;
      if (!appId) return rec.skip('no app id (--app-id or CCHQ_APP_ID): the app build is not part of this drill');
      const files = await appBuildHashes(ctx, appId);
      for (const f of files) rec.see(`app build ${appId} ${f.file} → ${f.status}, ${f.size} bytes${f.sha256 ? `, sha256 ${f.sha256.slice(0, 12)}…` : ''}`);
      const bad = files.find((f) => !f.sha256);
      if (bad) rec.fail(`app build ${appId}: ${bad.file} answered ${bad.status} (check --app-id / CCHQ_APP_ID)`);
      m.appBuild = { appId, files: files.map((f) => ({ file: f.file, sha256: f.sha256!, size: f.size })) };
    },
  },
  ];
}

const BACKUP_CLOCK_TOLERANCE_MS = 2000;

// ---- check -----------------------------------------------------------------------------------

/** K1 and K6 count toward PASS only when asked for (--restore-started, --max-rpo, --backup-time); else they report. */

function checkSteps(o: DrillOptions, m: DrillManifest): StepDef<DrillCtx>[] {
  return [
    {
      id: 'K1-recovery',
      title: 'RTO: from the restore start to a healthy server serving the drill data',
      services: ['django'],
      required: !!o.restoreStarted,
      async run(ctx, rec) {
        const started = ctx.drill.restoreStarted;
        const first = ctx.manifest!.forms[0];
        let healthyAt: number | undefined;
        const deadline = Date.now() + ctx.opts.jobTimeoutMs;
        for (;;) {
          const up = await ctx.client.get('/serverup.txt').catch(() => ({ status: 0 }));
          if (up.status === 200) {
            healthyAt ??= Date.now();
            const f = await api(ctx, `/api/form/attachment/${encodeURIComponent(first.formId)}/form.xml`).catch(() => ({ status: 0 }));
            if (f.status === 200) break;
          }
          if (Date.now() > deadline) rec.fail(`the server was not healthy and serving drill form ${first.formId} within ${ctx.opts.jobTimeoutMs / 1000} s`);
          await sleep(ctx.opts.pollMs, ctx.opts.signal);
        }
        const readable = Date.now();
        if (!started) return rec.skip('no --restore-started given: healthy now, RTO not measured');
        const rto = (readable - started.getTime()) / 1000;
        rec.metric('rtoSeconds', Math.round(rto));
        rec.see(`restore started ${started.toISOString()}; serverup.txt healthy after ${((healthyAt! - started.getTime()) / 1000).toFixed(0)} s; first drill form readable after ${rto.toFixed(0)} s`);
        rec.see(`RTO ${rto.toFixed(0)} s`);
      },
    },
    {
      id: 'K2-forms',
      title: 'Forms: every drill form is there with the same XML (PostgreSQL + BlobDB)',
      services: ['postgres', 'blobdb'],
      required: true,
      async run(ctx, rec) {
        judge(rec, 'PostgreSQL/BlobDB (forms)', ctx.manifest!.forms.length, await formFindings(ctx, ctx.manifest!));
      },
    },
    {
      id: 'K3-attachments',
      title: 'Attachments: every photo has the same bytes (BlobDB)',
      services: ['blobdb'],
      required: true,
      async run(ctx, rec) {
        const n = ctx.manifest!.forms.reduce((s, f) => s + f.attachments.length, 0);
        judge(rec, 'BlobDB (attachments)', n, await attachmentFindings(ctx, ctx.manifest!));
      },
    },
    {
      id: 'K4-cases',
      title: 'Cases: every drill case has its properties (PostgreSQL, listed by Elasticsearch)',
      services: ['postgres', 'elasticsearch'],
      required: true,
      async run(ctx, rec) {
        const m = ctx.manifest!;
        judge(rec, 'PostgreSQL/Elasticsearch (cases)', m.cases.length, await until(ctx, () => caseFindings(ctx, m), (f) => !f.length));
      },
    },
    {
      id: 'K5-worker',
      title: 'Users: the drill mobile worker and its user data (CouchDB)',
      services: ['couch'],
      required: true,
      async run(ctx, rec) {
        judge(rec, 'CouchDB (users)', 1, await workerFindings(ctx, ctx.manifest!));
      },
    },
    {
      id: 'K6-rpo',
      title: 'RPO: how much recent data the restore lost (trickle forms)',
      services: ['postgres', 'blobdb'],
      required: o.maxRpoS !== undefined || o.backupTime !== undefined,
      async run(ctx, rec) {
        const t = ctx.manifest!.trickle;
        if (!t.forms.length) return rec.skip('no trickle forms were written (drill backup write --trickle N): RPO not measured');
        const kept: string[] = [];
        const lost: { formId: string; at: string }[] = [];
        for (const f of t.forms) {
          const r = await api(ctx, `/api/form/attachment/${encodeURIComponent(f.formId)}/form.xml`);
          if (r.status === 200) kept.push(f.at);
          else lost.push(f);
        }
        const newest = Date.parse(t.forms[t.forms.length - 1].at);
        const survived = kept.length ? Math.max(...kept.map((a) => Date.parse(a))) : Date.parse(ctx.manifest!.createdAt);
        const rpo = Math.max(0, (newest - survived) / 1000);
        rec.metric('rpoSeconds', Math.round(rpo));
        rec.metric('trickleLost', lost.length);
        rec.see(`trickle: ${kept.length}/${t.forms.length} forms survived (every ${t.everyS} s); newest surviving ${kept.length ? new Date(survived).toISOString() : 'none'}`);
        for (const f of lost.slice(0, 10)) rec.see(`lost: trickle form ${f.formId} written ${f.at}`);
        rec.see(`RPO ${rpo.toFixed(0)} s (data written after the newest surviving trickle form is gone)`);
        const b = ctx.drill.backupTime;
        if (b) {
          // A form acknowledged before the backup was taken must be in it. The tolerance allows for
          // the clocks of this machine and the backup host disagreeing a little.
          const missed = lost.filter((f) => Date.parse(f.at) < b.getTime() - BACKUP_CLOCK_TOLERANCE_MS);
          rec.metric('rpoStatedSeconds', Math.max(0, Math.round((newest - b.getTime()) / 1000)));
          rec.see(`backup time given: ${b.toISOString()}; the RPO it promises is ${Math.max(0, (newest - b.getTime()) / 1000).toFixed(0)} s, measured ${rpo.toFixed(0)} s`);
          if (missed.length) rec.fail(`the backup said to be taken at ${b.toISOString()} lacks ${missed.length} trickle forms acknowledged before it (the first ${missed[0].formId}, written ${missed[0].at}): it is older than stated or incomplete`);
        } else if (t.forms.length) {
          const next = lost.find((f) => Date.parse(f.at) > survived);
          rec.see(`backup time inferred: between ${kept.length ? new Date(survived).toISOString() : ctx.manifest!.createdAt} and ${next?.at ?? 'the last trickle form'} (no --backup-time given)`);
        }
        if (ctx.drill.maxRpoS !== undefined && rpo > ctx.drill.maxRpoS) rec.fail(`RPO ${rpo.toFixed(0)} s is over --max-rpo ${ctx.drill.maxRpoS} s: ${lost.length} trickle forms lost, the first written ${lost[0]?.at}`);
      },
    },
    {
      id: 'K7-backup-files',
      title: 'Backup files on this host: newest file, and not on the data disk (--local)',
      services: ['host'],
      required: false,
      async run(ctx, rec) {
        if (!ctx.drill.backupPath) return rec.skip('not asked (--local --backup-path DIR)');
        const f = backupFacts(ctx.drill.backupPath, ctx.drill.dataPath ?? '/');
        for (const line of f.evidence) rec.see(line);
        if (f.fail) rec.fail(f.fail);
        if (f.warn) rec.warn(f.warn);
      },
    },
    {
      id: 'K8-app-build',
      title: 'App build: the build the worker used has the same files (CouchDB apps)',
      services: ['couch'],
      required: !!m.appBuild,
      async run(ctx, rec) {
        const b = ctx.manifest!.appBuild;
        if (!b) return rec.skip('the drill wrote no app build (no --app-id at write time)');
        judge(rec, 'CouchDB (apps)', b.files.length, await appBuildFindings(ctx, ctx.manifest!));
      },
    },
  ];
}

// ---- retire ----------------------------------------------------------------------------------

/**
 * The drill's worker retired through the User API once the drill has proved what it had to
 * (corehq/apps/api/resources/v0_5.py CommCareUserResource.obj_delete, 202): HQ then soft-deletes
 * its forms and cases (corehq/apps/users/tasks.py, as loadtests/leftovers.ts cites), so
 * a production project is not left with a ccready worker and its test data.
 */
function retireSteps(m: DrillManifest, required: boolean): StepDef<DrillCtx>[] {
  return [{
    id: 'D9-retire',
    title: 'Retire the drill worker; HQ soft-deletes its forms and cases with it (User API)',
    services: ['django', 'couch', 'postgres'],
    required,
    async run(ctx, rec) {
      if (m.retiredAt) return rec.see(`worker ${m.worker.username} was retired at ${m.retiredAt} (the manifest says so): nothing to retire`);
      const path = `${domainPath(ctx)}/api/user/v1/${encodeURIComponent(m.worker.id)}/`;
      const r = await webApi(ctx, rec, 'DELETE', path, { what: 'User API retire' });
      rec.see(`DELETE ${path} → ${r.status}`);
      if (r.status >= 300) rec.fail(`could not retire the drill worker ${m.worker.username}: ${r.status}`);
      m.retiredAt = new Date().toISOString();
      rec.see(`worker ${m.worker.username} (${m.drillId}) retired`);
    },
  }];
}

/**
 * Retires the worker of the drill in the manifest: `drill backup retire`, and the upgrade rehearsal
 * once its check passed (there `required: false`: leftover test data does not make a release unfit).
 */
export async function drillRetire(target: Target, o: DrillOptions & { required?: boolean }): Promise<{ report: VerifyReport; manifest: DrillManifest }> {
  if (!target.web) throw new UsageError('drill backup retire needs a web user (CCHQ_WEB_USERNAME/CCHQ_WEB_PASSWORD) for the User API');
  const manifest = readManifest(o.manifestPath);
  const before = manifest.retiredAt;
  const { report } = await run('drill-retire', target, o, retireSteps(manifest, o.required ?? true), manifest);
  if (manifest.retiredAt !== before) saveManifest(o.manifestPath, manifest);
  return { report, manifest };
}

// ---- running ---------------------------------------------------------------------------------

async function run(kind: VerifyReport['kind'], target: Target, o: DrillOptions, steps: StepDef<DrillCtx>[], manifest?: DrillManifest) {
  const runId = o.runId ?? newRunId();
  const startedAt = new Date().toISOString();
  const opts = withDefaults(o);
  const client = new HqClient(target.url, { tls: target.tls, timeoutMs: opts.requestTimeoutMs, signal: opts.signal });
  const ctx: DrillCtx = { target, client, runId, opts, state: { forms: [], passed: new Set() }, manifest, drill: o };
  let loop: { results: StepResult[]; interrupted: boolean };
  try {
    loop = await runSteps(steps, ctx, { signal: opts.signal, onProgress: o.onProgress, scrub: (s) => redact(s, target) });
  } finally {
    await client.close();
  }
  const report = toReport(kind, target, loop.results, { runId, startedAt, interrupted: loop.interrupted });
  // A drill proves recovery, not readiness: PASS only when every required step passed (a warning
  // stays a warning in the steps), FAIL otherwise — interrupted or partial included.
  const d = report.decision;
  d.verdict = d.exitCode === 0 ? 'PASS' : 'FAIL';
  if (d.exitCode !== 0) d.exitCode = 1;
  return { ctx, report };
}

/**
 * Writes the drill data; saves the manifest only when all of it read back. With `trickleS`, then
 * writes one small form every that many seconds, saving the manifest after each, until the signal.
 */
export async function drillWrite(target: Target, o: DrillOptions): Promise<{ report: VerifyReport; manifest?: DrillManifest; trickled: number }> {
  if (!target.web) throw new UsageError('drill backup write needs a web user (CCHQ_WEB_USERNAME/CCHQ_WEB_PASSWORD) to create its worker and read the APIs');
  const { ctx, report } = await run('drill-write', target, o, writeSteps(!!target.appId));
  const m = ctx.manifest;
  if (!m || report.decision.exitCode !== 0) return { report, trickled: 0 };
  saveManifest(o.manifestPath, m);
  let trickled = 0;
  if (o.trickleS && ctx.worker) {
    const client = new HqClient(target.url, { tls: target.tls, timeoutMs: ctx.opts.requestTimeoutMs });
    const user = { userId: ctx.worker.id, username: ctx.worker.username.split('@')[0] };
    const tctx: DrillCtx = { ...ctx, client };
    const quiet = { see: () => undefined, fail: (r: string) => { throw new Error(r); } } as unknown as Recorder;
    try {
      while (!o.signal?.aborted) {
        const f = registrationForm(user, `ccready drill trickle ${m.trickle.forms.length + 1}`, { ccready_drill: m.drillId, trickle: 'yes' });
        try {
          await submit(tctx, quiet, ctx.worker, f.xml, 'trickle', f.xmlns, false);
          m.trickle.forms.push({ formId: f.formId, at: new Date().toISOString() });
          saveManifest(o.manifestPath, m);
          trickled++;
          o.onProgress?.({ kind: 'note', message: `trickle form ${m.trickle.forms.length} written` });
        } catch (e) {
          o.onProgress?.({ kind: 'note', message: `trickle form refused: ${redact((e as Error).message, target)}` });
        }
        await sleep(o.trickleS * 1000, o.signal).catch(() => undefined);
      }
    } finally {
      await client.close();
    }
  }
  return { report, manifest: m, trickled };
}

export async function drillCheck(target: Target, o: DrillOptions): Promise<{ report: VerifyReport; manifest: DrillManifest }> {
  if (!target.web) throw new UsageError('drill backup check needs a web user (CCHQ_WEB_USERNAME/CCHQ_WEB_PASSWORD) to read the APIs');
  const manifest = readManifest(o.manifestPath);
  const { report } = await run('drill-check', target, o, checkSteps(o, manifest), manifest);
  return { report, manifest };
}

