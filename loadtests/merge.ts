// One verdict for a split run: the results of every generator (the run folders of `load run
// --execution-segment` on several machines, or k6-operator's runner pods) merged into the report
// one generator running the whole plan would have written. Counts and rates add up, percentiles
// come from the merged quantile grids (merge-metrics.ts), the plan's thresholds are judged once,
// one integrity audit checks every acknowledged form of every generator, and the report names
// each segment. Steps: read → check (merge-segments.ts) → merge → audit → judge (outcome.ts) → files.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXIT, inputError, UsageError } from '../common/errors.ts';
import { newRunId, runDir, writeRunFiles } from '../common/runs.ts';
import { redact, type Target } from '../common/target.ts';
import { auditForms, type Ack, type AuditResult, type RejectedAnswer } from './audit.ts';
import { segmentRange, type K6RunConfig, type ProfileName, type ScenarioName } from './contract.ts';
import type { K6Binary } from './k6bin.ts';
import { mergeK6Summaries } from './merge-metrics.ts';
import { checkCoverage, combineExits, combineRejected, combineTimelines, firstDifference, MIN_OVERLAP, overlapShare } from './merge-segments.ts';
import { describeK6Exit, judgeRun, segmentShare, type K6Exit } from './outcome.ts';
import type { LoadPlan, ScenarioShape } from './plan.ts';
import { CONFIGURED_WORKER, type LoadResult, type LoadRunRecord, type LoadVerdict, type MergedSegment, type RunSample } from './record.ts';
import { runFiles } from './run-files.ts';
import { onStopSignals } from './runner.ts';
import { interpretSummary, type K6SummaryData } from './summary.ts';

/** What one generator of a split run left: enough to merge it with the others. */
export interface SegmentResult {
  /** where it came from, for messages and the report: a run folder, a runner pod */
  source: string;
  /** its k6 --execution-segment, e.g. 0:1/2 */
  segment: string;
  sequence?: string;
  /** k6's end-of-test summary (handleSummary data) with ccready's percentile grid */
  summary: K6SummaryData;
  /** the forms the server acknowledged to it (its ack log, audit.ts parseAckLog) */
  acked: Ack[];
  rejected?: RejectedAnswer[];
  /** how its k6 ended */
  exit: K6Exit;
  /** the hard cap it ran under, seconds (for the message when the cap stopped it) */
  capS?: number;
  runId?: string;
  startedAt?: string;
  endedAt?: string;
  timeline?: RunSample[];
  /** its own verdict on its share, when it judged one */
  verdict?: LoadVerdict;
  /** the mobile workers it was given: the whole list, of which it used its segment's slice */
  workers?: number;
  /** where they came from (its run record's usersSource: CCHQ_USERNAME, a users file, created) */
  usersSource?: string;
  k6?: K6Binary;
}

export interface MergeRunInput {
  segments: SegmentResult[];
  plan: LoadPlan;
  profile: ProfileName;
  scenario: ScenarioName;
  /** the run config the generators ran (its options are the plan's k6 shape) */
  config: K6RunConfig;
  /** the whole plan's target rate and planned seconds of load (prepareRun's shape) */
  targetRate: number;
  durationS: number;
  /** the server the forms went to: the audit lists them through its Form API (web user) */
  target: Target;
  /** run the integrity audit (default: when the generators logged acknowledged ids) */
  audit?: boolean;
  auditTimeoutS?: number;
  out?: string;
  runId?: string;
  usersSource?: string;
  /** the k6 the generators ran (default: the first segment's) */
  k6?: K6Binary;
  onProgress?: (line: string) => void;
}

/** The plan's shape, as the generators ran it (from their run config). */
function shapeOf(i: MergeRunInput): ScenarioShape {
  return { options: i.config.options, targetRate: i.targetRate, durationS: i.durationS, stressSteps: i.config.stressSteps, mobileDay: i.config.mobileDay, notes: [], setupTimeoutS: 0 };
}

