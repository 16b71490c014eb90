// HQ's data APIs as the checklist calls them: the web user's API key when one is given
// (`Authorization: ApiKey user:key`, which HQ lets past 2FA), else Basic; a 429 is waited out
// (Retry-After, else a doubling back-off) within a bound and reported as throttling, never as a
// failed service; a 401 asking for an OTP is reported as a 2FA account, not a wrong password.
import type { Recorder } from './step.ts';
import { sleep, type VerifyContext } from './context.ts';
import type { HttpResponse } from './http.ts';
import { apiAuthorization, asksForOtp, retryDelayMs, TWO_FACTOR_HINT } from '../common/throttle.ts';
import { needWeb } from './web.ts';

/** How long one call may spend waiting out 429s before the step reports throttling. */
export const THROTTLE_WAIT_MS = 120_000;

/** Sends until the answer is not a 429 or the wait bound is spent; the last answer and the time waited. */
export async function waitOut429(ctx: VerifyContext, send: () => Promise<HttpResponse>): Promise<{ r: HttpResponse; waited: number; throttled: number }> {
  const bound = ctx.opts.throttleWaitMs ?? THROTTLE_WAIT_MS;
  let waited = 0;
  for (let attempt = 1; ; attempt++) {
    const r = await send();
    if (r.status !== 429) return { r, waited, throttled: attempt - 1 };
    ctx.state.throttled = (ctx.state.throttled ?? 0) + 1;
    const wait = retryDelayMs(r.headers['retry-after'], attempt);
    if (waited + wait > bound) return { r, waited, throttled: attempt };
    waited += wait;
    await sleep(wait, ctx.opts.signal);
  }
}

/**
 * Sends a request, waiting out 429 answers (`send` is called again for each try, so a poll of a
 * session page waits the same way). Fails the step, as throttling, when the wait bound is spent.
 */
export async function throttled(ctx: VerifyContext, rec: Recorder, what: string, send: () => Promise<HttpResponse>): Promise<HttpResponse> {
  const { r, waited, throttled: n } = await waitOut429(ctx, send);
  if (r.status === 429) {
    rec.see(`${what}: 429 ${n} times in ${waited} ms (Retry-After ${r.headers['retry-after'] ?? 'not given'})`);
    rec.fail(`${what}: HQ kept answering 429 Too Many Requests for ${Math.round(waited / 1000)} s — this is HQ's API rate limit (throttling), not a failed service; run again later or ask for the API throttle to be raised`, []);
  }
  if (n) rec.see(`${what}: throttled (429) ${n} time${n > 1 ? 's' : ''}, waited ${waited} ms as HQ asked`);
  return r;
}

/** The headers of an API call as the web user: its API key when known, else Basic. */
export function apiHeaders(ctx: VerifyContext, json = false): Record<string, string> {
  const web = ctx.target.web!;
  return { accept: 'application/json', authorization: apiAuthorization(web, ctx.target.apiKey), ...(json ? { 'content-type': 'application/json' } : {}) };
}

/** One call to HQ's API as the web user; 429s waited out, an OTP request reported as 2FA. */
export async function api(ctx: VerifyContext, rec: Recorder, method: string, path: string, o: { body?: string; what: string }): Promise<HttpResponse> {
  needWeb(ctx, rec);
  const headers = apiHeaders(ctx, o.body !== undefined);
  const r = await throttled(ctx, rec, o.what, () => ctx.client.request(method, path, { headers, body: o.body }));
  if (asksForOtp(r.status, r.text)) rec.fail(`${o.what}: 401 asking for a one-time password — ${TWO_FACTOR_HINT}`);
  return r;
}
