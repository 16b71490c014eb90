// The planner's one-file HTML report: the verdict at the top, then charts a planner would rather
// look at than read. Charts are Vega-Lite specs compiled and rendered to SVG in Node (renderer
// 'none', no browser, no canvas) and inlined, so the file opens offline and makes no requests.
import type { TopLevelSpec } from 'vega-lite';
import { fitsUntilText, memorySplitRows, memorySplitSources, memorySplitSummary, fmt, limitRows, purchaseLines, tierForUsers, TIERS, whatIfRows, type ModelResult, type Verdict, type WhatIfRow } from '../sizing/index.ts';
import { coresCapacity, formatServerSpec } from '../common/server-spec.ts';
import { varyChartSpec } from './sizing-vary-chart.ts';

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Renders one Vega-Lite spec to an SVG string. */
export async function renderVegaLiteSvg(spec: TopLevelSpec): Promise<string> {
  // loaded on first use: vega takes a while to load and the CLI bundles every command
  const [vega, { compile }] = await Promise.all([import('vega'), import('vega-lite')]);
  // Vega's warnings are about chart cosmetics; keep the CLI's output to the verdict.
  const quiet = { level: () => quiet, error: (...a: unknown[]) => { throw new Error(String(a[0])); }, warn: () => quiet, info: () => quiet, debug: () => quiet };
  const view = new vega.View(vega.parse(compile(spec, { logger: quiet as never }).spec), { renderer: 'none', logLevel: vega.Error });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

const WIDTH = 520;
const HEIGHT = 220;
const monthDate = (m: string) => `${m}-01`;

/** A month axis with one tick per month, thinned to about a dozen labels on long horizons. */
function monthAxis(v: Verdict) {
  const step = Math.max(1, Math.ceil(v.horizon.months / 12));
  return {
    field: 'month',
    type: 'temporal' as const,
    title: 'month',
    axis: { format: '%Y-%m', tickCount: { interval: 'month' as const, step }, labelAngle: -40 },
  };
}

/** Storage by group over time (stacked) against the disk line. */
export function storageChartSpec(v: Verdict): TopLevelSpec {
  const values = v.monthly.flatMap((m) =>
    Object.entries(m.storageByGroupGb).map(([group, gb]) => ({ month: monthDate(m.month), group, gb: Math.round(gb * 10) / 10 })),
  );
  const diskGb = v.server.disk_tb * 1000;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `Storage on the server by group (GB) vs ${fmt(v.server.disk_tb)} TB disk`,
    width: WIDTH,
    height: HEIGHT,
    layer: [
      {
        data: { values },
        mark: { type: 'area', opacity: 0.85 },
        encoding: {
          x: monthAxis(v),
          y: { field: 'gb', type: 'quantitative', stack: 'zero', title: 'GB' },
          color: { field: 'group', type: 'nominal', title: 'storage group' },
        },
      },
      {
        data: { values: [{ y: diskGb, label: `disk ${fmt(v.server.disk_tb)} TB` }] },
        layer: [
          { mark: { type: 'rule', color: '#c0392b', strokeWidth: 2, strokeDash: [6, 3] }, encoding: { y: { field: 'y', type: 'quantitative' } } },
          { mark: { type: 'text', color: '#c0392b', align: 'left', dx: 4, dy: -6, x: 0 }, encoding: { y: { field: 'y', type: 'quantitative' }, text: { field: 'label' } } },
        ],
      },
    ],
  };
}

const SERIES = ['monolith need', 'cluster layout (incl. HA)'];

