// The command line: parses arguments and calls the typed APIs of sizing/, loadtests/, verify/ and
// fixtures/. No domain logic lives here.
//
// Start-up: every command's code (and its libraries) is loaded only when that command runs — the
// build splits each `import()` below into its own chunk. A plain `ccready size` does not even load
// yargs (see `fastPath`); everything else, and any doubt, goes through yargs.
import type { Argv, CommandModule } from 'yargs';
import { setFlagsFromString } from 'node:v8';
import { didYouMean } from '../common/did-you-mean.ts';
import { CcreadyError, EXIT, UsageError } from '../common/errors.ts';
import { readFastArgs } from './fast-args.ts';

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

// `ccready size | head` closes the pipe early: that is the reader's choice, not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

/** A plain `ccready size …` without yargs (bin/ccready.mjs answers `--version` itself); false when yargs must read the command line. */
async function fastPath(argv: string[]): Promise<boolean> {
  // `size init` is a subcommand with its own flags: yargs reads it
  if (argv[0] !== 'size' || argv[1] === 'init') return false;
  // A `ccready size` is over in a few hundred milliseconds, and V8's default tier-up budget sent its
  // model loops to the optimizing compiler, whose work on a second thread cost more CPU than it saved
  // (measured: a third of the CPU of sizing icds-14lakh-aug2019). Six times the budget lets short runs
  // stay in the baseline tiers while a long one (the 64-set stress config) still gets optimized —
  // and ran faster too. The budget is read at every tier-up decision, so setting it now takes effect.
  // Node 20's V8 (11.x) only: later ones tier up by other rules and reject the flag with a line on stderr.
  if (process.versions.v8.startsWith('11.')) setFlagsFromString('--interrupt-budget=400000');
  // V8 starts the young generation at 1 MB and doubles it only after a scavenge: sizing the 8-set
  // icds config scavenged 14 times, each copying the tables still alive. Growing it 32-fold at once
  // leaves 5 scavenges and cut the run's instructions by ~60M of ~830M over `node -e 0` (callgrind).
  // Set now, it applies to the next growth; Node 20 and 24 both know the flag.
  // (--always-sparkplug was tried: ~11M fewer instructions on the 8-set icds config but ~8M more
  // on the one-set tdh-test, whose 1.6x start-up target has no margin; left off.)
  setFlagsFromString('--semi-space-growth-factor=32');
  const size = await import('./commands/size.ts');
  const args = readFastArgs(argv.slice(1), size.SIZE_FLAGS, size.SIZE_POSITIONALS);
  if (!args) return false;
  await size.sizeCommand.handler!({ ...args, _: ['size'] } as never);
  return true;
}

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
  if (await fastPath(argv)) return;
  const [{ default: yargs }] = await Promise.all([import('yargs')]);
  // only the named command is loaded; without one (help, a typo) all are, for the list and the did-you-mean
  const names = argv[0] !== undefined && argv[0] in COMMANDS ? [argv[0]] : Object.keys(COMMANDS);
  const commands = await Promise.all(names.map((n) => COMMANDS[n]!()));
  const cli = yargs(argv)
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
      // yargs spreads some messages (invalid choices) over lines; ours are always one line.
      throw new UsageError(withDidYouMean(msg, cli).replace(/\s*\n\s*/g, ': ').replace(/:\s*:/g, ':'));
    });
  await cli.parseAsync();
}

// The one place an error becomes the process exit: an expected failure exits with its kind's code,
// anything else is a bug in ccready (exit 3).
main(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof CcreadyError) {
    process.stderr.write(`ccready: ${err.message}\n`);
    process.exit(err.exitCode);
  }
  const e = err as Error;
  process.stderr.write(`ccready: internal error: ${e?.message ?? e}\n`);
  if (process.env.CCREADY_DEBUG) process.stderr.write(`${e?.stack}\n`);
  process.exit(EXIT.internal);
});
