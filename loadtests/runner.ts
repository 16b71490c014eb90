// Runs one load test with the real k6 binary and turns its output into a report folder. The run
// is composed in one line of steps: prepare (plan → shape → config, no side effects) → workers →
// k6 → audit → judge (pure, loadtests/outcome.ts) → files, written all at once.
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunError, STOP_SIGNALS, UsageError } from '../common/errors.ts';
import { newRunId, runDir, writeRunFiles } from '../common/runs.ts';
import { redact, type Target } from '../common/target.ts';
import { auditForms, parseAckLog, parseRejectLog, type AuditResult } from './audit.ts';
import { ensureBundle } from './bundle.ts';
import { checkSafety, type SubmitOptions } from './config.ts';
import type { K6RunConfig, MobileWorker, ProfileName, ScenarioName } from './contract.ts';
import { resolveK6 } from './k6bin.ts';
import { k6Env, runK6 } from './k6run.ts';
import { K6_FILES, k6LogArgs, k6OwnErrors } from './k6log.ts';
import { freePort, heartbeat, type Heartbeat } from './live.ts';
import { judgeRun, segmentShare } from './outcome.ts';
import type { LoadPlan } from './plan.ts';
import { prepareRun } from './prepare.ts';
import { runFiles } from './run-files.ts';
import { CONFIGURED_WORKER, type LoadResult, type LoadRunRecord, type RunSample } from './record.ts';
import { interpretSummary, type K6SummaryData } from './summary.ts';
import { createUsers, deleteUsers } from './users.ts';
import { cleanRuns, deadRuns, describeCleaned, removeLedger, writeLedger } from './leftovers.ts';
import { finishSampling, startServerSampling, type SamplerOptions } from './server-sampler.ts';
import { samplesCsv } from './server-numbers.ts';

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
  /** every few seconds while k6 runs: elapsed, forms, rate, error rate, p95 (loadtests/live.ts) */
  onHeartbeat?: (h: Heartbeat) => void;
  /** mobile workers (e.g. from --users-csv); default: the target's mobile worker */
  users?: MobileWorker[];
  usersSource?: string;
  /** create this many mobile workers through the User API (removed afterwards unless keep) */
  createUsers?: number;
  keep?: boolean;
  /** folder of Raw XML forms to replay instead of the built-in templates */
  xformsDir?: string;
  restore?: Partial<K6RunConfig['restore']>;
  submit?: SubmitOptions;
  executionSegment?: string;
  executionSegmentSequence?: string;
  /** run the integrity audit (default true when the scenario submits forms) */
  audit?: boolean;
  auditTimeoutS?: number;
  runId?: string;
  /** allow a run past the ceilings of VUs, rate and duration (loadtests/prepare.ts CEILINGS) */
  beyondCeilings?: boolean;
  /** sample the server's CPU, RAM and disk during the run (--local, --prometheus) */
  server?: SamplerOptions;
  /**
   * Preflight before blame: checks the configuration (reachable, trusted, CommCare HQ, project,
   * web user, mobile worker, app) before any traffic. Injected (the CLI passes verify's preflight;
   * loadtests/ does not import verify/). Any problem stops the run as a configuration error.
   */
  preflight?: ConfigurationCheck;
}

/** One line per configuration problem, each naming the flag or variable to fix; none when usable. */
export type ConfigurationCheck = (target: Target) => Promise<{ problems: string[] }>;

/** How often k6's live numbers are read (the heartbeat and the report's charts over time). */
const LIVE_EVERY_MS = 2000;

export function onStopSignals(): { signal: AbortSignal; release: () => void } {
  const ac = new AbortController();
  const stop = () => ac.abort();
  for (const s of STOP_SIGNALS) process.on(s, stop);
  return { signal: ac.signal, release: () => STOP_SIGNALS.forEach((s) => process.off(s, stop)) };
}

/**
 * A wrong URL, certificate, project or password must not come out as a failed load test blaming the
 * server: it stops the run before anything is created or sent, exit 2 (a configuration error, like
 * any bad flag: the user fixes it), no report written.
 */
async function checkConfiguration(check: ConfigurationCheck, target: Target): Promise<void> {
  const { problems } = await check(target);
  if (problems.length) throw new UsageError(`configuration (checked before any load was sent): ${problems.join('; ')}`);
}

