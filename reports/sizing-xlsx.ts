// The planner's workbook: the same sheets and tables, in the same places, as the Python
// commcare_resource_model writes with `-o model.xlsx` (so people who know that spreadsheet find
// everything where they expect it), plus a `Verdict` sheet. Unlike the Python tool,
// `storage_display_unit: GB` works (it hard-codes the TB column).
import type ExcelJS from 'exceljs';
import { fitsUntilText, memorySplitRows, memorySplitSources, memorySplitSummary, formatCoresCapacity, purchaseLines, whatIfRows, type Cell, type ComparisonTables, type ModelResult, type SetResult, type Table, type Verdict, type WhatIfRow } from '../sizing/index.ts';
import { formatServerSpec } from '../common/server-spec.ts';

// Cell styles of the Python tool's xlsxwriter formats / pandas' header style.
const BORDER: Partial<ExcelJS.Borders> = {
  left: { style: 'thin' },
  right: { style: 'thin' },
  top: { style: 'thin' },
  bottom: { style: 'thin' },
};
const HEADING: Partial<ExcelJS.Style> = {
  font: { bold: true },
  border: BORDER,
  alignment: { horizontal: 'center', vertical: 'middle' },
  fill: { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFCCFFFF' } },
};
const COLUMN_HEADER: Partial<ExcelJS.Style> = { font: { bold: true }, border: BORDER, alignment: { horizontal: 'center', vertical: 'top' } };
const INDEX: Partial<ExcelJS.Style> = { font: { bold: true }, border: BORDER, alignment: { horizontal: 'left' } };
const TOTAL: Partial<ExcelJS.Style> = { font: { bold: true }, border: BORDER, alignment: { horizontal: 'right' } };

/** A table to write: like a pandas frame, columns may have one level or two. */
interface Frame {
  index: string[];
  columns: (string | string[])[];
  data: Cell[][];
}

/** Python's `'{:.1f}'.format(x)`: like toFixed(1) except that exact ties go to the even digit. */
export function pyFormat1(x: number): string {
  const a = Math.abs(x);
  // An exact binary tie at one decimal is a multiple of 0.25 that is not a multiple of 0.5.
  if (Number.isSafeInteger(a * 4) && (a * 4) % 4 === 1) {
    // …x.25 is a tie: JS rounds it up to x.3, Python to the even x.2 (x.75 goes up in both)
    return (x < 0 ? '-' : '') + (Math.floor(a * 10) / 10).toFixed(1);
  }
  return x.toFixed(1);
}

/** Writes tables one below the other, the way the Python tool's ExcelWriter does. */
class SheetWriter {
  private pos = 0; // 0-based row of the next table
  private widths: number[] = [];
  constructor(readonly ws: ExcelJS.Worksheet) {}

  private note(col: number, text: string): void {
    this.widths[col] = Math.max(this.widths[col] ?? 0, text.length);
  }

  /**
   * `asString`: the tool's `write_string` cells (index labels, total row), where '' is kept as an
   * empty string; in data cells NaN, None and '' are blank, as pandas writes them.
   */
  private set(r: number, c: number, v: Cell | undefined, style?: Partial<ExcelJS.Style>, asString = false): void {
    const cell = this.ws.getCell(r + 1, c + 1);
    if (v === null || v === undefined || (v === '' && !asString) || (typeof v === 'number' && !Number.isFinite(v))) {
      if (style) cell.style = style;
      return;
    }
    cell.value = v;
    if (style) cell.style = style;
    this.note(c, typeof v === 'number' ? String(v) : v);
  }

  /** A merged heading row spanning the index column and every data column. */
  private heading(text: string, ncols: number): void {
    const r = this.pos + 1;
    if (ncols > 0) this.ws.mergeCells(r, 1, r, ncols + 1);
    const cell = this.ws.getCell(r, 1);
    cell.value = text;
    cell.style = HEADING;
    this.pos += 1;
  }

  /** pandas `to_excel` layout: header row(s), a blank index-name row for two-level columns, data. */
  frame(f: Frame, heading?: string, opts: { indexLabel?: string; totalRow?: boolean } = {}): void {
    const ncols = f.columns.length;
    if (heading) this.heading(heading, ncols);
    const multi = f.columns.some((c) => Array.isArray(c));
    let r = this.pos;
    if (multi) {
      const top = f.columns.map((c) => (Array.isArray(c) ? c[0]! : c));
      const sub = f.columns.map((c) => (Array.isArray(c) ? c[c.length - 1]! : ''));
      // consecutive equal top labels are one merged cell, as pandas writes them
      let start = 0;
      for (let j = 1; j <= ncols; j++) {
        if (j === ncols || top[j] !== top[start]) {
          if (j - 1 > start) this.ws.mergeCells(r + 1, start + 2, r + 1, j + 1);
          this.set(r, start + 1, top[start]!, COLUMN_HEADER);
          start = j;
        }
      }
      sub.forEach((s, j) => this.set(r + 1, j + 1, s, COLUMN_HEADER));
      r += 3;
    } else {
      if (opts.indexLabel !== undefined && !heading) this.set(r, 0, opts.indexLabel, COLUMN_HEADER);
      f.columns.forEach((c, j) => this.set(r, j + 1, c as string, COLUMN_HEADER));
      r += 1;
    }
    const last = f.index.length - 1;
    f.index.forEach((label, i) => {
      this.set(r + i, 0, label, INDEX, true);
      const row = f.data[i]!;
      if (opts.totalRow && i === last) {
        row.forEach((v, j) => this.set(r + i, j + 1, typeof v === 'number' && Number.isFinite(v) ? pyFormat1(v) : '', TOTAL, true));
      } else {
        row.forEach((v, j) => this.set(r + i, j + 1, v));
      }
    });
    this.pos = r + f.index.length + 2;
  }

  /** `User counts` across (comparison sheets): dates as columns, one row. */
  userCountsHorizontal(rows: [string, number][]): void {
    this.heading('User counts', rows.length);
    rows.forEach(([d], j) => this.set(this.pos, j + 1, d, COLUMN_HEADER));
    this.set(this.pos + 1, 0, 'User count', INDEX);
    rows.forEach(([, n], j) => this.set(this.pos + 1, j + 1, n));
    this.pos += 3;
  }

  /** `User counts` down (summary sheets): the date and its count. */
  userCountsVertical(rows: [string, number][]): void {
    this.heading('User counts', 1);
    rows.forEach(([d, n], i) => {
      this.set(this.pos + i, 0, d, INDEX);
      this.set(this.pos + i, 1, n);
    });
    this.pos += rows.length + 1;
  }

  /** Free rows of text/values (Verdict, Config sheets). */
  rows(rows: (Cell | undefined)[][], style?: Partial<ExcelJS.Style>): void {
    rows.forEach((row, i) => row.forEach((v, j) => this.set(this.pos + i, j, v ?? null, i === 0 ? style : undefined)));
    this.pos += rows.length;
  }

  skip(n = 1): void {
    this.pos += n;
  }

  finish(maxWidth = 120): void {
    this.widths.forEach((w, i) => {
      if (w) this.ws.getColumn(i + 1).width = Math.min(maxWidth, w + 2);
    });
  }
}

const dateLabel = (d: string): string => d.slice(0, 10);
const colLabel = (c: string | string[]): string => (Array.isArray(c) ? c.join(': ') : c);

function pickColumns(t: Table, names: string[]): Frame {
  const idx = names.map((n) => t.columns.findIndex((c) => colLabel(c) === n));
  return { index: t.index, columns: names, data: t.data.map((row) => idx.map((i) => (i < 0 ? null : row[i]!))) };
}

const zeroToNull = (v: Cell): Cell => (v === 0 ? null : v);

function writeComparisons(ws: SheetWriter, unit: string, cmp: ComparisonTables, userCounts: [string, number][] | null, prefix: string): void {
  if (userCounts) ws.userCountsHorizontal(userCounts);
  ws.frame(cmp.storage_by_group, `${prefix}Storage by Group (${unit})`);
  // Compute totals: the `Total` row of the compute table, one row per category.
  const compute = cmp.compute;
  const categories = [...new Set(compute.columns.map((c) => (Array.isArray(c) ? c[1]! : c)))].sort();
  const dates = [...new Set(compute.columns.map((c) => (Array.isArray(c) ? c[0]! : c)))];
  const totalIdx = compute.index.indexOf('Total');
  const totals: Frame = {
    index: categories,
    columns: dates,
    data: categories.map((cat) =>
      dates.map((d) => {
        const j = compute.columns.findIndex((c) => Array.isArray(c) && c[0] === d && c[1] === cat);
        return totalIdx < 0 || j < 0 ? null : compute.data[totalIdx]![j]!;
      }),
    ),
  };
  ws.frame(totals, `${prefix}Compute Totals`);
  ws.frame(cmp.storage_by_category, `${prefix}Storage by Service (${unit})`);
  ws.frame(compute, `${prefix}Compute Combined`, { totalRow: true });
}

function summarySheetName(date: string, users: number): string {
  return `${dateLabel(date)} - ${Math.trunc(users / 1000)}K users`;
}

function writeSummary(ws: SheetWriter, result: ModelResult, set: SetResult, date: string): void {
  const unit = result.storage_display_unit;
  const s = set.summaries[date]!;
  ws.userCountsVertical([[dateLabel(date), s.user_count]]);
  ws.frame(s.storage_by_group, `Storage by Group (${unit})`);
  ws.frame(s.vm_slabs, 'VMs by Size');
  ws.frame(s.vm_aggs, 'VMs by Type');
  const vmCols = ['Cores Per VM', 'RAM Per VM', 'Data Storage Per VM (GB)', 'VMs Total', `Data Storage Total (${unit})`, 'Storage Group', 'OS Storage Total (GB)'];
  const vm = pickColumns(s.service_summary, vmCols);
  const keep = vm.index.map((n, i) => [n, i] as const).filter(([n]) => n !== 'Total');
  ws.frame(
    {
      index: keep.map(([n]) => n),
      columns: [...vmCols, 'OS Storage Per VM (GB)'],
      data: keep.map(([, i]) => [...vm.data[i]!, result.vm_os_storage_gb].map(zeroToNull)),
    },
    'VM Summary',
  );
  const ss = s.service_summary;
  ws.frame({ index: ss.index, columns: ss.columns, data: ss.data.map((r) => r.map(zeroToNull)) }, 'Service Detailed Summary', { totalRow: true });
}

function writeRawService(ws: SheetWriter, set: SetResult, service: string): void {
  const sd = set.service_data;
  const sum = set.summary_data;
  const sdCols = sd.columns.map((c, j) => [c, j] as const).filter(([c]) => Array.isArray(c) && c[0] === service);
  const sumCols = sum.columns.map((c, j) => [c, j] as const).filter(([c]) => Array.isArray(c) && c[0] === service);
  const sumRow = new Map(sum.index.map((d, i) => [d, i] as const));
  ws.frame(
    {
      index: sd.index.map(dateLabel),
      columns: [...sdCols.map(([c]) => (c as string[]).slice(1).join(': ')), ...sumCols.map(([c]) => (c as string[])[1]!)],
      data: sd.index.map((d, i) => {
        const si = sumRow.get(d);
        return [...sdCols.map(([, j]) => sd.data[i]![j]!), ...sumCols.map(([, j]) => (si === undefined ? null : sum.data[si]![j]!))];
      }),
    },
    undefined,
    { indexLabel: 'Dates' },
  );
}

function writeVerdict(ws: SheetWriter, v: Verdict, whatIf: WhatIfRow[] | undefined): void {
  const unitGb = (n: number) => Math.round(n * 10) / 10;
  ws.rows([['Verdict'], ['Server', formatServerSpec(v.server)], ['Server from', v.server.source], ['CPU sharing (cpu_overcommit)', v.server.cpu_overcommit, `cores limit = ${formatCoresCapacity(v.server)}`], ['Set', v.set], ['Horizon', `${v.horizon.start} .. ${v.horizon.end}`, `${v.horizon.months} months`]], HEADING);
  ws.rows([['Result', v.fits ? 'FITS' : 'DOES NOT FIT', fitsUntilText(v) ?? ''], ['Recommended tier', v.tier.name, v.tier.servers]]);
  for (const r of v.tier.reasons) ws.rows([['Reason', r]]);
  for (const line of purchaseLines(v)) ws.rows([['To buy', line]]);
  if (v.memorySplit) {
    ws.rows([[`Memory split (${v.memorySplit.month})`, memorySplitSummary(v)]]);
    for (const r of memorySplitRows(v).slice(1)) ws.rows([['RAM', ...r]]);
    for (const line of memorySplitSources(v)) ws.rows([['Setting source', line]]);
  }
  if (v.backup) ws.rows([['Backups', `peak ${Math.round(v.backup.peakGb)} GB`, v.backup.assumption]]);
  for (const w of v.warnings) ws.rows([['Note', w]]);
  ws.skip();
  ws.frame(
    {
      index: v.limits.map((l) => l.label),
      columns: ['Unit', 'Peak', 'Peak month', 'Capacity', 'Headroom %', 'Verdict', 'First crossed', 'Message'],
      data: v.limits.map((l) => [l.unit, l.peak === null ? null : Math.round(l.peak * 10) / 10, l.peakMonth, l.limit, l.headroomPct === null ? null : Math.round(l.headroomPct * 10) / 10, l.status, l.firstCrossed, l.message]),
    },
    'Limits (peak over the horizon)',
  );
  ws.frame(
    {
      index: [...v.arithmetic.map((s) => s.service), 'Total'],
      columns: ['Storage Group', 'Cores Total', 'Cores HA', 'Cores (monolith)', 'RAM Total (GB)', 'RAM HA (GB)', 'RAM (monolith, GB)', 'Data Storage Total (GB)', 'Data Storage HA (GB)', 'Data Storage (monolith, GB)', 'OS Storage (cluster, GB)'],
      data: [
        ...v.arithmetic.map((s) => [s.storageGroup, s.coresTotal, s.coresHa, s.cores, s.ramTotalGb, s.ramHaGb, s.ramGb, unitGb(s.storageTotalGb), unitGb(s.storageHaGb), unitGb(s.storageGb), s.clusterOsStorageGb]),
        [
          `+ OS once: ${v.vmOsStorageGb} GB (${v.vmOsStorageGroup})`,
          sum(v.arithmetic, 'coresTotal'),
          sum(v.arithmetic, 'coresHa'),
          sum(v.arithmetic, 'cores'),
          sum(v.arithmetic, 'ramTotalGb'),
          sum(v.arithmetic, 'ramHaGb'),
          sum(v.arithmetic, 'ramGb'),
          unitGb(sum(v.arithmetic, 'storageTotalGb')),
          unitGb(sum(v.arithmetic, 'storageHaGb')),
          unitGb(sum(v.arithmetic, 'storageGb') + v.vmOsStorageGb),
          sum(v.arithmetic, 'clusterOsStorageGb'),
        ],
      ],
    },
    `Monolith arithmetic at ${v.arithmeticMonth} (monolith = Total - HA; OS storage counted once)`,
  );
  const groups = [...new Set(v.monthly.flatMap((m) => Object.keys(m.storageByGroupGb)))].sort();
  ws.frame(
    {
      index: v.monthly.map((m) => m.month),
      columns: ['Users', 'Active cases', 'Active cases per user', 'Storage (GB)', ...groups.map((g) => `Storage ${g} (GB)`), 'RAM (GB)', 'Cores', 'Cluster VMs', 'Cluster RAM (GB)', 'Cluster Cores'],
      data: v.monthly.map((m) => [
        m.users,
        m.activeCases,
        m.activeCasesPerUser === null ? null : Math.round(m.activeCasesPerUser * 10) / 10,
        unitGb(m.storageGb),
        ...groups.map((g) => (m.storageByGroupGb[g] === undefined ? null : unitGb(m.storageByGroupGb[g]!))),
        m.ramGb,
        m.cores,
        m.clusterVms,
        m.clusterRamGb,
        m.clusterCores,
      ]),
    },
    'Monthly (monolith figures vs the server)',
    {},
  );
  if (whatIf && whatIf.length > 0) {
    const rows = whatIfRows(whatIf);
    ws.frame({ index: rows.slice(1).map((r) => r[0]!), columns: rows[0]!.slice(1), data: rows.slice(1).map((r) => r.slice(1)) }, `What-if (${rows[0]![0]})`);
  }
}

function sum<T>(xs: T[], key: keyof T): number {
  return xs.reduce((a, x) => a + (x[key] as unknown as number), 0);
}

function safeSheetName(name: string, taken: Set<string>): string {
  // Excel allows 31 characters and no []:*?/\ in a sheet name.
  let base = name.replace(/[[\]:*?/\\]/g, '_').slice(0, 31);
  let n = base;
  for (let i = 2; taken.has(n.toLowerCase()); i++) n = `${base.slice(0, 31 - String(i).length - 1)}~${i}`;
  taken.add(n.toLowerCase());
  return n;
}

export interface WorkbookOptions {
  /** the config file's text and name, for the `Config` sheet */
  configText?: string;
  configName?: string;
  generator?: string;
  whatIf?: WhatIfRow[];
}

/** One set's workbook, sheet for sheet as the Python tool writes it, plus `Verdict`. */
/** exceljs, loaded on first use (it takes a while to load; the CLI bundles every command). */
async function excel(): Promise<typeof ExcelJS> {
  return (await import('exceljs')).default;
}

export async function buildSetWorkbook(result: ModelResult, set: SetResult, verdict: Verdict | null, opts: WorkbookOptions = {}): Promise<Buffer> {
  const wb = new (await excel()).Workbook();
  wb.creator = opts.generator ?? 'ccready';
  const taken = new Set<string>();
  const sheet = (name: string) => new SheetWriter(wb.addWorksheet(safeSheetName(name, taken)));
  const unit = result.storage_display_unit;
  const writers: SheetWriter[] = [];

  if (verdict) {
    const w = sheet('Verdict');
    writeVerdict(w, verdict, opts.whatIf);
    writers.push(w);
  }
  const dates = [...set.summary_dates].sort();
  if (dates.length > 1 && set.comparisons && set.incrementals) {
    const counts: [string, number][] = dates.map((d) => [dateLabel(d), set.summaries[d]!.user_count]);
    const c = sheet('Comparisons');
    writeComparisons(c, unit, set.comparisons, counts, '');
    const ic = sheet('Incremental Comparisons');
    writeComparisons(ic, unit, set.incrementals, counts, 'Incremental ');
    writers.push(c, ic);
  }
  for (const d of dates) {
    const s = set.summaries[d];
    if (!s) continue;
    const w = sheet(summarySheetName(d, s.user_count));
    writeSummary(w, result, set, d);
    writers.push(w);
  }
  const u = sheet('Usage');
  u.frame({ index: set.usage.index.map(dateLabel), columns: set.usage.columns, data: set.usage.data }, undefined, { indexLabel: 'Dates' });
  writers.push(u);
  const services = [...new Set(set.service_data.columns.map((c) => (Array.isArray(c) ? c[0]! : c)))].sort();
  for (const svc of services) {
    const w = sheet(`Raw Data (${svc})`);
    writeRawService(w, set, svc);
    writers.push(w);
  }
  for (const w of writers) w.finish();
  if (opts.configText !== undefined) {
    const c = sheet('Config');
    c.rows([[`Config filename: ${opts.configName ?? 'config.yml'}`], [`Generated by: ${opts.generator ?? 'ccready'}`], [''], ...opts.configText.split('\n').map((l) => [l])]);
    c.finish(200);
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** The workbook comparing sets at `sets_summary_date` (Python: model-comparison.xlsx). */
export async function buildSetComparisonWorkbook(result: ModelResult, opts: WorkbookOptions = {}): Promise<Buffer | null> {
  if (!result.set_comparison) return null;
  const wb = new (await excel()).Workbook();
  wb.creator = opts.generator ?? 'ccready';
  const w = new SheetWriter(wb.addWorksheet('Comparisons'));
  writeComparisons(w, result.storage_display_unit, result.set_comparison, null, '');
  w.finish();
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/**
 * Every workbook of a run by file name: `model.xlsx` for one set; `model-<set>.xlsx` per set and
 * `model-comparison.xlsx` (when the config sets `sets_summary_date`) for several, as the Python tool.
 */
export async function buildSizingWorkbooks(result: ModelResult, verdicts: Verdict[], opts: WorkbookOptions = {}): Promise<Record<string, Buffer>> {
  const out: Record<string, Buffer> = {};
  const single = result.sets.length === 1;
  for (const set of result.sets) {
    const v = verdicts.find((x) => x.set === set.name) ?? null;
    const name = single ? 'model.xlsx' : `model-${set.name.replace(/[^A-Za-z0-9_.-]/g, '_')}.xlsx`;
    out[name] = await buildSetWorkbook(result, set, v, { ...opts, whatIf: single ? opts.whatIf : undefined });
  }
  if (!single) {
    const cmp = await buildSetComparisonWorkbook(result, opts);
    if (cmp) out['model-comparison.xlsx'] = cmp;
  }
  return out;
}