/** One resource (RAM, cores) over time: monolith need and the cluster layout vs the server line. */
export function resourceChartSpec(v: Verdict, which: 'ram' | 'cores'): TopLevelSpec {
  // cores: the verdict's limit, physical cores × the CPU sharing factor
  const cap = which === 'ram' ? v.server.ram_gb : coresCapacity(v.server);
  const unit = which === 'ram' ? 'GB RAM' : 'cores';
  const values = v.monthly.flatMap((m) => [
    { month: monthDate(m.month), series: 'monolith need', value: which === 'ram' ? m.ramGb : m.cores },
    { month: monthDate(m.month), series: 'cluster layout (incl. HA)', value: which === 'ram' ? m.clusterRamGb : m.clusterCores },
  ]);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `${which === 'ram' ? 'RAM' : 'Cores'} needed vs the server's ${fmt(cap)} ${unit}`,
    width: WIDTH,
    height: HEIGHT * 0.8,
    layer: [
      {
        data: { values },
        mark: { type: 'line', point: true },
        encoding: {
          x: monthAxis(v),
          y: { field: 'value', type: 'quantitative', title: unit },
          color: { field: 'series', type: 'nominal', title: null, scale: { domain: SERIES, range: ['#2c7fb8', '#a6a6a6'] }, legend: { orient: 'bottom', labelLimit: 300 } },
          strokeDash: { field: 'series', type: 'nominal', scale: { domain: SERIES, range: [[1, 0], [4, 3]] } },
        },
      },
      {
        data: { values: [{ y: cap, label: which === 'ram' ? `server ${fmt(cap)} ${unit}` : `server ${v.server.cores} × ${fmt(v.server.cpu_overcommit)} CPU sharing = ${fmt(cap)} ${unit}` }] },
        layer: [
          { mark: { type: 'rule', color: '#c0392b', strokeWidth: 2, strokeDash: [6, 3] }, encoding: { y: { field: 'y', type: 'quantitative' } } },
          { mark: { type: 'text', color: '#c0392b', align: 'left', dx: 4, dy: -6, x: 0 }, encoding: { y: { field: 'y', type: 'quantitative' }, text: { field: 'label' } } },
        ],
      },
    ],
  };
}

/** The cluster layout's VM count over time (what the model would deploy; 1 box = 1 server). */
export function vmChartSpec(v: Verdict): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'VMs in the model\'s cluster layout (the monolith is 1 server)',
    width: WIDTH,
    height: HEIGHT * 0.6,
    layer: [
      {
        data: { values: v.monthly.map((m) => ({ month: monthDate(m.month), vms: m.clusterVms })) },
        mark: { type: 'line', point: true, color: '#a6a6a6' },
        encoding: {
          x: monthAxis(v),
          y: { field: 'vms', type: 'quantitative', title: 'VMs' },
        },
      },
      {
        data: { values: [{ y: 1, label: 'single server' }] },
        layer: [
          { mark: { type: 'rule', color: '#c0392b', strokeWidth: 2, strokeDash: [6, 3] }, encoding: { y: { field: 'y', type: 'quantitative' } } },
          { mark: { type: 'text', color: '#c0392b', align: 'left', dx: 4, dy: -6, x: 0 }, encoding: { y: { field: 'y', type: 'quantitative' }, text: { field: 'label' } } },
        ],
      },
    ],
  };
}

/** Users over time against the tier thresholds (up to the first threshold above the peak). */
export function usersChartSpec(v: Verdict): TopLevelSpec {
  const peak = Math.max(0, ...v.monthly.map((m) => m.users ?? 0));
  const top = tierForUsers(peak);
  const thresholds = TIERS.filter((t) => t.maxUsers !== null && (t.maxUsers <= peak || t === top)).map((t) => ({
    y: t.maxUsers!,
    label: `${t.name} < ${t.maxUsers}`,
  }));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'Users vs the configuration tiers',
    width: WIDTH,
    height: HEIGHT * 0.8,
    layer: [
      {
        data: { values: v.monthly.filter((m) => m.users !== null).map((m) => ({ month: monthDate(m.month), users: m.users })) },
        mark: { type: 'line', point: true, color: '#2c7fb8' },
        encoding: {
          x: monthAxis(v),
          y: { field: 'users', type: 'quantitative', title: 'users' },
        },
      },
      {
        data: { values: thresholds },
        layer: [
          { mark: { type: 'rule', color: '#e67e22', strokeDash: [6, 3] }, encoding: { y: { field: 'y', type: 'quantitative' } } },
          { mark: { type: 'text', color: '#b35900', align: 'left', dx: 4, dy: -6, x: 0 }, encoding: { y: { field: 'y', type: 'quantitative' }, text: { field: 'label' } } },
        ],
      },
    ],
  };
}

