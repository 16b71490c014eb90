// The k6 side: the scenarios type-check against @types/k6 under their own tsconfig, bundle into a
// plain script whose only imports are k6's, and every profile × scenario gives options k6 accepts.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleScenarios } from '../bundle.ts';
import { resolveK6 } from '../k6bin.ts';
import { defaultPlan, shapeRun } from '../plan.ts';
import { buildRunConfig } from '../config.ts';
import { PROFILES, SCENARIOS } from '../contract.ts';

const dir = mkdtempSync(join(tmpdir(), 'ccready-bundle-test-'));
let script = '';

test('the k6 scenarios type-check against @types/k6 (their own tsconfig, no Node types)', () => {
  const r = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'loadtests/scenarios/tsconfig.json'], { encoding: 'utf8' });
  assert.is(r.status, 0, r.stdout + r.stderr);
  const cfg = JSON.parse(readFileSync('loadtests/scenarios/tsconfig.json', 'utf8'));
  assert.equal(cfg.compilerOptions.types, ['k6']);
});

test('bundle: one plain script, only k6 imports, nothing remote, templates embedded', async () => {
  const path = await bundleScenarios(dir);
  script = readFileSync(path, 'utf8');
  const imports = [...script.matchAll(/^import .* from "([^"]+)";$/gm)].map((m) => m[1]);
  assert.ok(imports.length > 0);
  for (const i of imports) assert.ok(i === 'k6' || i.startsWith('k6/'), `import ${i}`);
  assert.not.match(script, /from\s+["']https?:/);
  assert.not.match(script, /require\(/);
  assert.match(script, /ccready-registration/);
  assert.match(script, /\{\{new_case_id:0\}\}/);
  assert.match(script, /export\s*\{[^}]*handleSummary/);
});

test('k6 accepts the options of every profile × scenario, within the duration cap', () => {
  const k6 = resolveK6();
  for (const profile of PROFILES) {
    for (const scenario of SCENARIOS) {
      const shape = shapeRun({ plan: defaultPlan(), profile, scenario, maxDurationS: 900, workers: 2 });
      const cfgPath = join(dir, `${profile}-${scenario}.json`);
      writeFileSync(cfgPath, JSON.stringify(buildRunConfig({ runId: 't', target: { url: 'http://127.0.0.1:9', domain: 'd' }, scenario, profile, shape, summaryPath: join(dir, 's.json'), logAcks: true })));
      const r = spawnSync(k6.path, ['inspect', '--execution-requirements', '-e', `CCREADY_CONFIG=${cfgPath}`, '-e', 'CCHQ_USERNAME=u', '-e', 'CCHQ_PASSWORD=p', join(dir, 'ccready-load.js')], { encoding: 'utf8' });
      assert.is(r.status, 0, `${profile}/${scenario}: ${r.stderr}`);
      const o = JSON.parse(r.stdout) as { totalDuration: string; scenarios: Record<string, { exec: string }> };
      assert.ok(o.scenarios[scenario], `${profile}/${scenario}`);
      const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:([\d.]+)s)?$/.exec(o.totalDuration)!;
      const seconds = Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
      assert.ok(seconds <= 900 + 70, `${profile}/${scenario} lasts ${o.totalDuration}`);
    }
  }
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
