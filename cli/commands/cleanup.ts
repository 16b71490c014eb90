// `ccready cleanup --run-id ID`: removes what a dead load run left on the server (the mobile
// workers it created, and with them their forms and cases). The work is loadtests/leftovers.ts.
import type { Argv, CommandModule } from 'yargs';
import { EXIT, UsageError } from '../../common/errors.ts';
import { cleanRuns, describeCleaned, readLedgers, stateDir } from '../../loadtests/index.ts';
import { single, targetFrom, targetOptions, type TargetArgs } from '../flags.ts';

interface CleanupArgs extends TargetArgs {
  runId: string;
}

export const cleanupCommand: CommandModule<object, CleanupArgs> = {
  command: 'cleanup',
  describe: 'remove what a load run that died left on the server (the mobile workers it created)',
  builder: (y: Argv) =>
    targetOptions(y)
      .example('ccready cleanup --run-id 20261130T091500Z-3fa2c1 --env-file sim.env', 'remove the workers run 20261130T091500Z-3fa2c1 created')
      .option('run-id', { type: 'string', demandOption: true, coerce: single, describe: 'id of the run (as printed by `load run` and in its report)' }) as unknown as Argv<CleanupArgs>,
  handler: async (a) => {
    const target = targetFrom(a);
    const dir = stateDir();
    const ledger = readLedgers(dir).find((l) => l.runId === a.runId);
    if (!ledger) throw new UsageError(`--run-id: nothing recorded for run ${a.runId} in ${dir} (it left nothing behind, or was cleaned already)`);
    if (ledger.target !== target.url || ledger.domain !== target.domain) {
      throw new UsageError(`--target: run ${a.runId} ran against ${ledger.target} (project ${ledger.domain}), not ${target.url} (project ${target.domain})`);
    }
    try {
      process.kill(ledger.pid, 0);
      throw new UsageError(`--run-id: run ${a.runId} is still running (pid ${ledger.pid}); it removes its own workers when it ends`);
    } catch (e) {
      if (e instanceof UsageError) throw e;
    }
    const [c] = await cleanRuns(target, [ledger], dir);
    process.stdout.write(`${describeCleaned(c!)}\n`);
    process.exitCode = c!.failed.length ? EXIT.failed : EXIT.ok;
  },
};
