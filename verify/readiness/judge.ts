// The go-live decision over the checkpoint matrix. Pure: evidence, attestations, the target and
// the clock come in; the matrix and GO-LIVE READY / NOT READY come out. Every rule is unit-tested.
//
// A row is settled by its proofs (automatic rows: the newest run of each needed kind, about the
// go-live target, recent enough, passing) or by a person's attestation (attested rows). A waiver
// that has not expired leaves any row knowingly open; an expired one blocks like no waiver at all
// and is named. Rows of the guide's [Optional] sections block nothing when left blank.
import { UsageError } from '../../common/errors.ts';
import type { Attestation, Attestations, Waiver } from './attestations.ts';
import { CHECKPOINTS, PROOF_TEXT, type Checkpoint, type Proof } from './checkpoints.ts';
import { sameTarget, type Evidence, type EvidenceKind } from './evidence.ts';

export type ProofStatus = 'ok' | 'missing' | 'failed' | 'stale' | 'foreign-target' | 'other-sizing';

export interface ProofCheck {
  proof: Proof;
  status: ProofStatus;
  /** the run judged (absent when none was found) */
  evidence?: Pick<Evidence, 'kind' | 'runId' | 'dir' | 'at' | 'target' | 'summary'>;
  /** one line: what is wrong, or what the run showed */
  detail: string;
}

export type RowStatus = 'proven' | 'attested' | 'waived' | 'blocking' | 'optional';

export interface RowResult {
  checkpoint: Checkpoint;
  status: RowStatus;
  proofs: ProofCheck[];
  attestation?: Attestation;
  waiver?: Waiver & { expired: boolean };
  /** why the row blocks (or, when waived, what is still open) */
  problems: string[];
}

export type ReadinessVerdict = 'GO-LIVE READY' | 'NOT READY';

export interface ReadinessReport {
  kind: 'readiness';
  format: 'ccready-readiness/1';
  generatedAt: string;
  target: string | null;
  /** where the target came from */
  targetSource: string;
  maxAgeDays: number;
  attestationsFile: string | null;
  rows: RowResult[];
  decision: { verdict: ReadinessVerdict; exitCode: 0 | 1; blocking: string[]; waived: string[] };
  /** evidence left aside and why (older, other target): for the reader, not blocking */
  notes: string[];
}

export interface JudgeInput {
  /** runs found under --runs */
  evidence: Evidence[];
  /** runs named with --evidence: they win over the scanned ones of their kind */
  named?: Evidence[];
  attestations?: Attestations;
  /** --target, when given */
  target?: string;
  maxAgeMs: number;
  now: Date;
}

const DAY_MS = 86_400_000;

/** `14d`, `36h`, `2w` → milliseconds; a one-line error naming --max-age otherwise. */
export function parseMaxAge(s: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([hdw])\s*$/.exec(s);
  if (!m || Number(m[1]) <= 0) throw new UsageError(`--max-age: expected a positive age like 14d, 36h or 2w, got "${s}"`);
  return Number(m[1]) * { h: 3_600_000, d: DAY_MS, w: 7 * DAY_MS }[m[2] as 'h' | 'd' | 'w'];
}

const KIND_OF: Record<Proof, { kind: EvidenceKind; profile?: string }> = {
  sizing: { kind: 'sizing' },
  verify: { kind: 'verify' },
  gate: { kind: 'gate' },
  'load-normal': { kind: 'load', profile: 'normal' },
  'load-peak': { kind: 'load', profile: 'peak' },
  drill: { kind: 'drill' },
  monitoring: { kind: 'monitoring' },
  'error-logging': { kind: 'monitoring' },
};

const newestFirst = (a: Evidence, b: Evidence) => (b.at > a.at ? 1 : b.at < a.at ? -1 : b.runId.localeCompare(a.runId));
const base = (p: string) => p.replace(/\\/g, '/').split('/').pop() ?? p;
const days = (ms: number) => Math.round((ms / DAY_MS) * 10) / 10;

/** The go-live target: --target, else the attestations file's, else the newest gate or verify run's. */
function goLiveTarget(input: JudgeInput): { target: string | null; source: string } {
  if (input.target) return { target: input.target, source: '--target' };
  if (input.attestations?.target) return { target: input.attestations.target, source: input.attestations.file };
  const all = [...(input.named ?? []), ...input.evidence].filter((e) => (e.kind === 'gate' || e.kind === 'verify') && e.target).sort(newestFirst);
  if (all[0]) return { target: all[0].target!, source: `the newest ${all[0].kind} run (${all[0].runId})` };
  return { target: null, source: 'none: no --target, no target in the attestations file, no verify or gate run' };
}

