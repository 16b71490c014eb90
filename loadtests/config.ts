// The run config handed to k6 and the safety rules checked before anything runs. Pure: no
// secrets in the config (credentials reach k6 through a 0600 users file or the environment).
import { UsageError } from '../common/errors.ts';
import { isLoopback, type Target } from '../common/target.ts';
import { gridStats, type K6RunConfig, type ProfileName, type ScenarioName } from './contract.ts';
import type { LoadPlan, ScenarioShape } from './plan.ts';

export type SubmitOptions = Partial<Pick<K6RunConfig['submit'], 'path' | 'openRosaVersion' | 'mix'>>;

function sameOrigin(a: string, b: string): boolean {
  try {
    return new URL(a).origin === new URL(b).origin;
  } catch {
    return false;
  }
}

/** Safety rules that need no network: explicit target, --yes off loopback, a positive cap. */
export function checkSafety(o: { target: Target; yes?: boolean; plan?: LoadPlan; maxDurationS?: number }): void {
  if (!isLoopback(o.target.url) && !o.yes && !(o.plan?.target && sameOrigin(o.plan.target, o.target.url))) {
    throw new UsageError(`--target: ${o.target.url} is not a loopback address; load tests send real traffic, so pass --yes (or name it in the plan's "target") to confirm`);
  }
  if (o.maxDurationS !== undefined && !(Number.isFinite(o.maxDurationS) && o.maxDurationS > 0)) {
    throw new UsageError(`--max-duration: expected a positive number of seconds, got ${o.maxDurationS}`);
  }
}

/** The run config handed to k6 (pure; holds no secrets). */
export function buildRunConfig(o: {
  runId: string;
  target: Target;
  scenario: ScenarioName;
  profile: ProfileName;
  shape: ScenarioShape;
  summaryPath: string;
  templates?: K6RunConfig['submit']['templates'];
  restore?: Partial<K6RunConfig['restore']>;
  submit?: SubmitOptions;
  logAcks: boolean;
}): K6RunConfig {
  return {
    runId: o.runId,
    baseUrl: o.target.url,
    domain: o.target.domain,
    appId: o.target.appId,
    scenario: o.scenario,
    profile: o.profile,
    // Every request of the script carries a mobile worker's password, so none follows a redirect:
    // k6 (Go) would resend Authorization to the same host on another port or over plain HTTP. A
    // redirect shows as a failed request with its 3xx in the report instead.
    // --insecure reaches k6 too; a private CA (--ca) reaches it through SSL_CERT_FILE (k6run.ts).
    // The percentile grid makes every run mergeable with the other segments of a split run.
    options: {
      ...o.shape.options,
      summaryTrendStats: [...new Set([...(o.shape.options.summaryTrendStats ?? []), ...gridStats()])],
      maxRedirects: 0,
      ...(o.target.tls?.insecure ? { insecureSkipTLSVerify: true } : {}),
    },
    submit: {
      path: o.submit?.path ?? 'secure',
      openRosaVersion: o.submit?.openRosaVersion ?? '3.0',
      mix: o.submit?.mix ?? { registration: 3, followup: 6, close: 1 },
      ...(o.templates ? { templates: o.templates } : {}),
    },
    restore: {
      version: o.restore?.version ?? '2.0',
      skipFixtures: o.restore?.skipFixtures ?? true,
      ...(o.restore?.asUser ? { asUser: o.restore.asUser } : {}),
      staleTokenRate: o.restore?.staleTokenRate ?? 0,
      maxAsyncWaitS: o.restore?.maxAsyncWaitS ?? 120,
    },
    mobileDay: o.shape.mobileDay,
    ...(o.shape.stressSteps ? { stressSteps: o.shape.stressSteps } : {}),
    logAcks: o.logAcks,
    summaryPath: o.summaryPath,
  };
}
