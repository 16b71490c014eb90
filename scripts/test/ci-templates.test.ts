// The CI templates in docs/ci work: GitLab's checks ccready out before using it, GitHub's declares
// the permissions its steps need, and each one's rehearsal jobs — the gate and the upgrade
// rehearsal against the stand-in — are executed here as written (stand-in on loopback, bounded), so
// a template that breaks fails. The upgrade jobs swap with docker compose on the same volumes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { withRootRehearsal } from './root-lock.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const read = (f: string) => parse(readFileSync(join(root, 'docs/ci', f), 'utf8'));

interface GhStep { uses?: string; run?: string; name?: string; with?: Record<string, string>; 'working-directory'?: string }
interface GhJob { permissions?: Record<string, string>; steps: GhStep[]; needs?: string | string[]; env?: Record<string, string> }
const github = read('github-actions.yml') as { permissions?: Record<string, string>; jobs: Record<string, GhJob> };
type GlJob = { extends?: string; before_script?: string[]; script?: string[]; stage?: string; artifacts?: { paths?: string[] }; variables?: Record<string, string> };
const gitlab = read('gitlab-ci.yml') as Record<string, GlJob> & { variables: Record<string, string>; stages: string[] };

/** The token permissions each action used by the workflow needs. */
const NEEDS: [RegExp, string, string][] = [
  [/^actions\/checkout@/, 'contents', 'read'],
  [/^mikepenz\/action-junit-report@/, 'checks', 'write'],
];

test('GitHub: every job runs with declared permissions covering what its steps use, and no more than those', () => {
  const wanted = new Map<string, string>();
  for (const [name, job] of Object.entries(github.jobs)) {
    const perms = job.permissions ?? github.permissions;
    assert.ok(perms, `${name}: no permissions declared (the token would get the repository default)`);
    for (const step of job.steps) {
      for (const [re, scope, level] of NEEDS) {
        if (!step.uses || !re.test(step.uses)) continue;
        wanted.set(scope, level);
        const got = perms![scope];
        assert.ok(got === level || (level === 'read' && got === 'write'), `${name}: ${step.uses} needs ${scope}: ${level}, declared ${got ?? 'none'}`);
      }
    }
  }
  assert.equal(Object.keys(github.permissions ?? {}).sort(), [...wanted.keys()].sort(), 'only the scopes the steps need');
});

test('GitHub: each job checks ccready out, installs it, and then runs it from the checkout', () => {
  for (const [name, job] of Object.entries(github.jobs)) {
    const checkout = job.steps.findIndex((s) => s.uses?.startsWith('actions/checkout@') && s.with?.path === 'ccready');
    const install = job.steps.findIndex((s) => s.run?.trim().startsWith('npm ci') && s['working-directory'] === 'ccready');
    const uses = job.steps.findIndex((s) => /ccready(\.mjs)? (gate|sim)/.test(s.run ?? ''));
    assert.ok(checkout >= 0 && checkout < install && install < uses, `${name}: checkout (${checkout}) → npm ci (${install}) → ccready (${uses})`);
    for (const s of job.steps.filter((st) => /ccready(\.mjs)? /.test(st.run ?? ''))) assert.is(s['working-directory'], 'ccready', `${name}: ${s.name}`);
  }
  assert.equal(github.jobs.gate!.needs, 'rehearsal');
});

test('GitLab: ccready is cloned and installed before any job uses it (the template runs in the container repository)', () => {
  const setup = gitlab['.ccready']!.before_script!;
  const clone = setup.findIndex((l) => /^git clone\b.*"\$CCREADY_REPO" ccready$/.test(l));
  const cd = setup.indexOf('cd ccready');
  const install = setup.findIndex((l) => l.startsWith('npm ci'));
  assert.ok(clone >= 0 && clone < cd && cd < install, `clone (${clone}) → cd (${cd}) → npm ci (${install})`);
  assert.match(gitlab.variables.CCREADY_REPO!, /^https:\/\/.*ccready\.git$/);
  assert.ok(gitlab.variables.CCREADY_REF);
  for (const [name, job] of Object.entries(gitlab)) {
    if (name.startsWith('.') || !job || typeof job !== 'object' || !('script' in job)) continue;
    assert.is(job.extends, '.ccready', `${name} gets the ccready set-up`);
    assert.not.ok(job.before_script, `${name}: its own before_script would replace the ccready set-up`);
    assert.ok(gitlab.stages.includes(job.stage!), `${name}: stage ${job.stage}`);
  }
});

