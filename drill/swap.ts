// The swap of an upgrade rehearsal: the operator's command (or the operator by hand) replaces the
// running release on the same volumes while serverup.txt is asked every `pollMs`. Downtime is each
// stretch from the last good answer (200) to the next good answer, summed; the swap is over when the
// server answers 200 again and reports a version other than the one it ran before.
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import type { HqClient } from '../common/http.ts';
import { sleep } from '../verify/index.ts';

export interface SwapOptions {
  /** A shell command that swaps the release and returns (`docker compose up -d`); absent: wait for the operator. */
  command?: string;
  /** The whole swap is bounded: the command and the wait for the new version to answer. */
  timeoutMs: number;
  pollMs: number;
  /**
   * Command mode: once the command has finished, how long the server may keep answering with the
   * old version before the swap is judged to have changed nothing (a rolling swap can serve the old
   * release for a moment after the command returns).
   */
  unchangedGraceMs?: number;
  /** The version label the server reported before the swap. */
  from: string;
  /** Reads the version label the server reports now (undefined: not readable yet). */
  readVersion: () => Promise<string | undefined>;
  client: HqClient;
  /** The command's output goes here (it may print anything; it is not copied into the report). */
  logPath?: string;
  signal?: AbortSignal;
  onNote?: (message: string) => void;
}

export interface SwapOutcome {
  startedAt: number;
  /** How the command ended (command mode only). */
  command?: { exitCode: number | null; signal: string | null; ms: number; timedOut: boolean };
  /** Sum of the outages: last good answer → next good answer. */
  downtimeMs: number;
  outages: { fromMs: number; toMs: number }[];
  /** First good answer that reported a version other than `from`, ms after the start. */
  healthyAfterMs?: number;
  to?: string;
  polls: number;
  failedPolls: number;
  /** Why the swap did not end with the new version answering. */
  problem?: string;
  interrupted?: boolean;
}

/** Version reads need a login on HQ: at most one a second while the server answers. */
const VERSION_READ_EVERY_MS = 1000;

async function serverUp(client: HqClient, timeoutMs: number): Promise<boolean> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      return (await client.get('/serverup.txt', { timeoutMs })).status === 200;
    } catch {
      // A kept-alive connection to the process that just stopped fails once; a second, fresh one
      // tells whether the server is really not answering.
    }
  }
  return false;
}

function runCommand(command: string, o: SwapOptions): { done: Promise<SwapOutcome['command']>; kill: () => void } {
  const started = Date.now();
  // Its own process group, so a timeout stops everything it started that is still attached.
  // What the command leaves running (the new release) outlives it; under npm (`npx ccready gate`) a
  // ccready started by the command would read npm_command and stop when the command's shell exits
  // (bin/ccready.mjs), so the command runs without it, as it would from the operator's shell.
  const env = { ...process.env };
  delete env.npm_command;
  const child = spawn('sh', ['-c', command], { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env });
  const log = o.logPath ? createWriteStream(o.logPath, { mode: 0o600 }) : undefined;
  child.stdout.on('data', (b) => log?.write(b));
  child.stderr.on('data', (b) => log?.write(b));
  let timedOut = false;
  const kill = () => {
    try {
      process.kill(-child.pid!, 'SIGTERM');
    } catch {
      // already gone
    }
  };
  const timer = setTimeout(() => {
    timedOut = true;
    kill();
  }, o.timeoutMs);
  const done = new Promise<SwapOutcome['command']>((resolve) => {
    child.on('error', (e) => o.onNote?.(`swap command could not start: ${e.message}`));
    child.on('exit', (exitCode, signal) => {
      clearTimeout(timer);
      log?.end();
      resolve({ exitCode, signal, ms: Date.now() - started, timedOut });
    });
  });
  return { done, kill };
}

export async function swapRelease(o: SwapOptions): Promise<SwapOutcome> {
  const startedAt = Date.now();
  const out: SwapOutcome = { startedAt, downtimeMs: 0, outages: [], polls: 0, failedPolls: 0 };
  const cmd = o.command ? runCommand(o.command, o) : undefined;
  let commandEnded = !cmd;
  cmd?.done.then((c) => {
    out.command = c;
    commandEnded = true;
  });
  let lastGood = startedAt;
  let down = false;
  let lastRead = 0;
  /** Since when the finished swap keeps reporting the old version. */
  let sameSince: number | undefined;
  const grace = o.unchangedGraceMs ?? 60_000;
  const pollTimeout = Math.max(1000, Math.min(5000, o.pollMs * 4));
  try {
    for (;;) {
      if (o.signal?.aborted) {
        out.interrupted = true;
        out.problem = 'interrupted during the swap';
        break;
      }
      const good = await serverUp(o.client, pollTimeout);
      const at = Date.now();
      out.polls++;
      if (!good) {
        out.failedPolls++;
        if (!down) {
          down = true;
          o.onNote?.(`serverup.txt stopped answering 200 at +${((at - startedAt) / 1000).toFixed(1)} s`);
        }
      } else {
        if (down) {
          sameSince = undefined;
          out.outages.push({ fromMs: lastGood - startedAt, toMs: at - startedAt });
          out.downtimeMs += at - lastGood;
          down = false;
          o.onNote?.(`serverup.txt answers 200 again after ${((at - lastGood) / 1000).toFixed(1)} s`);
        }
        lastGood = at;
        if (at - lastRead >= VERSION_READ_EVERY_MS) {
          lastRead = at;
          const v = await o.readVersion().catch(() => undefined);
          if (v !== undefined && v !== o.from) {
            out.to = v;
            out.healthyAfterMs = at - startedAt;
            if (commandEnded) break;
          } else if (v === o.from && commandEnded) sameSince ??= at;
        }
      }
      if (commandEnded && out.command && (out.command.exitCode !== 0 || out.command.timedOut)) {
        const c = out.command;
        out.problem = c.timedOut ? `the swap command did not finish within ${Math.round(o.timeoutMs / 1000)} s (stopped)` : `the swap command failed (exit ${c.exitCode ?? c.signal})`;
        break;
      }
      if (commandEnded && out.to) break;
      if (cmd && sameSince !== undefined && Date.now() - sameSince >= grace) {
        out.problem = `the swap command finished, and the server answers as ${o.from} ${((Date.now() - sameSince) / 1000).toFixed(0)} s later: the version did not change`;
        break;
      }
      if (Date.now() - startedAt > o.timeoutMs) {
        out.problem = !commandEnded
          ? `the swap command did not finish within ${Math.round(o.timeoutMs / 1000)} s (stopped)`
          : down
          ? `the server did not answer serverup.txt 200 again within ${Math.round(o.timeoutMs / 1000)} s`
          : `the server still reports ${o.from} ${Math.round(o.timeoutMs / 1000)} s after the swap began: the version did not change`;
        break;
      }
      await sleep(o.pollMs, o.signal).catch(() => undefined);
    }
  } finally {
    if (!commandEnded) {
      cmd?.kill();
      out.command = await cmd?.done;
      if (out.command && !out.interrupted) out.command.timedOut = true;
    }
  }
  // An outage still open when the swap gave up counts up to the last poll.
  if (down) {
    const end = Date.now();
    out.outages.push({ fromMs: lastGood - startedAt, toMs: end - startedAt });
    out.downtimeMs += end - lastGood;
  }
  return out;
}
