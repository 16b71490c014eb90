// The upgrade rehearsal (`ccready gate --upgrade-from`, issue 14 item 2): check the running release
// and read its version, write the drill data, swap the release on the same volumes (the operator's
// command, or the operator by hand) while measuring downtime, then prove the new release reports
// another version, kept every drill item (`drill backup check`; its worker is then retired), and
// passes the full gate. One report, in every gate format, naming both versions.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { redact, type Target } from '../common/target.ts';
import { newRunId } from '../common/runs.ts';
import { HqClient, CookieJar } from '../common/http.ts';
import { runGate, waitForServerUp, toReport, withDefaults, readDeployedVersion, type GateOptions, type DeployedVersion, type VerifyContext, type StepResult, type UpgradeSummary, type VerifyReport } from '../verify/index.ts';
import { drillCheck, drillRetire, drillWrite } from './backup.ts';
import { swapRelease, type SwapOutcome } from './swap.ts';

export interface UpgradeOptions extends GateOptions {
  /** The version the running release must report before the swap; empty: whatever it reports. */
  upgradeFrom?: string;
  /** The version the new release must report; absent: any other than the previous one. */
  upgradeTo?: string;
  /** Swaps the release and returns (`docker compose up -d`); absent: wait while the operator swaps. */
  swapCommand?: string;
  /** Bound on the whole swap (the command and the wait for the new version), default 15 min. */
  swapTimeoutMs?: number;
  /** serverup.txt is asked this often during the swap (the downtime's resolution), default 250 ms. */
  swapPollMs?: number;
  /** See SwapOptions.unchangedGraceMs. */
  unchangedGraceMs?: number;
  /** Drill cases written before the swap, default 1. */
  drillCases?: number;
}

const step = (id: string, title: string, services: StepResult['services']): StepResult => ({ id, title, services, required: true, status: 'pass', evidence: [], durationMs: 0 });
const secs = (ms: number) => (ms / 1000).toFixed(1);

function describe(v: DeployedVersion): string {
  return `${v.label}${v.commit && v.deployedAt ? ` (deployed ${v.deployedAt}${v.by ? ` by ${v.by}` : ''})` : ''}`;
}

function swapStep(s: SwapOutcome, o: UpgradeOptions, pollMs: number): StepResult {
  const r = step('U2-swap', `Swap the release on the same volumes (${o.swapCommand ? 'swap command' : 'by hand'}); downtime and time to healthy`, ['django', 'nginx']);
  if (o.swapCommand) r.evidence.push(`swap command run (output in swap.log): ${s.command ? `exit ${s.command.exitCode ?? s.command.signal} after ${secs(s.command.ms)} s${s.command.timedOut ? ' (timed out, stopped)' : ''}` : 'did not end'}`);
  else r.evidence.push('waited for the operator to swap the release');
  for (const w of s.outages.slice(0, 10)) r.evidence.push(`outage: no good serverup.txt answer from +${secs(w.fromMs)} s to +${secs(w.toMs)} s (${secs(w.toMs - w.fromMs)} s)`);
  r.evidence.push(`downtime ${secs(s.downtimeMs)} s in ${s.outages.length} outage(s): last good answer → next good answer, serverup.txt asked every ${pollMs} ms (${s.polls} polls, ${s.failedPolls} not 200)`);
  if (s.healthyAfterMs !== undefined) r.evidence.push(`healthy with the new version ${s.to} ${secs(s.healthyAfterMs)} s after the swap began`);
  r.metrics = { downtimeMs: s.downtimeMs, outages: s.outages.length, polls: s.polls, failedPolls: s.failedPolls, ...(s.healthyAfterMs !== undefined ? { timeToHealthyMs: s.healthyAfterMs } : {}) };
  if (s.problem) {
    r.status = s.interrupted ? 'skip' : 'fail';
    r.reason = s.problem;
    if (s.interrupted) r.blockedBy = 'interrupted';
  }
  return r;
}