function segmentLine(s: SegmentResult): string {
  const forms = s.summary.metrics?.ccready_forms_acked?.values?.count ?? 0;
  return `segment ${s.segment} (${s.source}${s.runId ? `, run ${s.runId}` : ''}): ${forms} forms acknowledged, k6 ${describeK6Exit(s.exit.code, s.exit.interrupted)}${s.verdict ? `, ${s.verdict} on its own share` : ''}`;
}

export async function mergeRun(i: MergeRunInput): Promise<LoadResult> {
  checkCoverage(i.segments);
  const runId = i.runId ?? newRunId();
  const reportDir = runDir(runId, i.out);
  const progress = (l: string) => i.onProgress?.(redact(l, i.target, []));
  const data = mergeK6Summaries(i.segments.map((s) => ({ source: s.source, data: s.summary })));
  const shape = shapeOf(i);
  const summary = interpretSummary(data, { plan: i.plan, profile: i.profile, scenario: i.scenario, stressSteps: i.config.stressSteps });
  // Form ids are fresh per submission, so the generators' acknowledgements never collide; a
  // duplicate would mean the same results were given twice.
  const acked: Ack[] = [];
  const seen = new Map<string, string>();
  for (const s of i.segments) {
    for (const a of s.acked) {
      const other = seen.get(a.formId);
      if (other) throw new UsageError(`${s.source}: acknowledged form ${a.formId} is also in ${other}: the same results given twice?`);
      seen.set(a.formId, s.source);
      acked.push(a);
    }
  }
  const starts = i.segments.map((s) => s.startedAt).filter((x): x is string => !!x).sort();
  const ends = i.segments.map((s) => s.endedAt).filter((x): x is string => !!x).sort();
  const startedAt = starts[0] ?? new Date().toISOString();
  const wantsAudit = i.audit ?? i.config.logAcks;
  progress(`ccready load merge: ${i.segments.length} segments of ${i.scenario}/${i.profile} against ${i.target.url}: ${summary.formsAcknowledged} forms acknowledged, ${summary.requests} requests`);
  const stop = onStopSignals();
  let audit: AuditResult;
  try {
    if (!wantsAudit) audit = { checked: false, acknowledged: acked.length, found: 0, lost: 0, missingFormIds: [], waitedS: 0, note: 'not requested' };
    else {
      progress(`ccready load merge: one integrity audit of the ${acked.length} forms acknowledged to all ${i.segments.length} segments against the Form API`);
      // since the first generator started: the listing then holds every segment's forms
      audit = await auditForms({ target: i.target, acked, since: new Date(startedAt), timeoutS: i.auditTimeoutS ?? 60, signal: stop.signal });
    }
  } finally {
    stop.release();
  }
  const exit = combineExits(i.segments.map((s) => s.exit));
  const endedAt = ends[ends.length - 1] ?? new Date().toISOString();
  const elapsedS = (Date.parse(endedAt) - Date.parse(startedAt)) / 1000;
  const j = judgeRun({
    plan: i.plan, shape, scenario: i.scenario, summary, audit, wantsAudit, exit,
    capS: Math.max(0, ...i.segments.map((s) => s.capS ?? 0)), elapsedS,
    ackedIds: acked.length, rejected: combineRejected(i.segments.map((s) => s.rejected ?? [])),
    share: i.segments.reduce((a, s) => a + segmentShare(s.segment), 0),
    // the generators' own dashboards stay in their folders
    dashboard: true,
  });
  const failures = [...j.failures];
  const notes = [...i.segments.map(segmentLine), ...j.notes];
  // Generators that did not run side by side never put the plan's whole rate on the server.
  const together = overlapShare(i.segments);
  if (together !== null && together < MIN_OVERLAP) {
    failures.push(`the segments ran together for only ${(together * 100).toFixed(0)}% of the shortest one's run (under ${MIN_OVERLAP * 100}%): the server never carried the plan's whole rate; start them at the same time`);
  } else if (together === null) notes.push('not every segment said when it ran: that they ran side by side is not checked');
  // Every generator as the one configured worker: one account took the plan's whole rate.
  if (i.segments.length > 1 && i.segments.every((s) => s.usersSource === CONFIGURED_WORKER)) {
    notes.push(`all ${i.segments.length} segments ran as the one mobile worker of CCHQ_USERNAME: HQ saw a single worker (one sync log, one case list) take the plan's whole rate, which a real project spreads over its workers; give the generators workers of their own (--users-csv, --create-users)`);
  }
  const k6s = [...new Set(i.segments.map((s) => s.k6?.version).filter(Boolean))];
  if (k6s.length > 1) notes.push(`the segments ran different k6 versions: ${k6s.join(', ')}`);
  const verdict: LoadVerdict = j.verdict === 'INTERRUPTED' ? 'INTERRUPTED' : failures.length ? 'FAIL' : 'PASS';
  const exitCode = verdict === 'INTERRUPTED' ? j.exitCode : failures.length ? EXIT.failed : EXIT.ok;
  const segments: MergedSegment[] = i.segments.map((s) => ({
    segment: s.segment, share: segmentShare(s.segment), source: s.source,
    ...(s.runId ? { runId: s.runId } : {}), ...(s.verdict ? { verdict: s.verdict } : {}),
    ...(s.startedAt ? { startedAt: s.startedAt } : {}), ...(s.endedAt ? { endedAt: s.endedAt } : {}),
    formsAcknowledged: s.summary.metrics?.ccready_forms_acked?.values?.count ?? 0,
    requests: s.summary.metrics?.http_reqs?.values?.count ?? 0,
    k6End: describeK6Exit(s.exit.code, s.exit.interrupted),
  })).sort((a, b) => segmentRange(a.segment)[0] - segmentRange(b.segment)[0]);
  const k6: K6Binary = i.k6 ?? i.segments.find((s) => s.k6)?.k6 ?? { path: 'k6', version: 'unknown', source: 'PATH' };
  const record: LoadRunRecord = {
    runId, target: i.target.url, domain: i.target.domain, scenario: i.scenario, profile: i.profile,
    startedAt, endedAt, k6, k6ExitCode: exit.code, k6End: j.k6End,
    // every generator is given the whole list and works as its segment's slice of it: not a sum
    workers: Math.max(0, ...i.segments.map((s) => s.workers ?? 0)),
    usersSource: i.usersSource ?? `the workers of ${i.segments.length} segments`,
    targetRate: i.targetRate, plannedDurationS: i.durationS,
    segments,
    verdict, exitCode, failures, completion: j.completion, summary, audit, notes,
    rejected: combineRejected(i.segments.map((s) => s.rejected ?? [])),
    timeline: combineTimelines(i.segments), plan: i.plan,
  };
  const files = runFiles(record, { k6Summary: JSON.stringify(data, null, 1), config: i.config, acked, target: i.target, secrets: [] });
  const written = writeRunFiles(reportDir, files);
  progress(`ccready load merge: ${verdict}${failures.length ? `: ${failures[0]}` : ''}; report in ${reportDir}`);
  return {
    runId, reportDir, exitCode, thresholdsOk: summary.thresholdsOk, complete: j.complete,
    lost: audit.lost, missingFormIds: audit.missingFormIds, acknowledged: wantsAudit ? acked.length : summary.formsAcknowledged,
    summary, audit, verdict, failures, notes, elapsedS, files: written,
  };
}

