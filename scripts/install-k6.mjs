// Makes sure a k6 binary is available for the load tests. Order: $K6_BIN, then .tools/bin/k6 at
// the pinned version (built here before), then a k6 >= 1.0 on PATH (what `ccready load` accepts,
// loadtests/k6bin.ts), else build the pinned version from source with `go install` into
// .tools/bin (the Go module proxy is the only place k6 can come from on our machines). Prints
// which k6 will be used and where it came from.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const K6_VERSION = 'v1.8.1';
// Next to the package, wherever setup is run from (k6bin.ts looks there too).
const toolsBin = resolve(dirname(fileURLToPath(import.meta.url)), '..', '.tools', 'bin');
const local = resolve(toolsBin, 'k6');

function version(bin) {
  const r = spawnSync(bin, ['version'], { encoding: 'utf8' });
  if (r.status !== 0) return null;
  const m = /v(\d+\.\d+\.\d+)/.exec(r.stdout);
  return m ? m[1] : null;
}

if (process.env.K6_BIN) {
  if (!version(process.env.K6_BIN)) {
    console.error(`install-k6: K6_BIN=${process.env.K6_BIN} does not run as k6 (expected \`k6 version\` to work)`);
    process.exit(2);
  }
  console.error(`install-k6: using k6 ${version(process.env.K6_BIN)} from K6_BIN (${process.env.K6_BIN})`);
  process.exit(0);
}
if (existsSync(local) && version(local) === K6_VERSION.slice(1)) {
  console.error(`install-k6: using k6 ${K6_VERSION.slice(1)} from .tools/bin (built before)`);
  process.exit(0);
}

const which = spawnSync('sh', ['-c', 'command -v k6'], { encoding: 'utf8' });
const onPath = which.status === 0 ? which.stdout.trim() : '';
if (onPath) {
  const v = version(onPath);
  const [major] = (v ?? '0.0').split('.').map(Number);
  if (major >= 1) {
    console.error(`install-k6: using k6 ${v} from PATH (${onPath})`);
    process.exit(0);
  }
  console.error(`install-k6: k6 ${v ?? '(unknown version)'} on PATH (${onPath}) is older than 1.0; building ${K6_VERSION}`);
}

const go = spawnSync('sh', ['-c', 'command -v go || ls /usr/local/go/bin/go'], { encoding: 'utf8' }).stdout.trim().split('\n')[0];
if (!go) {
  console.error('install-k6: no k6 on PATH and no Go toolchain to build it; install k6 or set K6_BIN');
  process.exit(2);
}
mkdirSync(toolsBin, { recursive: true });
console.error(`install-k6: building k6 ${K6_VERSION} with go install into .tools/bin (one time, a few minutes)`);
try {
  execFileSync(go, ['install', `go.k6.io/k6@${K6_VERSION}`], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, GOBIN: toolsBin, GOFLAGS: '-mod=mod' },
  });
} catch (e) {
  // go has printed why above; one line here, not a Node stack trace.
  console.error(`install-k6: go install go.k6.io/k6@${K6_VERSION} failed (${e.status !== undefined ? `exit ${e.status}` : e.message}); install k6 >= 1.0 on PATH or set K6_BIN`);
  process.exit(1);
}
console.error(`install-k6: k6 ${version(local)} ready at .tools/bin/k6`);
