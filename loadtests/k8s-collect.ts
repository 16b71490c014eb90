// `load k8s collect`: after a TestRun, gathers what every runner pod left on the results claim
// (loadtests/k8s.ts) with kubectl and turns each pod into one segment of a split run for
// loadtests/merge.ts. The runner pods have exited, so nothing can be copied out of them: a small
// reader pod mounts the claim, `kubectl cp` copies the TestRun's folder, the reader is deleted.
// kubectl is passed in (a function), so tests drive the same code with a stand-in kubectl.
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { RunError, UsageError } from '../common/errors.ts';
import { runDir } from '../common/runs.ts';
import type { Target } from '../common/target.ts';
import { parseAckLog, parseRejectLog } from './audit.ts';
import type { K6RunConfig } from './contract.ts';
import { RESULT_FILES, RESULTS_MOUNT, RESULTS_VOLUME, RUN_FILE, type K8sRunFile } from './k8s.ts';
import { k6OwnErrors } from './k6log.ts';
import { mergeRun, type SegmentResult } from './merge.ts';
import type { LoadResult } from './record.ts';
import type { K6SummaryData } from './summary.ts';

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}
/** Runs one kubectl command (args without the binary), with `input` on stdin. */
export type Kubectl = (args: string[], input?: string) => Promise<KubectlResult>;

/** The real thing: `bin` (default kubectl on PATH) as a child process, bounded in time. */
export function kubectlCommand(bin = 'kubectl', timeoutMs = 300_000): Kubectl {
  return (args, input) => new Promise((resolve) => {
    const child = spawn(bin, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ code: 127, stdout, stderr: (e as NodeJS.ErrnoException).code === 'ENOENT' ? `${bin}: not found (install kubectl, or pass --kubectl PATH or set KUBECTL)` : e.message });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 137, stdout, stderr });
    });
    child.stdin.end(input ?? '');
  });
}

/**
 * The execution segment of runner `index` (1-based) of `parallelism`, and the sequence: what
 * k6-operator v1.6.0 passes (pkg/segmentation/segmentation.go NewCommandFragments); with one
 * runner it passes none, which is the whole 0:1.
 */
export function operatorSegment(index: number, parallelism: number): { segment: string; sequence: string } {
  const part = (i: number) => (i === 0 ? '0' : i === parallelism ? '1' : `${i}/${parallelism}`);
  const sequence = ['0', ...Array.from({ length: parallelism - 1 }, (_, i) => `${i + 1}/${parallelism}`), '1'].join(',');
  return { segment: `${part(index - 1)}:${part(index)}`, sequence };
}

interface PodInfo {
  name: string;
  job: string;
  index: number;
  phase: string;
  exitCode: number | null;
  startedAt?: string;
  finishedAt?: string;
}

/** The runner pods of a TestRun from `kubectl get pods -o json` (the operator labels them k6_cr, runner). */
export function runnerPods(podList: string, testRun: string): PodInfo[] {
  const items = (JSON.parse(podList) as { items?: any[] }).items ?? [];
  const out: PodInfo[] = [];
  for (const p of items) {
    const job: string = p.metadata?.labels?.['job-name'] ?? '';
    const m = new RegExp(`^${testRun}-(\\d+)$`).exec(job);
    if (!m) continue;
    const term = p.status?.containerStatuses?.find((c: any) => c.name === 'k6')?.state?.terminated;
    out.push({ name: p.metadata.name, job, index: Number(m[1]), phase: p.status?.phase ?? 'Unknown', exitCode: term ? term.exitCode : null, startedAt: term?.startedAt, finishedAt: term?.finishedAt });
  }
  return out.sort((a, b) => a.index - b.index);
}

/**
 * A runner's console lines and k6's errors: its two files, or the one JSON log that runners of
 * ccready before the split wrote (k6log.ts), so an older TestRun's claim is still collected.
 */
function runnerLogs(dir: string): { console?: string; errors?: string } {
  const read = (f: string) => (existsSync(join(dir, f)) ? readFileSync(join(dir, f), 'utf8') : undefined);
  const legacy = read(RESULT_FILES.legacyLog);
  return { console: read(RESULT_FILES.console) ?? legacy, errors: read(RESULT_FILES.errors) ?? legacy };
}

export interface CollectInput {
  name: string;
  namespace?: string;
  /** the merged report's folder (default reports/runs/<run id>/); with a verdict the pods' folders go to its pods/<name>-<n>/ */
  out?: string;
  kubectl: Kubectl;
  /** seconds to wait for the reader pod to start */
  readerTimeoutS?: number;
  onProgress?: (line: string) => void;
}

export interface Collected {
  reportDir: string;
  /** the runner pods' image */
  image: string;
  /** the runners' folders as copied from the claim (a temporary folder) */
  podsDir: string;
  run: K8sRunFile;
  config: K6RunConfig;
  segments: SegmentResult[];
  notes: string[];
}

