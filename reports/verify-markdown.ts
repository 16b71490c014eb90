// The Markdown summary of a verify / gate / canary run: verdict first, then one row per step.
import type { VerifyReport, StepResult, UpgradeSummary } from '../verify/index.ts';

const ICON: Record<StepResult['status'], string> = { pass: 'PASS', fail: 'FAIL', warn: 'WARN', skip: 'SKIP' };

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function verifyMarkdown(r: VerifyReport): string {
  const d = r.decision;
  const lines = [
    `# ccready ${r.kind}: ${d.verdict}`,
    '',
    `- Target: ${r.target} (project ${r.domain})`,
    `- Run: ${r.runId}, ${r.startedAt} → ${r.finishedAt}${r.interrupted ? ' (interrupted)' : ''}`,
    `- Decision: ${d.summary}`,
  ];
  if (r.upgrade) lines.push(`- ${upgradeLine(r.upgrade)}`);
  if (d.suspects.length) {
    lines.push('', '## Most likely at fault', '');
    for (const s of d.suspects.slice(0, 5)) lines.push(`- **${s.service}** (score ${s.score}): ${s.why.join('; ')}`);
  }
  lines.push('', '## Steps', '', '| Step | Status | Services | Time | Reason |', '|---|---|---|---|---|');
  for (const s of r.steps) {
    lines.push(`| ${cell(`${s.id} ${s.title}`)} | ${ICON[s.status]}${s.required ? '' : ' (optional)'} | ${s.services.join(', ')} | ${fmtMs(s.durationMs)} | ${cell(s.reason ?? '')} |`);
  }
  lines.push('', '## Evidence', '');
  for (const s of r.steps) {
    if (!s.evidence.length && !s.metrics) continue;
    lines.push(`### ${s.id} ${s.title}`, '');
    for (const e of s.evidence) lines.push(`- ${e}`);
    if (s.metrics) lines.push(`- metrics: ${Object.entries(s.metrics).map(([k, v]) => `${k}=${v}`).join(', ')}`);
    lines.push('');
  }
  return lines.join('\n') + '\n';
}

/** One line for an upgrade rehearsal: both versions as the server reported them, downtime, time to healthy. */
export function upgradeLine(u: UpgradeSummary): string {
  const parts = [`Upgrade: ${u.from ?? 'unknown'} → ${u.to ?? 'no new version'}`];
  if (u.downtimeSeconds !== undefined) parts.push(`downtime ${u.downtimeSeconds.toFixed(1)} s in ${u.outages ?? 0} outage(s)${u.pollMs ? ` (serverup.txt every ${u.pollMs} ms)` : ''}`);
  if (u.timeToHealthySeconds !== undefined) parts.push(`healthy with the new version after ${u.timeToHealthySeconds.toFixed(1)} s`);
  parts.push(u.swap === 'command' ? 'swapped by the swap command' : 'swapped by hand');
  return parts.join(', ');
}

export function fmtMs(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}
