// `ccready load …`: argument parsing only; the work is done by loadtests/index.ts.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { inputError, UsageError } from '../../common/errors.ts';
import { newRunId } from '../../common/runs.ts';
import {
  bundleScenarios, checkSafety, ensureBundle, builtinTemplates, derivePlan, mergeInputFromFolders, mergeRun, prepareRun, readUsersCsv, runLoad,
  validatePlan, CEILINGS, DEFAULT_FIELDS, DEFAULT_MAX_DURATION_S, PROFILES, SCENARIOS,
  heartbeatLine, type Heartbeat, type LoadPlan, type LoadResult, type ProfileName, type ScenarioName,
} from '../../loadtests/index.ts';
import { calibrate, checkSampler, defaultTestRunName, k8sManifest, RUNNER_IMAGE, sharingProposal, type LoadRunRecord, type SamplerOptions } from '../../loadtests/index.ts';
import { k8sCollectCommand } from './load-k8s.ts';

// Target, credentials and TLS: the same flags as verify and gate (cli/flags.ts).
import { num, oneOf, targetOptions, targetFrom, type TargetArgs } from '../flags.ts';

function readPlan(path: string): LoadPlan {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw inputError(path, undefined, err.code ? `cannot read plan (${err.code})` : `expected JSON (${err.message})`);
  }
  return validatePlan(raw, path);
}

async function usageTable(sizing: string, set: string | undefined) {
  const { loadSizingConfig, runModel } = await import('../../sizing/index.ts');
  const config = loadSizingConfig(sizing);
  const result = runModel(config);
  const s = set ? result.sets.find((x) => x.name === set) : result.sets[0];
  if (!s) throw new UsageError(`--set: no set "${set}" in ${sizing}; expected one of ${result.sets.map((x) => x.name).join(', ')}`);
  return { usage: s.usage, setName: s.name, sets: result.sets.length };
}

const planCmd: CommandModule = {
  command: 'plan',
  describe: 'derive a load plan (rates, thresholds) from a sizing config and print the derivation',
  builder: (y: Argv) =>
    y
      .example('ccready load plan --sizing fixtures/sizing/example.yml --month 2027-06 --out plan.json', 'rates for June 2027, derivation printed')
      .example('ccready load plan --sizing my.yml --forms-field forms_monthly --peak-factor 4', 'name the usage field, steeper peak')
      .option('sizing', { type: 'string', demandOption: true, describe: 'sizing config (YAML, as for `ccready size`)' })
      .option('month', { type: 'string', describe: 'YYYY-MM of the usage table (default: its last month)' })
      .option('set', { type: 'string', describe: 'which set of a multi-set config (default: the first)' })
      .option('users-field', { type: 'string', describe: `usage field for users (default: first of ${DEFAULT_FIELDS.users.join(', ')})` })
      .option('forms-field', { type: 'string', describe: `usage field for forms per month (default: first of ${DEFAULT_FIELDS.forms.join(', ')})` })
      .option('restores-field', { type: 'string', describe: `usage field for restores per month (default: first of ${DEFAULT_FIELDS.restores.join(', ')})` })
      .option('working-days', { type: 'string', coerce: num('working-days', { above: 0 }), describe: 'working days per month (default 22)' })
      .option('working-hours', { type: 'string', coerce: num('working-hours', { above: 0 }), describe: 'working hours per day the load is spread over (default 8)' })
      .option('peak-factor', { type: 'string', coerce: num('peak-factor', { above: 0 }), describe: 'busiest hour ÷ average working hour (default 3)' })
      .option('target', { type: 'string', describe: 'name the target the plan is for (then `load run` needs no --yes for it)' })
      .option('out', { type: 'string', default: 'load-plan.json', describe: 'where to write the plan JSON' }),
  handler: async (argv) => {
    const a = argv as unknown as Record<string, string | number | undefined>;
    const { usage, setName, sets } = await usageTable(String(a.sizing), a.set as string | undefined);
    const one = (v: unknown) => (typeof v === 'string' && v ? [v] : undefined);
    const plan = derivePlan({
      usage,
      month: a.month as string | undefined,
      fields: { users: one(a.usersField), forms: one(a.formsField), restores: one(a.restoresField) },
      assumptions: {
        workingDaysPerMonth: a.workingDays as number | undefined,
        workingHoursPerDay: a.workingHours as number | undefined,
        peakFactor: a.peakFactor as number | undefined,
      },
      sizingFile: String(a.sizing),
      target: a.target as string | undefined,
    });
    if (sets > 1) plan.derivation.unshift(`set ${setName} of ${sets}`);
    const out = resolve(String(a.out));
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, JSON.stringify(plan, null, 2) + '\n');
    const lines = [
      'Derivation:',
      ...plan.derivation.map((l) => `  ${l}`),
      'Thresholds:',
      `  error rate < ${plan.thresholds.errorRate * 100}% (abort above ${plan.thresholds.abortErrorRate * 100}% after ${plan.thresholds.abortDelayS}s)`,
      `  submission p95 < ${plan.thresholds.submission.p95Ms} ms, p99 < ${plan.thresholds.submission.p99Ms} ms`,
      `  restore p95 < ${plan.thresholds.restore.p95Ms} ms, p99 < ${plan.thresholds.restore.p99Ms} ms`,
      `  async restore wait p95 < ${plan.thresholds.asyncWait.p95Ms} ms, p99 < ${plan.thresholds.asyncWait.p99Ms} ms`,
      `Plan written to ${out}; run it with: ccready load run --plan ${String(a.out)} --profile peak --target URL`,
    ];
    process.stdout.write(lines.join('\n') + '\n');
  },
};

