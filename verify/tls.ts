// The certificate as a browser or a phone sees it: trusted chain, valid for the host name, days
// to expiry; and whether plain HTTP sends visitors to HTTPS.
import { connect, checkServerIdentity, type PeerCertificate } from 'node:tls';
import { isIP } from 'node:net';
import { request } from 'undici';

export interface TlsFacts {
  subject: string;
  issuer: string;
  validTo: string;
  daysLeft: number;
  /** Set when the chain is not trusted (self-signed, unknown CA, expired). */
  trustError?: string;
  /** Set when the certificate does not name the host. */
  hostError?: string;
}

export function daysUntil(validTo: string, now = Date.now()): number {
  return Math.floor((Date.parse(validTo) - now) / 86_400_000);
}

export function checkTls(url: URL, opts: { ca?: string; timeoutMs: number }): Promise<TlsFacts> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = Number(url.port || 443);
  return new Promise((resolve, reject) => {
    // Connect without verifying so we can describe what is wrong, then judge the chain ourselves.
    const socket = connect({
      host,
      port,
      servername: isIP(host) ? undefined : host,
      rejectUnauthorized: false,
      ...(opts.ca ? { ca: opts.ca } : {}),
    });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`TLS handshake with ${host}:${port} did not finish within ${opts.timeoutMs} ms`));
    }, opts.timeoutMs);
    socket.once('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`TLS connection to ${host}:${port} failed: ${e.message}`));
    });
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      const cert = socket.getPeerCertificate() as PeerCertificate;
      const authorizationError = socket.authorizationError ? String(socket.authorizationError) : undefined;
      socket.end();
      if (!cert || !cert.valid_to) return reject(new Error(`${host}:${port} presented no certificate`));
      const hostErr = checkServerIdentity(host, cert);
      resolve({
        subject: String(cert.subject?.CN ?? JSON.stringify(cert.subject)),
        issuer: String(cert.issuer?.CN ?? cert.issuer?.O ?? JSON.stringify(cert.issuer)),
        validTo: new Date(cert.valid_to).toISOString(),
        daysLeft: daysUntil(cert.valid_to),
        trustError: authorizationError,
        hostError: hostErr ? hostErr.message : undefined,
      });
    });
  });
}

/** Plain HTTP should answer with a redirect to the HTTPS site. */
export async function checkHttpRedirect(httpUrl: string, timeoutMs: number): Promise<{ ok: boolean; evidence: string }> {
  try {
    const res = await request(httpUrl, { method: 'GET', headersTimeout: timeoutMs, bodyTimeout: timeoutMs, signal: AbortSignal.timeout(timeoutMs) });
    await res.body.dump();
    const loc = res.headers.location;
    const location = Array.isArray(loc) ? loc[0] : loc;
    if (res.statusCode >= 300 && res.statusCode < 400 && location?.startsWith('https://')) {
      return { ok: true, evidence: `${httpUrl} → ${res.statusCode} redirect to ${location}` };
    }
    return { ok: false, evidence: `${httpUrl} answered ${res.statusCode}${location ? ` → ${location}` : ''}, not a redirect to HTTPS` };
  } catch (e) {
    const err = e as Error & { cause?: Error };
    return { ok: false, evidence: `${httpUrl}: no answer (${err.cause?.message ?? err.message}): cannot confirm HTTP redirects to HTTPS` };
  }
}
