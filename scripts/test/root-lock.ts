// The README and CI-template rehearsals run as written, so both write sim.env (and sim.log) in the
// repository root; two test files doing that at once would read each other's stand-in. This lock
// makes them take turns (the runner runs two files at a time).
import { closeSync, mkdirSync, openSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const LOCK = join(fileURLToPath(new URL('../../', import.meta.url)), 'reports', 'runs', '.root-rehearsal.lock');
const STALE_MS = 10 * 60 * 1000;

export async function withRootRehearsal<T>(fn: () => Promise<T>): Promise<T> {
  mkdirSync(join(LOCK, '..'), { recursive: true });
  for (;;) {
    try {
      closeSync(openSync(LOCK, 'wx'));
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      // a holder killed mid-test leaves the lock behind: older than any rehearsal's bound, it is free
      try { if (Date.now() - statSync(LOCK).mtimeMs > STALE_MS) rmSync(LOCK, { force: true }); } catch {}
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(LOCK, { force: true });
  }
}
