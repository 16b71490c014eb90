// The command line: parses arguments and calls the typed APIs of sizing/, loadtests/, verify/ and
// fixtures/. No domain logic lives here.
//
// Start-up: every command's code (and its libraries) is loaded only when that command runs — the
// build splits each `import()` below into its own chunk. A plain `ccready size` does not even load
// yargs (cli/size-fast.ts); everything else, and any doubt, goes through yargs.
import type { Argv, CommandModule } from 'yargs';
import { didYouMean } from '../common/did-you-mean.ts';
import { UsageError } from '../common/errors.ts';
import { exitOnError, exitQuietlyOnClosedPipe, exitWhenFlushed } from './exit.ts';
import { attachSecretValues, secretWithoutValue } from './secret-args.ts';
import { fastSizeArgs, runFastSize } from './size-fast.ts';

/** Each command's module, loaded on demand. */
const COMMANDS: Record<string, () => Promise<CommandModule<any, any>>> = {
  size: async () => (await import('./commands/size.ts')).sizeCommand,
  sim: async () => (await import('./commands/sim.ts')).simCommand,
  load: async () => (await import('./commands/load.ts')).loadCommand,
  verify: async () => (await import('./commands/verify.ts')).verifyCommand,
  gate: async () => (await import('./commands/gate.ts')).gateCommand,
  doctor: async () => (await import('./commands/doctor.ts')).doctorCommand,
  readiness: async () => (await import('./commands/readiness.ts')).readinessCommand,
  cleanup: async () => (await import('./commands/cleanup.ts')).cleanupCommand,
  drill: async () => (await import('./commands/drill.ts')).drillCommand,
};

/** "Unknown argument: formt" → "… (did you mean --format?)", from the flags of the command being parsed. */
function withDidYouMean(msg: string, y: Argv): string {
  const m = /^Unknown arguments?: (.+)$/.exec(msg?.trim() ?? '');
  if (!m) return msg;
  // yargs re-uses its instance for the command being parsed: its options are that command's
  const options = (y as unknown as { getOptions(): { key: Record<string, unknown> } }).getOptions();
  const known = Object.keys(options.key).filter((k) => k.length > 1 && !/[A-Z]/.test(k));
  // yargs names a dashed flag twice (fail-if-ovr, failIfOvr): once is enough
  const words = m[1]!.split(', ');
  const kebab = (w: string) => w.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
  const shown = words.filter((w) => !/[A-Z]/.test(w) || !words.includes(kebab(w)));
  const hints = [...new Set(shown.map((w) => didYouMean(w.replace(/^-+/, ''), known, '--')).filter(Boolean))];
  return `Unknown argument${shown.length > 1 ? 's' : ''}: ${shown.join(', ')}${hints.join('')}`;
}

async function main(argv: string[]): Promise<void> {
  // a plain `ccready size …` runs without yargs (cli/size-fast.ts)
  const fast = await fastSizeArgs(argv);
  if (fast) {
    await runFastSize(fast);
    return exitWhenFlushed();
  }
  // not before: the fast path writes to the descriptors itself (cli/std-write.ts), and creating the streams costs it ~3 ms
  exitQuietlyOnClosedPipe();
  const [{ default: yargs }] = await Promise.all([import('yargs')]);
  // only the named command is loaded; without one (help, a typo) all are, for the list and the did-you-mean
  const names = argv[0] !== undefined && argv[0] in COMMANDS ? [argv[0]] : Object.keys(COMMANDS);
  const commands = await Promise.all(names.map((n) => COMMANDS[n]!()));
  const cli = yargs(attachSecretValues(argv))
    .scriptName('ccready')
    .usage('ccready — size, load-test and verify a self-hosted CommCare HQ\n\nUsage: ccready <command> [options]')
    .command(commands)
    .demandCommand(1, 'name a command (see ccready --help)')
    .strict()
    .recommendCommands()
    .wrap(Math.min(110, process.stdout.columns || 100))
    .help()
    .alias('h', 'help')
    .version()
    .fail((msg, err) => {
      // A check thrown in a flag's `coerce` reaches here as yargs' YError: it is a usage error.
      if (err?.name === 'YError') throw new UsageError(err.message.replace(/\s*\n\s*/g, ' '));
      if (err) throw err;
      // a secret flag without its value: yargs' message would list the words it did not know
      const secret = secretWithoutValue(argv);
      if (secret) throw secret;
      // yargs spreads some messages (invalid choices) over lines; ours are always one line.
      throw new UsageError(withDidYouMean(msg, cli).replace(/\s*\n\s*/g, ': ').replace(/:\s*:/g, ':'));
    });
  await cli.parseAsync();
}

main(process.argv.slice(2)).catch(exitOnError);
