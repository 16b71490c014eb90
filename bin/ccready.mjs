#!/usr/bin/env -S node --
// Entry point: runs the esbuild bundle (built by `npm install` / `npm run build`).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const bundle = fileURLToPath(new URL('../dist/ccready.mjs', import.meta.url));
if (!existsSync(bundle)) {
  process.stderr.write('ccready: dist/ccready.mjs is missing; run `npm install` (or `npm run build`) first\n');
  process.exit(2);
}
await import(bundle);