export async function runLoad(opts: RunLoadOptions): Promise<LoadResult> {
  const target = opts.target;
  const runId = opts.runId ?? newRunId();
  checkSafety({ target, yes: opts.yes, plan: opts.plan, maxDurationS: opts.maxDurationS });
  const share = segmentShare(opts.executionSegment);
  if (Number.isNaN(share)) throw new UsageError(`--execution-segment: expected a k6 segment such as 0:1/2, got "${opts.executionSegment}"`);
  const k6 = resolveK6({ k6: opts.k6 });
  // Prepare before creating anything on the server, so a bad plan has no side effects.
  const prepared = prepareRun({
    runId, target, plan: opts.plan, profile: opts.profile, scenario: opts.scenario, maxDurationS: opts.maxDurationS,
    workers: opts.createUsers ?? (opts.users?.length || 1), xformsDir: opts.xformsDir, restore: opts.restore, submit: opts.submit, audit: opts.audit, beyondCeilings: opts.beyondCeilings,
  });
  const { plan, profile, scenario, shape, wantsAudit } = prepared;
  if (!opts.createUsers && !opts.users?.length && !target.mobile) {
    throw new UsageError('no mobile worker: set CCHQ_USERNAME/CCHQ_PASSWORD, pass --users-csv FILE, or --create-users N');
  }
  // The worker checked is one k6 will use: the configured one, or the first of a users file (one
  // restore, not one per worker: a file of 1500 workers would load the server before the test).
  // Workers made by --create-users do not exist yet. The others are judged by HQ's 401s (outcome.ts).
  if (opts.preflight) {
    const first = opts.users?.[0];
    const checked = first ? { ...target, mobile: first, mobileFrom: `${opts.usersSource ?? 'users file'} (first worker)` } : opts.createUsers ? { ...target, mobile: undefined } : target;
    await checkConfiguration(opts.preflight, checked);
  }
  const script = await ensureBundle();
  const reportDir = runDir(runId, opts.out);
  let secrets: string[] = [];
  const progress = (l: string) => opts.onProgress?.(redact(l, target, secrets));

  // What an earlier run against this server left behind when it died (kill -9, a lost machine).
  const leftovers: string[] = [];
  if (target.web) {
    const dead = deadRuns(target);
    if (dead.length) for (const c of await cleanRuns(target, dead)) leftovers.push(describeCleaned(c));
    for (const l of leftovers) progress(`ccready load: ${l}`);
  }

  let workers: MobileWorker[];
  let usersSource: string;
  let created: string[] = [];
  if (opts.createUsers) {
    progress(`ccready load: creating ${opts.createUsers} mobile workers through the User API`);
    const ledger = { runId, target: target.url, domain: target.domain, pid: process.pid, startedAt: new Date().toISOString(), workers: [] as string[] };
    writeLedger(ledger);
    let c: Awaited<ReturnType<typeof createUsers>>;
    try {
      c = await createUsers(target, opts.createUsers, runId, (ids) => writeLedger({ ...ledger, workers: ids }));
    } catch (e) {
      removeLedger(runId); // createUsers removed what it had made before it failed
      throw e;
    }
    workers = c.workers;
    created = c.ids;
    usersSource = `created through the User API${opts.keep ? ', kept' : ', removed afterwards'}`;
  } else if (opts.users?.length) {
    workers = opts.users;
    usersSource = opts.usersSource ?? 'users file';
  } else {
    workers = [{ ...target.mobile! }];
    usersSource = CONFIGURED_WORKER;
  }
  secrets = workers.map((w) => w.password);

  const stop = onStopSignals();
  let work: string | undefined;
  try {
    work = mkdtempSync(join(tmpdir(), `ccready-load-${runId}-`));
    chmodSync(work, 0o700);
    const summaryPath = join(work, 'k6-summary.json');
    const consolePath = join(work, K6_FILES.console);
    const errorsPath = join(work, K6_FILES.errors);
    const configPath = join(work, 'k6-config.json');
    const usersPath = join(work, 'users.json');
    const config: K6RunConfig = { ...prepared.config, summaryPath };
    writeFileSync(configPath, JSON.stringify(config, null, 1));
    writeFileSync(usersPath, JSON.stringify(workers), { mode: 0o600 });
    if (target.tls?.ca) writeFileSync(join(work, 'ca.pem'), target.tls.ca);

    const port = await freePort();
    const args = ['run', '--quiet', '--no-usage-report', '--address', `127.0.0.1:${port}`, ...k6LogArgs(consolePath, errorsPath)];
    if (opts.executionSegment) args.push('--execution-segment', opts.executionSegment);
    if (opts.executionSegmentSequence) args.push('--execution-segment-sequence', opts.executionSegmentSequence);
    args.push(script);
    const startedAt = new Date();
    const load = scenario === 'mobile-day' ? `${workers.length} worker(s), ${shape.mobileDay.formsPerDay} forms per day, ${shape.mobileDay.thinkS}s think time` : `${shape.targetRate}/s`;
    progress(`ccready load: run ${runId}: ${scenario}/${profile} against ${target.url} (project ${target.domain}), ${load} for ${shape.durationS}s, k6 ${k6.version} (${k6.source})${share < 1 ? `, segment ${opts.executionSegment} (${(share * 100).toFixed(1)}% of the plan)` : ''}`);
    for (const n of shape.notes) progress(`ccready load: note: ${n}`);
    const capS = Math.min(prepared.maxDurationS, shape.durationS) + shape.setupTimeoutS + 90;
    const sampling = opts.server ? startServerSampling(opts.server) : undefined;
    const timeline: RunSample[] = [];
    const onSample = (s: RunSample) => {
      opts.onHeartbeat?.(heartbeat(s, timeline[timeline.length - 1], shape.durationS));
      timeline.push(s);
    };
    const exit = await runK6({
      bin: k6.path, args, env: k6Env(work, configPath, usersPath, shape.durationS, target.tls), capS, onLine: progress, signal: stop.signal,
      secrets: [usersPath], privateDir: work,
      live: { port, everyMs: LIVE_EVERY_MS, kind: scenario === 'restore' ? 'restore' : 'submission', onSample },
    });
    const endedAt = new Date();
    const elapsedS = (endedAt.getTime() - startedAt.getTime()) / 1000;
    const read = (path: string) => (existsSync(path) ? readFileSync(path, 'utf8') : '');
    const consoleText = read(consolePath);
    if (!existsSync(summaryPath)) {
      const errs = k6OwnErrors(read(errorsPath)).map((l) => redact(l, target, secrets));
      const how = exit.interrupted ? `was interrupted after ${Math.round(elapsedS)} s` : exit.killedByCap ? 'was stopped at the duration cap' : 'ended';
      throw new RunError(`k6 ${how} without writing its summary: ${errs.slice(-3).join(' | ') || 'see k6 output above'}`);
    }
    const data = JSON.parse(readFileSync(summaryPath, 'utf8')) as K6SummaryData;
    const summary = interpretSummary(data, { plan, profile, scenario, stressSteps: shape.stressSteps, share });
    const acked = parseAckLog(consoleText);
    let audit: AuditResult;
    if (!wantsAudit) audit = { checked: false, acknowledged: acked.length, found: 0, lost: 0, missingFormIds: [], waitedS: 0, note: 'not requested for this scenario' };
    else {
      progress(`ccready load: integrity audit of ${acked.length} acknowledged forms against the Form API`);
      audit = await auditForms({ target, acked, since: startedAt, timeoutS: opts.auditTimeoutS ?? 60, signal: stop.signal });
    }
    const server = sampling && await finishSampling(sampling, {
      sizingFile: plan.source.sizing, month: plan.source.month,
      achievedRate: scenario === 'submit' ? summary.formRate : summary.requestRate,
      plannedPeakRate: plan.rates.formsPerSecond.peak + (scenario === 'submit' ? 0 : plan.rates.restoresPerSecond.peak),
    });
    const dash = join(work, 'dashboard.html');
    const rejected = parseRejectLog(consoleText);
    const j = judgeRun({
      plan, shape, scenario, summary, audit, wantsAudit, exit, capS, elapsedS,
      ackedIds: acked.length, rejected, share, dashboard: existsSync(dash), workersFrom: usersSource,
    });
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
      k6End: j.k6End,
      workers: workers.length,
      usersSource,
      targetRate: shape.targetRate,
      plannedDurationS: shape.durationS,
      ...(opts.executionSegment ? { segment: { segment: opts.executionSegment, ...(opts.executionSegmentSequence ? { sequence: opts.executionSegmentSequence } : {}), share, targetRate: Number((shape.targetRate * share).toFixed(4)) } } : {}),
      verdict: j.verdict,
      exitCode: j.exitCode,
      failures: j.failures,
      completion: j.completion,
      summary,
      audit,
      notes: [...leftovers, ...j.notes],
      rejected,
      timeline,
      plan,
      ...(server ? { server } : {}),
    };
    const files: Record<string, string | Uint8Array> = runFiles(record, { k6Summary: readFileSync(summaryPath, 'utf8'), config, acked, target, secrets });
    if (existsSync(dash)) files['dashboard.html'] = readFileSync(dash);
    if (server?.samples.length) files['server.csv'] = redact(samplesCsv(server.samples), target, secrets);
    const written = writeRunFiles(reportDir, files);
    progress(`ccready load: ${record.verdict}${j.failures.length ? `: ${j.failures[0]}` : ''}; report in ${reportDir}`);
    return {
      runId,
      reportDir,
      exitCode: j.exitCode,
      thresholdsOk: summary.thresholdsOk,
      complete: j.complete,
      lost: audit.lost,
      missingFormIds: audit.missingFormIds,
      acknowledged: wantsAudit ? acked.length : summary.formsAcknowledged,
      summary,
      audit,
      verdict: j.verdict,
      failures: j.failures,
      notes: [...leftovers, ...j.notes],
      elapsedS,
      files: written,
    };
  } finally {
    stop.release();
    if (work) rmSync(work, { recursive: true, force: true });
    if (created.length && !opts.keep) {
      const failed = await deleteUsers(target, created);
      if (failed.length) {
        writeLedger({ runId, target: target.url, domain: target.domain, pid: process.pid, startedAt: new Date().toISOString(), workers: failed });
        progress(`ccready load: could not remove ${failed.length} created mobile workers: ${failed.join(', ')} (retry with \`ccready cleanup --run-id ${runId}\`)`);
      } else removeLedger(runId);
    } else if (opts.createUsers) removeLedger(runId);
  }
}
