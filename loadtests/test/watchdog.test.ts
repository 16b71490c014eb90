// Nothing outlives ccready: `kill -9` of `load run` mid-run, ten times, leaves no k6 (and no
// watchdog) running 5 s later, no secrets file behind, and the stand-in stops receiving forms.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultPlan } from '../plan.ts';
import { withSim } from './helpers.ts';

/** Pids of live processes whose environment carries `tag` (k6 and the watchdog inherit ours). */
function tagged(tag: string): number[] {
  const out: number[] = [];
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      if (readFileSync(`/proc/${p}/environ`, 'latin1').includes(`CCREADY_TEST_TAG=${tag}`)) {
        const stat = readFileSync(`/proc/${p}/stat`, 'latin1');
        if (!/\) Z /.test(stat)) out.push(Number(p));
      }
    } catch {
      /* gone meanwhile */
    }
  }
  return out;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('kill -9 of load run mid-run, 10 times: no k6 5 s later, no secrets file, no more forms', async () => {
  await withSim({}, async (sim) => {
    const dir = mkdtempSync(join(tmpdir(), 'ccready-watchdog-'));
    const plan = defaultPlan();
    plan.durations.normalS = 120;
    plan.rates.formsPerSecond.average = 5;
    const planPath = join(dir, 'plan.json');
    writeFileSync(planPath, JSON.stringify(plan));
    const forms = () => sim.stats().domains[sim.domain]?.forms ?? 0;
    for (let i = 1; i <= 10; i++) {
      const tag = randomBytes(6).toString('hex');
      const tmp = mkdtempSync(join(dir, `tmp${i}-`));
      const child = spawn(process.execPath, ['--import', 'tsx', 'cli/main.ts', 'load', 'run', '--plan', planPath, '--profile', 'normal', '--no-audit', '--out', join(dir, `out${i}`)], {
        env: { ...process.env, ...sim.env(), TMPDIR: tmp, CCREADY_TEST_TAG: tag },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      const before = forms();
      const started = Date.now();
      while (forms() < before + 3 && Date.now() - started < 30000) await sleep(100);
      assert.ok(forms() >= before + 3, `run ${i}: k6 never submitted: ${stderr}`);
      assert.ok(tagged(tag).length >= 2, `run ${i}: expected ccready, the watchdog and k6 running`);
      child.kill('SIGKILL');
      const killedAt = Date.now();
      while (tagged(tag).length && Date.now() - killedAt < 5000) await sleep(100);
      assert.equal(tagged(tag), [], `run ${i}: still running 5 s after kill -9 of ccready`);
      assert.equal(readdirSync(tmp).filter((n) => n.startsWith('ccready-load-')), [], `run ${i}: the run's private folder (users file) was left behind`);
      const after = forms();
      await sleep(1000);
      assert.is(forms(), after, `run ${i}: forms still arriving after ccready died`);
    }
  });
});

test('a run killed with workers on the server: the next run removes and reports them; `ccready cleanup --run-id` does the same', async () => {
  await withSim({}, async (sim) => {
    const dir = mkdtempSync(join(tmpdir(), 'ccready-leftovers-'));
    const plan = defaultPlan();
    plan.durations.normalS = 120;
    plan.rates.formsPerSecond.average = 5;
    const planPath = join(dir, 'plan.json');
    writeFileSync(planPath, JSON.stringify(plan));
    const env = { ...process.env, ...sim.env(), CCREADY_STATE_DIR: join(dir, 'state') };
    const users = () => sim.stats().domains[sim.domain].users;
    const users0 = users();
    const killMidRun = async (i: number): Promise<string> => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'cli/main.ts', 'load', 'run', '--plan', planPath, '--profile', 'normal', '--create-users', '2', '--no-audit', '--out', join(dir, `dead${i}`)], { env, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      const forms0 = sim.stats().domains[sim.domain].forms;
      const t0 = Date.now();
      while (sim.stats().domains[sim.domain].forms < forms0 + 3 && Date.now() - t0 < 30000) await sleep(100);
      assert.is(users(), users0 + 2, `workers created: ${stderr}`);
      child.kill('SIGKILL');
      await new Promise((r) => child.on('close', r));
      const id = /run (\S+): submit\/normal/.exec(stderr)?.[1];
      assert.ok(id, stderr);
      return id!;
    };
    const first = await killMidRun(1);
    assert.is(users(), users0 + 2, 'the dead run left its workers');
    const next = await runCli(['load', 'run', '--profile', 'smoke', '--audit-timeout', '10', '--out', join(dir, 'next')], env);
    assert.is(next.code, 0, next.stderr + next.stdout);
    assert.match(next.stdout, new RegExp(`note: run ${first} ended without cleaning up: removed 2 mobile worker\\(s\\) it created`));
    assert.is(users(), users0, 'the next run removed them');

    const second = await killMidRun(2);
    const gone = await runCli(['cleanup', '--run-id', second], env);
    assert.is(gone.code, 0, gone.stderr);
    assert.match(gone.stdout, new RegExp(`^run ${second} ended without cleaning up: removed 2 mobile worker`));
    assert.is(users(), users0);
    const again = await runCli(['cleanup', '--run-id', second], env);
    assert.is(again.code, 2);
    assert.match(again.stderr, /^ccready: --run-id: nothing recorded for run .* \(it left nothing behind, or was cleaned already\)\n$/);
  });
});

/** The CLI with an environment of its own (the stand-in's variables, a private state folder). */
function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'cli/main.ts', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((r) => child.on('close', (code) => r({ code, stdout, stderr })));
}

test.run();
