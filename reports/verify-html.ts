// A self-contained HTML report (inline CSS and SVG, no scripts or remote assets) that opens from
// a CI artifact: verdict banner, suspects, a duration chart and each step with its evidence.
import type { VerifyReport, StepResult } from '../verify/index.ts';
import { fmtMs, upgradeLine } from './verify-markdown.ts';

export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const COLOR: Record<StepResult['status'], string> = { pass: '#1a7f37', warn: '#9a6700', fail: '#cf222e', skip: '#6e7781' };

function durationChart(steps: StepResult[]): string {
  const rowH = 18;
  const width = 640;
  const labelW = 200;
  const max = Math.max(1, ...steps.map((s) => s.durationMs));
  const bars = steps
    .map((s, i) => {
      const w = Math.max(1, ((width - labelW - 70) * s.durationMs) / max);
      const y = i * rowH;
      return (
        `<text x="0" y="${y + 13}" font-size="11">${esc(s.id)}</text>` +
        `<rect x="${labelW}" y="${y + 3}" width="${w.toFixed(1)}" height="12" fill="${COLOR[s.status]}"><title>${esc(`${s.id}: ${s.durationMs} ms, ${s.status}`)}</title></rect>` +
        `<text x="${(labelW + w + 4).toFixed(1)}" y="${y + 13}" font-size="11">${fmtMs(s.durationMs)}</text>`
      );
    })
    .join('');
  return `<svg role="img" aria-label="Step durations" width="${width}" height="${steps.length * rowH + 4}" viewBox="0 0 ${width} ${steps.length * rowH + 4}" xmlns="http://www.w3.org/2000/svg">${bars}</svg>`;
}

export function verifyHtml(r: VerifyReport): string {
  const d = r.decision;
  const banner = d.verdict === 'READY' || d.verdict === 'PASS' ? COLOR.pass : d.verdict === 'NOT READY' || d.verdict === 'FAIL' ? COLOR.fail : COLOR.warn;
  const rows = r.steps
    .map(
      (s) => `<tr class="${s.status}">
<td>${esc(s.id)}</td><td>${esc(s.title)}</td><td><span class="badge" style="background:${COLOR[s.status]}">${s.status.toUpperCase()}</span>${s.required ? '' : ' <small>optional</small>'}</td>
<td>${esc(s.services.join(', '))}</td><td>${fmtMs(s.durationMs)}</td>
<td>${esc(s.reason ?? '')}${
        s.evidence.length || s.metrics
          ? `<details><summary>evidence (${s.evidence.length})</summary><ul>${s.evidence.map((e) => `<li>${esc(e)}</li>`).join('')}${
              s.metrics ? `<li>metrics: ${esc(Object.entries(s.metrics).map(([k, v]) => `${k}=${v}`).join(', '))}</li>` : ''
            }</ul></details>`
          : ''
      }</td></tr>`,
    )
    .join('\n');
  const suspects = d.suspects.length
    ? `<h2>Most likely at fault</h2><ol>${d.suspects
        .slice(0, 5)
        .map((s) => `<li><b>${esc(s.service)}</b> (score ${s.score}): ${esc(s.why.join('; '))}</li>`)
        .join('')}</ol>`
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>ccready ${esc(r.kind)}: ${esc(d.verdict)} — ${esc(r.target)}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:24px;color:#1f2328;max-width:1200px}
.verdict{color:#fff;background:${banner};padding:12px 16px;border-radius:6px;font-size:20px;font-weight:600}
table{border-collapse:collapse;width:100%;margin-top:12px}th,td{border-bottom:1px solid #d0d7de;padding:6px 8px;text-align:left;vertical-align:top}
.badge{color:#fff;border-radius:4px;padding:1px 6px;font-size:12px}details{margin-top:4px}li{word-break:break-word}
tr.fail td{background:#fff5f5}
</style></head><body>
<div class="verdict" id="verdict">${esc(d.verdict)}</div>
<p>${esc(d.summary)}</p>
${r.upgrade ? `<p id="upgrade"><b>${esc(upgradeLine(r.upgrade))}</b></p>\n` : ''}<p>Target <code>${esc(r.target)}</code>, project <code>${esc(r.domain)}</code>; run <code>${esc(r.runId)}</code>, ${esc(r.startedAt)} → ${esc(r.finishedAt)}${r.interrupted ? ' <b>(interrupted)</b>' : ''}</p>
${suspects}
<h2>Steps</h2>
<table><thead><tr><th>Id</th><th>Step</th><th>Status</th><th>Services</th><th>Time</th><th>Reason and evidence</th></tr></thead><tbody>
${rows}
</tbody></table>
<h2>Durations</h2>
${durationChart(r.steps)}
</body></html>
`;
}
