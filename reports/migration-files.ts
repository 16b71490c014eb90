// The report files of a `verify migration` run, written together (never half a report):
// report.json (everything) and report.md (the verdict, the differences, the months).
import { writeRunFiles } from '../common/runs.ts';
import type { MigrationReport } from '../verify/migration/index.ts';

const cell = (s: string | number): string => String(s).replace(/\|/g, '\\|');

export function migrationMarkdown(r: MigrationReport): string {
  const lines = [
    `# Migration check: ${r.verdict}`,
    '',
    `${r.summary}.`,
    '',
    `- Source: ${r.source.url} (project ${r.source.domain})`,
    `- Target: ${r.target.url} (project ${r.target.domain})`,
    `- Run ${r.runId}, ${r.startedAt} – ${r.finishedAt}; ${r.requests.source} + ${r.requests.target} API requests, ${r.requests.retryWaits} waits on 429/503`,
    '',
    '| | Source | Target |',
    '|---|---:|---:|',
    `| Forms | ${r.totals.sourceForms} | ${r.totals.targetForms} |`,
    `| Cases | ${r.totals.sourceCases} | ${r.totals.targetCases} |`,
    `| Mobile workers | ${r.totals.sourceWorkers} | ${r.totals.targetWorkers} |`,
    '',
    `${r.totals.restoredWorkers} sampled mobile worker(s) restored on the target as its web user, each checked for the open cases they own on the source.`,
    '',
  ];
  if (r.findings.length) {
    lines.push('## Differences', '', ...r.findings.map((f) => `- ${f}`), '');
  }
  lines.push('## Forms by month', '', '| Month | Source | Target | Sampled | Differences |', '|---|---:|---:|---:|---:|');
  for (const m of r.months) lines.push(`| ${cell(m.month)} | ${m.sourceForms} | ${m.targetForms} | ${m.sampled} | ${m.differences.length} |`);
  lines.push('');
  return lines.join('\n');
}

export function writeMigrationReports(r: MigrationReport, dir: string): string[] {
  return writeRunFiles(dir, { 'report.json': `${JSON.stringify(r, null, 2)}\n`, 'report.md': migrationMarkdown(r) });
}