function table(rows: string[][], opts: { numericFrom?: number } = {}): string {
  const [head, ...body] = rows;
  const from = opts.numericFrom ?? 1;
  return (
    '<table><thead><tr>' +
    head!.map((h) => `<th>${esc(h)}</th>`).join('') +
    '</tr></thead><tbody>' +
    body
      .map((r) => {
        const cls = r.includes('DOES NOT FIT') ? ' class="over"' : r.includes('FITS') ? ' class="ok"' : '';
        return `<tr${cls}>` + r.map((c, i) => `<td${i >= from ? ' class="n"' : ''}>${esc(c)}</td>`).join('') + '</tr>';
      })
      .join('') +
    '</tbody></table>'
  );
}

const CSS = `
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px auto;max-width:1100px;color:#222;padding:0 16px}
h1{font-size:1.5em;margin-bottom:4px}h2{font-size:1.15em;margin-top:28px;border-bottom:1px solid #ddd;padding-bottom:4px}
.banner{padding:14px 18px;border-radius:6px;font-size:1.2em;margin:14px 0}
.banner.fits{background:#e6f4ea;border:1px solid #34a853}.banner.over{background:#fdecea;border:1px solid #d93025}
.meta{color:#555}table{border-collapse:collapse;margin:8px 0;font-size:.92em}
th,td{border:1px solid #ccc;padding:3px 8px;text-align:left}td.n{text-align:right}th{background:#f3f6f9}
tr.over td{background:#fdecea}tr.ok td{background:#f3faf5}.charts{display:flex;flex-wrap:wrap;gap:18px}
.chart{border:1px solid #eee;padding:6px}ul{margin:6px 0}code{background:#f4f4f4;padding:0 3px}
`;

export interface HtmlReportOptions {
  title?: string;
  whatIf?: WhatIfRow[];
  generatedAt?: Date;
  configName?: string;
}

