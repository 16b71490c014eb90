// One setup step for tests and benchmarks on a fresh machine: bundle the CLI, make sure k6 is
// there (scripts/install-k6.mjs) and the pinned Node 24 the suite also runs on
// (scripts/install-node.mjs), and, when running as root with apt, install the Debian packages
// the tests drive for real: chromium (HTML reports checked in a headless browser), wrk (the
// benchmark's HTTP peer), prometheus and prometheus-node-exporter (`verify monitoring`).
// Nothing here needs to be installed by hand.
import { spawnSync } from 'node:child_process';

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', ...opts });
  return r.status === 0;
}
const has = (bin) => spawnSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' }).status === 0;

if (!run(process.execPath, ['scripts/build.mjs'])) process.exit(1);
if (!run(process.execPath, ['scripts/install-k6.mjs'])) process.exit(1);
if (!run(process.execPath, ['scripts/install-node.mjs'])) process.exit(1);

const wanted = [['chromium', 'chromium'], ['wrk', 'wrk'], ['prometheus', 'prometheus'], ['prometheus-node-exporter', 'prometheus-node-exporter']].filter(([bin]) => !has(bin));
if (wanted.length) {
  const isRoot = process.getuid?.() === 0;
  if (isRoot && has('apt-get')) {
    const pkgs = wanted.map(([, pkg]) => pkg);
    console.error(`setup: installing ${pkgs.join(', ')} with apt-get (one time)`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    if (!(run('apt-get', ['update', '-qq'], { env }) && run('apt-get', ['install', '-y', '-qq', ...pkgs], { env, stdio: ['ignore', 'ignore', 'inherit'] }))) {
      console.error(`setup: could not install ${pkgs.join(', ')}; tests that need them will fail and say so`);
    }
  } else {
    console.error(`setup: ${wanted.map(([b]) => b).join(', ')} not found; install them (Debian: apt-get install ${wanted.map(([, p]) => p).join(' ')})`);
  }
}
