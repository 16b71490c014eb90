// What a run that died (kill -9, a lost machine) left on the server: the mobile workers it created
// through the User API. Each run that creates workers keeps a ledger (no secrets: the target, the
// project, its pid and the worker ids, 0600 in a private state folder) until it has removed them.
// The next run against the same target, or `ccready cleanup --run-id ID`, finds the ledgers of
// runs whose process is gone and removes their workers. Deleting a worker through HQ's User API
// retires it, and HQ then soft-deletes its forms and cases (corehq/apps/users/tasks.py:
// tag_forms_as_deleted_rebuild_associated_cases, tag_cases_as_deleted_and_remove_indices), so the
// cases the run created go with them.
import { chmodSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Target } from '../common/target.ts';
import { deleteUsers } from './users.ts';

export interface Ledger {
  runId: string;
  target: string;
  domain: string;
  pid: number;
  startedAt: string;
  /** ids of the mobile workers created so far */
  workers: string[];
}

/** `$CCREADY_STATE_DIR`, else `$XDG_STATE_HOME/ccready/runs`, else `~/.local/state/ccready/runs`. */
export function stateDir(env: Record<string, string | undefined> = process.env): string {
  if (env.CCREADY_STATE_DIR) return env.CCREADY_STATE_DIR;
  return join(env.XDG_STATE_HOME || join(homedir(), '.local', 'state'), 'ccready', 'runs');
}

const file = (runId: string, dir: string) => join(dir, `${runId}.json`);

/** Writes (or rewrites) a run's ledger atomically, readable by its owner only. */
export function writeLedger(l: Ledger, dir = stateDir()): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const tmp = `${file(l.runId, dir)}.tmp`;
  writeFileSync(tmp, JSON.stringify(l), { mode: 0o600 });
  renameSync(tmp, file(l.runId, dir));
}

export function removeLedger(runId: string, dir = stateDir()): void {
  rmSync(file(runId, dir), { force: true });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function readLedgers(dir = stateDir()): Ledger[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.json'));
  } catch {
    return [];
  }
  const out: Ledger[] = [];
  for (const n of names) {
    try {
      const l = JSON.parse(readFileSync(join(dir, n), 'utf8')) as Ledger;
      if (l && typeof l.runId === 'string' && Array.isArray(l.workers)) out.push(l);
    } catch {
      /* a ledger cut short by the crash it records: nothing to act on */
    }
  }
  return out;
}

/** Ledgers of dead runs against this target and project (a live run is left alone). */
export function deadRuns(target: Pick<Target, 'url' | 'domain'>, dir = stateDir()): Ledger[] {
  return readLedgers(dir).filter((l) => l.target === target.url && l.domain === target.domain && !alive(l.pid));
}

export interface Cleaned {
  runId: string;
  removed: number;
  /** worker ids the User API would not remove (the ledger is kept for another try) */
  failed: string[];
}

/** Removes the workers of the given dead runs; a ledger goes once all its workers are gone. */
export async function cleanRuns(target: Target, runs: Ledger[], dir = stateDir()): Promise<Cleaned[]> {
  const out: Cleaned[] = [];
  for (const l of runs) {
    const failed = l.workers.length ? await deleteUsers(target, l.workers) : [];
    if (failed.length) writeLedger({ ...l, workers: failed }, dir);
    else removeLedger(l.runId, dir);
    out.push({ runId: l.runId, removed: l.workers.length - failed.length, failed });
  }
  return out;
}

/** One line per cleaned run, for the console and the report. */
export function describeCleaned(c: Cleaned): string {
  return `run ${c.runId} ended without cleaning up: removed ${c.removed} mobile worker(s) it created (HQ retires their forms and cases)` +
    (c.failed.length ? `; could not remove ${c.failed.length} (${c.failed.join(', ')}): retry with \`ccready cleanup --run-id ${c.runId}\`` : '');
}
