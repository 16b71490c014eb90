// The load run's own report.html, in the style of verify's: verdict banner with its reasons,
// thresholds with what was measured ("—" where the metric saw no data), the integrity audit,
// latency and rate over time from the heartbeat samples, and what the server answered to failed
// requests. Self-contained: inline CSS and SVG, no scripts, nothing fetched.
import type { LoadRunRecord, RunSample } from '../loadtests/index.ts';
import { esc } from './verify-html.ts';
import { segmentRate, segmentTitle } from './load-report.ts';

const COLOR = { PASS: '#1a7f37', FAIL: '#cf222e', INTERRUPTED: '#9a6700', ok: '#1a7f37', bad: '#cf222e' } as const;

function fmtValue(metric: string, threshold: string, v: number | null | undefined): string {
  if (v === null || v === undefined) return '—';
  if (/^rate/.test(threshold)) return `${(v * 100).toFixed(2)}%`;
  if (/duration|wait/.test(metric)) return v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${v.toFixed(1)} ms`;
  return String(Number(v.toFixed(3)));
}

interface Series {
  name: string;
  color: string;
  points: [number, number | null][];
}

/** A small line chart (inline SVG) of series over the run's seconds; gaps where a value is null. */
function lineChart(title: string, unit: string, series: Series[], spanS: number): string {
  const W = 640;
  const H = 180;
  const L = 56;
  const B = 28;
  const values = series.flatMap((s) => s.points.map(([, y]) => y)).filter((y): y is number => y !== null);
  if (!values.length) return `<p><b>${esc(title)}</b>: — (no samples: the run was shorter than the first reading of k6's live numbers)</p>`;
  const maxY = Math.max(...values) * 1.1 || 1;
  const maxX = Math.max(spanS, ...series.flatMap((s) => s.points.map(([x]) => x)), 1);
  const x = (t: number) => L + ((W - L - 10) * t) / maxX;
  const y = (v: number) => H - B - ((H - B - 10) * v) / maxY;
  const ticks = [0, 0.5, 1].map((f) => f * maxY);
  const axes = `<line x1="${L}" y1="${H - B}" x2="${W - 10}" y2="${H - B}" stroke="#8c959f"/><line x1="${L}" y1="10" x2="${L}" y2="${H - B}" stroke="#8c959f"/>` +
    ticks.map((v) => `<text x="${L - 4}" y="${y(v) + 4}" font-size="10" text-anchor="end">${Number(v.toPrecision(3))}</text>`).join('') +
    [0, 0.5, 1].map((f) => `<text x="${x(f * maxX)}" y="${H - B + 14}" font-size="10" text-anchor="middle">${Math.round(f * maxX)} s</text>`).join('') +
    `<text x="${L}" y="${H - 2}" font-size="10">${esc(unit)}</text>`;
  const lines = series.map((s, i) => {
    const segs: string[] = [];
    let cur = '';
    for (const [t, v] of s.points) {
      if (v === null) {
        if (cur) segs.push(cur);
        cur = '';
        continue;
      }
      cur += `${cur ? 'L' : 'M'}${x(t).toFixed(1)},${y(v).toFixed(1)}`;
    }
    if (cur) segs.push(cur);
    const dots = s.points.filter(([, v]) => v !== null).map(([t, v]) => `<circle cx="${x(t).toFixed(1)}" cy="${y(v!).toFixed(1)}" r="2" fill="${s.color}"><title>${esc(`${s.name} at ${t} s: ${v}`)}</title></circle>`).join('');
    return `<path d="${segs.join('')}" fill="none" stroke="${s.color}" stroke-width="1.5"/>${dots}<text x="${W - 10}" y="${14 + i * 12}" font-size="10" text-anchor="end" fill="${s.color}">${esc(s.name)}</text>`;
  }).join('');
  return `<h3>${esc(title)}</h3><svg role="img" aria-label="${esc(title)}" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" xmlns="http://www.w3.org/2000/svg">${axes}${lines}</svg>`;
}

/** Forms per second between samples. */
function rateSeries(t: RunSample[]): [number, number | null][] {
  return t.map((s, i) => {
    const p = i ? t[i - 1] : { t: 0, forms: 0 };
    const dt = s.t - p.t;
    return [s.t, dt > 0 ? Number(((s.forms - p.forms) / dt).toFixed(2)) : null];
  });
}

/** The server's own CPU and RAM over the run (load run --local / --prometheus), under the forms rate. */
function serverCharts(r: LoadRunRecord): string {
  const n = r.server!;
  return lineChart(`Server CPU: cores busy (${n.source})`, 'cores', [{ name: 'CPU cores busy', color: '#8250df', points: n.samples.map((x) => [x.t, x.cpuCores]) }], r.plannedDurationS) +
    lineChart('Server RAM in use', 'GB', [{ name: 'RAM GB', color: '#9a6700', points: n.samples.map((x) => [x.t, x.ramGb]) }], r.plannedDurationS) +
    `<ul id="server">${n.lines.map((l) => `<li>${esc(l)}</li>`).join('')}</ul>`;
}

/** A merged split run: each generator it was merged from. */
function segmentsTable(r: LoadRunRecord): string {
  const rows = r.segments!.map((x) => `<tr><td>${esc(x.segment)}</td><td>${(x.share * 100).toFixed(1)}%</td><td><code>${esc(x.source)}</code></td><td>${esc(x.runId ?? '—')}</td><td>${x.formsAcknowledged}</td><td>${x.requests}</td><td>${esc(x.k6End)}</td><td>${esc(x.verdict ?? '—')}</td></tr>`).join('');
  return `<h2>Segments</h2><p id="segments">Merged from ${r.segments!.length} execution segments: counts and rates are their sums, percentiles come from their merged quantile grids (within 0.1 percentile point), never averaged; thresholds and the integrity audit are judged once, on the whole.</p>
<table><thead><tr><th>Segment</th><th>Share</th><th>From</th><th>Run</th><th>Forms acknowledged</th><th>Requests</th><th>k6</th><th>Own verdict</th></tr></thead><tbody>${rows}</tbody></table>`;
}

export function loadHtml(r: LoadRunRecord): string {
  const s = r.summary;
  const tl = r.timeline ?? [];
  const thresholds = s.thresholds.map((t) => `<tr><td><code>${esc(t.metric)}</code></td><td><code>${esc(t.threshold)}</code></td><td>${fmtValue(t.metric, t.threshold, t.value)}</td>` +
    `<td><span class="badge" style="background:${t.ok ? COLOR.ok : COLOR.bad}">${t.ok ? 'ok' : 'FAILED'}</span></td></tr>`).join('\n');
  const a = r.audit;
  const audit = a.checked
    ? `${a.acknowledged} forms acknowledged, ${a.found} listed by the Form API, <b>lost = ${a.lost}</b>${a.missingFormIds.length ? `<details><summary>missing form ids (${a.missingFormIds.length})</summary><p><code>${esc(a.missingFormIds.join(' '))}</code></p></details>` : ''}`
    : a.failed ? `<b>FAILED</b>: ${esc(a.note ?? '')}` : `not done: ${esc(a.note ?? 'no forms')}`;
  const rejected = r.rejected?.length
    ? `<table><thead><tr><th>Request</th><th>Status</th><th>OpenRosa nature</th><th>Count</th></tr></thead><tbody>${r.rejected.map((x) =>
        `<tr><td>${esc(x.kind)}</td><td>${x.status === '0' ? 'no answer (connection error or timeout)' : esc(x.status)}</td><td>${x.nature === '-' ? '—' : esc(x.nature)}</td><td>${x.count}</td></tr>`).join('')}</tbody></table>`
    : '<p>Every request was answered as expected (no failed submission or sync).</p>';
  const lat = Object.entries(s.latency).filter(([, l]) => l).map(([k, l]) =>
    `<tr><td>${esc(k)}</td><td>${l!.count}</td><td>${l!.med.toFixed(1)} ms</td><td>${l!.p95.toFixed(1)} ms</td><td>${l!.p99.toFixed(1)} ms</td><td>${l!.max.toFixed(1)} ms</td></tr>`).join('');
  const kind = r.scenario === 'restore' ? 'restore' : 'submission';
  const c = r.completion;
  const head = r.verdict === 'INTERRUPTED' ? `INTERRUPTED after ${Math.round((Date.parse(r.endedAt) - Date.parse(r.startedAt)) / 1000)} s` : r.verdict;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>ccready load: ${esc(r.verdict)} — ${esc(r.target)}${esc(segmentTitle(r))}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:24px;color:#1f2328;max-width:1200px}
.verdict{color:#fff;background:${COLOR[r.verdict]};padding:12px 16px;border-radius:6px;font-size:20px;font-weight:600}
table{border-collapse:collapse;width:100%;margin-top:12px}th,td{border-bottom:1px solid #d0d7de;padding:6px 8px;text-align:left;vertical-align:top}
.badge{color:#fff;border-radius:4px;padding:1px 6px;font-size:12px}li{word-break:break-word}
</style></head><body>
<div class="verdict" id="verdict">${esc(head)}</div>
${r.failures.length ? `<ul id="why">${r.failures.map((f) => `<li><b>${esc(f)}</b></li>`).join('')}</ul>` : '<p id="why">Every threshold held, k6 did the planned work and the audit confirmed every acknowledged form.</p>'}
<p>Run <code>${esc(r.runId)}</code>: ${esc(r.scenario)} / ${esc(r.profile)} against <code>${esc(r.target)}</code>, project <code>${esc(r.domain)}</code>; ${esc(r.startedAt)} → ${esc(r.endedAt)}.
Target ${r.segment ? `${segmentRate(r)}/s (execution segment ${esc(r.segment.segment)}: its ${(r.segment.share * 100).toFixed(1)}% of the plan's ${r.targetRate}/s, judged against that share)` : `${r.targetRate}/s`} for ${r.plannedDurationS} s; ${r.workers} mobile worker(s) (${esc(r.usersSource)}); k6 ${esc(r.k6.version)}, ${esc(r.k6End)}.
${c ? `Iterations: ${c.completed}${c.planned !== null ? ` of ${c.planned} planned` : ''}${c.dropped ? `, ${c.dropped} dropped` : ''}.` : ''}</p>
${r.segments ? segmentsTable(r) : ''}
<h2>Thresholds</h2>
<table><thead><tr><th>Metric</th><th>Threshold</th><th>Measured</th><th>Result</th></tr></thead><tbody>
${thresholds}
</tbody></table>
<h2>Integrity audit</h2>
<p id="audit">${audit}</p>
<h2>Over time</h2>
${lineChart(`Latency of ${kind}s`, 'ms', [
    { name: 'mean per interval', color: '#0969da', points: tl.map((x) => [x.t, x.meanMs]) },
    { name: 'p95 so far', color: '#cf222e', points: tl.map((x) => [x.t, x.p95Ms]) },
  ], r.plannedDurationS)}
${lineChart('Forms acknowledged per second', 'forms/s', [{ name: 'forms/s', color: '#1a7f37', points: rateSeries(tl) }], r.plannedDurationS)}
${r.server?.samples.length ? serverCharts(r) : ''}
${lineChart('Error rate so far', '%', [{ name: 'errors', color: '#cf222e', points: tl.map((x) => [x.t, x.checks ? Number(((x.errors / x.checks) * 100).toFixed(2)) : null]) }], r.plannedDurationS)}
<h2>Latency</h2>
<table><thead><tr><th>Request kind</th><th>Count</th><th>Median</th><th>p95</th><th>p99</th><th>Max</th></tr></thead><tbody>${lat || '<tr><td colspan="6">—</td></tr>'}</tbody></table>
<p>${s.requests} requests (${s.requestRate}/s), ${s.formsAcknowledged} forms acknowledged (${s.formRate}/s), ${s.formsRejected} rejected, ${s.throttled} throttled (429), error rate ${(s.errorRate * 100).toFixed(2)}%.</p>
<h2>What the server answered to failed requests</h2>
${rejected}
${r.notes.length ? `<h2>Notes</h2><ul>${r.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>` : ''}
<p>Files: <code>summary.md</code>, <code>run.json</code>, <code>junit.xml</code>, <code>metrics.csv</code>, <code>k6-summary.json</code>, <code>dashboard.html</code> (k6's own dashboard), <code>acknowledged-forms.txt</code>.</p>
</body></html>
`;
}
