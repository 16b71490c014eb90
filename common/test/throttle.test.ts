// HQ's 429s: the Case API sends Retry-After, tastypie's resources do not; a poller must wait either
// way, within a bound, and tell a 2FA account from a wrong password.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { apiAuthorization, asksForOtp, retryDelayMs } from '../throttle.ts';

test('Retry-After in seconds or as an HTTP date is honoured; without it the wait doubles up to 30 s', () => {
  assert.is(retryDelayMs('3', 1), 3000);
  assert.is(retryDelayMs('0', 1), 250, 'never a busy loop');
  assert.is(retryDelayMs('86400', 1), 60_000, 'one wait is bounded');
  const now = Date.parse('2026-11-30T10:00:00Z');
  assert.is(retryDelayMs('Mon, 30 Nov 2026 10:00:05 GMT', 1, now), 5000);
  assert.equal([1, 2, 3, 4, 5, 6, 7].map((a) => retryDelayMs(undefined, a)), [1000, 2000, 4000, 8000, 16000, 30000, 30000]);
  assert.is(retryDelayMs('soon', 2), 2000, 'a value that is neither seconds nor a date falls back to the back-off');
});

test("HQ's OTP answer is recognised; other 401s are not", () => {
  assert.ok(asksForOtp(401, JSON.stringify({ error: "must send X-COMMCAREHQ-OTP header or 'otp' URL parameter" })));
  assert.not.ok(asksForOtp(401, ''));
  assert.not.ok(asksForOtp(403, 'X-COMMCAREHQ-OTP'));
});

test('an API key is sent as ApiKey user:key, else Basic', () => {
  const web = { username: 'admin@example.org', password: 'pw' };
  assert.is(apiAuthorization(web, 'k3y'), 'ApiKey admin@example.org:k3y');
  assert.is(apiAuthorization(web), `Basic ${Buffer.from('admin@example.org:pw').toString('base64')}`);
});

test.run();
