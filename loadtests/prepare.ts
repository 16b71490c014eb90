// The one place a load run is composed from its inputs: plan (or the built-in one) → profile →
// k6 shape → run config. `load run`, `load k8s` and `load bundle` all start here, so the
// defaults (profile, audit, cap) exist once. Pure apart from reading an --xforms folder.
import { UsageError } from '../common/errors.ts';
import type { Target } from '../common/target.ts';
import { buildRunConfig, type SubmitOptions } from './config.ts';
import { scenarioVUs, type K6RunConfig, type ProfileName, type ScenarioName } from './contract.ts';
import { defaultPlan, shapeRun, type LoadPlan, type ScenarioShape } from './plan.ts';
import { templatesFromDir } from './templates.ts';

/** Default hard cap on a run: one hour (the soak profile's length). */
export const DEFAULT_MAX_DURATION_S = 3600;

/**
 * Ceilings a run may not pass without `--beyond-ceilings`: a typo in a plan (a rate ×100, a
 * duration in minutes read as seconds) must not turn into hours of traffic against a production
 * server. Documented in docs/loadtests.md.
 */
export const CEILINGS = { durationS: 4 * 3600, vus: 1000, ratePerS: 200 } as const;

export interface PrepareInput {
  runId: string;
  target: Target;
  plan?: LoadPlan;
  profile?: ProfileName;
  scenario?: ScenarioName;
  maxDurationS?: number;
  /** distinct mobile workers the run has */
  workers: number;
  xformsDir?: string;
  restore?: Partial<K6RunConfig['restore']>;
  submit?: SubmitOptions;
  /** run the integrity audit (default: when the scenario submits forms) */
  audit?: boolean;
  /** where k6's handleSummary writes (the runner points it into its private folder) */
  summaryPath?: string;
  /** allow a run past CEILINGS */
  beyondCeilings?: boolean;
}

export interface PreparedRun {
  plan: LoadPlan;
  profile: ProfileName;
  scenario: ScenarioName;
  shape: ScenarioShape;
  config: K6RunConfig;
  wantsAudit: boolean;
  maxDurationS: number;
}

export function prepareRun(i: PrepareInput): PreparedRun {
  const plan = i.plan ?? defaultPlan();
  const profile = i.profile ?? (i.plan ? 'peak' : 'smoke');
  const scenario = i.scenario ?? 'submit';
  const maxDurationS = i.maxDurationS ?? DEFAULT_MAX_DURATION_S;
  const shape = shapeRun({ plan, profile, scenario, maxDurationS, workers: i.workers });
  if (!i.beyondCeilings) checkCeilings(maxDurationS, shape);
  const wantsAudit = i.audit ?? scenario !== 'restore';
  const config = buildRunConfig({
    runId: i.runId,
    target: i.target,
    scenario,
    profile,
    shape,
    summaryPath: i.summaryPath ?? 'k6-summary.json',
    templates: i.xformsDir ? templatesFromDir(i.xformsDir) : undefined,
    restore: i.restore,
    submit: i.submit,
    logAcks: wantsAudit,
  });
  return { plan, profile, scenario, shape, config, wantsAudit, maxDurationS };
}

function checkCeilings(maxDurationS: number, shape: ScenarioShape): void {
  const confirm = 'pass --beyond-ceilings to confirm';
  if (maxDurationS > CEILINGS.durationS) throw new UsageError(`--max-duration: ${maxDurationS} s is over the ceiling of ${CEILINGS.durationS} s (4 h); ${confirm}`);
  const vus = Math.max(0, ...Object.values(shape.options.scenarios ?? {}).map(scenarioVUs));
  if (vus > CEILINGS.vus) throw new UsageError(`plan: the run needs up to ${vus} k6 virtual users, over the ceiling of ${CEILINGS.vus} (plan key maxVirtualUsers); ${confirm}`);
  if (shape.targetRate > CEILINGS.ratePerS) throw new UsageError(`plan: the run aims at ${shape.targetRate} requests/s, over the ceiling of ${CEILINGS.ratePerS}/s (plan key rates); ${confirm}`);
}
