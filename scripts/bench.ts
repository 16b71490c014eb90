// `npm run bench`: every benchmark of the project, each a ratio against a named peer measured on
// the same machine in the same run. Each capability owns its bench module; this only runs them
// and prints one table. `npm run bench -- sizing` runs only the benches whose name contains it.
import { existsSync, readdirSync } from 'node:fs';
import module from 'node:module';
import { codeCacheDir } from '../cli/code-cache.ts';

interface BenchModule {
  name: string;
  path: string;
  fn: string;
}

const benches: BenchModule[] = [
  { name: 'sizing', path: '../sizing/bench.ts', fn: 'benchSizing' },
  { name: 'hq-sim', path: '../fixtures/hq-sim/bench.ts', fn: 'benchSim' },
  { name: 'load', path: '../loadtests/bench.ts', fn: 'benchLoad' },
];

/**
 * Node 20's code cache of `ccready size` (cli/code-cache.ts), as the sizing start-up rows found it:
 * null on a Node with its own compile cache (module.enableCompileCache), else the cache file of the
 * built bundle for this Node, if there is one.
 */
function sizeCodeCache(): { dir: string | null; file: string | undefined } | null {
  if (typeof (module as { enableCompileCache?: unknown }).enableCompileCache === 'function') return null;
  if (process.env.NODE_DISABLE_COMPILE_CACHE) return { dir: null, file: undefined };
  const dir = codeCacheDir();
  const dist = new URL('../dist/', import.meta.url);
  const bundle = existsSync(dist) ? readdirSync(dist).find((f) => /^ccready-size-.*\.cjs$/.test(f)) : undefined;
  const file = dir && bundle ? readdirSync(dir).find((f) => f.startsWith(bundle.replace(/\.cjs$/, '-')) && f.includes(`-node${process.version}-`)) : undefined;
  return { dir, file };
}

/** What the start-up rows were timed with, in one line. */
function codeCacheLine(before: ReturnType<typeof sizeCodeCache>, after: ReturnType<typeof sizeCodeCache>): string {
  if (!after) return `code cache: Node ${process.version}'s own (module.enableCompileCache)`;
  if (!after.dir) return 'code cache (cli/code-cache.ts): off (NODE_DISABLE_COMPILE_CACHE, or no usable folder): every run was cold';
  if (!after.file) return `code cache (cli/code-cache.ts): none could be kept in ${after.dir}: every run was cold`;
  return `code cache (cli/code-cache.ts): warm, ${after.dir}/${after.file}${before?.file === after.file ? '' : ' (made by the first timed run: that one run was cold)'}`;
}

const only = process.argv.slice(2);
let failed = false;
for (const b of benches) {
  if (only.length && !only.some((o) => b.name.includes(o))) continue;
  const url = new URL(b.path, import.meta.url);
  if (!existsSync(url)) {
    console.log(`## ${b.name}: no benchmark (${b.path} missing)`);
    continue;
  }
  console.log(`## ${b.name}`);
  try {
    const mod = await import(url.href);
    const cacheBefore = b.name === 'sizing' ? sizeCodeCache() : null;
    const rows = await mod[b.fn]();
    console.table(rows);
    if (b.name === 'sizing') {
      // The start-up rows are timed as a user meets `ccready size` after its first run: with the
      // code cache warm. For reference (judged on the rows above, not these), the same with it off.
      const cache = sizeCodeCache();
      console.log(codeCacheLine(cacheBefore, cache));
      if (cache?.file) await coldReference(mod[b.fn]);
    }
  } catch (e) {
    failed = true;
    console.log(`${b.name}: benchmark failed: ${(e as Error).message}`);
  }
}
process.exit(failed ? 1 : 0);

/** The sizing bench once more with the code cache off (NODE_DISABLE_COMPILE_CACHE=1: the normal ESM path, and no compile cache on Node 22+ either); its whole-process rows only, marked as reference. */
async function coldReference(bench: () => Promise<Record<string, unknown>[]>): Promise<void> {
  const log = console.log;
  const tag = '[code cache off, for reference; not judged]';
  process.env.NODE_DISABLE_COMPILE_CACHE = '1';
  console.log = (...args: unknown[]) => log(tag, ...args);
  try {
    const rows = (await bench()).filter((r) => 'cli_ms' in r);
    console.log = log;
    console.log(`## sizing ${tag}`);
    console.table(rows.map((r) => ({ ...r, name: `${r.name} (cache off)`, result: '-' })));
  } finally {
    console.log = log;
    delete process.env.NODE_DISABLE_COMPILE_CACHE;
  }
}
