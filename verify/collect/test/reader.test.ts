// The shared API reader on loopback: the API key is preferred over Basic, 429 answers are waited
// out as Retry-After asks (common/throttle.ts), a wait beyond the budget and a 2FA answer are one
// clear line each, and the tallies add what the listings say.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { addCases, addForms, ProjectReader, type MonthTally } from '../index.ts';
import { resolveTarget, type Target } from '../../../common/target.ts';

let server: Server;
let url = '';
const seen: { path: string; authorization?: string; at: number }[] = [];
/** What the next requests answer: status and headers, consumed in order; then 200 JSON. */
let script: { status: number; headers?: Record<string, string>; body?: string }[] = [];

test.before(async () => {
  server = createServer((req: IncomingMessage, res) => {
    seen.push({ path: req.url!, authorization: req.headers.authorization, at: Date.now() });
    const next = script.shift();
    if (next) return res.writeHead(next.status, next.headers).end(next.body ?? '');
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ meta: { total_count: 7 }, objects: [] }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
test.after(() => new Promise<void>((r) => server.close(() => r())));
test.before.each(() => {
  seen.length = 0;
  script = [];
});

const target = (apiKey?: string): Target => ({ url, domain: 'demo', web: { username: 'admin@example.org', password: 'pw-secret' }, ...(apiKey ? { apiKey } : {}) });

test('the API key is sent as ApiKey user:key; without one, Basic', async () => {
  const a = new ProjectReader('--from', target('k3y'));
  assert.is(await a.mobileWorkers(), 7);
  await a.close();
  assert.is(seen[0].authorization, 'ApiKey admin@example.org:k3y');
  assert.is(seen[0].path, '/a/demo/api/user/v1/?limit=1');
  const b = new ProjectReader('--from', target());
  await b.mobileWorkers();
  await b.close();
  assert.is(seen[1].authorization, `Basic ${Buffer.from('admin@example.org:pw-secret').toString('base64')}`);
});

test('429 with Retry-After: 1 is waited out (about a second), then the page is read', async () => {
  script = [{ status: 429, headers: { 'retry-after': '1' } }, { status: 503, headers: { 'retry-after': '1' } }];
  const r = new ProjectReader('source', target('k'));
  assert.is(await r.mobileWorkers(), 7);
  await r.close();
  assert.is(seen.length, 3);
  assert.is(r.waits, 2);
  assert.is(r.requests, 3);
  // retryDelayMs honours the header: each retry came no sooner than the second it asked for
  assert.ok(seen[1].at - seen[0].at >= 950 && seen[2].at - seen[1].at >= 950, JSON.stringify(seen.map((s) => s.at)));
});

test('a Retry-After beyond the wait budget stops with one line; a 2FA answer names the API key', async () => {
  script = [{ status: 429, headers: { 'retry-after': '30' } }];
  const r = new ProjectReader('source', target(), { maxWaitS: 5 });
  const e = await r.mobileWorkers().catch((x: Error) => x);
  assert.match(String((e as Error).message), /^source: GET \/a\/demo\/api\/user\/v1\/\?limit=1 kept answering 429 for 0 s/);
  script = [{ status: 401, body: "Your account requires two-factor authentication: send the 'otp' URL parameter" }];
  const f = await r.mobileWorkers().catch((x: Error) => x);
  assert.match(String((f as Error).message), /401 asking for a one-time password — this account needs 2FA: use an API key/);
  await r.close();
  for (const m of [(e as Error).message, (f as Error).message]) assert.not.ok(m.includes('pw-secret'));
});

test('no web user: one line naming what to set', () => {
  assert.throws(() => new ProjectReader('--from', { url, domain: 'demo' }), /^--from: no web user \(set CCHQ_WEB_USERNAME with CCHQ_API_KEY, or with CCHQ_WEB_PASSWORD; the key is preferred\)$/);
  // a key without its username is not enough either
  assert.throws(() => new ProjectReader('--from', { url, domain: 'demo', apiKey: 'k' }), /no web user/);
});

test('an API key with the web username and no password: ApiKey on every call', async () => {
  const t = resolveTarget({ target: url, domain: 'demo', webUsername: 'admin@example.org', apiKey: 'k3y' }, {});
  assert.is(t.web, undefined, 'no password: verify still has no web user to log in with');
  const r = new ProjectReader('--from', t);
  assert.is(await r.mobileWorkers(), 7);
  await r.close();
  assert.is(seen[0].authorization, 'ApiKey admin@example.org:k3y');
});

test('tallies: distinct submitters, attachments apart from the form XML, cases opened/closed by month', () => {
  const t: MonthTally = { month: '2025-03', forms: 0, activeUsers: 0, attachments: 0, attachmentBytes: 0, formXmlBytes: 0, formsWithAttachmentInfo: 0 };
  const users = new Set<string>();
  addForms(t, users, [
    { id: 'a', metadata: { userID: 'u1' }, attachments: { 'form.xml': { length: 900 }, 'photo.jpg': { length: 50_000 } } },
    { id: 'b', metadata: { userID: 'u2' }, attachments: { 'form.xml': { length: 700 } } },
    { id: 'c', metadata: { userID: 'u1' } },
  ]);
  assert.equal(t, { month: '2025-03', forms: 3, activeUsers: 2, attachments: 1, attachmentBytes: 50_000, formXmlBytes: 1600, formsWithAttachmentInfo: 2 });
  const c = { opened: {}, closed: {}, total: 0, open: 0 };
  addCases(c, [
    { date_opened: '2025-03-04T10:00:00.000000Z', closed: false },
    { date_opened: '2025-03-09T10:00:00.000000Z', closed: true, date_closed: '2025-05-01T00:00:00Z' },
    { date_opened: null, closed: false },
  ]);
  assert.equal(c, { opened: { '2025-03': 2, unknown: 1 }, closed: { '2025-05': 1 }, total: 3, open: 2 });
});

test.run();
