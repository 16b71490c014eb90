// The shapes every part of the verifier shares: a step's outcome, the decision, the report.

/** The backing services of a CommCare HQ monolith, named as HQ's own service checks name them. */
export const SERVICES = [
  'django',
  'nginx',
  'postgres',
  'couch',
  'redis',
  'elasticsearch',
  'kafka',
  'celery',
  'rabbitmq',
  'formplayer',
  'blobdb',
  'sms',
  'host',
] as const;
export type Service = (typeof SERVICES)[number];

/** The services `serverup.txt` can check one at a time (`?only=<name>`); celery is not in the default set. */
export const SERVERUP_CHECKS = ['postgres', 'couch', 'redis', 'elasticsearch', 'kafka', 'celery', 'rabbitmq', 'formplayer', 'blobdb'] as const;

export type StepStatus = 'pass' | 'fail' | 'warn' | 'skip';

export interface StepResult {
  /** Stable id, e.g. `04-mobile-worker`. */
  id: string;
  title: string;
  /** Services this step exercises (from the QA plan's mapping). */
  services: Service[];
  /** A required step must pass for READY; optional ones (SMS) may be skipped. */
  required: boolean;
  /** A health probe: its failures name services directly, but its passing does not prove they work end to end. */
  shallow?: boolean;
  status: StepStatus;
  /** Why it failed, warned or was skipped; one line. */
  reason?: string;
  /** What the step saw: requests, statuses, timings. Redacted before it is stored. */
  evidence: string[];
  durationMs: number;
  /** Services the step saw fail directly (e.g. `serverup.txt?only=redis` → 500). */
  failedServices?: Service[];
  /** Services the step saw answer slowly (a health check over a second). */
  slowServices?: Service[];
  /** Set on a failure that is the user's configuration (preflight): no service is to blame. */
  cause?: 'configuration';
  /** Set when the step was skipped because an earlier step it needs did not pass. */
  blockedBy?: string;
  /** Set when `--only`/`--skip` left the step out: listed, never checked, and the run is PARTIAL. */
  unselected?: true;
  /** Measurements worth keeping in the report (lag, days to expiry, …). */
  metrics?: Record<string, number>;
}

/** PARTIAL: `--only`/`--skip` left required steps out and none of those that ran failed. */
/** READY… for the checklist and the gate; PASS / FAIL for a drill (drill/), which proves recovery, not readiness. */
export type Verdict = 'READY' | 'READY WITH WARNINGS' | 'NOT READY' | 'PARTIAL' | 'PASS' | 'FAIL';

export interface Suspect {
  service: Service;
  /** 0..1, how strongly the evidence points at it. */
  score: number;
  why: string[];
}

export interface Decision {
  verdict: Verdict;
  /** EXIT.ok, EXIT.failed or EXIT.partial (common/errors.ts). */
  exitCode: 0 | 1 | 4;
  failing: string[];
  warnings: string[];
  /** Required steps that could not be checked (missing credentials, …): no claim of readiness without them. */
  unverified: string[];
  /** Required steps `--only`/`--skip` left out (the reason for PARTIAL). */
  unselected: string[];
  suspects: Suspect[];
  /** `configuration` when the run failed on the user's settings (wrong URL, password, domain): no service is suspected. */
  cause?: 'configuration';
  summary: string;
}

export interface VerifyReport {
  kind: 'verify' | 'gate' | 'canary-write' | 'canary-check' | 'monitoring' | 'drill-write' | 'drill-check' | 'drill-retire';
  runId: string;
  target: string;
  domain: string;
  startedAt: string;
  finishedAt: string;
  interrupted: boolean;
  steps: StepResult[];
  decision: Decision;
  /** Files written for this run (relative names). */
  files?: string[];
  /** `gate --upgrade-from`: the release before and after the swap, as the server reported them, and the downtime. */
  upgrade?: UpgradeSummary;
}

export interface UpgradeSummary {
  /** The version the server reported before the swap (its deployed commit, or deploy date and user). */
  from?: string;
  /** The version it reported after; absent when it never answered with another one. */
  to?: string;
  /** How the swap was done: the operator's command, or a pause while the operator swapped by hand. */
  swap: 'command' | 'pause';
  /** Sum of the outages (last good serverup.txt answer → next good answer), seconds. */
  downtimeSeconds?: number;
  outages?: number;
  /** From the start of the swap to the first good answer reporting the new version, seconds. */
  timeToHealthySeconds?: number;
  /** serverup.txt was asked every this many ms: the downtime's resolution. */
  pollMs?: number;
}
