import type { Argv, CommandModule } from 'yargs';
import { runGate, type GateOptions } from '../../verify/index.ts';
import { runLoad } from '../../loadtests/index.ts';
import { targetOptions, timeoutOptions, localOptions, stepOptions, num, single } from '../flags.ts';
import { UsageError } from '../../common/errors.ts';
import { writeVerifyReports } from '../../reports/verify-files.ts';
import { startRun, type VerifyArgs } from './verify.ts';
import { finish } from './verify-finish.ts';

type GateArgs = VerifyArgs & { wait: number; load: boolean; yes: boolean; upgradeFrom?: string; upgradeTo?: string; swapCommand?: string; swapTimeout: number };

export const gateCommand: CommandModule<object, GateArgs> = {
  command: 'gate',
  describe: 'CI gate for a release candidate: wait for serverup, verify, load smoke test + integrity audit, one exit code (--upgrade-from: an upgrade rehearsal first)',
  builder: (y: Argv) =>
    stepOptions(localOptions(timeoutOptions(targetOptions(y))))
      .example('ccready gate --target-env sim.env --wait 60', 'rehearse the gate against `ccready sim`')
      .example('CCHQ_URL=https://rc.example.org ccready gate --domain qa --app-id APP --yes --out gate/', 'CI: one exit code, JSON/JUnit/Markdown/HTML in gate/')
      .option('wait', { type: 'string', default: 600, coerce: num('wait', { above: 0, unit: 'seconds' }), describe: 'seconds to wait for serverup.txt to answer 200' })
      .option('yes', { type: 'boolean', default: false, describe: 'confirm load traffic to a non-loopback target' })
      .option('load', { type: 'boolean', default: true, describe: 'run the load smoke profile and integrity audit (--no-load skips it: NOT READY, unverified)' })
      .option('upgrade-from', { type: 'string', coerce: single, describe: 'upgrade rehearsal: check the running release (it must report VERSION, when given), write the drill data, wait for the swap, measure downtime, check every drill item, then the full gate' })
      .option('upgrade-to', { type: 'string', coerce: single, describe: 'upgrade rehearsal: the version the new release must report (default: any other than before)' })
      .option('swap-command', { type: 'string', coerce: single, describe: 'upgrade rehearsal: shell command that swaps the release and returns, e.g. "docker compose up -d" (default: wait while you swap by hand)' })
      .option('swap-timeout', { type: 'string', default: 900, coerce: num('swap-timeout', { above: 0, unit: 'seconds' }), describe: 'upgrade rehearsal: bound on the swap (the command, then the new version answering)' })
      .example('ccready gate --target-env hq.env --upgrade-from --swap-command "docker compose up -d" --out gate/', 'upgrade rehearsal on the same volumes, with downtime measured') as unknown as Argv<GateArgs>,
  handler: async (f) => {
    const upgrading = f.upgradeFrom !== undefined;
    if (!upgrading && (f.upgradeTo !== undefined || f.swapCommand !== undefined)) throw new UsageError('--upgrade-to and --swap-command belong to an upgrade rehearsal: add --upgrade-from [VERSION]');
    if (f.swapCommand !== undefined && !f.swapCommand.trim()) throw new UsageError('--swap-command: expected a shell command, e.g. "docker compose up -d"');
    const { target, opts, runId, dir, progress, stop } = startRun(f);
    try {
      process.stdout.write(`ccready gate ${runId}: ${target.url} (project ${target.domain})${upgrading ? ' — upgrade rehearsal' : ''}\n`);
      const gateOptions: GateOptions = {
        ...opts,
        runId,
        outDir: dir,
        waitTimeoutMs: f.wait * 1000,
        signal: stop.signal,
        loadRunner: f.load ? runLoad : false,
        yes: f.yes,
        onLoadProgress: (l) => progress.waiting(l),
        onProgress: progress.onProgress,
        onWait: (m) => progress.waiting(m),
      };
      const report = upgrading
        ? await (await import('../../drill/index.ts')).runUpgradeRehearsal(target, { ...gateOptions, upgradeFrom: f.upgradeFrom || undefined, upgradeTo: f.upgradeTo, swapCommand: f.swapCommand, swapTimeoutMs: f.swapTimeout * 1000 })
        : await runGate(target, gateOptions);
      progress.stop();
      writeVerifyReports(report, dir);
      finish(report, dir);
    } finally {
      stop.dispose();
    }
  },
};
