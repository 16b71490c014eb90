// `ccready size init`: the guided way to a sizing config (issue 16 item 1). On a terminal it asks
// for each figure not given as a flag (Enter keeps the default shown); otherwise it takes the flags
// and the defaults. With --from URL it reads the project's history instead (size-init-from.ts, loaded
// only then: the plain `size` path never loads an HTTP client). Writes the config (default sizing.yml).
import type { CommandModule } from 'yargs';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { UsageError } from '../../common/errors.ts';
import { checkInitFigures, defaultInitFigures, EXAMPLE_CONFIG, initConfigYaml, type InitFigures } from '../../sizing/index.ts';
import { num, single, targetOptions } from '../flags.ts';
import type { InitFromArgs } from './size-init-from.ts';

interface InitArgs extends InitFromArgs {
  out: string;
  force?: boolean;
  users?: number | string;
  'forms-per-user-day'?: number;
  'cases-per-user'?: number;
  'case-lifespan-months'?: number;
  'attachments-kb-per-form'?: number;
  months?: number;
  start?: string;
}

const FIGURES: [keyof InitFigures, keyof InitArgs, string][] = [
  ['users', 'users', 'mobile workers at full roll-out'],
  ['formsPerUserDay', 'forms-per-user-day', 'forms per worker per working day'],
  ['casesPerUserMonth', 'cases-per-user', 'new cases per worker per month'],
  ['caseLifespanMonths', 'case-lifespan-months', 'months a case stays open'],
  ['attachmentsKbPerForm', 'attachments-kb-per-form', 'KB of attachments per form (photos: ~20-200)'],
  ['months', 'months', 'months to plan for'],
  ['start', 'start', 'first month (YYYY-MM)'],
];

async function ask(figures: InitFigures, given: Set<string>): Promise<InitFigures> {
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const out = { ...figures } as Record<string, number | string>;
    for (const [key, flag, what] of FIGURES) {
      if (given.has(flag)) continue;
      const answer = (await rl.question(`${what} [${out[key]}]: `)).trim();
      if (answer !== '') out[key] = key === 'start' ? answer : Number(answer);
    }
    return out as unknown as InitFigures;
  } finally {
    rl.close();
  }
}

export const sizeInitCommand: CommandModule<object, InitArgs> = {
  command: 'init',
  describe: 'write a sizing config from a few planning figures (asks on a terminal; flags otherwise)',
  builder: (y) =>
    targetOptions(y)
      .option('out', { type: 'string', default: 'sizing.yml', describe: 'the config file to write' })
      .option('force', { type: 'boolean', default: false, describe: 'overwrite --out if it exists' })
      .option('users', { type: 'number', describe: 'mobile workers at full roll-out (default 1000)' })
      .option('forms-per-user-day', { type: 'number', describe: 'forms per worker per working day (default 3)' })
      .option('cases-per-user', { type: 'number', describe: 'new cases per worker per month (default 10)' })
      .option('case-lifespan-months', { type: 'number', describe: 'months a case stays open (default 9)' })
      .option('attachments-kb-per-form', { type: 'number', describe: 'KB of attachments per form (default 20)' })
      .option('months', { type: 'number', describe: 'months to plan for (default 36)' })
      .option('start', { type: 'string', describe: 'first month, YYYY-MM (default next month)' })
      .option('from', { type: 'string', coerce: single, describe: "read the project's history from this HQ (its Form, Case and User APIs) instead of asking; credentials as `verify` takes them (API key preferred)" })
      .option('cursor', { type: 'string', coerce: single, describe: 'with --from: the file paging resumes from after a Ctrl-C or a bound (default OUT.cursor.json)' })
      .option('max-pages', { type: 'string', default: 20000, coerce: num('max-pages', { integer: true, min: 1 }), describe: 'with --from: API pages read in one run at most (then it stops; rerun to go on)' })
      .option('max-minutes', { type: 'string', default: 120, coerce: num('max-minutes', { above: 0, unit: 'minutes' }), describe: 'with --from: minutes of paging in one run at most (then it stops; rerun to go on)' })
      .option('page-size', { type: 'string', default: 1000, coerce: num('page-size', { integer: true, min: 1, max: 1000 }), describe: "with --from: forms per Form API page (HQ's most is 1000)" })
      .option('request-timeout', { type: 'string', default: 60, coerce: num('request-timeout', { above: 0, unit: 'seconds' }), describe: 'with --from: seconds per HTTP request' })
      .example('ccready size init --from https://www.commcarehq.org --domain my-project --target-env cloud.env', "a config from the project's own history (CCHQ_WEB_USERNAME + CCHQ_API_KEY in cloud.env)")
      .example('ccready size init --users 600 --forms-per-user-day 4 --cases-per-user 20 --months 36', 'then: ccready size sizing.yml') as never,
  handler: async (argv) => {
    if (argv.from !== undefined) {
      const { initFrom } = await import('./size-init-from.ts');
      return initFrom(argv);
    }
    let figures = defaultInitFigures();
    const given = new Set<string>();
    for (const [key, flag] of FIGURES) {
      const v = argv[flag];
      if (v !== undefined) {
        // `size` declares --users as text for its own what-if: a number here
        (figures as unknown as Record<string, unknown>)[key] = key === 'start' ? String(v) : Number(v);
        given.add(flag);
      }
    }
    if (process.stdin.isTTY && process.stderr.isTTY && given.size < FIGURES.length) figures = await ask(figures, given);
    checkInitFigures(figures);
    if (existsSync(argv.out) && !argv.force) throw new UsageError(`--out ${argv.out}: exists; pass --force to overwrite it or choose another file`);
    const text = initConfigYaml(readFileSync(EXAMPLE_CONFIG, 'utf8'), figures);
    try {
      writeFileSync(argv.out, text);
    } catch (e) {
      throw new UsageError(`--out ${argv.out}: cannot write it (${(e as NodeJS.ErrnoException).code ?? e})`);
    }
    process.stdout.write(`wrote ${argv.out}: ${figures.users} users, ${figures.formsPerUserDay} forms a day, ${figures.casesPerUserMonth} cases a month each, ${figures.months} months from ${figures.start}\nnext: ccready size ${argv.out}\n`);
  },
};