/** Gathers every runner's results; throws naming each runner that left none (no merge of a part). */
export async function collectTestRun(i: CollectInput): Promise<Collected> {
  const ns = i.namespace ? ['-n', i.namespace] : [];
  const where = `TestRun ${i.namespace ? `${i.namespace}/` : ''}${i.name}`;
  const progress = (l: string) => i.onProgress?.(`ccready load k8s collect: ${l}`);
  const k = async (args: string[], input?: string): Promise<string> => {
    const r = await i.kubectl([...ns, ...args], input);
    if (r.code !== 0) throw new RunError(`kubectl ${args.slice(0, 2).join(' ')}: ${(r.stderr || r.stdout).trim().split('\n').pop()}`);
    return r.stdout;
  };
  const json = (text: string, what: string): any => {
    try {
      return JSON.parse(text);
    } catch {
      throw new RunError(`${what}: expected JSON from kubectl, got "${text.slice(0, 80)}"`);
    }
  };
  const testRun = json(await k(['get', 'testrun', i.name, '-o', 'json']), `kubectl get testrun ${i.name}`);
  const stage: string = testRun.status?.stage ?? 'unknown';
  // `finished` is also what the operator shows when pods failed: each pod's exit is checked below.
  if (stage !== 'finished' && stage !== 'error') throw new UsageError(`--name: ${where} is at stage "${stage}"; collect once it is finished (kubectl get testrun ${i.name})`);
  const parallelism: number = testRun.spec?.parallelism ?? 1;
  const claim: string | undefined = testRun.spec?.runner?.volumes?.find((v: any) => v.name === RESULTS_VOLUME)?.persistentVolumeClaim?.claimName;
  if (!claim) throw new UsageError(`--name: ${where} mounts no ${RESULTS_VOLUME} claim: it was not made by this version of \`ccready load k8s\``);
  const cmName: string = testRun.spec?.script?.configMap?.name ?? `${i.name}-script`;
  const configMap = json(await k(['get', 'configmap', cmName, '-o', 'json']), `kubectl get configmap ${cmName}`);
  const config = json(configMap.data?.['k6-config.json'] ?? 'null', `ConfigMap ${cmName}: k6-config.json`) as K6RunConfig | null;
  const run = json(configMap.data?.[RUN_FILE] ?? 'null', `ConfigMap ${cmName}: ${RUN_FILE}`) as K8sRunFile | null;
  if (!config || !run) throw new UsageError(`--name: the ConfigMap of ${where} holds no k6-config.json and ${RUN_FILE}: it was not made by this version of \`ccready load k8s\``);
  const podList = await k(['get', 'pods', '-l', `k6_cr=${i.name},runner=true`, '-o', 'json']);
  json(podList, 'kubectl get pods');
  const pods = runnerPods(podList, i.name);
  const notes: string[] = [];
  if (stage === 'error') notes.push(`the operator put ${where} at stage error`);

  // A reader pod on the claim (the runner image has sh, sleep and tar, which kubectl cp needs).
  const reader = `${i.name}-collect`;
  const readerPod = {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name: reader, labels: { 'app.kubernetes.io/managed-by': 'ccready', k6_cr: i.name } },
    spec: {
      restartPolicy: 'Never',
      // as unprivileged as the namespace's "restricted" Pod Security level asks (12345: the k6 image's user)
      securityContext: { runAsNonRoot: true, runAsUser: 12345, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [{
        name: 'reader', image: testRun.spec?.runner?.image ?? 'grafana/k6', command: ['sleep', '900'],
        securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
        volumeMounts: [{ name: RESULTS_VOLUME, mountPath: RESULTS_MOUNT, readOnly: true }],
      }],
      volumes: [{ name: RESULTS_VOLUME, persistentVolumeClaim: { claimName: claim, readOnly: true } }],
    },
  };
  const reportDir = runDir(run.runId, i.out);
  // Copied aside first: the report folder gets them only with a verdict (no half-written report).
  const podsDir = join(mkdtempSync(join(tmpdir(), 'ccready-k8s-collect-')), 'pods');
  progress(`reading the results of ${pods.length} runner pod(s) from claim ${claim} through pod ${reader}`);
  // A reader left by a collect that was killed would make apply fail (a pod's spec cannot change).
  await k(['delete', 'pod', reader, '--ignore-not-found', '--wait=true']);
  await k(['apply', '-f', '-'], JSON.stringify(readerPod));
  try {
    await k(['wait', '--for=condition=Ready', `pod/${reader}`, `--timeout=${i.readerTimeoutS ?? 180}s`]);
    await k(['cp', `${reader}:${RESULTS_MOUNT}/${i.name}`, podsDir]);
  } catch (e) {
    rmSync(dirname(podsDir), { recursive: true, force: true });
    throw e;
  } finally {
    await i.kubectl([...ns, 'delete', 'pod', reader, '--wait=false']);
  }

  const segments: SegmentResult[] = [];
  const problems: string[] = [];
  for (let n = 1; n <= parallelism; n++) {
    const job = `${i.name}-${n}`;
    const pod = pods.find((p) => p.index === n);
    const dir = join(podsDir, job);
    const file = (f: string) => join(dir, f);
    const { segment, sequence } = operatorSegment(n, parallelism);
    const logs = runnerLogs(dir);
    if (!existsSync(file(RESULT_FILES.summary))) {
      // Why, in k6's words: its error file on the claim when it got that far, else the pod's
      // stdout (`kubectl logs` shows only the newest of the rotated files).
      const k6Errors = k6OwnErrors(logs.errors ?? '');
      const podLog = !k6Errors.length && pod ? await i.kubectl([...ns, 'logs', pod.name, '-c', 'k6', '--tail=20']) : undefined;
      const last = k6Errors.length ? k6Errors[k6Errors.length - 1] : podLog?.stdout.trim().split('\n').filter(Boolean).pop();
      problems.push(`runner ${job} (segment ${segment}) left no k6 summary: ${pod ? `pod ${pod.name} ${pod.phase}, exit code ${pod.exitCode ?? 'none'}` : 'no pod found'}${last ? `; last log line: ${last}` : ''}`);
      continue;
    }
    if (pod?.exitCode) notes.push(`runner ${job} exited with code ${pod.exitCode} (k6: thresholds crossed on its own share, or an error; judged below over all runners)`);
    let summary: K6SummaryData;
    try {
      summary = JSON.parse(readFileSync(file(RESULT_FILES.summary), 'utf8')) as K6SummaryData;
    } catch (e) {
      problems.push(`runner ${job}: ${RESULT_FILES.summary} is not JSON (${(e as Error).message})`);
      continue;
    }
    if (config.logAcks && logs.console === undefined) {
      problems.push(`runner ${job} left no ${RESULT_FILES.console}: its acknowledged forms cannot be audited`);
      continue;
    }
    const consoleText = logs.console ?? '';
    const acked = config.logAcks ? parseAckLog(consoleText) : [];
    segments.push({
      source: `pod ${pod?.name ?? job}`,
      segment, sequence, summary, acked,
      rejected: parseRejectLog(consoleText),
      exit: { code: pod?.exitCode ?? null, killedByCap: false, interrupted: false },
      runId: run.runId,
      ...(pod?.startedAt ? { startedAt: pod.startedAt } : {}),
      ...(pod?.finishedAt ? { endedAt: pod.finishedAt } : {}),
    });
  }
  const extra = existsSync(podsDir) ? readdirSync(podsDir).filter((d) => !/-\d+$/.test(d) || Number(d.slice(d.lastIndexOf('-') + 1)) > parallelism) : [];
  if (extra.length) notes.push(`ignored in the claim's folder: ${extra.join(', ')}`);
  if (problems.length) {
    rmSync(dirname(podsDir), { recursive: true, force: true });
    throw new RunError(`${where}: ${problems.length} of ${parallelism} runners left no results, so no verdict: ${problems.join('; ')}`);
  }
  return { reportDir, podsDir, image: testRun.spec?.runner?.image ?? 'grafana/k6:latest', run, config, segments, notes };
}

