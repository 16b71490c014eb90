// Per-service monthly data: compute (CPU, RAM, VMs), data storage, and the summary fields
// (VMs with estimation buffer, HA, storage per VM, OS storage) as the tool's get_summary_data.
import { UsageError } from '../common/errors.ts';
import { decimalOnePlus, estimationBuffers, tenthRound } from './exact.ts';
import type { ServiceConfig, SizingConfig, StorageDataModel, Table, Cell } from './types.ts';
import type { UsageFrame } from './usage.ts';

export interface ServiceData {
  service: ServiceConfig;
  users: number[];
  cpu: number[];
  ram: number[];
  vms: number[];
  vmsUsage: number[];
  addStorage?: number[];
  addRam?: number[];
  ramRequirement?: number[];
  storage: number[];
  /** per data model: [referenced_field, bytes × redundancy] then static_baseline */
  storageParts: [string, number[]][];
}

const GB = 1e9;

function column(df: UsageFrame, field: string, svc: ServiceConfig, key: string): number[] {
  const c = df.columns.get(field);
  if (!c) {
    throw new UsageError(`${svc.where}: services.${svc.name}.${key}: '${field}' is not a usage field (have: ${[...df.columns.keys()].join(', ')})`);
  }
  return c.values;
}

/** Σ field × unit bytes × redundancy, row-wise with NaN skipped (DataFrame.sum(axis=1)). */
function sizeParts(defs: StorageDataModel[], df: UsageFrame, rf: number, svc: ServiceConfig, key: string): [string, number[]][] {
  return defs.map((d, i) => [d.referenced_field, column(df, d.referenced_field, svc, `${key}[${i}].referenced_field`).map((v) => (v * d.unit_bytes.value) * rf)]);
}

function rowSum(parts: [string, number[]][], n: number): number[] {
  // index loops, not `for (const [, p] of parts)`: that made an iterator and a destructuring per
  // month, cold, for every service of every set
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    let acc = 0;
    for (let k = 0; k < parts.length; k++) { const v = parts[k]![1][i]!; if (v === v) acc += v; }
    out.push(acc);
  }
  return out;
}

export function serviceData(config: SizingConfig, df: UsageFrame, svc: ServiceConfig): ServiceData {
  const n = df.index.length;
  const users = df.columns.get('users');
  if (!users) throw new UsageError(`${config.file}: usage.users: missing: the services need a 'users' usage field`);
  const st = svc.storage!;
  // storage
  let storage: number[];
  let storageParts: [string, number[]][] = [];
  if (st.data_models.length) {
    const rf = st.redundancy_factor;
    storageParts = sizeParts(st.data_models, df, rf, svc, 'storage.data_models');
    const staticBytes = st.static_baseline.value * rf;
    const sum = rowSum(storageParts, n).map((v) => v + staticBytes);
    const factor = decimalOnePlus(st.override_storage_buffer ?? config.storage_buffer);
    storage = sum.map((v) => v * factor);
    storageParts.push(['static_baseline', new Array<number>(n).fill(staticBytes)]);
  } else {
    storage = new Array<number>(n).fill(st.static_baseline.value * st.redundancy_factor);
  }
  // compute
  const p = svc.process;
  const usage = column(df, svc.usage_field, svc, 'usage_field');
  let cpu: number[], ram: number[], vms: number[];
  if (p.sub_processes.length) {
    const per = p.sub_processes.map((sp) => (sp.static_number ? new Array<number>(n).fill(sp.static_number) : usage.map((u) => Math.ceil(u / sp.capacity!))));
    const total = usage.map((_, i) => per.reduce((a, s) => a + s[i]!, 0));
    cpu = total.map((t) => t * p.cores_per_sub_process!);
    ram = total.map((t) => t * p.ram_per_sub_process!);
    const byCores = cpu.map((c) => c / p.cores_per_node!);
    const byRam = ram.map((r) => r / p.ram_per_node!);
    // decided once, on the last month (ties and NaN go to RAM), as the tool does
    const useCores = n > 0 && byCores[n - 1]! > byRam[n - 1]!;
    vms = (useCores ? byCores : byRam).map(Math.ceil);
  } else if (svc.usage_capacity_per_node) {
    vms = usage.map((u) => Math.ceil(u / svc.usage_capacity_per_node!));
    cpu = vms.map((v) => v * (p.cores_per_node ?? NaN));
    ram = vms.map((v) => v * (p.ram_per_node ?? NaN));
  } else {
    vms = new Array<number>(n).fill(svc.static_number);
    cpu = vms.slice();
    ram = vms.slice();
  }
  const out: ServiceData = { service: svc, users: users.values, cpu, ram, vms, vmsUsage: vms.slice(), storage, storageParts };
  if (svc.max_storage_per_node) {
    const max = svc.max_storage_per_node;
    const extra = vms.map((v, i) => { let e = storage[i]! - v * max; if (e < 0) e = 0; return Math.ceil(e / max); });
    out.vms = out.vms.map((v, i) => v + extra[i]!);
    out.addStorage = extra;
  }
  if (p.ram_model.length) {
    const parts = sizeParts(p.ram_model, df, p.ram_redundancy_factor, svc, 'process.ram_model');
    const req = rowSum(parts, n).map((v) => (v + 0 * p.ram_redundancy_factor) / GB);
    const perNode = p.ram_per_node! - p.ram_static_baseline;
    const extra = req.map((r, i) => { let d = r - out.vms[i]! * perNode; if (d < 0) d = 0; return Math.ceil(d / perNode); });
    out.vms = out.vms.map((v, i) => v + extra[i]!);
    out.addRam = extra;
    out.ramRequirement = req;
  }
  return out;
}

