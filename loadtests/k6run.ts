// Runs the k6 binary for one load run: its environment (ours minus ccready's secrets, plus the
// run's files and the dashboard export), under the watchdog (k6 cannot outlive ccready), a hard
// time cap, Ctrl-C forwarded once so k6 still writes its summary, its live numbers polled for
// the heartbeat.
import { join } from 'node:path';
import { RunError } from '../common/errors.ts';
import type { Target } from '../common/target.ts';
import { pollLive } from './live.ts';
import type { K6Exit } from './outcome.ts';
import type { RunSample } from './record.ts';
import { spawnWatched } from './watchdog.ts';

/** Environment for k6: ours plus the run's files; ccready's secrets are not passed on. */
export function k6Env(work: string, configPath: string, usersPath: string, durationS: number, tls?: Target['tls']): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(env)) if (/^CCHQ_|^LOCUST_/.test(k)) delete env[k];
  return {
    ...env,
    // k6 is Go: on Linux its TLS trusts the CA bundle named by SSL_CERT_FILE. k6 talks only to the
    // target, so the private CA (--ca) is all it needs to trust.
    ...(tls?.ca ? { SSL_CERT_FILE: join(work, 'ca.pem') } : {}),
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
  /** removed as soon as k6 has ended (the users file) */
  secrets: string[];
  /** the run's private folder, removed by the watchdog if ccready dies first */
  privateDir: string;
  /** k6's REST API port (passed as --address by the caller) and what to do with each sample */
  live?: { port: number; everyMs: number; kind: 'submission' | 'restore'; onSample: (s: RunSample) => void };
}

export function runK6(p: K6Process): Promise<K6Exit> {
  return new Promise((resolve, reject) => {
    // k6 (under its watchdog) gets its own process group: a terminal Ctrl-C signals the whole
    // foreground group, and a second SIGINT makes k6 stop hard without a summary. Only the one we
    // forward reaches it now. However ccready dies, the watchdog stops k6 (loadtests/watchdog.ts).
    const child = spawnWatched({ bin: p.bin, args: p.args, env: p.env, secrets: p.secrets, privateDir: p.privateDir });
    const stopLive = p.live ? pollLive(p.live) : () => undefined;
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
      stopLive();
      p.signal?.removeEventListener('abort', onAbort);
    };
    const timer = setTimeout(() => {
      killedByCap = true;
      child.kill('SIGINT');
      setTimeout(() => {
        if (child.exitCode === null && child.signalCode === null && child.pid) process.kill(-child.pid, 'SIGKILL');
      }, 15000).unref();
    }, p.capS * 1000);
    const lines = (chunk: Buffer) => chunk.toString('utf8').split('\n').filter((l) => l.trim()).forEach(p.onLine);
    child.stdout!.on('data', lines);
    child.stderr!.on('data', lines);
    child.on('error', (e) => {
      clearTimeout(timer);
      done();
      reject(new RunError(`k6: cannot start ${p.bin} (${(e as NodeJS.ErrnoException).code ?? e.message})`));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      done();
      // 127: the watchdog could not start k6 at all.
      if (code === 127) reject(new RunError(`k6: cannot start ${p.bin}`));
      else resolve({ code, killedByCap, interrupted });
    });
  });
}
