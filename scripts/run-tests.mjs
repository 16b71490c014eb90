// Runs every *.test.ts file in its own Node process (uvu suites with the tsx loader), two at a
// time, on every supported Node (the machine's and the pinned Node 24, scripts/test-nodes.mjs),
// and ends with the one line CI reads, covering all of them: `N passed, N failed`.
// Usage: node scripts/run-tests.mjs [--node all|current|20|24] [path-substring ...]
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { delimiter, dirname, join, relative } from 'node:path';
import { cpus, tmpdir } from 'node:os';
import { testNodes } from './test-nodes.mjs';

const root = process.cwd();
const SKIP_DIRS = new Set(['node_modules', 'dist', '.git', '.tools', 'runs']);
const FILE_TIMEOUT_MS = 15 * 60 * 1000;

const filters = [];
let which = 'all';
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i];
  if (a === '--node') which = process.argv[++i] ?? '';
  else if (a.startsWith('--node=')) which = a.slice('--node='.length);
  else filters.push(a);
}
let nodes;
try {
  nodes = testNodes(which);
} catch (e) {
  process.stdout.write(`run-tests: ${e.message}\n0 passed, 1 failed\n`);
  process.exit(1);
}

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

// Node 20's code cache of `ccready size` (cli/code-cache.ts) goes to a folder of this test run,
// not the user's real one in the OS temp folder; removed at the end.
const codeCacheDir = mkdtempSync(join(tmpdir(), 'ccready-test-code-cache-'));
// Each test file gets a temp folder of its own (TMPDIR, which os.tmpdir() and the tools it starts
// read), removed when the file ends: what a test or a crashed run leaves under it (report folders,
// stand-in data, chromium profiles) goes with it, instead of piling up in /tmp run after run.
const testTmp = mkdtempSync(join(tmpdir(), 'ccready-test-tmp-'));

function runFile(file, node) {
  return new Promise((resolve) => {
    const started = Date.now();
    const fileTmp = mkdtempSync(join(testTmp, 'f-'));
    // The Node under test is first on PATH too, so whatever a test starts by name (`node`, `npx`,
    // the bin's `env node` shebang) runs on it as well, not on the machine's Node.
    const env = { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', TMPDIR: fileTmp, CCREADY_CODE_CACHE_DIR: codeCacheDir, PATH: `${dirname(node.path)}${delimiter}${process.env.PATH ?? ''}` };
    const child = spawn(node.path, ['--import', 'tsx', file], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => {
      output += `\n[run-tests] ${file} exceeded ${FILE_TIMEOUT_MS / 1000}s and was killed\n`;
      try { process.kill(-child.pid, 'SIGKILL'); } catch {}
    }, FILE_TIMEOUT_MS);
    child.on('close', (code) => {
      clearTimeout(timer);
      rmSync(fileTmp, { recursive: true, force: true, maxRetries: 3 });
      const text = stripAnsi(output);
      const total = count(text, 'Total');
      const passed = count(text, 'Passed') ?? 0;
      const skipped = count(text, 'Skipped') ?? 0;
      let failed = total === null ? 1 : total - passed - skipped;
      // A file that crashed after its summary, or exited non-zero, still counts as a failure.
      if (code !== 0 && failed === 0) failed = 1;
      resolve({ file, node, code, passed, failed, skipped, text, seconds: (Date.now() - started) / 1000 });
    });
  });
}

// Every file on the first Node, then every file on the next; a worker never starts a file that is
// running on another Node at that moment (some tests use fixed names under the OS temp folder).
const results = [];
const queue = nodes.flatMap((node) => files.map((file) => ({ file, node })));
const running = new Set();
let finished = () => {};
const workers = Math.max(1, Math.min(2, cpus().length));
const tag = (node) => (nodes.length > 1 ? `[${node.label}] ` : '');
await Promise.all(
  Array.from({ length: workers }, async () => {
    while (queue.length) {
      const i = queue.findIndex((q) => !running.has(q.file));
      if (i < 0) {
        await new Promise((resolve) => { const prev = finished; finished = () => { prev(); resolve(); }; });
        continue;
      }
      const [{ file, node }] = queue.splice(i, 1);
      running.add(file);
      const r = await runFile(file, node);
      running.delete(file);
      const wake = finished;
      finished = () => {};
      wake();
      results.push(r);
      const mark = r.failed ? 'FAIL' : 'ok  ';
      process.stdout.write(`${mark} ${tag(node)}${r.file}  (${r.passed} passed, ${r.failed} failed, ${r.seconds.toFixed(1)}s)\n`);
      if (r.failed) process.stdout.write(r.text.split('\n').map((l) => '    | ' + l).join('\n') + '\n');
    }
  }),
);

rmSync(codeCacheDir, { recursive: true, force: true });
rmSync(testTmp, { recursive: true, force: true, maxRetries: 3 });
const sum = (rs, k) => rs.reduce((a, r) => a + r[k], 0);
if (files.length === 0) process.stdout.write('no test files matched\n');
if (nodes.length > 1) {
  for (const node of nodes) {
    const rs = results.filter((r) => r.node === node);
    process.stdout.write(`${node.label} (v${node.version}): ${sum(rs, 'passed')} passed, ${sum(rs, 'failed')} failed, ${rs.reduce((a, r) => a + r.seconds, 0).toFixed(0)}s in test files\n`);
  }
}
const skipped = sum(results, 'skipped');
process.stdout.write(`${sum(results, 'passed')} passed, ${sum(results, 'failed')} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
process.exit(sum(results, 'failed') > 0 || files.length === 0 ? 1 : 0);