interface RunArgs extends TargetArgs {
  plan?: string;
  profile?: ProfileName;
  scenario: ScenarioName;
  out?: string;
  yes?: boolean;
  k6?: string;
  maxDuration: number;
  usersCsv?: string;
  createUsers?: number;
  keep?: boolean;
  xforms?: string;
  as?: string;
  skipFixtures: boolean;
  staleTokenRate: number;
  executionSegment?: string;
  executionSegmentSequence?: string;
  audit: boolean;
  auditTimeout: number;
  local: boolean;
  localPid?: number[];
  prometheus?: string;
  sampleEvery: number;
  dataPath?: string;
  beyondCeilings: boolean;
}

/** --local / --prometheus → what to sample on the server during the run (none without them). */
function serverSampling(a: RunArgs): SamplerOptions | undefined {
  if (a.local && a.prometheus) throw new UsageError('--local and --prometheus: pass one of them, not both');
  if (a.localPid?.length && !a.local) throw new UsageError('--local-pid: needs --local');
  for (const p of a.localPid ?? []) if (!(Number.isInteger(p) && p > 0)) throw new UsageError(`--local-pid: expected a process id, got ${p}`);
  if (a.prometheus !== undefined && !/^https?:\/\/[^/]/.test(a.prometheus)) throw new UsageError(`--prometheus: expected the Prometheus base URL like http://127.0.0.1:9090, got "${a.prometheus}"`);
  const o: SamplerOptions | undefined = a.local ? { source: { kind: 'local', pids: a.localPid, dataPath: a.dataPath }, intervalS: a.sampleEvery }
    : a.prometheus ? { source: { kind: 'prometheus', url: a.prometheus, mountpoint: a.dataPath }, intervalS: a.sampleEvery } : undefined;
  if (o) checkSampler(o);
  return o;
}

/** `global: false` keeps them off the subcommands (`load k8s collect` has flags of its own). */
function runOptions<T>(y: Argv<T>, global = true) {
  return targetOptions(y)
    .option('plan', { global, type: 'string', describe: 'plan JSON written by `ccready load plan` (default: a built-in small-project plan)' })
    .option('profile', { global, type: 'string', coerce: oneOf('profile', PROFILES), describe: `${PROFILES.join(' | ')}: smoke is seconds (CI), stress finds the knee (default: peak with a plan, else smoke)` })
    .option('scenario', { global, type: 'string', default: 'submit', coerce: oneOf('scenario', SCENARIOS), describe: `${SCENARIOS.join(' | ')}: submit forms, restore (sync), or a mobile worker's day` })
    .option('xforms', { global, type: 'string', describe: 'folder of Raw XML forms copied from HQ to replay instead of the built-in forms' })
    .option('as', { global, type: 'string', describe: 'restore as this user (full username)' })
    .option('skip-fixtures', { global, type: 'boolean', default: true, describe: 'send skip_fixtures=true on incremental restores' })
    .option('beyond-ceilings', { global, type: 'boolean', default: false, describe: `allow more than ${CEILINGS.vus} VUs, ${CEILINGS.ratePerS} requests/s or ${CEILINGS.durationS / 3600} h` })
    .option('stale-token-rate', { global, type: 'string', default: 0, coerce: num('stale-token-rate', { min: 0, max: 1 }), describe: 'share of incremental syncs sent with an expired token (412 → full restore)' });
}

