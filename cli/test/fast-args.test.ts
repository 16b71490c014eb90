// The fast path of `ccready size` reads the command line exactly as yargs does, or declines (null)
// and lets yargs read it: compared flag by flag on the same option tables.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import yargs from 'yargs';
import { readFastArgs } from '../fast-args.ts';
import { SIZE_FLAGS, SIZE_POSITIONALS, sizeCommand } from '../commands/size.ts';

function viaYargs(args: string[]): Record<string, unknown> {
  let got: Record<string, unknown> = {};
  yargs(['size', ...args])
    .command({ ...sizeCommand, handler: (a) => void (got = a as Record<string, unknown>) })
    .strict()
    .exitProcess(false)
    .fail((msg) => {
      throw new Error(msg);
    })
    .parseSync();
  return got;
}

const pick = (o: Record<string, unknown>) => Object.fromEntries([...Object.keys(SIZE_FLAGS), 'config'].filter((k) => o[k] !== undefined).map((k) => [k, o[k]]));

test('the same values as yargs on the command lines planners type', () => {
  const lines = [
    [],
    ['my.yml'],
    ['my.yml', '--format', 'json'],
    ['--format=json', 'my.yml'],
    ['my.yml', '--server', '8c/32GB/2TB/ssd', '--fail-if-over'],
    ['my.yml', '--fail-if-over', 'false'],
    ['my.yml', '--no-screenshot', '--out', 'plan/'],
    ['my.yml', '--var', 'users=800,1200', '--var', 'fpu=10'],
    ['my.yml', '--set', 'a', 'b', '-s', 'pg_main', '-u', 'users'],
    ['--set', 'a', 'b', '--', 'x'].slice(0, 3),
    ['my.yml', '--cpu-overcommit', '1.5', '--active-cases-field', 'open_cases'],
    ['my.yml', '--out', ''],
  ];
  for (const args of lines) {
    const fast = readFastArgs(args, SIZE_FLAGS, SIZE_POSITIONALS);
    assert.ok(fast, `declined ${args.join(' ')}`);
    assert.equal(pick(fast!), pick(viaYargs(args)), args.join(' '));
  }
});

test('declines what yargs must answer: help, unknown or repeated flags, bad choices, missing values, --', () => {
  for (const args of [
    ['--help'], ['-h'], ['--version'], ['my.yml', '--formt', 'json'], ['my.yml', '--format', 'xml'], ['my.yml', '--out'],
    ['my.yml', '--out', 'a', '--out', 'b'], ['a.yml', 'b.yml'], ['my.yml', '--', 'x'], ['-su', 'x'], ['my.yml', '--cpu-overcommit', '-1'],
    ['my.yml', '--failIfOver'], ['my.yml', '--fail-if-over=maybe'],
  ]) assert.is(readFastArgs(args, SIZE_FLAGS, SIZE_POSITIONALS), null, args.join(' '));
});

test.run();
