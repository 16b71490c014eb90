// The one HTTP client for requests to the target that carry credentials (verify, canary, gate, the
// load run's User API calls and its integrity audit): Basic auth, a cookie jar for the Django
// session, manual redirects (so a login's 302 is visible), a timeout on every request, TLS
// verification unless the user asked for --insecure, and credentials bound to the target's origin.
import { Agent, request } from 'undici';
import type { Credentials, TlsOptions } from './target.ts';

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  /** All Set-Cookie values (undici gives an array when there are several). */
  setCookies: string[];
  text: string;
  /** The raw body (the case export is a binary workbook); `text` is its UTF-8 reading. */
  bytes: Buffer;
  url: string;
  ms: number;
}

export interface RequestOptions {
  headers?: Record<string, string>;
  body?: string | Buffer;
  auth?: Credentials;
  jar?: CookieJar;
  timeoutMs?: number;
  /** Follow up to this many redirects (GET only). Default 0: the caller sees the 3xx. */
  follow?: number;
}

export class CookieJar {
  private readonly cookies = new Map<string, string>();
  store(setCookies: string[]): void {
    for (const c of setCookies) {
      const m = /^\s*([^=;\s]+)=([^;]*)/.exec(c);
      if (!m) continue;
      // An expired or emptied cookie removes it (Django's logout and session rotation do this).
      if (m[2] === '' || /expires=Thu, 01 Jan 1970/i.test(c) || /max-age=0/i.test(c)) this.cookies.delete(m[1]);
      else this.cookies.set(m[1], m[2]);
    }
  }
  get(name: string): string | undefined {
    return this.cookies.get(name);
  }
  header(): string | undefined {
    return this.cookies.size ? [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') : undefined;
  }
}

export class HttpError extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

/**
 * A link or redirect from the server that would carry credentials or the session to another origin
 * (another host or port, or plain HTTP from an HTTPS target). Not followed: on HQ, absolute links
 * (API next pages, OData next links, download links) are built from its configured site address,
 * so this is a misconfiguration to fix there, not a failed service.
 */
export class ForeignOriginError extends HttpError {
  readonly configuration = true;
  constructor(link: string, targetOrigin: string) {
    const to = new URL(link);
    const downgrade = to.hostname === new URL(targetOrigin).hostname && to.protocol === 'http:' && targetOrigin.startsWith('https:');
    super(
      `HQ handed out ${downgrade ? 'a plain-HTTP link' : `a link to another origin (${to.origin})`} for ${to.pathname}; not followed with credentials: ` +
        `HQ's site address (BASE_ADDRESS and DEFAULT_PROTOCOL in its settings) must be ${targetOrigin}`,
      'FOREIGN_ORIGIN',
    );
  }
}

export function basicAuth(c: Credentials): string {
  return 'Basic ' + Buffer.from(`${c.username}:${c.password}`).toString('base64');
}

export class HqClient {
  readonly base: string;
  /** Credentials and the session go to this scheme://host:port only. */
  readonly origin: string;
  private readonly agent: Agent;
  constructor(
    baseUrl: string,
    readonly opts: { tls?: TlsOptions; timeoutMs?: number; signal?: AbortSignal; userAgent?: string } = {},
  ) {
    this.base = baseUrl.replace(/\/+$/, '');
    this.origin = new URL(this.base).origin;
    this.agent = new Agent({
      connect: { rejectUnauthorized: !opts.tls?.insecure, ...(opts.tls?.ca ? { ca: opts.tls.ca } : {}) },
      keepAliveTimeout: 2000,
    });
  }

  url(path: string): string {
    return /^https?:\/\//.test(path) ? path : this.base + path;
  }

  async request(method: string, path: string, o: RequestOptions = {}): Promise<HttpResponse> {
    let url = this.url(path);
    let redirects = o.follow ?? 0;
    const started = performance.now();
    for (;;) {
      const headers: Record<string, string> = { 'user-agent': this.opts.userAgent ?? 'ccready-verify', ...(o.headers ?? {}) };
      // Credentials and the session are bound to the target's origin, whatever link the server gave.
      const secret = !!o.auth || !!o.jar || Object.keys(headers).some((h) => h.toLowerCase() === 'authorization' || h.toLowerCase() === 'cookie');
      if (secret && new URL(url).origin !== this.origin) throw new ForeignOriginError(url, this.origin);
      if (o.auth) headers.authorization = basicAuth(o.auth);
      const cookie = o.jar?.header();
      if (cookie) headers.cookie = cookie;
      const timeoutMs = o.timeoutMs ?? this.opts.timeoutMs ?? 15000;
      const signals = [AbortSignal.timeout(timeoutMs), ...(this.opts.signal ? [this.opts.signal] : [])];
      let res;
      try {
        res = await request(url, {
          method: method as 'GET',
          headers,
          body: o.body,
          dispatcher: this.agent,
          signal: AbortSignal.any(signals),
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
        });
      } catch (e) {
        throw describeNetworkError(e, url, timeoutMs, this.opts.signal);
      }
      let bytes: Buffer;
      try {
        bytes = Buffer.from(await res.body.arrayBuffer());
      } catch (e) {
        throw describeNetworkError(e, url, timeoutMs, this.opts.signal);
      }
      const flat: Record<string, string> = {};
      let setCookies: string[] = [];
      for (const [k, v] of Object.entries(res.headers)) {
        if (v === undefined) continue;
        if (k === 'set-cookie') setCookies = Array.isArray(v) ? v : [v];
        flat[k] = Array.isArray(v) ? v.join(', ') : v;
      }
      o.jar?.store(setCookies);
      const location = flat.location;
      if (redirects > 0 && location && res.statusCode >= 300 && res.statusCode < 400) {
        redirects--;
        url = new URL(location, url).href;
        method = 'GET';
        o = { ...o, body: undefined };
        continue;
      }
      return { status: res.statusCode, headers: flat, setCookies, text: bytes.toString('utf8'), bytes, url, ms: Math.round(performance.now() - started) };
    }
  }

  get(path: string, o?: RequestOptions) {
    return this.request('GET', path, o);
  }
  post(path: string, body: string | Buffer, o: RequestOptions = {}) {
    return this.request('POST', path, { ...o, body });
  }

  async close(): Promise<void> {
    await this.agent.close().catch(() => undefined);
  }
}

function describeNetworkError(e: unknown, url: string, timeoutMs: number, outer?: AbortSignal): HttpError {
  const err = e as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
  const code = err.cause?.code ?? err.code ?? err.name;
  if (outer?.aborted) return new HttpError(`interrupted while waiting for ${url}`, 'INTERRUPTED');
  if (err.name === 'TimeoutError' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || err.name === 'AbortError')
    return new HttpError(`no answer from ${url} within ${timeoutMs} ms`, 'TIMEOUT');
  const msg = err.cause?.message ?? err.message ?? String(e);
  return new HttpError(`${url}: ${msg}${code && !msg.includes(code) ? ` (${code})` : ''}`, code);
}
