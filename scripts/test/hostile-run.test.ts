// The hostile run's CI slice (`scripts/hostile-run.ts --quick`): 60 fuzzed configs, 60 fuzzed payloads
// against the stand-in, verify hit mid-run by SIGHUP (a dropped ssh session: its report must still be
// written) and by kill -9 of the stand-in. The script must keep running as docs/reliability.md says,
// and its figures must stay 0. The full run is rerun by hand.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { REPO } from '../../common/test/run-cli.ts';

test('hostile run --quick: every figure 0, each scenario reported, exit 0', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/hostile-run.ts', '--quick'], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  // Bounded: the slice takes about 25 s on a quiet machine; a shared one gets four times that.
  const killer = setTimeout(() => child.kill('SIGKILL'), 120_000);
  const code = await new Promise<number | null>((r) => child.on('close', r));
  clearTimeout(killer);
  assert.is(code, 0, out);
  assert.match(out, /^ok {5} sizing configs \(seed 20261130\): 60 tried, 0 crashes, 0 hangs/m);
  assert.match(out, /^ok {5} HTTP payloads to the stand-in \(seed 20261130\): 60 tried, 0 crashes, 0 hangs/m);
  assert.match(out, /^ok {5} verify, SIGHUP after 3 steps; exit 1 /m, out);
  assert.match(out, /^ok {5} verify, kill -9 stand-in after 3 steps; exit 1 /m, out);
  assert.match(out, /inputs tried 120 \(configs and payloads\) \+ 2 signal\/kill scenarios; crashes 0, hangs 0, false READY\/PASS 0, forms lost undetected 0$/m);
});

test.run();
