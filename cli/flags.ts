// The flags of every command that talks to a server, declared once: target, credentials, TLS and
// timeouts (verify, canary, gate, load run, load k8s). Checks run as yargs `coerce`, so a bad value
// fails while parsing, with one line naming the flag (cli/main.ts turns yargs' YError into a
// UsageError), and a flag given twice keeps its last value, declared on the option itself.
import type { Argv } from 'yargs';
import { EXIT, STOP_SIGNALS, UsageError } from '../common/errors.ts';
import { resolveTarget, type Target, type TargetFlags } from '../common/target.ts';

/** A flag given twice arrives as a list; like most CLIs, the last one wins. */
export function single<T>(v: T | T[]): T {
  return Array.isArray(v) ? (v.at(-1) as T) : v;
}

export interface NumberRule {
  /** Inclusive lower bound. */
  min?: number;
  /** Exclusive lower bound ("above 0"). */
  above?: number;
  max?: number;
  integer?: boolean;
  /** The unit named in the message, e.g. "seconds". */
  unit?: string;
}

/**
 * A yargs `coerce` for a numeric flag: it gets the text as typed (the option is declared as a
 * string), so "--wait abc" says `got "abc"` instead of NaN, and the bounds are checked here once.
 */
export function num(flag: string, rule: NumberRule = {}) {
  return (raw: unknown): number | undefined => {
    const v = single(raw as unknown);
    if (v === undefined) return undefined;
    const text = String(v).trim();
    const n = text === '' ? NaN : Number(text);
    const what = [
      rule.integer ? 'a whole number' : 'a number',
      rule.unit ? `of ${rule.unit}` : '',
      rule.above !== undefined ? `above ${rule.above}` : '',
      rule.min !== undefined && rule.max !== undefined ? `from ${rule.min} to ${rule.max}` : rule.min !== undefined ? `of at least ${rule.min}` : rule.max !== undefined ? `of at most ${rule.max}` : '',
    ]
      .filter(Boolean)
      .join(' ');
    const ok =
      Number.isFinite(n) &&
      (!rule.integer || Number.isInteger(n)) &&
      (rule.above === undefined || n > rule.above) &&
      (rule.min === undefined || n >= rule.min) &&
      (rule.max === undefined || n <= rule.max);
    if (!ok) throw new UsageError(`--${flag}: expected ${what}, got ${Number.isFinite(n) ? n : `"${text}"`}`);
    return n;
  };
}

/** A yargs `coerce` for a flag with a fixed set of values, on one line (yargs' own choice errors span several). */
/** A moment the operator gives: ISO 8601 with a zone, so no machine's local time is guessed. */
export function isoTime(flag: string, v: string | undefined): Date | undefined {
  if (v === undefined) return undefined;
  const d = new Date(v);
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/.test(v) || Number.isNaN(d.getTime())) {
    throw new UsageError(`${flag}: expected an ISO 8601 time with a zone (2026-11-30T09:00:00Z), got "${v}"`);
  }
  return d;
}

export function oneOf<T extends string>(flag: string, choices: readonly T[]) {
  return (raw: unknown): T | undefined => {
    const v = single(raw as unknown);
    if (v === undefined) return undefined;
    if (!choices.includes(v as T)) throw new UsageError(`--${flag}: expected one of ${choices.join(', ')}, got "${v}"`);
    return v as T;
  };
}

const last = { coerce: single };

/** Where the server is and who ccready is on it; every command that talks to a server takes these. */
export function targetOptions<T>(y: Argv<T>) {
  return y
    .option('target', { type: 'string', ...last, describe: 'HQ base URL (default $CCHQ_URL)' })
    .option('domain', { type: 'string', ...last, describe: 'project space (default $CCHQ_DOMAIN)' })
    .option('app-id', { type: 'string', ...last, describe: 'app id for profile/suite download, receiver and restore URLs (default $CCHQ_APP_ID)' })
    .option('username', { type: 'string', ...last, describe: 'mobile worker (default $CCHQ_USERNAME)' })
    .option('password', { type: 'string', ...last, describe: 'mobile worker password (default $CCHQ_PASSWORD; prefer the variable)' })
    .option('web-username', { type: 'string', ...last, describe: 'web user, a superuser for the service page (default $CCHQ_WEB_USERNAME)' })
    .option('web-password', { type: 'string', ...last, describe: 'web user password (default $CCHQ_WEB_PASSWORD; prefer the variable)' })
    .option('api-key', { type: 'string', ...last, describe: "the web user's API key, sent as ApiKey user:key on API calls (skips 2FA; default $CCHQ_API_KEY; prefer the variable)" })
    // --target-env, not only --env-file: Node itself takes `--env-file FILE` from its own command
    // line, and under npx that is npx's (it dies when FILE does not exist yet). Same option.
    .option('target-env', { type: 'string', ...last, alias: 'env-file', describe: 'KEY=VALUE file with the target\'s CCHQ_* variables (e.g. from `ccready sim --target-env`); --env-file is the same option' })
    .option('ca', { type: 'string', ...last, describe: 'PEM file of an extra CA to trust (default $CCHQ_CA_FILE)' })
    .option('insecure', { type: 'boolean', default: false, describe: 'accept an invalid TLS certificate (reported as a warning)' });
}

