// Web-user helpers shared by the steps: Django login with CSRF, and small response helpers.
import { StepEnd, type Recorder } from './step.ts';
import type { VerifyContext } from './context.ts';
import { CookieJar, type HttpResponse } from './http.ts';

export function needWeb(ctx: VerifyContext, rec: Recorder) {
  if (!ctx.target.web) rec.skip('no web user: pass --web-username/--web-password or set CCHQ_WEB_USERNAME/CCHQ_WEB_PASSWORD');
  return ctx.target.web!;
}

export function short(text: string, n = 160): string {
  const t = text.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim();
  return t.length > n ? t.slice(0, n) + '…' : t;
}

export function json<T>(res: HttpResponse, what: string): T {
  try {
    return JSON.parse(res.text) as T;
  } catch {
    throw new Error(`${what}: expected JSON, got ${res.headers['content-type'] ?? 'no content type'}: ${short(res.text, 80)}`);
  }
}

/** Logs a web user in through Django's two-factor login wizard (CSRF cookie, then POST). */
export async function webLogin(ctx: VerifyContext, rec: Recorder): Promise<{ jar: CookieJar; loginPage: string; landing: string }> {
  const web = needWeb(ctx, rec);
  const jar = new CookieJar();
  const path = '/accounts/login/';
  const page = await ctx.client.get(path, { jar });
  rec.see(`GET ${path} → ${page.status} (${page.ms} ms)`);
  if (page.status !== 200) rec.fail(`login page answered ${page.status}: ${short(page.text, 80)}`);
  const csrf = jar.get('csrftoken') ?? /name="csrfmiddlewaretoken"\s+value="([^"]+)"/.exec(page.text)?.[1];
  if (!csrf) rec.fail('login page set no csrftoken cookie (Django/CSRF middleware not answering as expected)');
  const form = new URLSearchParams({
    'auth-username': web.username,
    'auth-password': web.password,
    'hq_login_view-current_step': 'auth',
    csrfmiddlewaretoken: csrf,
  });
  const res = await ctx.client.post(path, form.toString(), {
    jar,
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-csrftoken': csrf, referer: ctx.client.url(path) },
  });
  rec.see(`POST ${path} (CSRF token sent) → ${res.status}${res.headers.location ? ` → ${res.headers.location}` : ''} (${res.ms} ms)`);
  if (res.status === 403) rec.fail('login rejected with 403 (CSRF check failed)');
  // HQ's two-factor login wizard answers a right password with its token step (200, no session).
  if (res.status === 200 && /current_step"\s+value="token"|otp_token/.test(res.text)) {
    rec.fail("the web user has two-factor authentication: the login asks for a token, which ccready cannot give — use a web user without 2FA for the checklist's web pages (its API calls can use an API key)");
  }
  if (res.status === 200 && /auth-password|Sign In/.test(res.text)) rec.fail('login failed: the form came back (wrong web username or password?)');
  if (res.status >= 500) rec.fail(`login answered ${res.status}: ${short(res.text, 100)}`, ['django']);
  if (res.status !== 302) rec.fail(`login answered ${res.status}, expected a 302 redirect`);
  if (!jar.get('sessionid')) rec.fail('login redirected but set no session cookie');
  return { jar, loginPage: page.text, landing: res.headers.location ?? '/' };
}


/**
 * The session for a later step's web pages. Step 03 checks the login and names what breaks it; a
 * later step that cannot log in is blocked when step 03 failed too, else fails naming no service
 * of its own (so one broken login is not counted as evidence against its services again and again).
 */
export async function sessionFor(ctx: VerifyContext, rec: Recorder, what: string): Promise<CookieJar> {
  try {
    return (await webLogin(ctx, rec)).jar;
  } catch (e) {
    if (e instanceof StepEnd && e.status === 'fail') {
      if (!ctx.state.passed.has('03-web-login')) rec.skip(`${what} not checked: ${e.why}`, '03-web-login');
      rec.fail(`${what} not checked: ${e.why}`, []);
    }
    throw e;
  }
}
