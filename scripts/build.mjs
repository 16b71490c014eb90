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
// k6 scenario bundles are built by loadtests/ itself (see loadtests/bundle.ts).
