// What a run folder proves. Every ccready command leaves its reports in a run folder; this reads
// the machine-readable one (report.json of verify / gate / monitoring / drill, run.json of a load
// run, verdict.json of `size --out`) into one Evidence shape. `classifyRun` is pure; `readRuns`
// does the file-system walk.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { inputError } from '../../common/errors.ts';

export type EvidenceKind = 'sizing' | 'verify' | 'gate' | 'load' | 'drill' | 'monitoring';

export interface Evidence {
  kind: EvidenceKind;
  /** the run folder */
  dir: string;
  runId: string;
  /** when the run finished (ISO); for a sizing verdict, when its file was written */
  at: string;
  /** the CommCare HQ the run was about (none for a sizing verdict) */
  target?: string;
  /** load runs: smoke | normal | peak | stress | soak */
  profile?: string;
  /** the sizing config: sizing verdicts name theirs, load runs the one their plan was derived from */
  sizingConfig?: string;
  /** the run's own verdict: passed (READY / PASS) or not */
  ok: boolean;
  /** one line: what the run said */
  summary: string;
  /** step id → status, for reports made of steps (monitoring: which items passed) */
  steps?: Record<string, string>;
}

export interface RunFiles {
  reportJson?: string;
  runJson?: string;
  verdictJson?: string;
  /** mtime of verdict.json (ISO): the verdict itself carries no time */
  verdictAt?: string;
}

const obj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);

function parse(dir: string, file: string, text: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw inputError(join(dir, file), undefined, `expected JSON written by ccready (${(e as Error).message})`);
  }
  if (!obj(v)) throw inputError(join(dir, file), undefined, 'expected a JSON object written by ccready');
  return v;
}

/**
 * The evidence in one run folder, or null when the folder holds no ccready report (a folder of
 * something else is not an error; a ccready report that cannot be read is).
 */
