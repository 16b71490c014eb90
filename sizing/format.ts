// Output of a sizing run: the console tables the Python tool prints (aligned like pandas, floats
// with one decimal), the JSON document (golden.json layout) and one CSV per table.
import { stringify } from 'csv-stringify/sync';
import type { Cell, ComparisonTables, ModelResult, SetResult, SizingConfig, SummaryAtDate, Table } from './types.ts';

function fmtCell(c: Cell): string {
  if (c === null) return 'NaN';
  if (typeof c === 'number') {
    if (Number.isInteger(c)) return String(c);
    // the tool prints '{:.1f}', which shows a 5 GB service as 0.0 TB; keep 3 significant digits
    return Math.abs(c) >= 100 ? c.toFixed(1) : String(Number(c.toPrecision(3)));
  }
  return c;
}

/** A pandas-like text rendering: index on the left, right-aligned columns, 2-row multi-level headers. */
export function renderTable(t: Table): string {
  const levels = Math.max(1, ...t.columns.map((c) => (Array.isArray(c) ? c.length : 1)));
  const header = (lvl: number) => t.columns.map((c, j) => {
    const parts = Array.isArray(c) ? c : [c];
    const part = parts[lvl - (levels - parts.length)] ?? '';
    // like pandas, repeat an upper level label only where it changes
    if (lvl < levels - 1 && j > 0) {
      const prev = t.columns[j - 1]!;
      const pp = Array.isArray(prev) ? prev : [prev];
      if (pp[lvl - (levels - pp.length)] === part) return '';
    }
    return part;
  });
  const headers = Array.from({ length: levels }, (_, l) => header(l));
  const body = t.data.map((r) => r.map(fmtCell));
  const widths = t.columns.map((_, j) => Math.max(...headers.map((h) => h[j]!.length), ...body.map((r) => r[j]!.length)));
  const iw = Math.max(0, ...t.index.map((s) => s.length));
  const lines: string[] = [];
  for (const h of headers) lines.push(`${' '.repeat(iw)}  ${h.map((x, j) => x.padStart(widths[j]!)).join('  ')}`.trimEnd());
  body.forEach((r, i) => lines.push(`${t.index[i]!.padEnd(iw)}  ${r.map((x, j) => x.padStart(widths[j]!)).join('  ')}`.trimEnd()));
  return lines.join('\n');
}

const section = (title: string, t: Table) => `---------- ${title} ----------\n\n${renderTable(t)}\n`;

function computeTotals(compute: Table): Table | null {
  const ti = compute.index.indexOf('Total');
  if (ti < 0) return null;
  const keys = [...new Set(compute.columns.map((c) => (c as string[])[0]!))];
  const cats = ['Cores', 'RAM (GB)', 'VMs'];
  return {
    index: cats,
    columns: keys,
    data: cats.map((cat) => keys.map((k) => compute.data[ti]![compute.columns.findIndex((c) => (c as string[])[0] === k && (c as string[])[1] === cat)]!)),
  };
}

function comparisonText(config: SizingConfig, title: string, c: ComparisonTables, prefix: string): string {
  const u = config.storage_display_unit;
  const parts = [`==================== ${title} ====================\n`];
  parts.push(section(`${prefix}Storage by Group (${u})`, c.storage_by_group));
  const totals = computeTotals(c.compute);
  if (totals) parts.push(section(`${prefix}Compute Totals`, totals));
  parts.push(section(`${prefix}Storage by Service (${u})`, c.storage_by_category));
  parts.push(section(`${prefix}Compute Combined`, c.compute));
  return parts.join('\n');
}

function vmSummary(config: SizingConfig, s: SummaryAtDate): Table {
  const u = config.storage_display_unit;
  const cols = ['Cores Per VM', 'RAM Per VM', 'Data Storage Per VM (GB)', 'VMs Total', `Data Storage Total (${u})`, 'Storage Group', 'OS Storage Total (GB)'];
  const t = s.service_summary;
  const idx = cols.map((c) => t.columns.indexOf(c));
  const rows = t.index.map((name, i) => [name, i] as const).filter(([n]) => n !== 'Total');
  return {
    index: rows.map(([n]) => n),
    columns: [...cols, 'OS Storage Per VM (GB)'],
    // the tool shows zeros as NaN here
    data: rows.map(([, i]) => [...idx.map((j) => t.data[i]![j]!), config.vm_os_storage_gb].map((c) => (c === 0 ? null : c))),
  };
}

