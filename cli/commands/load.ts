import type { CommandModule } from 'yargs';
import { UsageError } from '../../common/errors.ts';

export const loadCommand: CommandModule = {
  command: 'load',
  describe: '(load: being built)',
  handler: () => {
    throw new UsageError('load is not implemented yet');
  },
};
