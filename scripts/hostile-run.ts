// The hostile run (issue 10, docs/reliability.md): seeded fuzzed sizing configs and HTTP payloads,
// then verify, gate and load run hit mid-run by signals, kill -9 of the stand-in and kill -9 of k6.
// Loopback only (`ccready sim` on 127.0.0.1), bounded in count and time. Prints the figures and
// exits 1 when any of crashes, hangs, false READY/PASS or forms lost undetected is not 0.
//
//   node --import tsx scripts/hostile-run.ts            # the full run (a few minutes)
//   node --import tsx scripts/hostile-run.ts --quick    # the CI slice (scripts/test/hostile-run.test.ts)
//   options: --seed N (default 20261130), --configs N, --payloads N, --only TEXT (scenarios whose label has TEXT)
import { fuzzConfigs, fuzzPayloads, type Figures } from './hostile/fuzz.ts';
import { label, runScenario, scenarios } from './hostile/scenarios.ts';

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}
function count(name: string, fallback: number): number {
  const v = option(name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) {
    process.stderr.write(`hostile-run: --${name}: expected a whole number, got "${v}"\n`);
    process.exit(2);
  }
  return n;
}

const quick = process.argv.includes('--quick');
const seed = count('seed', 20261130);
const only = option('only');
const started = Date.now();
const rows: Figures[] = [];
const say = (f: Figures) => {
  rows.push(f);
  const bad = f.crashes + f.hangs + f.falseReady + f.lostUndetected;
  process.stdout.write(`${bad ? 'PROBLEM' : 'ok     '} ${f.what}: ${f.inputs} tried, ${f.crashes} crashes, ${f.hangs} hangs, ${f.falseReady} false READY/PASS, ${f.lostUndetected} forms lost undetected\n`);
  for (const p of f.problems) process.stdout.write(`        ${p}\n`);
};

if (!only) {
  say(await fuzzConfigs({ seed, cases: count('configs', quick ? 60 : 400), viaCli: quick ? 2 : 10 }));
  say(await fuzzPayloads({ seed, payloads: count('payloads', quick ? 60 : 300) }));
}
for (const s of scenarios(quick)) {
  if (only && !label(s).includes(only)) continue;
  say(await runScenario(s));
}

const sum = (k: keyof Pick<Figures, 'inputs' | 'crashes' | 'hangs' | 'falseReady' | 'lostUndetected'>) => rows.reduce((a, f) => a + f[k], 0);
const signalRows = rows.filter((f) => !/^(sizing configs|HTTP payloads)/.test(f.what));
process.stdout.write(
  `\nhostile run (seed ${seed}${quick ? ', quick' : ''}) in ${((Date.now() - started) / 1000).toFixed(0)} s: ` +
    `inputs tried ${sum('inputs') - signalRows.length} (configs and payloads) + ${signalRows.length} signal/kill scenarios; ` +
    `crashes ${sum('crashes')}, hangs ${sum('hangs')}, false READY/PASS ${sum('falseReady')}, forms lost undetected ${sum('lostUndetected')}\n`,
);
process.exit(sum('crashes') + sum('hangs') + sum('falseReady') + sum('lostUndetected') ? 1 : 0);
