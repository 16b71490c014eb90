// Helpers shared by the k6 scenarios. k6 runtime only: no Node built-ins, no remote imports.
import http from 'k6/http';
import encoding from 'k6/encoding';
import k6crypto from 'k6/crypto';
import exec from 'k6/execution';
import { Counter, Rate, Trend } from 'k6/metrics';
import type { K6RunConfig, MobileWorker } from '../contract.ts';

// Custom metrics; thresholds in the plan refer to these names.
export const errors = new Rate('ccready_errors');
export const formsAcked = new Counter('ccready_forms_acked');
export const formsRejected = new Counter('ccready_forms_rejected');
export const restoresFull = new Counter('ccready_restores_full');
export const restoresIncremental = new Counter('ccready_restores_incremental');
export const restore202 = new Counter('ccready_restore_202');
export const restore412 = new Counter('ccready_restore_412');
export const restoreCases = new Trend('ccready_restore_cases');
export const asyncWait = new Trend('ccready_restore_async_wait', true);
// Failures only (nothing is added while the server is healthy): syncs that failed, and requests
// HQ throttled (429), which are counted apart from errors (HQ's rate limiter, not a fault).
export const restoresFailed = new Counter('ccready_restores_failed');
export const throttled = new Counter('ccready_throttled');
/**
 * Accepted submissions that took a second or more: HQ's submission rate limiter holds a request
 * up to 15 s before it accepts it or answers 429 (corehq/apps/receiverwrapper/rate_limiter.py:
 * rate_limit_submission, max_wait=15), so a throttled server shows as stalls before any 429.
 */
export const stalled = new Counter('ccready_submissions_stalled');
/** A submission this slow is counted as a possible rate-limiter stall. */
export const STALL_MS = 1000;

// Random bytes come from k6/crypto in batches (one call into Go per 64 ids, not per id); only for
// a k6 without the Web Crypto global.
const HEX: string[] = [];
for (let i = 0; i < 256; i++) HEX.push((i + 0x100).toString(16).slice(1));
let pool = new Uint8Array(0);
let poolAt = 0;

function uuid4Bytes(): string {
  if (poolAt + 16 > pool.length) {
    pool = new Uint8Array(k6crypto.randomBytes(16 * 64));
    poolAt = 0;
  }
  const b = pool;
  const o = poolAt;
  poolAt += 16;
  const h = (i: number) => HEX[b[o + i]];
  return `${h(0)}${h(1)}${h(2)}${h(3)}-${h(4)}${h(5)}-${HEX[(b[o + 6] & 0x0f) | 0x40]}${h(7)}-${HEX[(b[o + 8] & 0x3f) | 0x80]}${h(9)}-${h(10)}${h(11)}${h(12)}${h(13)}${h(14)}${h(15)}`;
}

// k6 has the Web Crypto global (crypto.randomUUID, done in Go) since v0.52: a random v4 UUID in
// one native call, several times cheaper than assembling it in the interpreter.
const webCrypto = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto;

/** A random (version 4) UUID, as HQ's phones use for form and case ids. */
export const uuid4: () => string = webCrypto && typeof webCrypto.randomUUID === 'function' ? () => webCrypto.randomUUID!() : uuid4Bytes;

export function hex32(): string {
  return uuid4().replace(/-/g, '');
}

const authCache = new Map<string, string>();

export function basicAuth(w: MobileWorker): string {
  let a = authCache.get(w.username);
  if (!a) {
    a = `Basic ${encoding.b64encode(`${w.username}:${w.password}`)}`;
    authCache.set(w.username, a);
  }
  return a;
}

/** Why a run has no mobile worker (checked in setup(), not at init: see loadWorkers). */
export const NO_WORKER = 'no mobile worker: set CCREADY_USERS_FILE or CCHQ_USERNAME/CCHQ_PASSWORD';

/**
 * The mobile workers this run may use: a 0600 JSON file, or one worker from the environment.
 * Nothing here may fail for want of credentials: the k6-operator's initializer runs `k6 inspect`
 * with the script's arguments but without the Secret, so a throw at init would fail the TestRun
 * before any runner starts (k6-operator issues 375, 207). An empty list is refused in setup().
 */
export function loadWorkers(): MobileWorker[] {
  if (__ENV.CCREADY_USERS_FILE) {
    const list = JSON.parse(open(__ENV.CCREADY_USERS_FILE)) as MobileWorker[];
    return Array.isArray(list) ? list : [];
  }
  if (__ENV.CCREADY_USERS_JSON) {
    const list = JSON.parse(__ENV.CCREADY_USERS_JSON) as MobileWorker[];
    return Array.isArray(list) ? list : [];
  }
  if (__ENV.CCHQ_USERNAME && __ENV.CCHQ_PASSWORD !== undefined) {
    return [{ username: __ENV.CCHQ_USERNAME, password: __ENV.CCHQ_PASSWORD }];
  }
  return [];
}

export function loadConfig(): K6RunConfig {
  const path = __ENV.CCREADY_CONFIG;
  if (!path) throw new Error('CCREADY_CONFIG (path of the run config JSON) is not set');
  return JSON.parse(open(path)) as K6RunConfig;
}

/** The stress step the test is in now (by elapsed time), or undefined outside the steps. */
export function currentStep(cfg: K6RunConfig): number | undefined {
  if (!cfg.stressSteps) return undefined;
  const s = exec.instance.currentTestRunDuration / 1000;
  for (const st of cfg.stressSteps) if (s >= st.startS && s < st.endS) return st.step;
  return undefined;
}

// Tag sets are made once per kind, name and stress step and shared (k6 only reads them).
const tagCache = new Map<string, Record<string, string>>();

export function tagsFor(cfg: K6RunConfig, kind: string, name: string): Record<string, string> {
  const step = currentStep(cfg);
  const key = step === undefined ? `${kind}|${name}` : `${kind}|${name}|${step}`;
  let tags = tagCache.get(key);
  if (!tags) {
    tags = { kind, name };
    if (step !== undefined) tags.step = String(step);
    tagCache.set(key, tags);
  }
  return tags;
}

export { http };
