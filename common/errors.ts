// The failure kinds and the exit codes, named once. Every command maps its outcome to one of these;
// cli/exit.ts is the single place that turns an error into the process exit.

/**
 * Exit codes, the same for every command (docs/verify.md, docs/loadtests.md and docs/verdict.md list
 * them; a docs test keeps them in step):
 * - ok: READY / PASS / the verdict was computed;
 * - failed: a check failed (NOT READY, FAIL, limits crossed), or the server or a tool made the run
 *   impossible (k6 died, the server vanished) — a RunError;
 * - usage: bad flag, file or config (one line naming it; no report written) — a UsageError;
 * - internal: a bug in ccready (a message, and the stack with CCREADY_DEBUG=1);
 * - partial: only some required steps ran (`--only`, `--skip`): nothing is claimed either way;
 * - interrupted: a second Ctrl-C quit at once (128 + SIGINT, as shells report it).
 */
export const EXIT = { ok: 0, failed: 1, usage: 2, internal: 3, partial: 4, interrupted: 130 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Ctrl-C, `kill` and a dropped ssh session: each stops a run gracefully, its report still written. */
export const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** An error ccready expects and explains in one line; `exitCode` says which kind it is. */
export class CcreadyError extends Error {
  readonly exitCode: ExitCode;
  constructor(message: string, exitCode: ExitCode) {
    super(message);
    this.name = 'CcreadyError';
    this.exitCode = exitCode;
  }
}

/** Everything the user can fix: a bad flag, file, config or credentials shape. Exit 2. */
export class UsageError extends CcreadyError {
  constructor(message: string) {
    super(message, EXIT.usage);
    this.name = 'UsageError';
  }
}

/**
 * The run could not complete for a reason outside the user's input: k6 could not start or ended
 * without a summary, the server vanished or answered garbage, a required tool is missing. Exit 1:
 * a failed check, not a usage mistake (scripts retrying on 2 would otherwise fix the wrong thing).
 */
export class RunError extends CcreadyError {
  constructor(message: string) {
    super(message, EXIT.failed);
    this.name = 'RunError';
  }
}

/** `file: key.path: expected …, got …` — the shape every input error takes. */
export function inputError(file: string | undefined, keyPath: string | undefined, message: string): UsageError {
  const where = [file, keyPath].filter(Boolean).join(': ');
  return new UsageError(where ? `${where}: ${message}` : message);
}
