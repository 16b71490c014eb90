// How the process ends, in one place for both ways a command runs: the ESM entry (cli/main.ts) and,
// on Node 20, the code-cached size bundle (cli/size-cached.ts).
import { CcreadyError, EXIT } from '../common/errors.ts';

/** `ccready size | head` closes the pipe early: that is the reader's choice, not an error. */
export function exitQuietlyOnClosedPipe(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw err;
    });
  }
}

/**
 * The one place an error becomes the process exit: an expected failure exits with its kind's code,
 * anything else is a bug in ccready (exit 3).
 */
export function exitOnError(err: unknown): never {
  if (err instanceof CcreadyError) {
    process.stderr.write(`ccready: ${err.message}\n`);
    process.exit(err.exitCode);
  }
  const e = err as Error;
  process.stderr.write(`ccready: internal error: ${e?.message ?? e}\n`);
  if (process.env.CCREADY_DEBUG) process.stderr.write(`${e?.stack}\n`);
  process.exit(EXIT.internal);
}
