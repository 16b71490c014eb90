// The CI definitions in docs/ci are valid YAML and call the gate with flags ccready accepts.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';

const root = new URL('../../', import.meta.url).pathname;

function gateLines(file: string): string[] {
  const text = readFileSync(join(root, 'docs/ci', file), 'utf8');
  parse(text);
  return [...text.matchAll(/node bin\/ccready\.mjs (gate[^\n]*)/g)].map((m) => m[1]);
}

for (const file of ['github-actions.yml', 'gitlab-ci.yml']) {
  test(`${file}: parses, and its gate command line is accepted (only the unreachable target fails)`, () => {
    const lines = gateLines(file);
    // The release-candidate gate and the upgrade rehearsal (gate --upgrade-from).
    assert.is(lines.length, 2);
    assert.equal(lines.map((l) => l.includes('--upgrade-from')), [true, false]);
    for (const line of lines) {
      // "$VAR" stays a literal word: the swap command never runs, the closed target fails first.
      const args = line.split(/\s+/).filter(Boolean).map((a) => (a === '1800' ? '0.3' : a));
      // Point it at a closed loopback port: flags valid → the wait fails → exit 1 (not 2).
      const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'cli/main.ts'), ...args, '--target', 'https://127.0.0.1:9', '--domain', 'demo', '--out', join(tmpdir(), `ccready-ci-${process.pid}`), '--no-load'], {
        cwd: root,
        encoding: 'utf8',
        env: { ...process.env, CI: '1' },
        timeout: 30_000,
      });
      assert.is(r.status, 1, r.stderr);
      assert.match(r.stdout, /NOT READY/);
      assert.match(r.stdout, line.includes('--upgrade-from') ? /U1-previous-release/ : /00-wait-serverup/);
    }
  });
}

test.run();
