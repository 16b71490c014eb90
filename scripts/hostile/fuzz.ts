// The hostile run's fuzzing half: seeded mutated sizing configs (in process, and a few through the
// CLI as a user types them) and seeded hostile HTTP payloads against the stand-in in its own process.
// Each counts inputs tried, crashes and hangs; the generators are the fuzz tests' own.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CcreadyError } from '../../common/errors.ts';
import { DEFAULT_SERVER } from '../../common/server-spec.ts';
import { prng } from '../../fixtures/hq-sim/seed.ts';
import { FUZZ_STATUSES, payloadFuzzer } from '../../fixtures/hq-sim/test/fuzz-payloads.ts';
import { basic, http, startChildSim, within } from '../../fixtures/hq-sim/test/helpers.ts';
import { computeVerdict, parseSizingConfig, runModel } from '../../sizing/index.ts';
import { fuzzBases, mutate } from '../../sizing/test/fuzz-configs.ts';
import { runCli } from '../../common/test/run-cli.ts';

export interface Figures {
  what: string;
  inputs: number;
  crashes: number;
  hangs: number;
  falseReady: number;
  lostUndetected: number;
  /** One line per problem found, naming the seed and case so it can be replayed. */
  problems: string[];
}

/** A Node stack frame in what a user sees: never acceptable (CCREADY_DEBUG is not set). */
export const STACK_TRACE = /\n\s+at \S.*:\d+:\d+\)?\s*(\n|$)/;

/** How long one config may take before it counts as a hang (the fuzz test's bound). */
const CONFIG_BOUND_MS = 5000;

export async function fuzzConfigs(o: { seed: number; cases: number; viaCli: number }): Promise<Figures> {
  const f: Figures = { what: `sizing configs (seed ${o.seed})`, inputs: 0, crashes: 0, hangs: 0, falseReady: 0, lostUndetected: 0, problems: [] };
  const bases = fuzzBases();
  const r = prng(o.seed);
  const dir = mkdtempSync(join(tmpdir(), 'ccready-hostile-cfg-'));
  try {
    for (let c = 0; c < o.cases; c++) {
      const { text, how } = mutate(bases[c % bases.length]!, r);
      const label = `config case ${c} (seed ${o.seed}: ${how.join(', ')})`;
      f.inputs++;
      const t0 = performance.now();
      try {
        const result = runModel(parseSizingConfig(text, 'fuzz.yml'));
        for (const s of result.sets) computeVerdict(result, DEFAULT_SERVER, { set: s.name });
      } catch (e) {
        // Expected: one line naming what to fix (exit 2). Anything else is a crash.
        if (!(e instanceof CcreadyError) || e.exitCode !== 2 || /\n/.test(e.message)) {
          f.crashes++;
          f.problems.push(`${label}: ${e instanceof CcreadyError ? `exit ${e.exitCode}: ${e.message.split('\n')[0]}` : `internal error: ${(e as Error)?.message ?? e}`}`);
        }
      }
      const ms = performance.now() - t0;
      if (ms > CONFIG_BOUND_MS) {
        f.hangs++;
        f.problems.push(`${label}: took ${ms.toFixed(0)} ms (bound ${CONFIG_BOUND_MS})`);
      }
      // The first few also as a user runs them: `ccready size FILE`, whole output checked.
      if (c < o.viaCli) {
        const file = join(dir, `case${c}.yml`);
        writeFileSync(file, text);
        const out = await runCli(['size', file, '--out', join(dir, `out${c}`)], { timeoutMs: 60_000 });
        const all = out.stdout + out.stderr;
        if (out.code === null) {
          f.hangs++;
          f.problems.push(`${label} via the CLI: no exit within 60 s`);
        } else if (out.code !== 0 && out.code !== 2) {
          f.crashes++;
          f.problems.push(`${label} via the CLI: exit ${out.code}: ${out.stderr.trim().split('\n')[0]}`);
        } else if (STACK_TRACE.test(all) || (out.code === 2 && out.stderr.trim().split('\n').length !== 1)) {
          f.crashes++;
          f.problems.push(`${label} via the CLI: a stack trace or a multi-line error: ${out.stderr.trim().slice(0, 200)}`);
        }
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return f;
}

/** The stand-in answers every hostile request within this bound (the fuzz test's). */
const REQUEST_BOUND_MS = 5000;
const CONCURRENCY = 16;

export async function fuzzPayloads(o: { seed: number; payloads: number }): Promise<Figures> {
  const f: Figures = { what: `HTTP payloads to the stand-in (seed ${o.seed})`, inputs: 0, crashes: 0, hangs: 0, falseReady: 0, lostUndetected: 0, problems: [] };
  const sim = await startChildSim({ users: 2, casesPerUser: 3, maxBodyBytes: 2 * 1024 * 1024, pillowDelayMs: 0 });
  try {
    const next = payloadFuzzer(o.seed, { auth: basic(sim.mobile.username, sim.mobile.password), web: basic(sim.web.username, sim.web.password) });
    let jobs: Promise<void>[] = [];
    for (let i = 0; i < o.payloads; i++) {
      const q = next(i);
      const label = `payload ${i} (seed ${o.seed}): ${q.method} ${q.path.slice(0, 80)}`;
      f.inputs++;
      jobs.push(
        within(http(`${sim.url}${q.path}`, { method: q.method, body: q.body, headers: q.headers }), REQUEST_BOUND_MS, label).then(
          (r) => {
            if (!FUZZ_STATUSES.has(r.status)) {
              f.crashes++;
              f.problems.push(`${label}: answered ${r.status}, outside HQ's set`);
            }
          },
          (e: Error) => {
            // `within` rejects on its bound (a hang); any other rejection is a dropped connection.
            if (/no answer within/.test(e.message)) f.hangs++;
            else f.crashes++;
            f.problems.push(`${label}: ${e.message}`);
          },
        ),
      );
      if (jobs.length >= CONCURRENCY) {
        await Promise.all(jobs);
        jobs = [];
      }
    }
    await Promise.all(jobs);
    const stats = (await http(`${sim.url}/__sim/stats`, { headers: { authorization: `Bearer ${sim.token}` } })).json<{ handlerErrors: number }>();
    if (stats.handlerErrors) {
      f.crashes += stats.handlerErrors;
      f.problems.push(`the stand-in's handlers threw ${stats.handlerErrors} time(s)`);
    }
  } catch (e) {
    f.crashes++;
    f.problems.push(`the stand-in stopped answering: ${(e as Error).message}`);
  } finally {
    await sim.stop();
  }
  return f;
}
