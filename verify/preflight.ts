// Preflight before blame: before any service is suspected, check that ccready is pointed at a
// CommCare HQ it can reach and use. In order: DNS and connect, TLS trust, that the URL is a CommCare
// HQ, that the project space exists, that the web user and the mobile worker can log in, that the
// app id resolves. Each problem is one line naming the flag or variable to fix; a server error
// (5xx, a timeout) is not a configuration problem and is left to the steps that name services.
import type { Target } from '../common/target.ts';
import { HqClient, HttpError, type HttpResponse } from './http.ts';
import { serverupFailures } from './serverup.ts';
import { mobileUsername } from './context.ts';
import { apiAuthorization, asksForOtp, TWO_FACTOR_HINT } from '../common/throttle.ts';

export interface PreflightResult {
  /** One line each, naming the flag/variable; empty when the configuration is usable. */
  problems: string[];
  /** What was asked and answered. */
  evidence: string[];
}

const TLS_UNTRUSTED = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** A network failure reaching the target, as the configuration problem it points to (undefined: not one). */
export function connectProblem(e: unknown, target: Pick<Target, 'url'>): string | undefined {
  if (!(e instanceof HttpError)) return undefined;
  const { hostname, origin } = new URL(target.url);
  const code = e.code ?? '';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `--target (CCHQ_URL): host "${hostname}" not found (DNS ${code})`;
  if (code === 'ECONNREFUSED') return `--target (CCHQ_URL): nothing is listening at ${origin} (connection refused)`;
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return `--target (CCHQ_URL): ${origin} is unreachable (${code})`;
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return `--target (CCHQ_URL): the certificate of ${origin} is not valid for "${hostname}" (use the name the certificate was issued for, or --insecure to accept it)`;
  if (TLS_UNTRUSTED.has(code) || /certificate|self[- ]signed/i.test(e.message)) return `--ca / --insecure: the certificate of ${origin} is not trusted (${code || e.message}): pass --ca FILE (CCHQ_CA_FILE) for a private CA, or --insecure to accept it`;
  if (code === 'EPROTO' || /wrong version number|SSL routines/i.test(e.message)) return `--target (CCHQ_URL): TLS handshake with ${origin} failed (${code || e.message}): is it http rather than https?`;
  return undefined;
}

const short = (t: string) => t.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 80);

/** HQ's serverup.txt: "success", or a 500 listing `<strong>service</strong>` per failing check. */
function serverupIsHq(r: HttpResponse): boolean {
  return (r.status === 200 && r.text.trim() === 'success') || (r.status === 500 && serverupFailures(r.text).length > 0);
}

/** HQ's login page is the two-factor login wizard (corehq/apps/hqwebapp/views.py HQLoginView). */
function loginPageIsHq(r: HttpResponse): boolean {
  return r.status === 200 && /hq_login_view-current_step|auth-username/.test(r.text);
}

