// The files a load run leaves in its report folder besides k6's own summary and dashboard: a
// Markdown summary with the verdict, a CSV of the key metrics, and JUnit XML for CI.
import { stringify } from 'csv-stringify/sync';
import { junitXml, type JUnitCase } from './junit.ts';
import type { LoadRunRecord } from '../loadtests/index.ts';

const ms = (x: number | undefined) => (x === undefined ? '–' : `${x.toFixed(1)} ms`);
const pct = (x: number) => `${(x * 100).toFixed(2)}%`;

export function loadMarkdown(r: LoadRunRecord): string {
  const s = r.summary;
  const lines: string[] = [];
  lines.push(`# Load run ${r.runId}${segmentTitle(r)}: ${r.verdict}`, '');
  lines.push(`| | |`, `|---|---|`);
  lines.push(`| Target | ${r.target} (project \`${r.domain}\`) |`);
  lines.push(`| Scenario / profile | ${r.scenario} / ${r.profile} |`);
  lines.push(`| Started / ended | ${r.startedAt} / ${r.endedAt} |`);
  lines.push(`| k6 | ${r.k6.version} (${r.k6.source}), ${r.k6End} |`);
  lines.push(`| Mobile workers | ${r.workers} (${r.usersSource}) |`);
  lines.push(`| Target rate | ${r.segment ? `${segmentRate(r)} /s, this segment's share of the plan's ${r.targetRate} /s,` : `${r.targetRate} /s`} for ${r.plannedDurationS} s |`);
  if (r.segment) lines.push(`| Execution segment | ${r.segment.segment} (${(r.segment.share * 100).toFixed(1)}% of the plan; rates and counts are this share's, judged against it; \`ccready load merge\` gives the plan's verdict) |`);
  if (r.segments) lines.push(`| Merged from | ${r.segments.length} execution segments: ${r.segments.map((x) => x.segment).join(', ')} (one verdict, one integrity audit) |`);
  const c = r.completion;
  if (c) lines.push(`| Iterations | ${c.completed}${c.planned !== null ? ` of ${c.planned} planned (${((c.ratio ?? 0) * 100).toFixed(0)}%)` : ''}${c.dropped ? `, ${c.dropped} dropped` : ''} |`);
  lines.push('');
  lines.push('## Verdict', '');
  for (const f of r.failures ?? []) lines.push(`- **${f}**`);
  lines.push(`- Thresholds: ${s.thresholdsOk ? 'all met' : 'FAILED'}`);
  if (r.audit.checked) lines.push(`- Integrity audit: ${r.audit.acknowledged} forms acknowledged, ${r.audit.found} listed by the Form API, **lost = ${r.audit.lost}**`);
  else if (r.audit.failed) lines.push(`- Integrity audit: **FAILED** (${r.audit.note})`);
  else lines.push(`- Integrity audit: not done (${r.audit.note ?? 'no forms'})`);
  if (r.audit.missingFormIds.length) lines.push(`- Missing form ids: ${r.audit.missingFormIds.slice(0, 50).join(', ')}${r.audit.missingFormIds.length > 50 ? ' …' : ''}`);
  for (const n of r.notes) lines.push(`- Note: ${n}`);
  if (r.server) lines.push('', '## Server', '', ...r.server.lines.map((l) => `- ${l}`), ...(r.server.samples.length ? ['', 'Charts of CPU and RAM over the run, under the forms rate: `report.html`; the samples: `server.csv`.'] : []));
  if (r.segments) {
    lines.push('', '## Segments', '', '| Segment | Share | From | Run | Forms acknowledged | Requests | k6 | Own verdict |', '|---|---|---|---|---|---|---|---|');
    for (const x of r.segments) lines.push(`| ${x.segment} | ${(x.share * 100).toFixed(1)}% | \`${x.source}\` | ${x.runId ?? '–'} | ${x.formsAcknowledged} | ${x.requests} | ${x.k6End} | ${x.verdict ?? '–'} |`);
    lines.push('', 'Counts and rates are the segments\' sums; percentiles come from their merged quantile grids (within 0.1 percentile point), never averaged; the thresholds and the audit are judged once, on the whole.');
  }
  lines.push('', '## Thresholds', '', '| Metric | Threshold | Result |', '|---|---|---|');
  for (const t of s.thresholds) lines.push(`| \`${t.metric}\` | \`${t.threshold}\` | ${t.ok ? 'ok' : '**failed**'} |`);
  lines.push('', '## Key numbers', '');
  lines.push(`- Requests: ${s.requests} (${s.requestRate}/s), iterations ${s.iterations}, error rate ${pct(s.errorRate)} (HTTP failures ${pct(s.httpFailedRate)})`);
  lines.push(`- Forms: ${s.formsAcknowledged} acknowledged (${s.formRate}/s), ${s.formsRejected} rejected`);
  lines.push(`- Restores: ${s.restoresFull} full, ${s.restoresIncremental} incremental, ${s.restoreAsync202} async 202 answers polled, ${s.restore412} 412 → full restore; cases per restore ${s.casesPerRestore ?? '–'}`);
  lines.push('', '| Request kind | count | median | p95 | p99 | max |', '|---|---|---|---|---|---|');
  for (const [k, l] of Object.entries(s.latency)) {
    if (l) lines.push(`| ${k} | ${l.count} | ${ms(l.med)} | ${ms(l.p95)} | ${ms(l.p99)} | ${ms(l.max)} |`);
  }
  if (s.steps) {
    lines.push('', '## Stress steps', '', '| Step | Rate /s | Requests | p95 | Error rate | Met thresholds |', '|---|---|---|---|---|---|');
    for (const st of s.steps) lines.push(`| ${st.step} | ${st.rate} | ${st.requests} | ${st.p95Ms === null ? '–' : ms(st.p95Ms)} | ${st.errorRate === null ? '–' : pct(st.errorRate)} | ${st.ok ? 'yes' : 'no'} |`);
    lines.push('', s.knee ? `**Knee: ${s.knee.rate}/s** (step ${s.knee.step}), the highest rate that still met the thresholds.` : '**No knee**: even the first step broke the thresholds.');
  }
  lines.push('', 'Files: `k6-summary.json` (k6 end-of-test data), `dashboard.html` (k6 web dashboard export), `metrics.csv`, `junit.xml`, `run.json`.', '');
  return lines.join('\n');
}