export async function runUpgradeRehearsal(target: Target, o: UpgradeOptions): Promise<VerifyReport> {
  const runId = o.runId ?? newRunId();
  const startedAt = new Date().toISOString();
  const opts = withDefaults(o);
  const client = new HqClient(target.url, { tls: target.tls, timeoutMs: opts.requestTimeoutMs, signal: opts.signal });
  const ctx: VerifyContext = { target, client, runId, opts, state: { forms: [], passed: new Set() } };
  const jar = new CookieJar();
  const note = (message: string) => o.onProgress?.({ kind: 'note', message: redact(message, target) });
  // The manifest and the swap command's log live with the reports (mode 0600 each).
  mkdirSync(o.outDir, { recursive: true, mode: 0o700 });
  const manifestPath = join(o.outDir, 'drill-manifest.json');
  const pollMs = o.swapPollMs ?? 250;
  const steps: StepResult[] = [];
  const summary: UpgradeSummary = { swap: o.swapCommand ? 'command' : 'pause', pollMs };
  const blocked = (id: string, title: string, by: StepResult, why: string): StepResult => ({ ...step(id, title, []), status: 'skip', reason: why, blockedBy: by.id });
  let interrupted = false;
  try {
    // 1. The previous release answers and says which version it is.
    const before = step('U1-previous-release', 'The running (previous) release answers serverup.txt and reports its version', ['django', 'nginx', 'postgres']);
    const t0 = Date.now();
    const wait = await waitForServerUp(target.url, { timeoutMs: o.waitTimeoutMs ?? 600_000, initialMs: o.waitInitialMs, maxMs: o.waitMaxMs, tls: target.tls, signal: o.signal });
    before.evidence.push(...wait.evidence);
    let from: DeployedVersion | undefined;
    if (wait.status !== 'pass') Object.assign(before, { status: wait.status, reason: wait.reason, blockedBy: wait.blockedBy, cause: wait.cause });
    else {
      const v = await readDeployedVersion(ctx, jar);
      before.evidence.push(v.evidence);
      from = v.version;
      if (!from) Object.assign(before, { status: 'fail', reason: `the previous release's version is unknown: ${v.problem}`, services: [] });
      else {
        before.evidence.push(`running release: ${describe(from)}`);
        summary.from = from.label;
        if (o.upgradeFrom && o.upgradeFrom !== from.label) Object.assign(before, { status: 'fail', reason: `the running release reports ${from.label}, not ${o.upgradeFrom} (--upgrade-from)`, services: [] });
      }
    }
    before.durationMs = Date.now() - t0;
    steps.push(before);
    if (before.status !== 'pass') {
      interrupted = before.blockedBy === 'interrupted';
      for (const [id, title] of [['U2-swap', 'Swap the release'], ['U3-version', 'The new release reports another version']]) steps.push(blocked(id, title, before, `not run: ${before.reason}`));
      return finishReport();
    }

    // 2. The drill data, written to every store before the swap.
    note(`writing the drill data before the swap (manifest ${manifestPath})`);
    const written = await drillWrite(target, { ...o, runId: `${runId}-drill`, manifestPath, count: o.drillCases ?? 1, trickleS: undefined });
    steps.push(...written.report.steps);
    const writeFailed = written.report.steps.find((s) => s.required && s.status !== 'pass' && s.status !== 'warn');
    if (!written.manifest || writeFailed) {
      const by = writeFailed ?? written.report.steps[0];
      for (const [id, title] of [['U2-swap', 'Swap the release'], ['U3-version', 'The new release reports another version']]) steps.push(blocked(id, title, by, `not run: the drill data was not written (${by.id}); the swap would prove nothing`));
      return finishReport();
    }

    // 3. The swap, measured.
    // The command is not echoed: it is the operator's and may carry a registry token or a password.
    note(o.swapCommand ? `running the swap command (its output goes to ${join(o.outDir, 'swap.log')})` : `swap the release now: waiting up to ${Math.round((o.swapTimeoutMs ?? 900_000) / 1000)} s until the server reports a version other than ${from!.label}`);
    const swap = await swapRelease({
      command: o.swapCommand,
      timeoutMs: o.swapTimeoutMs ?? 900_000,
      pollMs,
      unchangedGraceMs: o.unchangedGraceMs,
      from: from!.label,
      readVersion: async () => (await readDeployedVersion(ctx, jar)).version?.label,
      client,
      logPath: o.swapCommand ? join(o.outDir, 'swap.log') : undefined,
      signal: o.signal,
      onNote: note,
    });
    const swapped = swapStep(swap, o, pollMs);
    swapped.durationMs = Date.now() - swap.startedAt;
    steps.push(swapped);
    summary.downtimeSeconds = Math.round(swap.downtimeMs / 100) / 10;
    summary.outages = swap.outages.length;
    if (swap.healthyAfterMs !== undefined) summary.timeToHealthySeconds = Math.round(swap.healthyAfterMs / 100) / 10;
    interrupted = !!swap.interrupted;

    // 4. Another version, as the server reports it.
    const version = step('U3-version', 'The new release reports another version than the previous one', []);
    let after: DeployedVersion | undefined;
    if (!interrupted) {
      const v = await readDeployedVersion(ctx, jar).catch((e) => ({ version: undefined, evidence: `${(e as Error).message}`, problem: (e as Error).message }));
      version.evidence.push(v.evidence);
      after = v.version;
    }
    if (after) summary.to = after.label;
    version.evidence.push(`before: ${describe(from!)}`, `after: ${after ? describe(after) : 'unknown'}`);
    if (interrupted) Object.assign(version, { status: 'skip', reason: 'not run: interrupted', blockedBy: 'interrupted' });
    else if (!after) Object.assign(version, { status: 'fail', reason: `the version after the swap is unknown (was ${from!.label})` });
    else if (after.label === from!.label) Object.assign(version, { status: 'fail', reason: `the version did not change: the server still reports ${from!.label}` });
    else if (o.upgradeTo && after.label !== o.upgradeTo) Object.assign(version, { status: 'fail', reason: `the server reports ${after.label}, not ${o.upgradeTo} (--upgrade-to)` });
    steps.push(version);
    if (interrupted || (swapped.status === 'fail' && !after)) return finishReport();

    // 5. Every drill item, by content, after the swap; RTO measured from the start of the swap.
    const checked = await drillCheck(target, { ...o, runId: `${runId}-check`, manifestPath, restoreStarted: new Date(swap.startedAt) });
    steps.push(...checked.report.steps);
    interrupted ||= checked.report.interrupted;
    if (interrupted) return finishReport();

    // 6. The drill data has done its job: its worker is retired (HQ soft-deletes its forms and cases),
    // unless the check found something missing, when the data is kept for the operator to look at.
    if (checked.report.decision.exitCode === 0) {
      const retired = await drillRetire(target, { ...o, runId: `${runId}-retire`, manifestPath, required: false });
      steps.push(...retired.report.steps);
    } else note(`the drill worker ${written.manifest.worker.username} and its data are kept for inspection; \`ccready drill backup retire --manifest ${manifestPath}\` removes them`);

    // 7. The full gate on the new release.
    const gate = await runGate(target, { ...o, runId });
    steps.push(...gate.steps);
    interrupted ||= gate.interrupted;
    return finishReport();
  } finally {
    await client.close();
  }

  function finishReport(): VerifyReport {
    const report = toReport('gate', target, steps, { runId, startedAt, interrupted });
    report.upgrade = summary;
    return report;
  }
}
