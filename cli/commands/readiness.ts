// `ccready readiness`: argument parsing only; the judgement is verify/readiness/, the files reports/.
import { existsSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { UsageError } from '../../common/errors.ts';
import { newRunId, runDir } from '../../common/runs.ts';
import { attestationsTemplate, parseMaxAge, runReadiness } from '../../verify/readiness/index.ts';
import { writeReadinessReports } from '../../reports/readiness-files.ts';

interface ReadinessArgs {
  runs: string;
  evidence?: string[];
  attestations?: string;
  target?: string;
  maxAge: string;
  out?: string;
}

const init: CommandModule = {
  command: 'init',
  describe: 'write the attestations template: every checkpoint a person must sign off, blank',
  builder: (y: Argv) =>
    y
      .example('ccready readiness init', 'writes attestations.yml here')
      .option('out', { type: 'string', default: 'attestations.yml', describe: 'file to write' })
      .option('force', { type: 'boolean', default: false, describe: 'overwrite the file when it exists' }),
  handler: (argv) => {
    const a = argv as unknown as { out: string; force: boolean };
    if (a.out.trim() === '') throw new UsageError('--out: expected a file path, got an empty string');
    if (existsSync(a.out) && !a.force) throw new UsageError(`--out ${a.out}: exists; pass --force to overwrite it, or another --out FILE`);
    try {
      writeFileSync(a.out, attestationsTemplate());
    } catch (e) {
      throw new UsageError(`--out ${a.out}: cannot write the file (${(e as NodeJS.ErrnoException).code}); expected a writable file path`);
    }
    process.stdout.write(`wrote ${resolve(a.out)}: fill in by and date for each checkpoint once it is done, then run ccready readiness\n`);
  },
};

export const readinessCommand: CommandModule = {
  command: 'readiness',
  describe: 'the go-live decision: every checkpoint of the transition guide (Phases 1–6) from run folders and attestations',
  builder: (y: Argv) =>
    y
      .example('ccready readiness init', 'write attestations.yml to fill in')
      .example('ccready readiness --target https://hq.example.org', 'judge the newest runs in reports/runs and attestations.yml')
      .example('ccready readiness --evidence reports/runs/20261120T101500Z-3fa2c1 --max-age 30d --out go-live/', 'name a run folder; allow month-old runs')
      .option('runs', { type: 'string', default: 'reports/runs', describe: 'folder of run folders; the newest run of each kind counts' })
      .option('evidence', { type: 'string', array: true, describe: 'a run folder to use for its kind instead of the newest (repeatable)' })
      .option('attestations', { type: 'string', describe: 'attestations YAML (default attestations.yml when it exists)' })
      .option('target', { type: 'string', describe: 'the CommCare HQ going live (default: the attestations file\'s target, else the newest verify/gate run\'s)' })
      .option('max-age', { type: 'string', default: '14d', describe: 'runs older than this do not count (e.g. 14d, 36h, 2w)' })
      .option('out', { type: 'string', describe: 'report folder (default reports/runs/<run-id>/)' })
      .command(init),
  handler: (argv) => {
    const a = argv as unknown as ReadinessArgs;
    const maxAgeMs = parseMaxAge(a.maxAge);
    if (a.target !== undefined) {
      try {
        new URL(a.target);
      } catch {
        throw new UsageError(`--target: expected a URL like https://hq.example.org, got "${a.target}"`);
      }
    }
    const report = runReadiness({
      runs: a.runs,
      evidence: a.evidence,
      attestations: a.attestations ?? 'attestations.yml',
      attestationsRequired: a.attestations !== undefined,
      target: a.target,
      maxAgeMs,
    });
    // under reports/runs like every run; the next readiness run reads it as no evidence
    const dir = runDir(newRunId(), a.out);
    writeReadinessReports(report, dir);
    const d = report.decision;
    const lines = [`${d.verdict}: ${report.rows.length} checkpoints, ${d.blocking.length} blocking, ${d.waived.length} waived (target ${report.target ?? 'not known'})`];
    for (const b of d.blocking) lines.push(`  blocking ${b}`);
    for (const w of d.waived) lines.push(`  ${w}`);
    for (const n of report.notes) lines.push(`  note: ${n}`);
    lines.push(`reports: ${dir}/report.{json,md,html}`);
    process.stdout.write(lines.join('\n') + '\n');
    process.exitCode = d.exitCode;
  },
};
