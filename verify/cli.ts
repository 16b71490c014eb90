// Flag handling shared by `ccready verify`, `verify canary …` and `gate`: target and credentials,
// TLS options, timeouts. Turns flags into API options; bad values are one-line usage errors.
import { readFileSync } from 'node:fs';
import type { Argv } from 'yargs';
import { EXIT, inputError, UsageError } from '../common/errors.ts';
import { readEnvFile, resolveTarget, type Target, type TargetFlags } from '../common/target.ts';
import { type LocalOptions } from './local.ts';
import { resolveServerSpec } from '../common/server-spec.ts';
import type { VerifyOptions } from './context.ts';

export function targetFlags<T>(y: Argv<T>) {
  return y
    .option('target', { type: 'string', describe: 'HQ base URL (default $CCHQ_URL)' })
    .option('domain', { type: 'string', describe: 'project space (default $CCHQ_DOMAIN)' })
    .option('app-id', { type: 'string', describe: 'app id for profile/suite download and submissions (default $CCHQ_APP_ID)' })
    .option('username', { type: 'string', describe: 'mobile worker (default $CCHQ_USERNAME)' })
    .option('password', { type: 'string', describe: 'mobile worker password (default $CCHQ_PASSWORD; prefer the variable)' })
    .option('web-username', { type: 'string', describe: 'web user, a superuser for the service page (default $CCHQ_WEB_USERNAME)' })
    .option('web-password', { type: 'string', describe: 'web user password (default $CCHQ_WEB_PASSWORD; prefer the variable)' })
    .option('env-file', { type: 'string', describe: 'KEY=VALUE file with CCHQ_* variables (e.g. from `ccready sim --env-file`)' })
    .option('insecure', { type: 'boolean', default: false, describe: 'accept an invalid TLS certificate (reported as a warning)' })
    .option('ca', { type: 'string', describe: 'PEM file of an extra CA to trust' })
    .option('http-url', { type: 'string', describe: 'plain-HTTP URL expected to redirect to HTTPS (default http://<host>)' })
    .option('out', { type: 'string', describe: 'report folder (default reports/runs/<run-id>/)' })
    .option('request-timeout', { type: 'number', default: 30, describe: 'seconds per HTTP request' })
    .option('lag-timeout', { type: 'number', default: 120, describe: 'seconds forms, cases and workers may take to reach the listings' })
    .option('job-timeout', { type: 'number', default: 300, describe: 'seconds an export or bulk upload may take' })
    .option('poll', { type: 'number', default: 1, describe: 'seconds between polls while waiting' });
}

export function localFlags<T>(y: Argv<T>) {
  return y
    .option('local', { type: 'boolean', default: false, describe: 'also check this host (run on the server itself)' })
    .option('server', { type: 'string', describe: 'server spec for --local: CORESc/RAM/DISK[/ssd|hdd] (e.g. 8c/32GB/2TB/ssd) or a YAML file, as `ccready size --server` (default 8c/32GB/2TB/ssd, the seed box)' })
    .option('data-path', { type: 'string', describe: 'path on the data disk for --local (default /)' })
    .option('odata-config', { type: 'string', describe: 'id of an OData case feed on the project (default $CCHQ_ODATA_CONFIG_ID)' })
    .option('sms-number', { type: 'string', describe: 'phone number for the SMS gateway step (optional)' })
    .option('only', { type: 'string', array: true, describe: 'run only these step ids (the run is PARTIAL, exit 4, never READY)' })
    .option('skip', { type: 'string', array: true, describe: 'leave these step ids out (the run is PARTIAL, exit 4, never READY)' });
}

export interface ParsedFlags extends TargetFlags {
  insecure?: boolean;
  ca?: string;
  httpUrl?: string;
  out?: string;
  requestTimeout?: number;
  lagTimeout?: number;
  jobTimeout?: number;
  poll?: number;
  local?: boolean;
  server?: string;
  dataPath?: string;
  smsNumber?: string;
  odataConfig?: string;
  only?: string[];
  skip?: string[];
}

const SINGLE = ['target', 'domain', 'appId', 'username', 'password', 'webUsername', 'webPassword', 'envFile', 'ca', 'httpUrl', 'out', 'server', 'dataPath', 'smsNumber', 'odataConfig', 'manifest', 'requestTimeout', 'lagTimeout', 'jobTimeout', 'poll', 'wait', 'cases'];

/** A flag given twice arrives as a list; like most CLIs, the last one wins. */
export function lastWins<T extends object>(argv: T): T {
  const a = argv as Record<string, unknown>;
  for (const k of SINGLE) if (Array.isArray(a[k])) a[k] = (a[k] as unknown[]).at(-1);
  return argv;
}

export function targetFrom(f: ParsedFlags): Target {
  return resolveTarget(f);
}

function seconds(flag: string, v: number | undefined, min = 0): number | undefined {
  if (v === undefined) return undefined;
  if (!Number.isFinite(v) || v <= min) throw inputError(undefined, flag, `expected a number of seconds above ${min}, got ${v}`);
  return Math.round(v * 1000);
}

export function optionsFrom(f: ParsedFlags): VerifyOptions & { only?: string[]; skip?: string[] } {
  let ca: string | undefined;
  if (f.ca) {
    try {
      ca = readFileSync(f.ca, 'utf8');
    } catch (e) {
      throw new UsageError(`--ca: cannot read ${f.ca} (${(e as NodeJS.ErrnoException).code ?? e})`);
    }
    if (!ca.includes('-----BEGIN CERTIFICATE-----')) throw inputError(f.ca, undefined, 'expected a PEM certificate (-----BEGIN CERTIFICATE-----)');
  }
  if (f.httpUrl && !/^http:\/\//.test(f.httpUrl)) throw inputError(undefined, '--http-url', `expected an http:// URL, got "${f.httpUrl}"`);
  let local: LocalOptions | undefined;
  // the one --server grammar (short form or YAML file) that `ccready size` takes
  const server = f.server ? resolveServerSpec(f.server) : undefined;
  if (f.local) local = { server, dataPath: f.dataPath };
  return {
    insecure: f.insecure,
    ca,
    httpUrl: f.httpUrl,
    requestTimeoutMs: seconds('--request-timeout', f.requestTimeout),
    lagTimeoutMs: seconds('--lag-timeout', f.lagTimeout),
    jobTimeoutMs: seconds('--job-timeout', f.jobTimeout),
    pollMs: seconds('--poll', f.poll),
    local,
    smsNumber: f.smsNumber,
    odataConfigId: f.odataConfig ?? (f.envFile ? readEnvFile(f.envFile).CCHQ_ODATA_CONFIG_ID : undefined) ?? process.env.CCHQ_ODATA_CONFIG_ID,
    only: f.only,
    skip: f.skip,
  };
}

/** SIGINT stops the run but lets it write its report; a second SIGINT exits at once. */
export function interruptible(onFirst?: () => void): { signal: AbortSignal; dispose(): void } {
  const ac = new AbortController();
  const handler = () => {
    if (ac.signal.aborted) process.exit(EXIT.interrupted);
    process.stderr.write('\nccready: interrupted: finishing the report of the steps done so far (Ctrl-C again to quit at once)\n');
    onFirst?.();
    ac.abort();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: ac.signal,
    dispose() {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}
