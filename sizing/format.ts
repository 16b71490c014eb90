// Text of a sizing run: the console tables the Python tool prints (aligned like pandas, floats with
// one decimal), the JSON document (golden.json layout), and the verdict and what-if text that the
// console and the report writers share. No I/O. (One CSV per table: sizing/csv.ts.)
import { coresCapacity, formatServerSpec, type ServerSpec } from '../common/server-spec.ts';
import { formatBox } from './purchase.ts';
import { monolithSetting } from './monolith-settings.ts';
import type { Cell, ComparisonTables, LimitKey, ModelResult, SetResult, SizingConfig, SummaryAtDate, Table, Verdict, WhatIfRow } from './types.ts';

function fmtCell(c: Cell): string {
  // pandas prints NaN; a planner reads a blank as "no value" without learning pandas
  if (c === null) return '';
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
  // a Total row sums numbers; pandas also "sums" text columns into SSDSSDSSD…: shown blank (as in the workbook)
  const body = t.data.map((r, i) => r.map((c) => (t.index[i] === 'Total' && typeof c === 'string' ? '' : fmtCell(c))));
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
  const rows = t.index.map((name, i) => [name, i] as const).filter((r) => r[0] !== 'Total');
  return {
    index: rows.map((r) => r[0]),
    columns: [...cols, 'OS Storage Per VM (GB)'],
    // the tool shows zeros as NaN here
    data: rows.map((r) => [...idx.map((j) => t.data[r[1]]![j]!), config.vm_os_storage_gb].map((c) => (c === 0 ? null : c))),
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

// ---------------------------------------------------------------------------------------------
// Verdict and what-if text (console; the report writers reuse the rows)

/** "8 cores × 2 CPU sharing = 16" (or "8 cores, strict" when the factor is 1). */
export function formatCoresCapacity(s: ServerSpec): string {
  return s.cpu_overcommit === 1 ? `${s.cores} cores (strict, CPU sharing 1)` : `${s.cores} cores × ${fmt(s.cpu_overcommit)} CPU sharing = ${fmt(coresCapacity(s))}`;
}


export function fmt(n: number, digits?: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (digits !== undefined) return n.toFixed(digits);
  if (Number.isInteger(n)) return String(n);
  const a = Math.abs(n);
  return n.toFixed(a >= 100 ? 0 : a >= 1 ? 1 : 3);
}

/**
 * Rows as aligned columns: the first padded on the right, the others on the left, two spaces
 * between. Plain loops and one string per line: it runs cold for each set's verdict (its limits
 * and its memory split), where a closure per cell and an array per row were most of its cost.
 */
function pad(rows: string[][]): string {
  const widths: number[] = [];
  for (const r of rows) {
    for (let i = 0; i < r.length; i++) {
      const w = r[i]!.length;
      if (!(widths[i]! >= w)) widths[i] = w;
    }
  }
  let out = '';
  for (let k = 0; k < rows.length; k++) {
    const r = rows[k]!;
    let line = r.length ? r[0]!.padEnd(widths[0]!) : '';
    for (let i = 1; i < r.length; i++) line += '  ' + r[i]!.padStart(widths[i]!);
    out += k ? '\n' + line.trimEnd() : line.trimEnd();
  }
  return out;
}

export function limitRows(v: Verdict): string[][] {
  return [
    ['limit', 'need (peak)', 'capacity', 'headroom', 'verdict', 'first crossed'],
    ...v.limits.map((l) => [
      l.label,
      l.peak === null ? '-' : `${fmt(l.peak)} ${l.unit}`,
      `${l.strict ? '< ' : ''}${fmt(l.limit)} ${l.unit}${l.key === 'cores' ? ` (${v.server.cores} × ${fmt(v.server.cpu_overcommit)})` : ''}`,
      l.headroomPct === null ? '-' : `${fmt(l.headroomPct, 1)}%`,
      l.status,
      l.firstCrossed ?? '-',
    ]),
  ];
}

export function formatVerdict(v: Verdict): string {
  const out: string[] = [];
  out.push(`==================== Verdict${v.set !== 'default' ? ` (${v.set})` : ''} ====================`);
  out.push(`server: ${formatServerSpec(v.server)} [${v.server.source}]`);
  out.push(`cores limit: ${formatCoresCapacity(v.server)} (services time-share the CPU; --cpu-overcommit 1 = strict)`);
  out.push(`horizon: ${v.horizon.start} .. ${v.horizon.end} (${v.horizon.months} months)`);
  out.push('');
  out.push(pad(limitRows(v)));
  out.push('');
  if (v.backup) out.push(v.backup.target === 'same-disk' ? `disk includes backups: peak ${fmt(v.backup.peakGb)} GB — ${v.backup.assumption}` : `disk: ${v.backup.assumption}`, '');
  out.push(`${v.fits ? 'FITS' : 'DOES NOT FIT'} on this server through ${v.horizon.end}`);
  const when = fitsUntilText(v);
  if (when) out.push(`  ${when}`);
  for (const l of v.limits) if (l.status === 'DOES NOT FIT') out.push(`  - ${l.message}`);
  out.push(`recommended: ${v.tier.name} (${v.tier.servers})`);
  for (const r of v.tier.reasons) out.push(`  - ${r}`);
  for (const line of purchaseLines(v)) out.push(line);
  if (v.memorySplit) out.push('', `memory split of the one server (${v.memorySplit.month}):`, pad(memorySplitRows(v)), memorySplitSummary(v), ...memorySplitSources(v).map((s) => `  ${s}`));
  for (const w of v.warnings) out.push(`note: ${w}`);
  return out.join('\n');
}

export function whatIfRows(rows: WhatIfRow[]): string[][] {
  const names = rows.length ? Object.keys(rows[0]!.vars) : [];
  const keys: LimitKey[] = ['users', 'active_cases_per_user', 'storage', 'ram', 'cores'];
  const short: Record<LimitKey, string> = { users: 'users', active_cases_per_user: 'cases/user', storage: 'disk', ram: 'RAM', cores: 'cores' };
  return [
    [...names.map((n) => `${n} (var)`), ...keys.map((k) => short[k]), 'verdict', 'first crossed', 'tier'],
    ...rows.map((r) => {
      const first = r.verdict.limits
        .filter((l) => l.firstCrossed !== null)
        .sort((a, b) => (a.firstCrossed! < b.firstCrossed! ? -1 : 1))[0];
      return [
        ...names.map((n) => r.vars[n] ?? ''),
        ...keys.map((k) => {
          const l = r.verdict.limits.find((x) => x.key === k)!;
          if (l.peak === null) return 'n/a';
          return `${fmt(l.peak)}${l.status === 'DOES NOT FIT' ? ' !' : ''}`;
        }),
        r.verdict.fits ? 'FITS' : 'DOES NOT FIT',
        first ? `${first.label.split(' (')[0]} ${first.firstCrossed}` : '-',
        r.verdict.tier.name,
      ];
    }),
  ];
}

export function formatWhatIf(rows: WhatIfRow[]): string {
  if (rows.length === 0) return '';
  const server = rows[0]!.verdict.server;
  return [
    `==================== What-if (${formatServerSpec(server)}) ====================`,
    pad(whatIfRows(rows)),
    '(peak over the horizon; "!" = over the limit; disk and RAM in GB)',
  ].join('\n');
}

/** The console text after the tables: the verdict of every set, and the what-if table when there are several runs. */
export function verdictText(verdicts: Verdict[], whatIf: WhatIfRow[], runs: Record<string, string>[]): string {
  const parts = verdicts.map(formatVerdict);
  const first = runs[0] ? Object.entries(runs[0]).map(([k, v]) => `${k}=${v}`).join(', ') : '';
  if (runs.length === 1) parts.unshift(`(with ${first})`);
  if (runs.length > 1) {
    parts.unshift(`(the verdict and the tables below are for ${first})`);
    parts.push(formatWhatIf(whatIf));
  }
  return parts.join('\n\n');
}

/** "Fits until 2028-07; disk full in 2028-08" (null when the server holds the whole horizon). */
export function fitsUntilText(v: Verdict): string | null {
  if (v.fitsUntil === null) return null;
  const first = v.limits.filter((l) => l.firstCrossed !== null).sort((a, b) => (a.firstCrossed! < b.firstCrossed! ? -1 : 1))[0]!;
  const what = first.message.replace(/ at this growth.*$/, '').replace(/ \([^()]*\)$/, '');
  return `${v.fitsUntil === '' ? `Does not fit from the first month (${v.horizon.start})` : `Fits until ${v.fitsUntil}`}; ${what}`;
}

/** One purchasable line per server of the recommended tier, and the smallest single box (console, Markdown, HTML, XLSX alike). */
export function purchaseLines(v: Verdict): string[] {
  const p = v.purchase;
  const lines = [`buy: ${p.tier.servers} × ${formatBox(p.tier.each)} (${v.tier.name}; ${p.tier.basis})`];
  if (p.tier.servers > 1 || !v.fits) lines.push(`smallest single box for the horizon: ${formatBox(p.singleBox)}`);
  return lines;
}

/** The memory split of the one server as rows (console, Markdown, HTML, workbook alike); [] when there is none. */
export function memorySplitRows(v: Verdict): string[][] {
  const m = v.memorySplit;
  if (!m) return [];
  const cc = (service: string): [string, string] => {
    const s = monolithSetting(service, v.server);
    return s ? [s.setting, s.value] : ['', ''];
  };
  return [
    ['service', `RAM ${m.month} (GB)`, 'share of server', `RAM ${m.startMonth} (GB)`, 'grew (GB)', 'commcare-cloud setting', 'monolith default'],
    ...m.rows.map((r) => [r.service, fmt(r.ramGb), `${fmt((r.ramGb / m.serverRamGb) * 100, 1)}%`, fmt(r.startRamGb), r.growthGb > 0 ? `+${fmt(r.growthGb)}` : fmt(r.growthGb), ...cc(r.service)]),
    ['= services', fmt(m.totalGb), `${fmt((m.totalGb / m.serverRamGb) * 100, 1)}%`, '', '', '', ''],
    ['server RAM', fmt(m.serverRamGb), '100.0%', '', '', '', ''],
  ];
}

/** Where each commcare-cloud default of the memory split comes from: one line per setting shown. */
export function memorySplitSources(v: Verdict): string[] {
  const m = v.memorySplit;
  if (!m) return [];
  const lines = new Set<string>();
  for (const r of m.rows) {
    const s = monolithSetting(r.service, v.server);
    if (s) lines.add(`${s.setting}: ${s.value} — dimagi/commcare-cloud ${s.source.join('; ')}`);
  }
  return [...lines];
}

/** One sentence under the memory split: when it stops fitting and which service grows. */
export function memorySplitSummary(v: Verdict): string {
  const m = v.memorySplit;
  if (!m) return '';
  const o = m.outgrows;
  const alone = o ? `; first to outgrow the server's ${fmt(m.serverRamGb)} GB alone: ${o.services.join(', ')} (${fmt(o.ramGb)} GB in ${o.month})` : '';
  const grows = (m.grows ? `; grows most: ${m.grows}` : '') + alone;
  return m.stopsFitting
    ? `RAM stops fitting in ${m.stopsFitting}: the services need ${fmt(m.totalGb)} GB of the server's ${fmt(m.serverRamGb)} GB${grows}`
    : `RAM fits through ${v.horizon.end}: at most ${fmt(m.totalGb)} GB of ${fmt(m.serverRamGb)} GB (${m.month})${grows}`;
}
