// `npm run bench`: every benchmark of the project, each a ratio against a named peer measured on
// the same machine in the same run. Each capability owns its bench module; this only runs them
// and prints one table. `npm run bench -- sizing` runs only the benches whose name contains it.
import { existsSync } from 'node:fs';

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
    const rows = await mod[b.fn]();
    console.table(rows);
  } catch (e) {
    failed = true;
    console.log(`${b.name}: benchmark failed: ${(e as Error).message}`);
  }
}
process.exit(failed ? 1 : 0);
