// Which k6 runs: the one the user named, else the project's, else a k6 >= 1.0 on PATH; an old k6
// on PATH is named in the error rather than reported as no k6 at all.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../../common/errors.ts';
import { resolveK6, TESTED_K6_VERSION } from '../k6bin.ts';

const dir = mkdtempSync(join(tmpdir(), 'ccready-k6bin-'));
const noTools = join(dir, 'no-tools');

/** A folder holding a script named k6 that prints `k6 v<version>` as `k6 version` does. */
function fakeK6(folder: string, version: string): string {
  const p = join(dir, folder);
  mkdirSync(p, { recursive: true });
  writeFileSync(join(p, 'k6'), `#!/bin/sh\necho "k6 v${version} (fake, go1.22, linux/amd64)"\n`);
  chmodSync(join(p, 'k6'), 0o755);
  return p;
}

function usageError(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.instance(e, UsageError);
    return (e as Error).message;
  }
  return assert.unreachable('expected a UsageError') as never;
}

test('k6 >= 1.0 on PATH is taken when the project has none; --k6 and K6_BIN come first', () => {
  const onPath = fakeK6('path-new', '1.2.3');
  const k6 = resolveK6({ env: { PATH: onPath }, toolsDir: noTools });
  assert.equal(k6, { path: join(onPath, 'k6'), version: '1.2.3', source: 'PATH' });
  const named = fakeK6('named', '1.0.0');
  assert.is(resolveK6({ env: { PATH: onPath, K6_BIN: join(named, 'k6') }, toolsDir: noTools }).source, 'K6_BIN');
  assert.is(resolveK6({ k6: join(named, 'k6'), env: { PATH: onPath }, toolsDir: noTools }).source, '--k6');
  const tools = fakeK6('tools', TESTED_K6_VERSION);
  assert.is(resolveK6({ env: { PATH: onPath }, toolsDir: tools }).source, '.tools/bin');
});

test('an old k6 on PATH is named in the error; none at all says how to get one', () => {
  const old = fakeK6('path-old', '0.49.0');
  assert.match(usageError(() => resolveK6({ env: { PATH: old }, toolsDir: noTools })), /^no k6 found \(k6 0\.49\.0 on PATH at .*path-old\/k6 is older than 1\.0\): run `npm run setup`/);
  assert.match(usageError(() => resolveK6({ env: { PATH: join(dir, 'empty') }, toolsDir: noTools })), /^no k6 found: run `npm run setup`/);
  assert.match(usageError(() => resolveK6({ k6: '/bin/false', env: { PATH: old }, toolsDir: noTools })), /^--k6: "\/bin\/false" does not run as k6/);
});

test('setup builds the same k6 version the code calls tested', () => {
  const pinned = /K6_VERSION = 'v([\d.]+)'/.exec(readFileSync('scripts/install-k6.mjs', 'utf8'));
  assert.ok(pinned, 'scripts/install-k6.mjs pins a version');
  assert.is(pinned![1], TESTED_K6_VERSION);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
