// `ccready verify monitoring`: argument parsing only; the checks are verify/monitoring/.
import type { Argv, CommandModule } from 'yargs';
import { UsageError } from '../../common/errors.ts';
import { newRunId, runDir } from '../../common/runs.ts';
import { readEnvFile } from '../../common/target.ts';
import { runMonitoring } from '../../verify/monitoring/index.ts';
import { writeVerifyReports } from '../../reports/verify-files.ts';
import { single } from '../flags.ts';
import { finish } from './verify-finish.ts';

interface MonitoringArgs {
  prometheus?: string;
  verdict?: string;
  sentryDsn?: string;
  freshWithin: number;
  target?: string;
  domain?: string;
  envFile?: string;
  out?: string;
}

export const monitoringCommand: CommandModule = {
  command: 'monitoring',
  describe: 'monitoring readiness: node_exporter series fresh, service indicators, alert rules for the sizing limits, error logging',
  builder: (y: Argv) =>
    y
      .example('ccready verify monitoring --prometheus http://127.0.0.1:9090 --verdict plan/verdict.json --target https://hq.example.org', 'host series, indicators, alert rules for the sizing limits')
      .example('SENTRY_DSN=https://KEY@sentry.example.org/4 ccready verify monitoring --prometheus http://prom:9090', 'also send a Sentry test event')
      .option('prometheus', { type: 'string', coerce: single, describe: 'Prometheus base URL (default $PROMETHEUS_URL)' })
      .option('verdict', { type: 'string', coerce: single, describe: 'verdict.json of `ccready size --out`: the limits the alert rules must cover' })
      .option('sentry-dsn', { type: 'string', coerce: single, describe: 'send a test event to this Sentry DSN (default $SENTRY_DSN; prefer the variable)' })
      .option('fresh-within', { type: 'number', default: 120, describe: 'seconds: a newest sample older than this is stale' }),
  handler: async (argv) => {
    const f = argv as unknown as MonitoringArgs;
    const env = f.envFile ? readEnvFile(f.envFile) : {};
    const prometheus = f.prometheus ?? process.env.PROMETHEUS_URL;
    if (!prometheus) throw new UsageError('--prometheus: expected the Prometheus base URL (or $PROMETHEUS_URL), got nothing');
    const runId = newRunId();
    const dir = runDir(runId, f.out);
    process.stdout.write(`ccready verify monitoring ${runId}: ${prometheus}\n`);
    const report = await runMonitoring({
      prometheus,
      runId,
      target: f.target ?? env.CCHQ_URL ?? process.env.CCHQ_URL,
      domain: f.domain ?? env.CCHQ_DOMAIN ?? process.env.CCHQ_DOMAIN,
      verdictFile: f.verdict,
      sentryDsn: f.sentryDsn ?? process.env.SENTRY_DSN,
      freshWithinS: f.freshWithin,
    });
    for (const s of report.steps) process.stdout.write(`  ${s.status.toUpperCase().padEnd(4)} ${s.id}${s.reason ? `: ${s.reason}` : ''}\n`);
    writeVerifyReports(report, dir);
    finish(report, dir);
  },
};