const runCmd: CommandModule = {
  command: 'run',
  describe: 'run a load test with k6 against a CommCare HQ and audit that no form was lost',
  builder: (y: Argv) =>
    runOptions(y)
      .example('ccready load run --target-env sim.env --profile smoke', 'seconds of traffic against `ccready sim`; exit 0/1/2')
      .example('ccready load run --plan plan.json --profile peak --target https://hq.example.org --yes --users-csv workers.csv', 'the plan\'s peak rate against a real server')
      .example('ccready load run --plan plan.json --profile stress --scenario mobile-day', 'ramp until the thresholds break; reports the knee')
      .option('users-csv', { type: 'string', describe: 'mobile workers: CSV of username,password[,user_id]' })
      .option('create-users', { type: 'string', coerce: num('create-users', { integer: true, min: 1, max: 10000 }), describe: 'create N mobile workers through the User API (removed afterwards)' })
      .option('keep', { type: 'boolean', default: false, describe: 'keep the workers made by --create-users' })
      .option('out', { type: 'string', describe: 'report folder (default reports/runs/<run-id>/)' })
      .option('yes', { type: 'boolean', default: false, describe: 'confirm a target that is not loopback' })
      .option('k6', { type: 'string', describe: 'k6 binary (default $K6_BIN, .tools/bin/k6, or k6 on PATH)' })
      .option('max-duration', { type: 'string', default: DEFAULT_MAX_DURATION_S, coerce: num('max-duration', { above: 0, unit: 'seconds' }), describe: 'hard cap on the run in seconds' })
      .option('execution-segment', { type: 'string', describe: 'k6 --execution-segment, to split a plan across machines (e.g. 0:1/2)' })
      .option('execution-segment-sequence', { type: 'string', describe: 'k6 --execution-segment-sequence (e.g. 0,1/2,1)' })
      .option('audit', { type: 'boolean', default: true, describe: 'check every acknowledged form against the Form API (--no-audit to skip)' })
      .option('audit-timeout', { type: 'string', default: 60, coerce: num('audit-timeout', { min: 0, unit: 'seconds' }), describe: 'seconds to wait for the Form API to list every form' })
      .option('local', { type: 'boolean', default: false, describe: 'sample this box\'s CPU, RAM and disk from /proc during the run (run on the server)' })
      .option('local-pid', { type: 'number', array: true, describe: 'with --local: sample only these processes (e.g. the stand-in) instead of the whole host' })
      .option('prometheus', { type: 'string', describe: 'sample the server\'s node_exporter series from this Prometheus during the run' })
      .option('sample-every', { type: 'string', default: 2, coerce: num('sample-every', { above: 0, unit: 'seconds' }), describe: 'seconds between server samples' })
      .option('data-path', { type: 'string', describe: 'path (--local) or mountpoint (--prometheus) of the data disk for free space (default /)' }),
  handler: async (argv) => {
    const a = argv as unknown as RunArgs;
    const target = targetFrom(a);
    const plan = a.plan ? readPlan(a.plan) : undefined;
    if (a.createUsers !== undefined && a.usersCsv) throw new UsageError('--create-users and --users-csv: pass one of them, not both');
    const server = serverSampling(a);
    const users = a.usersCsv ? readUsersCsv(a.usersCsv, target.domain) : undefined;
    // Preflight before blame, the same checks as verify's 00-preflight (loaded here: loadtests/ does not import verify/).
    const { preflight } = await import('../../verify/index.ts');
    const r = await runLoad({
      target,
      preflight: (t) => preflight(t),
      plan,
      profile: a.profile,
      scenario: a.scenario,
      out: a.out,
      yes: a.yes,
      k6: a.k6,
      maxDurationS: a.maxDuration,
      beyondCeilings: a.beyondCeilings,
      users,
      usersSource: a.usersCsv ? `--users-csv ${a.usersCsv}` : undefined,
      createUsers: a.createUsers,
      keep: a.keep,
      xformsDir: a.xforms,
      restore: { asUser: a.as, skipFixtures: a.skipFixtures, staleTokenRate: a.staleTokenRate },
      executionSegment: a.executionSegment,
      executionSegmentSequence: a.executionSegmentSequence,
      audit: a.audit ? undefined : false,
      auditTimeoutS: a.auditTimeout,
      server,
      ...liveOutput(process.stderr),
    });
    process.stdout.write(loadRunText(r));
    process.exitCode = r.exitCode;
  },
};

