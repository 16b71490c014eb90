// The `ccready size` flags for the verdict, the what-if runs and the planner reports, and the step
// that assembles sizing's judgement (sizing/what-if.ts) into console text, report files and an exit
// code. cli/commands/size.ts registers the options with `verdictOptions` and calls `runVerdictStep`.
import type { Argv, Options } from 'yargs';
import { UsageError } from '../../common/errors.ts';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { crossedLimits, formatWhatIf, judgeRuns, parseBackupPlan, parseVarFlags, parseVary, varyRows, varValues, verdictText, type ModelResult, type Verdict, type WhatIfRow } from '../../sizing/index.ts';
import { resolveServerSpec, shortServerSpec } from '../../common/server-spec.ts';

export interface VerdictArgs {
  server?: string;
  'cpu-overcommit'?: string;
  'fail-if-over'?: boolean;
  'active-cases-field'?: string;
  var?: string[];
  vary?: string;
  'backup-target'?: string;
  'backup-retention-days'?: string;
  screenshot?: boolean;
}

/** The verdict flags, declared once: yargs takes them for help and parsing, the fast path (cli/fast-args.ts) too. */
export const VERDICT_OPTIONS = {
  server: {
    type: 'string',
    describe: 'the server to judge against: CORESc/RAM/DISK[/ssd|hdd] (e.g. 8c/32GB/2TB/ssd) or a YAML file with cores, ram_gb, disk_tb, disk_type; default 8c/32GB/2TB/ssd',
  },
  'cpu-overcommit': {
    type: 'string',
    describe: 'CPU sharing factor: the cores limit is server cores × N, because services on one box time-share the CPU (1 = strict; default 2, or cpu_overcommit in the server YAML)',
  },
  'fail-if-over': { type: 'boolean', default: false, describe: 'exit 1 when any limit is crossed within the usage horizon (for CI)' },
  'active-cases-field': { type: 'string', describe: 'usage field that counts active cases (default: active_cases, open_cases, cases_active or cases_total, whichever exists)' },
  var: { type: 'string', array: true, describe: 'override a {var} of the config: NAME=VALUE, or NAME=V1,V2,... for a what-if table (repeatable)' },
  'backup-target': { type: 'string', choices: ['same-disk', 'offsite'], default: 'same-disk', describe: "where the backups go: same-disk (commcare-cloud's default, /opt/data/backups: their copies count in the disk need) or offsite (S3 or another disk: not counted)" },
  'backup-retention-days': { type: 'string', describe: "daily backups kept on the disk (plus one weekly); default commcare-cloud's: PostgreSQL and CouchDB 1 + 1 weekly, BlobDB 2 + 2 weekly" },
  vary: { type: 'string', describe: 'sensitivity: run the model with one usage field scaled from LO to HI times (FIELD=LO..HI[:STEPS], e.g. forms_monthly=0.5..2) and print how disk, RAM, cores and the verdict move' },
  screenshot: { type: 'boolean', default: true, describe: 'with --out: also save report.png of the HTML report (needs Chromium)' },
} as const satisfies Record<string, Options>;

export function verdictOptions<T>(y: Argv<T>): Argv<T & VerdictArgs> {
  return y
    .options(VERDICT_OPTIONS)
    .example('ccready size my.yml --server 8c/32GB/2TB --fail-if-over', 'exit 1 if the box runs out within the horizon')
    .example('ccready size my.yml --cpu-overcommit 1', 'strict cores: one service core per server core')
    .example('ccready size --var users=800,1200,1600', 'what-if on the embedded example: its full roll-out size is {users}')
    .example('ccready size my.yml --var users=800,1200,1600 --out plan/', 'what-if table for three user counts, workbook, HTML and Markdown') as unknown as Argv<T & VerdictArgs>;
}

export interface VerdictVars {
  /** what-if combinations (empty when no --var) */
  runs: Record<string, string>[];
  /** the overrides for the main run: the only combination, or the first of several */
  vars: Record<string, string | number> | undefined;
}

/** Parses --var before the config is loaded (the main run uses the first combination). */
export function verdictVars(argv: VerdictArgs): VerdictVars {
  const runs = parseVarFlags(argv.var);
  const first = runs[0];
  return { runs, vars: first ? varValues(first) : undefined };
}

export interface VerdictStepContext {
  configFile: string;
  result: ModelResult;
  /** runs the model again with other variable values (for the what-if table) */
  rerun: (vars: Record<string, string | number>) => ModelResult;
  /** runs the model again with one usage field scaled (for --vary) */
  rerunScaled: (field: string, factor: number) => ModelResult;
  /** true when reports will be written (--out) */
  writeReports: boolean;
  now?: Date;
}

