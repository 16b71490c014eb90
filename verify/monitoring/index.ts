// `ccready verify monitoring`: is the server watched? Asks Prometheus for the host's node_exporter
// series, the per-service indicators and the alert rules for the sizing's limits, and optionally
// sends a Sentry test event. The report is a verify report (kind monitoring): same files, same
// READY / NOT READY decision, one PASS / WARN / FAIL item per check.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { inputError } from '../../common/errors.ts';
import { decide } from '../decide.ts';
import type { StepResult, VerifyReport } from '../types.ts';
import { judgeMonitoring, limitsFromVerdict, prometheusStep, type SizingLimits } from './judge.ts';
import { gatherFacts, promVersion, PromError } from './prometheus.ts';
import { parseDsn, sendTestEvent, type Dsn } from './sentry.ts';

export { judgeMonitoring, limitsFromVerdict, HOST_SERIES, SERVICE_SERIES, ALERT_LIMITS, type PromFacts, type SizingLimits, type MonitoringOptions } from './judge.ts';
export { parseDsn } from './sentry.ts';

export interface MonitoringRunOptions {
  prometheus: string;
  runId: string;
  /** the CommCare HQ being watched (recorded so `readiness` can match it to the other runs) */
  target?: string;
  domain?: string;
  /** verdict.json of `ccready size --out` */
  verdictFile?: string;
  sentryDsn?: string;
  freshWithinS: number;
  timeoutMs?: number;
}

/** Reads the sizing limits from a verdict.json; one-line errors name the file. */
export function readLimits(file: string): SizingLimits {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw inputError(file, undefined, err.code ? `cannot read the verdict (${err.code}); expected verdict.json written by \`ccready size --out\`` : `expected JSON (${err.message})`);
  }
  const l = limitsFromVerdict(raw, file);
  if (typeof l === 'string') throw inputError(file, undefined, l);
  return l;
}

/** Checks the flags that need no network; returns the parsed DSN. */
export function checkMonitoringOptions(o: MonitoringRunOptions): { limits?: SizingLimits; dsn?: Dsn } {
  try {
    const u = new URL(o.prometheus);
    if (!/^https?:$/.test(u.protocol)) throw new Error();
  } catch {
    throw inputError(undefined, '--prometheus', `expected the Prometheus base URL like http://127.0.0.1:9090, got "${o.prometheus}"`);
  }
  if (!(Number.isFinite(o.freshWithinS) && o.freshWithinS > 0)) throw inputError(undefined, '--fresh-within', `expected seconds above 0, got ${o.freshWithinS}`);
  let dsn: Dsn | undefined;
  if (o.sentryDsn !== undefined) {
    const d = parseDsn(o.sentryDsn);
    if (typeof d === 'string') throw inputError(undefined, '--sentry-dsn', d);
    dsn = d;
  }
  return { limits: o.verdictFile ? readLimits(o.verdictFile) : undefined, dsn };
}

async function errorLoggingStep(dsn: Dsn | undefined, timeoutMs: number): Promise<StepResult> {
  const base = { id: 'error-logging', title: 'Error logging accepts a test event (Sentry DSN)', services: [] as [], required: false, durationMs: 0 };
  if (!dsn) return { ...base, status: 'skip', reason: 'no --sentry-dsn given', evidence: [] };
  const started = performance.now();
  const r = await sendTestEvent(dsn, randomBytes(16).toString('hex'), timeoutMs);
  const durationMs = Math.round(performance.now() - started);
  return r.accepted
    ? { ...base, status: 'pass', evidence: [r.detail, `event id ${r.eventId}: look for it in the Sentry project`], durationMs }
    : { ...base, status: 'fail', reason: `the error-logging endpoint did not accept the test event: ${r.detail}`, evidence: [r.detail], durationMs };
}

export async function runMonitoring(o: MonitoringRunOptions): Promise<VerifyReport> {
  const { limits, dsn } = checkMonitoringOptions(o);
  const timeoutMs = o.timeoutMs ?? 5000;
  const startedAt = new Date().toISOString();
  let steps: StepResult[];
  try {
    const version = await promVersion(o.prometheus, timeoutMs);
    steps = judgeMonitoring(await gatherFacts(o.prometheus, version, timeoutMs), { freshWithinS: o.freshWithinS, limits });
  } catch (e) {
    if (!(e instanceof PromError)) throw e;
    // nothing else can be asked of a Prometheus that does not answer: the other items are not checked
    steps = [prometheusStep(o.prometheus, null, e.message), ...['M2-host-series', 'M3-service-indicators', 'M4-alert-rules'].map((id): StepResult => ({
      id, title: id.slice(3).replace(/-/g, ' '), services: ['host'], required: id === 'M2-host-series', status: 'skip', reason: 'Prometheus does not answer', blockedBy: 'M1-prometheus', evidence: [], durationMs: 0,
    }))];
  }
  steps.push(await errorLoggingStep(dsn, timeoutMs));
  return {
    kind: 'monitoring',
    runId: o.runId,
    target: o.target ?? '',
    domain: o.domain ?? '',
    startedAt,
    finishedAt: new Date().toISOString(),
    interrupted: false,
    steps,
    decision: decide(steps),
  };
}