export function serviceDataTable(index: string[], all: ServiceData[]): Table {
  const columns: string[][] = [];
  const cols: number[][] = [];
  for (const s of all) {
    const name = s.service.name;
    columns.push([name, 'Users', 'users'], [name, 'Compute', 'CPU'], [name, 'Compute', 'RAM'], [name, 'Compute', 'VMs'], [name, 'Compute', 'VMs Usage']);
    cols.push(s.users, s.cpu, s.ram, s.vms, s.vmsUsage);
    if (s.addStorage) { columns.push([name, 'Compute', 'Additional VMs (storage)']); cols.push(s.addStorage); }
    if (s.addRam) { columns.push([name, 'Compute', 'Additional VMs (RAM)']); cols.push(s.addRam); }
    if (s.ramRequirement) { columns.push([name, 'Compute', 'RAM requirement']); cols.push(s.ramRequirement); }
    columns.push([name, 'Data Storage', 'storage']);
    cols.push(s.storage);
    for (const part of s.storageParts) { columns.push([name, 'Data Storage', part[0]]); cols.push(part[1]); }
  }
  // the columns as rows, a NaN as a missing value (null); plain loops and `v === v` for
  // !Number.isNaN(v): this runs cold over every cell of every set
  const n = index.length;
  const w = cols.length;
  // (arrays grown by appending: see summaryRows)
  const data: Cell[][] = [];
  for (let i = 0; i < n; i++) {
    const r: Cell[] = [];
    for (let j = 0; j < w; j++) { const v = cols[j]![i]!; r.push(v === v ? v : null); }
    data.push(r);
  }
  return { index: index.slice(), columns, data };
}

/** A NaN is a missing value (None) in the tool's tables. */
export const nn = (v: number): Cell => (Number.isNaN(v) ? null : v);

export const SUMMARY_FIELDS = (u: string) => [
  'VM Type', 'Cores Per VM', 'Cores HA', 'Cores Total', 'RAM Per VM', 'RAM HA (GB)', 'RAM Total (GB)',
  'Data Storage Per VM (GB)', `Data Storage HA (${u})`, `Data Storage Total (${u})`, `Data Storage RAW (includes HA) (${u})`,
  'VMs HA', 'VMs Total', 'VM Buffer', 'Buffer %', 'OS Storage HA (GB)', 'OS Storage Total (Bytes)', 'OS Storage Total (GB)',
  'Storage Group', 'Aggregation Key',
];

/**
 * The summary of every service of a set, one row per month: service s has the SUMMARY_FIELDS
 * cells at s × SUMMARY_WIDTH … (s + 1) × SUMMARY_WIDTH - 1. Kept in the summary_data table's own
 * layout, so that table is these rows as they are (no transposing of ~100k cells per 8-set run).
 */
export type SummaryRows = Cell[][];

/** Cells per service in a summary row. */
export const SUMMARY_WIDTH = SUMMARY_FIELDS('GB').length;

/**
 * Summary rows for `months` months of `services` services, blank until summaryData fills them.
 * Each row is a copy of one blank row (not `new Array(width)`): an array with holes, even once
 * filled, sends JSON.stringify down its slow path, a property lookup per cell.
 */
