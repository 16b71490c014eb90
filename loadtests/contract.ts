// The contract between the Node side (plan, runner, bundler) and the k6 scripts. Types only: it is
// compiled both under the Node tsconfig and under loadtests/scenarios/tsconfig.json (k6 runtime).
// Nothing secret ever goes into a K6RunConfig: credentials reach k6 through environment variables
// or a 0600 users file named by CCREADY_USERS_FILE.

import type { Options, Scenario } from 'k6/options';

export const SCENARIOS = ['submit', 'restore', 'mobile-day'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];
export const PROFILES = ['smoke', 'normal', 'peak', 'stress', 'soak'] as const;
export type ProfileName = (typeof PROFILES)[number];
export type FormKind = 'registration' | 'followup' | 'close' | 'other';

/**
 * A form with placeholders the k6 script fills per submission:
 * {{instance_id}}, {{new_case_id:N}} (the Nth case this form creates), {{own_case_id}} (an open
 * case this virtual worker created earlier), {{user_id}}, {{username}}, {{device_id}},
 * {{time_start}}, {{time_end}}, {{date_modified}}, {{today}}, {{run_id}}.
 */
export interface FormTemplate {
  name: string;
  kind: FormKind;
  xmlns: string;
  /** how many {{new_case_id:N}} placeholders (cases created) */
  creates: number;
  xml: string;
}

export interface StressStep {
  step: number;
  /** seconds since the scenario started */
  startS: number;
  endS: number;
  /** iterations (requests) per second held in this step */
  rate: number;
}

export interface K6RunConfig {
  runId: string;
  baseUrl: string;
  domain: string;
  appId?: string;
  scenario: ScenarioName;
  profile: ProfileName | 'plan';
  /** k6 options exported as-is by the script (scenarios, thresholds, TLS, …). */
  options: Options;
  submit: {
    /** path under /a/<domain>/receiver/ : 'secure' = receiver/secure/<app_id>/ as HQ-built apps */
    path: 'secure' | 'plain';
    openRosaVersion: '2.0' | '3.0';
    /** relative weights of built-in form kinds once a worker has open cases */
    mix: { registration: number; followup: number; close: number };
    /** user-supplied forms (--xforms DIR); when absent the built-in templates are used */
    templates?: FormTemplate[];
  };
  restore: {
    version: '2.0' | '3.0';
    skipFixtures: boolean;
    /** restore as this user (full username) instead of the authenticating one */
    asUser?: string;
    /** fraction of incremental syncs sent with an expired token (devices idle past synclog retention) */
    staleTokenRate: number;
    /** give up waiting for an async (202) restore after this many seconds */
    maxAsyncWaitS: number;
  };
  mobileDay: {
    formsPerDay: number;
    /** seconds between two forms of one worker */
    thinkS: number;
  };
  stressSteps?: StressStep[];
  /** write one log line per acknowledged form (needed by the integrity audit) */
  logAcks: boolean;
  /** where handleSummary writes k6's summary JSON */
  summaryPath: string;
}

/** One mobile worker as the k6 script sees it (from the 0600 users file). */
export interface MobileWorker {
  username: string;
  password: string;
  userId?: string;
}

/** Prefix of the log line k6 writes for each acknowledged form: `ccready-ack <form id> <instance id>`. */
export const ACK_PREFIX = 'ccready-ack';

/**
 * Prefix of the log line k6 writes for each failed submission or sync (failures only, so it costs
 * nothing while the server is healthy): `ccready-reject <submission|restore> <status> <nature|->`,
 * so the report can say what the server answered (401 is the password, 500 the server). A refusal
 * (401, 403) adds the worker's username, so a users file's wrong rows can be named.
 */
export const REJECT_PREFIX = 'ccready-reject';

/** HQ refusing the worker itself: a wrong password, or not a worker of the project. */
export const refusesWorker = (status: number | string) => status === 401 || status === 403 || status === '401' || status === '403';

/**
 * The percentile grid each generator's summary keeps for the trends the verdict reads, so that the
 * generators of a split run can be merged (loadtests/merge-metrics.ts): p(0), p(0.1), … p(100).
 * k6 holds every sample of a trend until the end anyway, so the grid costs nothing while the test
 * runs; merged percentiles are within GRID_STEP of the rank (docs/loadtests.md).
 */
export const GRID_STEP = 0.001;

export function gridStats(): string[] {
  const out: string[] = [];
  for (let i = 0; i <= Math.round(1 / GRID_STEP); i++) out.push(`p(${Number((i * GRID_STEP * 100).toFixed(4))})`);
  return out;
}

/** The most virtual users a k6 scenario may run at once (shared by the plan and the k6 script). */
export function scenarioVUs(s: Scenario): number {
  return Math.max('maxVUs' in s ? s.maxVUs ?? 0 : 0, 'vus' in s ? s.vus ?? 0 : 0, 'preAllocatedVUs' in s ? s.preAllocatedVUs : 0, 1);
}

/**
 * k6's execution segment as fractions: `0:1/2` → [0, 0.5], `1/3:2/3`, `50%:100%`, a bare `1/2`
 * → [0, 0.5]; none → the whole [0, 1]. NaN where the text is not a segment.
 */
export function segmentRange(segment: string | null | undefined): [number, number] {
  if (!segment) return [0, 1];
  const frac = (x: string) => {
    if (x.includes('/')) {
      const [a, b] = x.split('/').map(Number);
      return a / b;
    }
    return x.endsWith('%') ? Number(x.slice(0, -1)) / 100 : Number(x);
  };
  const [from, to] = segment.includes(':') ? segment.split(':').map(frac) : [0, frac(segment)];
  return from >= 0 && to <= 1 && to > from ? [from, to] : [NaN, NaN];
}

/**
 * This generator's own slice of the mobile workers: each execution segment (a k6-operator runner
 * pod, a machine of a split run) works as different workers, as separate phones would.
 */
export function workersOfSegment<T>(all: T[], segment: string | null | undefined): T[] {
  const [from, to] = segmentRange(segment);
  if (!(to > from) || all.length === 0) return all;
  const slice = all.slice(Math.floor(from * all.length + 1e-9), Math.floor(to * all.length + 1e-9));
  // Fewer workers than generators: share rather than run with none.
  return slice.length ? slice : [all[Math.min(all.length - 1, Math.floor(from * all.length))]];
}
