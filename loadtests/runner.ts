// Runs one load test with the real k6 binary and turns its output into a report folder:
// resolve k6 and the bundled script, write the run config (no secrets) and a 0600 users file,
// run k6 under a hard time cap, read its summary and the acknowledged form ids, audit them
// against the Form API, and write every report file at once.
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunError, UsageError } from '../common/errors.ts';
import { newRunId, runDir, writeRunFiles } from '../common/runs.ts';
import { isLoopback, redact, type Target } from '../common/target.ts';
import { loadCsv, loadJunit, loadMarkdown } from '../reports/load-report.ts';
import { auditForms, describeRejections, parseAckLog, parseRejectLog, type AuditResult } from './audit.ts';
import { ensureBundle } from './bundle.ts';
import type { K6RunConfig, MobileWorker, ProfileName, ScenarioName } from './contract.ts';
import { resolveK6, type K6Binary } from './k6bin.ts';
import { defaultPlan, shapeRun, type LoadPlan, type ScenarioShape } from './plan.ts';
import { interpretSummary, type K6SummaryData, type LoadSummary } from './summary.ts';
import { templatesFromDir } from './templates.ts';
import { createUsers, deleteUsers } from './users.ts';

export const PROFILES: ProfileName[] = ['smoke', 'normal', 'peak', 'stress', 'soak'];
export const SCENARIOS: ScenarioName[] = ['submit', 'restore', 'mobile-day'];
/** Default hard cap on a run: one hour (the soak profile's length). */
export const DEFAULT_MAX_DURATION_S = 3600;

export interface RunLoadOptions {
  target: Target;
  profile?: ProfileName;
  plan?: LoadPlan;
  scenario?: ScenarioName;
  out?: string;
  /** allow a target that is not loopback */
  yes?: boolean;
  k6?: string;
  maxDurationS?: number;
  onProgress?: (line: string) => void;
  /** mobile workers (e.g. from --users-csv); default: the target's mobile worker */
  users?: MobileWorker[];
  usersSource?: string;
  /** create this many mobile workers through the User API (removed afterwards unless keep) */
  createUsers?: number;
  keep?: boolean;
  /** folder of Raw XML forms to replay instead of the built-in templates */
  xformsDir?: string;
  restore?: Partial<K6RunConfig['restore']>;
  submit?: Partial<Pick<K6RunConfig['submit'], 'path' | 'openRosaVersion' | 'mix'>>;
  executionSegment?: string;
  executionSegmentSequence?: string;
  /** run the integrity audit (default true when the scenario submits forms) */
  audit?: boolean;
  auditTimeoutS?: number;
  runId?: string;
}

export interface LoadRunRecord {
  runId: string;
  target: string;
  domain: string;
  scenario: ScenarioName;
  profile: ProfileName;
  startedAt: string;
  endedAt: string;
  k6: K6Binary;
  k6ExitCode: number | null;
  workers: number;
  usersSource: string;
  targetRate: number;
  plannedDurationS: number;
  verdict: 'PASS' | 'FAIL';
  exitCode: 0 | 1;
  summary: LoadSummary;
  audit: AuditResult;
  notes: string[];
  plan: LoadPlan;
}

export interface LoadResult {
  runId: string;
  reportDir: string;
  /** 0 all thresholds met and nothing lost; 1 a threshold failed or forms were lost */
  exitCode: 0 | 1;
  thresholdsOk: boolean;
  lost: number;
  missingFormIds: string[];
  acknowledged: number;
  summary: LoadSummary;
  audit: AuditResult;
  verdict: 'PASS' | 'FAIL';
  /** why a run is incomplete or unusual (cap, abort, interruption, skipped audit) */
  notes: string[];
  files: string[];
}

function sameOrigin(a: string, b: string): boolean {
  try {
    return new URL(a).origin === new URL(b).origin;
  } catch {
    return false;
  }
}

