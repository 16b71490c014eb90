import type { CommandModule } from 'yargs';
import { UsageError } from '../../common/errors.ts';

export const verifyCommand: CommandModule = {
  command: 'verify',
  describe: '(verify: being built)',
  handler: () => {
    throw new UsageError('verify is not implemented yet');
  },
};
