import type { Argv, CommandModule } from 'yargs';
import { UsageError } from '../../common/errors.ts';
import { newRunId, runDir } from '../../common/runs.ts';
import { resolveServerSpec } from '../../common/server-spec.ts';
import { runVerify, verifySteps, canaryWrite, canaryCheck, consoleProgress, type VerifyRunOptions } from '../../verify/index.ts';
import { targetOptions, timeoutOptions, localOptions, stepOptions, targetFrom, interruptible, num, single, type TargetArgs, type TimeoutArgs } from '../flags.ts';
import { finish } from './verify-finish.ts';
import { writeVerifyReports } from '../../reports/verify-files.ts';
import { monitoringCommand } from './verify-monitoring.ts';
import { migrationCommand } from './verify-migration.ts';

/** What the verify family's flags parse to (verify, canary, gate). */
export interface VerifyArgs extends TargetArgs, TimeoutArgs {
  httpUrl?: string;
  out?: string;
  local?: boolean;
  server?: string;
  dataPath?: string;
  smsNumber?: string;
  odataConfig?: string;
  only?: string[];
  skip?: string[];
}

const ms = (s: number | undefined) => (s === undefined ? undefined : Math.round(s * 1000));

/** The flags as the verifier's options; the server spec is checked even without --local. */
export function optionsFrom(f: VerifyArgs): VerifyRunOptions {
  // the one --server grammar (short form or YAML file) that `ccready size` takes
  const server = f.server ? resolveServerSpec(f.server) : undefined;
  return {
    httpUrl: f.httpUrl,
    requestTimeoutMs: ms(f.requestTimeout),
    lagTimeoutMs: ms(f.lagTimeout),
    jobTimeoutMs: ms(f.jobTimeout),
    pollMs: ms(f.poll),
    local: f.local ? { server, dataPath: f.dataPath } : undefined,
    smsNumber: f.smsNumber,
    only: f.only,
    skip: f.skip,
  };
}

/** What every verify-family command sets up: target, options, run folder, live progress, Ctrl-C. */
export function startRun(f: VerifyArgs) {
  const known = verifySteps({ local: true }).map((s) => s.id);
  for (const flag of ['only', 'skip'] as const) {
    const unknown = (f[flag] ?? []).filter((id) => !known.includes(id));
    if (unknown.length) throw new UsageError(`--${flag}: unknown step ${unknown.join(', ')}; expected one of ${known.join(', ')}`);
  }
  const target = targetFrom(f);
  const opts = optionsFrom(f);
  const runId = newRunId();
  const dir = runDir(runId, f.out);
  const progress = consoleProgress();
  const stop = interruptible(() => progress.stop());
  return { target, opts, runId, dir, progress, stop };
}

type CanaryArgs = VerifyArgs & { action: 'write' | 'check'; manifest: string; cases: number };

const canary: CommandModule<object, CanaryArgs> = {
  command: 'canary <action>',
  describe: 'upgrade canary: `write` known forms and cases before an upgrade, `check` them after',
  builder: (y: Argv) =>
    timeoutOptions(targetOptions(y))
      .option('out', { type: 'string', coerce: single, describe: 'report folder (default reports/runs/<run-id>/)' })
      .example('ccready verify canary write --target-env hq.env --manifest canary.json', 'before the upgrade')
      .example('ccready verify canary check --target-env hq.env --manifest canary.json', 'after it: all there, unchanged, still syncing')
      .positional('action', { choices: ['write', 'check'] as const, describe: 'write before the upgrade, check after it' })
      .option('manifest', { type: 'string', default: 'ccready-canary.json', coerce: single, describe: 'canary manifest file (written by write, read by check)' })
      .option('cases', { type: 'string', default: 3, coerce: num('cases', { integer: true, min: 1, max: 100 }), describe: 'canary cases to write (each with a registration and a follow-up form)' }) as unknown as Argv<CanaryArgs>,
  handler: async (f) => {
    const { target, opts, runId, dir, progress, stop } = startRun(f);
    try {
      const common = { ...opts, runId, signal: stop.signal, manifestPath: f.manifest, count: f.cases, onProgress: progress.onProgress };
      const out = f.action === 'write' ? await canaryWrite(target, common) : await canaryCheck(target, common);
      progress.stop();
      writeVerifyReports(out.report, dir);
      if (f.action === 'write') {
        process.stdout.write(out.report.decision.exitCode === 0 ? `canary manifest: ${f.manifest}\n` : 'canary manifest not written: the canary did not read back\n');
      }
      finish(out.report, dir);
    } finally {
      stop.dispose();
    }
  },
};

export const verifyCommand: CommandModule<object, VerifyArgs> = {
  command: 'verify',
  describe: 'run the post-install QA checklist against a CommCare HQ and decide READY / NOT READY',
  builder: (y: Argv) =>
    stepOptions(localOptions(timeoutOptions(targetOptions(y))))
      .example('ccready verify --target-env sim.env', 'the checklist against `ccready sim`')
      .example('ccready verify --target https://hq.example.org --domain qa --app-id APP --local --server 8c/32GB/2TB', 'on the box itself, with host checks')
      .example('ccready verify --target https://hq.example.org --domain qa --only 02-service-health', 'one step')
      .command(canary as unknown as CommandModule)
      .command(monitoringCommand)
      .command(migrationCommand) as unknown as Argv<VerifyArgs>,
  handler: async (f) => {
    const { target, opts, runId, dir, progress, stop } = startRun(f);
    try {
      process.stdout.write(`ccready verify ${runId}: ${target.url} (project ${target.domain})\n`);
      const report = await runVerify(target, { ...opts, runId, signal: stop.signal, onProgress: progress.onProgress });
      progress.stop();
      writeVerifyReports(report, dir);
      finish(report, dir);
    } finally {
      stop.dispose();
    }
  },
};
