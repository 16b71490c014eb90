// The files of a readiness run, written together (never half a matrix): report.json, report.md
// (the matrix in Markdown) and report.html (one printable page for a procurement officer).
import { writeRunFiles } from '../common/runs.ts';
import type { ReadinessReport, RowResult } from '../verify/readiness/index.ts';
import { esc } from './verify-html.ts';

export const ROW_LABEL: Record<RowResult['status'], string> = {
  proven: 'PROVEN',
  attested: 'ATTESTED',
  waived: 'WAIVED',
  blocking: 'OPEN',
  optional: 'N/A (optional)',
};

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** How the row is settled, in one line: the runs that prove it, the person who signed it, the waiver. */
export function rowEvidence(r: RowResult): string[] {
  const out: string[] = [];
  for (const p of r.proofs) out.push(p.status === 'ok' ? `${p.detail} (${p.evidence?.at ?? ''})` : `${p.status.toUpperCase()}: ${p.detail}`);
  if (r.attestation) {
    const a = r.attestation;
    out.push(`attested by ${a.by} on ${a.date}${a.link ? `: ${a.link}` : ''}${a.note ? ` (${a.note})` : ''}`);
  } else if (!r.proofs.length && r.status !== 'optional') out.push('not attested');
  if (r.waiver) out.push(`${r.waiver.expired ? 'EXPIRED waiver' : 'waiver'} until ${r.waiver.expires}${r.waiver.by ? ` by ${r.waiver.by}` : ''}: ${r.waiver.reason}`);
  return out;
}

export function readinessMarkdown(r: ReadinessReport): string {
  const lines = [
    `# ccready readiness: ${r.decision.verdict}`,
    '',
    `- Go-live target: ${r.target ?? 'not known'} (from ${r.targetSource})`,
    `- Judged ${r.generatedAt}; runs older than ${r.maxAgeDays} days do not count; attestations: ${r.attestationsFile ?? 'none'}`,
    `- Checkpoints of "A Guide to Transition Your CommCare Infrastructure", Phases 1–6: ${r.rows.length}`,
  ];
  if (r.decision.blocking.length) {
    lines.push('', '## Blocking go-live', '');
    for (const b of r.decision.blocking) lines.push(`- ${b}`);
  }
  if (r.decision.waived.length) {
    lines.push('', '## Waived', '');
    for (const w of r.decision.waived) lines.push(`- ${w}`);
  }
  lines.push('', '## Checkpoint matrix', '', '| Section | Checkpoint | How | Status | Evidence |', '|---|---|---|---|---|');
  for (const row of r.rows) {
    const c = row.checkpoint;
    lines.push(`| ${cell(c.section)} | ${cell(c.text)} | ${c.proof.length ? 'automatic' : 'attested'} | ${ROW_LABEL[row.status]} | ${cell(rowEvidence(row).join('; '))} |`);
  }
  if (r.notes.length) {
    lines.push('', '## Notes', '');
    for (const n of r.notes) lines.push(`- ${n}`);
  }
  lines.push('');
  return lines.join('\n');
}

const COLOR: Record<RowResult['status'], string> = { proven: '#1a7f37', attested: '#1a7f37', waived: '#9a6700', blocking: '#cf222e', optional: '#6e7781' };

export function readinessHtml(r: ReadinessReport): string {
  const ready = r.decision.exitCode === 0;
  let phase = 0;
  const rows = r.rows.map((row) => {
    const c = row.checkpoint;
    const head = c.phase !== phase ? `<tr class="phase"><th colspan="5">Phase ${c.phase}: ${esc(c.phaseTitle)}</th></tr>\n` : '';
    phase = c.phase;
    return `${head}<tr class="${row.status}" id="${esc(c.id)}"><td>${esc(c.section)}</td><td>${esc(c.text)}</td><td>${c.proof.length ? 'automatic' : 'attested'}</td>` +
      `<td><span class="badge" style="background:${COLOR[row.status]}">${esc(ROW_LABEL[row.status])}</span></td>` +
      `<td><ul>${rowEvidence(row).map((e) => `<li>${esc(e)}</li>`).join('')}</ul></td></tr>`;
  }).join('\n');
  const list = (title: string, items: string[]) => (items.length ? `<h2>${esc(title)}</h2><ul>${items.map((b) => `<li>${esc(b)}</li>`).join('')}</ul>` : '');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>ccready readiness: ${esc(r.decision.verdict)} — ${esc(r.target ?? 'no target')}</title>
<style>
body{font:13px/1.4 system-ui,sans-serif;margin:24px;color:#1f2328;max-width:1200px}
.verdict{color:#fff;background:${ready ? COLOR.proven : COLOR.blocking};padding:10px 14px;border-radius:6px;font-size:20px;font-weight:600}
table{border-collapse:collapse;width:100%;margin-top:10px}th,td{border:1px solid #d0d7de;padding:4px 6px;text-align:left;vertical-align:top}
tr.phase th{background:#f6f8fa}.badge{color:#fff;border-radius:4px;padding:1px 6px;font-size:11px;white-space:nowrap}
ul{margin:0;padding-left:16px}li{word-break:break-word}tr.blocking td{background:#fff5f5}
@media print{body{margin:8mm;font-size:10px}.verdict{-webkit-print-color-adjust:exact;print-color-adjust:exact}.badge,tr.blocking td,tr.phase th{-webkit-print-color-adjust:exact;print-color-adjust:exact}tr{page-break-inside:avoid}}
</style></head><body>
<div class="verdict" id="verdict">${esc(r.decision.verdict)}</div>
<p>Go-live target <code>${esc(r.target ?? 'not known')}</code> (from ${esc(r.targetSource)}). Judged ${esc(r.generatedAt)}; runs older than ${r.maxAgeDays} days do not count. Attestations: ${esc(r.attestationsFile ?? 'none')}.</p>
<p>One row per checkpoint of <i>A Guide to Transition Your CommCare Infrastructure</i> (Dimagi), Phases 1–6. <b>Automatic</b> rows are proven by ccready runs; <b>attested</b> rows are signed off by a person.</p>
${list('Blocking go-live', r.decision.blocking)}${list('Waived', r.decision.waived)}
<h2>Checkpoint matrix</h2>
<table><thead><tr><th>Section</th><th>Checkpoint</th><th>How</th><th>Status</th><th>Evidence</th></tr></thead><tbody>
${rows}
</tbody></table>
${list('Notes', r.notes)}
</body></html>
`;
}

export function readinessReportFiles(r: ReadinessReport): Record<string, string> {
  return { 'report.json': JSON.stringify(r, null, 2) + '\n', 'report.md': readinessMarkdown(r), 'report.html': readinessHtml(r) };
}

export function writeReadinessReports(r: ReadinessReport, dir: string): string[] {
  return writeRunFiles(dir, readinessReportFiles(r));
}
