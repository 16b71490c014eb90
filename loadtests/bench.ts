// `npm run bench -- load`: how many form submissions per second k6 with ccready's submit scenario
// sustains per CPU core against the stand-in, next to wrk posting the same kind of body (a fresh
// instanceID and case id per request, like ours) — wrk is the HTTP limit of this machine. Both
// run closed-loop with the same number of connections for the same short time; CPU seconds of
// the load generator are read from the shell's `times`, so "per core" is per core it burned.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSim } from '../fixtures/hq-sim/index.ts';
import { ensureBundle } from './bundle.ts';
import { resolveK6 } from './k6bin.ts';
import { defaultPlan, shapeRun } from './plan.ts';
import { buildRunConfig } from './config.ts';
import { builtinTemplates } from './templates.ts';
import { parseAckLog } from './audit.ts';
import { ACK_PREFIX } from './contract.ts';
import { K6_FILES, k6LogArgs } from './k6log.ts';

const SECONDS = Number(process.env.CCREADY_BENCH_SECONDS ?? 8);
const ROUNDS = Number(process.env.CCREADY_BENCH_ROUNDS ?? 4);
const CONNECTIONS = 16;

/**
 * The submit scenario without and with the carrier of the acknowledged form ids: one raw line per
 * form in k6's console file, as `load run` writes it and as a k8s runner pod writes it to its
 * results claim (loadtests/k6log.ts); and, for reference, the same line in k6's JSON log, the
 * carrier of ccready before 2026-11-30. `args` gives k6 the files in `work`, `carried` reads
 * them back.
 */
interface Carrier {
  name: string;
  logAcks: boolean;
  args: (work: string) => string[];
  carried?: (work: string) => string;
}
const CARRIERS: Carrier[] = [
  { name: 'no ack ids', logAcks: false, args: () => ['--log-output', 'none'] },
  {
    name: 'ack line, raw console file, as load run and the k8s pods', logAcks: true,
    args: (work) => k6LogArgs(join(work, K6_FILES.console), join(work, K6_FILES.errors)), carried: (work) => join(work, K6_FILES.console),
  },
  {
    name: 'ack line in a JSON log, before 2026-11-30, reference', logAcks: true,
    args: (work) => ['--log-output', `file=${join(work, K6_FILES.legacyLog)}`, '--log-format', 'json'], carried: (work) => join(work, K6_FILES.legacyLog),
  },
];
const MICRO_ITERATIONS = 100_000;

interface Measured {
  tool: string;
  forms: number;
  /** forms the stand-in actually stored during the run (proof they were real submissions) */
  stored: number;
  seconds: number;
  cpuSeconds: number;
  errors: number;
}

/** Runs a command under `sh`, returning its output and the CPU seconds its children used. */
function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ stdout: string; cpu: number; code: number | null }> {
  const quoted = [cmd, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  return new Promise((resolve) => {
    const child = spawn('sh', ['-c', `${quoted}; rc=$?; times >&2; exit $rc`], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), (SECONDS + 60) * 1000);
    child.on('close', (code) => {
      clearTimeout(timer);
      // `times` prints two lines: the shell's own, then its children's user and system time.
      const lines = stderr.trim().split('\n').slice(-2);
      const secs = (s: string) => [...s.matchAll(/(\d+)m([\d.]+)s/g)].reduce((a, m) => a + Number(m[1]) * 60 + Number(m[2]), 0);
      resolve({ stdout, cpu: secs(lines[1] ?? ''), code });
    });
  });
}

function wrkScript(path: string, auth: string, body: string): string {
  // Same placeholders as k6 fills: a fresh instanceID and case id each request.
  const lua = (s: string) => s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
  const filled = body.replace(/\{\{(time_start|time_end|date_modified)\}\}/g, new Date().toISOString()).replace(/\{\{today\}\}/g, new Date().toISOString().slice(0, 10))
    .replace(/\{\{(user_id|username|device_id|run_id)\}\}/g, 'bench');
  const [head, rest] = filled.split('{{instance_id}}');
  const [a, b] = head.split('{{new_case_id:0}}');
  return `local n = 0
local thread_id = math.random(1, 1e9)
wrk.method = "POST"
wrk.headers["Authorization"] = "${auth}"
wrk.headers["Content-Type"] = "text/xml"
wrk.headers["X-OpenRosa-Version"] = "3.0"
request = function()
  n = n + 1
  local id = string.format("%08x-0000-4000-8000-%012x", thread_id % 4294967296, n)
  local cid = string.format("%08x-1111-4000-8000-%012x", thread_id % 4294967296, n)
  return wrk.format(nil, "${path}", nil, "${lua(a)}" .. cid .. "${lua(b)}" .. id .. "${lua(rest)}")
end
`;
}

