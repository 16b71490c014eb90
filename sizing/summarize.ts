// Summaries at a date (per-service table with a Total row, storage by group, VMs by size and by
// type), comparisons across dates or sets, and incremental comparisons, as the tool's
// summarize_service_data / compare_summaries / incremental_summaries.
import type { Cell, ComparisonTables, SizingConfig, SummaryAtDate, Table } from './types.ts';
import { SUMMARY_FIELDS, SUMMARY_WIDTH, type SummaryRows } from './service.ts';

const num = (c: Cell): number => (typeof c === 'number' ? c : NaN);
const sortStr = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** pandas' sum of an object column: NaN/None skipped for numbers (0 when nothing is left). */
function sumNumbers(cells: Cell[]): number {
  let acc: number | null = null;
  for (let i = 0; i < cells.length; i++) {
    const c = cells[i];
    if (typeof c !== 'number' || Number.isNaN(c)) continue;
    acc = acc === null ? c : acc + c;
  }
  return acc ?? 0;
}

export function summarizeAt(config: SizingConfig, names: string[], summary: SummaryRows, month: number, userCount: number): SummaryAtDate {
  const u = config.storage_display_unit;
  const unit = u === 'TB' ? 1e12 : 1e9;
  const fields = SUMMARY_FIELDS(u);
  const fi = (f: string) => fields.indexOf(f);
  const order = names.map((n, i) => [n, i] as const).sort((a, b) => sortStr(a[0], b[0]));
  const rowOf = (s: number) => summary[month]!.slice(s * SUMMARY_WIDTH, (s + 1) * SUMMARY_WIDTH);
  // (no array destructuring in these callbacks: in cold code each one runs the iterator protocol)
  const rows = order.map((e) => rowOf(e[1]));
  const index = order.map((e) => e[0]);

  // storage by group: groups sorted, services without a group left out
  const totalCol = fi(`Data Storage Total (${u})`);
  const groupCol = fi('Storage Group');
  const groups = new Map<string, Cell[]>();
  for (const r of rows) {
    const g = r[groupCol];
    if (typeof g !== 'string') continue;
    if (!groups.has(g)) groups.set(g, []);
    groups.get(g)!.push(r[totalCol]!);
  }
  const byGroup = new Map<string, number>();
  for (const [g, cells] of groups) byGroup.set(g, sumNumbers(cells));
  const osg = config.vm_os_storage_group;
  if (!byGroup.has(osg)) byGroup.set(osg, 0);
  const osBytes = sumNumbers(rows.map((r) => r[fi('OS Storage Total (Bytes)')]!));
  byGroup.set(osg, byGroup.get(osg)! + Math.ceil(osBytes / unit));
  const gNames = [...byGroup.keys()].sort(sortStr);
  const storage_by_group: Table = { index: gNames, columns: [`Rounded Total (${u})`], data: gNames.map((g) => [byGroup.get(g)!]) };

  const groupSum = (keyCol: number, valCols: number[]): Table => {
    const m = new Map<string, Cell[][]>();
    for (const r of rows) {
      const k = String(r[keyCol] ?? '');
      if (!m.has(k)) m.set(k, []);
      m.get(k)!.push(valCols.map((c) => r[c]!));
    }
    const keys = [...m.keys()].sort(sortStr);
    return {
      index: keys,
      columns: valCols.map((c) => fields[c]!),
      data: keys.map((k) => valCols.map((_, j) => sumNumbers(m.get(k)!.map((x) => x[j]!)))),
    };
  };
  const vm_slabs = groupSum(fi('VM Type'), [fi('VMs Total')]);
  vm_slabs.columns = ['Count'];
  const vm_aggs = groupSum(fi('Aggregation Key'), [fi('Cores Total'), fi('RAM Total (GB)'), fi('VMs Total')]);

  // service summary: without VM Type and OS bytes, plus the column sums as a Total row
  const keepAt: number[] = [];
  const keepNames: string[] = [];
  for (let j = 0; j < fields.length; j++) {
    const f = fields[j]!;
    if (f !== 'VM Type' && f !== 'OS Storage Total (Bytes)') { keepAt.push(j); keepNames.push(f); }
  }
  const data2 = rows.map((r) => keepAt.map((j) => r[j]!));
  const total = keepNames.map((f, k) => {
    const cells = data2.map((r) => r[k]!);
    if (f === 'Storage Group' || f === 'Aggregation Key') {
      // strings concatenate in row order; a None makes pandas 1.5 give up (null)
      return cells.some((c) => typeof c !== 'string') ? null : cells.join('');
    }
    return sumNumbers(cells);
  });
  const service_summary: Table = { index: [...index, 'Total'], columns: keepNames, data: [...data2, total] };
  return { user_count: userCount, service_summary, storage_by_group, vm_slabs, vm_aggs };
}

