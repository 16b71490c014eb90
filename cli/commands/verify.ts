import type { Argv, CommandModule } from 'yargs';
import { UsageError } from '../../common/errors.ts';
import { newRunId, runDir } from '../../common/runs.ts';
import { runVerify, verifySteps, canaryWrite, canaryCheck, consoleProgress, type VerifyReport } from '../../verify/index.ts';
import { targetFlags, localFlags, targetFrom, optionsFrom, interruptible, lastWins, type ParsedFlags } from '../../verify/cli.ts';
import { writeVerifyReports } from '../../reports/verify-files.ts';
import { monitoringCommand } from './verify-monitoring.ts';

/** What every verify-family command sets up: target, options, run folder, live progress, Ctrl-C. */
export function startRun(f: ParsedFlags) {
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

/** Prints the decision and where the reports are; sets the exit code (EXIT: ok, failed or partial). */
export function finish(report: VerifyReport, dir: string): void {
  const d = report.decision;
  process.stdout.write(`\n${d.verdict}: ${d.summary.replace(/^[^;]*;?\s*/, '') || 'every required step passed'}\n`);
  for (const s of d.suspects.slice(0, 3)) process.stdout.write(`  suspect ${s.service} (${s.score}): ${s.why.slice(0, 4).join('; ')}\n`);
  process.stdout.write(`reports: ${dir}/report.{json,md,html}, junit.xml\n`);
  process.exitCode = d.exitCode;
}

const canary: CommandModule = {
  command: 'canary <action>',
  describe: 'upgrade canary: `write` known forms and cases before an upgrade, `check` them after',
  builder: (y: Argv) =>
    targetFlags(y)
      .example('ccready verify canary write --env-file hq.env --manifest canary.json', 'before the upgrade')
      .example('ccready verify canary check --env-file hq.env --manifest canary.json', 'after it: all there, unchanged, still syncing')
      .positional('action', { choices: ['write', 'check'] as const, describe: 'write before the upgrade, check after it' })
      .option('manifest', { type: 'string', default: 'ccready-canary.json', describe: 'canary manifest file (written by write, read by check)' })
      .option('cases', { type: 'number', default: 3, describe: 'canary cases to write (each with a registration and a follow-up form)' }),
  handler: async (argv) => {
    const f = lastWins(argv) as unknown as ParsedFlags & { action: 'write' | 'check'; manifest: string; cases: number };
    if (!Number.isInteger(f.cases) || f.cases < 1 || f.cases > 100) throw new UsageError(`--cases: expected a whole number from 1 to 100, got ${f.cases}`);
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

export const verifyCommand: CommandModule = {
  command: 'verify',
  describe: 'run the post-install QA checklist against a CommCare HQ and decide READY / NOT READY',
  builder: (y: Argv) =>
    localFlags(targetFlags(y))
      .example('ccready verify --env-file sim.env', 'the checklist against `ccready sim`')
      .example('ccready verify --target https://hq.example.org --domain qa --app-id APP --local --server 8c/32GB/2TB', 'on the box itself, with host checks')
      .example('ccready verify --target https://hq.example.org --domain qa --only 02-service-health', 'one step')
      .command(canary)
      .command(monitoringCommand),
  handler: async (argv) => {
    const f = lastWins(argv) as unknown as ParsedFlags;
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