export async function benchLoad(): Promise<Record<string, string | number>[]> {
  const k6 = resolveK6();
  const script = await ensureBundle();
  if (!existsSync('/usr/bin/wrk')) throw new Error('wrk is not installed (npm run setup installs it with apt)');
  const sim = await startSim({ users: CONNECTIONS, casesPerUser: 1, pillowDelayMs: 200 });
  const work = mkdtempSync(join(tmpdir(), 'ccready-bench-'));
  try {
    const results: Measured[] = [];
    const storedForms = () => sim.stats().domains[sim.domain].forms;
    // k6: our submit scenario, closed loop with CONNECTIONS virtual workers, with each way of
    // carrying the acknowledged form ids (for the integrity audit) and without, in alternating
    // rounds so that a busy neighbour on the machine slows every variant alike.
    const runs = new Map<string, Measured[]>();
    for (let round = 0; round < ROUNDS; round++) {
      // Each round starts with another variant: the stand-in keeps every form it stores, and a
      // fixed order would always give the same variant the emptier stand-in.
      for (const v of CARRIERS.map((_, i) => CARRIERS[(i + round) % CARRIERS.length])) {
        const shape = shapeRun({ plan: defaultPlan(), profile: 'smoke', scenario: 'submit', maxDurationS: 600, workers: CONNECTIONS });
        shape.options = { ...shape.options, scenarios: { submit: { executor: 'constant-vus', exec: 'submit', vus: CONNECTIONS, duration: `${SECONDS}s`, gracefulStop: '2s' } }, thresholds: {} };
        const target = { url: sim.url, domain: sim.domain, appId: sim.appId };
        const summaryPath = join(work, 'summary.json');
        const config = buildRunConfig({ runId: 'bench', target, scenario: 'submit', profile: 'smoke', shape, summaryPath, logAcks: v.logAcks });
        writeFileSync(join(work, 'config.json'), JSON.stringify(config));
        const users = sim.users.filter((u) => u.domain === sim.domain).map((u) => ({ username: u.username, password: u.password, userId: u.userId }));
        writeFileSync(join(work, 'users.json'), JSON.stringify(users), { mode: 0o600 });
        const env: NodeJS.ProcessEnv = { ...process.env, CCREADY_CONFIG: join(work, 'config.json'), CCREADY_USERS_FILE: join(work, 'users.json'), K6_NO_USAGE_REPORT: 'true' };
        const s0 = storedForms();
        const r = await timed(k6.path, ['run', '--quiet', '--no-usage-report', '--address', '127.0.0.1:0', ...v.args(work), script], env);
        const data = JSON.parse(readFileSync(summaryPath, 'utf8')) as { metrics: Record<string, { values: Record<string, number> }>; state: { testRunDurationMs: number } };
        const forms = data.metrics.ccready_forms_acked?.values.count ?? 0;
        // The carrier must carry every acknowledged form, or its cost is not worth measuring.
        if (v.carried) {
          const carried = parseAckLog(readFileSync(v.carried(work), 'utf8')).length;
          if (carried !== forms) throw new Error(`${v.name}: carried ${carried} form ids for ${forms} acknowledged forms`);
          for (const f of Object.values(K6_FILES)) rmSync(join(work, f), { force: true });
        }
        const m = { tool: `k6 ${k6.version} (ccready submit scenario, ${v.name})`, forms, stored: storedForms() - s0, seconds: data.state.testRunDurationMs / 1000, cpuSeconds: r.cpu, errors: data.metrics.ccready_forms_rejected?.values.count ?? 0 };
        runs.set(v.name, [...(runs.get(v.name) ?? []), m]);
      }
    }
    // Per variant all rounds pooled: forms and CPU seconds summed.
    for (const v of CARRIERS) {
      const all = runs.get(v.name)!;
      const sum = (f: (m: Measured) => number) => all.reduce((a, m) => a + f(m), 0);
      results.push({ ...all[0], tool: `${all[0].tool}, ${ROUNDS} rounds`, forms: sum((m) => m.forms), stored: sum((m) => m.stored), seconds: sum((m) => m.seconds), cpuSeconds: sum((m) => m.cpuSeconds), errors: sum((m) => m.errors) });
    }
    // The line alone, without HTTP around it, written as forms.ts writes it (one id: HQ's form id
    // is the instanceID), and the old JSON line for reference: k6 CPU per line over
    // MICRO_ITERATIONS iterations against the same loop without it. Steadier than the rounds
    // above, which are at the mercy of the machine's other work.
    const LINES = {
      raw: { line: "console.log(`" + ACK_PREFIX + " ${id}`);", args: CARRIERS[1].args, carried: CARRIERS[1].carried! },
      json: { line: "console.log(`" + ACK_PREFIX + " ${id} ${id} vu${vu ??= exec.vu.idInTest}`);", args: CARRIERS[2].args, carried: CARRIERS[2].carried! },
    };
    const micro = async (kind: keyof typeof LINES | 'none') => {
      const js = `import exec from 'k6/execution';
import { Counter } from 'k6/metrics';
const acked = new Counter('ccready_forms_acked');
export const options = { scenarios: { s: { executor: 'shared-iterations', vus: 4, iterations: ${MICRO_ITERATIONS}, maxDuration: '300s' } } };
let vu;
export default function () {
  const id = crypto.randomUUID();
  acked.add(1);
  ${kind === 'none' ? '' : LINES[kind].line}
}
`;
      writeFileSync(join(work, 'micro.js'), js);
      const args = kind === 'none' ? ['--log-output', 'none'] : LINES[kind].args(work);
      const r = await timed(k6.path, ['run', '--quiet', '--no-usage-report', '--address', '127.0.0.1:0', ...args, join(work, 'micro.js')], process.env);
      if (kind !== 'none' && parseAckLog(readFileSync(LINES[kind].carried(work), 'utf8')).length !== MICRO_ITERATIONS) throw new Error(`micro bench (${kind}): lines lost`);
      for (const f of Object.values(K6_FILES)) rmSync(join(work, f), { force: true });
      return r.cpu;
    };
    const lineCpu = { raw: 0, json: 0 };
    for (let round = 0; round < ROUNDS; round++) {
      const none = await micro('none');
      lineCpu.raw += (await micro('raw')) - none;
      lineCpu.json += (await micro('json')) - none;
    }
    const microLineUs = { raw: (lineCpu.raw / ROUNDS / MICRO_ITERATIONS) * 1e6, json: (lineCpu.json / ROUNDS / MICRO_ITERATIONS) * 1e6 };
    // k6 with a bare script (one POST of a pre-filled form, no checks or metrics): what k6 itself
    // costs per request, to tell scenario overhead from k6's own.
    {
      const u = sim.users[0];
      const auth = `Basic ${Buffer.from(`${u.username}:${u.password}`).toString('base64')}`;
      const body = builtinTemplates()[2].xml.replace(/\{\{[a-z_:0-9]+\}\}/g, 'bench');
      const bare = `import http from 'k6/http';
export const options = { scenarios: { s: { executor: 'constant-vus', vus: ${CONNECTIONS}, duration: '${SECONDS}s', gracefulStop: '2s' } } };
const body = ${JSON.stringify(body)};
const params = { headers: { Authorization: ${JSON.stringify(auth)}, 'Content-Type': 'text/xml', 'X-OpenRosa-Version': '3.0' } };
export default function () { http.post(${JSON.stringify(`${sim.url}/a/${sim.domain}/receiver/secure/${sim.appId}/`)}, body, params); }
export function handleSummary(d) { return { ${JSON.stringify(join(work, 'bare.json'))}: JSON.stringify(d) }; }
`;
      writeFileSync(join(work, 'bare.js'), bare);
      const r = await timed(k6.path, ['run', '--quiet', '--no-usage-report', '--address', '127.0.0.1:0', '--log-output', 'none', join(work, 'bare.js')], process.env);
      const data = JSON.parse(readFileSync(join(work, 'bare.json'), 'utf8')) as { metrics: Record<string, { values: Record<string, number> }>; state: { testRunDurationMs: number } };
      const reqs = data.metrics.http_reqs?.values.count ?? 0;
      const failed = Math.round((data.metrics.http_req_failed?.values.rate ?? 0) * reqs);
      results.push({ tool: `k6 ${k6.version} (bare POST script, for reference)`, forms: reqs - failed, stored: 0, seconds: data.state.testRunDurationMs / 1000, cpuSeconds: r.cpu, errors: failed });
    }
    // wrk: the same form shape, fresh ids, same connections and duration, one thread.
    {
      const u = sim.users[1] ?? sim.users[0];
      const auth = `Basic ${Buffer.from(`${u.username}:${u.password}`).toString('base64')}`;
      const reg = builtinTemplates()[0];
      const path = `/a/${sim.domain}/receiver/secure/${sim.appId}/`;
      writeFileSync(join(work, 'post.lua'), wrkScript(path, auth, reg.xml));
      const s0 = storedForms();
      const r = await timed('/usr/bin/wrk', ['-t1', `-c${CONNECTIONS}`, `-d${SECONDS}s`, '-s', join(work, 'post.lua'), sim.url], process.env);
      const reqs = Number(/(\d+) requests in ([\d.]+)s/.exec(r.stdout)?.[1] ?? 0);
      const secs = Number(/requests in ([\d.]+)s/.exec(r.stdout)?.[1] ?? SECONDS);
      const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(r.stdout)?.[1] ?? 0);
      results.push({ tool: 'wrk (same form, fresh ids)', forms: reqs - non2xx, stored: storedForms() - s0, seconds: secs, cpuSeconds: r.cpu, errors: non2xx });
    }
    const rows = results.map((m) => ({
      tool: m.tool,
      'forms/s': Number((m.forms / m.seconds).toFixed(1)),
      'generator CPU cores': Number((m.cpuSeconds / m.seconds).toFixed(2)),
      'forms/s per core': Number((m.forms / Math.max(m.cpuSeconds, 0.01)).toFixed(1)),
      errors: m.errors,
      'stored by stand-in': m.stored,
    }));
    const k = rows[0];
    const w = rows[rows.length - 1];
    rows.push({
      tool: 'ratio k6 / wrk',
      'forms/s': Number((k['forms/s'] / w['forms/s']).toFixed(3)),
      'generator CPU cores': Number((k['generator CPU cores'] / w['generator CPU cores']).toFixed(3)),
      'forms/s per core': Number((k['forms/s per core'] / w['forms/s per core']).toFixed(3)),
      errors: 0,
      'stored by stand-in': 0,
    });
    // What each carrier costs: the share of forms per core lost against its own baseline (the
    // issue's budget is 10 %).
    // The spread of the same figure round by round (each against its own round's run without ids)
    // goes into the row's name: on a shared machine it says how far to trust the pooled figure.
    const cost = (withIds: number, without: number, tool: string) => {
      const c = 1 - (rows[withIds]['forms/s per core'] as number) / (rows[without]['forms/s per core'] as number);
      const perCore = (m: Measured) => m.forms / Math.max(m.cpuSeconds, 0.01);
      const base = runs.get(CARRIERS[without].name)!;
      const each = runs.get(CARRIERS[withIds].name)!.map((m, r) => (1 - perCore(m) / perCore(base[r])) * 100);
      const spread = `pooled rounds; each round ${Math.min(...each).toFixed(1)} to ${Math.max(...each).toFixed(1)}`;
      rows.push({ tool: `${tool} (${spread})`, 'forms/s': 0, 'generator CPU cores': 0, 'forms/s per core': Number((c * 100).toFixed(1)), errors: 0, 'stored by stand-in': 0 });
    };
    cost(1, 0, 'cost of the ack line (raw console file), % of forms per core');
    cost(2, 0, 'cost of the ack line in a JSON log (reference), % of forms per core');
    // The line's own CPU against the scenario's CPU per form (the budget is 10 %).
    const formUs = 1e6 / (rows[0]['forms/s per core'] as number);
    const alone = (us: number, what: string) => rows.push({ tool: `${what} alone: µs CPU per line / per form (${Math.round(formUs)} µs), %`, 'forms/s': Number(us.toFixed(2)), 'generator CPU cores': 0, 'forms/s per core': Number((us / formUs * 100).toFixed(2)), errors: 0, 'stored by stand-in': 0 });
    alone(microLineUs.raw, 'ack line (raw console file)');
    alone(microLineUs.json, 'ack line in a JSON log (reference)');
    return rows;
  } finally {
    rmSync(work, { recursive: true, force: true });
    await sim.stop();
  }
}
