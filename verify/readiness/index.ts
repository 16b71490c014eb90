// The go-live decision's API: the transition guide's checkpoints, the evidence in run folders,
// the attestations file, and the judgement. `ccready readiness` (cli/commands/readiness.ts) only
// parses flags and calls these.
import { existsSync, readFileSync } from 'node:fs';
import { inputError } from '../../common/errors.ts';
import { parseAttestations, type Attestations } from './attestations.ts';
import { readRunFolder, readRuns, type Evidence } from './evidence.ts';
import { judgeReadiness, type ReadinessReport } from './judge.ts';

export { CHECKPOINTS, PROOF_TEXT, isAttested, type Checkpoint, type Proof } from './checkpoints.ts';
export { parseAttestations, attestationsTemplate, type Attestations, type Attestation, type Waiver } from './attestations.ts';
export { classifyRun, readRunFolder, readRuns, sameTarget, type Evidence, type EvidenceKind } from './evidence.ts';
export { judgeReadiness, parseMaxAge, type ReadinessReport, type RowResult, type ProofCheck, type ReadinessVerdict } from './judge.ts';

export interface ReadinessOptions {
  /** folder of run folders (reports/runs) */
  runs: string;
  /** run folders named one by one: they win over the scanned ones of their kind */
  evidence?: string[];
  /** the attestations file; absent is allowed only when not named explicitly */
  attestations?: string;
  attestationsRequired?: boolean;
  target?: string;
  maxAgeMs: number;
  now?: Date;
}

export function readAttestations(file: string, today: string): Attestations {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw inputError(file, undefined, `cannot read the attestations file (${(e as NodeJS.ErrnoException).code}); write one with \`ccready readiness init\``);
  }
  return parseAttestations(text, file, today);
}

/** Reads the runs and the attestations, then judges. */
export function runReadiness(o: ReadinessOptions): ReadinessReport {
  const now = o.now ?? new Date();
  const today = now.toISOString().slice(0, 10);
  const attestations = o.attestations && (o.attestationsRequired || existsSync(o.attestations)) ? readAttestations(o.attestations, today) : undefined;
  const evidence = existsSync(o.runs) || o.evidence === undefined || o.evidence.length === 0 ? readRuns(o.runs) : [];
  const named: Evidence[] = (o.evidence ?? []).map((d) => {
    if (!existsSync(d)) throw inputError('--evidence', d, 'no such run folder');
    const e = readRunFolder(d);
    if (!e) throw inputError('--evidence', d, 'holds no ccready report (report.json, run.json or verdict.json)');
    return e;
  });
  return judgeReadiness({ evidence, named, attestations, target: o.target, maxAgeMs: o.maxAgeMs, now });
}
