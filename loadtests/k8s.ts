// A k6-operator TestRun for running a plan from many pods: the bundled script and the run config
// go into a ConfigMap (mounted at /test by the operator), the operator splits the load into equal
// execution segments across `parallelism` runners, credentials come from a Secret. Each runner
// writes its results (k6 summary, its console lines with the acknowledged form ids, k6's errors) to
// its own folder of a PersistentVolumeClaim, where `load k8s collect` reads them after the pods
// are gone (docs/loadtests.md says why a volume, not logs). Pure.
import { stringify } from 'yaml';
import { UsageError } from '../common/errors.ts';
import { scenarioVUs, type K6RunConfig, type ProfileName, type ScenarioName } from './contract.ts';
import type { LoadPlan } from './plan.ts';
import { TESTED_K6_VERSION } from './k6bin.ts';
import { K6_FILES, k6LogEnv } from './k6log.ts';

/** The runner image: the k6 version ccready's tests run, not whatever `latest` is that day. */
export const RUNNER_IMAGE = `grafana/k6:${TESTED_K6_VERSION}`;

/** A TestRun name of its own per run (two runs must not collide on `ccready-load`). */
export function defaultTestRunName(runId: string): string {
  return `ccready-${runId.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '')}`.slice(0, 50).replace(/-+$/, '');
}

/** What `load k8s` puts beside the script in the ConfigMap: the plan the pods run, to judge them by after. */
export interface K8sRunFile {
  runId: string;
  plan: LoadPlan;
  profile: ProfileName;
  scenario: ScenarioName;
  /** the whole plan's rate and seconds of load (prepareRun's shape) */
  targetRate: number;
  durationS: number;
}
/** Its name in the ConfigMap. */
export const RUN_FILE = 'ccready-run.json';

export interface K8sInput {
  name: string;
  namespace?: string;
  parallelism: number;
  script: string;
  config: K6RunConfig;
  /** the plan, for `load k8s collect` to judge the merged run by */
  run?: K8sRunFile;
  /** Secret with CCHQ_USERNAME / CCHQ_PASSWORD for the runners */
  secret: string;
  image?: string;
  /** one runner pod per node (the operator's spec.separate) */
  separate?: boolean;
  /** an existing claim for the results; default: the manifest makes `<name>-results` */
  resultsClaim?: string;
  /** storage class of the claim the manifest makes (default: the cluster's default class) */
  storageClass?: string;
  /** size of the claim the manifest makes, e.g. 2Gi */
  resultsSize?: string;
}

/** Where a runner pod sees its own results folder (a sub-folder of the claim per runner). */
export const RESULTS_MOUNT = '/results';
/** The runner's files under RESULTS_MOUNT, named as in a `load run` work folder (k6log.ts). */
export const RESULT_FILES = { summary: 'k6-summary.json', ...K6_FILES } as const;
/** The volume's name in the pod spec (collect finds the claim by it). */
export const RESULTS_VOLUME = 'ccready-results';
/** Env var holding the runner's Job name `<testrun>-<n>` (the operator's Job per runner), by the downward API. */
const RUNNER_ENV = 'CCREADY_RUNNER';

/**
 * The claim's folder of one runner: `<testrun>/<testrun>-<n>`, n from 1 (the operator names
 * runner Jobs `<testrun>-<n>` and the Job controller labels their pods `job-name`).
 */
export function runnerFolder(testRun: string, index: number): string {
  return `${testRun}/${testRun}-${index}`;
}

const CONFIGMAP_LIMIT = 1024 * 1024;

