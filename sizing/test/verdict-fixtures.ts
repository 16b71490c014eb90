// Helpers for the verdict and report tests: a hand-built ModelResult with known figures, and the
// Python tool's reference outputs (in the repository: fixtures/sizing-reference).
import type { Cell, ModelResult, Table } from '../types.ts';
import { SIZING_REFERENCE_DIR, readGolden } from '../../fixtures/reference.ts';

/** The folder of the Python tool's reference outputs (fixtures/sizing-reference). */
export function referenceDir(): string {
  return SIZING_REFERENCE_DIR;
}

export function golden(name: string): ModelResult {
  return readGolden(name) as ModelResult;
}

export interface SynthService {
  name: string;
  group: string | null;
  /** per month */
  vmsTotal: number[];
  vmsHa?: number[];
  coresTotal: number[];
  coresHa?: number[];
  ramTotal: number[];
  ramHa?: number[];
  /** in the display unit */
  storageTotal: number[];
  storageHa?: number[];
  osTotalGb?: number[];
}

/** A ModelResult with only the tables the verdict reads, filled with the given figures. */
export function synthResult(opts: {
  months: string[];
  users: (number | null)[];
  extraUsage?: Record<string, (number | null)[]>;
  services: SynthService[];
  unit?: 'GB' | 'TB';
  osGb?: number;
  osGroup?: string;
}): ModelResult {
  const unit = opts.unit ?? 'TB';
  const index = opts.months.map((m) => `${m}-01`);
  const usageCols = ['users', ...Object.keys(opts.extraUsage ?? {})];
  const usage: Table = {
    index,
    columns: usageCols,
    data: index.map((_, i) => [opts.users[i] ?? null, ...Object.values(opts.extraUsage ?? {}).map((v) => v[i] ?? null)]),
  };
  const fields = ['VMs Total', 'VMs HA', 'Cores Total', 'Cores HA', 'RAM Total (GB)', 'RAM HA (GB)', `Data Storage Total (${unit})`, `Data Storage HA (${unit})`, 'OS Storage Total (GB)', 'Storage Group'];
  const columns: string[][] = opts.services.flatMap((s) => fields.map((f) => [s.name, f]));
  const zero = index.map(() => 0);
  const data: Cell[][] = index.map((_, i) =>
    opts.services.flatMap((s) => [
      s.vmsTotal[i]!,
      (s.vmsHa ?? zero)[i]!,
      s.coresTotal[i]!,
      (s.coresHa ?? zero)[i]!,
      s.ramTotal[i]!,
      (s.ramHa ?? zero)[i]!,
      s.storageTotal[i]!,
      // the tool writes NaN (null) for a zero HA share: tenth_round(0)
      s.storageHa ? s.storageHa[i]! : null,
      (s.osTotalGb ?? zero)[i]!,
      s.group,
    ]),
  );
  const empty: Table = { index: [], columns: [], data: [] };
  return {
    storage_display_unit: unit,
    vm_os_storage_gb: opts.osGb ?? 50,
    vm_os_storage_group: opts.osGroup ?? 'VM_os',
    estimation_buffer: 0.2,
    estimation_growth_factor: 0,
    storage_buffer: 0.25,
    services: opts.services.map((s) => s.name),
    summary_dates_config: [],
    sets_summary_date: null,
    sets: [
      {
        name: 'default',
        context: {},
        usage,
        usage_dtypes: {},
        service_data: empty,
        summary_data: { index, columns, data },
        summary_dates: [index[index.length - 1]!],
        summary_dates_source: 'final usage month',
        summaries: {},
      },
    ],
    status: 'ok',
  };
}
