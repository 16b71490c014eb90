// The command line: parses arguments and calls the typed APIs of sizing/, loadtests/, verify/ and
// fixtures/. No domain logic lives here.
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { CcreadyError, EXIT, UsageError } from '../common/errors.ts';
import { sizeCommand } from './commands/size.ts';
import { simCommand } from './commands/sim.ts';
import { loadCommand } from './commands/load.ts';
import { verifyCommand } from './commands/verify.ts';
import { gateCommand } from './commands/gate.ts';
import { doctorCommand } from './commands/doctor.ts';
import { readinessCommand } from './commands/readiness.ts';

// `ccready size | head` closes the pipe early: that is the reader's choice, not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

async function main(argv: string[]): Promise<void> {
  const cli = yargs(argv)
    .scriptName('ccready')
    .usage('ccready — size, load-test and verify a self-hosted CommCare HQ\n\nUsage: ccready <command> [options]')
    .command(sizeCommand)
    .command(simCommand)
    .command(loadCommand)
    .command(verifyCommand)
    .command(gateCommand)
    .command(doctorCommand)
    .command(readinessCommand)
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
      throw new UsageError(msg.replace(/\s*\n\s*/g, ': ').replace(/:\s*:/g, ':'));
    });
  await cli.parseAsync();
}

// The one place an error becomes the process exit: an expected failure exits with its kind's code,
// anything else is a bug in ccready (exit 3).
main(hideBin(process.argv)).catch((err: unknown) => {
  if (err instanceof CcreadyError) {
    process.stderr.write(`ccready: ${err.message}\n`);
    process.exit(err.exitCode);
  }
  const e = err as Error;
  process.stderr.write(`ccready: internal error: ${e?.message ?? e}\n`);
  if (process.env.CCREADY_DEBUG) process.stderr.write(`${e?.stack}\n`);
  process.exit(EXIT.internal);
});
