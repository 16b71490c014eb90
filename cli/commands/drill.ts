// `ccready drill backup write|check|retire`: argument parsing only; the drill lives in drill/.
import type { Argv, CommandModule } from 'yargs';
import { UsageError } from '../../common/errors.ts';
import { targetOptions, timeoutOptions, num, isoTime, single } from '../flags.ts';
import { writeVerifyReports } from '../../reports/verify-files.ts';
import { startRun, type VerifyArgs } from './verify.ts';

type BackupArgs = VerifyArgs & {
  action: 'write' | 'check' | 'retire';
  manifest: string;
  cases: number;
  trickle?: number;
  restoreStarted?: string;
  backupTime?: string;
  maxRpo?: number;
  backupPath?: string;
};

const backup: CommandModule<object, BackupArgs> = {
  command: 'backup <action>',
  describe: 'backup drill: `write` known data into every store (and trickle), `check` it by content after a restore, with RPO and RTO, `retire` its worker and data',
  builder: (y: Argv) =>
    timeoutOptions(targetOptions(y))
      .positional('action', { choices: ['write', 'check', 'retire'] as const, describe: 'write before the backup, check after the restore, retire when done' })
      .option('manifest', { type: 'string', default: 'ccready-drill.json', coerce: single, describe: 'drill manifest (written by write, read by check and retire; mode 0600)' })
      .option('cases', { type: 'string', default: 2, coerce: num('cases', { integer: true, min: 1, max: 50 }), describe: 'write: cases, each with a registration (with a photo) and a follow-up form' })
      .option('trickle', { type: 'string', coerce: num('trickle', { above: 0, unit: 'seconds' }), describe: 'write: then one small form every SECONDS until Ctrl-C, so check can measure RPO' })
      .option('restore-started', { type: 'string', coerce: single, describe: 'check: when the restore began (ISO 8601, e.g. 2026-11-30T09:00:00Z): RTO is measured from it' })
      .option('backup-time', { type: 'string', coerce: single, describe: 'check: when the backup was taken (ISO 8601 with a zone): forms acknowledged before it must survive; without it the backup time is inferred from the trickle forms' })
      .option('max-rpo', { type: 'string', coerce: num('max-rpo', { min: 0, unit: 'seconds' }), describe: 'check: FAIL when the restore lost more than SECONDS of recent data' })
      .option('local', { type: 'boolean', default: false, describe: 'check: also the backup files on this host (--backup-path)' })
      .option('backup-path', { type: 'string', coerce: single, describe: 'check --local: folder the backups are written to' })
      .option('data-path', { type: 'string', coerce: single, describe: 'check --local: the data disk (default /)' })
      .option('out', { type: 'string', coerce: single, describe: 'report folder (default reports/runs/<run-id>/)' })
      .example('ccready drill backup write --target-env hq.env --trickle 30', 'before the backup; Ctrl-C after the backup is taken')
      .example('ccready drill backup check --target-env hq.env --backup-time 2026-11-30T02:00:00Z --restore-started 2026-11-30T09:00:00Z --max-rpo 120', 'after the restore')
      .example('ccready drill backup retire --target-env hq.env', 'when done: the drill worker retired, HQ soft-deletes its forms and cases') as unknown as Argv<BackupArgs>,
  handler: async (f) => {
    const { drillWrite, drillCheck, drillRetire } = await import('../../drill/index.ts');
    const restoreStarted = isoTime('--restore-started', f.restoreStarted);
    const backupTime = isoTime('--backup-time', f.backupTime);
    if (f.local && !f.backupPath) throw new UsageError('--local: give the folder the backups are written to with --backup-path DIR');
    if (f.action !== 'check' && (f.restoreStarted || f.backupTime || f.maxRpo !== undefined || f.local)) throw new UsageError('--restore-started, --backup-time, --max-rpo and --local belong to `drill backup check`');
    if (f.action !== 'write' && f.trickle !== undefined) throw new UsageError('--trickle belongs to `drill backup write`');
    const { target, opts, runId, dir, progress, stop } = startRun({ ...f, local: false });
    try {
      const common = { ...opts, runId, signal: stop.signal, manifestPath: f.manifest, count: f.cases, onProgress: progress.onProgress };
      process.stdout.write(`ccready drill backup ${f.action} ${runId}: ${target.url} (project ${target.domain})\n`);
      let report;
      if (f.action === 'write') {
        const out = await drillWrite(target, { ...common, trickleS: f.trickle });
        report = out.report;
        progress.stop();
        process.stdout.write(out.manifest ? `drill manifest: ${f.manifest}${f.trickle ? ` (${out.trickled} trickle forms)` : ''}\n` : 'drill manifest not written: the drill data did not read back\n');
      } else if (f.action === 'retire') {
        report = (await drillRetire(target, common)).report;
        progress.stop();
      } else {
        const out = await drillCheck(target, { ...common, restoreStarted, backupTime, maxRpoS: f.maxRpo, backupPath: f.local ? f.backupPath : undefined, dataPath: f.dataPath });
        report = out.report;
        progress.stop();
      }
      writeVerifyReports(report, dir);
      const metric = (k: string) => report.steps.map((s) => s.metrics?.[k]).find((v) => v !== undefined);
      const rpo = metric('rpoSeconds');
      const rto = metric('rtoSeconds');
      const failing = report.steps.filter((s) => s.required && s.status !== 'pass' && s.status !== 'warn');
      process.stdout.write(`\n${report.decision.verdict}${f.action === 'check' ? `: RPO ${rpo === undefined ? 'not measured' : `${rpo} s`}, RTO ${rto === undefined ? 'not measured' : `${rto} s`}` : ''}\n`);
      for (const s of failing) process.stdout.write(`  ${s.id}: ${s.reason ?? s.status}\n`);
      process.stdout.write(`reports: ${dir}/report.{json,md,html}, junit.xml\n`);
      process.exitCode = report.decision.exitCode;
    } finally {
      stop.dispose();
    }
  },
};

export const drillCommand: CommandModule<object, object> = {
  command: 'drill',
  describe: 'recovery drills: a backup-and-restore drill with RPO and RTO (drill backup write|check|retire)',
  builder: (y: Argv) => y.command(backup as unknown as CommandModule).demandCommand(1, 'name a drill: backup'),
  handler: () => undefined,
};
