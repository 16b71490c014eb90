// The whole project type-checks under the strict tsconfig: a type error is a failing test, not a
// warning someone may miss (tsx, which runs the tests, strips types without checking them).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';

test('tsc --noEmit over the project reports no errors', () => {
  const r = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json', '--noEmit'], { encoding: 'utf8' });
  assert.is(r.status, 0, `tsc found errors:\n${r.stdout}${r.stderr}`);
});

test.run();
