// HQ throttles its APIs (corehq/apps/api/resources/meta.py `api_rate_limiter`, `HQThrottle`;
// the Case API's `api_throttle`): 429, with `Retry-After` from the Case API and without it from
// the tastypie resources (Form, User, OData). Every poller waits instead of failing, within a bound.

/** Seconds to wait before the next try: the server's Retry-After (seconds or an HTTP date), else a doubling back-off. */
export function retryDelayMs(retryAfter: string | undefined, attempt: number, now = Date.now()): number {
  const capMs = 60_000;
  if (retryAfter !== undefined && retryAfter.trim() !== '') {
    const s = Number(retryAfter);
    if (Number.isFinite(s) && s >= 0) return Math.min(capMs, Math.max(250, s * 1000));
    const at = Date.parse(retryAfter);
    if (Number.isFinite(at)) return Math.min(capMs, Math.max(250, at - now));
  }
  // No hint (tastypie's 429): 1 s, 2 s, 4 s … up to 30 s.
  return Math.min(30_000, 1000 * 2 ** Math.max(0, attempt - 1));
}

/** HQ's answer to an API call by a web user of a 2FA project without an API key (`OTP_AUTH_FAIL_RESPONSE`). */
export function asksForOtp(status: number, body: string): boolean {
  return status === 401 && /X-COMMCAREHQ-OTP|'otp' URL parameter/i.test(body);
}

/** `Authorization` for HQ's API: `ApiKey user:key` when a key is known (it skips 2FA), else Basic. */
export function apiAuthorization(web: { username: string; password: string }, apiKey?: string): string {
  if (apiKey) return `ApiKey ${web.username}:${apiKey}`;
  return `Basic ${Buffer.from(`${web.username}:${web.password}`).toString('base64')}`;
}

export const TWO_FACTOR_HINT = 'this account needs 2FA: use an API key (--api-key or CCHQ_API_KEY; HQ: My Account → API Keys)';
