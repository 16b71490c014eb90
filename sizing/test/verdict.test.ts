// The verdict: the monolith arithmetic, first month crossed, headroom, tiers,
// the active-cases field and what-if flags. Pure: hand-built results and the Python tool's goldens.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../../common/errors.ts';
import { computeVerdict, formatVerdict, limitRows, formatWhatIf, parseVarFlags, tierForUsers, varValue } from '../index.ts';
import { DEFAULT_SERVER, parseServerSpec } from '../../common/server-spec.ts';
import { loadSizingConfig, parseBackupPlan, runModel } from '../index.ts';
import { sizingReferenceConfigs, sizingReferenceFile } from '../../fixtures/reference.ts';
import { golden, synthResult } from './verdict-fixtures.ts';

function throwsUsage(fn: () => unknown, re: RegExp): void {
  try {
    fn();
  } catch (e) {
    assert.instance(e, UsageError);
    assert.is((e as UsageError).exitCode, 2);
    assert.not.match((e as Error).message, /\n/);
    assert.match((e as Error).message, re);
    return;
  }
  assert.unreachable(`expected a UsageError matching ${re}`);
}

// ------------------------------------------------------------------ monolith arithmetic

const months = ['2027-01', '2027-02', '2027-03', '2027-04'];
// pg: HA service (the HA half must not count on one box); app: no HA, 3 VMs in the cluster layout.
const services = [
  {
    name: 'pg',
    group: 'SSD',
    vmsTotal: [2, 2, 2, 2],
    vmsHa: [1, 1, 1, 1],
    coresTotal: [4, 4, 4, 4],
    coresHa: [2, 2, 2, 2],
    ramTotal: [16, 16, 16, 16],
    ramHa: [8, 8, 8, 8],
    storageTotal: [0.4, 0.8, 1.2, 1.6],
    storageHa: [0.2, 0.4, 0.6, 0.8],
    osTotalGb: [100, 100, 100, 100],
  },
  {
    name: 'app',
    group: 'VM_other',
    vmsTotal: [3, 3, 3, 4],
    coresTotal: [3, 3, 3, 4],
    ramTotal: [12, 12, 12, 16],
    storageTotal: [0.3, 0.5, 1.0, 1.2],
    osTotalGb: [150, 150, 150, 200],
  },
];

test('monolith figures: Total minus HA per service, summed; OS storage once, not per VM', () => {
  const r = synthResult({ months, users: [500, 600, 700, 800], services });
  const v = computeVerdict(r, DEFAULT_SERVER);
  // storage GB = pg (total-HA) + app total + one OS (50 GB), not 100+150 GB of per-VM OS disks
  assert.equal(
    v.monthly.map((m) => Math.round(m.storageGb)),
    [200 + 300 + 50, 400 + 500 + 50, 600 + 1000 + 50, 800 + 1200 + 50],
  );
  assert.equal(v.monthly.map((m) => m.ramGb), [20, 20, 20, 24]);
  assert.equal(v.monthly.map((m) => m.cores), [5, 5, 5, 6]);
  assert.equal(v.monthly[0]!.clusterVms, 5);
  assert.equal(Object.keys(v.monthly[0]!.storageByGroupGb).sort(), ['SSD', 'VM_os', 'VM_other']);
  assert.is(v.monthly[0]!.storageByGroupGb.VM_os, 50);
  // the arithmetic shown in the reports is at the month of peak storage
  assert.is(v.arithmeticMonth, '2027-04');
  assert.equal(v.arithmetic.map((s) => [s.service, s.ramGb, s.cores]), [['pg', 8, 2], ['app', 16, 4]]);
});

test('disk: first month crossed, headroom, message; RAM and cores fit with their headroom', () => {
  const r = synthResult({ months, users: [500, 600, 700, 800], services });
  const v = computeVerdict(r, DEFAULT_SERVER);
  const disk = v.limits.find((l) => l.key === 'storage')!;
  assert.is(disk.status, 'DOES NOT FIT');
  assert.is(disk.firstCrossed, '2027-04'); // 2050 GB > 2000 GB; 1650 GB in 2027-03 still fits
  assert.is(Math.round(disk.peak!), 2050);
  assert.ok(Math.abs(disk.headroomPct! - -2.5) < 1e-9);
  assert.match(disk.message, /disk full in 2027-04 at this growth/);
  const ram = v.limits.find((l) => l.key === 'ram')!;
  assert.equal([ram.status, ram.peak, ram.headroomPct, ram.firstCrossed], ['FITS', 24, 25, null]);
  // cores: 6 summed against 8 physical × 2 CPU sharing = 16
  const cores = v.limits.find((l) => l.key === 'cores')!;
  assert.equal([cores.status, cores.peak, cores.limit, cores.headroomPct], ['FITS', 6, 16, 62.5]);
  assert.is(v.fits, false);
  assert.equal(v.crossed, ['storage']);
  // a bigger disk holds it all
  const big = computeVerdict(r, parseServerSpec('8c/32GB/3TB'));
  assert.is(big.fits, true);
  assert.match(formatVerdict(big), /FITS on this server through 2027-04/);
  assert.ok(Math.abs(big.minimumServer.disk_tb - 2.1) < 1e-9);
});