/** How often a heartbeat line is printed when stderr is not a terminal (CI logs). */
const HEARTBEAT_EVERY_S = 10;

/**
 * Progress lines and the heartbeat: on a terminal one live line rewritten in place (cleared
 * before any other line), elsewhere a plain line every 10 s.
 */
function liveOutput(out: NodeJS.WriteStream): { onProgress: (l: string) => void; onHeartbeat: (h: Heartbeat) => void } {
  let live = false;
  let printedAt = 0;
  return {
    onProgress: (l) => {
      out.write(`${live ? '\r\x1b[K' : ''}${l}\n`);
      live = false;
    },
    onHeartbeat: (h) => {
      const line = `ccready load: ${heartbeatLine(h)}`;
      if (out.isTTY) {
        out.write(`\r\x1b[K${line}`);
        live = true;
      } else if (h.elapsedS - printedAt >= HEARTBEAT_EVERY_S - 0.5) {
        printedAt = h.elapsedS;
        out.write(`${line}\n`);
      }
    },
  };
}

/** The verdict block `load run` prints: the verdict and its reasons first, never "thresholds met" on an interrupted run. */
function loadRunText(r: LoadResult): string {
  const s = r.summary;
  const head = r.verdict === 'INTERRUPTED' ? `INTERRUPTED after ${Math.round(r.elapsedS)} s` : r.verdict;
  const facts = [
    r.verdict === 'INTERRUPTED' ? undefined : `thresholds ${r.thresholdsOk ? 'met' : 'FAILED'}`,
    s.knee !== undefined ? `knee ${s.knee ? `${s.knee.rate}/s` : 'none'}` : undefined,
    `${r.acknowledged} forms acknowledged`,
    `lost ${r.audit.checked ? r.lost : 'not audited'}`,
  ].filter(Boolean);
  return `${head}: ${facts.join(', ')}` +
    (r.missingFormIds.length ? ` (missing: ${r.missingFormIds.slice(0, 10).join(', ')}${r.missingFormIds.length > 10 ? ' …' : ''})` : '') + '\n' +
    r.failures.filter((f) => !f.startsWith('interrupted')).map((f) => `${r.verdict === 'PASS' ? 'note' : 'why'}: ${f}\n`).join('') +
    r.notes.map((n) => `note: ${n}\n`).join('') +
    `report: ${r.reportDir}/summary.md\n`;
}

const bundleCmd: CommandModule = {
  command: 'bundle',
  describe: 'write the bundled k6 script (and an example run config) to run with your own k6',
  builder: (y: Argv) =>
    y
      .example('ccready load bundle --out k6/', 'the k6 script and an example config, to run with your own k6')
      .option('out', { type: 'string', default: 'dist/k6', describe: 'output folder' }),
  handler: async (argv) => {
    const out = resolve(String((argv as unknown as { out: string }).out));
    const script = await bundleScenarios(out);
    const example = prepareRun({ runId: 'example', target: { url: 'http://127.0.0.1:8000', domain: 'demo', appId: 'APP_ID' }, workers: 1 }).config;
    writeFileSync(join(out, 'k6-config.example.json'), JSON.stringify(example, null, 1) + '\n');
    process.stdout.write(
      `${script}\n${join(out, 'k6-config.example.json')}\n` +
        `run: CCHQ_USERNAME=<user>@<domain>.commcarehq.org CCHQ_PASSWORD=… k6 run -e CCREADY_CONFIG=${join(out, 'k6-config.example.json')} ${script}\n` +
        `(${builtinTemplates().length} built-in form templates embedded; no remote imports)\n`,
    );
  },
};

