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

test.run();
