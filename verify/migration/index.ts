// `verify migration`: does the target server hold what the source project held? Month by month
// and by xmlns the form counts, by opening month and case type the case counts, the mobile
// workers, and N sampled forms a month compared by content. MIGRATED only when every count and
// every sample agrees and every month was read; anything else is INCOMPLETE, the differences named.
import type { Target } from '../../common/target.ts';
import { monthsBetween, ProjectReader, type ApiCase, type ApiForm, type ReaderOptions } from '../collect/index.ts';
import { compareCases, compareMonth, compareRestore, contentHash, describe, sampleForms, type CaseTally, type Difference, type FormDigest, type MonthResult } from './compare.ts';

export { describe, type Difference, type MonthResult } from './compare.ts';

export interface MigrationOptions extends Omit<ReaderOptions, 'onRequest'> {
  runId: string;
  /** Forms compared by content per month (default 5). */
  samplesPerMonth?: number;
  /** Mobile workers whose restore on the target is checked for their open cases (default 3). */
  workersSampled?: number;
  onProgress?: (line: string) => void;
}

export interface MigrationReport {
  kind: 'migration';
  runId: string;
  startedAt: string;
  finishedAt: string;
  source: { url: string; domain: string };
  target: { url: string; domain: string };
  verdict: 'MIGRATED' | 'INCOMPLETE';
  exitCode: 0 | 1;
  summary: string;
  months: MonthResult[];
  totals: { sourceForms: number; targetForms: number; sourceCases: number; targetCases: number; sourceWorkers: number; targetWorkers: number; sampled: number; restoredWorkers: number };
  differences: Difference[];
  /** One line per difference, as printed. */
  findings: string[];
  requests: { source: number; target: number; retryWaits: number };
}

const sum = (m: Map<string, number>): number => [...m.values()].reduce((a, b) => a + b, 0);

/** What the comparison needs of a listed form: its id, xmlns and a hash of its data. */
const digest = (o: ApiForm): FormDigest => ({ id: o.id, xmlns: String(o.form?.['@xmlns'] ?? ''), hash: contentHash(o.form ?? null) });

/** Cases counted by opening month and case type. */
function tally(cases: ApiCase[]): CaseTally {
  const t: CaseTally = new Map();
  for (const c of cases) {
    const key = `${(c.date_opened ?? '').slice(0, 7) || 'unknown'}|${c.case_type ?? ''}`;
    t.set(key, (t.get(key) ?? 0) + 1);
  }
  return t;
}

/**
 * Restores `n` of the source's mobile workers (spread over their ids) on the target, as the target's
 * web user, and checks each carries the open cases the worker owns on the source. The username's
 * project part follows the target's project space.
 */
async function restoreSample(src: ProjectReader, tgt: ProjectReader, sourceCases: ApiCase[], sourceDomain: string, targetDomain: string, n: number): Promise<{ sampled: number; differences: Difference[] }> {
  if (n <= 0) return { sampled: 0, differences: [] };
  const workers = sampleForms(await src.mobileWorkerList(), n);
  const differences: Difference[] = [];
  for (const w of workers) {
    const expected = sourceCases.filter((c) => c.owner_id === w.id && !c.closed && c.case_id).map((c) => c.case_id!);
    const username = w.username.replace(`@${sourceDomain}.`, `@${targetDomain}.`);
    const d = compareRestore(username, expected, await tgt.restoreAs(username));
    if (d) differences.push(d);
  }
  return { sampled: workers.length, differences };
}

export async function runMigration(source: Target, target: Target, o: MigrationOptions): Promise<MigrationReport> {
  const startedAt = new Date().toISOString();
  const read = { timeoutMs: o.timeoutMs, signal: o.signal, maxRetries: o.maxRetries, maxWaitS: o.maxWaitS };
  const src = new ProjectReader('source', source, read);
  const tgt = new ProjectReader('target', target, read);
  try {
    const [a, b] = await Promise.all([src.formSpan(), tgt.formSpan()]);
    const spans = [a, b].filter((x): x is { first: string; last: string } => !!x);
    const months = spans.length ? monthsBetween(spans.map((s) => s.first).sort()[0], spans.map((s) => s.last).sort().at(-1)!) : [];
    const results: MonthResult[] = [];
    for (const [i, month] of months.entries()) {
      const [sf, tf] = await Promise.all([src.formsOfMonth(month), tgt.formsOfMonth(month)]);
      const r = compareMonth(month, sf.map(digest), tf.map(digest), o.samplesPerMonth ?? 5);
      results.push(r);
      o.onProgress?.(`[${i + 1}/${months.length}] ${month}: ${r.sourceForms} forms on the source, ${r.targetForms} on the target${r.differences.length ? `, ${r.differences.length} difference(s)` : ''}`);
    }
    const [sourceCases, targetCases] = await Promise.all([src.allCases(), tgt.allCases()]);
    const [sc, tc] = [sourceCases, targetCases].map(tally);
    const [sw, tw] = await Promise.all([src.mobileWorkers(), tgt.mobileWorkers()]);
    const restores = await restoreSample(src, tgt, sourceCases, source.domain, target.domain, o.workersSampled ?? 3);
    if (restores.sampled) o.onProgress?.(`${restores.sampled} sampled mobile worker(s) restored on the target${restores.differences.length ? `, ${restores.differences.length} difference(s)` : ''}`);
    const differences = [...results.flatMap((r) => r.differences), ...compareCases(sc, tc), ...restores.differences];
    if (sw !== tw) differences.push({ kind: 'users', source: sw, target: tw, difference: tw - sw });
    const ok = differences.length === 0 && months.length > 0;
    const totals = {
      sourceForms: results.reduce((n, r) => n + r.sourceForms, 0),
      targetForms: results.reduce((n, r) => n + r.targetForms, 0),
      sourceCases: sum(sc),
      targetCases: sum(tc),
      sourceWorkers: sw,
      targetWorkers: tw,
      sampled: results.reduce((n, r) => n + r.sampled, 0),
      restoredWorkers: restores.sampled,
    };
    const summary = !months.length
      ? 'no forms on either server: nothing to compare'
      : ok
        ? `${months.length} months, ${totals.sourceForms} forms, ${totals.sourceCases} cases and ${sw} mobile workers match; ${totals.sampled} sampled forms identical; ${restores.sampled} sampled mobile workers restore with all their open cases`
        : `${differences.length} difference(s) in ${new Set(differences.map((d) => d.month).filter(Boolean)).size} month(s)${restores.differences.length ? `; ${restores.differences.length} of ${restores.sampled} sampled mobile workers do not restore with their cases` : ''}`;
    return {
      kind: 'migration',
      runId: o.runId,
      startedAt,
      finishedAt: new Date().toISOString(),
      source: { url: source.url, domain: source.domain },
      target: { url: target.url, domain: target.domain },
      verdict: ok ? 'MIGRATED' : 'INCOMPLETE',
      exitCode: ok ? 0 : 1,
      summary,
      months: results,
      totals,
      differences,
      findings: differences.map(describe),
      requests: { source: src.requests, target: tgt.requests, retryWaits: src.waits + tgt.waits },
    };
  } finally {
    await Promise.all([src.close(), tgt.close()]);
  }
}
