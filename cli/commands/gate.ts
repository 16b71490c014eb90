import type { Argv, CommandModule } from 'yargs';
import { inputError } from '../../common/errors.ts';
import { runGate } from '../../verify/index.ts';
import { targetFlags, localFlags, lastWins, type ParsedFlags } from '../../verify/cli.ts';
import { writeVerifyReports } from '../../reports/verify-files.ts';
import { finish, startRun } from './verify.ts';

export const gateCommand: CommandModule = {
  command: 'gate',
  describe: 'CI gate for a release candidate: wait for serverup, verify, load smoke test + integrity audit, one exit code',
  builder: (y: Argv) =>
    localFlags(targetFlags(y))
      .example('ccready gate --env-file sim.env --wait 60', 'rehearse the gate against `ccready sim`')
      .example('CCHQ_URL=https://rc.example.org ccready gate --domain qa --app-id APP --yes --out gate/', 'CI: one exit code, JSON/JUnit/Markdown/HTML in gate/')
      .option('wait', { type: 'number', default: 600, describe: 'seconds to wait for serverup.txt to answer 200' })
      .option('yes', { type: 'boolean', default: false, describe: 'confirm load traffic to a non-loopback target' })
      .option('load', { type: 'boolean', default: true, describe: 'run the load smoke profile and integrity audit (--no-load skips it: NOT READY, unverified)' }),
  handler: async (argv) => {
    const f = lastWins(argv) as unknown as ParsedFlags & { wait: number; load: boolean; yes: boolean };
    if (!Number.isFinite(f.wait) || f.wait <= 0) throw inputError(undefined, '--wait', `expected seconds above 0, got ${f.wait}`);
    const { target, opts, runId, dir, progress, stop } = startRun(f);
    try {
      process.stdout.write(`ccready gate ${runId}: ${target.url} (project ${target.domain})\n`);
      const report = await runGate(target, {
        ...opts,
        runId,
        outDir: dir,
        waitTimeoutMs: f.wait * 1000,
        signal: stop.signal,
        loadRunner: f.load ? undefined : false,
        yes: f.yes,
        onLoadProgress: (l) => progress.waiting(l),
        onProgress: progress.onProgress,
        onWait: (m) => progress.waiting(m),
      });
      progress.stop();
      writeVerifyReports(report, dir);
      finish(report, dir);
    } finally {
      stop.dispose();
    }
  },
};
