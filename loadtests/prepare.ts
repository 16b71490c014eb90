// The one place a load run is composed from its inputs: plan (or the built-in one) → profile →
// k6 shape → run config. `load run`, `load k8s` and `load bundle` all start here, so the
// defaults (profile, audit, cap) exist once. Pure apart from reading an --xforms folder.
import type { Target } from '../common/target.ts';
import { buildRunConfig, type SubmitOptions } from './config.ts';
import type { K6RunConfig, ProfileName, ScenarioName } from './contract.ts';
import { defaultPlan, shapeRun, type LoadPlan, type ScenarioShape } from './plan.ts';
import { templatesFromDir } from './templates.ts';

/** Default hard cap on a run: one hour (the soak profile's length). */
export const DEFAULT_MAX_DURATION_S = 3600;

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
