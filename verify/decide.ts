// The READY / NOT READY decision. Pure: it only reads step results, so every rule is unit-tested.
//
// Which service is at fault is reasoned across steps, the way a person reads the QA plan: a service
// a health check names directly is the strongest lead; a service exercised only by failing steps is
// a lead; a service that some passing step also exercised is probably fine (login passing clears
// PostgreSQL, CouchDB and Redis, so a failing worker listing then points at Elasticsearch).
import { EXIT } from '../common/errors.ts';
import type { Decision, Service, StepResult, Suspect } from './types.ts';

const DIRECT = 1.0;
const INDIRECT = 0.6;
/** How much a passing step that exercised the same service weakens an indirect lead. */
const CLEARED = 0.25;
/** A service seen answering slowly, exercised by a failing step: timeouts and lag start there. */
const SLOW = 0.8;

/** Services some step saw answer slowly, with the steps that saw it. */
export function slowServices(steps: StepResult[]): Map<Service, string[]> {
  const by = new Map<Service, string[]>();
  for (const st of steps) for (const s of st.slowServices ?? []) by.set(s, [...(by.get(s) ?? []), st.id]);
  return by;
}

export function suspectServices(steps: StepResult[]): Suspect[] {
  const score = new Map<Service, number>();
  const why = new Map<Service, string[]>();
  const add = (s: Service, v: number, reason: string) => {
    score.set(s, (score.get(s) ?? 0) + v);
    why.set(s, [...(why.get(s) ?? []), reason]);
  };
  const passedBy = new Map<Service, string[]>();
  for (const st of steps) {
    if ((st.status === 'pass' || st.status === 'warn') && !st.shallow) {
      for (const s of st.services) passedBy.set(s, [...(passedBy.get(s) ?? []), st.id]);
    }
  }
  const failing = steps.filter((s) => s.status === 'fail');
  const indirect = new Map<Service, number>();
  for (const st of failing) {
    for (const s of st.failedServices ?? []) add(s, DIRECT, `${st.id}: reported failing`);
    const share = INDIRECT / Math.max(1, st.services.length);
    for (const s of st.services) {
      if (st.failedServices?.includes(s)) continue;
      indirect.set(s, (indirect.get(s) ?? 0) + share);
      why.set(s, [...(why.get(s) ?? []), `${st.id} failed`]);
    }
  }
  const slow = slowServices(steps);
  for (const [s, v] of indirect) {
    const cleared = passedBy.get(s);
    const direct = score.get(s) ?? 0;
    const weighted = cleared && direct === 0 ? v * CLEARED : v;
    score.set(s, direct + weighted);
    if (cleared && direct === 0) why.get(s)!.push(`but ${cleared.join(', ')} passed using it`);
    // A slow service passes its checks yet makes the steps using it time out.
    if (slow.has(s) && direct === 0) add(s, SLOW, `reported slow by ${slow.get(s)!.join(', ')}`);
  }
  // A steady lead across several failing steps should beat one weak mention, but never reach a direct
  // report: scores are scaled so the strongest is 1 and ordered, ties broken by the number of reasons.
  const max = Math.max(0, ...score.values());
  return [...score.entries()]
    .filter(([, v]) => v > 0)
    .map(([service, v]) => ({ service, score: Math.round((v / max) * 100) / 100, why: why.get(service) ?? [] }))
    .sort((a, b) => b.score - a.score || b.why.length - a.why.length || a.service.localeCompare(b.service));
}

/** Suspects worth naming: the top ones, cut where the evidence drops off sharply. */
export function likelyAtFault(suspects: Suspect[]): Service[] {
  if (suspects.length === 0) return [];
  const top = suspects[0].score;
  return suspects.filter((s) => s.score >= top * 0.5).slice(0, 3).map((s) => s.service);
}

export function decide(steps: StepResult[], opts: { interrupted?: boolean } = {}): Decision {
  const failing = steps.filter((s) => s.required && s.status === 'fail').map((s) => s.id);
  const optionalFailing = steps.filter((s) => !s.required && s.status === 'fail').map((s) => s.id);
  const warnings = [...steps.filter((s) => s.status === 'warn').map((s) => s.id), ...optionalFailing];
  // A required step skipped for a reason other than an earlier failure was never checked.
  const unverified = steps.filter((s) => s.required && s.status === 'skip' && !s.blockedBy && !s.unselected).map((s) => s.id);
  const unselected = steps.filter((s) => s.required && s.unselected).map((s) => s.id);
  // READY is a claim that every required step ran and passed: with no required step at all
  // (an empty run), nothing was checked.
  const checkedNothing = !steps.some((s) => s.required && !s.unselected);
  // A configuration problem (preflight) explains everything after it: no service is to blame.
  const misconfigured = steps.filter((s) => s.status === 'fail' && s.cause === 'configuration');
  const suspects = misconfigured.length ? [] : suspectServices(steps);
  const atFault = likelyAtFault(suspects);
  let verdict: Decision['verdict'];
  if (failing.length || unverified.length || opts.interrupted || (checkedNothing && !unselected.length)) verdict = 'NOT READY';
  else if (unselected.length) verdict = 'PARTIAL';
  else if (warnings.length) verdict = 'READY WITH WARNINGS';
  else verdict = 'READY';
  const parts: string[] = [verdict];
  if (checkedNothing && !unselected.length) parts.push('no required step ran');
  if (opts.interrupted) parts.push('run interrupted before every step ran');
  if (misconfigured.length) parts.push(`cause: configuration (${misconfigured.map((s) => s.reason).join('; ')})`);
  if (failing.length) parts.push(`failing: ${failing.join(', ')}`);
  if (failing.length && atFault.length) parts.push(`most likely at fault: ${atFault.join(', ')}`);
  if (unverified.length) parts.push(`not verified: ${unverified.join(', ')}`);
  if (unselected.length) parts.push(`not selected (--only/--skip): ${unselected.join(', ')}`);
  if (warnings.length) parts.push(`warnings: ${warnings.join(', ')}`);
  const slow = [...slowServices(steps).keys()];
  if (slow.length) parts.push(`slow: ${slow.join(', ')}`);
  return {
    verdict,
    exitCode: verdict === 'NOT READY' ? EXIT.failed : verdict === 'PARTIAL' ? EXIT.partial : EXIT.ok,
    failing,
    warnings,
    unverified,
    unselected,
    suspects: failing.length ? suspects : [],
    ...(misconfigured.length ? { cause: 'configuration' as const } : {}),
    summary: parts.join('; '),
  };
}
