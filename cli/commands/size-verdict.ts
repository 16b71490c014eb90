// The `ccready size` flags for the verdict, the what-if runs and the planner reports, and the step
// that turns a sizing result into console text, report files and an exit code. cli/commands/size.ts
// registers the options with `verdictOptions` and calls `verdictVars` / `runVerdictStep`.
import type { Argv } from 'yargs';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { readFileSync } from 'node:fs';
import type { ModelResult } from '../../sizing/types.ts';
import {
  computeVerdict,
  formatVerdict,
  formatWhatIf,
  parseVarFlags,
  varValue,
  type Verdict,
  type WhatIfRow,
} from '../../sizing/verdict.ts';
import { resolveServerSpec } from '../../common/server-spec.ts';

export interface VerdictArgs {
  server?: string;
  'cpu-overcommit'?: string;
  'fail-if-over'?: boolean;
  'active-cases-field'?: string;
  var?: string[];
  screenshot?: boolean;
}

export function verdictOptions<T>(y: Argv<T>): Argv<T & VerdictArgs> {
  return y
    .option('server', {
      type: 'string',
      describe: 'the server to judge against: CORESc/RAM/DISK[/ssd|hdd] (e.g. 8c/32GB/2TB/ssd) or a YAML file with cores, ram_gb, disk_tb, disk_type; default 8c/32GB/2TB/ssd',
    })
    .option('cpu-overcommit', {
      type: 'string',
      describe: 'CPU sharing factor: the cores limit is server cores × N, because services on one box time-share the CPU (1 = strict; default 2, or cpu_overcommit in the server YAML)',
    })
    .option('fail-if-over', { type: 'boolean', default: false, describe: 'exit 1 when any limit is crossed within the usage horizon (for CI)' })
    .option('active-cases-field', { type: 'string', describe: 'usage field that counts active cases (default: active_cases, open_cases, cases_active or cases_total, whichever exists)' })
    .option('var', { type: 'string', array: true, describe: 'override a {var} of the config: NAME=VALUE, or NAME=V1,V2,... for a what-if table (repeatable)' })
    .option('screenshot', { type: 'boolean', default: true, describe: 'with --out: also save report.png of the HTML report (needs Chromium)' })
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
  return { runs, vars: first ? Object.fromEntries(Object.entries(first).map(([k, v]) => [k, varValue(v)])) : undefined };
}

export interface VerdictStepContext {
  configFile: string;
  result: ModelResult;
  /** runs the model again with other variable values (for the what-if table) */
  rerun: (vars: Record<string, string | number>) => ModelResult;
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
  const opts = { activeCasesField: argv['active-cases-field'] };
  const verdicts = ctx.result.sets.map((s) => computeVerdict(ctx.result, server, { ...opts, set: s.name }));

  // What-if: one row per combination (per set when the config has several).
  const whatIf: WhatIfRow[] = [];
  if (vv.runs.length > 1) {
    vv.runs.forEach((vars, i) => {
      const r = i === 0 ? ctx.result : ctx.rerun(Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, varValue(v)])));
      for (const s of r.sets) whatIf.push({ vars: r.sets.length > 1 ? { ...vars, set: s.name } : vars, verdict: computeVerdict(r, server, { ...opts, set: s.name }) });
    });
  }

  const textParts = verdicts.map(formatVerdict);
  if (vv.runs.length === 1) textParts.unshift(`(with ${Object.entries(vv.runs[0]!).map(([k, v]) => `${k}=${v}`).join(', ')})`);
  if (vv.runs.length > 1) {
    textParts.unshift(`(tables above and the verdict below are for ${Object.entries(vv.runs[0]!).map(([k, v]) => `${k}=${v}`).join(', ')})`);
    textParts.push(formatWhatIf(whatIf));
  }

  const files: Record<string, string | Uint8Array> = {};
  if (ctx.writeReports) {
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
    if (argv.screenshot !== false) {
      const png = await screenshotHtml(html);
      if (png) files['report.png'] = png;
      else textParts.push('note: Chromium not found, report.png not written (--no-screenshot to silence)');
    }
  }

  // --fail-if-over judges every run: each set, and each what-if combination when there are several
  const judged = whatIf.length > 0 ? whatIf.map((w) => ({ label: Object.entries(w.vars).map(([k, v]) => `${k}=${v}`).join(' '), v: w.verdict })) : verdicts.map((v) => ({ label: verdicts.length > 1 ? v.set : '', v }));
  const crossed = judged.flatMap(({ label, v }) =>
    v.limits.filter((l) => l.status === 'DOES NOT FIT').map((l) => `${label ? `${label}: ` : ''}${l.label.split(' (')[0]} ${l.firstCrossed}`),
  );
  const fail = argv['fail-if-over'] === true && crossed.length > 0;
  return {
    verdicts,
    whatIf,
    text: textParts.join('\n\n') + '\n',
    files,
    exitCode: fail ? 1 : 0,
    failMessage: fail ? `limits crossed within the horizon on ${verdicts[0]!.server.cores}c/${verdicts[0]!.server.ram_gb}GB/${verdicts[0]!.server.disk_tb}TB: ${crossed.join(', ')}` : null,
  };
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