/** Safety rules that need no network: explicit target, --yes off loopback, a positive cap. */
export function checkSafety(o: { target: Target; yes?: boolean; plan?: LoadPlan; maxDurationS?: number }): void {
  if (!isLoopback(o.target.url) && !o.yes && !(o.plan?.target && sameOrigin(o.plan.target, o.target.url))) {
    throw new UsageError(`--target: ${o.target.url} is not a loopback address; load tests send real traffic, so pass --yes (or name it in the plan's "target") to confirm`);
  }
  if (o.maxDurationS !== undefined && !(Number.isFinite(o.maxDurationS) && o.maxDurationS > 0)) {
    throw new UsageError(`--max-duration: expected a positive number of seconds, got ${o.maxDurationS}`);
  }
}

/** The run config handed to k6 (pure; holds no secrets). */
export function buildRunConfig(o: {
  runId: string;
  target: Target;
  scenario: ScenarioName;
  profile: ProfileName;
  shape: ScenarioShape;
  summaryPath: string;
  templates?: K6RunConfig['submit']['templates'];
  restore?: Partial<K6RunConfig['restore']>;
  submit?: RunLoadOptions['submit'];
  logAcks: boolean;
}): K6RunConfig {
  return {
    runId: o.runId,
    baseUrl: o.target.url,
    domain: o.target.domain,
    appId: o.target.appId,
    scenario: o.scenario,
    profile: o.profile,
    options: o.shape.options,
    submit: {
      path: o.submit?.path ?? 'secure',
      openRosaVersion: o.submit?.openRosaVersion ?? '3.0',
      mix: o.submit?.mix ?? { registration: 3, followup: 6, close: 1 },
      ...(o.templates ? { templates: o.templates } : {}),
    },
    restore: {
      version: o.restore?.version ?? '2.0',
      skipFixtures: o.restore?.skipFixtures ?? true,
      ...(o.restore?.asUser ? { asUser: o.restore.asUser } : {}),
      staleTokenRate: o.restore?.staleTokenRate ?? 0,
      maxAsyncWaitS: o.restore?.maxAsyncWaitS ?? 120,
    },
    mobileDay: o.shape.mobileDay,
    ...(o.shape.stressSteps ? { stressSteps: o.shape.stressSteps } : {}),
    logAcks: o.logAcks,
    summaryPath: o.summaryPath,
  };
}

/** Environment for k6: ours plus the run's files; ccready's secrets are not passed on. */
function k6Env(work: string, configPath: string, usersPath: string, durationS: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(env)) if (/^CCHQ_|^LOCUST_/.test(k)) delete env[k];
  return {
    ...env,
    CCREADY_CONFIG: configPath,
    CCREADY_USERS_FILE: usersPath,
    K6_NO_USAGE_REPORT: 'true',
    K6_WEB_DASHBOARD: 'true',
    K6_WEB_DASHBOARD_PORT: '-1',
    K6_WEB_DASHBOARD_EXPORT: join(work, 'dashboard.html'),
    // The dashboard skips its export when it saw fewer than a few periods; keep periods short.
    K6_WEB_DASHBOARD_PERIOD: `${Math.max(1, Math.min(10, Math.floor(durationS / 30)))}s`,
  };
}

interface K6Exit {
  code: number | null;
  killedByCap: boolean;
  interrupted: boolean;
}