export interface VerdictStepResult {
  verdicts: Verdict[];
  whatIf: WhatIfRow[];
  /** console text: the verdict(s) and the what-if table */
  text: string;
  /** report files for --out (empty without it) */
  files: Record<string, string | Uint8Array>;
  /** 1 with --fail-if-over when a limit is crossed, else 0 */
  exitCode: number;
  /** one line for stderr when --fail-if-over fails */
  failMessage: string | null;
}

export async function runVerdictStep(argv: VerdictArgs, vv: VerdictVars, ctx: VerdictStepContext): Promise<VerdictStepResult> {
  const server = resolveServerSpec(argv.server, '--server', argv['cpu-overcommit']);
  const backup = parseBackupPlan(argv['backup-target'], argv['backup-retention-days']);
  const opts = { activeCasesField: argv['active-cases-field'], backup };
  const judged = judgeRuns(ctx.result, server, opts, vv.runs, ctx.rerun);
  const { verdicts } = judged;
  let whatIf = judged.whatIf;
  const textParts = [verdictText(verdicts, whatIf, vv.runs)];
  if (argv.vary !== undefined) {
    if (vv.runs.length > 1) throw new UsageError('--vary and a --var list: give one of them (each makes its own table)');
    const { field, factors } = parseVary(argv.vary);
    whatIf = varyRows(field, factors, server, opts, ctx.rerunScaled);
    textParts.push(`sensitivity of the verdict to ${field} (× the config's values):\n${formatWhatIf(whatIf)}`);
  }
  const files: Record<string, string | Uint8Array> = {};
  if (ctx.writeReports) {
    const note = await addReportFiles(files, argv, ctx, verdicts, whatIf);
    if (note) textParts.push(note);
  }
  const crossed = crossedLimits(verdicts, whatIf);
  const fail = argv['fail-if-over'] === true && crossed.length > 0;
  return {
    verdicts,
    whatIf,
    text: textParts.join('\n\n') + '\n',
    files,
    exitCode: fail ? 1 : 0,
    failMessage: fail ? `limits crossed within the horizon on ${shortServerSpec(server).replace(/\/(ssd|hdd)$/, '')}: ${crossed.join(', ')}` : null,
  };
}

/** The planner reports (workbooks, HTML, Markdown, verdict.json, report.png); returns a note for the console, if any. */
async function addReportFiles(files: Record<string, string | Uint8Array>, argv: VerdictArgs, ctx: VerdictStepContext, verdicts: Verdict[], whatIf: WhatIfRow[]): Promise<string | null> {
  const configName = basename(ctx.configFile);
  let configText: string | undefined;
  try {
    configText = readFileSync(ctx.configFile, 'utf8');
  } catch {
    configText = undefined;
  }
  const generatedAt = ctx.now ?? new Date();
  // loaded only when reports are written: exceljs and vega would slow down every other command
  const [{ buildSizingWorkbooks }, { buildSizingHtml }, { buildSizingMarkdown }] = await Promise.all([
    import('../../reports/sizing-xlsx.ts'),
    import('../../reports/sizing-html.ts'),
    import('../../reports/sizing-markdown.ts'),
  ]);
  Object.assign(files, await buildSizingWorkbooks(ctx.result, verdicts, { configText, configName, generator: 'ccready size', whatIf }));
  const html = await buildSizingHtml(ctx.result, verdicts, { whatIf, configName, generatedAt });
  files['report.html'] = html;
  files['report.md'] = buildSizingMarkdown(ctx.result, verdicts, { whatIf, configName, generatedAt });
  files['verdict.json'] = `${JSON.stringify({ format: 'ccready-verdict/1', config_file: ctx.configFile, verdicts, what_if: whatIf }, null, 1)}\n`;
  if (argv.screenshot === false) return null;
  const png = await screenshotHtml(html);
  if (!png) return 'note: Chromium not found, report.png not written (--no-screenshot to silence)';
  files['report.png'] = png;
  return null;
}

/** Screenshot of the HTML report in headless Chromium; null when Chromium is not installed. */
async function screenshotHtml(html: string): Promise<Uint8Array | null> {
  const { chromiumAvailable, checkHtmlInChromium } = await import('../../reports/browser.ts');
  if (!chromiumAvailable()) return null;
  const dir = mkdtempSync(join(tmpdir(), 'ccready-report-'));
  try {
    const path = join(dir, 'report.html');
    writeFileSync(path, html);
    const page = await checkHtmlInChromium(path);
    return page.screenshot;
  } catch {
    return null;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
