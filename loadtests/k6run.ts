// Runs the k6 binary for one load run: its environment (ours minus ccready's secrets, plus the
// run's files and the dashboard export), a hard time cap, Ctrl-C forwarded once so k6 still
// writes its summary, and k6's own error lines read back from its JSON log.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { RunError } from '../common/errors.ts';
import type { K6Exit } from './outcome.ts';

/** Environment for k6: ours plus the run's files; ccready's secrets are not passed on. */
export function k6Env(work: string, configPath: string, usersPath: string, durationS: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(env)) if (/^CCHQ_|^LOCUST_/.test(k)) delete env[k];
  return {
    ...env,
    CCREADY_CONFIG: configPath,
    CCREADY_USERS_FILE: usersPath,
    K6_NO_USAGE_REPORT: 'true',
    K6_WEB_DASHBOARD: 'true',
    K6_WEB_DASHBOARD_PORT: '-1',
    K6_WEB_DASHBOARD_EXPORT: join(work, 'dashboard.html'),
    // The dashboard skips its export when it saw fewer than a few periods; keep periods short.
    K6_WEB_DASHBOARD_PERIOD: `${Math.max(1, Math.min(10, Math.floor(durationS / 30)))}s`,
  };
}

export interface K6Process {
  bin: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  capS: number;
  onLine: (l: string) => void;
  /** aborted on Ctrl-C / SIGTERM / SIGHUP: k6 is asked to stop gracefully */
  signal?: AbortSignal;
}

export function runK6(p: K6Process): Promise<K6Exit> {
  return new Promise((resolve, reject) => {
    // k6 gets its own process group: a terminal Ctrl-C signals the whole foreground group, and a
    // second SIGINT (ours, forwarded below) makes k6 stop hard without a summary. Only the one we
    // forward reaches it now. If ccready itself dies, k6 is killed on exit.
    const child = spawn(p.bin, p.args, { env: p.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const killOnExit = () => child.kill('SIGKILL');
    process.on('exit', killOnExit);
    let killedByCap = false;
    let interrupted = false;
    // Ctrl-C: let k6 stop gracefully and write its summary, so the report (and the clean-up of
    // the users file and of created workers) still happens.
    const onAbort = () => {
      interrupted = true;
      child.kill('SIGINT');
    };
    if (p.signal?.aborted) onAbort();
    p.signal?.addEventListener('abort', onAbort, { once: true });
    const done = () => {
      process.off('exit', killOnExit);
      p.signal?.removeEventListener('abort', onAbort);
    };
    const timer = setTimeout(() => {
      killedByCap = true;
      child.kill('SIGINT');
      setTimeout(() => child.kill('SIGKILL'), 15000).unref();
    }, p.capS * 1000);
    const lines = (chunk: Buffer) => chunk.toString('utf8').split('\n').filter((l) => l.trim()).forEach(p.onLine);
    child.stdout.on('data', lines);
    child.stderr.on('data', lines);
    child.on('error', (e) => {
      clearTimeout(timer);
      done();
      reject(new RunError(`k6: cannot start ${p.bin} (${(e as NodeJS.ErrnoException).code ?? e.message})`));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      done();
      resolve({ code, killedByCap, interrupted });
    });
  });
}

/** k6's own error lines from its JSON log (for a run that ended without a summary). */
export function k6Errors(logText: string): string[] {
  const out: string[] = [];
  for (const line of logText.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const j = JSON.parse(line) as { level?: string; msg?: string; error?: string };
      if (j.level === 'error' || j.level === 'fatal') out.push(`${j.msg ?? ''}${j.error ? `: ${j.error}` : ''}`);
    } catch {
      /* partial line */
    }
  }
  return out;
}
