// Runs every *.test.ts file in its own Node process (uvu suites with the tsx loader), two at a
// time, and ends with the one line CI reads: `N passed, N failed`.
// Usage: node scripts/run-tests.mjs [path-substring ...]
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { cpus } from 'node:os';

const root = process.cwd();
const filters = process.argv.slice(2);
const SKIP_DIRS = new Set(['node_modules', 'dist', '.git', '.tools', 'runs']);
const FILE_TIMEOUT_MS = 15 * 60 * 1000;

function findTests(dir, out = []) {
  for (const name of readdirSync(dir)) {
    if (SKIP_DIRS.has(name)) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) findTests(path, out);
    else if (name.endsWith('.test.ts')) out.push(relative(root, path));
  }
  return out;
}

const files = findTests(root)
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort();

const stripAnsi = (s) => s.replace(/\x1b\[[0-9;]*m/g, '');
const count = (text, label) => {
  const m = new RegExp(`^\\s*${label}:\\s+(\\d+)`, 'm').exec(text);
  return m ? Number(m[1]) : null;
};

function runFile(file) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, ['--import', 'tsx', file], {
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => {
      output += `\n[run-tests] ${file} exceeded ${FILE_TIMEOUT_MS / 1000}s and was killed\n`;
      try { process.kill(-child.pid, 'SIGKILL'); } catch {}
    }, FILE_TIMEOUT_MS);
    child.on('close', (code) => {
      clearTimeout(timer);
      const text = stripAnsi(output);
      const total = count(text, 'Total');
      const passed = count(text, 'Passed') ?? 0;
      const skipped = count(text, 'Skipped') ?? 0;
      let failed = total === null ? 1 : total - passed - skipped;
      // A file that crashed after its summary, or exited non-zero, still counts as a failure.
      if (code !== 0 && failed === 0) failed = 1;
      resolve({ file, code, passed, failed, skipped, text, seconds: (Date.now() - started) / 1000 });
    });
  });
}

const results = [];
const queue = [...files];
const workers = Math.max(1, Math.min(2, cpus().length));
await Promise.all(
  Array.from({ length: workers }, async () => {
    while (queue.length) {
      const r = await runFile(queue.shift());
      results.push(r);
      const mark = r.failed ? 'FAIL' : 'ok  ';
      process.stdout.write(`${mark} ${r.file}  (${r.passed} passed, ${r.failed} failed, ${r.seconds.toFixed(1)}s)\n`);
      if (r.failed) process.stdout.write(r.text.split('\n').map((l) => '    | ' + l).join('\n') + '\n');
    }
  }),
);

const sum = (k) => results.reduce((a, r) => a + r[k], 0);
const skipped = sum('skipped');
if (files.length === 0) process.stdout.write('no test files matched\n');
process.stdout.write(`${sum('passed')} passed, ${sum('failed')} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
process.exit(sum('failed') > 0 || files.length === 0 ? 1 : 0);