// ---------------------------------------------------------------------------------------------
// `load merge RUN_DIR…`: the run folders `load run --execution-segment` wrote on each machine.

function readJson<T>(dir: string, name: string): T {
  const path = join(dir, name);
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw inputError(path, undefined, err.code ? `cannot read it (${err.code}); expected the report folder of \`ccready load run --execution-segment\`` : `expected JSON (${err.message})`);
  }
}

/** `form-id instance-id` lines, as the runner writes acknowledged-forms.txt. */
function readAcked(dir: string): Ack[] {
  const path = join(dir, 'acknowledged-forms.txt');
  if (!existsSync(path)) throw inputError(path, undefined, 'missing: the run folder holds no acknowledged form ids to audit');
  return readFileSync(path, 'utf8').split('\n').filter((l) => l.trim()).map((l, n) => {
    const [formId, instanceId] = l.trim().split(/\s+/);
    if (!formId || !instanceId) throw inputError(path, `line ${n + 1}`, 'expected "FORM_ID INSTANCE_ID"');
    return { formId, instanceId };
  });
}

/** What a `load run` folder says about the run: one segment's result, with its record and config. */
export function readSegmentFolder(dir: string): { record: LoadRunRecord; config: K6RunConfig; result: SegmentResult } {
  const record = readJson<LoadRunRecord>(dir, 'run.json');
  if (!record.runId || !record.summary || !record.plan) throw inputError(join(dir, 'run.json'), undefined, 'expected a run record written by `ccready load run`');
  if (record.segments) throw inputError(join(dir, 'run.json'), 'segments', 'this is already a merged run; merge the segments\' own folders');
  if (!record.segment) throw inputError(join(dir, 'run.json'), 'segment', 'this run was not an execution segment (run each machine with --execution-segment, e.g. 0:1/2 and 1/2:1)');
  const config = readJson<K6RunConfig>(dir, 'k6-config.json');
  const summary = readJson<K6SummaryData>(dir, 'k6-summary.json');
  const cap = /stopped at the hard cap of (\d+(?:\.\d+)?)s/.exec(record.failures.join('\n'));
  const result: SegmentResult = {
    source: dir,
    segment: record.segment.segment,
    ...(record.segment.sequence ? { sequence: record.segment.sequence } : {}),
    summary,
    acked: config.logAcks ? readAcked(dir) : [],
    rejected: record.rejected ?? [],
    exit: { code: record.k6ExitCode, killedByCap: !!cap, interrupted: record.verdict === 'INTERRUPTED' },
    ...(cap ? { capS: Number(cap[1]) } : {}),
    runId: record.runId, startedAt: record.startedAt, endedAt: record.endedAt, timeline: record.timeline,
    verdict: record.verdict, workers: record.workers, usersSource: record.usersSource, k6: record.k6,
  };
  return { record, config, result };
}

