// The server ccready talks to, and the credentials for it. Defaults come from the CCHQ_* variables
// (the same ones Dimagi's Locust setup reads, and that `ccready sim --target-env` writes); flags
// override them. Passwords live here and nowhere else: use `redact` before printing anything
// that might contain them.
import { readFileSync } from 'node:fs';
import { UsageError } from './errors.ts';

export interface Credentials {
  username: string;
  password: string;
}

/** How to trust the target's certificate: the same for verify, the load run, the audit and k6. */
export interface TlsOptions {
  /** Extra CA certificate (PEM text) to trust, e.g. an internal CA. */
  ca?: string;
  /** The file the CA came from (k6 reads a file, not text). */
  caFile?: string;
  /** Accept an untrusted or mismatched certificate (reported as a warning, never silently). */
  insecure?: boolean;
}

export interface Target {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:8000`. */
  url: string;
  domain: string;
  appId?: string;
  /** A mobile worker (`<user>@<domain>.commcarehq.org`). */
  mobile?: Credentials;
  /** Where `mobile` came from, as messages name it (default `--username/--password (CCHQ_USERNAME/CCHQ_PASSWORD)`). */
  mobileFrom?: string;
  /** A web user; a superuser for the service checks. */
  web?: Credentials;
  /** The web user's API key (HQ: My Account → API Keys): sent as `ApiKey user:key` on API calls, which skips 2FA. */
  apiKey?: string;
  /**
   * The web username when an API key came without a password: enough for the API readers
   * (`size init --from`, `verify migration`), not for verify's login and web pages, which keep asking for `web`.
   */
  apiUser?: string;
  /** Control token of the ccready stand-in (`ccready sim`), when the target is one. */
  simToken?: string;
  /** TLS trust for an https target (`--ca`, `--insecure`); absent = the system's CAs, verified. */
  tls?: TlsOptions;
  /** Id of an OData case feed configured on the project (`--odata-config`, CCHQ_ODATA_CONFIG_ID). */
  odataConfigId?: string;
  /** Other secrets to redact, e.g. a password that came inside the URL. */
  secrets?: string[];
  /** Said once to the user before the run (e.g. credentials found in the URL). */
  warnings?: string[];
  /** Id of a saved case export (`--export-id`, CCHQ_EXPORT_ID): HQ exports only saved exports; the same one can back the OData feed. */
  exportId?: string;
}

export interface TargetFlags {
  target?: string;
  domain?: string;
  appId?: string;
  username?: string;
  password?: string;
  webUsername?: string;
  webPassword?: string;
  apiKey?: string;
  /** A KEY=VALUE file (e.g. from `ccready sim --target-env`) whose variables override the environment. */
  envFile?: string;
  /** PEM file of an extra CA to trust (`--ca`, CCHQ_CA_FILE). */
  ca?: string;
  insecure?: boolean;
  odataConfig?: string;
  exportId?: string;
}

/** Reads a PEM CA file; a missing file or one that is not PEM is a usage error naming `flag`. */
export function readCa(path: string, flag = '--ca'): string {
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`${flag}: cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? e})`);
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new UsageError(`${path}: expected a PEM certificate (-----BEGIN CERTIFICATE-----)`);
  return pem;
}

/** Parses a KEY=VALUE file (as written by `ccready sim --target-env`); `#` comments allowed. */
export function readEnvFile(path: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`${path}: cannot read env file (${(e as NodeJS.ErrnoException).code ?? e})`);
  }
  const vars: Record<string, string> = {};
  text.split(/\r?\n/).forEach((line, i) => {
    const t = line.trim();
    if (!t || t.startsWith('#')) return;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(t);
    if (!m) throw new UsageError(`${path}:${i + 1}: expected KEY=VALUE`);
    vars[m[1]] = m[2].replace(/^'(.*)'$/, '$1').replace(/^"(.*)"$/, '$1');
  });
  return vars;
}

