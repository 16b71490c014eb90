import type { Argv, CommandModule } from 'yargs';
import { runGate } from '../../verify/index.ts';
import { runLoad } from '../../loadtests/index.ts';
import { targetOptions, timeoutOptions, localOptions, stepOptions, num } from '../flags.ts';
import { writeVerifyReports } from '../../reports/verify-files.ts';
import { finish, startRun, type VerifyArgs } from './verify.ts';

type GateArgs = VerifyArgs & { wait: number; load: boolean; yes: boolean };

export const gateCommand: CommandModule<object, GateArgs> = {
  command: 'gate',
  describe: 'CI gate for a release candidate: wait for serverup, verify, load smoke test + integrity audit, one exit code',
  builder: (y: Argv) =>
    stepOptions(localOptions(timeoutOptions(targetOptions(y))))
      .example('ccready gate --target-env sim.env --wait 60', 'rehearse the gate against `ccready sim`')
      .example('CCHQ_URL=https://rc.example.org ccready gate --domain qa --app-id APP --yes --out gate/', 'CI: one exit code, JSON/JUnit/Markdown/HTML in gate/')
      .option('wait', { type: 'string', default: 600, coerce: num('wait', { above: 0, unit: 'seconds' }), describe: 'seconds to wait for serverup.txt to answer 200' })
      .option('yes', { type: 'boolean', default: false, describe: 'confirm load traffic to a non-loopback target' })
      .option('load', { type: 'boolean', default: true, describe: 'run the load smoke profile and integrity audit (--no-load skips it: NOT READY, unverified)' }) as unknown as Argv<GateArgs>,
  handler: async (f) => {
    const { target, opts, runId, dir, progress, stop } = startRun(f);
    try {
      process.stdout.write(`ccready gate ${runId}: ${target.url} (project ${target.domain})\n`);
      const report = await runGate(target, {
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
      });
      progress.stop();
      writeVerifyReports(report, dir);
      finish(report, dir);
    } finally {
      stop.dispose();
    }
  },
};