export function judgeReadiness(input: JudgeInput): ReadinessReport {
  const { target, source } = goLiveTarget(input);
  const today = input.now.toISOString().slice(0, 10);
  const notes: string[] = [];
  const noted = new Set<string>();
  const note = (s: string) => {
    if (!noted.has(s)) notes.push(s);
    noted.add(s);
  };

  const candidates = (proof: Proof): Evidence[] => {
    const want = KIND_OF[proof];
    const match = (e: Evidence) => e.kind === want.kind && (want.profile === undefined || e.profile === want.profile);
    const named = (input.named ?? []).filter(match);
    return (named.length ? named : input.evidence.filter(match)).sort(newestFirst);
  };
  const sizing = candidates('sizing')[0];

  const check = (proof: Proof): ProofCheck => {
    const all = candidates(proof);
    const what = PROOF_TEXT[proof];
    if (!all.length) return { proof, status: 'missing', detail: `no run found: ${what.title} (run \`${what.command}\`)` };
    const ours = proof === 'sizing' || !target ? all : all.filter((e) => e.target && sameTarget(e.target, target));
    const e = ours[0] ?? all[0]!;
    const ev = { kind: e.kind, runId: e.runId, dir: e.dir, at: e.at, target: e.target, summary: e.summary };
    if (ours[0] && all[0] !== ours[0]) note(`${all[0]!.kind} run ${all[0]!.runId} is about ${all[0]!.target}, not ${target}: left aside`);
    if (!ours[0]) return { proof, status: 'foreign-target', evidence: ev, detail: `${e.kind} run ${e.runId} is about ${e.target ?? 'an unnamed server'}, not ${target}` };
    const age = input.now.getTime() - Date.parse(e.at);
    // the sizing verdict is a plan, not a measurement of the server: it does not go stale
    if (proof !== 'sizing' && !(age <= input.maxAgeMs)) {
      return { proof, status: 'stale', evidence: ev, detail: `${e.kind} run ${e.runId} is ${Number.isFinite(age) ? `${days(age)} days` : 'of unknown'} old (limit ${days(input.maxAgeMs)} days)` };
    }
    if (e.kind === 'load') {
      if (!e.sizingConfig) return { proof, status: 'other-sizing', evidence: ev, detail: `load run ${e.runId} used the built-in plan, not one derived from the sizing config (\`ccready load plan --sizing CONFIG\`)` };
      if (sizing?.sizingConfig && base(sizing.sizingConfig) !== base(e.sizingConfig)) {
        return { proof, status: 'other-sizing', evidence: ev, detail: `load run ${e.runId} ran a plan from ${e.sizingConfig}, but the sizing verdict is for ${sizing.sizingConfig}` };
      }
    }
    if (proof === 'error-logging') {
      const st = e.steps?.['error-logging'];
      if (st !== 'pass') {
        return { proof, status: st === undefined || st === 'skip' ? 'missing' : 'failed', evidence: ev, detail: st === undefined || st === 'skip' ? `monitoring run ${e.runId} did not test error logging (add --sentry-dsn)` : `monitoring run ${e.runId}: the error-logging endpoint did not accept the test event` };
      }
      return { proof, status: 'ok', evidence: ev, detail: `monitoring run ${e.runId}: error logging accepted a test event` };
    }
    if (!e.ok) return { proof, status: 'failed', evidence: ev, detail: `${e.kind} run ${e.runId}: ${e.summary}` };
    return { proof, status: 'ok', evidence: ev, detail: `${e.kind} run ${e.runId}: ${e.summary}` };
  };

  const rows: RowResult[] = CHECKPOINTS.map((c) => {
    const proofs = c.proof.map(check);
    const attestation = input.attestations?.attestations[c.id];
    const w = input.attestations?.waivers[c.id];
    const waiver = w ? { ...w, expired: w.expires < today } : undefined;
    const problems: string[] = [];
    let settled: RowStatus | null;
    if (c.proof.length) {
      problems.push(...proofs.filter((p) => p.status !== 'ok').map((p) => p.detail));
      settled = problems.length ? null : 'proven';
    } else {
      settled = attestation ? 'attested' : null;
      if (!attestation) problems.push(`not attested: fill in by and date for ${c.id} in the attestations file`);
    }
    let status: RowStatus;
    if (settled) status = settled;
    else if (waiver && !waiver.expired) status = 'waived';
    else if (c.optional && !waiver && proofs.length === 0) status = 'optional';
    else status = 'blocking';
    if (waiver?.expired) problems.push(`waiver expired on ${waiver.expires} (${waiver.reason})`);
    return { checkpoint: c, status, proofs, attestation, waiver, problems };
  });

  const blocking = rows.filter((r) => r.status === 'blocking').map((r) => `${r.checkpoint.id}: ${r.problems.join('; ')}`);
  const waived = rows.filter((r) => r.status === 'waived').map((r) => `${r.checkpoint.id}: waived until ${r.waiver!.expires} (${r.waiver!.reason})`);
  if (!target) note(`no go-live target known (${source}): runs could not be checked against one`);
  return {
    kind: 'readiness',
    format: 'ccready-readiness/1',
    generatedAt: input.now.toISOString(),
    target,
    targetSource: source,
    maxAgeDays: days(input.maxAgeMs),
    attestationsFile: input.attestations?.file ?? null,
    rows,
    decision: { verdict: blocking.length ? 'NOT READY' : 'GO-LIVE READY', exitCode: blocking.length ? 1 : 0, blocking, waived },
    notes,
  };
}
