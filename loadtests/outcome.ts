// The judgement of a load run, carved out of the runner so it can be unit-tested: from what k6
// measured, how it ended and what the audit found, to PASS / FAIL / INTERRUPTED with one line per
// reason. Pure. The gate's smoke step reads the same judgement (through runLoad's result).
import { EXIT } from '../common/errors.ts';
import type { AuditResult, RejectedAnswer } from './audit.ts';
import { describeRejections } from './audit.ts';
import { refusesWorker, segmentRange, type ScenarioName } from './contract.ts';
import type { LoadPlan, ScenarioShape } from './plan.ts';
import type { Completion, LoadVerdict } from './record.ts';
import type { LoadSummary } from './summary.ts';

/** A run that completed fewer of its planned iterations than this is not PASS (issue 11). */
export const MIN_COMPLETION = 0.95;


export interface K6Exit {
  code: number | null;
  killedByCap: boolean;
  interrupted: boolean;
}

export interface RunFacts {
  plan: LoadPlan;
  shape: ScenarioShape;
  scenario: ScenarioName;
  summary: LoadSummary;
  audit: AuditResult;
  /** the audit was asked for (default for scenarios that submit) */
  wantsAudit: boolean;
  exit: K6Exit;
  /** the hard cap k6 ran under, seconds */
  capS: number;
  /** seconds from k6's start to its end (wall clock) */
  elapsedS: number;
  /** acknowledged ids in k6's log */
  ackedIds: number;
  rejected: RejectedAnswer[];
  /** this generator's share of the plan (execution segment), 1 for the whole plan */
  share: number;
  dashboard: boolean;
  /** where the mobile workers came from, as the report names them (`--users-csv FILE`, `CCHQ_USERNAME`, …) */
  workersFrom?: string;
}

export interface Judgement {
  verdict: LoadVerdict;
  exitCode: number;
  failures: string[];
  notes: string[];
  completion: Completion;
  /** how k6 ended, in words (no internal exit codes) */
  k6End: string;
  /** k6 did the planned work: not stopped by the cap or a signal, enough iterations completed */
  complete: boolean;
}

/** k6's exit codes (go.k6.io/k6/errext/exitcodes) in words; the codes stay in run.json only. */
export function describeK6Exit(code: number | null, interrupted: boolean): string {
  if (interrupted) return 'stopped on an interrupt';
  switch (code) {
    case 0: return 'finished';
    case 99: return 'finished, thresholds failed';
    case 100: return 'setup() ran out of time';
    case 101: return 'teardown() ran out of time';
    case 104: return 'rejected its configuration';
    case 105: return 'stopped from outside';
    case 107: return 'the script threw an error';
    case 108: return 'the script aborted the test';
    case 109: return 'crashed';
    case null: return 'killed by a signal';
    default: return 'ended abnormally';
  }
}

/**
 * Iterations the scenario plans, for this generator's share: arrival-rate scenarios start a known
 * number, per-VU iterations too; constant VUs (a mobile day of think times) and the stress ramp
 * (which ends by breaking the server) plan no count.
 */
export function plannedIterations(shape: ScenarioShape, share = 1): number | null {
  const scenarios = Object.values(shape.options.scenarios ?? {});
  let total = 0;
  for (const s of scenarios) {
    if (s.executor === 'constant-arrival-rate') {
      const unitS = seconds(s.timeUnit ?? '1s');
      total += (s.rate / unitS) * seconds(s.duration);
    } else if (s.executor === 'per-vu-iterations') {
      total += (s.vus ?? 1) * (s.iterations ?? 1);
    } else return null;
  }
  return scenarios.length ? Math.floor(total * share + 1e-9) : null;
}

function seconds(d: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(d);
  if (!m) return NaN;
  return Number(m[1]) * ({ ms: 0.001, s: 1, m: 60, h: 3600 } as const)[m[2] as 'ms' | 's' | 'm' | 'h'];
}

/** `0:1/2` → 0.5, `1/3:2/3` → 1/3 (k6's execution-segment syntax); NaN when not a segment. */
export function segmentShare(segment: string | undefined): number {
  const [from, to] = segmentRange(segment);
  return to - from;
}

/** How many refused workers the failure line names before "and N more". */
const MAX_NAMED = 5;

