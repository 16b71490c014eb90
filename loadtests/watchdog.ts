// Nothing outlives ccready: k6 runs under a small watchdog process that the k6 child cannot
// outlive, however ccready dies (kill -9 included, where no handler of ours runs).
//
//   ccready ──pipe──▶ watchdog (node -e, own process group) ──▶ [setpriv --pdeathsig KILL] k6
//
// - ccready holds the write end of the watchdog's stdin; the kernel closes it when ccready dies,
//   so the watchdog sees end-of-file (and, as a second sign, its parent pid changes). It then
//   stops k6 (SIGTERM, SIGKILL 2 s later) and removes the run's private folder (secrets included).
// - Where util-linux's setpriv exists, k6 also gets PR_SET_PDEATHSIG = SIGKILL: if the watchdog
//   itself is killed, the kernel kills k6. (Node cannot call prctl itself.)
// - The watchdog leads its own process group, so a terminal Ctrl-C reaches only ccready, which
//   forwards one SIGINT (k6 then stops gracefully and writes its summary); SIGHUP and SIGTERM are
//   forwarded the same way. It removes the users file as soon as k6 has ended, whoever is left.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';

/** The watchdog program (CommonJS for `node -e`: no file to find next to a bundled CLI). */
export const WATCHDOG_SOURCE = `'use strict';
const { spawn } = require('child_process');
const { rmSync } = require('fs');
const [bin, ...args] = process.argv.slice(1);
const secrets = (process.env.CCREADY_WATCHDOG_SECRETS || '').split('\\n').filter(Boolean);
const orphanDir = process.env.CCREADY_WATCHDOG_DIR || '';
const setpriv = process.env.CCREADY_WATCHDOG_SETPRIV || '';
const env = { ...process.env };
for (const k of Object.keys(env)) if (k.startsWith('CCREADY_WATCHDOG_')) delete env[k];
const child = setpriv
  ? spawn(setpriv, ['--pdeathsig', 'KILL', '--', bin, ...args], { stdio: ['ignore', 'inherit', 'inherit'], env })
  : spawn(bin, args, { stdio: ['ignore', 'inherit', 'inherit'], env });
const parent = process.ppid;
let orphaned = false;
const clean = () => { for (const f of secrets) { try { rmSync(f, { force: true }); } catch {} } };
function parentGone() {
  if (orphaned) return;
  orphaned = true;
  try { child.kill('SIGTERM'); } catch {}
  setTimeout(() => { try { child.kill('SIGKILL'); } catch {} }, 2000).unref();
}
process.stdin.on('end', parentGone);
process.stdin.on('error', parentGone);
process.stdin.resume();
const poll = setInterval(() => { if (process.ppid !== parent) parentGone(); }, 250);
for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(s, () => { try { child.kill(s === 'SIGHUP' ? 'SIGINT' : s); } catch {} });
child.on('error', (e) => { clean(); process.stderr.write('ccready watchdog: cannot start ' + bin + ' (' + (e.code || e.message) + ')\\n'); process.exit(127); });
child.on('exit', (code, signal) => {
  clearInterval(poll);
  clean();
  if (orphaned && orphanDir) { try { rmSync(orphanDir, { recursive: true, force: true }); } catch {} }
  if (signal) { for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.removeAllListeners(s); process.kill(process.pid, signal); }
  else process.exit(code === null ? 1 : code);
});
`;

const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p));

export interface Watched {
  bin: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  /** files removed as soon as the program has ended (the users file) */
  secrets: string[];
  /** folder removed when ccready died before the program ended */
  privateDir: string;
}

/**
 * Starts `bin args` under the watchdog. Signals sent to the returned process reach the program;
 * its exit code (or signal) is the program's. ccready's own exit kills the whole group.
 */
export function spawnWatched(w: Watched): ChildProcess {
  const child = spawn(process.execPath, ['-e', WATCHDOG_SOURCE, '--', w.bin, ...w.args], {
    env: { ...w.env, CCREADY_WATCHDOG_SECRETS: w.secrets.join('\n'), CCREADY_WATCHDOG_DIR: w.privateDir, CCREADY_WATCHDOG_SETPRIV: SETPRIV ?? '' },
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  });
  // ccready exiting normally (or on an uncaught error) takes the watchdog and k6 with it at once.
  const killGroup = () => {
    try {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  };
  process.on('exit', killGroup);
  child.on('exit', () => process.off('exit', killGroup));
  return child;
}
