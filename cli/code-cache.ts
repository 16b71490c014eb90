// Node 20's stand-in for `module.enableCompileCache()` (Node 22+, bin/ccready.cjs), for the one
// command whose start-up has a target: a plain `ccready size …`. Built into dist/ccready-code-cache.cjs
// (CommonJS, required by bin/ccready.cjs).
//
// Why: most of a cold `ccready size` is V8 parsing and compiling the functions it runs, lazily,
// one by one. Node 20 cannot give an ES module a code cache, so the size path is also built as one
// CommonJS file (dist/ccready-size-<hash>.cjs, entry cli/size-cached.ts) and compiled here with
// vm.Script. After a run, `script.createCachedData()` holds the bytecode of every function compiled
// so far — the lazily compiled ones too — and the next run starts from it instead of parsing.
// Measured on icds-14lakh-aug2019 --format json: ~60M fewer instructions (callgrind) and ~30 ms
// less wall time (docs/sizing.md, start-up).
//
// Safety: the cache holds code only (no argument, config or output). It lives in the OS temp folder
// like Node's own, in a folder of this user's that nobody else can write (anything else: not used),
// under a name made of the bundle's content hash, its size and time, the Node version and the V8
// flags, so a rebuild or another Node never reads an old one; V8 also checks the flags and the
// source length, and with --verify-snapshot-checksum a checksum (without it a damaged cache crashed
// V8). It is written whole, then renamed into place, only after a run that completed. A missing,
// damaged, rejected or unwritable cache never changes the output or exit code and prints nothing.
// NODE_DISABLE_COMPILE_CACHE (Node's switch for its own cache) turns this one off as well.
import { lstatSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, closeSync, fstatSync, unlinkSync, writeFileSync, accessSync, constants } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { Script } from 'node:vm';
import { SIZE_V8_FLAGS, setSizeV8Flags } from './v8-flags.ts';

/** The CommonJS size bundle's file name in dist/, set by scripts/build.mjs (esbuild `define`). */
declare const CCREADY_SIZE_BUNDLE: string;

/** What cli/size-cached.ts exports. */
interface SizeBundle {
  run(argv: string[]): Promise<boolean>;
  exitWhenFlushed(): void;
}

/** V8 checks a code cache's checksum only with this flag: without it, a damaged cache crashed the process. */
const CHECKSUM_FLAG = '--verify-snapshot-checksum';

/**
 * Runs a plain `ccready size …` from the code-cached CommonJS bundle. False, with nothing done or
 * printed, when the ESM entry must run it: the cache is turned off or cannot be kept, or the
 * command line is not one the fast path reads (help, unknown flags, --out, …).
 */
export async function runSizeWithCodeCache(argv: string[]): Promise<boolean> {
  if (process.env.NODE_DISABLE_COMPILE_CACHE) return false;
  // --out goes to the ESM entry anyway (cli/size-cached.ts): not worth compiling the bundle for
  if (argv.some((a) => a === '--out' || a.startsWith('--out='))) return false;
  const dir = codeCacheDir();
  if (dir === null) return false;
  const bundle = join(dirname(fileURLToPath(import.meta.url)), CCREADY_SIZE_BUNDLE);
  let source: string;
  let file: string;
  try {
    const fd = openSync(bundle, 'r');
    try {
      const st = fstatSync(fd);
      // ASCII (scripts/build.mjs checks): latin1 is exact and gives V8 a one-byte source
      source = readFileSync(fd, 'latin1');
      file = join(dir, `${CCREADY_SIZE_BUNDLE.replace(/\.cjs$/, '')}-${st.size}-${Math.trunc(st.mtimeMs)}${cacheSuffix()}`);
    } finally {
      closeSync(fd);
    }
  } catch {
    return false;
  }
  let cached: Buffer | undefined;
  try {
    cached = readFileSync(file);
  } catch {
    // none yet: made at the end of this run, if it can be
    if (!writable(dir)) return false;
  }
  // before compiling: V8 accepts a cache only under the flags it was made with
  setSizeV8Flags();
  setFlagsFromString(CHECKSUM_FLAG);
  let script: Script;
  let size: SizeBundle;
  try {
    // the CommonJS wrapper, with import.meta.url (scripts/build.mjs defines it) as one more parameter
    script = new Script(`(function (exports, require, module, __filename, __dirname, __importMetaUrl) {${source}\n})`, { filename: bundle, cachedData: cached });
    const mod = { exports: {} as Partial<SizeBundle> };
    script.runInThisContext()(mod.exports, createRequire(bundle), mod, bundle, dirname(bundle), pathToFileURL(bundle).href);
    if (typeof mod.exports.run !== 'function' || typeof mod.exports.exitWhenFlushed !== 'function') return false;
    size = mod.exports as SizeBundle;
  } catch {
    return false; // nothing has run yet: the ESM entry does the work
  }
  if (!(await size.run(argv))) return false;
  if (!cached || script.cachedDataRejected) writeCache(dir, file, script.createCachedData());
  // the command is over and its cache kept: end as the ESM entry ends a plain size (cli/exit.ts),
  // with the bundle's own exit, which knows which of its writes wait in Node's streams
  size.exitWhenFlushed();
  return true;
}

/** The cache folder, made if missing; null when it is not this user's alone (then no cache is read or written). Also read by the bench (scripts/bench.ts). */
export function codeCacheDir(): string | null {
  const uid = process.getuid?.();
  // CCREADY_CODE_CACHE_DIR: for tests, which must not touch the user's real cache
  const dir = process.env.CCREADY_CODE_CACHE_DIR || join(tmpdir(), uid === undefined ? 'ccready-compile-cache' : `ccready-compile-cache-${uid}`);
  try {
    let st = lstatSync(dir, { throwIfNoEntry: false });
    if (!st) {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      st = lstatSync(dir);
    }
    // someone else's folder, or one others can write into, could hold code planted for us to run
    if (!st.isDirectory() || (uid !== undefined && (st.uid !== uid || (st.mode & 0o022) !== 0))) return null;
    return dir;
  } catch {
    return null; // read-only or full temp folder
  }
}

function writable(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** What a cache's name ends with on this Node, with these flags. */
function cacheSuffix(): string {
  const flags = JSON.stringify([SIZE_V8_FLAGS, CHECKSUM_FLAG, process.execArgv, process.env.NODE_OPTIONS ?? '']);
  return `-node${process.version}-${process.arch}-${fnv1a(flags)}.code`;
}

/** A short hash of the flags in the name (V8 checks the flags itself; this only keeps two flag sets from overwriting each other's cache). */
function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}

/** Written whole, then renamed: a run starting meanwhile reads the old file or the new one, never half of one. */
function writeCache(dir: string, file: string, data: Buffer): void {
  const partial = `${file}.partial-${process.pid}`;
  try {
    writeFileSync(partial, data, { mode: 0o600 });
    renameSync(partial, file);
  } catch {
    try {
      unlinkSync(partial);
    } catch {}
    return;
  }
  // the caches of earlier builds of the bundle, on this Node with these flags, are of no use any more
  const suffix = cacheSuffix();
  try {
    for (const f of readdirSync(dir)) {
      if (f.startsWith('ccready-size-') && f.endsWith(suffix) && join(dir, f) !== file) unlinkSync(join(dir, f));
    }
  } catch {}
}