export function judgeRun(f: RunFacts): Judgement {
  const { summary, audit, exit, plan, shape } = f;
  const failures: string[] = [];
  const notes = [...shape.notes, ...summary.info];
  if (f.rejected.length) notes.push(`what the server answered to failed requests: ${describeRejections(f.rejected.slice(0, 6))}${f.rejected.length > 6 ? ', …' : ''}`);

  // HQ refusing a worker (401, or 403: not a worker of the project) is the workers' credentials, not
  // a failing server: said first, and the run is a configuration error — a wrong password in a users
  // file passes the preflight, which tries only the first worker.
  const refused = f.rejected.filter((r) => refusesWorker(r.status));
  const refusedCount = refused.reduce((a, r) => a + r.count, 0);
  if (refusedCount) {
    const workers = [...new Set(refused.flatMap((r) => r.workers ?? []))].sort();
    const named = workers.length ? `: ${workers.slice(0, MAX_NAMED).join(', ')}${workers.length > MAX_NAMED ? ` and ${workers.length - MAX_NAMED} more` : ''}` : '';
    failures.push(`HQ refused ${refusedCount} requests of mobile workers (${[...new Set(refused.map((r) => r.status))].join('/')}: wrong username or password, or not a worker of the project): ` +
      `check the workers' credentials${f.workersFrom || named ? ` (${f.workersFrom ?? 'refused'}${named})` : ''}; this says nothing about the server, and the planned load was not tested as asked`);
  }

  const broken = summary.thresholds.filter((t) => !t.ok);
  if (broken.length) failures.push(`thresholds failed: ${broken.map((t) => `${t.metric} ${t.threshold}`).join(', ')}`);
  const abortTripped = broken.some((t) => t.metric === 'ccready_errors' && t.threshold === `rate<${plan.thresholds.abortErrorRate}`);
  const stoppedEarly = abortTripped && summary.durationS < shape.durationS - 1;
  if (stoppedEarly) {
    notes.push(`k6 stopped the run after ${summary.durationS}s of ${shape.durationS}s: the error rate passed ${plan.thresholds.abortErrorRate * 100}% (abort threshold), so the failing server was not hammered further`);
  }

  // Did k6 do the work the plan asked for? A run cut short at the cap, or one that could only start
  // a fraction of its iterations (too few VUs for a slow server), measured a smaller load.
  const planned = plannedIterations(shape, f.share);
  const completion: Completion = {
    planned,
    completed: summary.iterations,
    dropped: summary.droppedIterations,
    ratio: planned ? Number((summary.iterations / planned).toFixed(4)) : null,
  };
  const before = failures.length;
  if (exit.killedByCap) failures.push(`k6 was stopped at the hard cap of ${f.capS}s before the plan finished`);
  else if (!exit.interrupted && !stoppedEarly && completion.ratio !== null && completion.ratio < MIN_COMPLETION) {
    failures.push(`k6 completed ${completion.completed} of ${planned} planned iterations (${(completion.ratio * 100).toFixed(0)}%, under ${MIN_COMPLETION * 100}%)` +
      (completion.dropped ? `; ${completion.dropped} could not start for want of a free virtual user (the server answered too slowly for the plan's rate)` : ''));
  } else if (!exit.interrupted && !stoppedEarly && planned === null && completion.dropped > 0) {
    const share = completion.dropped / (completion.dropped + completion.completed);
    if (share > 1 - MIN_COMPLETION) failures.push(`k6 could not start ${completion.dropped} of ${completion.dropped + completion.completed} iterations for want of a free virtual user`);
  }

  const interrupted = exit.interrupted || !!audit.interrupted;
  const complete = failures.length === before && !interrupted;

  // Nothing lost unseen: an audit that was wanted must have run and confirmed every form.
  if (f.wantsAudit) {
    if (audit.interrupted) notes.push(`integrity audit interrupted: ${audit.note ?? ''}`);
    else if (audit.failed) failures.push(`integrity audit failed: ${audit.note ?? 'the Form API was not usable'}`);
    else if (!audit.checked) failures.push(`integrity audit not done: ${audit.note ?? 'unknown reason'}; no acknowledged form is confirmed (pass --no-audit to run without it)`);
    else if (audit.lost > 0) failures.push(`${audit.lost} of ${audit.acknowledged} acknowledged forms are missing from the Form API`);
    if (summary.formsAcknowledged > f.ackedIds) {
      failures.push(`k6 counted ${summary.formsAcknowledged} acknowledged forms but its log holds ${f.ackedIds} ids: ${summary.formsAcknowledged - f.ackedIds} cannot be audited`);
    } else if (summary.formsAcknowledged !== f.ackedIds) notes.push(`k6 counted ${summary.formsAcknowledged} acknowledged forms, the log holds ${f.ackedIds} ids`);
  }

  // Throttling is HQ's rate limiter at work, not a failing service: reported on its own, and a
  // run whose requests were throttled beyond the error budget did not test the planned load.
  const attempts = summary.formsAcknowledged + summary.formsRejected + summary.restoresFull + summary.restoresIncremental + summary.throttled;
  if (summary.throttled > 0) {
    const share = attempts > 0 ? summary.throttled / attempts : 1;
    const line = `HQ throttled ${summary.throttled} requests (429, ${(share * 100).toFixed(1)}%): its rate limiter, not an error`;
    if (share > plan.thresholds.errorRate) failures.push(`${line}; over the ${plan.thresholds.errorRate * 100}% budget, so the planned rate was not tested (raise the project's rate limit or lower the rate)`);
    else notes.push(line);
  }
  if (summary.submissionsStalled > 0) {
    notes.push(`${summary.submissionsStalled} accepted submissions took 1 s or more: HQ's submission rate limiter holds a request up to 15 s before accepting it (or answering 429)`);
  }

  const k6End = describeK6Exit(exit.code, exit.interrupted);
  if (![0, 99].includes(exit.code ?? -1) && !exit.interrupted && !exit.killedByCap) failures.push(`k6 ${k6End}`);
  if (!f.dashboard) notes.push('k6 wrote no dashboard export (the run was too short for its report)');

  if (interrupted) {
    const when = exit.interrupted ? `after ${Math.round(f.elapsedS)} s` : 'during the integrity audit';
    return { verdict: 'INTERRUPTED', exitCode: EXIT.interrupted, failures: [`interrupted ${when}: the run is incomplete`, ...failures], notes, completion, k6End, complete };
  }
  const exitCode = refusedCount ? EXIT.usage : failures.length ? EXIT.failed : EXIT.ok;
  return { verdict: failures.length ? 'FAIL' : 'PASS', exitCode, failures, notes, completion, k6End, complete };
}
