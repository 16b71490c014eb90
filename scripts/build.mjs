// Bundles the CLI into dist/ccready.mjs so that every command starts fast (no TypeScript loader
// at run time). npm packages stay external (installed next to it), but for yaml (below). Each command's
// `import()` in cli/main.ts becomes its own chunk (dist/ccready-*.mjs, beside the entry so that
// `import.meta.url` paths stay the same), so a command loads only its own code.
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { build } from 'esbuild';

// `yaml` is the exception: every `ccready size` parses YAML, and loading its ~70 CommonJS files one by
// one cost more than sizing a config, so it is bundled into the chunk that uses it.
const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const external = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies })
  .filter((name) => name !== 'yaml')
  .flatMap((name) => [name, `${name}/*`]);

const cli = await build({
  metafile: true,
  entryPoints: { ccready: 'cli/main.ts' },
  outdir: 'dist',
  outExtension: { '.js': '.mjs' },
  splitting: true,
  chunkNames: 'ccready-[name]-[hash]',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external,
  // the bundled yaml (CommonJS) requires node:process: give the ES module a `require`
  banner: { js: "import { createRequire as __ccreadyRequire } from 'node:module'; const require = __ccreadyRequire(import.meta.url);" },
  sourcemap: 'linked',
  logLevel: 'warning',
  write: false,
});
// Node 20 only (cli/code-cache.ts): the plain `ccready size` path once more, as one CommonJS file
// that Node 20 compiles with V8's code cache, which it cannot give an ES module.
const sizeCjs = await build({
  entryPoints: ['cli/size-cached.ts'],
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external,
  // a vm.Script cannot import(): each import() becomes a require (only --out reaches them, and
  // cli/size-cached.ts leaves --out to the ESM entry)
  supported: { 'dynamic-import': false },
  // CommonJS has no import.meta: the loader passes the bundle's own URL (same folder as the ESM entry)
  define: { 'import.meta.url': '__importMetaUrl' },
  logLevel: 'warning',
  write: false,
});
if (sizeCjs.warnings.length) throw new Error('build: the CommonJS size bundle has warnings (see above)');
// esbuild escapes every non-ASCII character in code (charset ascii), not in the comments it keeps: one
// `…` in a comment made V8 hold the source, and then the JSON output, as two-byte strings: ~54M more
// instructions writing icds-14lakh-aug2019 (callgrind). Escaped here (inert in a comment).
const sizeCjsText = sizeCjs.outputFiles[0].text.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
if (/\bimport\(|import\.meta/.test(sizeCjsText)) throw new Error('build: the CommonJS size bundle still has import() or import.meta, which a vm.Script cannot run');
// named by its content: the code cache is keyed on this name (a rebuild never meets an old cache)
const sizeCjsName = `ccready-size-${createHash('sha256').update(sizeCjsText).digest('hex').slice(0, 16)}.cjs`;
// CommonJS too: bin/ccready.cjs requires it, and loading an ES module would boot the ES module
// loader, the cost the CommonJS entry avoids
const loader = await build({
  entryPoints: { 'ccready-code-cache': 'cli/code-cache.ts' },
  outdir: 'dist',
  outExtension: { '.js': '.cjs' },
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  define: { CCREADY_SIZE_BUNDLE: JSON.stringify(sizeCjsName), 'import.meta.url': '__ccreadyLoaderUrl' },
  banner: { js: "const __ccreadyLoaderUrl = require('node:url').pathToFileURL(__filename).href;" },
  logLevel: 'warning',
  write: false,
});

// Each file written whole, then renamed into place: a ccready starting while a rebuild runs (the
// first `npx ccready` in a checkout runs `prepare` beside running tests) never reads half a file.
// The CommonJS bundle before the loader that names it.
mkdirSync('dist', { recursive: true });
const outputs = [...cli.outputFiles, { path: `${process.cwd()}/dist/${sizeCjsName}`, contents: Buffer.from(sizeCjsText) }, ...loader.outputFiles];
for (const f of outputs) {
  const partial = `${f.path}.partial-${process.pid}`;
  writeFileSync(partial, f.contents);
  renameSync(partial, f.path);
}

// chunks of an earlier build carry other hashes: removed after the new ones are written, so that a
// ccready already running (a test beside a rebuild) never misses the chunk it is about to load
const fresh = new Set(outputs.map((f) => f.path.replace(/^.*\//, '')));
for (const f of readdirSync('dist')) if (/^ccready-.*\.[mc]js(\.map)?$/.test(f) && !fresh.has(f)) rmSync(`dist/${f}`, { force: true });

// The k6 load script: loadtests/scenarios/*.ts bundled into dist/k6/ccready-load.js (with the
// built-in form templates embedded), so the CLI and users' own k6 find a plain script.
{
  const { register } = await import('tsx/esm/api');
  const unregister = register();
  const { bundleScenarios } = await import('../loadtests/bundle.ts');
  await bundleScenarios();
  await unregister();
}

// Warm the start-up caches once, so that the first `ccready size` after `npm install` starts as
// fast as every later one: Node 20's code cache of the size path (cli/code-cache.ts) and Node 22+'s
// module compile cache are both written after a complete run. Best effort: a failure here changes
// nothing but the first run's speed. NODE_DISABLE_COMPILE_CACHE=1 skips it, as it skips the caches.
if (!process.env.NODE_DISABLE_COMPILE_CACHE) {
  const { spawnSync } = await import('node:child_process');
  spawnSync(process.execPath, ['bin/ccready.cjs', 'size', '--format', 'json'], { stdio: 'ignore', timeout: 30_000 });
}
