import type { CommandModule, Options } from 'yargs';
import { statSync } from 'node:fs';
import { UsageError } from '../../common/errors.ts';
import { consoleText, EXAMPLE_CONFIG, jsonText, loadSizingConfig, outputFiles, runModel, scaleField, scaleUsers, usersFactor } from '../../sizing/index.ts';
import { sizeInitCommand } from './size-init.ts';
import { writeStd } from '../std-write.ts';
import { runVerdictStep, VERDICT_OPTIONS, verdictOptions, verdictVars, type VerdictArgs } from './size-verdict.ts';

interface SizeArgs extends VerdictArgs {
  config?: string;
  format: string;
  out?: string;
  set?: string[];
  service?: string[];
  usage?: string;
  users?: string;
  'scale-users'?: string;
}

/** A number flag given as text: one line naming it when it is not a number. */
function flagNumber(flag: string, text: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n)) throw new UsageError(`${flag}: expected a number, got "${text}"`);
  return n;
}

/** The `size` flags besides the verdict's, declared once for yargs and the fast path (cli/fast-args.ts). */
export const SIZE_OPTIONS = {
  format: { type: 'string', choices: ['console', 'json'], default: 'console', describe: 'console tables, or one JSON document (golden.json layout)' },
  out: { type: 'string', describe: 'write one CSV per table and sizing.json into DIR' },
  set: { type: 'string', array: true, describe: 'only compute this combined set (repeatable)' },
  service: { alias: 's', type: 'string', array: true, describe: 'only size this service (repeatable)' },
  usage: { alias: 'u', type: 'string', describe: 'also print this usage field month by month' },
  users: { type: 'string', describe: "what-if: scale the config's users so that its peak is N (every field derived from users follows), with or without a {users} placeholder" },
  'scale-users': { type: 'string', describe: 'what-if: multiply every users figure of the config by F (e.g. 1.5)' },
} as const satisfies Record<string, Options>;

/** Every flag of `ccready size`, and its one positional. */
export const SIZE_FLAGS = { ...VERDICT_OPTIONS, ...SIZE_OPTIONS };
export const SIZE_POSITIONALS = ['config'] as const;

export const sizeCommand: CommandModule<object, SizeArgs> = {
  command: 'size [config]',
  describe: 'Size a CommCare HQ deployment from a commcare_resource_model YAML config',
  builder: (y) =>
    verdictOptions(y)
      .command(sizeInitCommand)
      .positional('config', { type: 'string', describe: 'config YAML (default: the embedded ~1000-user single-server example)' })
      .options(SIZE_OPTIONS)
      .example('ccready size', 'size the embedded example (1000 users, one server)')
      .example('ccready size configs/icds.yml --format json > sizing.json', 'the tables as one JSON document')
      .example('ccready size my.yml --set 8lakh-400fpu -s pg_main -u users', 'one set, one service, print the users column')
      .example('ccready size my.yml --out reports/sizing', 'CSV per table + sizing.json')
      .example('ccready size my.yml --users 2000', 'what-if: the same project at 2000 users at its peak')
      .example('ccready size my.yml --vary forms_monthly=0.5..2', 'sensitivity: disk, RAM, cores and the verdict for half to twice the forms'),
  handler: async (argv) => {
    const file = argv.config ?? EXAMPLE_CONFIG;
    // a bad --out is found before the (possibly slow) reports are built
    if (argv.out !== undefined) checkOutDir(argv.out);
    const vv = verdictVars(argv); // --var: the main run uses the first combination
    if (argv.users !== undefined && argv['scale-users'] !== undefined) throw new UsageError('--users and --scale-users: give one of them');
    const users = argv.users === undefined ? undefined : flagNumber('--users', argv.users);
    const scale = argv['scale-users'] === undefined ? undefined : flagNumber('--scale-users', argv['scale-users']);
    // the config as this run sees it: --var values, --service filter, --users / --scale-users
    const load = (vars: Record<string, string | number> | undefined) => {
      let c = loadSizingConfig(file, { vars });
      if (users !== undefined) c = scaleUsers(c, usersFactor(c, users), '--users');
      if (scale !== undefined) c = scaleUsers(c, scale, '--scale-users');
      if (argv.service?.length) {
        const names = c.services.map((s) => s.name);
        for (const s of argv.service) if (!names.includes(s)) throw new UsageError(`--service ${s}: no such service in ${file} (services: ${names.join(', ')})`);
        c.services = c.services.filter((s) => argv.service!.includes(s.name));
      }
      return c;
    };
    const config = load(vv.vars);
    const result = runModel(config, { sets: argv.set });
    if (argv.usage) {
      const cols = result.sets[0]?.usage.columns ?? [];
      if (!cols.includes(argv.usage)) throw new UsageError(`--usage ${argv.usage}: no such usage field (fields: ${cols.join(', ')})`);
    }
    // the verdict, what-if runs and planner reports (cli/commands/size-verdict.ts)
    const verdict = await runVerdictStep(argv, vv, {
      configFile: file,
      result,
      writeReports: Boolean(argv.out),
      rerun: (vars) => runModel(load(vars), { sets: argv.set }),
      rerunScaled: (field, factor) => runModel(scaleField(load(vv.vars), field, factor), { sets: argv.set }),
    });
    // everything is computed before anything is written: an error leaves no partial output
    if (argv.out) {
      // loaded only here: it pulls in node:crypto, which a run without --out need not pay for
      const { newRunId, runDir, writeRunFiles } = await import('../../common/runs.ts');
      const dir = runDir(newRunId(), argv.out);
      try {
        writeRunFiles(dir, { ...(await outputFiles(config, result)), ...verdict.files });
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (!code) throw e;
        throw new UsageError(`--out ${argv.out}: cannot write the report files there (${code}); expected a writable directory`);
      }
      writeStd(2, `ccready: wrote ${dir}\n`);
    }
    if (argv.format === 'json') {
      writeStd(1, jsonText(config, result));
      // on stderr with --format json, which keeps stdout one JSON document
      writeStd(2, `\n${verdict.text}`);
    } else {
      // the answer first, the model's tables (what it rests on) after it
      writeStd(1, `${verdict.text}\n${consoleText(config, result, { usageField: argv.usage })}`);
    }
    if (verdict.failMessage) {
      writeStd(2, `ccready: ${verdict.failMessage}\n`);
      process.exitCode = verdict.exitCode;
    }
  },
};

/** --out must be a directory or not exist yet (it is created); '' and a file are one-line errors. */
function checkOutDir(out: string): void {
  if (out.trim() === '') throw new UsageError('--out: expected a directory path, got an empty string');
  let isDir: boolean;
  try {
    isDir = statSync(out).isDirectory();
  } catch {
    return; // does not exist yet: created when the files are written
  }
  if (!isDir) throw new UsageError(`--out ${out}: exists and is not a directory; expected a directory for the report files`);
}