export async function preflight(target: Target, o: { client?: HqClient; timeoutMs?: number; signal?: AbortSignal } = {}): Promise<PreflightResult> {
  const client = o.client ?? new HqClient(target.url, { tls: target.tls, timeoutMs: o.timeoutMs ?? 15_000, signal: o.signal });
  const problems: string[] = [];
  const evidence: string[] = [];
  const d = `/a/${encodeURIComponent(target.domain)}`;
  try {
    // 1-3: reach it, trust it, and know it is CommCare HQ.
    let up: HttpResponse | undefined;
    try {
      up = await client.get('/serverup.txt');
      evidence.push(`GET /serverup.txt → ${up.status} ${short(up.text)}`);
    } catch (e) {
      const p = connectProblem(e, target);
      if (p) return { problems: [p], evidence: [...evidence, `GET /serverup.txt: ${(e as Error).message}`] };
      // A hang or a reset is a server problem (a backing service can hang serverup.txt): the steps find it.
      evidence.push(`GET /serverup.txt: ${(e as Error).message} (not a configuration problem)`);
    }
    if (up && !serverupIsHq(up)) {
      const login = await client.get('/accounts/login/').catch(() => undefined);
      if (!login || !loginPageIsHq(login)) {
        return { problems: [`--target (CCHQ_URL): ${target.url} does not look like CommCare HQ (serverup.txt answered ${up.status} "${short(up.text)}", and /accounts/login/ has no HQ login form)`], evidence };
      }
      evidence.push('serverup.txt is unusual, but /accounts/login/ is HQ\'s login form');
    }
    // 4: the project space (HQ's domain_login raises 404 for an unknown domain).
    const dom = await client.get(`${d}/login/`).catch(() => undefined);
    if (dom) evidence.push(`GET ${d}/login/ → ${dom.status}`);
    if (dom?.status === 404) return { problems: [`--domain (CCHQ_DOMAIN): project space "${target.domain}" does not exist on ${target.url}`], evidence };
    // 5: the web user, on the API the checklist uses.
    if (target.web) {
      // The password (the web pages log in with it) by Basic; an OTP request means it was right but
      // the account has 2FA, which an API key gets past. Then the API key itself, when given.
      const r = await client.get(`${d}/api/user/v1/?limit=1`, { auth: target.web, headers: { accept: 'application/json' } }).catch(() => undefined);
      if (r) evidence.push(`GET ${d}/api/user/v1/?limit=1 as the web user → ${r.status}`);
      const key = target.apiKey ? await client.get(`${d}/api/user/v1/?limit=1`, { headers: { accept: 'application/json', authorization: apiAuthorization(target.web, target.apiKey) } }).catch(() => undefined) : undefined;
      if (key) evidence.push(`GET ${d}/api/user/v1/?limit=1 with the web user's API key → ${key.status}`);
      if (key?.status === 401) problems.push(`--api-key (CCHQ_API_KEY): HQ refused the API key of ${target.web.username} (401)`);
      if (r && asksForOtp(r.status, r.text)) {
        if (!target.apiKey) problems.push(`--web-username (CCHQ_WEB_USERNAME): ${target.web.username} has two-factor authentication; HQ asks for a one-time password on API calls — ${TWO_FACTOR_HINT}`);
      } else if (r?.status === 401) {
        problems.push(`--web-username/--web-password (CCHQ_WEB_USERNAME/CCHQ_WEB_PASSWORD): HQ refused the web user ${target.web.username} (401: wrong username or password)`);
      } else if (r?.status === 403) {
        problems.push(`--web-username (CCHQ_WEB_USERNAME): ${target.web.username} may not use the APIs of project "${target.domain}" (403: make it a member with API access)`);
      }
    }
    // 6: the mobile worker, by restoring as it (what a phone does first).
    if (target.mobile) {
      const user = mobileUsername(target.mobile.username, target.domain);
      const r = await client
        .get(`${d}/phone/restore/?version=2.0&device_id=ccready-preflight`, { auth: { username: user, password: target.mobile.password }, headers: { 'x-openrosa-version': '3.0' } })
        .catch(() => undefined);
      if (r) evidence.push(`GET ${d}/phone/restore/ as ${user} → ${r.status}`);
      if (r?.status === 401 || r?.status === 403) {
        problems.push(`${target.mobileFrom ?? '--username/--password (CCHQ_USERNAME/CCHQ_PASSWORD)'}: HQ refused the mobile worker ${user} (${r.status}: wrong username or password, or not a worker of "${target.domain}")`);
      }
    }
    // 7: the app id (HQ answers 404 for an app it does not know).
    if (target.appId) {
      const path = `${d}/apps/download/${encodeURIComponent(target.appId)}/profile.ccpr`;
      const r = await client.get(path).catch(() => undefined);
      if (r) evidence.push(`GET ${path} → ${r.status}`);
      if (r?.status === 404) problems.push(`--app-id (CCHQ_APP_ID): no app "${target.appId}" in project "${target.domain}" (404)`);
    }
    return { problems, evidence };
  } finally {
    if (!o.client) await client.close();
  }
}
