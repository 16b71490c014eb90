import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, readdirSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newRunId, writeRunFiles } from '../runs.ts';
import { resolveTarget, redact, isLoopback } from '../target.ts';

test('run ids sort by time and are unique', () => {
  const a = newRunId(new Date('2026-01-01T00:00:00Z'));
  const b = newRunId(new Date('2026-01-01T00:00:01Z'));
  assert.ok(a < b);
  assert.match(a, /^20260101T000000Z-[0-9a-f]{6}$/);
  assert.is.not(newRunId(), newRunId());
});

test('writeRunFiles writes all files and leaves no staging folder', () => {
  const base = mkdtempSync(join(tmpdir(), 'ccready-'));
  const dir = join(base, 'out');
  writeRunFiles(dir, { 'a.txt': 'A', 'sub/b.json': '{}' });
  assert.is(readFileSync(join(dir, 'a.txt'), 'utf8'), 'A');
  assert.ok(existsSync(join(dir, 'sub/b.json')));
  assert.equal(readdirSync(base), ['out']);
});

test('resolveTarget: flags override env, missing pieces are named', () => {
  const env = { CCHQ_URL: 'http://127.0.0.1:8000/', CCHQ_DOMAIN: 'demo', CCHQ_USERNAME: 'w@demo.commcarehq.org', CCHQ_PASSWORD: 'pw123' };
  const t = resolveTarget({ domain: 'other' }, env);
  assert.is(t.url, 'http://127.0.0.1:8000');
  assert.is(t.domain, 'other');
  assert.equal(t.mobile, { username: 'w@demo.commcarehq.org', password: 'pw123' });
  assert.throws(() => resolveTarget({}, {}), /--target URL or set CCHQ_URL/);
  assert.throws(() => resolveTarget({ target: 'ftp://x' }, { CCHQ_DOMAIN: 'd' }), /http\(s\) URL/);
});

test('resolveTarget: an env file overrides the environment, flags override both', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ccready-env-'));
  const file = join(dir, 'sim.env');
  writeFileSync(file, '# from ccready sim\nCCHQ_URL=http://127.0.0.1:9000\nCCHQ_DOMAIN=fromfile\nCCHQ_PASSWORD=pw\nCCHQ_USERNAME=u\n');
  const t = resolveTarget({ envFile: file, domain: 'flag' }, { CCHQ_URL: 'http://127.0.0.1:1', CCHQ_DOMAIN: 'env' });
  assert.is(t.url, 'http://127.0.0.1:9000');
  assert.is(t.domain, 'flag');
  assert.equal(t.mobile, { username: 'u', password: 'pw' });
  assert.throws(() => resolveTarget({ envFile: join(dir, 'missing.env') }, {}), /missing\.env: cannot read env file/);
});

test('redact hides passwords, isLoopback knows loopback', () => {
  assert.is(redact('pw is s3cret!', { mobile: { username: 'u', password: 's3cret!' } }), 'pw is ***');
  assert.ok(isLoopback('http://127.0.0.5:80'));
  assert.ok(isLoopback('http://[::1]:8000'));
  assert.not.ok(isLoopback('http://10.0.0.1'));
});

test.run();
