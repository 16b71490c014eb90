import type { CommandModule } from 'yargs';
import { UsageError } from '../../common/errors.ts';

export const gateCommand: CommandModule = {
  command: 'gate',
  describe: '(gate: being built)',
  handler: () => {
    throw new UsageError('gate is not implemented yet');
  },
};