test('storage_display_unit GB: same verdict from GB columns', () => {
  const gbServices = services.map((s) => ({ ...s, storageTotal: s.storageTotal.map((x) => x * 1000), storageHa: s.storageHa?.map((x) => x * 1000) }));
  const tb = computeVerdict(synthResult({ months, users: [1, 1, 1, 1], services }), DEFAULT_SERVER);
  const gb = computeVerdict(synthResult({ months, users: [1, 1, 1, 1], services: gbServices, unit: 'GB' }), DEFAULT_SERVER);
  assert.equal(gb.monthly.map((m) => Math.round(m.storageGb)), tb.monthly.map((m) => Math.round(m.storageGb)));
  assert.is(gb.limits.find((l) => l.key === 'storage')!.firstCrossed, '2027-04');
});

test('users: strictly below 1500; the tier follows the peak', () => {
  const r = synthResult({ months, users: [1000, 1200, 1499, 1500], services });
  const v = computeVerdict(r, parseServerSpec('8c/32GB/4TB'));
  const u = v.limits.find((l) => l.key === 'users')!;
  assert.equal([u.status, u.firstCrossed, u.peak], ['DOES NOT FIT', '2027-04', 1500]);
  assert.is(v.tier.name, 'micro cluster');
  assert.equal(
    [1499, 1500, 3499, 3500, 14999, 15000].map((n) => tierForUsers(n).name),
    ['single server', 'micro cluster', 'micro cluster', 'small cluster', 'small cluster', 'large cluster'],
  );
  const ok = computeVerdict(synthResult({ months, users: [100, 200, 300, 1499], services }), parseServerSpec('8c/32GB/4TB'));
  assert.is(ok.tier.name, 'single server');
  assert.is(ok.fits, true);
  assert.match(ok.tier.reasons.join(' '), /holds every month through 2027-04/);
});

test('resources over on a single-server tier: recommend the smallest box that holds the horizon', () => {
  const strict = { ...parseServerSpec('4c/16GB/4TB'), cpu_overcommit: 1 };
  const v = computeVerdict(synthResult({ months, users: [100, 100, 100, 100], services }), strict);
  assert.is(v.tier.name, 'single server');
  assert.equal(v.crossed.sort(), ['cores', 'ram']);
  assert.match(v.tier.reasons.join(' '), /at least 6 cores \(at CPU sharing 1\), 24 GB RAM, 2\.1 TB disk/);
  assert.ok(v.warnings.some((w) => /below the single-server minimum/.test(w)));
  // at the default sharing factor the same 6 summed cores need only 3 physical ones
  const shared = computeVerdict(synthResult({ months, users: [100, 100, 100, 100], services }), parseServerSpec('4c/16GB/4TB'));
  assert.equal(shared.crossed, ['ram']);
  assert.match(shared.tier.reasons.join(' '), /at least 3 cores \(at CPU sharing 2\), 24 GB RAM/);
});

