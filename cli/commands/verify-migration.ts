// `ccready verify migration`: argument parsing only; the comparison is verify/migration/.
import type { Argv, CommandModule } from 'yargs';
import { UsageError } from '../../common/errors.ts';
import { newRunId, runDir } from '../../common/runs.ts';
import { readCa, resolveTarget, type Target } from '../../common/target.ts';
import { interruptible, num, single } from '../flags.ts';

interface MigrationArgs {
  source?: string;
  target?: string;
  sourceEnv?: string;
  targetEnv?: string;
  sourceDomain?: string;
  targetDomain?: string;
  samples: number;
  workers: number;
  requestTimeout: number;
  ca?: string;
  insecure: boolean;
  out?: string;
}

/** One side's server: its own env file (CCHQ_* as `verify` reads them), its URL and project flags over it. */
function side(role: 'source' | 'target', url: string | undefined, envFile: string | undefined, domain: string | undefined, a: MigrationArgs): Target {
  if (!url && !envFile) throw new UsageError(`--${role}: expected the ${role} server's URL (or --${role}-env FILE with CCHQ_URL)`);
  try {
    // Only the env file counts, never the shell's CCHQ_*: the two servers must not share credentials by accident.
    const t = resolveTarget({ target: url, envFile, domain, insecure: a.insecure }, {});
    return a.ca ? { ...t, tls: { ...t.tls, ca: readCa(a.ca), caFile: a.ca } } : t;
  } catch (e) {
    if (e instanceof UsageError) throw new UsageError(`${role}: ${e.message.replace(/--target/g, `--${role}`).replace(/--domain/g, `--${role}-domain`)}`);
    throw e;
  }
}

export const migrationCommand: CommandModule = {
  command: 'migration',
  describe: 'data migration check: form and case counts by month, xmlns and case type, and sampled form content, source against target → MIGRATED / INCOMPLETE',
  builder: (y: Argv) =>
    y
      .example('ccready verify migration --source-env cloud.env --target-env selfhosted.env', 'each server with its own CCHQ_URL, CCHQ_DOMAIN, CCHQ_WEB_USERNAME/PASSWORD')
      .option('source', { type: 'string', coerce: single, describe: 'URL of the server the project moves from (default CCHQ_URL of --source-env)' })
      .option('source-env', { type: 'string', coerce: single, describe: 'KEY=VALUE file with the source\'s CCHQ_URL, CCHQ_DOMAIN, CCHQ_WEB_USERNAME, CCHQ_WEB_PASSWORD' })
      .option('source-domain', { type: 'string', coerce: single, describe: 'project space on the source (default CCHQ_DOMAIN of --source-env)' })
      .option('target-domain', { type: 'string', coerce: single, describe: 'project space on the target (default CCHQ_DOMAIN of --target-env)' })
      .option('samples', { type: 'string', default: 5, coerce: num('samples', { integer: true, min: 0, max: 1000 }), describe: 'forms per month compared by content' })
      .option('workers', { type: 'string', default: 3, coerce: num('workers', { integer: true, min: 0, max: 100 }), describe: "mobile workers of the source restored on the target (as the target's web user), each checked for the open cases they own" })
      .option('request-timeout', { type: 'string', default: 60, coerce: num('request-timeout', { above: 0, unit: 'seconds' }), describe: 'seconds per HTTP request' })
      .option('ca', { type: 'string', coerce: single, describe: 'PEM file of an extra CA to trust (both servers)' })
      .option('insecure', { type: 'boolean', default: false, describe: 'accept an invalid TLS certificate' })
      .option('out', { type: 'string', coerce: single, describe: 'report folder (default reports/runs/<run-id>/)' }),
  handler: async (argv) => {
    const a = argv as unknown as MigrationArgs;
    const source = side('source', a.source, a.sourceEnv, a.sourceDomain, a);
    const target = side('target', a.target, a.targetEnv, a.targetDomain, a);
    const runId = newRunId();
    const dir = runDir(runId, a.out);
    const { runMigration } = await import('../../verify/migration/index.ts');
    const { writeMigrationReports } = await import('../../reports/migration-files.ts');
    process.stdout.write(`ccready verify migration ${runId}: ${source.url} (${source.domain}) → ${target.url} (${target.domain})\n`);
    const stop = interruptible();
    try {
      const report = await runMigration(source, target, {
        runId,
        samplesPerMonth: a.samples,
        workersSampled: a.workers,
        timeoutMs: Math.round(a.requestTimeout * 1000),
        signal: stop.signal,
        onProgress: (line) => process.stdout.write(`  ${line}\n`),
      });
      writeMigrationReports(report, dir);
      process.stdout.write(`\n${report.verdict}: ${report.summary}\n`);
      for (const f of report.findings.slice(0, 20)) process.stdout.write(`  ${f}\n`);
      if (report.findings.length > 20) process.stdout.write(`  … and ${report.findings.length - 20} more in the report\n`);
      process.stdout.write(`reports: ${dir}/report.{json,md}\n`);
      process.exitCode = report.exitCode;
    } finally {
      stop.dispose();
    }
  },
};
