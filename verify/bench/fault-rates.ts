// Faults at realistic rates are seen: for every backing service, N full verify runs against the
// stand-in with that service failing a fraction of its calls (default 5 %), counting the runs that
// end NOT READY and those that name the right service first. Loopback only (the stand-in).
// Usage: node --import tsx verify/bench/fault-rates.ts [--runs 20] [--rate 0.05] [--seed 1] [--service NAME]
import { startSim } from '../../fixtures/hq-sim/index.ts';
import { SERVERUP_CHECKS } from '../types.ts';
import { runVerify, likelyAtFault } from '../index.ts';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  const v = i < 0 ? dflt : Number(process.argv[i + 1]);
  if (!Number.isFinite(v)) throw new Error(`--${name}: expected a number`);
  return v;
};
const runs = arg('runs', 20);
const rate = arg('rate', 0.05);
const seed = arg('seed', 1);
const only = process.argv.indexOf('--service') >= 0 ? process.argv[process.argv.indexOf('--service') + 1] : undefined;
if (only !== undefined && !(SERVERUP_CHECKS as readonly string[]).includes(only)) throw new Error(`--service: expected one of ${SERVERUP_CHECKS.join(', ')}`);
const services = SERVERUP_CHECKS.filter((s) => !only || s === only);

const rows: string[] = [];
let allNotReady = 0;
let allNamed = 0;
const started = Date.now();
for (const service of services) {
  const s = await startSim({ users: 2, casesPerUser: 3, pillowDelayMs: 100, seed });
  const target = { url: s.url, domain: s.domain, appId: s.appId, mobile: { ...s.mobile }, web: { ...s.web }, odataConfigId: s.odataConfigIds[s.domain] };
  let notReady = 0;
  let named = 0;
  const misses: string[] = [];
  try {
    s.setFault(service, { mode: 'failing', rate });
    for (let i = 0; i < runs; i++) {
      const r = await runVerify(target, { lagTimeoutMs: 20_000, jobTimeoutMs: 20_000, restoreTimeoutMs: 20_000, pollMs: 100, requestTimeoutMs: 10_000 });
      if (r.decision.verdict === 'NOT READY') notReady++;
      const first = likelyAtFault(r.decision.suspects)[0];
      if (first === service) named++;
      else misses.push(`${r.decision.verdict}${first ? ` (named ${first})` : ''}`);
    }
  } finally {
    await s.stop();
  }
  allNotReady += notReady;
  allNamed += named;
  rows.push(`| ${service} | ${notReady}/${runs} | ${named}/${runs} | ${misses.join('; ') || '—'} |`);
  process.stderr.write(`${service}: NOT READY ${notReady}/${runs}, named ${named}/${runs}\n`);
}
process.stdout.write(
  [
    `failing:${rate} per service, ${runs} full verify runs each, stand-in seed ${seed}, ${((Date.now() - started) / 1000).toFixed(0)} s`,
    '',
    '| service | NOT READY | named first | other outcomes |',
    '|---|---|---|---|',
    ...rows,
    `| all | ${allNotReady}/${runs * services.length} | ${allNamed}/${runs * services.length} | |`,
    '',
  ].join('\n'),
);
