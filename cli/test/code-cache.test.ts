// Node 20's code cache for `ccready size` (cli/code-cache.ts): a warm, cold, damaged, unusable or
// turned-off cache never changes what ccready prints or its exit code, and a rebuilt bundle never
// runs an old cache. Every run points the cache at a folder of this test
// (CCREADY_CODE_CACHE_DIR, read by cli/code-cache.ts for tests), never the user's real one.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import module from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve('.');
const tmp = mkdtempSync(join(tmpdir(), 'ccready-code-cache-test-'));
const TDH = join(root, 'fixtures/sizing-reference/tdh-test/config.yml');
// Node 22+ has module.enableCompileCache and never uses ccready's own cache
const node20 = typeof (module as { enableCompileCache?: unknown }).enableCompileCache !== 'function';

interface Run { status: number | null; stdout: string; stderr: string }

// the package's "bin" (what npx runs): bin/ccready.cjs
function ccready(args: string[], env: Record<string, string | undefined>, bin = join(root, 'bin/ccready.cjs')): Run {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, NODE_DISABLE_COMPILE_CACHE: undefined, ...env }, timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The same command on the normal ESM path: Node's switch turns the code cache off. */
const normal = (args: string[]) => ccready(args, { NODE_DISABLE_COMPILE_CACHE: '1', CCREADY_CODE_CACHE_DIR: join(tmp, 'never-used') });

let n = 0;
const freshDir = () => join(tmp, `cache-${++n}`);
const cacheFiles = (dir: string) => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.code')) : []);

const COMMANDS = [
  [TDH, '--format', 'json'],
  [TDH],
  [TDH, '--server', '2c/4GB/100GB', '--fail-if-over'], // the verdict fails: exit 1
  [join(root, 'fixtures/sizing-reference/gcc-sangath/config.yml'), '--format', 'json'], // a config the model refuses: exit 2
];

