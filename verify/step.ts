// How a step runs: it records evidence and ends in pass, warn, fail or skip. A thrown error is a
// failure with the error's message; nothing a server does can crash the run.
import type { Service, StepResult } from './types.ts';

export class StepEnd extends Error {
  constructor(
    readonly status: 'fail' | 'skip',
    readonly why: string,
    readonly failedServices: Service[] = [],
    readonly blockedBy?: string,
  ) {
    super(why);
  }
}

export class Recorder {
  readonly evidence: string[] = [];
  readonly metrics: Record<string, number> = {};
  readonly failedServices = new Set<Service>();
  readonly slowServices = new Set<Service>();
  warnings: string[] = [];
  see(line: string): void {
    this.evidence.push(line);
  }
  metric(name: string, value: number): void {
    this.metrics[name] = value;
  }
  warn(reason: string): void {
    this.warnings.push(reason);
  }
  /** Marks a service as seen failing without ending the step (several may fail in one health check). */
  serviceFailed(s: Service): void {
    this.failedServices.add(s);
  }
  /** Marks a service as answering slowly: a lead for failures elsewhere (timeouts, lag), not a failure. */
  serviceSlow(s: Service): void {
    this.slowServices.add(s);
  }
  fail(reason: string, services: Service[] = []): never {
    throw new StepEnd('fail', reason, services);
  }
  skip(reason: string, blockedBy?: string): never {
    throw new StepEnd('skip', reason, [], blockedBy);
  }
}

export interface StepDef<C> {
  id: string;
  title: string;
  services: Service[];
  required: boolean;
  shallow?: boolean;
  /** A failure of this step is the user's configuration (wrong URL, password, domain), not a service. */
  cause?: 'configuration';
  /** Services without which the step cannot pass (default: `services`); one reported down blocks it. */
  needs?: Service[];
  run(ctx: C, rec: Recorder): Promise<void>;
}

export async function runStep<C>(def: StepDef<C>, ctx: C, scrub: (s: string) => string): Promise<StepResult> {
  const rec = new Recorder();
  const started = performance.now();
  let status: StepResult['status'] = 'pass';
  let reason: string | undefined;
  let blockedBy: string | undefined;
  let misconfigured = false;
  try {
    await def.run(ctx, rec);
    if (rec.failedServices.size) {
      status = 'fail';
      reason = `failing: ${[...rec.failedServices].join(', ')}`;
    } else if (rec.warnings.length) {
      status = 'warn';
      reason = rec.warnings.join('; ');
    }
  } catch (e) {
    if (e instanceof StepEnd) {
      status = e.status;
      reason = e.why;
      blockedBy = e.blockedBy;
      for (const s of e.failedServices) rec.failedServices.add(s);
    } else {
      status = 'fail';
      reason = (e as Error)?.message ?? String(e);
      // A link to another origin (HQ's site address) is the installation's configuration, not a service.
      if ((e as { configuration?: boolean })?.configuration) misconfigured = true;
    }
  }
  const result: StepResult = {
    id: def.id,
    title: def.title,
    services: def.services,
    required: def.required,
    ...(def.shallow ? { shallow: true } : {}),
    status,
    evidence: rec.evidence.map(scrub),
    durationMs: Math.round(performance.now() - started),
  };
  if (reason) result.reason = scrub(reason.split('\n')[0]);
  if (rec.failedServices.size) result.failedServices = [...rec.failedServices];
  if ((def.cause || misconfigured) && status === 'fail') result.cause = 'configuration';
  if (rec.slowServices.size) result.slowServices = [...rec.slowServices];
  if (blockedBy) result.blockedBy = blockedBy;
  if (Object.keys(rec.metrics).length) result.metrics = rec.metrics;
  return result;
}
