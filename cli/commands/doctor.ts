import type { CommandModule } from 'yargs';
import { UsageError } from '../../common/errors.ts';

export const doctorCommand: CommandModule = {
  command: 'doctor',
  describe: '(doctor: being built)',
  handler: () => {
    throw new UsageError('doctor is not implemented yet');
  },
};
