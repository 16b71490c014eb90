// How the process ends, in one place for both ways a command runs: the ESM entry (cli/main.ts) and,
// on Node 20, the code-cached size bundle (cli/size-cached.ts).
import { CcreadyError, EXIT } from '../common/errors.ts';
import { quietOnClosedPipe, streamedDescriptors } from './std-write.ts';

/** `ccready size | head` closes the pipe early: that is the reader's choice, not an error. */
export function exitQuietlyOnClosedPipe(): void {
  quietOnClosedPipe(process.stdout);
  quietOnClosedPipe(process.stderr);
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

/**
 * A finished `ccready size` ends here, once its output is written, instead of letting Node tear its
 * heap down: the natural exit after sizing icds-14lakh-aug2019 (a 2.5 MB document and its tables)
 * cost ~11 ms of a ~178 ms run (medians of 25, Node 20). Its output went to the descriptors at once
 * (cli/std-write.ts), unless one of them needed Node's stream: that one is waited for. The exit code
 * set by the command (process.exitCode) stands.
 */
export function exitWhenFlushed(): void {
  const waiting = [...streamedDescriptors()];
  if (!waiting.length) process.exit();
  let pending = waiting.length;
  for (const fd of waiting) {
    (fd === 1 ? process.stdout : process.stderr).write('', () => {
      if (--pending === 0) process.exit();
    });
  }
}