export interface CollectRunInput extends CollectInput {
  /**
   * the server the pods loaded (the audit lists their forms through its Form API), or how to make
   * it from the URL and project the pods ran against (credentials from flags or CCHQ_*)
   */
  target: Target | ((url: string, domain: string) => Target);
  audit?: boolean;
  auditTimeoutS?: number;
}

/** `load k8s collect`: every runner's results gathered, then one verdict and one audit over all of them. */
export async function collectK8sRun(i: CollectRunInput): Promise<LoadResult> {
  const c = await collectTestRun(i);
  try {
    const target = typeof i.target === 'function' ? i.target(c.config.baseUrl, c.config.domain) : i.target;
    if (target.url !== c.config.baseUrl || target.domain !== c.config.domain) {
      throw new UsageError(`--target: ${target.url} (project ${target.domain}) is not where the pods ran (${c.config.baseUrl}, project ${c.config.domain}); the audit must ask that server`);
    }
    for (const n of c.notes) i.onProgress?.(`ccready load k8s collect: note: ${n}`);
    const r = await mergeRun({
      segments: c.segments, plan: c.run.plan, profile: c.run.profile, scenario: c.run.scenario, config: c.config,
      targetRate: c.run.targetRate, durationS: c.run.durationS, target, out: c.reportDir, runId: c.run.runId,
      usersSource: `the Secret of TestRun ${i.name}, a slice per runner pod (ccready does not read the Secret, so the count is not known)`,
      k6: { path: c.image, version: /:v?(\d+\.\d+\.\d+)/.exec(c.image)?.[1] ?? 'unknown', source: 'image' },
      audit: i.audit, auditTimeoutS: i.auditTimeoutS, onProgress: i.onProgress,
    });
    // The runners' own files beside the merged report, for a look at one pod.
    cpSync(c.podsDir, join(c.reportDir, 'pods'), { recursive: true });
    return r;
  } finally {
    rmSync(dirname(c.podsDir), { recursive: true, force: true });
  }
}
