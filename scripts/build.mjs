// Bundles the CLI into dist/ccready.mjs so that every command starts fast (no TypeScript loader
// at run time). npm packages stay external (installed next to it), but for yaml (below). Each command's
// `import()` in cli/main.ts becomes its own chunk (dist/ccready-*.mjs, beside the entry so that
// `import.meta.url` paths stay the same), so a command loads only its own code.
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
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
// Each file written whole, then renamed into place: a ccready starting while a rebuild runs (the
// first `npx ccready` in a checkout runs `prepare` beside running tests) never reads half a file.
mkdirSync('dist', { recursive: true });
for (const f of cli.outputFiles) {
  const partial = `${f.path}.partial-${process.pid}`;
  writeFileSync(partial, f.contents);
  renameSync(partial, f.path);
}

// chunks of an earlier build carry other hashes: removed after the new ones are written, so that a
// ccready already running (a test beside a rebuild) never misses the chunk it is about to load
const fresh = new Set(Object.keys(cli.metafile.outputs).map((p) => p.replace(/^dist\//, '')));
for (const f of readdirSync('dist')) if (/^ccready-.*\.mjs(\.map)?$/.test(f) && !fresh.has(f)) rmSync(`dist/${f}`, { force: true });

// The k6 load script: loadtests/scenarios/*.ts bundled into dist/k6/ccready-load.js (with the
// built-in form templates embedded), so the CLI and users' own k6 find a plain script.
{
  const { register } = await import('tsx/esm/api');
  const unregister = register();
  const { bundleScenarios } = await import('../loadtests/bundle.ts');
  await bundleScenarios();
  await unregister();
}