const calibrateCmd: CommandModule = {
  command: 'calibrate',
  describe: 'turn a run\'s sustainable rate into sizing capacity figures (e.g. requests per gunicorn worker)',
  builder: (y: Argv) =>
    y
      .example('ccready load calibrate --report reports/runs/<run-id> --sizing my.yml --workers 4', 'requests per gunicorn worker, and the config change')
      .option('report', { type: 'string', demandOption: true, describe: 'report folder of a load run (holds run.json)' })
      .option('sizing', { type: 'string', demandOption: true, describe: 'sizing config to calibrate' })
      .option('workers', { type: 'string', coerce: num('workers', { above: 0 }), describe: 'gunicorn workers of the tested server (default: one node of the config)' })
      .option('service', { type: 'string', describe: 'service to calibrate (default: the one with the sub-process)' })
      .option('sub-process', { type: 'string', default: 'gunicorn_worker', describe: 'sub-process whose capacity to calibrate' }),
  handler: async (argv) => {
    const a = argv as unknown as { report: string; sizing: string; workers?: number; service?: string; subProcess: string };
    const runPath = join(a.report, 'run.json');
    let run: LoadRunRecord;
    try {
      run = JSON.parse(readFileSync(runPath, 'utf8')) as LoadRunRecord;
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      throw inputError(runPath, undefined, err.code ? `cannot read the run record (${err.code}); expected a report folder of \`ccready load run\`` : `expected JSON (${err.message})`);
    }
    if (!run.summary || !run.runId) throw inputError(runPath, 'summary', 'expected a run record written by `ccready load run`');
    const { loadSizingConfig } = await import('../../sizing/index.ts');
    const config = loadSizingConfig(a.sizing);
    const c = calibrate({ run, config, workers: a.workers, service: a.service, subProcess: a.subProcess, reportDir: a.report });
    const change = c.change.length ? ['', `Proposed change to ${a.sizing}:`, ...c.change.map((l) => `  ${l}`)] : [];
    process.stdout.write([...c.lines, ...change, ...sharingProposal(run), ''].join('\n'));
  },
};

const mergeCmd: CommandModule = {
  command: 'merge <runDirs..>',
  describe: 'merge the run folders of a split run (load run --execution-segment on each machine) into one verdict and one audit',
  builder: (y: Argv) =>
    targetOptions(y)
      .positional('runDirs', { type: 'string', array: true, describe: 'the report folder of each segment\'s `load run`' })
      .example('ccready load merge runs/a runs/b --out runs/merged --target-env hq.env', 'one verdict and one integrity audit for segments 0:1/2 and 1/2:1; exit 0/1/2')
      .option('out', { type: 'string', describe: 'report folder of the merged run (default reports/runs/<run-id>/)' })
      .option('audit', { type: 'boolean', default: true, describe: 'check every segment\'s acknowledged forms against the Form API (--no-audit to skip)' })
      .option('audit-timeout', { type: 'string', default: 60, coerce: num('audit-timeout', { min: 0, unit: 'seconds' }), describe: 'seconds to wait for the Form API to list every form' }),
  handler: async (argv) => {
    const a = argv as unknown as TargetArgs & { runDirs: string[]; out?: string; audit: boolean; auditTimeout: number };
    const input = mergeInputFromFolders(a.runDirs.map(String));
    // The audit asks the server the segments ran against; credentials from the flags or CCHQ_*.
    const target = targetFrom({ ...a, target: a.target ?? input.targetUrl, domain: a.domain ?? input.domain });
    if (target.url !== input.targetUrl || target.domain !== input.domain) {
      throw new UsageError(`--target: ${target.url} (project ${target.domain}) is not where the segments ran (${input.targetUrl}, project ${input.domain}); the audit must ask that server`);
    }
    const r = await mergeRun({ ...input, target, out: a.out, audit: a.audit ? undefined : false, auditTimeoutS: a.auditTimeout, onProgress: (l) => process.stderr.write(`${l}\n`) });
    process.stdout.write(loadRunText(r));
    process.exitCode = r.exitCode;
  },
};

