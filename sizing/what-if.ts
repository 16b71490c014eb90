// What-if runs: several values of config variables (`--var users=800,1200`), each judged on the
// same server, and the `--fail-if-over` judgement over every run. Pure: the caller passes a
// `rerun` function that loads the config with other values and runs the model.
import { UsageError } from '../common/errors.ts';
import type { ServerSpec } from '../common/server-spec.ts';
import { computeVerdict } from './verdict.ts';
import type { ModelResult, RawValue, SizingConfig, Verdict, VerdictOptions, WhatIfRow } from './types.ts';

/**
 * Parses repeated `--var name=v1,v2` flags into the list of variable sets to run (the cartesian
 * product when several names have several values).
 */
export function parseVarFlags(flags: string[] | undefined, flag = '--var', maxRuns = 50): Record<string, string>[] {
  if (!flags || flags.length === 0) return [];
  const names: string[] = [];
  const values: string[][] = [];
  for (const f of flags) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.+)$/.exec(f.trim());
    if (!m) throw new UsageError(`${flag}: expected NAME=VALUE or NAME=V1,V2,... (e.g. users=1800), got "${f}"`);
    const vs = m[2]!.split(',').map((v) => v.trim());
    if (vs.some((v) => v === '')) throw new UsageError(`${flag} ${m[1]}: empty value in "${m[2]}"`);
    if (names.includes(m[1]!)) throw new UsageError(`${flag}: ${m[1]} given twice (list the values once: ${m[1]}=a,b,c)`);
    names.push(m[1]!);
    values.push(vs);
  }
  let runs: Record<string, string>[] = [{}];
  for (let i = 0; i < names.length; i++) {
    runs = runs.flatMap((r) => values[i]!.map((v) => ({ ...r, [names[i]!]: v })));
  }
  if (runs.length > maxRuns) throw new UsageError(`${flag}: ${runs.length} combinations is too many (at most ${maxRuns})`);
  return runs;
}

/** A variable value as the config loader wants it: numbers stay numbers. */
export function varValue(v: string): string | number {
  return /^-?\d+(\.\d+)?(e[+-]?\d+)?$/i.test(v) ? Number(v) : v;
}

/** The verdict of every set, and one what-if row per combination (per set when there are several). */
export function judgeRuns(
  result: ModelResult,
  server: ServerSpec,
  opts: Pick<VerdictOptions, 'activeCasesField' | 'backup'>,
  runs: Record<string, string>[],
  rerun: (vars: Record<string, string | number>) => ModelResult,
): { verdicts: Verdict[]; whatIf: WhatIfRow[] } {
  const verdicts = result.sets.map((s) => computeVerdict(result, server, { ...opts, set: s.name }));
  const whatIf: WhatIfRow[] = [];
  if (runs.length > 1) {
    runs.forEach((vars, i) => {
      const r = i === 0 ? result : rerun(varValues(vars));
      for (const s of r.sets) whatIf.push({ vars: r.sets.length > 1 ? { ...vars, set: s.name } : vars, verdict: computeVerdict(r, server, { ...opts, set: s.name }) });
    });
  }
  return { verdicts, whatIf };
}

/** `--vary`: one what-if row per factor of the field (per set when there are several). */
export function varyRows(
  field: string,
  factors: number[],
  server: ServerSpec,
  opts: Pick<VerdictOptions, 'activeCasesField' | 'backup'>,
  rerun: (field: string, factor: number) => ModelResult,
): WhatIfRow[] {
  const rows: WhatIfRow[] = [];
  for (const f of factors) {
    const r = rerun(field, f);
    for (const s of r.sets) rows.push({ vars: r.sets.length > 1 ? { [`${field} ×`]: String(f), set: s.name } : { [`${field} ×`]: String(f) }, verdict: computeVerdict(r, server, { ...opts, set: s.name }) });
  }
  return rows;
}

/** `--var` values as the config loader wants them (numbers stay numbers). */
export function varValues(vars: Record<string, string>): Record<string, string | number> {
  return Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, varValue(v)]));
}

/**
 * The `--fail-if-over` judgement: every limit crossed within the horizon, over each what-if
 * combination when there are several, else over each set ("disk 2027-08", "users=1600: RAM 2028-01").
 */
export function crossedLimits(verdicts: Verdict[], whatIf: WhatIfRow[]): string[] {
  const judged = whatIf.length > 0
    ? whatIf.map((w) => ({ label: Object.entries(w.vars).map(([k, v]) => `${k}=${v}`).join(' '), v: w.verdict }))
    : verdicts.map((v) => ({ label: verdicts.length > 1 ? v.set : '', v }));
  return judged.flatMap(({ label, v }) =>
    v.limits.filter((l) => l.status === 'DOES NOT FIT').map((l) => `${label ? `${label}: ` : ''}${l.label.split(' (')[0]} ${l.firstCrossed}`),
  );
}

/** Every what-if variable must be used by some `{var}` placeholder, or it would silently do nothing. */
export function checkVars(cfg: SizingConfig): void {
  const names = Object.keys(cfg.vars);
  if (!names.length) return;
  const used = new Set<string>();
  const scan = (v: RawValue) => { if (typeof v === 'string') for (const m of v.matchAll(/\{([^}]*)\}/g)) used.add(m[1]!); };
  for (const u of cfg.usage) {
    if (u.slug === 'date_range_value') u.ranges.forEach((r) => scan(r.value));
    if (u.slug === 'derived_factor' || u.slug === 'invert_derived_factor') scan(u.factor);
    if (u.slug === 'baseline_with_growth') { scan(u.baseline); scan(u.monthly_growth); }
    if ('start_with' in u) scan(u.start_with);
  }
  for (const n of names) {
    if (!used.has(n)) {
      throw new UsageError(`--var ${n}: ${cfg.file} has no {${n}} placeholder (used: ${[...used].sort().join(', ') || 'none'})`);
    }
  }
}
