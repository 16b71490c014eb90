// Error logging: sends one test event to a Sentry DSN (Sentry's store endpoint, which Sentry and
// GlitchTip both accept) and says whether it was accepted. The DSN's key is a credential: it is
// never part of what this returns.
export interface Dsn {
  /** https://host[:port][/prefix] */
  origin: string;
  project: string;
  key: string;
}

/** `https://KEY@host/PROJECT` → its parts, or a message saying what was expected. */
export function parseDsn(dsn: string): Dsn | string {
  let u: URL;
  try {
    u = new URL(dsn);
  } catch {
    return 'expected a Sentry DSN like https://KEY@sentry.example.org/PROJECT_ID';
  }
  const parts = u.pathname.replace(/\/+$/, '').split('/');
  const project = parts.pop() ?? '';
  if (!/^https?:$/.test(u.protocol) || !u.username || !/^\d+$/.test(project)) return 'expected a Sentry DSN like https://KEY@sentry.example.org/PROJECT_ID';
  return { origin: `${u.protocol}//${u.host}${parts.join('/')}`, project, key: decodeURIComponent(u.username) };
}

export interface SentryResult {
  accepted: boolean;
  /** one line without the key */
  detail: string;
  eventId: string;
}

export async function sendTestEvent(d: Dsn, eventId: string, timeoutMs = 10_000): Promise<SentryResult> {
  const url = `${d.origin}/api/${d.project}/store/`;
  const event = {
    event_id: eventId,
    timestamp: new Date().toISOString(),
    level: 'info',
    platform: 'node',
    logger: 'ccready',
    message: 'ccready verify monitoring: test event (error logging is configured)',
    tags: { source: 'ccready' },
  };
  try {
    const res = await fetch(url, {
      method: 'POST',
      signal: AbortSignal.timeout(timeoutMs),
      headers: { 'content-type': 'application/json', 'x-sentry-auth': `Sentry sentry_version=7, sentry_client=ccready/0.1, sentry_key=${d.key}` },
      body: JSON.stringify(event),
    });
    const body = (await res.text()).slice(0, 200).replace(/\s+/g, ' ');
    return { accepted: res.ok, eventId, detail: `POST ${url} → HTTP ${res.status}${res.ok ? '' : ` ${body}`}`.split(d.key).join('***') };
  } catch (e) {
    const err = e as Error & { cause?: { code?: string } };
    return { accepted: false, eventId, detail: `POST ${url}: ${err.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : err.cause?.code ?? err.message}` };
  }
}
