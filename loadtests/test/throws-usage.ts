// Shared by the pure load tests: a call must fail as a usage error (exit 2) with the given message.
import * as assert from 'uvu/assert';
import { UsageError } from '../../common/errors.ts';

export function throwsUsage(fn: () => unknown, re: RegExp): void {
  try {
    fn();
  } catch (e) {
    assert.instance(e, UsageError);
    assert.match((e as Error).message, re);
    return;
  }
  assert.unreachable('expected a UsageError');
}