if (node20) {
  test('warm and cold caches give the output and exit code of the normal path', () => {
    for (const args of COMMANDS) {
      const dir = freshDir();
      const want = normal(['size', ...args]);
      const cold = ccready(['size', ...args], { CCREADY_CODE_CACHE_DIR: dir });
      assert.equal(cold, want, `cold: ${args.join(' ')}`);
      const files = cacheFiles(dir);
      // a run that ends in an error writes no cache (it would hold only part of the code)
      if (want.status === 2) {
        assert.equal(files, [], 'no cache after an error');
        continue;
      }
      assert.is(files.length, 1, `one cache after a completed run: ${files}`);
      const before = statSync(join(dir, files[0]!));
      const warm = ccready(['size', ...args], { CCREADY_CODE_CACHE_DIR: dir });
      assert.equal(warm, want, `warm: ${args.join(' ')}`);
      // accepted, not rejected and rewritten (a rewrite renames a new file into place)
      const after = statSync(join(dir, files[0]!));
      assert.is(after.ino, before.ino, 'the warm run used the cache as it was');
      assert.is(after.mtimeMs, before.mtimeMs);
    }
  });

  test('the cache holds the lazily compiled functions too (larger than the bundle\'s top level alone)', () => {
    const dir = freshDir();
    ccready(['size', TDH, '--format', 'json'], { CCREADY_CODE_CACHE_DIR: dir });
    const [file] = cacheFiles(dir);
    // the bundle's top level alone compiles to ~45 KB of cache; the functions a run compiled make it ~200 KB
    assert.ok(statSync(join(dir, file!)).size > 120_000, `cache of ${statSync(join(dir, file!)).size} bytes`);
    // code only: nothing of the config or the output
    const text = readFileSync(join(dir, file!), 'latin1');
    assert.not.ok(text.includes('tdh-test'), 'no config path in the cache');
  });

  test('a damaged or truncated cache changes nothing, prints nothing, and is replaced', () => {
    const args = ['size', TDH, '--format', 'json'];
    const want = normal(args);
    for (const damage of ['flip', 'truncate', 'empty'] as const) {
      const dir = freshDir();
      ccready(args, { CCREADY_CODE_CACHE_DIR: dir });
      const file = join(dir, cacheFiles(dir)[0]!);
      const bytes = readFileSync(file);
      if (damage === 'flip') {
        for (let i = 200; i < bytes.length; i += 997) bytes[i] ^= 0x5a;
        writeFileSync(file, bytes);
      } else truncateSync(file, damage === 'empty' ? 0 : bytes.length >> 1);
      const damaged = statSync(file).ino;
      assert.equal(ccready(args, { CCREADY_CODE_CACHE_DIR: dir }), want, damage);
      assert.is.not(statSync(file).ino, damaged, `${damage}: a good cache replaced it`);
      assert.equal(ccready(args, { CCREADY_CODE_CACHE_DIR: dir }), want, `${damage}, then warm`);
    }
  });

  test('an unusable cache folder changes nothing and prints nothing', () => {
    const args = ['size', TDH, '--format', 'json'];
    const want = normal(args);
    // cannot be made: its parent is a file
    const file = join(tmp, 'a-file');
    writeFileSync(file, 'x');
    assert.equal(ccready(args, { CCREADY_CODE_CACHE_DIR: join(file, 'cache') }), want, 'parent is a file');
    // one that others can write into could hold code planted for us: not used
    const open = freshDir();
    mkdirSync(open);
    chmodSync(open, 0o777);
    assert.equal(ccready(args, { CCREADY_CODE_CACHE_DIR: open }), want, 'world-writable folder');
    assert.equal(cacheFiles(open), []);
    // another user's folder (made here only when the tests run as root, which can hand it over)
    if (process.getuid?.() === 0) {
      const theirs = freshDir();
      mkdirSync(theirs, { mode: 0o700 });
      chownSync(theirs, 65534, 65534);
      assert.equal(ccready(args, { CCREADY_CODE_CACHE_DIR: theirs }), want, "another user's folder");
      assert.equal(cacheFiles(theirs), []);
    }
    // a cache folder that is a file
    assert.equal(ccready(args, { CCREADY_CODE_CACHE_DIR: file }), want, 'a file as the folder');
    assert.is(readFileSync(file, 'utf8'), 'x');
  });

  test('NODE_DISABLE_COMPILE_CACHE=1 turns the cache off: nothing read or written', () => {
    const dir = freshDir();
    const r = ccready(['size', TDH, '--format', 'json'], { CCREADY_CODE_CACHE_DIR: dir, NODE_DISABLE_COMPILE_CACHE: '1' });
    assert.is(r.status, 0, r.stderr);
    assert.not.ok(existsSync(dir), 'no cache folder made');
  });

  test('what the fast path does not take (--out, size init, --help, a typo) runs as before, without a cache', () => {
    for (const args of [['size', TDH, '--out', join(tmp, 'out'), '--no-screenshot'], ['size', '--help'], ['size', '--formt', 'json'], ['size', 'init', '--help']]) {
      const dir = freshDir();
      const got = ccready(args, { CCREADY_CODE_CACHE_DIR: dir });
      const want = normal(args);
      // --out names its run folder with a fresh run id in the report files, not on stdout/stderr
      assert.equal(got, want, args.join(' '));
      assert.equal(cacheFiles(dir), [], args.join(' '));
    }
  });

  test('a changed bundle does not run the old cache, even at the same length', () => {
    // a copy of the installed layout: bin/, dist/, the embedded example, the packages
    const copy = join(tmp, 'copy');
    mkdirSync(join(copy, 'fixtures/sizing'), { recursive: true });
    cpSync(join(root, 'bin'), join(copy, 'bin'), { recursive: true });
    cpSync(join(root, 'dist'), join(copy, 'dist'), { recursive: true });
    cpSync(join(root, 'package.json'), join(copy, 'package.json'));
    cpSync(join(root, 'fixtures/sizing/example.yml'), join(copy, 'fixtures/sizing/example.yml'));
    symlinkSync(join(root, 'node_modules'), join(copy, 'node_modules'));
    const bin = join(copy, 'bin/ccready.cjs');
    const dir = freshDir();
    const args = ['size', TDH, '--format', 'json'];
    const first = ccready(args, { CCREADY_CODE_CACHE_DIR: dir }, bin);
    assert.match(first.stderr, /the usage horizon is only/);
    const old = cacheFiles(dir);
    assert.is(old.length, 1);
    // same length, other code: V8's own check (the source length) would let the old cache through
    const bundle = join(copy, 'dist', readdirSync(join(copy, 'dist')).find((f) => /^ccready-size-.*\.cjs$/.test(f))!);
    const text = readFileSync(bundle, 'latin1');
    assert.ok(text.includes('the usage horizon is only'));
    writeFileSync(bundle, text.replace('the usage horizon is only', 'THE USAGE HORIZON IS ONLY'), 'latin1');
    const changed = ccready(args, { CCREADY_CODE_CACHE_DIR: dir }, bin);
    assert.is(changed.status, 0, changed.stderr);
    assert.match(changed.stderr, /THE USAGE HORIZON IS ONLY/);
    assert.equal(changed.stdout, first.stdout);
    // the new bundle's cache replaced the old one
    const now = cacheFiles(dir);
    assert.is(now.length, 1);
    assert.is.not(now[0], old[0]);
  });
} else {
  test('Node 22+: Node\'s own compile cache; ccready writes none of its own and prints the same', () => {
    const dir = freshDir();
    const args = ['size', TDH, '--format', 'json'];
    assert.equal(ccready(args, { CCREADY_CODE_CACHE_DIR: dir }), normal(args));
    assert.not.ok(existsSync(dir));
  });
}

test.after(() => rmSync(tmp, { recursive: true, force: true }));
test('the build warms the start-up cache, so the first `ccready size` after npm install is not the cold one', () => {
  // ccready's own cache is Node 20's; on Node 22+ the same warm-up run fills Node's module compile
  // cache, which this test cannot tell apart from the build's own entries (NODE_COMPILE_CACHE also
  // caches the build script), so there only the switch-off is checked.
  const codeDir = freshDir();
  const r = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: root, encoding: 'utf8', env: { ...process.env, NODE_DISABLE_COMPILE_CACHE: undefined, CCREADY_CODE_CACHE_DIR: codeDir }, timeout: 120_000 });
  assert.is(r.status, 0, r.stderr);
  if (node20) assert.is(cacheFiles(codeDir).length, 1, 'no code cache after the build');
  // with the caches turned off, the build writes none
  const off = freshDir();
  const r2 = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: root, encoding: 'utf8', env: { ...process.env, NODE_DISABLE_COMPILE_CACHE: '1', CCREADY_CODE_CACHE_DIR: off }, timeout: 120_000 });
  assert.is(r2.status, 0, r2.stderr);
  assert.is(cacheFiles(off).length, 0);
});

test.run();
