// What a load run leaves behind: the record written to run.json (read back by `load calibrate`
// and `load merge`) and the result handed to the CLI and the gate. Types only, so that
// reports/load-report.ts can read a record without importing the runner (no import cycle), and
// kept out of contract.ts, which also compiles for the k6 runtime.
import type { AuditResult, RejectedAnswer } from './audit.ts';
import type { ProfileName, ScenarioName } from './contract.ts';
import type { K6Binary } from './k6bin.ts';
import type { LoadPlan } from './plan.ts';
import type { LoadSummary } from './summary.ts';
import type { ServerNumbers } from './server-numbers.ts';

/** PASS: every check held; FAIL: one did not; INTERRUPTED: stopped by a signal, proves nothing. */
export type LoadVerdict = 'PASS' | 'FAIL' | 'INTERRUPTED';

/** How much of the planned work k6 did (arrival-rate scenarios; null where k6 plans no count). */
export interface Completion {
  /** iterations the plan asked of this generator (its segment's share), null when not countable */
  planned: number | null;
  completed: number;
  /** iterations k6 could not start for want of a free virtual user */
  dropped: number;
  /** completed ÷ planned, null when planned is */
  ratio: number | null;
}

/** One heartbeat sample of the run (k6's live metrics, polled): the report's charts over time. */
export interface RunSample {
  /** seconds since k6 started */
  t: number;
  /** acknowledged forms so far */
  forms: number;
  /** requests so far */
  requests: number;
  /** failed checks so far (ccready_errors passes) and all checks */
  errors: number;
  checks: number;
  /** requests answered 429 so far */
  throttled: number;
  /** mean latency of the requests since the previous sample, ms (null when none) */
  meanMs: number | null;
  /** p95 of every request so far, ms */
  p95Ms: number | null;
}

/** One generator of a merged split run, as the merged report names it. */
export interface MergedSegment {
  segment: string;
  share: number;
  /** where its results came from: a run folder, a runner pod */
  source: string;
  runId?: string;
  /** its own verdict on its share, when it judged one (`load run --execution-segment`) */
  verdict?: LoadVerdict;
  startedAt?: string;
  endedAt?: string;
  formsAcknowledged: number;
  requests: number;
  k6End: string;
}

/** usersSource of a run that used the one configured mobile worker (CCHQ_USERNAME/--username). */
export const CONFIGURED_WORKER = 'CCHQ_USERNAME';

export interface LoadRunRecord {
  runId: string;
  target: string;
  domain: string;
  scenario: ScenarioName;
  profile: ProfileName;
  startedAt: string;
  endedAt: string;
  k6: K6Binary;
  /** k6's own exit code, kept as data; reports show `k6End` instead */
  k6ExitCode: number | null;
  /** how k6 ended, in words */
  k6End: string;
  workers: number;
  /** where the workers came from: CONFIGURED_WORKER, a users file, or created through the User API */
  usersSource: string;
  targetRate: number;
  plannedDurationS: number;
  /**
   * the k6 execution segment this generator ran (absent: the whole plan); targetRate above stays
   * the plan's, `targetRate` here is this segment's share of it, the rate it is judged against
   */
  segment?: { segment: string; sequence?: string; share: number; targetRate?: number };
  /** a merged run (`load merge`, `load k8s collect`): the generators it was merged from */
  segments?: MergedSegment[];
  verdict: LoadVerdict;
  exitCode: number;
  /** why the verdict is not PASS, one line each (empty on PASS) */
  failures: string[];
  completion: Completion;
  summary: LoadSummary;
  audit: AuditResult;
  notes: string[];
  /** what the server answered to failed submissions and syncs, most frequent first */
  rejected: RejectedAnswer[];
  /** the heartbeat samples (empty when k6's live metrics could not be read) */
  timeline: RunSample[];
  plan: LoadPlan;
  /** the server's own numbers during the run, beside the sizing's model (load run --local / --prometheus) */
  server?: ServerNumbers;
}

export interface LoadResult {
  runId: string;
  reportDir: string;
  /** 0 PASS; 1 a threshold failed, forms were lost or unconfirmed, or the run is incomplete; 130 interrupted */
  exitCode: number;
  thresholdsOk: boolean;
  /** k6 did the planned work: not stopped at the cap, ≥ 95 % of the planned iterations */
  complete: boolean;
  lost: number;
  missingFormIds: string[];
  acknowledged: number;
  summary: LoadSummary;
  audit: AuditResult;
  verdict: LoadVerdict;
  failures: string[];
  /** why a run is incomplete or unusual (cap, abort, interruption, skipped audit) */
  notes: string[];
  /** seconds from k6's start to its end */
  elapsedS: number;
  files: string[];
}
