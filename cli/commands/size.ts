import type { CommandModule } from 'yargs';
import { UsageError } from '../../common/errors.ts';

export const sizeCommand: CommandModule = {
  command: 'size',
  describe: '(size: being built)',
  handler: () => {
    throw new UsageError('size is not implemented yet');
  },
};
