// The commands in the README and docs/ run as written on a fresh clone: the README's rehearsal is
// executed for real (the stand-in on loopback, bounded in time), and every ccready command line of
// every shell block uses a form that runs from a clone, with a command and flags ccready knows.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { withRootRehearsal } from './root-lock.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const DOCS = ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

/** The ```sh blocks of a markdown file, as text. */
export function shellBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```(?:sh|bash|shell)\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
}

/** One shell command per entry: continuation lines joined, comments dropped, `;`/`&&` split. */
export function commands(block: string): string[] {
  return block
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .map((l) => l.replace(/(^|\s)#.*$/, '').trim())
    .flatMap((l) => l.split(/\s*(?:;|&&)\s*/))
    .map((c) => c.replace(/\s*&$/, '').replace(/^(?:\w+=\S*\s+)+/, '').trim())
    .filter(Boolean);
}

/** The ccready invocation forms that work in a fresh clone, and the arguments after them. */
const FORMS = [/^npx ccready(?:\s|$)/, /^\.\/bin\/ccready\.mjs(?:\s|$)/, /^npm run ccready -- /];
function ccreadyArgs(cmd: string): string[] | null {
  const form = FORMS.find((f) => f.test(cmd));
  return form ? cmd.replace(form, '').split(/\s+/).filter(Boolean) : null;
}

const helpCache = new Map<string, string>();
function helpOf(path: string[]): string {
  const key = path.join(' ');
  if (!helpCache.has(key)) {
    const r = spawnSync(process.execPath, ['--', join(root, 'bin/ccready.mjs'), ...path, '--help'], { cwd: root, encoding: 'utf8', timeout: 30_000 });
    helpCache.set(key, r.status === 0 ? r.stdout : `(exit ${r.status}) ${r.stderr}`);
  }
  return helpCache.get(key)!;
}

test('every ccready command in the README and docs runs from a clone as written, with known commands and flags', () => {
  const problems: string[] = [];
  let checked = 0;
  for (const file of DOCS) {
    for (const block of shellBlocks(readFileSync(join(root, file), 'utf8'))) {
      for (const cmd of commands(block)) {
        const args = ccreadyArgs(cmd);
        if (!args) {
          if (/^(ccready|node\s+(--\s+)?bin\/ccready\.mjs)\b/.test(cmd)) problems.push(`${file}: "${cmd}": not runnable from a clone; write npx ccready, ./bin/ccready.mjs or npm run ccready --`);
          continue;
        }
        checked++;
        if (cmd.startsWith('npx ') && args.some((a) => a === '--env-file' || a.startsWith('--env-file='))) problems.push(`${file}: "${cmd}": under npx Node takes --env-file itself; write --target-env`);
        const path: string[] = [];
        for (const a of args) {
          if (!/^[a-z][a-z0-9-]*$/.test(a)) break;
          path.push(a);
        }
        // the longest prefix that is a command (`size my-config` stops at `size`)
        while (path.length > 0 && /^\(exit/.test(helpOf(path))) path.pop();
        const help = helpOf(path);
        for (const a of args) {
          const flag = /^(--?[a-zA-Z][\w-]*)/.exec(a)?.[1];
          if (!flag) continue;
          const known = flag.startsWith('--') ? new RegExp(`(^|[\\s,])${flag}([\\s,=]|$)`, 'm') : new RegExp(`(^|\\s)${flag}(,|\\s)`, 'm');
          if (!known.test(help) && !(flag.startsWith('--no-') && help.includes(`--${flag.slice(5)}`))) problems.push(`${file}: "${cmd}": ${flag} is not an option of \`ccready ${path.join(' ')}\``);
        }
      }
    }
  }
  assert.ok(checked >= 20, `only ${checked} ccready commands found in the docs`);
  assert.equal(problems, []);
});

test('README: the set-up line sizes the example (npm install builds the CLI: prepare; npm test is the runner after setup)', () => {
  const first = commands(shellBlocks(readFileSync(join(root, 'README.md'), 'utf8'))[0]!);
  assert.equal(first, ['npm install', 'npx ccready size', 'npm test']);
  // npm install and npm test are what this suite is run by (CI: .ci/run, npm ci + npm test), so
  // they are checked for what they do, not re-run from inside it
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  assert.match(pkg.scripts.prepare, /scripts\/build\.mjs/);
  assert.match(pkg.scripts.test, /scripts\/setup\.mjs.*scripts\/run-tests\.mjs/);
  const r = spawnSync('npx', ['ccready', 'size'], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /FITS on this server through \d{4}-\d\d/);
});

/** Whether something accepts TCP connections on host:port (within a second). */
function listening(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    const done = (v: boolean) => { s.destroy(); resolve(v); };
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
    setTimeout(() => done(false), 1000);
  });
}

test('README: the rehearsal block runs as written (stand-in, verify READY, load PASS, gate READY) and stops the stand-in', async () => {
  const block = shellBlocks(readFileSync(join(root, 'README.md'), 'utf8')).find((b) => b.includes('ccready sim'));
  assert.ok(block, 'README has a rehearsal block starting the stand-in');
  await withRootRehearsal(async () => {
    const envFile = join(root, 'sim.env');
    const kept = `${envFile}.kept-${process.pid}`;
    if (existsSync(envFile)) renameSync(envFile, kept);
    try {
      const child = spawn('bash', ['-e', '-c', block!], { cwd: root, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CI: '1' } });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (out += d));
      const timer = setTimeout(() => { try { process.kill(-child.pid!, 'SIGKILL'); } catch {} }, 300_000);
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      clearTimeout(timer);
      assert.is(code, 0, out.slice(-3000));
      assert.is(out.match(/^READY: every required step passed$/gm)?.length, 2, 'verify and gate both READY');
      assert.match(out, /^PASS: thresholds met, \d+ forms acknowledged, lost 0$/m);
      const url = new URL(/^CCHQ_URL=(.*)$/m.exec(readFileSync(envFile, 'utf8'))![1]!);
      assert.match(url.hostname, /^127\./, 'the stand-in is on loopback');
      // `kill %1` stops npm; the bin notices its parent is gone and stops the stand-in (not an orphan)
      let up = true;
      for (let i = 0; i < 20 && up; i++) {
        up = await listening(url.hostname, Number(url.port));
        if (up) await new Promise((r) => setTimeout(r, 250));
      }
      assert.not.ok(up, `the stand-in still answers on ${url.host} after the block`);
      assert.not.match(out, /password|CCHQ_PASSWORD=/i);
    } finally {
      rmSync(envFile, { force: true });
      if (existsSync(kept)) renameSync(kept, envFile);
    }
  });
});

test.run();
