#!/usr/bin/env -S node --
// Entry point: runs the esbuild bundle (built by `npm install` / `npm run build`).
import { existsSync, readFileSync } from 'node:fs';
import module from 'node:module';
import { fileURLToPath } from 'node:url';

// `ccready --version` answers here: loading even the CLI's entry costs more than the answer
if (process.argv.length === 3 && process.argv[2] === '--version') {
  process.stdout.write(`${JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version}\n`);
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

// Node 22.1+ keeps the compiled code of the bundle's chunks between runs (in the OS temp folder;
// NODE_DISABLE_COMPILE_CACHE=1 turns it off): each command then starts without recompiling them.
// Node 20 has no such cache for ES modules: there a plain `ccready size` runs from a CommonJS
// bundle with V8's code cache (cli/code-cache.ts), and everything else goes on as before.
let done = false;
if (typeof module.enableCompileCache === 'function') module.enableCompileCache();
else if (process.argv[2] === 'size' && process.argv[3] !== 'init') {
  const loader = new URL('../dist/ccready-code-cache.mjs', import.meta.url);
  if (existsSync(loader)) done = await (await import(loader.href)).runSizeWithCodeCache(process.argv.slice(2));
}

if (!done) {
  const bundle = fileURLToPath(new URL('../dist/ccready.mjs', import.meta.url));
  if (!existsSync(bundle)) {
    process.stderr.write('ccready: dist/ccready.mjs is missing; run `npm install` (or `npm run build`) first\n');
    process.exit(2);
  }
  await import(bundle);
}
