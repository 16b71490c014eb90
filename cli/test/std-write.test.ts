// `ccready size` writes to file descriptors 1 and 2 itself (cli/std-write.ts): a closed pipe, and a
// descriptor another program left non-blocking, must still end as Node's own streams end them.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ICDS = 'fixtures/sizing-reference/icds-14lakh-aug2019/config.yml';
// both ways a plain size runs: Node 20's code-cached bundle, and the ESM entry
const WAYS = [{}, { NODE_DISABLE_COMPILE_CACHE: '1' }];

test('a reader that closes the pipe mid-document ends the run quietly, exit 0', () => {
  for (const env of WAYS) {
    const r = spawnSync('bash', ['-c', `node bin/ccready.cjs size ${ICDS} --format json | head -c 100 >/dev/null; echo "status=\${PIPESTATUS[0]}"`], { encoding: 'utf8', env: { ...process.env, ...env } });
    assert.match(r.stdout, /status=0/, r.stderr);
    assert.not.match(r.stderr, /EPIPE|internal error|\bat .*\.(c|m)?js/);
  }
});

test('a non-blocking stdout (EAGAIN) gets every byte, through Node\'s stream, and the exit code stands', () => {
  const expected = spawnSync(process.execPath, ['bin/ccready.cjs', 'size', ICDS, '--format', 'json'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.is(expected.status, 0, expected.stderr);
  const dir = mkdtempSync(join(tmpdir(), 'ccready-nonblock-'));
  try {
    // Node's stream for a pipe sets O_NONBLOCK on fd 1, as another program sharing the pipe may have:
    // loaded first, it leaves the run a descriptor that answers EAGAIN once the 64K pipe is full
    const preload = join(dir, 'nonblocking-stdout.cjs');
    writeFileSync(preload, 'process.stdout;\n');
    for (const env of WAYS) {
      // the reader sleeps first: the 2.5 MB document meets a full pipe at once
      const r = spawnSync('bash', ['-c', `node -r "$PRELOAD" bin/ccready.cjs size ${ICDS} --format json | (sleep 0.3; cat); echo "status=\${PIPESTATUS[0]}" >&2`], {
        encoding: 'utf8', maxBuffer: 64 << 20, env: { ...process.env, ...env, PRELOAD: preload },
      });
      assert.match(r.stderr, /status=0/, r.stderr.slice(-500));
      assert.ok(r.stdout === expected.stdout, `stdout differs (${r.stdout.length} characters, expected ${expected.stdout.length})`);
      assert.match(r.stderr, /Verdict \(14lakh-2000fpu\)/);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