test('CPU sharing: strict 1 and the default 2 give different verdicts on the same box; RAM is never shared', () => {
  // services sum to 5 cores (6 in 2027-04) and 20-24 GB; the box has 4 cores, 32 GB, 4 TB
  const r = synthResult({ months, users: [100, 100, 100, 100], services });
  const box = parseServerSpec('4c/32GB/4TB');
  const shared = computeVerdict(r, box);
  assert.is(shared.fits, true);
  const c2 = shared.limits.find((l) => l.key === 'cores')!;
  assert.equal([c2.status, c2.limit, c2.peak, c2.headroomPct], ['FITS', 8, 6, 25]);
  assert.is(c2.capacityNote, '4 cores × 2 CPU sharing = 8');
  const strict = computeVerdict(r, { ...box, cpu_overcommit: 1 });
  assert.is(strict.fits, false);
  const c1 = strict.limits.find((l) => l.key === 'cores')!;
  assert.equal([c1.status, c1.limit, c1.firstCrossed, c1.headroomPct], ['DOES NOT FIT', 4, '2027-01', -50]);
  assert.match(c1.message, /cores exceeded in 2027-01 \(services need more than 4 cores \(strict, CPU sharing 1\)\)/);
  // 1.5: the 2027-04 peak of 6 equals 4 × 1.5 (reaching the limit is fine); 1.25: 6 > 5
  assert.is(computeVerdict(r, { ...box, cpu_overcommit: 1.5 }).fits, true);
  assert.equal(computeVerdict(r, { ...box, cpu_overcommit: 1.25 }).crossed, ['cores']); // 6 > 5 in 2027-04
  assert.is(computeVerdict(r, { ...box, cpu_overcommit: 1.25 }).limits.find((l) => l.key === 'cores')!.firstCrossed, '2027-04');
  // RAM: a sharing factor never stretches memory
  const tight = computeVerdict(r, { ...parseServerSpec('64c/16GB/4TB'), cpu_overcommit: 8 });
  assert.equal(tight.crossed, ['ram']);
  // the arithmetic is in the console text and the limits table
  const text = formatVerdict(shared);
  assert.match(text, /\ncores limit: 4 cores × 2 CPU sharing = 8 /);
  assert.match(text, /\ncores\s+6 cores\s+8 cores \(4 × 2\)\s+25\.0%\s+FITS/);
  assert.equal(limitRows(strict).find((row) => row[0] === 'cores')!.slice(1, 5), ['6 cores', '4 cores (4 × 1)', '-50.0%', 'DOES NOT FIT']);
});

test('active cases per user: default field, explicit field, strict 10,000 limit, missing field', () => {
  const users = [1000, 1000, 1000, 1000];
  const r = synthResult({ months, users, services, extraUsage: { open_cases: [1e6, 5e6, 1e7, 2e7], cases_total: [1, 1, 1, 1] } });
  const v = computeVerdict(r, DEFAULT_SERVER);
  assert.is(v.activeCasesField, 'open_cases'); // preferred over cases_total
  const c = v.limits.find((l) => l.key === 'active_cases_per_user')!;
  assert.equal([c.status, c.firstCrossed, c.peak], ['DOES NOT FIT', '2027-03', 20000]);
  assert.is(v.tier.name, 'micro cluster'); // 1000 users, but too many cases each for one server
  const explicit = computeVerdict(r, DEFAULT_SERVER, { activeCasesField: 'cases_total' });
  assert.is(explicit.limits[1]!.status, 'FITS');
  throwsUsage(() => computeVerdict(r, DEFAULT_SERVER, { activeCasesField: 'active' }), /^--active-cases-field: usage has no field "active" \(case fields: open_cases, cases_total\)/);
  const none = computeVerdict(synthResult({ months, users, services }), DEFAULT_SERVER);
  assert.is(none.limits[1]!.status, 'NOT CHECKED');
  assert.is(none.activeCasesField, null);
  assert.ok(none.warnings.some((w) => /--active-cases-field/.test(w)));
});

test('NaN usage months are skipped, not counted as zero or as crossing', () => {
  const v = computeVerdict(synthResult({ months, users: [null, 2000, null, 100], services }), parseServerSpec('8c/32GB/4TB'));
  const u = v.limits[0]!;
  assert.equal([u.firstCrossed, u.peak, u.peakMonth], ['2027-02', 2000, '2027-02']);
});

// ------------------------------------------------------------------ against the Python tool's numbers

test('golden bka-test: monolith figures equal the tool\'s service summary Total minus HA', () => {
  const g = golden('bka-test');
  const v = computeVerdict(g, DEFAULT_SERVER);
  const ss = g.sets[0]!.summaries['2024-08-01']!.service_summary;
  const total = ss.data[ss.index.indexOf('Total')]!;
  const col = (name: string) => total[ss.columns.indexOf(name)] as number;
  const aug = v.monthly.find((m) => m.month === '2024-08')!;
  assert.is(aug.ramGb, col('RAM Total (GB)') - col('RAM HA (GB)'));
  assert.is(aug.cores, col('Cores Total') - col('Cores HA'));
  const storage = (col('Data Storage Total (TB)') - col('Data Storage HA (TB)')) * 1000 + g.vm_os_storage_gb;
  assert.ok(Math.abs(aug.storageGb - storage) < 1e-6, `${aug.storageGb} vs ${storage}`);
  assert.is(aug.clusterVms, col('VMs Total'));
  assert.is(v.limits[0]!.status, 'FITS');
  assert.is(v.tier.name, 'single server');
});

