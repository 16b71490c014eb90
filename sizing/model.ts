// runModel: the tool's run_model.py control flow over every combined set, without any I/O.
import { UsageError } from '../common/errors.ts';
import type { ModelResult, RunOptions, SetResult, SizingConfig, SummaryAtDate } from './types.ts';
import { generateUsage, usageTable, type UsageFrame } from './usage.ts';
import { monthBuffers, serviceData, serviceDataTable, summaryData, summaryDataTable, summaryRows, SUMMARY_FIELDS, SUMMARY_WIDTH, type SummaryRows } from './service.ts';
import { compareSummaries, incrementalSummaries, summarizeAt } from './summarize.ts';
import { keepSetFigures, VERDICT_FIELDS, verdictFieldLabel, type ServiceColumns, type SetFigures, type VerdictField } from './set-figures.ts';

export interface CombinedSet { context: Record<string, unknown>; varWhere: Record<string, string> }

/** get_combined_sets: every combination of one item per set group, names joined with '-'. */
export function combinedSets(config: SizingConfig): CombinedSet[] {
  const groups = Object.entries(config.sets);
  let combos: { items: [string, number, Record<string, unknown>][] }[] = [{ items: [] }];
  if (!groups.length) {
    combos = [];
  } else {
    for (const [g, items] of groups) {
      combos = combos.flatMap((c) => items.map((it, i) => ({ items: [...c.items, [g, i, it] as [string, number, Record<string, unknown>]] })));
    }
  }
  const out: CombinedSet[] = combos.map(({ items }) => {
    const context: Record<string, unknown> = {};
    const varWhere: Record<string, string> = {};
    let name: string | null = null;
    for (const [g, i, it] of items) {
      for (const [k, v] of Object.entries(it)) {
        if (k === 'name') continue;
        context[k] = v;
        varWhere[k] = config.setWhere[`${g}\u0000${i}\u0000${k}`] ?? '';
      }
      const n = it.name === undefined || it.name === null ? null : String(it.name);
      if (n) name = name ? `${name}-${n}` : n;
    }
    context.name = name ?? 'default';
    return { context, varWhere };
  });
  if (!out.length) out.push({ context: { name: 'default' }, varWhere: {} });
  for (const s of out) {
    for (const [k, v] of Object.entries(config.vars)) { s.context[k] = v; s.varWhere[k] = `--var ${k}`; }
  }
  return out;
}

/** The monthly stages (usage, service_data, summary_data) of one set, before any summary date. */
export function monthlyTables(config: SizingConfig, set: CombinedSet) {
  const usage = generateUsage(config, set.context, (n) => set.varWhere[n] ?? '');
  const { table, dtypes } = usageTable(usage);
  const sds = config.services.map((s) => serviceData(config, usage, s));
  const buf = monthBuffers(config, usage.index.length);
  const summary = summaryRows(usage.index.length, sds.length);
  const unusual = new Uint8Array(usage.index.length);
  sds.forEach((sd, s) => summaryData(config, sd, buf, summary, s, unusual));
  const names = config.services.map((s) => s.name);
  return {
    usage, table, dtypes, summary, unusual, names,
    serviceTable: () => serviceDataTable(usage.index, sds),
    summaryTable: () => summaryDataTable(config, usage.index, names, summary),
  };
}

export function runSet(config: SizingConfig, set: CombinedSet): SetResult {
  const { usage, table, dtypes, summary, unusual, names, serviceTable, summaryTable } = monthlyTables(config, set);
  const fromConfig = config.summary_dates.length > 0;
  const dates = fromConfig ? [...new Set(config.summary_dates)].sort() : usage.index.length ? [usage.index[usage.index.length - 1]!] : [];
  if (!dates.length) throw new UsageError(`${config.file}: usage: no months (no date_range_value field)`);
  const summaries: Record<string, SummaryAtDate> = {};
  const users = usage.columns.get('users')!.values;
  for (const d of dates) {
    const m = usage.index.indexOf(d);
    if (m < 0) {
      const i = config.summary_dates.indexOf(d);
      throw new UsageError(`${config.file}: summary_dates[${i}]: ${d.slice(0, 7)} is outside the usage months (${usage.index[0]!.slice(0, 7)} … ${usage.index[usage.index.length - 1]!.slice(0, 7)})`);
    }
    summaries[d] = summarizeAt(config, names, summary, m, users[m]!);
  }
  const result: SetResult = {
    name: String(set.context.name),
    context: { ...set.context },
    usage: table,
    usage_dtypes: dtypes,
    service_data: serviceTable(),
    summary_data: summaryTable(),
    summary_dates: dates,
    summary_dates_source: fromConfig ? 'config' : 'final usage month',
    summaries,
  };
  keepSetFigures(result, setFigures(config, usage, names, summary, unusual));
  if (dates.length > 1) {
    const cmp = compareSummaries(config, dates.map((d) => [d, summaries[d]!]));
    result.comparisons = cmp;
    result.incrementals = incrementalSummaries(cmp, dates);
  }
  return result;
}

/** The verdict's figures of a set, straight from its monthly arrays (sizing/set-figures.ts). */
function setFigures(config: SizingConfig, usage: UsageFrame, names: string[], summary: SummaryRows, unusual: Uint8Array): SetFigures {
  const fields = SUMMARY_FIELDS(config.storage_display_unit);
  const keys = Object.keys(VERDICT_FIELDS) as VerdictField[];
  const at = keys.map((k) => fields.indexOf(verdictFieldLabel(k, config.storage_display_unit)));
  return {
    months: usage.index,
    usage: new Map([...usage.columns].map((e) => [e[0], e[1].values] as const)),
    summary,
    unusual,
    services: names.map((service, s) => {
      const cols = { service } as ServiceColumns;
      keys.forEach((k, i) => (cols[k] = s * SUMMARY_WIDTH + at[i]!));
      return cols;
    }),
  };
}

export function runModel(config: SizingConfig, opts: { sets?: string[] } & RunOptions = {}): ModelResult {
  let sets = combinedSets(config);
  if (opts.sets && opts.sets.length) {
    const valid = sets.map((s) => String(s.context.name));
    for (const n of opts.sets) {
      if (!valid.includes(n)) throw new UsageError(`--set ${n}: no such set in ${config.file} (sets: ${valid.join(', ')})`);
    }
    sets = sets.filter((s) => opts.sets!.includes(String(s.context.name)));
  }
  const results = sets.map((s) => runSet(config, s));
  const out: ModelResult = {
    storage_display_unit: config.storage_display_unit,
    vm_os_storage_gb: config.vm_os_storage_gb,
    vm_os_storage_group: config.vm_os_storage_group,
    estimation_buffer: config.estimation_buffer,
    estimation_growth_factor: config.estimation_growth_factor,
    storage_buffer: config.storage_buffer,
    services: config.services.map((s) => s.name),
    summary_dates_config: config.summary_dates_raw.slice(),
    sets_summary_date: config.sets_summary_date ? config.sets_summary_date.slice(0, 7) : null,
    sets: results,
    status: 'ok',
  };
  if (results.length > 1 && config.sets_summary_date) {
    const d = config.sets_summary_date;
    const snaps: [string, SummaryAtDate][] = results.map((r) => {
      const s = r.summaries[d];
      if (!s) throw new UsageError(`${config.file}: sets_summary_date: ${d.slice(0, 7)} is not one of the summary dates (${r.summary_dates.map((x) => x.slice(0, 7)).join(', ')})`);
      return [r.name, s];
    });
    out.set_comparison = compareSummaries(config, snaps);
  }
  return out;
}
