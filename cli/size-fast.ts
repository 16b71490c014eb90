// A plain `ccready size …` without yargs: loading and setting up yargs costs more than sizing a
// config. Used by cli/main.ts and, on Node 20, by the code-cached bundle (cli/size-cached.ts), so
// both read the command line and run the command the same way.
import { readFastArgs } from './fast-args.ts';
import { setSizeV8Flags } from './v8-flags.ts';

/** The size handler's arguments for a plain `ccready size …`; null when yargs must read the command line. */
export async function fastSizeArgs(argv: string[]): Promise<Record<string, unknown> | null> {
  // `size init` is a subcommand with its own flags: yargs reads it
  if (argv[0] !== 'size' || argv[1] === 'init') return null;
  // before the size code loads (cli/v8-flags.ts says why)
  setSizeV8Flags();
  const size = await import('./commands/size.ts');
  return readFastArgs(argv.slice(1), size.SIZE_FLAGS, size.SIZE_POSITIONALS);
}

/** Runs `ccready size` with arguments from fastSizeArgs. */
export async function runFastSize(args: Record<string, unknown>): Promise<void> {
  const size = await import('./commands/size.ts');
  await size.sizeCommand.handler!({ ...args, _: ['size'] } as never);
}
