// The shared flags (cli/flags.ts): numeric checks as yargs coerce, last value wins, and the same
// target/credential/TLS flags on every command that talks to a server.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { num, oneOf, single } from '../flags.ts';
import { attachSecretValues } from '../secret-args.ts';
import { UsageError } from '../../common/errors.ts';

const root = new URL('../../', import.meta.url).pathname;
const cli = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'cli/main.ts', ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, CCHQ_URL: '', CCHQ_DOMAIN: '' } });

test('num: the text as typed, bounds, whole numbers, last value wins', () => {
  assert.is(num('wait', { above: 0 })('2.5'), 2.5);
  assert.is(num('wait', { above: 0 })(['1', '7']), 7);
  assert.is(num('wait')(undefined), undefined);
  assert.is(num('cases', { integer: true, min: 1, max: 100 })(3), 3);
  const msg = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      assert.instance(e, UsageError);
      return (e as Error).message;
    }
    throw new Error('no error');
  };
  assert.is(msg(() => num('wait', { above: 0, unit: 'seconds' })('abc')), '--wait: expected a number of seconds above 0, got "abc"');
  assert.is(msg(() => num('wait', { above: 0 })('')), '--wait: expected a number above 0, got ""');
  assert.is(msg(() => num('cases', { integer: true, min: 1, max: 100 })('2.5')), '--cases: expected a whole number from 1 to 100, got 2.5');
  assert.is(msg(() => num('x', { min: 0 })('-1')), '--x: expected a number of at least 0, got -1');
  assert.is(msg(() => oneOf('profile', ['smoke', 'peak'])('huge')), '--profile: expected one of smoke, peak, got "huge"');
  assert.is(single(['a', 'b']), 'b');
});

test('a check in a coerce is a one-line usage error (exit 2), not an internal error', () => {
  const r = cli(['gate', '--target', 'http://127.0.0.1:9', '--domain', 'd', '--wait', 'abc']);
  assert.is(r.status, 2, r.stderr);
  assert.is(r.stderr, 'ccready: --wait: expected a number of seconds above 0, got "abc"\n');
});

test('load run and load k8s take the same credential and TLS flags as verify and gate', () => {
  // Parsing accepts the flags; the run then stops at the first check after parsing (the CA file).
  const base = ['--target', 'http://127.0.0.1:9', '--domain', 'd', '--username', 'w', '--password', 'pw', '--web-username', 'a@x.org', '--web-password', 'wp'];
  for (const cmd of [['load', 'run'], ['load', 'k8s'], ['verify'], ['gate']]) {
    const r = cli([...cmd, ...base, '--ca', '/nonexistent/ca.pem']);
    assert.is(r.status, 2, `${cmd.join(' ')}: ${r.stderr}`);
    assert.is(r.stderr, 'ccready: --ca: cannot read /nonexistent/ca.pem (ENOENT)\n', cmd.join(' '));
  }
});

test('a password that begins with "-" is the flag\'s value, not short flags whose letters an error would print', () => {
  assert.equal(attachSecretValues(['verify', '--password', '-Ab3', '--web-password', '-x', '--api-key', '-k', '--domain', 'd']),
    ['verify', '--password=-Ab3', '--web-password=-x', '--api-key=-k', '--domain', 'd']);
  // another flag after it stays a flag; after "--" nothing is touched
  assert.equal(attachSecretValues(['--password', '--domain', 'd', '--', '--password', '-y']), ['--password', '--domain', 'd', '--', '--password', '-y']);
  assert.equal(attachSecretValues(['--username', '-u', 'toString', '-t']), ['--username', '-u', 'toString', '-t']);
  // Through the CLI: parsing accepts it, and the run stops at the first check after parsing (the CA file).
  for (const cmd of [['load', 'run'], ['verify'], ['gate']]) {
    const r = cli([...cmd, '--target', 'http://127.0.0.1:9', '--domain', 'd', '--username', 'w', '--password', '-Ab3secret', '--web-username', 'a@x.org', '--web-password', '-Zq9secret', '--ca', '/nonexistent/ca.pem']);
    assert.is(r.status, 2, `${cmd.join(' ')}: ${r.stderr}`);
    assert.is(r.stderr, 'ccready: --ca: cannot read /nonexistent/ca.pem (ENOENT)\n', cmd.join(' '));
  }
  // A value that begins with "--" (or a forgotten one) is named by its flag; the words yargs did not know are not echoed.
  const r = cli(['verify', '--target', 'http://127.0.0.1:9', '--domain', 'd', '--username', 'w', '--password', '--Ab3secret']);
  assert.is(r.status, 2, r.stderr);
  assert.is(r.stderr, 'ccready: --password: expected a value (one that begins with "--" must be written --password=VALUE, or set CCHQ_PASSWORD)\n');
  assert.not.match(r.stdout + r.stderr, /Ab3|secret/);
});

test.run();