/** The complete HTML document for one or more verdicts (one per combined set). */
export async function buildSizingHtml(result: ModelResult, verdicts: Verdict[], opts: HtmlReportOptions = {}): Promise<string> {
  const parts: string[] = [];
  const title = opts.title ?? `CommCare HQ sizing verdict${opts.configName ? `: ${opts.configName}` : ''}`;
  parts.push(`<h1>${esc(title)}</h1>`);
  parts.push(
    `<p class="meta">generated ${esc((opts.generatedAt ?? new Date()).toISOString().slice(0, 16).replace('T', ' '))} UTC by ccready · storage unit in the model: ${result.storage_display_unit}</p>`,
  );
  for (const v of verdicts) {
    const setLabel = v.set !== 'default' ? ` — set ${v.set}` : '';
    const over = v.limits.filter((l) => l.status === 'DOES NOT FIT');
    parts.push(`<section class="verdict">`);
    parts.push(
      `<div class="banner ${v.fits ? 'fits' : 'over'}"><strong>${v.fits ? 'FITS' : 'DOES NOT FIT'}</strong> on ${esc(formatServerSpec(v.server))}${esc(setLabel)}, ${esc(v.horizon.start)} to ${esc(v.horizon.end)}.` +
        (fitsUntilText(v) ? ` ${esc(fitsUntilText(v)!)}.` : '') +
        (over.length ? '<ul>' + over.map((l) => `<li>${esc(l.message)}</li>`).join('') + '</ul>' : '') +
        `Recommended: <strong>${esc(v.tier.name)}</strong> (${esc(v.tier.servers)}).` +
        '<ul>' + purchaseLines(v).map((l) => `<li>${esc(l)}</li>`).join('') + '</ul></div>',
    );
    parts.push('<h2>Limits (peak over the horizon)</h2>' + table(limitRows(v)));
    parts.push('<h2>Why this tier</h2><ul>' + v.tier.reasons.map((r) => `<li>${esc(r)}</li>`).join('') + '</ul>');
    if (v.memorySplit) parts.push(`<h2>Memory split of the one server (${esc(v.memorySplit.month)})</h2>` + table(memorySplitRows(v)) + `<p>${esc(memorySplitSummary(v))}.</p>` + '<ul class="notes">' + memorySplitSources(v).map((s) => `<li>${esc(s)}</li>`).join('') + '</ul>');
    if (v.backup) parts.push(`<p>Disk includes backups: peak ${esc(fmt(v.backup.peakGb))} GB (${esc(v.backup.assumption)}).</p>`);
    if (v.warnings.length) parts.push('<ul class="notes">' + v.warnings.map((w) => `<li>note: ${esc(w)}</li>`).join('') + '</ul>');
    parts.push(`<p class="meta">Server from ${esc(v.server.source)}. Need at the peak, before rounding to sizes sold: ${v.minimumServer.cores} cores, ${v.minimumServer.ram_gb} GB RAM, ${v.minimumServer.disk_tb} TB disk.</p>`);

    const charts = await Promise.all([storageChartSpec(v), resourceChartSpec(v, 'ram'), resourceChartSpec(v, 'cores'), vmChartSpec(v), usersChartSpec(v)].map(renderVegaLiteSvg));
    parts.push('<h2>Charts</h2><div class="charts">' + charts.map((svg) => `<div class="chart">${svg}</div>`).join('') + '</div>');

    const r1 = (n: number) => fmt(Math.round(n * 10) / 10);
    const a = v.arithmetic;
    const tot = (f: (s: (typeof a)[number]) => number) => a.reduce((x, s) => x + f(s), 0);
    parts.push(
      `<h2>How the services add up on one server (${esc(v.arithmeticMonth)}, the month of peak storage)</h2>` +
        `<p>A monolith runs each service's processes once: no HA copy and one operating system. Per service, the need on the server is the model's <code>Total</code> minus its <code>HA</code> share (cores, RAM, data storage incl. the storage and estimation buffers); the per-VM OS storage (${v.vmOsStorageGb} GB × VMs in the cluster layout) is replaced by one OS of ${v.vmOsStorageGb} GB.</p>` +
        table([
          ['service', 'group', 'cores total − HA = need', 'RAM total − HA = need (GB)', 'storage total − HA = need (GB)'],
          ...a.map((s) => [s.service, s.storageGroup ?? '', `${r1(s.coresTotal)} − ${r1(s.coresHa)} = ${r1(s.cores)}`, `${r1(s.ramTotalGb)} − ${r1(s.ramHaGb)} = ${r1(s.ramGb)}`, `${r1(s.storageTotalGb)} − ${r1(s.storageHaGb)} = ${r1(s.storageGb)}`]),
          ['+ operating system (once)', v.vmOsStorageGroup, '', '', `${r1(v.vmOsStorageGb)}`],
          ['= on the server', '', r1(tot((s) => s.cores)), r1(tot((s) => s.ramGb)), r1(tot((s) => s.storageGb) + v.vmOsStorageGb)],
          ['server capacity', '', `${v.server.cores} × ${fmt(v.server.cpu_overcommit)} CPU sharing = ${r1(coresCapacity(v.server))}`, r1(v.server.ram_gb), r1(v.server.disk_tb * 1000)],
        ], { numericFrom: 2 }),
    );
    const groups = [...new Set(v.monthly.flatMap((m) => Object.keys(m.storageByGroupGb)))].sort();
    parts.push(
      '<details><summary>Month by month</summary>' +
        table([
          ['month', 'users', 'active cases/user', 'storage GB', ...groups.map((g) => `${g} GB`), 'RAM GB', 'cores', 'cluster VMs'],
          ...v.monthly.map((m) => [
            m.month,
            m.users === null ? '' : fmt(m.users),
            m.activeCasesPerUser === null ? '' : fmt(m.activeCasesPerUser),
            r1(m.storageGb),
            ...groups.map((g) => (m.storageByGroupGb[g] === undefined ? '' : r1(m.storageByGroupGb[g]!))),
            r1(m.ramGb),
            r1(m.cores),
            fmt(m.clusterVms),
          ]),
        ]) +
        '</details>',
    );
    parts.push('</section>');
  }
  if (opts.whatIf && opts.whatIf.length > 0) {
    parts.push('<h2>What-if</h2>' + table(whatIfRows(opts.whatIf)) + '<p class="meta">peak over the horizon; "!" = over the limit; disk and RAM in GB</p>');
    const vary = varyChartSpec(opts.whatIf);
    if (vary) parts.push(`<div class="chart vary">${await renderVegaLiteSvg(vary)}</div>`);
  }
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title><style>${CSS}</style></head>
<body>
${parts.join('\n')}
</body></html>
`;
}
