// The per-month figures of one combined set that the verdict reads: the usage fields as columns,
// each month's summary row, and where in that row each service's ten judged cells are.
// runModel keeps them beside each set it returns (the very arrays its tables are made of, with
// the positions it laid them out at), so the verdict reads them by index instead of searching the
// serialised tables by column label, which was a good part of its cost on a cold run; a result that
// did not come from runModel in this process (read back from JSON, built by hand in a test) gets
// them from its tables.
import type { Cell, SetResult, Table } from './types.ts';

/** The summary columns the verdict reads, by key (the labels are the tool's, `{unit}` the display unit). */
export const VERDICT_FIELDS = {
  vmsTotal: 'VMs Total',
  vmsHa: 'VMs HA',
  coresTotal: 'Cores Total',
  coresHa: 'Cores HA',
  ramTotal: 'RAM Total (GB)',
  ramHa: 'RAM HA (GB)',
  storageTotal: 'Data Storage Total ({unit})',
  storageHa: 'Data Storage HA ({unit})',
  osTotal: 'OS Storage Total (GB)',
  group: 'Storage Group',
} as const;

export type VerdictField = keyof typeof VERDICT_FIELDS;

/** Where a service's judged cells are in a summary row (-1: the table has no such column). */
export type ServiceColumns = { service: string } & Record<VerdictField, number>;

export interface SetFigures {
  /** usage months, YYYY-MM-DD, in order */
  months: readonly string[];
  /** usage field → value per month (NaN: no value) */
  usage: ReadonlyMap<string, readonly number[]>;
  /** each month's summary row (null where the tool has NaN); undefined for a month the summary table has no row for (only ever in a hand-built result) */
  summary: readonly (readonly Cell[] | undefined)[];
  /**
   * 1 for a month where the model saw a judged cell that is not a finite, non-negative number (or
   * VMs, cores or RAM missing), 0 where it saw none: the verdict checks cell by cell only the
   * months marked 1. Absent (a result read from its tables): every month is checked.
   */
  unusual?: ArrayLike<number>;
  /** the services with summary columns, in the result's order */
  services: readonly ServiceColumns[];
}

const kept = new WeakMap<SetResult, SetFigures>();

/** Called by runModel: the figures behind `set`'s tables, for the verdict. */
export function keepSetFigures(set: SetResult, figures: SetFigures): void {
  kept.set(set, figures);
}

/** The label of a verdict field in a result whose storage is shown in `unit`. */
export function verdictFieldLabel(field: VerdictField, unit: string): string {
  return VERDICT_FIELDS[field].replace('{unit}', unit);
}

/** The figures of a set: kept by runModel, else read from its usage and summary_data tables. */
export function setFigures(set: SetResult, services: readonly string[], unit: string): SetFigures {
  return kept.get(set) ?? figuresFromTables(set.usage, set.summary_data, services, unit);
}

const labelKey = (c: string | string[]): string => (Array.isArray(c) ? c.join('\u0000') : c);

function figuresFromTables(usage: Table, sd: Table, services: readonly string[], unit: string): SetFigures {
  const months = usage.index;
  const usageCols = new Map<string, number[]>();
  usage.columns.forEach((c, j) => {
    const name = String(c);
    // the first column of a name wins, as a label lookup would find it
    if (!usageCols.has(name)) usageCols.set(name, usage.data.map((r) => (typeof r[j] === 'number' ? (r[j] as number) : NaN)));
  });
  const sdCol = new Map<string, number>();
  for (let j = sd.columns.length - 1; j >= 0; j--) sdCol.set(labelKey(sd.columns[j]!), j);
  const sdRow = new Map(sd.index.map((d, i) => [d, i] as const));
  const withColumns = services.filter((s) => sdCol.has(labelKey([s, VERDICT_FIELDS.vmsTotal])));
  return {
    months,
    usage: usageCols,
    summary: months.map((d) => { const i = sdRow.get(d); return i === undefined ? undefined : sd.data[i]; }),
    services: withColumns.map((service) => {
      const cols = { service } as ServiceColumns;
      for (const f of Object.keys(VERDICT_FIELDS) as VerdictField[]) cols[f] = sdCol.get(labelKey([service, verdictFieldLabel(f, unit)])) ?? -1;
      return cols;
    }),
  };
}