export function summaryText(config: SizingConfig, date: string, s: SummaryAtDate): string {
  const users = `${Math.trunc(s.user_count / 1000)}K users`;
  return [
    `==================== ${date} - ${users} ====================\n`,
    section(`Storage by Group (${config.storage_display_unit})`, s.storage_by_group),
    section('VMs by Size', s.vm_slabs),
    section('VMs by Type', s.vm_aggs),
    section('VM Summary', vmSummary(config, s)),
    section('Service Detailed Summary', { ...s.service_summary, data: s.service_summary.data.map((r) => r.map((c) => (c === 0 ? null : c))) }),
  ].join('\n');
}

export function usageFieldText(set: SetResult, field: string): string {
  const j = set.usage.columns.indexOf(field);
  return `${renderTable({ index: set.usage.index, columns: [field], data: set.usage.data.map((r) => [r[j]!]) })}\n`;
}

/** The whole console report, in run_model.py's order. */
export function consoleText(config: SizingConfig, result: ModelResult, opts: { usageField?: string } = {}): string {
  const out: string[] = [];
  for (const set of result.sets) {
    out.push(`Generating data for set '${set.name}'\n`);
    if (opts.usageField) out.push(usageFieldText(set, opts.usageField));
    if (set.comparisons && set.incrementals) {
      out.push(comparisonText(config, 'Comparisons', set.comparisons, ''));
      out.push(comparisonText(config, 'Incremental Comparisons', set.incrementals, 'Incremental '));
    }
    for (const d of set.summary_dates) out.push(summaryText(config, d, set.summaries[d]!));
  }
  if (result.set_comparison) {
    out.push(comparisonText(config, `Set Comparison (${result.sets_summary_date})`, result.set_comparison, ''));
  }
  return out.join('\n');
}

/** One JSON document in the golden.json layout (metadata keys are ccready's own). */
export function jsonText(config: SizingConfig, result: ModelResult): string {
  return `${JSON.stringify({ format: 'ccready-sizing/1', config_file: config.file, ...result }, null, 1)}\n`;
}

function csv(t: Table): string {
  const head = ['', ...t.columns.map((c) => (Array.isArray(c) ? c.join(' / ') : c))];
  return stringify([head, ...t.data.map((r, i) => [t.index[i]!, ...r.map((c) => (c === null ? '' : c))])]);
}

const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, '_');

/** Files for `--out DIR`: one CSV per table plus sizing.json. */
export function outputFiles(config: SizingConfig, result: ModelResult): Record<string, string> {
  const files: Record<string, string> = { 'sizing.json': jsonText(config, result) };
  for (const s of result.sets) {
    const base = `${safe(s.name)}/`;
    files[`${base}usage.csv`] = csv(s.usage);
    files[`${base}service_data.csv`] = csv(s.service_data);
    files[`${base}summary_data.csv`] = csv(s.summary_data);
    for (const [d, sm] of Object.entries(s.summaries)) {
      for (const k of ['service_summary', 'storage_by_group', 'vm_slabs', 'vm_aggs'] as const) files[`${base}${d}/${k}.csv`] = csv(sm[k]);
    }
    for (const sec of ['comparisons', 'incrementals'] as const) {
      const c = s[sec];
      if (c) for (const k of ['storage_by_category', 'storage_by_group', 'compute'] as const) files[`${base}${sec}/${k}.csv`] = csv(c[k]);
    }
  }
  if (result.set_comparison) {
    for (const k of ['storage_by_category', 'storage_by_group', 'compute'] as const) files[`set_comparison/${k}.csv`] = csv(result.set_comparison[k]);
  }
  return files;
}
