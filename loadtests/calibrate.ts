// Calibration: turns a measured sustainable rate (a stress run's knee, or the achieved rate of a
// run that met its thresholds) into the capacity figures of the sizing config, e.g. requests per
// second per gunicorn worker, and says how the config should change. Pure.
import { inputError, UsageError } from '../common/errors.ts';
import type { SizingConfig } from '../sizing/index.ts';
import type { LoadRunRecord } from './record.ts';

export interface Calibration {
  /** requests per second the server sustained within the thresholds */
  sustainedRps: number;
  basis: string;
  service: string;
  subProcess: string;
  workers: number;
  workersBasis: string;
  currentCapacity: number | null;
  proposedCapacity: number;
  /** YAML-ish lines describing the change */
  change: string[];
  lines: string[];
}

export interface CalibrateInput {
  run: LoadRunRecord;
  config: SizingConfig;
  /** gunicorn workers serving the tested server; default from the config (cores_per_node / cores_per_sub_process) */
  workers?: number;
  service?: string;
  subProcess?: string;
  reportDir: string;
}

const r3 = (x: number) => Number(x.toPrecision(3));

/** The sustainable rate a run demonstrates, or an error saying why it demonstrates none. */
export function sustainedRate(run: LoadRunRecord, reportDir: string): { rps: number; basis: string; lowerBound: boolean } {
  const s = run.summary;
  // One generator of a split run measured only its share of the load: calibrating from it would
  // propose a capacity off by the number of generators.
  if (run.segment && run.segment.share < 1) {
    throw inputError(reportDir, 'segment', `this run was execution segment ${run.segment.segment} (${(run.segment.share * 100).toFixed(1)}% of the plan): its rate is its share only; calibrate from an unsegmented run of the plan`);
  }
  if (s.knee) {
    // The step rate is in iterations/s; a restore iteration may make extra requests (polls), so
    // scale by requests per iteration over the run.
    const perIteration = s.iterations > 0 ? s.requests / s.iterations : 1;
    // A knee at the top step with every step passing is where the ramp stopped, not the server.
    const unbroken = !!s.steps?.length && s.steps.every((x) => x.ok);
    return {
      rps: s.knee.rate * perIteration,
      basis: `stress knee ${s.knee.rate}/s × ${r3(perIteration)} requests per iteration${unbroken ? ' (every step held: a lower bound, the server may hold more)' : ''}`,
      lowerBound: unbroken,
    };
  }
  if (run.profile === 'stress') throw inputError(reportDir, 'summary.knee', 'the stress run has no knee (its first step already broke the thresholds); nothing sustainable to calibrate from');
  if (!s.thresholdsOk) throw inputError(reportDir, 'summary.thresholdsOk', 'the run failed its thresholds, so its rate is not a sustainable one; calibrate from a passing run or a stress run');
  return { rps: s.requestRate, basis: `${run.profile} run met its thresholds at ${s.requestRate} requests/s (a lower bound: the server may hold more)`, lowerBound: true };
}

export function calibrate(input: CalibrateInput): Calibration {
  const { run, config } = input;
  const { rps, basis, lowerBound } = sustainedRate(run, input.reportDir);
  const subName = input.subProcess ?? 'gunicorn_worker';
  const svc = input.service
    ? config.services.find((s) => s.name === input.service)
    : config.services.find((s) => s.process?.sub_processes.some((p) => p.name === subName));
  if (!svc) throw inputError(config.file, 'services', input.service ? `no service named "${input.service}"` : `no service has a "${subName}" sub-process; name one with --service and --sub-process`);
  const sub = svc.process?.sub_processes.find((p) => p.name === subName);
  if (!svc.process || !sub) throw inputError(config.file, `services.${svc.name}.process.sub_processes`, `expected a sub-process named "${subName}"`);
  let workers = input.workers;
  let workersBasis = '--workers';
  if (workers === undefined) {
    const per = svc.process.cores_per_sub_process;
    const cores = svc.process.cores_per_node;
    if (!per || !cores) throw new UsageError(`--workers: the config gives no cores_per_sub_process for ${svc.name}; pass the number of ${subName}s of the tested server`);
    workers = Math.floor(cores / per);
    workersBasis = `one ${svc.name} node of the config: cores_per_node ${cores} / cores_per_sub_process ${per}`;
  }
  if (!(Number.isFinite(workers) && workers > 0)) throw new UsageError(`--workers: expected a positive number, got ${workers}`);
  const measured = r3(rps / workers);
  const current = sub.capacity ?? null;
  // A lower bound under the configured capacity says nothing against the config: the server was
  // not pushed to its limit. Lowering the capacity to it would buy workers for load never tried.
  const inconclusive = lowerBound && current !== null && measured < current;
  const proposed = inconclusive ? (current as number) : measured;
  const change = inconclusive ? [] : [
    `services:`,
    `  ${svc.name}:`,
    `    process:`,
    `      sub_processes:`,
    `        - name: '${subName}'`,
    `          capacity: ${proposed}   # was ${current ?? 'unset'}; measured by ccready load run ${run.runId}`,
  ];
  const lines = [
    `sustained rate: ${r3(rps)} requests/s (${basis})`,
    `${subName}s serving it: ${workers} (${workersBasis})`,
    `capacity per ${subName}: ${r3(rps)} / ${workers} = ${measured} requests/s${lowerBound ? ' at least' : ''} (config now: ${current ?? 'unset'})`,
  ];
  if (inconclusive) {
    lines.push(`the run shows at least ${measured} per ${subName}, under the configured ${current}, because it offered less load than that, not because the server failed it: no change proposed; run --profile stress to measure the capacity`);
  } else if (current) {
    const ratio = proposed / current;
    lines.push(ratio >= 1
      ? `the measured capacity is ${r3(ratio)}× the configured one: the config over-provisions ${svc.name} by that factor`
      : `the measured capacity is only ${r3(ratio)}× the configured one: the config under-provisions ${svc.name}; ${r3(1 / ratio)}× as many workers are needed`);
  }
  return { sustainedRps: r3(rps), basis, service: svc.name, subProcess: subName, workers, workersBasis, currentCapacity: current, proposedCapacity: proposed, change, lines };
}
