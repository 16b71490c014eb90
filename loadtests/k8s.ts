// A k6-operator TestRun for running a plan from many pods: the bundled script and the run config
// go into a ConfigMap (mounted at /test by the operator), the operator splits the load into equal
// execution segments across `parallelism` runners, credentials come from a Secret. Pure.
import { stringify } from 'yaml';
import { UsageError } from '../common/errors.ts';
import { scenarioVUs, type K6RunConfig } from './contract.ts';
import { TESTED_K6_VERSION } from './k6bin.ts';

/** The runner image: the k6 version ccready's tests run, not whatever `latest` is that day. */
export const RUNNER_IMAGE = `grafana/k6:${TESTED_K6_VERSION}`;

/** A TestRun name of its own per run (two runs must not collide on `ccready-load`). */
export function defaultTestRunName(runId: string): string {
  return `ccready-${runId.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '')}`.slice(0, 50).replace(/-+$/, '');
}

export interface K8sInput {
  name: string;
  namespace?: string;
  parallelism: number;
  script: string;
  config: K6RunConfig;
  /** Secret with CCHQ_USERNAME / CCHQ_PASSWORD for the runners */
  secret: string;
  image?: string;
  /** one runner pod per node (the operator's spec.separate) */
  separate?: boolean;
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
  // Inside a runner pod the summary is written to the pod's own /tmp.
  const config: K6RunConfig = { ...i.config, summaryPath: '/tmp/k6-summary.json' };
  const data = { 'ccready-load.js': i.script, 'k6-config.json': JSON.stringify(config, null, 1) };
  const size = Object.values(data).reduce((a, v) => a + Buffer.byteLength(v), 0);
  if (size > CONFIGMAP_LIMIT) throw new UsageError(`k8s: script and config are ${size} bytes, over the 1 MiB a ConfigMap holds; use fewer --xforms templates`);
  const meta = (name: string) => ({ name, ...(i.namespace ? { namespace: i.namespace } : {}), labels: { 'app.kubernetes.io/managed-by': 'ccready', 'ccready/run-id': i.config.runId } });
  const configMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(`${i.name}-script`), data };
  const testRun = {
    apiVersion: 'k6.io/v1alpha1',
    kind: 'TestRun',
    metadata: meta(i.name),
    spec: {
      parallelism: i.parallelism,
      ...(i.separate ? { separate: true } : {}),
      script: { configMap: { name: `${i.name}-script`, file: 'ccready-load.js' } },
      arguments: `--tag testid=${i.config.runId} -e CCREADY_CONFIG=/test/k6-config.json`,
      runner: {
        image: i.image ?? RUNNER_IMAGE,
        envFrom: [{ secretRef: { name: i.secret } }],
        env: [{ name: 'K6_NO_USAGE_REPORT', value: 'true' }],
      },
    },
  };
  return `# ccready load k8s: run ${i.config.runId}, ${i.config.scenario}/${i.config.profile} against ${i.config.baseUrl}\n` +
    `# Create the Secret first: kubectl create secret generic ${i.secret} --from-literal=CCHQ_USERNAME=... --from-literal=CCHQ_PASSWORD=...\n` +
    `---\n${stringify(configMap, { lineWidth: 0 })}---\n${stringify(testRun, { lineWidth: 0 })}`;
}
