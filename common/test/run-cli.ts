// The CLI as a user runs it, for tests: `node --import tsx -- cli/main.ts ARGS` with tsx loaded
// from the repository (so any cwd works) and `--` so Node does not take --env-file for its own
// flag. Bounded: killed after timeoutMs.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export const REPO = new URL('../../', import.meta.url).pathname;
const TSX = pathToFileURL(createRequire(join(REPO, 'package.json')).resolve('tsx')).href;

export function cliArgs(args: string[]): string[] {
  return ['--import', TSX, '--', join(REPO, 'cli/main.ts'), ...args];
}

export function runCli(args: string[], o: { cwd?: string; timeoutMs?: number } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, cliArgs(args), { cwd: o.cwd ?? REPO, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CI: '1' } });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const killer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 120_000);
  return new Promise((resolve) => child.on('close', (code) => {
    clearTimeout(killer);
    resolve({ code, stdout, stderr });
  }));
}