export function classifyRun(dir: string, files: RunFiles): Evidence | null {
  const runId = basename(dir);
  if (files.reportJson !== undefined) {
    const r = parse(dir, 'report.json', files.reportJson);
    const kind = str(r.kind) ?? '';
    const decision = obj(r.decision) ? r.decision : {};
    const steps = Array.isArray(r.steps) ? (r.steps as unknown[]).filter(obj) : [];
    const base = {
      dir,
      runId: str(r.runId) ?? runId,
      at: str(r.finishedAt) ?? str(r.startedAt) ?? '',
      target: str(r.target),
      steps: Object.fromEntries(steps.map((s) => [String(s.id), String(s.status)])),
    };
    // drill reports follow the verify report shape (decision.exitCode) or say PASS / FAIL
    const passed = decision.exitCode === 0 || r.verdict === 'PASS';
    const said = str(decision.verdict) ?? str(r.verdict) ?? 'no verdict';
    // verify's summary already starts with its verdict
    const summary = str(decision.summary)?.startsWith(said) ? String(decision.summary) : `${said}${str(decision.summary) ? `: ${decision.summary}` : ''}`;
    if (kind === 'verify' || kind === 'gate' || kind === 'monitoring') {
      if (!base.at) throw inputError(join(dir, 'report.json'), 'finishedAt', 'expected the time the run finished');
      return { kind, ...base, ok: passed && !r.interrupted, summary };
    }
    // retiring the drill's worker proves nothing, and as the newest drill run it must not stand in
    // for the check before it (a PASS retire after a FAIL check would read as a proven restore)
    if (kind === 'drill-retire') return null;
    if (kind.startsWith('drill')) {
      if (!base.at) throw inputError(join(dir, 'report.json'), 'finishedAt', 'expected the time the run finished');
      // only a check proves a restore; a write alone proves nothing about it
      return { kind: 'drill', ...base, ok: passed && !r.interrupted && !/write/.test(kind), summary: /write/.test(kind) ? `${kind}: data written, restore not checked` : summary };
    }
    return null; // canary runs and reports of other tools prove no checkpoint
  }
  if (files.runJson !== undefined) {
    const r = parse(dir, 'run.json', files.runJson);
    if (!obj(r.summary) || !str(r.runId)) return null;
    const plan = obj(r.plan) ? r.plan : {};
    const source = obj(plan.source) ? plan.source : {};
    const audit = obj(r.audit) ? r.audit : {};
    const at = str(r.endedAt) ?? str(r.startedAt);
    if (!at) throw inputError(join(dir, 'run.json'), 'endedAt', 'expected the time the run ended');
    const lost = audit.checked ? `lost ${audit.lost}` : 'not audited';
    return {
      kind: 'load',
      dir,
      runId: str(r.runId) ?? runId,
      at,
      target: str(r.target),
      profile: str(r.profile),
      sizingConfig: str(source.sizing),
      // a run that did not audit its forms has not shown that nothing was lost
      ok: r.verdict === 'PASS' && audit.checked === true && audit.lost === 0,
      summary: `${str(r.verdict) ?? 'no verdict'}: ${r.profile} ${r.scenario}, thresholds ${(r.summary as Record<string, unknown>).thresholdsOk ? 'met' : 'FAILED'}, ${lost}`,
    };
  }
  if (files.verdictJson !== undefined) {
    const r = parse(dir, 'verdict.json', files.verdictJson);
    if (r.format !== 'ccready-verdict/1' || !Array.isArray(r.verdicts)) return null;
    const verdicts = (r.verdicts as unknown[]).filter(obj);
    const fits = verdicts.length > 0 && verdicts.every((v) => v.fits === true);
    const crossed = verdicts.flatMap((v) => (Array.isArray(v.limits) ? (v.limits as unknown[]).filter(obj) : []))
      .filter((l) => l.status === 'DOES NOT FIT').map((l) => `${String(l.label).split(' (')[0]} ${l.firstCrossed}`);
    const server = obj(verdicts[0]?.server) ? (verdicts[0]!.server as Record<string, unknown>) : {};
    return {
      kind: 'sizing',
      dir,
      runId,
      at: files.verdictAt ?? '',
      sizingConfig: str(r.config_file),
      ok: fits,
      summary: `${fits ? 'fits' : 'does not fit'} ${server.cores}c/${server.ram_gb}GB/${server.disk_tb}TB${crossed.length ? `: ${crossed.join(', ')}` : ''}`,
    };
  }
  return null;
}

function readIf(path: string): string | undefined {
  return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
}

/** The evidence in one folder (named with --evidence): an error when it holds no ccready report. */
export function readRunFolder(dir: string): Evidence | null {
  const abs = resolve(dir);
  const verdictPath = join(abs, 'verdict.json');
  return classifyRun(abs, {
    reportJson: readIf(join(abs, 'report.json')),
    runJson: readIf(join(abs, 'run.json')),
    verdictJson: readIf(verdictPath),
    verdictAt: existsSync(verdictPath) ? statSync(verdictPath).mtime.toISOString() : undefined,
  });
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false; // a dangling link is no run
  }
}

/** Every run folder directly under `root` (e.g. reports/runs) that holds ccready evidence. */
export function readRuns(root: string, flag = '--runs'): Evidence[] {
  let names: string[];
  try {
    // statSync follows links: a folder of links to chosen runs is a folder of runs too
    names = readdirSync(root).filter((n) => !n.includes('.partial-') && isDir(join(root, n)));
  } catch (e) {
    throw inputError(flag, root, `cannot read the run folders (${(e as NodeJS.ErrnoException).code}); expected a folder of ccready run folders such as reports/runs`);
  }
  return names.sort().map((n) => readRunFolder(join(root, n))).filter((e): e is Evidence => e !== null);
}

/** Origin and path without a trailing slash: the same HQ written two ways compares equal. */
export function sameTarget(a: string, b: string): boolean {
  const norm = (u: string) => {
    try {
      const x = new URL(u);
      return `${x.protocol}//${x.host}${x.pathname.replace(/\/+$/, '')}`.toLowerCase();
    } catch {
      return u.replace(/\/+$/, '').toLowerCase();
    }
  };
  return norm(a) === norm(b);
}
