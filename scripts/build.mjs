// Bundles the CLI into dist/ccready.mjs so that every command starts fast (no TypeScript loader
// at run time). npm packages stay external: they are installed next to it.
import { build } from 'esbuild';

await build({
  entryPoints: ['cli/main.ts'],
  outfile: 'dist/ccready.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: 'linked',
  logLevel: 'warning',
});

// The k6 load script: loadtests/scenarios/*.ts bundled into dist/k6/ccready-load.js (with the
// built-in form templates embedded), so the CLI and users' own k6 find a plain script.
{
  const { register } = await import('tsx/esm/api');
  const unregister = register();
  const { bundleScenarios } = await import('../loadtests/bundle.ts');
  await bundleScenarios();
  await unregister();
}