export function k8sManifest(i: K8sInput): string {
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(i.name) || i.name.length > 50) {
    throw new UsageError(`--name: expected a Kubernetes name (lower-case letters, digits, '-'; at most 50), got "${i.name}"`);
  }
  if (!(Number.isInteger(i.parallelism) && i.parallelism >= 1 && i.parallelism <= 1000)) {
    throw new UsageError(`--parallelism: expected a whole number from 1 to 1000, got ${i.parallelism}`);
  }
  // The operator gives every runner an equal execution segment; a runner whose segment holds no
  // virtual user makes k6 fail at start, and the whole TestRun with it.
  const vus = Math.min(...Object.values(i.config.options.scenarios ?? {}).map(scenarioVUs));
  if (Number.isFinite(vus) && i.parallelism > vus) {
    throw new UsageError(`--parallelism: ${i.parallelism} runners but the plan runs at most ${vus} virtual users (each runner needs at least one); use --parallelism ${vus} or fewer`);
  }
  // Inside a runner pod the summary, the console lines (with the acknowledged ids) and k6's errors
  // go to its folder on the claim, as `load run` writes them.
  const config: K6RunConfig = { ...i.config, summaryPath: `${RESULTS_MOUNT}/${RESULT_FILES.summary}` };
  const data: Record<string, string> = { 'ccready-load.js': i.script, 'k6-config.json': JSON.stringify(config, null, 1), ...(i.run ? { [RUN_FILE]: JSON.stringify(i.run, null, 1) } : {}) };
  const size = Object.values(data).reduce((a, v) => a + Buffer.byteLength(v), 0);
  if (size > CONFIGMAP_LIMIT) throw new UsageError(`k8s: script and config are ${size} bytes, over the 1 MiB a ConfigMap holds; use fewer --xforms templates`);
  if (i.resultsSize !== undefined && !/^\d+(\.\d+)?(Ki|Mi|Gi|Ti|k|M|G|T)?$/.test(i.resultsSize)) throw new UsageError(`--results-size: expected a Kubernetes quantity like 2Gi, got "${i.resultsSize}"`);
  const meta = (name: string) => ({ name, ...(i.namespace ? { namespace: i.namespace } : {}), labels: { 'app.kubernetes.io/managed-by': 'ccready', 'ccready/run-id': i.config.runId } });
  const configMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(`${i.name}-script`), data };
  const claim = i.resultsClaim ?? `${i.name}-results`;
  // ReadWriteMany: runner pods on several nodes (always with separate) write at once.
  const pvc = i.resultsClaim ? undefined : {
    apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: meta(claim),
    spec: { accessModes: ['ReadWriteMany'], ...(i.storageClass ? { storageClassName: i.storageClass } : {}), resources: { requests: { storage: i.resultsSize ?? '2Gi' } } },
  };
  const image = i.image ?? RUNNER_IMAGE;
  const noUsageReport = { name: 'K6_NO_USAGE_REPORT', value: 'true' };
  const testRun = {
    apiVersion: 'k6.io/v1alpha1',
    kind: 'TestRun',
    metadata: meta(i.name),
    spec: {
      parallelism: i.parallelism,
      ...(i.separate ? { separate: true } : {}),
      script: { configMap: { name: `${i.name}-script`, file: 'ccready-load.js' } },
      arguments: `--tag testid=${i.config.runId} -e CCREADY_CONFIG=/test/k6-config.json`,
      // The initializer (k6 archive + inspect) needs neither credentials nor the results volume.
      initializer: { image, env: [noUsageReport] },
      runner: {
        image,
        envFrom: [{ secretRef: { name: i.secret } }],
        env: [
          noUsageReport,
          { name: RUNNER_ENV, valueFrom: { fieldRef: { fieldPath: "metadata.labels['job-name']" } } },
          // the console lines and k6's errors to the claim, not the pod's stdout: kubelet rotates
          // that (10 MiB by default) and `kubectl logs` shows only the newest file; set here, not
          // in spec.arguments, because the initializer's `k6 archive` gets those too and has no
          // claim mounted
          ...k6LogEnv(`${RESULTS_MOUNT}/${RESULT_FILES.console}`, `${RESULTS_MOUNT}/${RESULT_FILES.errors}`),
        ],
        volumes: [{ name: RESULTS_VOLUME, persistentVolumeClaim: { claimName: claim } }],
        // subPathExpr: kubelet makes the runner's own folder (k6 creates no folders).
        volumeMounts: [{ name: RESULTS_VOLUME, mountPath: RESULTS_MOUNT, subPathExpr: `${i.name}/$(${RUNNER_ENV})` }],
      },
    },
  };
  return `# ccready load k8s: run ${i.config.runId}, ${i.config.scenario}/${i.config.profile} against ${i.config.baseUrl}\n` +
    `# Create the Secret first: kubectl create secret generic ${i.secret} --from-literal=CCHQ_USERNAME=... --from-literal=CCHQ_PASSWORD=...\n` +
    `# Results land in the claim ${claim}; gather and judge them after the run with: ccready load k8s collect --name ${i.name}${i.namespace ? ` --namespace ${i.namespace}` : ''}\n` +
    [configMap, ...(pvc ? [pvc] : []), testRun].map((d) => `---\n${stringify(d, { lineWidth: 0 })}`).join('');
}