/** Builds the target from flags over environment variables. Throws a UsageError naming what is missing. */
export function resolveTarget(flags: TargetFlags, processEnv: Record<string, string | undefined> = process.env): Target {
  const env = flags.envFile ? { ...processEnv, ...readEnvFile(flags.envFile) } : processEnv;
  let url = (flags.target ?? env.CCHQ_URL ?? env.LOCUST_HOST ?? '').replace(/\/+$/, '');
  if (!url) throw new UsageError('no target: pass --target URL or set CCHQ_URL');
  let parsed: URL;
  // The URL may hold a password (user:pw@host): never echo it back, even in an error.
  const shown = () => url.replace(/\/\/[^/@]*@/, '//***@');
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`--target: expected an http(s) URL, got "${shown()}"`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new UsageError(`--target: expected an http(s) URL, got "${shown()}"`);
  }
  const warnings: string[] = [];
  const secrets: string[] = [];
  let urlUser: Credentials | undefined;
  if (parsed.username || parsed.password) {
    // Accepted (old habits, scripts), but taken out of the URL so it is never printed or sent as part of a link.
    urlUser = { username: decodeURIComponent(parsed.username), password: decodeURIComponent(parsed.password) };
    if (urlUser.password) secrets.push(urlUser.password);
    parsed.username = '';
    parsed.password = '';
    url = parsed.href.replace(/\/+$/, '');
    warnings.push(`--target: credentials in the URL are removed from it and used as the web user ${urlUser.username} unless one is given; prefer CCHQ_WEB_USERNAME/CCHQ_WEB_PASSWORD (a URL shows in process lists, shell history and logs)`);
  }
  const domain = flags.domain ?? env.CCHQ_DOMAIN;
  if (!domain) throw new UsageError('no project space: pass --domain NAME or set CCHQ_DOMAIN');
  const pair = (u?: string, p?: string): Credentials | undefined => (u && p !== undefined ? { username: u, password: p } : undefined);
  const caFile = flags.ca ?? env.CCHQ_CA_FILE;
  const tls: TlsOptions = { ...(caFile ? { ca: readCa(caFile, flags.ca ? '--ca' : 'CCHQ_CA_FILE'), caFile } : {}), ...(flags.insecure ? { insecure: true } : {}) };
  const odataConfigId = flags.odataConfig ?? env.CCHQ_ODATA_CONFIG_ID;
  const exportId = flags.exportId ?? env.CCHQ_EXPORT_ID;
  const apiKey = flags.apiKey ?? env.CCHQ_API_KEY;
  const web = pair(flags.webUsername ?? env.CCHQ_WEB_USERNAME, flags.webPassword ?? env.CCHQ_WEB_PASSWORD) ?? (urlUser?.password ? urlUser : undefined);
  const webUsername = flags.webUsername ?? env.CCHQ_WEB_USERNAME;
  return {
    url,
    domain,
    appId: flags.appId ?? env.CCHQ_APP_ID,
    mobile: pair(flags.username ?? env.CCHQ_USERNAME, flags.password ?? env.CCHQ_PASSWORD),
    web,
    simToken: env.CCHQ_SIM_TOKEN,
    ...(secrets.length ? { secrets } : {}),
    ...(warnings.length ? { warnings } : {}),
    ...(Object.keys(tls).length ? { tls } : {}),
    ...(odataConfigId ? { odataConfigId } : {}),
    ...(exportId ? { exportId } : {}),
    ...(apiKey ? { apiKey } : {}),
    ...(apiKey && !web && webUsername ? { apiUser: webUsername } : {}),
  };
}

/** True when the URL's host is loopback (127.0.0.0/8, ::1, localhost). */
export function isLoopback(url: string): boolean {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Replaces every secret of the target (and any `extra` ones, e.g. created workers' passwords) in `text` with `***`. */
export function redact(text: string, target: Pick<Target, 'mobile' | 'web' | 'simToken' | 'secrets' | 'apiKey'>, extra: string[] = []): string {
  // Longest first, so a secret that contains another is replaced whole, never left half-visible.
  const secrets = [target.mobile?.password, target.web?.password, target.simToken, target.apiKey, ...(target.secrets ?? []), ...extra]
    .filter((s): s is string => !!s && s.length >= 3)
    .sort((a, b) => b.length - a.length);
  let out = text;
  for (const s of secrets) out = out.split(s).join('***');
  for (const s of secrets) out = out.split(encodeURIComponent(s)).join('***');
  return out;
}
