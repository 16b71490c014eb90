// The hostile run's process half: `ccready verify`, `gate` and `load run` against `ccready sim` (both
// real processes, loopback only), hit mid-run by SIGINT, SIGTERM or SIGHUP, by kill -9 of the stand-in,
// or by kill -9 of k6. Each scenario checks: no stack trace, an exit within its bound, no READY or PASS
// (exit 0) for a run that was cut short, and no acknowledged form missing from the server unless the
// run said so.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliArgs } from '../../common/test/run-cli.ts';
import { STACK_TRACE, type Figures } from './fuzz.ts';

export type Command = 'verify' | 'gate' | 'load';
export type Blow = 'SIGINT' | 'SIGTERM' | 'SIGHUP' | 'kill -9 stand-in' | 'kill -9 k6' | 'none';

export interface Scenario {
  command: Command;
  blow: Blow;
  /** When to strike: after this many forms reached the stand-in, or once the output shows this many steps done. */
  afterForms?: number;
  afterSteps?: number;
  /** Strike only while k6 runs (the gate submits forms in its verify steps too). */
  duringK6?: boolean;
  /** Stand-in options, e.g. `--drop-forms 0.3` (the positive control: losses that must be found). */
  simArgs?: string[];
}

/** Seconds from the blow to the command's exit: k6's graceful stop, the audit's timeout (5 s here), the report. */
const BOUND_S = 120;

interface Proc {
  child: ChildProcess;
  output: () => string;
  exit: Promise<number | null>;
}

/** A CLI process leading its own process group (as a shell's foreground job), output kept. */
function start(args: string[], env: Record<string, string> = {}): Proc {
  const child = spawn(process.execPath, cliArgs(args), { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CI: '1', ...env } });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exit = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
  return { child, output: () => out, exit };
}

