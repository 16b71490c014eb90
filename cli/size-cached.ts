// The entry of dist/ccready-size-<hash>.cjs: the plain `ccready size …` path as one CommonJS file, which
// Node 20 runs through vm.Script with V8's code cache (cli/code-cache.ts says why and how). It
// reads and runs the command exactly as cli/main.ts does, with the same exit handling.
import { exitOnError } from './exit.ts';
import { fastSizeArgs, runFastSize } from './size-fast.ts';

// the loader ends the process with this bundle's copy: it is the one that knows what was written
export { exitWhenFlushed } from './exit.ts';

/** Runs a plain `ccready size …` to its end; false (nothing done, nothing printed) when the ESM entry must take it. */
export async function run(argv: string[]): Promise<boolean> {
  // any error, even while the size code loads, ends the process as cli/main.ts ends it
  try {
    const args = await fastSizeArgs(argv);
    // --out loads the report libraries with import(), which a vm.Script cannot do (and some of them
    // are ES modules only): the ESM entry writes reports
    if (!args || args.out !== undefined) return false;
    await runFastSize(args);
    return true;
  } catch (err) {
    return exitOnError(err);
  }
}