const colIndex = (t: Table, name: string) => t.columns.findIndex((c) => c === name);

/** compare_summaries over summaries keyed by date (or set name), in the given order (dates are sorted by the caller, sets keep config order). */
export function compareSummaries(config: SizingConfig, entries: [string, SummaryAtDate][]): ComparisonTables {
  const u = config.storage_display_unit;
  const sorted = entries;
  const keys = sorted.map((e) => e[0]);
  const first = entries[0]![1].service_summary;
  const rowsIdx = first.index;
  // storage by category
  const groupCol = colIndex(first, 'Storage Group');
  let cat: Cell[][] = rowsIdx.map((_, i) => [
    ...sorted.map((e) => e[1].service_summary.data[i]![colIndex(e[1].service_summary, `Data Storage Total (${u})`)]!),
    first.data[i]![groupCol]!,
  ]);
  cat = cat.map((r) => r.map((c) => (c === 0 ? null : c)));
  let catIndex = rowsIdx.slice();
  const keepRow = cat.map((r) => r.some((c) => c !== null && !(typeof c === 'number' && Number.isNaN(c))));
  catIndex = catIndex.filter((_, i) => keepRow[i]);
  cat = cat.filter((_, i) => keepRow[i]);
  const ti = catIndex.indexOf('Total');
  if (ti >= 0) { catIndex.splice(ti, 1); cat.splice(ti, 1); }
  const storage_by_category: Table = { index: catIndex, columns: [...keys, 'Group'], data: cat };

  // storage by group: outer join of the group rows
  const gset = new Set<string>();
  for (const e of sorted) e[1].storage_by_group.index.forEach((g) => gset.add(g));
  const gIdx = [...gset].sort(sortStr);
  const storage_by_group: Table = {
    index: gIdx,
    columns: keys.map((k) => [k, `Rounded Total (${u})`]),
    data: gIdx.map((g) => sorted.map((e) => { const t = e[1].storage_by_group; const i = t.index.indexOf(g); return i < 0 ? null : t.data[i]![0]!; })),
  };

  // compute: rows with a zero or NaN anywhere are dropped
  const cfs: [string, string][] = [['Cores Total', 'Cores'], ['RAM Total (GB)', 'RAM (GB)'], ['VMs Total', 'VMs']];
  const cIdx: string[] = [];
  const cData: Cell[][] = [];
  rowsIdx.forEach((name, i) => {
    const row = sorted.flatMap((e) => cfs.map((f) => e[1].service_summary.data[i]![colIndex(e[1].service_summary, f[0])]!));
    if (row.every((c) => typeof c === 'number' && c > 0)) { cIdx.push(name); cData.push(row); }
  });
  const compute: Table = { index: cIdx, columns: keys.flatMap((k) => cfs.map((f) => [k, f[1]])), data: cData };
  return { storage_by_category, storage_by_group, compute };
}

/** incremental_summaries: the first date as is, each later date minus the previous one. */
export function incrementalSummaries(cmp: ComparisonTables, dates: string[]): ComparisonTables {
  const diff = (t: Table, width: number, extra: number): Table => ({
    index: t.index.slice(),
    columns: t.columns.slice(),
    data: t.data.map((r) => r.map((c, j) => {
      if (j >= dates.length * width) return c; // Group column
      if (j < width) return c;
      return num(c) - num(r[j - width]!);
    }).map((c) => (typeof c === 'number' && Number.isNaN(c) ? null : c)).slice(0, dates.length * width + extra)),
  });
  return {
    storage_by_category: diff(cmp.storage_by_category, 1, 1),
    storage_by_group: diff(cmp.storage_by_group, 1, 0),
    compute: diff(cmp.compute, 3, 0),
  };
}