/** The verify family's waits, in seconds. */
export function timeoutOptions<T>(y: Argv<T>) {
  const secs = (flag: string) => num(flag, { above: 0, unit: 'seconds' });
  return y
    .option('request-timeout', { type: 'string', default: 30, coerce: secs('request-timeout'), describe: 'seconds per HTTP request' })
    .option('lag-timeout', { type: 'string', default: 120, coerce: secs('lag-timeout'), describe: 'seconds forms, cases and workers may take to reach the listings' })
    .option('job-timeout', { type: 'string', default: 300, coerce: secs('job-timeout'), describe: 'seconds an export or bulk upload may take' })
    .option('poll', { type: 'string', default: 1, coerce: secs('poll'), describe: 'seconds between polls while waiting' });
}

/** Host checks for `verify --local` and `gate --local`. */
export function localOptions<T>(y: Argv<T>) {
  return y
    .option('local', { type: 'boolean', default: false, describe: 'also check this host (run on the server itself)' })
    .option('server', { type: 'string', ...last, describe: 'server spec for --local: CORESc/RAM/DISK[/ssd|hdd] (e.g. 8c/32GB/2TB/ssd) or a YAML file, as `ccready size --server` (default 8c/32GB/2TB/ssd, the seed box)' })
    .option('data-path', { type: 'string', ...last, describe: 'path on the data disk for --local (default /)' });
}

/** Which checks run and where their report goes (verify and gate). */
export function stepOptions<T>(y: Argv<T>) {
  return y
    .option('http-url', {
      type: 'string',
      coerce: (v: unknown) => {
        const u = single(v as string | undefined);
        if (u !== undefined && !/^http:\/\//.test(u)) throw new UsageError(`--http-url: expected an http:// URL, got "${u}"`);
        return u;
      },
      describe: 'plain-HTTP URL expected to redirect to HTTPS (default http://<host>)',
    })
    .option('odata-config', { type: 'string', ...last, describe: 'id of an OData case feed on the project (default $CCHQ_ODATA_CONFIG_ID, else the export id)' })
    .option('export-id', { type: 'string', ...last, describe: 'id of a saved case export for case type ccready_check (default $CCHQ_EXPORT_ID, else the OData feed id)' })
    .option('sms-number', { type: 'string', ...last, describe: 'phone number for the SMS gateway step (optional)' })
    .option('only', { type: 'string', array: true, describe: 'run only these step ids (the run is PARTIAL, exit 4, never READY)' })
    .option('skip', { type: 'string', array: true, describe: 'leave these step ids out (the run is PARTIAL, exit 4, never READY)' })
    .option('out', { type: 'string', ...last, describe: 'report folder (default reports/runs/<run-id>/)' });
}

/** What `--target …` and friends parse to. */
export interface TargetArgs extends TargetFlags {
  insecure?: boolean;
}

export interface TimeoutArgs {
  requestTimeout?: number;
  lagTimeout?: number;
  jobTimeout?: number;
  poll?: number;
}

/** The target from the flags over the CCHQ_* variables (and --target-env), TLS included. */
export function targetFrom(a: TargetArgs & { odataConfig?: string; exportId?: string }): Target {
  const target = resolveTarget({
    target: a.target,
    domain: a.domain,
    appId: a.appId,
    username: a.username,
    password: a.password,
    webUsername: a.webUsername,
    webPassword: a.webPassword,
    envFile: a.envFile,
    ca: a.ca,
    insecure: a.insecure,
    odataConfig: a.odataConfig,
    exportId: a.exportId,
    apiKey: a.apiKey,
  });
  for (const w of target.warnings ?? []) process.stderr.write(`ccready: warning: ${w}\n`);
  return target;
}

/**
 * SIGINT stops the run but lets it write its report; a second SIGINT exits at once (exit 130).
 * SIGTERM and SIGHUP (a dropped ssh session) stop it the same way, as they stop `load run`: the
 * report of the steps done so far is still written, where the default action would leave none.
 */
export function interruptible(onFirst?: () => void): { signal: AbortSignal; dispose(): void } {
  const ac = new AbortController();
  const handler = () => {
    if (ac.signal.aborted) process.exit(EXIT.interrupted);
    process.stderr.write('\nccready: interrupted: finishing the report of the steps done so far (Ctrl-C again to quit at once)\n');
    onFirst?.();
    ac.abort();
  };
  for (const s of STOP_SIGNALS) process.on(s, handler);
  return {
    signal: ac.signal,
    dispose() {
      for (const s of STOP_SIGNALS) process.off(s, handler);
    },
  };
}