/** The merge input of `load merge`: every folder read and checked to be a segment of one run. */
export function mergeInputFromFolders(dirs: string[]): Omit<MergeRunInput, 'target'> & { targetUrl: string; domain: string } {
  if (dirs.length < 2) throw new UsageError(`load merge: expected the run folders of at least two execution segments, got ${dirs.length}`);
  const read = dirs.map(readSegmentFolder);
  const first = read[0];
  for (const r of read.slice(1)) {
    const where = join(r.result.source, 'run.json');
    // the plan's k6 preview is derived from the rest (never read back): compare what it came from
    const plan = (x: LoadPlan) => ({ ...x, k6: undefined });
    const same: [string, unknown, unknown][] = [
      ['plan', plan(r.record.plan), plan(first.record.plan)], ['scenario', r.record.scenario, first.record.scenario], ['profile', r.record.profile, first.record.profile],
      ['target', r.record.target, first.record.target], ['domain', r.record.domain, first.record.domain],
    ];
    for (const [key, a, b] of same) {
      const d = firstDifference(a, b);
      if (d) throw inputError(where, key === 'plan' ? `plan.${d}`.replace(/\.\(the whole value\)$/, '') : key, `differs from ${join(first.result.source, 'run.json')}: the folders are not segments of one run of one plan`);
    }
    // the k6 options (executors, thresholds) too: a plan run with other flags is another test
    const d = firstDifference(r.config.options, first.config.options);
    if (d) throw inputError(join(r.result.source, 'k6-config.json'), `options.${d}`, `differs from ${join(first.result.source, 'k6-config.json')}: the segments ran the plan differently`);
  }
  return {
    segments: read.map((r) => r.result),
    plan: first.record.plan, profile: first.record.profile, scenario: first.record.scenario,
    config: first.config, targetRate: first.record.targetRate, durationS: first.record.plannedDurationS,
    usersSource: `the workers of ${read.length} segments: ${[...new Set(read.map((r) => r.record.usersSource))].join('; ')}`,
    targetUrl: first.record.target, domain: first.record.domain,
  };
}