/** Ends a process group this run started (by its id; nothing else is touched). */
function killGroup(p: Proc): void {
  try {
    process.kill(-p.child.pid!, 'SIGKILL');
  } catch {
    /* already gone */
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function readEnv(file: string): Record<string, string> {
  return Object.fromEntries(readFileSync(file, 'utf8').split('\n').filter((l) => l.includes('=')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
}

/** The stand-in's counters (its control API, with the token `ccready sim` wrote to the env file). */
async function simStats(env: Record<string, string>): Promise<{ forms: number } | undefined> {
  try {
    const r = await fetch(`${env.CCHQ_URL}/__sim/stats`, { headers: { authorization: `Bearer ${env.CCHQ_SIM_TOKEN}` }, signal: AbortSignal.timeout(5000) });
    const s = (await r.json()) as { domains: Record<string, { submissions: number }> };
    return { forms: s.domains[env.CCHQ_DOMAIN]?.submissions ?? 0 };
  } catch {
    return undefined;
  }
}

/** Form ids the stand-in holds, read as the audit does (the Form API, the web user). */
async function formIdsAtServer(env: Record<string, string>): Promise<Set<string> | undefined> {
  const ids = new Set<string>();
  const auth = `Basic ${Buffer.from(`${env.CCHQ_WEB_USERNAME}:${env.CCHQ_WEB_PASSWORD}`).toString('base64')}`;
  let next: string | null = `/a/${env.CCHQ_DOMAIN}/api/form/v1/?limit=1000`;
  try {
    while (next) {
      const r = await fetch(new URL(next, env.CCHQ_URL), { headers: { authorization: auth, accept: 'application/json' }, signal: AbortSignal.timeout(10_000) });
      if (r.status !== 200) return undefined;
      const page = (await r.json()) as { objects: { id: string }[]; meta: { next: string | null } };
      for (const o of page.objects) ids.add(o.id);
      next = page.meta.next ? (page.meta.next.startsWith('?') ? `/a/${env.CCHQ_DOMAIN}/api/form/v1/${page.meta.next}` : page.meta.next) : null;
    }
    return ids;
  } catch {
    return undefined;
  }
}

/** k6 under this process (its watchdog's child): found through /proc's parent links. */
function k6Under(pid: number): number | undefined {
  const parent = new Map<number, number>();
  const comm = new Map<number, string>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      comm.set(Number(d), stat.slice(stat.indexOf('(') + 1, close));
      parent.set(Number(d), Number(stat.slice(close + 2).split(' ')[1]));
    } catch {
      /* gone meanwhile */
    }
  }
  for (const [p, name] of comm) {
    if (name !== 'k6') continue;
    for (let a = parent.get(p); a && a > 1; a = parent.get(a)) if (a === pid) return p;
  }
  return undefined;
}

export function label(s: Scenario): string {
  const when = s.afterForms !== undefined ? `after ${s.afterForms} forms` : s.afterSteps !== undefined ? `after ${s.afterSteps} steps` : undefined;
  return [
    `${s.command === 'load' ? 'load run' : s.command}, ${s.blow === 'none' ? 'no signal' : s.blow}`,
    when,
    s.duringK6 ? 'while k6 runs' : undefined,
    s.simArgs ? `(stand-in ${s.simArgs.join(' ')})` : undefined,
  ].filter(Boolean).join(' ');
}

export async function runScenario(s: Scenario): Promise<Figures> {
  const f: Figures = { what: label(s), inputs: 1, crashes: 0, hangs: 0, falseReady: 0, lostUndetected: 0, problems: [] };
  const dir = mkdtempSync(join(tmpdir(), 'ccready-hostile-'));
  const envFile = join(dir, 'sim.env');
  const sim = start(['sim', '--port', '0', '--target-env', envFile, '--users', '2', '--cases-per-user', '2', '--pillow-delay-ms', '50', ...(s.simArgs ?? [])]);
  let cmd: Proc | undefined;
  try {
    for (let i = 0; i < 300 && !existsSync(envFile); i++) await sleep(100);
    if (!existsSync(envFile)) throw new Error(`the stand-in did not start: ${sim.output()}`);
    const env = readEnv(envFile);
    const out = join(dir, 'report');
    const args = s.command === 'load'
      ? ['load', 'run', '--target-env', envFile, '--profile', 'smoke', '--max-duration', '60', '--audit-timeout', '5', '--out', out]
      : [s.command, '--target-env', envFile, '--out', out, ...(s.command === 'gate' ? ['--wait', '10'] : [])];
    cmd = start(args);
    let ended = false;
    void cmd.exit.then(() => (ended = true));
    // Strike mid-run: once the stand-in has seen enough of it (bounded wait).
    let struck = s.blow === 'none';
    const waitUntil = Date.now() + 180_000;
    // With duringK6, forms count from when k6 was first seen (the gate's verify steps submit some too).
    let formsBefore = s.duringK6 ? undefined : 0;
    while (!struck && !ended && Date.now() < waitUntil) {
      await sleep(100);
      const st = await simStats(env);
      if (!st) continue;
      if (formsBefore === undefined) {
        if (k6Under(cmd.child.pid!)) formsBefore = st.forms;
        continue;
      }
      // Steps from the progress lines ("PASS [3/13] …"): the stand-in's request count would include these polls.
      const steps = [...cmd.output().matchAll(/^[A-Z]+ \[(\d+)\/\d+\]/gm)].length;
      if (s.afterForms !== undefined ? st.forms - formsBefore < s.afterForms : steps < (s.afterSteps ?? 1)) continue;
      if (s.blow === 'kill -9 stand-in') killGroup(sim);
      else if (s.blow === 'kill -9 k6') {
        const k6 = k6Under(cmd.child.pid!);
        if (!k6) continue; // between k6 processes (the gate's verify part): wait for it
        process.kill(k6, 'SIGKILL');
      } else if (s.blow === 'SIGINT') process.kill(-cmd.child.pid!, 'SIGINT'); // Ctrl-C: the whole foreground group
      else process.kill(cmd.child.pid!, s.blow); // kill, or a dropped ssh session: the process
      struck = true;
    }
    if (!struck) {
      f.problems.push(`ended or stalled before the blow could be struck: ${cmd.output().slice(-300)}`);
      f.hangs += ended ? 0 : 1;
    }
    const struckAt = Date.now();
    const code = await Promise.race([cmd.exit, sleep(BOUND_S * 1000).then(() => 'hang' as const)]);
    const text = cmd.output();
    if (code === 'hang') {
      f.hangs++;
      f.problems.push(`no exit within ${BOUND_S} s of the blow`);
      return f;
    }
    const note = `exit ${code} after ${((Date.now() - struckAt) / 1000).toFixed(0)} s`;
    if (STACK_TRACE.test(text)) {
      f.crashes++;
      f.problems.push(`a stack trace was printed (${note}): ${text.match(STACK_TRACE)![0].trim()}`);
    }
    if (code === 3) {
      f.crashes++;
      f.problems.push(`internal error (${note}): ${text.trim().split('\n').at(-1)}`);
    }
    const claimed = /^(READY|PASS):/m.test(text); // the verdict line (step lines read "PASS [n/N] …")
    if (s.blow !== 'none' && (code === 0 || claimed)) {
      f.falseReady++;
      f.problems.push(`a run cut short claimed success (${note}): ${text.match(/^(READY|PASS):.*$/m)?.[0] ?? "exit 0"}`);
    }
    // A run stopped by a signal or by its server's death still writes its report (k6 killed: the run
    // cannot be judged at all, and says so in one line instead).
    const report = s.command === 'load' ? join(out, 'run.json') : join(out, 'report.json');
    if (s.blow !== 'kill -9 k6' && !existsSync(report)) {
      f.crashes++;
      f.problems.push(`no report written (${note}): ${text.trim().split('\n').at(-1)}`);
    }
    // Forms: every acknowledged form must be at the server, or the run must not have passed.
    const record = [join(out, 'run.json'), join(out, 'load', 'run.json')].find(existsSync);
    if (record) {
      const run = JSON.parse(readFileSync(record, 'utf8')) as { verdict: string; audit: { checked: boolean; lost: number } };
      const acked = readFileSync(join(record, '..', 'acknowledged-forms.txt'), 'utf8').split('\n').filter(Boolean).map((l) => l.split(' ')[0]!);
      const held = await formIdsAtServer(env);
      const missing = held ? acked.filter((id) => !held.has(id)).length : acked.length; // stand-in gone: all lost
      // Undetected: a pass with forms missing, or an audit that counted fewer lost than are missing.
      const undetected = missing && (code === 0 || run.verdict === 'PASS') ? missing : held && run.audit.checked ? Math.max(0, missing - run.audit.lost) : 0;
      if (undetected) {
        f.lostUndetected += undetected;
        f.problems.push(`${missing} of ${acked.length} acknowledged forms are not at the server; the run said ${run.verdict}, audit lost ${run.audit.checked ? run.audit.lost : 'not audited'}`);
      }
      f.what += ` — ${run.verdict}, ${acked.length} acknowledged, ${missing} missing${run.audit.checked ? `, audit found ${run.audit.lost} lost` : ''}`;
    }
    f.what += `; ${note}`;
    if (f.problems.length && process.env.HOSTILE_VERBOSE) f.problems.push(`its output:\n${text}`);
    if (s.blow === 'none' && s.simArgs?.includes('--drop-forms') && !(code === 1 && /lost [1-9]/.test(text))) {
      f.problems.push(`the stand-in dropped forms but the run did not report them lost (${note})`);
      f.lostUndetected++;
    }
  } catch (e) {
    f.crashes++;
    f.problems.push(`the scenario itself failed: ${(e as Error).message}`);
  } finally {
    if (cmd && cmd.child.exitCode === null) killGroup(cmd);
    killGroup(sim);
    await sim.exit;
    rmSync(dir, { recursive: true, force: true });
  }
  return f;
}

/** The scenarios of a full hostile run; `quick` is the slice CI runs. */
export function scenarios(quick: boolean): Scenario[] {
  if (quick) return [{ command: 'verify', blow: 'SIGHUP', afterSteps: 3 }, { command: 'verify', blow: 'kill -9 stand-in', afterSteps: 3 }];
  return [
    ...(['SIGINT', 'SIGTERM', 'SIGHUP'] as const).map((blow): Scenario => ({ command: 'verify', blow, afterSteps: 3 })),
    // The gate: Ctrl-C and a dropped session while its k6 runs, a kill during its verify steps.
    { command: 'gate', blow: 'SIGINT', afterForms: 3, duringK6: true },
    { command: 'gate', blow: 'SIGTERM', afterSteps: 3 },
    { command: 'gate', blow: 'SIGHUP', afterForms: 3, duringK6: true },
    ...(['SIGINT', 'SIGTERM', 'SIGHUP'] as const).map((blow): Scenario => ({ command: 'load', blow, afterForms: 5 })),
    { command: 'verify', blow: 'kill -9 stand-in', afterSteps: 3 },
    { command: 'load', blow: 'kill -9 stand-in', afterForms: 5 },
    { command: 'load', blow: 'kill -9 k6', afterForms: 5 },
    { command: 'gate', blow: 'kill -9 k6', afterForms: 3, duringK6: true },
    { command: 'load', blow: 'none', simArgs: ['--drop-forms', '0.3'] },
  ];
}