export function summaryRows(months: number, services: number): SummaryRows {
  const blank: Cell[] = [];
  for (let j = 0; j < services * SUMMARY_WIDTH; j++) blank.push(null);
  const rows: SummaryRows = [];
  for (let i = 0; i < months; i++) rows.push(blank.slice());
  return rows;
}

const anyNonZero = (xs: number[]) => xs.some((v) => v !== 0 && !Number.isNaN(v));
const maxSkipNaN = (a: number, b: number) => (Number.isNaN(a) ? b : Number.isNaN(b) ? a : Math.max(a, b));

/**
 * get_summary_data for one service: its SUMMARY_FIELDS cells of each month, written into `rows`
 * from cell `s × SUMMARY_WIDTH` on; `unusual[month]` set to 1 where a cell the verdict judges is
 * not a finite, non-negative number (see the end of the loop). Written as one
 * loop per stage over the months, not a chain of `map`s: a `ccready size` run executes this code
 * cold, once per service and set, and the closures and intermediate arrays were most of its time.
 * The arithmetic is the tool's, operation for operation (the parity tests compare every value).
 */
export function summaryData(config: SizingConfig, sd: ServiceData, buf: number[], rows: SummaryRows, s: number, unusual: Uint8Array): void {
  const svc = sd.service;
  const n = buf.length;
  const unit = config.storage_display_unit === 'TB' ? 1e12 : 1e9;
  const V = sd.vms;
  const S = sd.storage;
  const minNodes = svc.min_nodes;
  const oeb = svc.storage!.override_estimation_buffer;
  const minS = svc.min_storage_per_node;
  // VMs: the usage's plus the estimation buffer, at least min_nodes; storage with its buffer
  const nodeBuffer = new Array<number>(n);
  const suggested = new Array<number>(n);
  const T = new Array<number>(n);
  const E = new Array<number>(n);
  let anyGt = false;
  for (let i = 0; i < n; i++) {
    const nb = svc.static_number ? 0 : Math.ceil(V[i]! * buf[i]!);
    const sug = Math.ceil(V[i]! + nb);
    const t = maxSkipNaN(sug, minNodes);
    nodeBuffer[i] = nb;
    suggested[i] = sug;
    T[i] = t;
    E[i] = S[i]! * (oeb !== null ? oeb : buf[i]!);
    if (t > sug) anyGt = true;
  }
  const perVm = new Array<number>(n);
  const total = new Array<number>(n);
  if (svc.storage_scales_with_nodes) {
    for (let i = 0; i < n; i++) {
      perVm[i] = S[i]! + E[i]!;
      total[i] = perVm[i]! * T[i]!;
    }
  } else if (anyGt) {
    // min_nodes raises the VM count in some months: spread buffered storage over all of them there
    for (let i = 0; i < n; i++) {
      const gt = T[i]! > suggested[i]!;
      const lte = gt ? 0 : 1;
      const gtm = gt ? 1 : 0;
      let perLt = ((S[i]! + E[i]!) / V[i]!) * lte;
      const totalGt = (S[i]! + E[i]!) * gtm;
      let perGt = (totalGt / T[i]!) * gtm;
      if (minS !== null) {
        perLt = Math.max(perLt, minS);
        perGt = Math.max(perGt, minS);
      }
      total[i] = perLt * T[i]! * lte + totalGt;
      perVm[i] = perLt + perGt;
    }
  } else if (!anyNonZero(V)) {
    for (let i = 0; i < n; i++) {
      total[i] = S[i]! + E[i]!;
      perVm[i] = NaN;
    }
  } else {
    let belowMin = false;
    for (let i = 0; i < n; i++) {
      total[i] = S[i]!;
      perVm[i] = S[i]! / T[i]!;
      if (minS !== null && perVm[i]! < minS) belowMin = true;
    }
    if (belowMin) {
      for (let i = 0; i < n; i++) {
        perVm[i] = Math.max(perVm[i]!, minS!);
        total[i] = perVm[i]! * T[i]!;
      }
    }
  }
  const ha = svc.include_ha_resources;
  const tAny = anyNonZero(T);
  const vAny = anyNonZero(V);
  const p = svc.process;
  const cpn = p.cores_per_node ?? NaN;
  const rpn = p.ram_per_node ?? NaN;
  const osGb = config.vm_os_storage_gb;
  const vmType = p.cores_per_node !== null && p.ram_per_node !== null ? `${p.cores_per_node}x${p.ram_per_node}` : '';
  const o = s * SUMMARY_WIDTH;
  // the month-independent cells, worked out once
  const coresPerVm = p.cores_per_node === null ? null : nn(p.cores_per_node);
  const ramPerVm = p.ram_per_node === null ? null : nn(p.ram_per_node);
  const group = svc.storage!.group;
  const aggKey = svc.aggregation_key ?? svc.name;
  // a NaN is a missing value (None) in the tool's tables; `x === x ? x : null` is nn() written
  // inline: this loop runs cold for every month of every service of every set, and the call per
  // cell was a good part of its cost
  const INF = Infinity;
  let x: number;
  for (let i = 0; i < n; i++) {
    const storageHa = ha ? total[i]! : 0;
    const cores = tAny ? T[i]! * cpn : 0;
    const coresHa = ha ? cores : 0;
    const ramN = tAny ? T[i]! * rpn : 0;
    const ramHa = ha ? ramN : 0;
    const vmsHa = ha ? T[i]! : 0;
    const vmsTotal = T[i]! + vmsHa;
    const osBytes = vmsTotal * osGb * GB;
    const coresTotal = cores + coresHa;
    const ramTotal = ramN + ramHa;
    const storageHaShown = tenthRound(Math.ceil(storageHa) / unit);
    const storageTotalShown = tenthRound(Math.ceil(total[i]! + storageHa) / unit);
    const osGbTotal = Math.ceil(osBytes / GB);
    const r = rows[i]!;
    r[o] = vmType;
    r[o + 1] = coresPerVm;
    r[o + 2] = coresHa === coresHa ? coresHa : null;
    r[o + 3] = coresTotal === coresTotal ? coresTotal : null;
    r[o + 4] = ramPerVm;
    r[o + 5] = ramHa === ramHa ? ramHa : null;
    r[o + 6] = ramTotal === ramTotal ? ramTotal : null;
    x = tenthRound((vAny ? perVm[i]! : 0) / GB); r[o + 7] = x === x ? x : null;
    r[o + 8] = storageHaShown === storageHaShown ? storageHaShown : null;
    r[o + 9] = storageTotalShown === storageTotalShown ? storageTotalShown : null;
    x = (S[i]! + storageHa) / unit; r[o + 10] = x === x ? x : null;
    r[o + 11] = vmsHa === vmsHa ? vmsHa : null;
    r[o + 12] = vmsTotal === vmsTotal ? vmsTotal : null;
    x = nodeBuffer[i]!; r[o + 13] = x === x ? x : null;
    x = buf[i]!; r[o + 14] = x === x ? x : null;
    x = Math.ceil((vmsHa * osGb * GB) / GB); r[o + 15] = x === x ? x : null;
    r[o + 16] = osBytes === osBytes ? osBytes : null;
    r[o + 17] = osGbTotal === osGbTotal ? osGbTotal : null;
    r[o + 18] = group;
    r[o + 19] = aggKey;
    // the cells the verdict judges (sizing/set-figures.ts VERDICT_FIELDS): a month where one is
    // negative or infinite, or VMs, cores or RAM are missing (NaN fails every comparison), is marked
    // for its cell-by-cell check; every other month passes that check as it is
    if (
      !(vmsTotal >= 0 && vmsTotal < INF && coresTotal >= 0 && coresTotal < INF && ramTotal >= 0 && ramTotal < INF) ||
      vmsHa < 0 || coresHa < 0 || ramHa < 0 || storageHaShown < 0 || storageTotalShown < 0 || osGbTotal < 0 ||
      vmsHa === INF || coresHa === INF || ramHa === INF || storageHaShown === INF || storageTotalShown === INF || osGbTotal === INF
    ) unusual[i] = 1;
  }
}

export function monthBuffers(config: SizingConfig, n: number): number[] {
  return estimationBuffers(config.estimation_buffer, config.estimation_growth_factor, n);
}

export function summaryDataTable(config: SizingConfig, index: string[], names: string[], rows: SummaryRows): Table {
  const fields = SUMMARY_FIELDS(config.storage_display_unit);
  const columns: string[][] = [];
  for (let s = 0; s < names.length; s++) for (let j = 0; j < fields.length; j++) columns.push([names[s]!, fields[j]!]);
  return { index: index.slice(), columns, data: rows };
}
