// The files of a load run's report folder, for a run of one generator (runner.ts) and a merged
// split run (merge.ts) alike: the record, the verdict in every report format, k6's summary and
// config, and the acknowledged form ids the audit checked. Every text file is redacted.
import { redact, type Target } from '../common/target.ts';
import { loadCsv, loadJunit, loadMarkdown } from '../reports/load-report.ts';
import { loadHtml } from '../reports/load-html.ts';
import type { Ack } from './audit.ts';
import type { K6RunConfig } from './contract.ts';
import type { LoadRunRecord } from './record.ts';

export function runFiles(record: LoadRunRecord, o: { k6Summary: string; config: K6RunConfig; acked: Ack[]; target: Target; secrets: string[] }): Record<string, string> {
  const files: Record<string, string> = {
    'k6-summary.json': o.k6Summary,
    'k6-config.json': JSON.stringify(o.config, null, 1),
    'run.json': JSON.stringify(record, null, 1),
    'summary.md': loadMarkdown(record),
    'report.html': loadHtml(record),
    'metrics.csv': loadCsv(record),
    'junit.xml': loadJunit(record),
    'acknowledged-forms.txt': o.acked.map((a) => `${a.formId} ${a.instanceId}`).join('\n') + (o.acked.length ? '\n' : ''),
  };
  // Nothing secret may leave in a report: redact every text file with all the run's passwords.
  for (const [name, content] of Object.entries(files)) files[name] = redact(content, o.target, o.secrets);
  return files;
}
