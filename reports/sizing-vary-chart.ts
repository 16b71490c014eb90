// The `--vary` chart of the HTML report (issue 16 item 3): how peak storage, RAM and cores move
// against the server's capacity as one usage field is scaled, and the month each limit is first
// crossed. A Vega-Lite spec only; sizing-html.ts renders it with the other charts.
import type { TopLevelSpec } from 'vega-lite';
import type { LimitKey, WhatIfRow } from '../sizing/index.ts';

/** The varied field and its factor per row, when the rows come from `--vary` (`FIELD ×` = factor); else null. */
export function varyAxis(rows: WhatIfRow[]): { field: string; points: { factor: number; row: WhatIfRow }[] } | null {
  const key = rows[0] && Object.keys(rows[0].vars).find((k) => k.endsWith(' ×'));
  if (!key) return null;
  // several sets: the first set's rows (the table has them all)
  const set = rows[0]!.vars.set;
  const points = rows.filter((r) => r.vars.set === set).map((row) => ({ factor: Number(row.vars[key]), row }));
  return points.length >= 2 && points.every((p) => Number.isFinite(p.factor)) ? { field: key.slice(0, -2), points } : null;
}

const PANELS: [LimitKey, string][] = [
  ['storage', 'disk (GB)'],
  ['ram', 'RAM (GB)'],
  ['cores', 'cores'],
];

/** Four small charts over the factor: peak disk, RAM and cores (each with its capacity) and the crossing months. */
export function varyChartSpec(rows: WhatIfRow[]): TopLevelSpec | null {
  const axis = varyAxis(rows);
  if (!axis) return null;
  const factors = axis.points.map((p) => p.factor);
  const x = { field: 'factor', type: 'quantitative' as const, title: `${axis.field} × the config's values`, scale: { domain: [Math.min(...factors), Math.max(...factors)] } };
  const panel = (key: LimitKey, title: string) => {
    const values = axis.points.flatMap(({ factor, row }) => {
      const l = row.verdict.limits.find((x) => x.key === key);
      return l && l.peak !== null ? [{ factor, value: Math.round(l.peak * 10) / 10, series: 'peak need' }, { factor, value: l.limit, series: 'server capacity' }] : [];
    });
    return {
      title: `peak ${title}`,
      width: 240,
      height: 150,
      data: { values },
      mark: { type: 'line' as const, point: true },
      encoding: {
        x,
        y: { field: 'value', type: 'quantitative' as const, title },
        color: { field: 'series', type: 'nominal' as const, title: null, scale: { domain: ['peak need', 'server capacity'], range: ['#1f77b4', '#c0392b'] } },
        strokeDash: { field: 'series', type: 'nominal' as const, legend: null, scale: { domain: ['peak need', 'server capacity'], range: [[1, 0], [6, 3]] } },
      },
    };
  };
  const crossings = axis.points.flatMap(({ factor, row }) => row.verdict.limits.filter((l) => l.firstCrossed !== null).map((l) => ({ factor, month: `${l.firstCrossed}-01`, limit: l.key === 'storage' ? 'disk' : l.label })));
  const start = axis.points[0]!.row.verdict.horizon;
  const y = { field: 'month', type: 'temporal' as const, title: 'month', axis: { format: '%Y-%m' }, scale: { domain: [`${start.start}-01`, `${start.end}-01`] } };
  const crossingPanel = {
    title: `first month over a limit (horizon ${start.start}..${start.end})`,
    width: 240,
    height: 150,
    ...(crossings.length
      ? { data: { values: crossings }, mark: { type: 'line' as const, point: true }, encoding: { x, y, color: { field: 'limit', type: 'nominal' as const, title: 'limit crossed' } } }
      : {
          // nothing crossed at any factor: say so on the panel, not an empty frame
          data: { values: [{ factor: (factors[0]! + factors.at(-1)!) / 2, month: `${start.start}-01`, text: `no limit crossed through ${start.end}` }] },
          mark: { type: 'text' as const, dy: -70, fontSize: 12 },
          encoding: { x, y, text: { field: 'text' } },
        }),
  };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `Sensitivity to ${axis.field}: peak need against the server, and when each limit is crossed`,
    vconcat: [
      { hconcat: [panel(...PANELS[0]!), panel(...PANELS[1]!)] },
      { hconcat: [panel(...PANELS[2]!), crossingPanel], resolve: { scale: { color: 'independent' }, legend: { color: 'independent' } } },
    ],
    resolve: { scale: { color: 'independent' }, legend: { color: 'independent' } },
  } as TopLevelSpec;
}