/** A segment's share of the plan's rate (older records lack it). */
export function segmentRate(r: LoadRunRecord): number {
  return r.segment?.targetRate ?? Number((r.targetRate * (r.segment?.share ?? 1)).toFixed(4));
}

/** `, segment 0:1/2` or `, merged from segments 0:1/2, 1/2:1`, for titles. */
export function segmentTitle(r: LoadRunRecord): string {
  if (r.segment) return `, segment ${r.segment.segment}`;
  return r.segments ? `, merged from segments ${r.segments.map((x) => x.segment).join(', ')}` : '';
}

export function loadCsv(r: LoadRunRecord): string {
  const s = r.summary;
  const rows: (string | number)[][] = [['metric', 'kind', 'value', 'unit']];
  const add = (metric: string, kind: string, value: number | null | undefined, unit: string) => {
    if (value !== null && value !== undefined) rows.push([metric, kind, Number(value.toFixed(4)), unit]);
  };
  add('requests', 'all', s.requests, 'count');
  add('request_rate', 'all', s.requestRate, 'per_s');
  add('error_rate', 'all', s.errorRate, 'ratio');
  add('http_failed_rate', 'all', s.httpFailedRate, 'ratio');
  add('forms_acknowledged', 'submission', s.formsAcknowledged, 'count');
  add('form_rate', 'submission', s.formRate, 'per_s');
  add('forms_rejected', 'submission', s.formsRejected, 'count');
  add('restores_full', 'restore', s.restoresFull, 'count');
  add('restores_incremental', 'restore', s.restoresIncremental, 'count');
  add('restore_202', 'restore', s.restoreAsync202, 'count');
  add('restore_412', 'restore', s.restore412, 'count');
  add('cases_per_restore', 'restore', s.casesPerRestore, 'count');
  for (const [k, l] of Object.entries(s.latency)) {
    if (!l) continue;
    add('latency_p95', k, l.p95, 'ms');
    add('latency_p99', k, l.p99, 'ms');
    add('latency_median', k, l.med, 'ms');
  }
  add('forms_lost', 'audit', r.audit.checked ? r.audit.lost : null, 'count');
  if (r.segment) {
    add('segment_share', r.segment.segment, r.segment.share, 'ratio');
    add('segment_target_rate', r.segment.segment, segmentRate(r), 'per_s');
  }
  for (const x of r.segments ?? []) add('segment_forms_acknowledged', x.segment, x.formsAcknowledged, 'count');
  if (s.knee) add('stress_knee', r.scenario, s.knee.rate, 'per_s');
  return stringify(rows);
}

export function loadJunit(r: LoadRunRecord): string {
  const cases: JUnitCase[] = r.summary.thresholds.map((t) => ({
    name: `threshold ${t.metric} ${t.threshold}`,
    classname: `ccready.load.${r.scenario}`,
    status: t.ok ? 'pass' : 'fail',
    message: t.ok ? undefined : `${t.metric} broke ${t.threshold}`,
  }));
  cases.push(
    r.audit.checked
      ? {
          name: 'integrity audit: every acknowledged form is on the server',
          classname: `ccready.load.${r.scenario}`,
          status: r.audit.lost === 0 ? 'pass' : 'fail',
          message: r.audit.lost === 0 ? undefined : `${r.audit.lost} of ${r.audit.acknowledged} acknowledged forms are missing`,
          details: r.audit.missingFormIds.join('\n') || `${r.audit.acknowledged} acknowledged, ${r.audit.found} found`,
        }
      : { name: 'integrity audit: every acknowledged form is on the server', classname: `ccready.load.${r.scenario}`, status: r.audit.failed ? 'fail' : 'skip', message: r.audit.note ?? 'not run' },
  );
  return junitXml([{ name: `ccready load ${r.scenario} ${r.profile} ${r.runId}${segmentTitle(r)}`, timestamp: r.startedAt, cases }]);
}
