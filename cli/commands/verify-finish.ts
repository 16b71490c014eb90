// The end of a verify-family run (verify, canary, gate, verify monitoring): the verdict line, the
// settings to fix or the suspects, where the reports are, and the exit code. In its own file so that
// the subcommands and the gate share it without importing verify.ts (which registers them: a cycle).
import type { VerifyReport } from '../../verify/index.ts';

/** Prints the decision and where the reports are; sets the exit code (EXIT: ok, failed or partial). */
export function finish(report: VerifyReport, dir: string): void {
  const d = report.decision;
  process.stdout.write(`\n${d.verdict}: ${d.summary.replace(/^[^;]*;?\s*/, '') || 'every required step passed'}\n`);
  // A configuration problem: one line per setting to fix, and no service named.
  const pre = report.steps.find((s) => s.id === '00-preflight');
  if (d.cause === 'configuration' && pre) for (const e of pre.evidence) if (e.startsWith('configuration: ')) process.stdout.write(`  ${e}\n`);
  for (const s of d.suspects.slice(0, 3)) process.stdout.write(`  suspect ${s.service} (${s.score}): ${s.why.slice(0, 4).join('; ')}\n`);
  process.stdout.write(`reports: ${dir}/report.{json,md,html}, junit.xml\n`);
  process.exitCode = d.exitCode;
}