test('golden echis: 20,000 users is a large cluster; every month is judged', () => {
  const v = computeVerdict(golden('echis'), DEFAULT_SERVER);
  assert.is(v.horizon.months, 12);
  assert.is(v.tier.name, 'large cluster');
  assert.is(v.limits[0]!.firstCrossed, '2021-07');
  assert.is(v.fits, false);
});

test('golden multi-set config: one verdict per set, unknown set is a usage error', () => {
  const g = golden('icds-14lakh-dimagivalues-jan2020');
  const names = g.sets.map((s) => s.name);
  const vs = names.map((set) => computeVerdict(g, DEFAULT_SERVER, { set }));
  assert.equal(vs.map((v) => v.set), names);
  throwsUsage(() => computeVerdict(g, DEFAULT_SERVER, { set: 'nope' }), /^--set: no combined set named "nope"/);
});

// ------------------------------------------------------------------ what-if

test('--var parsing: single values, lists, cartesian product, errors', () => {
  assert.equal(parseVarFlags(undefined), []);
  assert.equal(parseVarFlags(['users=1800']), [{ users: '1800' }]);
  assert.equal(parseVarFlags(['users=800,1200', 'fpu=2']), [{ users: '800', fpu: '2' }, { users: '1200', fpu: '2' }]);
  assert.is(parseVarFlags(['a=1,2,3', 'b=1,2']).length, 6);
  throwsUsage(() => parseVarFlags(['users']), /^--var: expected NAME=VALUE/);
  throwsUsage(() => parseVarFlags(['users=1,,2']), /^--var users: empty value/);
  throwsUsage(() => parseVarFlags(['users=1', 'users=2']), /given twice/);
  throwsUsage(() => parseVarFlags(['a=1,2,3,4,5,6,7,8', 'b=1,2,3,4,5,6,7']), /too many/);
  assert.is(varValue('1800'), 1800);
  assert.is(varValue('1.5'), 1.5);
  assert.is(varValue('high'), 'high');
});

test('what-if through the engine: more users, more disk; the table marks what crosses', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ccready-whatif-'));
  const cfg = join(dir, 'wi.yml');
  writeFileSync(
    cfg,
    `storage_display_unit: GB
estimation_buffer: 0.2
storage_buffer: 0.25
vm_os_storage_gb: 40
vm_os_storage_group: SSD
usage:
  users:
    model: date_range_value
    ranges:
      - ['20270101', '20271201', '{users}']
  forms:
    model: derived_factor
    dependant_field: users
    factor: 60
  forms_total:
    model: cumulative
    dependant_field: forms
services:
  postgres:
    static_number: 1
    storage:
      group: SSD
      data_models:
        - referenced_field: forms_total
          unit_size: 100KB
    process:
      cores_per_node: 4
      ram_per_node: 16
`,
  );
  const rows = ['800', '1200', '1600'].map((u) => {
    const r = runModel(loadSizingConfig(cfg, { vars: { users: Number(u) } }));
    return { vars: { users: u }, verdict: computeVerdict(r, DEFAULT_SERVER) };
  });
  const disk = rows.map((r) => r.verdict.limits.find((l) => l.key === 'storage')!.peak!);
  assert.ok(disk[0]! < disk[1]! && disk[1]! < disk[2]!, `disk grows with users: ${disk}`);
  assert.equal(rows.map((r) => r.verdict.tier.name), ['single server', 'single server', 'micro cluster']);
  const text = formatWhatIf(rows);
  assert.match(text, /users \(var\)/);
  assert.match(text, /\n1600\s+1600 !/);
  assert.match(text, /users 2027-01\s+micro cluster/);
});

// ------------------------------------------------------------------ figures kept by the model

test('the verdict of a fresh model run (columns kept by runModel) equals that of the same result read back from JSON (its tables), on every set of every passing reference config', () => {
  const plan = parseBackupPlan(undefined, undefined);
  let judged = 0;
  for (const name of sizingReferenceConfigs()) {
    let r;
    try {
      r = runModel(loadSizingConfig(sizingReferenceFile(name, 'config.yml')));
    } catch {
      continue; // the configs the Python tool fails on (parity.test.ts checks their errors)
    }
    const readBack = JSON.parse(JSON.stringify(r));
    for (const s of r.sets) {
      for (const opts of [{ set: s.name }, { set: s.name, backup: plan }]) {
        assert.equal(computeVerdict(r, DEFAULT_SERVER, opts), computeVerdict(readBack, DEFAULT_SERVER, opts), `${name} ${s.name}`);
        judged++;
      }
    }
  }
  assert.ok(judged > 40, `only ${judged} verdicts compared`);
});

test.run();