/** Runs a script as CI would (bash -eo pipefail, in the ccready checkout), with CI variables that
 *  point elsewhere on loopback, so the rehearsal must take its target from the stand-in's file. */
async function runAsCi(script: string, extra: Record<string, string> = {}): Promise<{ code: number | null; out: string }> {
  const env: Record<string, string | undefined> = {
    ...process.env, ...extra, CI: '1',
    CCHQ_URL: 'https://127.0.0.1:9', CCHQ_DOMAIN: 'not-this', CCHQ_USERNAME: 'ci-user', CCHQ_PASSWORD: 'ci-secret-xyz',
    CCHQ_WEB_USERNAME: 'ci-web', CCHQ_WEB_PASSWORD: 'ci-web-secret-xyz',
  };
  // A CI job's shell is not under npm: without this, a stand-in started by the script would stop
  // when its npm grandparent (`npm test`) is not its parent any more (bin/ccready.mjs).
  delete env.npm_command;
  const child = spawn('bash', ['-eo', 'pipefail', '-c', script], { cwd: root, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const timer = setTimeout(() => { try { process.kill(-child.pid!, 'SIGKILL'); } catch {} }, 300_000);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearTimeout(timer);
  return { code, out };
}

const REHEARSALS: [string, () => { script: string; report: string }][] = [
  ['github-actions.yml', () => {
    const job = github.jobs.rehearsal!;
    const step = job.steps.find((s) => /ccready gate/.test(s.run ?? ''))!;
    const upload = job.steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'))!;
    return { script: step.run!, report: upload.with!.path!.replace(/^ccready\//, '') };
  }],
  ['gitlab-ci.yml', () => {
    const job = gitlab['ccready-rehearsal']!;
    return { script: job.script!.join('\n'), report: job.artifacts!.paths![0]!.replace(/^ccready\//, '') };
  }],
];

for (const [file, extract] of REHEARSALS) {
  test(`${file}: the rehearsal job's commands, run as written against the stand-in, end READY with a JUnit report`, async () => {
    const { script, report } = extract();
    assert.match(script, /ccready sim .*--target-env sim\.env/);
    const reportDir = join(root, report);
    assert.match(reportDir, /reports\/runs\//, 'the report lands in a git-ignored folder');
    await withRootRehearsal(async () => {
      rmSync(reportDir, { recursive: true, force: true });
      try {
        const { code, out } = await runAsCi(script);
        assert.is(code, 0, out.slice(-3000));
        assert.match(out, /^READY: every required step passed$/m);
        assert.ok(existsSync(join(reportDir, 'junit.xml')), `${report}junit.xml (published by the template)`);
        assert.not.match(out + readFileSync(join(root, 'sim.log'), 'utf8'), /ci-secret-xyz|ci-web-secret-xyz/);
      } finally {
        rmSync(reportDir, { recursive: true, force: true });
        rmSync(join(root, 'sim.env'), { force: true });
        rmSync(join(root, 'sim.log'), { force: true });
      }
    });
  });
}

/** The upgrade jobs: the previous release from docker compose, then the gate with --upgrade-from whose swap command recreates the containers from the candidate on the same volumes and records the deploy. */
const UPGRADE_JOBS: [string, () => { before: string; swap: string; gate: string }][] = [
  ['github-actions.yml', () => {
    const job = github.jobs.upgrade!;
    assert.is(job.needs, 'upgrade-rehearsal');
    const gate = job.steps.find((st) => /ccready\.mjs gate/.test(st.run ?? ''))!;
    const before = job.steps.slice(0, job.steps.indexOf(gate)).map((st) => st.run ?? '').join('\n');
    return { before, swap: (gate as GhStep & { env: Record<string, string> }).env.SWAP!, gate: gate.run! };
  }],
  ['gitlab-ci.yml', () => {
    const lines = gitlab['commcare-upgrade']!.script!;
    const gate = lines.findIndex((l) => /ccready\.mjs gate/.test(l));
    const swap = lines.find((l) => l.startsWith('export SWAP='))!;
    return { before: lines.slice(0, gate).join('\n'), swap, gate: lines[gate]! };
  }],
];

for (const [file, extract] of UPGRADE_JOBS) {
  test(`${file}: the upgrade job starts the previous release with docker compose and records its deploy, then swaps on the same volumes inside the gate`, () => {
    const { before, swap, gate } = extract();
    assert.match(before, /CCHQ_IMAGE="\$(CCHQ_)?PREVIOUS_IMAGE" docker compose up -d/);
    assert.match(before, /record_deploy_success .*--url "https:\/\/github\.com\/dimagi\/commcare-hq\/compare\/None\.\.\.\$PREVIOUS_COMMIT"/);
    // The swap recreates the same compose project (same named volumes): no `down -v`, no other project name.
    assert.match(swap, /CCHQ_IMAGE="\$(CCHQ_)?RC_IMAGE" docker compose up -d --wait/);
    assert.not.match(swap, /down|-p |--project-name|-v\b/);
    assert.match(swap, /record_deploy_success .*compare\/\$PREVIOUS_COMMIT\.\.\.\$RC_COMMIT/);
    assert.match(gate, /gate --upgrade-from "\$PREVIOUS_COMMIT" --upgrade-to "\$RC_COMMIT" --swap-command "\$SWAP" --swap-timeout \d+ /);
    assert.match(gate, / --out \.\.\/upgrade-report$/);
  });
}

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

const UPGRADE_REHEARSALS: [string, () => { script: string; report: string }][] = [
  ['github-actions.yml', () => {
    const job = github.jobs['upgrade-rehearsal']!;
    const step = job.steps.find((st) => /ccready gate/.test(st.run ?? ''))!;
    const upload = job.steps.find((st) => st.uses?.startsWith('actions/upload-artifact@'))!;
    return { script: step.run!, report: upload.with!.path!.replace(/^ccready\//, '') };
  }],
  ['gitlab-ci.yml', () => {
    const job = gitlab['ccready-upgrade-rehearsal']!;
    return { script: job.script!.join('\n'), report: job.artifacts!.paths![0]!.replace(/^ccready\//, '') };
  }],
];

for (const [file, extract] of UPGRADE_REHEARSALS) {
  test(`${file}: the upgrade rehearsal job, run as written (two stand-ins on one data directory), ends READY naming both versions and the downtime`, async () => {
    const { script, report } = extract();
    assert.match(script, /--upgrade-from previous --upgrade-to next --swap-command "\$SWAP"/);
    const reportDir = join(root, report);
    assert.match(reportDir, /reports\/runs\//, 'the report lands in a git-ignored folder');
    const pidFile = join(root, 'sim.pid');
    await withRootRehearsal(async () => {
      rmSync(reportDir, { recursive: true, force: true });
      try {
        // The job's fixed port, moved to a free one: this machine runs other tests at once.
        const { code, out } = await runAsCi(script, { SIM_PORT: String(await freePort()) });
        assert.is(code, 0, out.slice(-3000));
        assert.match(out, /^READY: every required step passed$/m);
        assert.ok(existsSync(join(reportDir, 'junit.xml')));
        // Downtime is reported; how many outages the 250 ms polls caught depends on how fast this
        // machine swaps the two stand-ins (0 on a quiet clean-clone CI run once), so any count.
        // drill/test/upgrade.test.ts proves an outage is measured, with 100 ms polls.
        assert.match(readFileSync(join(reportDir, 'report.md'), 'utf8'), /^- Upgrade: previous → next, downtime \d+\.\d s in \d+ outage\(s\)/m);
        assert.not.match(out + readFileSync(join(root, 'sim.log'), 'utf8'), /ci-secret-xyz|ci-web-secret-xyz/);
      } finally {
        // The job's last line stops the next release; a failed run leaves it to stop here.
        if (existsSync(pidFile)) {
          try {
            process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGTERM');
          } catch {}
        }
        await new Promise((r) => setTimeout(r, 500));
        rmSync(reportDir, { recursive: true, force: true });
        for (const f of ['sim.env', 'sim.log', 'sim.pid', 'sim-data']) rmSync(join(root, f), { recursive: true, force: true });
      }
    });
  });
}

test.run();
