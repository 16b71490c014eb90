// `ccready size init --from URL` end to end on loopback (issue 16 item 1): against a stand-in
// seeded with 24 months of history, the config's observed months reproduce the seeded users,
// forms and new cases (within 1 %; compared with what the seeding put in, not with the tool's own
// reading); the config loads with the resource model's schema and `ccready size` judges it;
// paging is bounded and resumes after a Ctrl-C without reading a page twice (beyond the one in
// flight), giving the same config.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { createServer, request, type Server, type ServerResponse } from 'node:http';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSim, type RunningSim } from '../../fixtures/hq-sim/index.ts';
import { computeVerdict, parseSizingConfig, runModel } from '../index.ts';
import { DEFAULT_SERVER } from '../../common/server-spec.ts';

const root = new URL('../../', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'ccready-init-from-'));
const WORKERS = 12;
const MONTHS = 24;
let sim: RunningSim;

/** A loopback proxy in front of the stand-in: counts every request path, checks the credentials sent, can hold a request. */
interface Proxy {
  url: string;
  paths: string[];
  auth: Set<string>;
  /** Called with the number of requests so far as each arrives; resolve to let it through. */
  onRequest?: (n: number, res: ServerResponse) => Promise<void> | void;
  close(): Promise<void>;
}
async function proxy(): Promise<Proxy> {
  const p: Proxy = { url: '', paths: [], auth: new Set(), close: async () => undefined };
  const server: Server = createServer(async (req, res) => {
    p.paths.push(req.url!);
    p.auth.add(String(req.headers.authorization).split(' ')[0]!);
    await p.onRequest?.(p.paths.length, res);
    if (res.destroyed) return;
    const up = request(`${sim.url}${req.url}`, { method: req.method, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode!, r.headers);
      r.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  p.url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  p.close = () => (server.closeAllConnections(), new Promise((r) => server.close(() => r())));
  return p;
}

function envFile(): string {
  const path = join(dir, 'sim.env');
  writeFileSync(path, Object.entries(sim.env()).map(([k, v]) => `${k}=${v}`).join('\n'), { mode: 0o600 });
  return path;
}

function cli(args: string[], o: { onStderr?: (text: string, kill: (s: NodeJS.Signals) => void) => void } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'cli/main.ts'), ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => {
    stderr += d;
    o.onStderr?.(stderr, (s) => child.kill(s));
  });
  const killer = setTimeout(() => child.kill('SIGKILL'), 120_000);
  return new Promise((resolve) => child.on('close', (code) => (clearTimeout(killer), resolve({ code, stdout, stderr }))));
}

const init = (p: Proxy, out: string, ...more: string[]) => cli(['size', 'init', '--from', p.url, '--target-env', envFile(), '--out', out, '--page-size', '50', ...more]);

/** The observed table of a written config: month → users, forms, new cases. */
function observed(text: string): Map<string, { users: number; forms: number; newCases: number }> {
  const out = new Map<string, { users: number; forms: number; newCases: number }>();
  for (const m of text.matchAll(/^#\s+(\d{4}-\d{2})\s+(\d+)\s+(\d+)\s+(\d+)\s/gm)) out.set(m[1]!, { users: Number(m[2]), forms: Number(m[3]), newCases: Number(m[4]) });
  return out;
}

const withinOnePercent = (got: number, want: number) => Math.abs(got - want) <= Math.max(0.01 * want, 0);

test.before(async () => {
  sim = await startSim({ users: WORKERS, casesPerUser: 2, history: MONTHS, pillowDelayMs: 0 });
});
test.after(async () => {
  await sim?.stop();
});

let reference = '';

test('the observed months reproduce the seeded history; the config loads and is judged', async () => {
  const p = await proxy();
  const out = join(dir, 'full.yml');
  try {
    const r = await init(p, out);
    assert.is(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^wrote .*full\\.yml: ${MONTHS} months observed`));
    assert.equal([...p.auth], ['ApiKey'], 'the API key is preferred when known');
  } finally {
    await p.close();
  }
  const text = readFileSync(out, 'utf8');
  reference = text;
  const got = observed(text);
  // The seeded truth: worker i joins in month ⌊i·months/n⌋ and submits every month from then on
  // (fixtures/hq-sim/history.ts); forms and opened cases as the seeding put them in the store.
  const d = sim.server.store.domain(sim.domain)!;
  const months = [...new Set(d.formList.map((f) => new Date(f.receivedOn).toISOString().slice(0, 7)))].sort().slice(0, MONTHS);
  assert.is(got.size, MONTHS);
  months.forEach((month, m) => {
    const g = got.get(month);
    assert.ok(g, `month ${month} missing from the config`);
    const users = Array.from({ length: WORKERS }, (_, i) => Math.floor((i * MONTHS) / WORKERS)).filter((j) => j <= m).length;
    const forms = d.formList.filter((f) => new Date(f.receivedOn).toISOString().startsWith(month)).length;
    const opened = [...d.cases.values()].filter((c) => c.dateOpened.startsWith(month)).length;
    assert.ok(withinOnePercent(g!.users, users), `${month} users ${g!.users} vs seeded ${users}`);
    assert.ok(withinOnePercent(g!.forms, forms), `${month} forms ${g!.forms} vs seeded ${forms}`);
    assert.ok(withinOnePercent(g!.newCases, opened), `${month} new cases ${g!.newCases} vs seeded ${opened}`);
  });
  // the resource model's schema (the port of the Python tool's jsonobject classes) reads it, and it sizes
  const result = runModel(parseSizingConfig(text, 'full.yml'));
  const v = computeVerdict(result, DEFAULT_SERVER);
  assert.is(v.horizon.months, 36);
  const lastUsers = got.get(months.at(-1)!)!.users;
  assert.ok(v.limits.find((l) => l.key === 'users')!.peak! >= lastUsers, 'the projection never falls below the last observed month');
  assert.match(text, /# Projection, --months 36 from \d{4}-\d{2}: users: least-squares line/);
  for (const secret of [sim.web.password, sim.web.apiKey]) assert.not.ok(text.includes(secret));
  const s = await cli(['size', out]);
  assert.is(s.code, 0, s.stderr);
  assert.match(s.stdout, /^==================== Verdict \(observed\)/);
});

test('an API key with the web username and no password is enough: only ApiKey is sent', async () => {
  const p = await proxy();
  const out = join(dir, 'key-only.yml');
  const env = join(dir, 'key-only.env');
  const keep = Object.entries(sim.env()).filter(([k]) => k !== 'CCHQ_WEB_PASSWORD');
  writeFileSync(env, keep.map(([k, v]) => `${k}=${v}`).join('\n'), { mode: 0o600 });
  assert.ok(keep.some(([k]) => k === 'CCHQ_API_KEY'), 'the stand-in gives a key');
  try {
    const r = await cli(['size', 'init', '--from', p.url, '--target-env', env, '--out', out, '--page-size', '50', '--max-pages', '3']);
    // bounded after 3 pages (exit 4, no config) — what matters is that the key alone opened the API
    assert.is(r.code, 4, r.stderr);
    assert.not.match(r.stderr, /no web user/);
    assert.equal([...p.auth], ['ApiKey']);
    assert.ok(p.paths.length >= 3, `${p.paths.length} requests`);
  } finally {
    await p.close();
  }
});

test('bounded: --max-pages stops with no config and a cursor; the rerun goes on without reading a page again', async () => {
  const p = await proxy();
  const out = join(dir, 'bounded.yml');
  try {
    const a = await init(p, out, '--max-pages', '5');
    assert.is(a.code, 4, a.stderr);
    assert.match(a.stderr, /stopped at the bound \(5 pages.*\) after 5 pages this run; \d+ of 24 months read; no config written/);
    assert.not.ok(existsSync(out), 'no half-written config');
    assert.ok(existsSync(`${out}.cursor.json`));
    const firstRun = p.paths.length;
    const b = await init(p, out);
    assert.is(b.code, 0, b.stderr);
    assert.match(b.stderr, /going on from .*bounded\.yml\.cursor\.json/);
    assert.ok(p.paths.length > firstRun);
    assert.is(new Set(p.paths).size, p.paths.length, 'no page read twice');
    assert.not.ok(existsSync(`${out}.cursor.json`), 'the cursor goes once the config is written');
  } finally {
    await p.close();
  }
  const strip = (t: string) => t.replace(/^# Sizing config written by .*\n/, '');
  assert.is(strip(readFileSync(out, 'utf8')), strip(reference));
});

test('Ctrl-C mid-paging: exit 130, no config; the rerun resumes from the cursor, at most the page in flight read twice, same config', async () => {
  const p = await proxy();
  const out = join(dir, 'interrupted.yml');
  let interrupt: (() => void) | undefined;
  // the 12th request is held until the process, sent SIGINT, drops it (at most 10 s): a page is surely in flight
  p.onRequest = (n, res) => (n === 12 ? new Promise<void>((r) => (res.once('close', () => r()), setTimeout(r, 10_000), interrupt?.())) : undefined);
  try {
    const a = await cli(['size', 'init', '--from', p.url, '--target-env', envFile(), '--out', out, '--page-size', '50'], {
      onStderr: (_t, kill) => (interrupt ??= () => kill('SIGINT')),
    });
    assert.is(a.code, 130, a.stderr);
    assert.match(a.stderr, /interrupted after \d+ pages this run; \d+ of 24 months read; no config written\. Run the same command again/);
    assert.not.ok(existsSync(out));
    p.onRequest = undefined;
    const b = await init(p, out);
    assert.is(b.code, 0, b.stderr);
    const twice = p.paths.filter((x, i) => p.paths.indexOf(x) !== i);
    assert.ok(twice.length <= 1, `read twice: ${twice.join(', ')}`);
  } finally {
    await p.close();
  }
  const strip = (t: string) => t.replace(/^# Sizing config written by .*\n/, '');
  assert.is(strip(readFileSync(out, 'utf8')), strip(reference));
});

test('bad input: one line naming the flag, exit 2', async () => {
  const r = await cli(['size', 'init', '--from', 'ftp://x', '--domain', 'demo', '--out', join(dir, 'x.yml')]);
  assert.is(r.code, 2);
  assert.match(r.stderr, /^ccready: --from: expected an http\(s\) URL, got "ftp:\/\/x"\n$/);
  const m = await cli(['size', 'init', '--from', sim.url, '--target-env', envFile(), '--months', '0', '--out', join(dir, 'y.yml')]);
  assert.is(m.code, 2);
  assert.match(m.stderr, /--months: expected a whole number of months, 1 to 240, got 0/);
});

test.run();
