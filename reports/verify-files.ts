// All report files of a verify / gate / canary run, written together (never half a report):
// report.json, junit.xml (one test case per step), report.md and report.html.
import { junitXml } from './junit.ts';
import { writeRunFiles } from '../common/runs.ts';
import { upgradeLine, verifyMarkdown } from './verify-markdown.ts';
import { verifyHtml } from './verify-html.ts';
import type { VerifyReport } from '../verify/index.ts';

export function verifyJunit(r: VerifyReport): string {
  return junitXml([
    {
      name: `ccready ${r.kind} ${r.target}${r.upgrade ? ` upgrade ${r.upgrade.from ?? 'unknown'} → ${r.upgrade.to ?? 'no new version'}` : ''}`,
      timestamp: r.startedAt,
      cases: r.steps.map((s) => ({
        name: `${s.id} ${s.title}`,
        classname: `ccready.${r.kind}`,
        seconds: s.durationMs / 1000,
        // A required step that was not checked (left out, blocked, interrupted) is a failure to CI:
        // a green JUnit must mean every required check ran and passed.
        status: s.status === 'fail' && !s.required ? 'warn' : s.status === 'skip' && s.required ? 'fail' : s.status,
        message: s.status === 'skip' && s.required ? `required step not checked: ${s.reason ?? 'skipped'}` : s.reason,
        details: [...(r.upgrade && s.id === 'U3-version' ? [upgradeLine(r.upgrade)] : []), ...s.evidence, ...(s.metrics ? [`metrics: ${JSON.stringify(s.metrics)}`] : [])].join('\n'),
      })),
    },
  ]);
}

export function verifyReportFiles(r: VerifyReport): Record<string, string> {
  const files = { 'report.json': '', 'junit.xml': verifyJunit(r), 'report.md': verifyMarkdown(r), 'report.html': verifyHtml(r) };
  files['report.json'] = JSON.stringify({ ...r, files: Object.keys(files) }, null, 2) + '\n';
  return files;
}

export function writeVerifyReports(r: VerifyReport, dir: string): string[] {
  return writeRunFiles(dir, verifyReportFiles(r));
}
