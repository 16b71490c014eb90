// The upgrade rehearsal (`gate --upgrade-from`, issue 14 item 2) against two stand-in processes on
// the same --data-dir: the swap command stops the first and starts the second on the same port
// (loopback, bounded). A new --version-label with every drill item intact is READY with the downtime
// measured and both versions named; the same label is NOT READY (the version did not change); a
// damaged attachment after the swap is NOT READY naming it.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { spawn, spawnSync } from 'node:child_process';
import { runUpgradeRehearsal, type UpgradeOptions } from '../index.ts';
import { runLoad } from '../../loadtests/index.ts';
import { parseDeployRecord } from '../../verify/deployed.ts';
import { verifyReportFiles } from '../../reports/verify-files.ts';
import { startChildSim } from '../../fixtures/hq-sim/test/helpers.ts';
import { fast } from '../../verify/test/helpers.ts';
import type { Target } from '../../common/target.ts';
import type { VerifyReport } from '../../verify/types.ts';

const t = suite('upgrade rehearsal');
const tmp = mkdtempSync(join(tmpdir(), 'ccready-upgrade-'));
t.after(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;

const SIM_CHILD = new URL('../../fixtures/hq-sim/test/sim-child.ts', import.meta.url).pathname;
const step = (r: VerifyReport, id: string) => r.steps.find((s) => s.id === id)!;
const summary = (r: VerifyReport) => JSON.stringify(r.steps.map((s) => [s.id, s.status, s.reason]));

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * Starts the previous release, and builds the swap command that replaces it: stop it (waiting at
 * most 10 s for it to go), then start the next release on the same data directory and port, detached
 * as `docker compose up -d` leaves its containers.
 */
async function rehearsal(next: Record<string, unknown>) {
  const dir = join(tmp, `r${++n}`);
  const dataDir = join(dir, 'data');
  const port = await freePort();
  const base = { dataDir, port, pillowDelayMs: 100, users: 2, casesPerUser: 3 };
  const a = await startChildSim({ ...base, versionLabel: 'v1' });
  const pidFile = join(dir, 'next.pid');
  // A secret in the operator's command (a registry token, say) must not reach the report or the console.
  const command =
    `REGISTRY_TOKEN=swap-secret-xyz; kill -TERM ${a.pid}; i=0; while kill -0 ${a.pid} 2>/dev/null; do i=$((i+1)); [ $i -gt 200 ] && exit 3; sleep 0.05; done; ` +
    `'${process.execPath}' --import tsx '${SIM_CHILD}' '${JSON.stringify({ ...base, ...next })}' > '${join(dir, 'next.out')}' 2>&1 < /dev/null & echo $! > '${pidFile}'`;
  const target: Target = {
    url: a.url,
    domain: a.domain,
    appId: a.appId,
    mobile: a.mobile,
    web: a.web,
    odataConfigId: a.odataConfigIds[a.domain],
    exportId: a.exportIds[a.domain],
  };
  const options = (o: Partial<UpgradeOptions> = {}): UpgradeOptions => ({
    ...fast(),
    outDir: join(dir, 'out'),
    waitTimeoutMs: 20_000,
    swapCommand: command,
    swapTimeoutMs: 60_000,
    swapPollMs: 100,
    unchangedGraceMs: 2000,
    loadRunner: false,
    ...o,
  });
  const stop = async () => {
    await a.stop();
    if (!existsSync(pidFile)) return;
    const pid = Number(readFileSync(pidFile, 'utf8'));
    if (alive(pid)) process.kill(pid, 'SIGTERM');
    for (let i = 0; i < 100 && alive(pid); i++) await new Promise((r) => setTimeout(r, 50));
  };
  return { target, options, stop, dir, command };
}

t('HQ deploy record: the deployed commit is the compare URL head; a first deploy compares with None', () => {
  // Shaped as hqadmin/system_info.html and hqadmin/partials/deploy_history.html render it.
  const page = `<div class="alert alert-info">
                Last deployed on 30 Nov 2026
                at 09:12:05 UTC (2 hours ago) by cchq
            </div>
  <div class="panel-heading"><h2 class="panel-title">
             Deploy History
        </h2></div><div class="panel-body"><table class="table table-striped"><thead><tr><th>Date</th></tr></thead>
            <tbody>
                <tr>
                    <td>2 hours ago<br/><small>Nov. 30, 2026, 9:12 a.m.</small></td>
                    <td>cchq</td>
                    <td><p><a href="https://github.com/dimagi/commcare-hq/compare/0a1b2c3...9f8e7d6">diff with previous</a></p></td>
                </tr>
                <tr><td>3 days ago</td><td>cchq</td><td><p><a href="https://github.com/dimagi/commcare-hq/compare/1111111...0a1b2c3">diff with previous</a></p></td></tr>
            </tbody></table></div>`;
  assert.equal(parseDeployRecord(page), { label: '9f8e7d6', commit: '9f8e7d6', previous: '0a1b2c3', deployedAt: '30 Nov 2026 09:12:05 UTC', by: 'cchq' });
  const first = page.replace('0a1b2c3...9f8e7d6', 'None...9f8e7d6');
  assert.is(parseDeployRecord(first)?.previous, undefined);
  // No diff URL recorded (record_deploy_success without --url): the newest deploy's date and user.
  assert.is(parseDeployRecord(page.replace(/<p><a[^>]*>diff with previous<\/a><\/p>/g, ''))?.label, 'deployed 30 Nov 2026 09:12:05 UTC by cchq');
  assert.is(parseDeployRecord('<html>System Info</html>'), undefined);
});

t('a new version with every drill item kept is READY: both versions named, downtime and time to healthy measured, in every format', async () => {
  const r = await rehearsal({ versionLabel: 'v2' });
  try {
    const notes: string[] = [];
    const rep = await runUpgradeRehearsal(r.target, r.options({ loadRunner: runLoad, onProgress: (e) => notes.push(JSON.stringify(e)) }));
    assert.is(rep.decision.verdict, 'READY', summary(rep));
    assert.is(rep.decision.exitCode, 0);
    assert.is(rep.kind, 'gate');
    assert.is(rep.upgrade?.from, 'v1');
    assert.is(rep.upgrade?.to, 'v2');
    assert.is(rep.upgrade?.swap, 'command');
    const swap = step(rep, 'U2-swap');
    assert.is(swap.status, 'pass', summary(rep));
    // The first process is stopped before the second listens: there is an outage, and it is measured.
    assert.ok((rep.upgrade?.outages ?? 0) >= 1, JSON.stringify(swap.evidence));
    assert.ok((rep.upgrade?.downtimeSeconds ?? 0) > 0, `downtime ${rep.upgrade?.downtimeSeconds}`);
    assert.ok((rep.upgrade?.timeToHealthySeconds ?? 0) >= (rep.upgrade?.downtimeSeconds ?? 0), JSON.stringify(rep.upgrade));
    assert.is(swap.metrics?.downtimeMs! > 0, true);
    for (const id of ['U1-previous-release', 'D1-worker', 'D2-forms', 'D3-readback', 'D4-app-build', 'U3-version', 'K1-recovery', 'K2-forms', 'K3-attachments', 'K4-cases', 'K5-worker', 'K8-app-build', '00-wait-serverup', '13-load-smoke', '14-integrity-audit']) {
      assert.ok(rep.steps.some((s) => s.id === id && s.status === 'pass'), `${id} did not pass: ${summary(rep)}`);
    }
    assert.ok(step(rep, 'K1-recovery').metrics?.rtoSeconds !== undefined, 'time to the drill data readable again');
    const files = verifyReportFiles(rep);
    assert.match(files['report.md'], /- Upgrade: v1 → v2, downtime \d+\.\d s in \d+ outage/);
    assert.match(files['report.html'], /Upgrade: v1 → v2, downtime \d+\.\d s/);
    assert.match(files['junit.xml'], /name="ccready gate [^"]* upgrade v1 → v2"/);
    assert.equal(JSON.parse(files['report.json']).upgrade.to, 'v2');
    assert.not.match(Object.values(files).join('\n') + notes.join('\n'), /swap-secret-xyz/);
    assert.ok(notes.some((m) => m.includes('running the swap command')), 'the swap is announced');
    assert.is(readFileSync(join(r.dir, 'out', 'drill-manifest.json')).length > 0, true);
    // The drill has done its job: its worker is retired on the new release (HQ's User API then cannot find it).
    const retire = step(rep, 'D9-retire');
    assert.is(retire.status, 'pass', summary(rep));
    assert.is(retire.required, false, 'leftover test data does not decide an upgrade');
    const m = JSON.parse(readFileSync(join(r.dir, 'out', 'drill-manifest.json'), 'utf8')) as { worker: { id: string } };
    const gone = await fetch(`${r.target.url}/a/${r.target.domain}/api/user/v1/${m.worker.id}/`, { headers: { authorization: `Basic ${Buffer.from(`${r.target.web!.username}:${r.target.web!.password}`).toString('base64')}` } });
    // the stand-in's User API then answers 400 "Could not find user" for it
    assert.match(`${gone.status} ${await gone.text()}`, /^400 .*Could not find user/, 'the drill worker is still there');
  } finally {
    await r.stop();
  }
});

t('the same version after the swap is NOT READY: the version did not change', async () => {
  const r = await rehearsal({ versionLabel: 'v1' });
  try {
    const rep = await runUpgradeRehearsal(r.target, r.options());
    assert.is(rep.decision.verdict, 'NOT READY');
    assert.is(rep.decision.exitCode, 1);
    assert.is(rep.upgrade?.from, 'v1');
    assert.is(rep.upgrade?.to, 'v1');
    const v = step(rep, 'U3-version');
    assert.is(v.status, 'fail');
    assert.is(v.reason, 'the version did not change: the server still reports v1');
    assert.ok(rep.decision.failing.includes('U3-version'));
    assert.match(step(rep, 'U2-swap').reason!, /the version did not change/);
    assert.is(step(rep, 'K2-forms').status, 'pass', 'the data itself survived the restart');
  } finally {
    await r.stop();
  }
});

t('a drill item changed across the swap is NOT READY, naming it', async () => {
  const r = await rehearsal({ versionLabel: 'v2', corruptBlobs: 1 });
  try {
    const rep = await runUpgradeRehearsal(r.target, r.options());
    assert.is(rep.decision.verdict, 'NOT READY');
    assert.is(step(rep, 'U3-version').status, 'pass', summary(rep));
    const att = step(rep, 'K3-attachments');
    assert.is(att.status, 'fail');
    assert.match(att.reason!, /^BlobDB \(attachments\) lost or changed 1 of 1 drill items \(e\.g\. [0-9a-f-]{36}\/photo\.jpg: changed \(sha256 /);
    assert.ok(rep.decision.failing.includes('K3-attachments'));
    // something was lost: the drill data is kept for the operator to look at
    assert.not.ok(rep.steps.some((s) => s.id === 'D9-retire'), 'the drill worker was retired after a failed check');
  } finally {
    await r.stop();
  }
});

t('without --swap-command it waits while the operator swaps by hand, and measures the same way', async () => {
  const r = await rehearsal({ versionLabel: 'v2' });
  try {
    let swapped: Promise<unknown> | undefined;
    const rep = await runUpgradeRehearsal(
      r.target,
      r.options({
        swapCommand: undefined,
        // The "operator": swaps once the rehearsal says it waits for it.
        onProgress: (e) => {
          if (e.kind === 'note' && e.message.startsWith('swap the release now') && !swapped) {
            swapped = new Promise((done) => spawn('sh', ['-c', r.command], { stdio: 'ignore' }).on('exit', done));
          }
        },
      }),
    );
    await swapped;
    assert.ok(swapped, 'the rehearsal asked for the swap');
    assert.is(rep.upgrade?.swap, 'pause');
    assert.is(step(rep, 'U2-swap').status, 'pass', summary(rep));
    assert.is(step(rep, 'U3-version').status, 'pass');
    assert.equal([rep.upgrade?.from, rep.upgrade?.to], ['v1', 'v2']);
    assert.ok((rep.upgrade?.downtimeSeconds ?? 0) > 0);
    assert.is(step(rep, 'K3-attachments').status, 'pass');
  } finally {
    await r.stop();
  }
});

t('a swap command that does not return is stopped at --swap-timeout, and the rehearsal is NOT READY', async () => {
  const r = await rehearsal({ versionLabel: 'v2' });
  try {
    const started = Date.now();
    const rep = await runUpgradeRehearsal(r.target, r.options({ swapCommand: 'sleep 60', swapTimeoutMs: 1500 }));
    // 1.5 s bound plus the drill write before it and the checks after it; far below the 60 s sleep.
    assert.ok(Date.now() - started < 45_000, `took ${Date.now() - started} ms`);
    assert.is(rep.decision.verdict, 'NOT READY');
    assert.is(step(rep, 'U2-swap').reason, 'the swap command did not finish within 2 s (stopped)');
    assert.is(step(rep, 'U3-version').reason, 'the version did not change: the server still reports v1');
  } finally {
    await r.stop();
  }
});

t('CLI: the rehearsal flags without --upgrade-from, an empty swap command and a zone-less backup time are one-line errors', () => {
  const root = new URL('../../', import.meta.url).pathname;
  const cli = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', join(root, 'cli/main.ts'), ...args], { cwd: root, encoding: 'utf8', timeout: 60_000, env: { ...process.env, CI: '1' } });
  for (const [args, line] of [
    [['gate', '--swap-command', 'docker compose up -d'], 'ccready: --upgrade-to and --swap-command belong to an upgrade rehearsal: add --upgrade-from [VERSION]'],
    [['gate', '--upgrade-from', '--swap-command', ' '], 'ccready: --swap-command: expected a shell command, e.g. "docker compose up -d"'],
    [['drill', 'backup', 'check', '--backup-time', '2026-11-30 02:00'], 'ccready: --backup-time: expected an ISO 8601 time with a zone (2026-11-30T09:00:00Z), got "2026-11-30 02:00"'],
    [['drill', 'backup', 'write', '--backup-time', '2026-11-30T02:00:00Z'], 'ccready: --restore-started, --backup-time, --max-rpo and --local belong to `drill backup check`'],
    [['drill', 'backup', 'retire', '--trickle', '5'], 'ccready: --trickle belongs to `drill backup write`'],
  ] as const) {
    const r = cli(...args);
    assert.is(r.status, 2, `${args.join(' ')}: exit ${r.status} ${r.stderr}`);
    assert.is(r.stderr.trim(), line);
  }
});

t.run();
