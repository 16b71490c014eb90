// What the steps share during one run: the target, one HTTP client, the options, and what earlier
// steps created (the mobile worker, the forms, the case, the sync token).
import type { Target } from '../common/target.ts';
import type { HqClient } from './http.ts';

export interface VerifyOptions {
  /** Where plain HTTP is served, to check it redirects to HTTPS; default `http://<host>`. */
  httpUrl?: string;
  /** Timeout of one HTTP request. */
  requestTimeoutMs?: number;
  /** How long forms and cases may take to reach the Elasticsearch-backed listings. */
  lagTimeoutMs?: number;
  /** How long an export or a bulk upload (Celery jobs) may take. */
  jobTimeoutMs?: number;
  /** How long a restore may take, including 202 async polling. */
  restoreTimeoutMs?: number;
  /** Poll interval while waiting for listings and jobs. */
  pollMs?: number;
  /** Warn when days to certificate expiry are below this. */
  certWarnDays?: number;
  /** Host checks (`--local`). */
  local?: import('./local.ts').LocalOptions;
  /** How long one API call may wait out 429 answers before the step reports throttling (default 120 s). */
  throttleWaitMs?: number;
  /** A phone number to use for the SMS gateway step; absent → skipped. */
  smsNumber?: string;
  signal?: AbortSignal;
}

export interface Worker {
  id: string;
  /** Full login name, `<user>@<domain>.commcarehq.org`. */
  username: string;
  password: string;
  /** True when this run created it (and must clean it up). */
  created: boolean;
}

export interface VerifyState {
  worker?: Worker;
  forms: { formId: string; xmlns: string; ackAt: number }[];
  caseId?: string;
  restoreId?: string;
  /** A step that must pass before a dependent one can run, by id → passed? */
  passed: Set<string>;
  /** Set once cleanup ran, so an interrupt after it does not clean up twice. */
  cleanedUp?: boolean;
  /** Usernames (bare) the bulk upload created, for cleanup. */
  bulkUsers?: string[];
  /** 429 answers waited out during the run (HQ's API throttle). */
  throttled?: number;
  /** The server's Date header vs local clock, ms (for the clock check). */
  clockSkewMs?: number;
}

export interface VerifyContext {
  target: Target;
  client: HqClient;
  runId: string;
  opts: Required<Pick<VerifyOptions, 'requestTimeoutMs' | 'lagTimeoutMs' | 'jobTimeoutMs' | 'restoreTimeoutMs' | 'pollMs' | 'certWarnDays'>> & VerifyOptions;
  state: VerifyState;
}

export const DEFAULTS = {
  requestTimeoutMs: 30_000,
  lagTimeoutMs: 120_000,
  jobTimeoutMs: 300_000,
  restoreTimeoutMs: 300_000,
  pollMs: 1_000,
  certWarnDays: 30,
};

/** `/a/<domain>`: the prefix of every project-space URL. */
export function domainPath(ctx: Pick<VerifyContext, 'target'>): string {
  return `/a/${encodeURIComponent(ctx.target.domain)}`;
}

/** HQ's mobile-worker login name for a bare username. */
export function mobileUsername(user: string, domain: string): string {
  return user.includes('@') ? user : `${user}@${domain}.commcarehq.org`;
}

/** Sleeps, but wakes up (and throws) when the run is interrupted. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new Error('interrupted'));
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(new Error('interrupted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
