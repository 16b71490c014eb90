// Shared by the k6 test files: a small stand-in per test and a smoke run against it with the
// stand-in's own workers, each run in its own report folder.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSim, type RunningSim } from '../../fixtures/hq-sim/index.ts';
import { resolveTarget, type Target } from '../../common/target.ts';
import { runLoad, type RunLoadOptions } from '../index.ts';

export const out = mkdtempSync(join(tmpdir(), 'ccready-load-test-'));
let runs = 0;

/** A fresh report folder under `out`. */
export function nextOut(): string {
  return join(out, `run${++runs}`);
}

/** The stand-in as a target, read from the same CCHQ_* variables `ccready sim --env-file` writes. */
export function targetOf(sim: RunningSim): Target {
  return resolveTarget({}, sim.env());
}

export async function withSim<T>(opts: Parameters<typeof startSim>[0], fn: (sim: RunningSim) => Promise<T>): Promise<T> {
  const sim = await startSim({ users: 3, casesPerUser: 4, pillowDelayMs: 100, ...opts });
  try {
    return await fn(sim);
  } finally {
    await sim.stop();
  }
}

export function run(sim: RunningSim, o: Partial<RunLoadOptions>) {
  const users = sim.users.filter((u) => u.domain === sim.domain).map((u) => ({ username: u.username, password: u.password }));
  return runLoad({ target: targetOf(sim), profile: 'smoke', out: nextOut(), users, auditTimeoutS: 10, ...o });
}