const k8sCmd: CommandModule = {
  command: 'k8s',
  describe: 'emit a k6-operator TestRun (script in a ConfigMap) to run a plan from several pods; `load k8s collect` judges it after',
  builder: (y: Argv) =>
    runOptions(y, false)
      .command(k8sCollectCommand(loadRunText))
      .example('ccready load k8s --plan plan.json --profile peak --parallelism 4 --out testrun.yaml', 'k6-operator TestRun + ConfigMap for four pods')
      .option('parallelism', { global: false, type: 'string', default: 2, coerce: num('parallelism', { integer: true, min: 1, max: 1000 }), describe: 'k6 runner pods; each gets an equal execution segment' })
      .option('name', { global: false, type: 'string', describe: 'name of the TestRun (and <name>-script ConfigMap); default ccready-<run id>, unique per run' })
      .option('yes', { global: false, type: 'boolean', default: false, describe: 'confirm a target that is not loopback (as `load run`)' })
      .option('separate', { global: false, type: 'boolean', default: false, describe: 'one runner pod per node (the operator\'s spec.separate), so pods do not share a node\'s CPU' })
      .option('namespace', { global: false, type: 'string', describe: 'Kubernetes namespace' })
      .option('secret', { global: false, type: 'string', default: 'ccready-load-credentials', describe: 'Secret holding CCHQ_USERNAME and CCHQ_PASSWORD, or CCREADY_USERS_JSON (a JSON list of workers: each runner takes its segment\'s slice)' })
      .option('image', { global: false, type: 'string', describe: `runner image (default ${RUNNER_IMAGE}, the k6 ccready tests)` })
      .option('results-pvc', { global: false, type: 'string', describe: 'existing PersistentVolumeClaim (ReadWriteMany) the runners write results to (default: the manifest makes <name>-results)' })
      .option('storage-class', { global: false, type: 'string', describe: 'storage class of the results claim the manifest makes (one that offers ReadWriteMany)' })
      .option('results-size', { global: false, type: 'string', describe: 'size of the results claim the manifest makes (default 2Gi)' })
      .option('max-duration', { global: false, type: 'string', default: DEFAULT_MAX_DURATION_S, coerce: num('max-duration', { above: 0, unit: 'seconds' }), describe: 'hard cap on the run in seconds' })
      .option('out', { global: false, type: 'string', describe: 'write the manifest here instead of stdout' }),
  handler: async (argv) => {
    const a = argv as unknown as RunArgs & { parallelism: number; name?: string; namespace?: string; secret: string; image?: string; out?: string; separate: boolean; resultsPvc?: string; storageClass?: string; resultsSize?: string };
    const target = targetFrom(a);
    const plan = a.plan ? readPlan(a.plan) : undefined;
    checkSafety({ target, yes: a.yes, plan });
    const runId = newRunId();
    const name = a.name ?? defaultTestRunName(runId);
    const { config, plan: ranPlan, profile, scenario, shape } = prepareRun({
      runId,
      target,
      plan,
      profile: a.profile,
      scenario: a.scenario,
      maxDurationS: a.maxDuration,
      beyondCeilings: a.beyondCeilings,
      // one worker per runner at least (the Secret's CCREADY_USERS_JSON is sliced by segment)
      workers: a.parallelism,
      xformsDir: a.xforms,
      restore: { asUser: a.as, skipFixtures: a.skipFixtures, staleTokenRate: a.staleTokenRate },
      audit: true,
      summaryPath: '/tmp/k6-summary.json',
    });
    const script = readFileSync(await ensureBundle(), 'utf8');
    const yaml = k8sManifest({ name, namespace: a.namespace, parallelism: a.parallelism, script, config, secret: a.secret, image: a.image, separate: a.separate,
      run: { runId, plan: ranPlan, profile, scenario, targetRate: shape.targetRate, durationS: shape.durationS },
      resultsClaim: a.resultsPvc, storageClass: a.storageClass, resultsSize: a.resultsSize,
    });
    if (a.out) {
      writeFileSync(a.out, yaml);
      process.stdout.write(`${a.out}: TestRun ${name} with parallelism ${a.parallelism} (run ${runId}); after \`kubectl apply -f ${a.out}\` and the run: ccready load k8s collect --name ${name}${a.namespace ? ` --namespace ${a.namespace}` : ''}\n`);
    } else process.stdout.write(yaml);
  },
};

export const loadCommand: CommandModule = {
  command: 'load <command>',
  describe: 'load tests with k6: plan, run, merge, bundle, calibrate, k8s',
  builder: (y: Argv) => y.command(planCmd).command(runCmd).command(mergeCmd).command(bundleCmd).command(calibrateCmd).command(k8sCmd).demandCommand(1, 'name a load command: plan, run, merge, bundle, calibrate or k8s'),
  handler: () => undefined,
};
