#!/usr/bin/env -S node --
// Entry point (package.json "bin"): runs the esbuild bundle (built by `npm install` / `npm run build`).
// CommonJS on purpose: Node starts a CommonJS entry as fast as `node -e 0`, while an ES module entry
// first boots the ES module loader, ~39M instructions (~6 ms) before any of our code runs
// (callgrind, Node 20). Every command but a plain `ccready size` on Node 20 loads ES modules
// anyway, later; that one runs start to end without them (cli/code-cache.ts).
'use strict';
const { existsSync, readFileSync } = require('node:fs');
const nodeModule = require('node:module');
const { join } = require('node:path');
const { pathToFileURL } = require('node:url');

// `ccready --version` answers here: loading even the CLI's entry costs more than the answer
if (process.argv.length === 3 && process.argv[2] === '--version') {
  process.stdout.write(`${JSON.parse(readFileSync(join(__dirname, '../package.json'), 'utf8')).version}\n`);
  process.exit(0);
}

// Under npm (npx, `npm run ccready --`) the process tree is npm → sh → this node, and stopping npm
// (`kill %1` on a backgrounded `npx ccready sim`) takes the sh with it but never reaches us: the
// stand-in lived on as an orphan. When the process that started us goes away, stop as if sent
// SIGTERM (each command's own handler still writes its report). Outside npm nothing changes.
if (process.env.npm_command) {
  const parent = process.ppid;
  const watch = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(watch);
    process.kill(process.pid, 'SIGTERM');
  }, 500).unref();
}

async function main() {
  // Node 22.1+ keeps the compiled code of the bundle's chunks between runs (in the OS temp folder;
  // NODE_DISABLE_COMPILE_CACHE=1 turns it off): each command then starts without recompiling them.
  // Node 20 has no such cache for ES modules: there a plain `ccready size` runs from a CommonJS
  // bundle with V8's code cache (cli/code-cache.ts), and everything else goes on as before.
  if (typeof nodeModule.enableCompileCache === 'function') nodeModule.enableCompileCache();
  else if (process.argv[2] === 'size' && process.argv[3] !== 'init') {
    const loader = join(__dirname, '../dist/ccready-code-cache.cjs');
    if (existsSync(loader) && (await require(loader).runSizeWithCodeCache(process.argv.slice(2)))) return;
  }
  const bundle = join(__dirname, '../dist/ccready.mjs');
  if (!existsSync(bundle)) {
    process.stderr.write('ccready: dist/ccready.mjs is missing; run `npm install` (or `npm run build`) first\n');
    process.exit(2);
  }
  await import(pathToFileURL(bundle).href);
}

main().catch((err) => {
  // the bundle handles its own errors; this is only a bundle that could not be loaded at all
  process.stderr.write(`ccready: internal error: ${err && err.message ? err.message : err}\n`);
  process.exit(3);
});