function runK6(bin: string, args: string[], env: NodeJS.ProcessEnv, capS: number, onLine: (l: string) => void): Promise<K6Exit> {
  return new Promise((resolve, reject) => {
    // k6 gets its own process group: a terminal Ctrl-C signals the whole foreground group, and a
    // second SIGINT (ours, forwarded below) makes k6 stop hard without a summary. Only the one we
    // forward reaches it now. If ccready itself dies, k6 is killed on exit.
    const child = spawn(bin, args, { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const killOnExit = () => child.kill('SIGKILL');
    process.on('exit', killOnExit);
    let killedByCap = false;
    let interrupted = false;
    // Ctrl-C: let k6 stop gracefully and write its summary, so the report (and the clean-up of
    // the users file and of created workers) still happens.
    const onSignal = () => {
      interrupted = true;
      child.kill('SIGINT');
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    const done = () => {
      process.off('exit', killOnExit);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    };
    const timer = setTimeout(() => {
      killedByCap = true;
      child.kill('SIGINT');
      setTimeout(() => child.kill('SIGKILL'), 15000).unref();
    }, capS * 1000);
    const lines = (chunk: Buffer) => chunk.toString('utf8').split('\n').filter((l) => l.trim()).forEach(onLine);
    child.stdout.on('data', lines);
    child.stderr.on('data', lines);
    child.on('error', (e) => {
      clearTimeout(timer);
      done();
      reject(new RunError(`k6: cannot start ${bin} (${(e as NodeJS.ErrnoException).code ?? e.message})`));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      done();
      resolve({ code, killedByCap, interrupted });
    });
  });
}

function k6Errors(logText: string): string[] {
  const out: string[] = [];
  for (const line of logText.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const j = JSON.parse(line) as { level?: string; msg?: string; error?: string };
      if (j.level === 'error' || j.level === 'fatal') out.push(`${j.msg ?? ''}${j.error ? `: ${j.error}` : ''}`);
    } catch {
      /* partial line */
    }
  }
  return out;
}

export async function runLoad(opts: RunLoadOptions): Promise<LoadResult> {
  const target = opts.target;
  const scenario = opts.scenario ?? 'submit';
  if (!SCENARIOS.includes(scenario)) throw new UsageError(`--scenario: expected one of ${SCENARIOS.join(', ')}, got "${scenario}"`);
  const profile = opts.profile ?? (opts.plan ? 'peak' : 'smoke');
  if (!PROFILES.includes(profile)) throw new UsageError(`--profile: expected one of ${PROFILES.join(', ')}, got "${profile}"`);
  const maxDurationS = opts.maxDurationS ?? DEFAULT_MAX_DURATION_S;
  checkSafety({ target, yes: opts.yes, plan: opts.plan, maxDurationS });
  // 0 must not quietly mean "no workers created" and fall back to CCHQ_USERNAME.
  if (opts.createUsers !== undefined && !(Number.isInteger(opts.createUsers) && opts.createUsers > 0 && opts.createUsers <= 10000)) {
    throw new UsageError(`--create-users: expected a whole number from 1 to 10000, got ${opts.createUsers}`);
  }
  if (opts.auditTimeoutS !== undefined && !(Number.isFinite(opts.auditTimeoutS) && opts.auditTimeoutS >= 0)) {
    throw new UsageError(`--audit-timeout: expected a number of seconds (0 or more), got ${opts.auditTimeoutS}`);
  }
  const progress = (l: string) => opts.onProgress?.(redact(l, target));
  const k6 = resolveK6({ k6: opts.k6 });
  const templates = opts.xformsDir ? templatesFromDir(opts.xformsDir) : undefined;
  const script = await ensureBundle();
  const plan = opts.plan ?? defaultPlan();
  const runId = opts.runId ?? newRunId();
  const reportDir = runDir(runId, opts.out);

  // Shape the run before creating anything on the server, so a bad plan has no side effects.
  const workerCount = opts.createUsers ?? (opts.users?.length || 1);
  const shape = shapeRun({ plan, profile, scenario, maxDurationS, workers: workerCount });
  if (!opts.createUsers && !opts.users?.length && !target.mobile) {
    throw new UsageError('no mobile worker: set CCHQ_USERNAME/CCHQ_PASSWORD, pass --users-csv FILE, or --create-users N');
  }
  let workers: MobileWorker[];
  let usersSource: string;
  let created: string[] = [];
  if (opts.createUsers) {
    progress(`ccready load: creating ${opts.createUsers} mobile workers through the User API`);
    const c = await createUsers(target, opts.createUsers, runId);
    workers = c.workers;
    created = c.ids;
    usersSource = `created through the User API${opts.keep ? ', kept' : ', removed afterwards'}`;
  } else if (opts.users?.length) {
    workers = opts.users;
    usersSource = opts.usersSource ?? 'users file';
  } else {
    workers = [{ ...target.mobile! }];
    usersSource = 'CCHQ_USERNAME';
  }

  let work: string | undefined;
  try {
    work = mkdtempSync(join(tmpdir(), 'ccready-load-'));
    chmodSync(work, 0o700);
    const summaryPath = join(work, 'k6-summary.json');
    const logPath = join(work, 'k6-log.json');
    const configPath = join(work, 'k6-config.json');
    const usersPath = join(work, 'users.json');
    const wantsAudit = opts.audit ?? scenario !== 'restore';
    const config = buildRunConfig({ runId, target, scenario, profile, shape, summaryPath, templates, restore: opts.restore, submit: opts.submit, logAcks: wantsAudit });
    writeFileSync(configPath, JSON.stringify(config, null, 1));
    writeFileSync(usersPath, JSON.stringify(workers), { mode: 0o600 });

    const args = ['run', '--quiet', '--no-usage-report', '--address', '127.0.0.1:0', '--log-output', `file=${logPath}`, '--log-format', 'json'];
    if (opts.executionSegment) args.push('--execution-segment', opts.executionSegment);
    if (opts.executionSegmentSequence) args.push('--execution-segment-sequence', opts.executionSegmentSequence);
    args.push(script);
    const startedAt = new Date();
    const load = scenario === 'mobile-day' ? `${workers.length} worker(s), ${shape.mobileDay.formsPerDay} forms per day, ${shape.mobileDay.thinkS}s think time` : `${shape.targetRate}/s`;
    progress(`ccready load: run ${runId}: ${scenario}/${profile} against ${target.url} (project ${target.domain}), ${load} for ${shape.durationS}s, k6 ${k6.version} (${k6.source})`);
    for (const n of shape.notes) progress(`ccready load: note: ${n}`);
    const capS = Math.min(maxDurationS, shape.durationS) + shape.setupTimeoutS + 90;
    const exit = await runK6(k6.path, args, k6Env(work, configPath, usersPath, shape.durationS), capS, progress);
    const endedAt = new Date();
    const logText = existsSync(logPath) ? readFileSync(logPath, 'utf8') : '';
    if (!existsSync(summaryPath)) {
      const errs = k6Errors(logText).map((l) => workers.reduce((t, w) => (w.password.length >= 3 ? t.split(w.password).join('***') : t), redact(l, target)));
      throw new RunError(`k6 ended with exit code ${exit.code} and no summary${exit.killedByCap ? ' (killed at the duration cap)' : ''}: ${errs.slice(-3).join(' | ') || 'see k6 output above'}`);
    }
    const data = JSON.parse(readFileSync(summaryPath, 'utf8')) as K6SummaryData;
    const summary = interpretSummary(data, { plan, profile, scenario, stressSteps: shape.stressSteps });
    const acked = parseAckLog(logText);
    let audit: AuditResult;
    if (!wantsAudit) audit = { checked: false, acknowledged: acked.length, found: 0, lost: 0, missingFormIds: [], waitedS: 0, note: 'not requested for this scenario' };
    else {
      progress(`ccready load: integrity audit of ${acked.length} acknowledged forms against the Form API`);
      audit = await auditForms({ target, acked, since: startedAt, timeoutS: opts.auditTimeoutS ?? 60 });
    }
    const notes = [...shape.notes, ...summary.info];
    const rejected = parseRejectLog(logText);
    if (rejected.length) notes.push(`what the server answered to failed requests: ${describeRejections(rejected.slice(0, 6))}${rejected.length > 6 ? ', …' : ''}`);
    const abortTripped = summary.thresholds.some((t) => !t.ok && t.metric === 'ccready_errors' && t.threshold === `rate<${plan.thresholds.abortErrorRate}`);
    if (abortTripped && summary.durationS < shape.durationS - 1) {
      notes.push(`k6 stopped the run after ${summary.durationS}s of ${shape.durationS}s: the error rate passed ${plan.thresholds.abortErrorRate * 100}% (abort threshold), so the failing server was not hammered further`);
    }
    if (exit.killedByCap) notes.push(`k6 was stopped at the hard cap of ${capS}s`);
    if (exit.interrupted) notes.push('interrupted (SIGINT/SIGTERM): the run is incomplete');
    if (exit.code !== 0 && exit.code !== 99) notes.push(`k6 exit code ${exit.code}`);
    if (!audit.checked && audit.note && wantsAudit) notes.push(`integrity audit not done: ${audit.note}`);
    if (summary.formsAcknowledged !== acked.length && wantsAudit) notes.push(`k6 counted ${summary.formsAcknowledged} acknowledged forms, the log holds ${acked.length} ids`);
    const dash = join(work, 'dashboard.html');
    if (!existsSync(dash)) notes.push('k6 wrote no dashboard export (the run was too short for its report)');
    const exitCode: 0 | 1 = summary.thresholdsOk && audit.lost === 0 && !audit.failed && !exit.killedByCap && !exit.interrupted ? 0 : 1;
    const record: LoadRunRecord = {
      runId,
      target: target.url,
      domain: target.domain,
      scenario,
      profile,
      startedAt: startedAt.toISOString(),
      endedAt: endedAt.toISOString(),
      k6,
      k6ExitCode: exit.code,
      workers: workers.length,
      usersSource,
      targetRate: shape.targetRate,
      plannedDurationS: shape.durationS,
      verdict: exitCode === 0 ? 'PASS' : 'FAIL',
      exitCode,
      summary,
      audit,
      notes,
      plan,
    };
    const files: Record<string, string | Uint8Array> = {
      'k6-summary.json': readFileSync(summaryPath, 'utf8'),
      'k6-config.json': JSON.stringify(config, null, 1),
      'run.json': JSON.stringify(record, null, 1),
      'summary.md': loadMarkdown(record),
      'metrics.csv': loadCsv(record),
      'junit.xml': loadJunit(record),
      'acknowledged-forms.txt': acked.map((a) => `${a.formId} ${a.instanceId}`).join('\n') + (acked.length ? '\n' : ''),
    };
    if (existsSync(dash)) files['dashboard.html'] = readFileSync(dash);
    // Nothing secret may leave in a report: redact every text file with all the run's passwords.
    const secrets = workers.map((w) => w.password).filter((p) => p.length >= 3);
    for (const [name, content] of Object.entries(files)) {
      if (typeof content !== 'string') continue;
      let t = redact(content, target);
      for (const s of secrets) t = t.split(s).join('***');
      files[name] = t;
    }
    const written = writeRunFiles(reportDir, files);
    progress(`ccready load: ${record.verdict}: thresholds ${summary.thresholdsOk ? 'met' : 'FAILED'}, ${summary.formsAcknowledged} forms acknowledged, lost ${audit.checked ? audit.lost : 'not audited'}; report in ${reportDir}`);
    return {
      runId,
      reportDir,
      exitCode,
      thresholdsOk: summary.thresholdsOk,
      lost: audit.lost,
      missingFormIds: audit.missingFormIds,
      acknowledged: wantsAudit ? acked.length : summary.formsAcknowledged,
      summary,
      audit,
      verdict: record.verdict,
      notes,
      files: written,
    };
  } finally {
    if (work) rmSync(work, { recursive: true, force: true });
    if (created.length && !opts.keep) {
      const failed = await deleteUsers(target, created);
      if (failed.length) progress(`ccready load: could not remove ${failed.length} created mobile workers: ${failed.join(', ')}`);
    }
  }
}
