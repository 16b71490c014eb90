import type { CommandModule } from 'yargs';
import { UsageError } from '../../common/errors.ts';

export const simCommand: CommandModule = {
  command: 'sim',
  describe: '(sim: being built)',
  handler: () => {
    throw new UsageError('sim is not implemented yet');
  },
};
