// Bad input gives one line naming the file, line:col and key path; what-if vars; exact arithmetic.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { combinedSets, computeVerdict, parseSizingConfig, runModel } from '../index.ts';
import { monthlyTables } from '../model.ts';
import { DEFAULT_SERVER } from '../../common/server-spec.ts';
import { UsageError } from '../../common/errors.ts';
import { decimalOnePlus, estimationBuffers, tenthRound } from '../exact.ts';

const BASE = `estimation_buffer: 0.2
storage_buffer: 0.25
storage_display_unit: TB
vm_os_storage_gb: 50
vm_os_storage_group: 'VM_os'
usage:
  users:
    model: 'date_range_value'
    ranges:
      - ['20240101', '20241201', 100]
  forms:
    model: 'derived_factor'
    dependant_field: 'users'
    factor: 10
services:
  pg:
    static_number: 1
    storage:
      group: 'SSD'
      data_models:
        - referenced_field: 'forms'
          unit_size: 1KB
    process:
      cores_per_node: 2
      ram_per_node: 8
`;

function errorOf(yaml: string, opts?: { vars?: Record<string, string | number> }): string {
  try {
    runModel(parseSizingConfig(yaml, 'cfg.yml', opts));
  } catch (e) {
    assert.instance(e, UsageError);
    assert.is((e as UsageError).exitCode, 2);
    const msg = (e as Error).message;
    assert.not.match(msg, /\n/, 'one line');
    return msg;
  }
  throw new Error('expected an error');
}

test('the base config computes', () => {
  const r = runModel(parseSizingConfig(BASE, 'cfg.yml'));
  assert.is(r.sets[0]!.usage.index.length, 12);
  assert.equal(r.sets[0]!.summary_dates, ['2024-12-01']);
});

test('unreadable YAML names file:line:col', () => {
  const msg = errorOf(BASE.replace("  forms:\n", "  forms: [\n"));
  assert.match(msg, /^cfg\.yml:\d+:\d+: unreadable YAML: /);
});

test('unknown model slug lists the valid ones', () => {
  const msg = errorOf(BASE.replace("model: 'derived_factor'", "model: 'derived_factr'"));
  assert.match(msg, /^cfg\.yml:12:12: usage\.forms\.model: unknown model 'derived_factr' \(valid: date_range_value, derived_factor, derived_sum, product, cumulative, cumulative_limited_lifespan, baseline_with_growth, invert_derived_factor\)$/);
});

test('wrong type names the key and what was expected', () => {
  assert.match(errorOf(BASE.replace('vm_os_storage_gb: 50', "vm_os_storage_gb: 'fifty'")), /^cfg\.yml:4:19: vm_os_storage_gb: expected a number, got the string "fifty"$/);
  assert.match(errorOf(BASE.replace('cores_per_node: 2', 'cores_per_node: 2.5')), /services\.pg\.process\.cores_per_node: expected an integer, got number 2\.5/);
  assert.match(errorOf(BASE.replace('static_number: 1', 'static_number: 1\n    include_ha_resources: maybe')), /services\.pg\.include_ha_resources: expected true or false/);
});

test('unknown keys inside a service are rejected, as the tool does', () => {
  assert.match(errorOf(BASE.replace('static_number: 1', 'static_number: 1\n    min_node: 2')), /^cfg\.yml:\d+:\d+: services\.pg\.min_node: unknown key \(did you mean min_nodes\?\) \(allowed: static_number/);
  assert.match(errorOf(BASE.replace("group: 'SSD'", "group: 'SSD'\n      buffer: 1")), /services\.pg\.storage\.buffer: unknown key/);
});

test('a misspelt top-level setting is an error with a did-you-mean, not a silent default', () => {
  assert.match(errorOf(`summary_date: ['2024-06']\n${BASE}`), /^cfg\.yml:1:15: summary_date: unknown key \(did you mean summary_dates\?\) \(allowed: estimation_buffer, /);
  assert.match(errorOf(BASE.replace('storage_buffer: 0.25', 'storage_bufer: 0.25')), /^cfg\.yml:2:16: storage_bufer: unknown key \(did you mean storage_buffer\?\)/);
  // nothing close: no guess, the allowed keys only
  assert.match(errorOf(`colour: blue\n${BASE}`), /^cfg\.yml:1:9: colour: unknown key \(allowed: /);
});

test('zero or negative capacities, absurd buffers and negative growth are errors naming the key', () => {
  assert.match(errorOf(BASE.replace('static_number: 1', 'usage_capacity_per_node: 0')), /^cfg\.yml:\d+:\d+: services\.pg\.usage_capacity_per_node: expected a positive integer .*got 0$/);
  assert.match(errorOf(BASE.replace('static_number: 1', 'usage_capacity_per_node: -5')), /services\.pg\.usage_capacity_per_node: expected a positive integer/);
  assert.match(errorOf(BASE.replace('storage_buffer: 0.25', 'storage_buffer: 1e308')), /^cfg\.yml:2:17: storage_buffer: expected a share such as 0\.25 \(at most 100\), got 1e\+308$/);
  assert.match(errorOf(BASE.replace('estimation_buffer: 0.2', 'estimation_buffer: 500')), /^cfg\.yml:1:20: estimation_buffer: expected a share/);
  assert.match(errorOf(`estimation_growth_factor: -0.5\n${BASE}`), /^cfg\.yml:1:27: estimation_growth_factor: expected a non-negative number, got -0\.5$/);
  const sub = '    process:\n      cores_per_node: 2\n      ram_per_node: 8\n      cores_per_sub_process: 1\n      ram_per_sub_process: 1\n      sub_processes:\n        - name: w\n          capacity: -1\n';
  assert.match(errorOf(BASE.replace('    process:\n      cores_per_node: 2\n      ram_per_node: 8\n', sub)), /services\.pg\.process\.sub_processes\[0\]\.capacity: expected a positive number, got -1/);
});

test('a service whose resources come out non-finite in a month with usage is an error naming it, never dropped from the totals', () => {
  // an overflow each setting allows on its own: 1e308 users, one per node, 2 cores a node
  const text = BASE.replace('100]', '1.0e308]').replace('static_number: 1', 'usage_capacity_per_node: 1');
  let msg = '';
  try {
    const r = runModel(parseSizingConfig(text, 'cfg.yml'));
    computeVerdict(r, DEFAULT_SERVER);
  } catch (e) {
    assert.instance(e, UsageError);
    msg = (e as Error).message;
  }
  assert.match(msg, /^services\.pg: Cores Total comes out as Infinity in 2024-01 while the usage has values there/);
  assert.not.match(msg, /\n/);
});

test('the model marks exactly the months whose judged cells are not finite, non-negative numbers, and the verdict checks those', () => {
  // users overflow from 2024-07 on: cores (1 node per user, 2 cores a node) become Infinity there
  const ranges = "      - ['20240101', '20240601', 100]\n      - ['20240701', '20241201', 1.0e308]";
  const text = BASE.replace("      - ['20240101', '20241201', 100]", ranges).replace('static_number: 1', 'usage_capacity_per_node: 1');
  const config = parseSizingConfig(text, 'cfg.yml');
  const m = monthlyTables(config, combinedSets(config)[0]!);
  assert.equal([...m.unusual], [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1]);
  // a marked month is judged cell by cell: the first one is named
  assert.throws(() => computeVerdict(runModel(config), DEFAULT_SERVER), /^services\.pg: Cores Total comes out as Infinity in 2024-07 /);
  // an ordinary config marks no month
  const plain = parseSizingConfig(BASE, 'cfg.yml');
  assert.ok(monthlyTables(plain, combinedSets(plain)[0]!).unusual.every((u) => u === 0));
});

test('YAML: merge keys as PyYAML reads them; aliases shared, not copied; a self-reference is one line', () => {
  const merged = BASE.replace('  pg:\n', '  pg: &pg\n') + '  pg2:\n    <<: *pg\n    static_number: 2\n';
  const r = runModel(parseSizingConfig(merged, 'cfg.yml'));
  assert.equal(r.services, ['pg', 'pg2']);
  assert.match(errorOf(`x: &a [1, *a]\n${BASE}`), /^cfg\.yml:1:11: alias \*a refers to its own anchor/);
  // a billion laughs: ten levels of ten aliases each would be 10^10 nodes if copied
  let bomb = 'estimation_growth_factor: &l0 0.01\n';
  bomb += 'sets:\n  b:\n    - name: x\n      v: 1\n';
  let lists = 'l1: &l1 [*l0, *l0, *l0, *l0, *l0, *l0, *l0, *l0, *l0, *l0]\n';
  for (let i = 2; i <= 10; i++) lists += `l${i}: &l${i} [${Array(10).fill(`*l${i - 1}`).join(', ')}]\n`;
  const t0 = Date.now();
  assert.match(errorOf(bomb + lists + BASE.replace('storage_display_unit: TB', 'storage_display_unit: TB')), /l1: unknown key/);
  assert.ok(Date.now() - t0 < 2000, `alias expansion took ${Date.now() - t0} ms`);
  const many = `a: &a 1\nb: [${Array(1001).fill('*a').join(', ')}]\n`;
  const t1 = Date.now();
  assert.match(errorOf(many + BASE), /more than 1000 YAML aliases/);
  assert.ok(Date.now() - t1 < 5000, `1001 aliases took ${Date.now() - t1} ms`);
});

test('bad date in a range', () => {
  assert.match(errorOf(BASE.replace("'20241201'", "'20241301'")), /^cfg\.yml:10:22: usage\.users\.ranges\[0\]\[1\]: expected a date like '20240701' or '2024-07-01', got the string "20241301"$/);
  assert.match(errorOf(BASE.replace('storage_display_unit: TB', "storage_display_unit: TB\nsummary_dates: ['2024-13']")), /summary_dates\[0\]: expected a month like '2024-08'/);
});

test('a summary date outside the usage months', () => {
  assert.match(errorOf(BASE.replace('storage_display_unit: TB', "storage_display_unit: TB\nsummary_dates: ['2025-06']")), /^cfg\.yml: summary_dates\[0\]: 2025-06 is outside the usage months \(2024-01 … 2024-12\)$/);
});

test('a negative date_range_value (in the config or through --var) names the range and the source', () => {
  assert.match(errorOf(BASE.replace("'20241201', 100]", "'20241201', -100]")), /^cfg\.yml:\d+:\d+: usage\.users\.ranges\[0\]: expected a non-negative value, got -100$/);
  const withVar = BASE.replace("'20241201', 100]", "'20241201', '{users}']");
  assert.match(errorOf(withVar, { vars: { users: -5 } }), /usage\.users\.ranges\[0\]: expected a non-negative value, got -5 \(from --var users\)$/);
  assert.is(runModel(parseSizingConfig(withVar, 'cfg.yml', { vars: { users: 0 } })).sets[0]!.usage.data[0]![0], 0);
});

test('unmet and circular dependencies name the fields', () => {
  assert.match(errorOf(BASE.replace("dependant_field: 'users'", "dependant_field: 'user'")), /usage: unmet or circular dependencies: forms \(needs user; not defined: user\)/);
  const circular = BASE.replace("dependant_field: 'users'", "dependant_field: 'b'") + '';
  const yaml = circular.replace('services:', "  b:\n    model: 'cumulative'\n    dependant_field: 'forms'\nservices:");
  assert.match(errorOf(yaml), /unmet or circular dependencies: forms \(needs b; circular\); b \(needs forms; circular\)/);
  // a field that only waits for an unmet one is not called circular, nor is a typo in a sub-column
  const blocked = BASE.replace("dependant_field: 'users'", "dependant_field: 'user'").replace('services:', "  b:\n    model: 'cumulative'\n    dependant_field: 'forms'\n  c:\n    model: 'cumulative'\n    dependant_field: 'users_monthly'\nservices:");
  const msg = errorOf(blocked);
  assert.match(msg, /forms \(needs user; not defined: user\); b \(needs forms; blocked\); c \(needs users_monthly; not defined: users_monthly\)$/);
  assert.not.match(msg, /circular\)/);
});

test('a storage data model referencing a missing usage field', () => {
  assert.match(errorOf(BASE.replace("referenced_field: 'forms'", "referenced_field: 'form'")), /services\.pg\.storage\.data_models\[0\]\.referenced_field: 'form' is not a usage field/);
});

test('negative sizes are rejected', () => {
  assert.match(errorOf(BASE.replace('unit_size: 1KB', 'unit_size: -1000')), /^cfg\.yml:\d+:\d+: services\.pg\.storage\.data_models\[0\]\.unit_size: expected a non-negative size, got -1000$/);
  assert.match(errorOf(BASE.replace('unit_size: 1KB', 'unit_size: -1KB')), /unit_size: expected a size like 500, 50KB, 2TB/);
});

test('overlapping ranges name the key and the month', () => {
  const msg = errorOf(BASE.replace("      - ['20240101', '20241201', 100]", "      - ['20240101', '20240601', 100]\n      - ['20240501', '20241201', 200]"));
  assert.match(msg, /^cfg\.yml:11:9: usage\.users\.ranges\[1\]: month 2024-05 is already given by usage\.users\.ranges\[0\]: ranges of 'users' must not overlap$/);
});

const WITH_SETS = BASE.replace("      - ['20240101', '20241201', 100]", "      - ['20240101', '20241201', '{users}']")
  .replace('usage:', "sets:\n  size:\n    - name: small\n      users: 100\n    - name: big\n      users: 1000\nusage:");

test('sets: every combination, {var} applied', () => {
  const r = runModel(parseSizingConfig(WITH_SETS, 'cfg.yml'));
  assert.equal(r.sets.map((s) => s.name), ['small', 'big']);
  assert.is(r.sets[1]!.usage.data[0]![0], 1000);
  assert.is(r.sets[1]!.usage.data[0]![1], 10000);
  const only = runModel(parseSizingConfig(WITH_SETS, 'cfg.yml'), { sets: ['big'] });
  assert.equal(only.sets.map((s) => s.name), ['big']);
  assert.throws(() => runModel(parseSizingConfig(WITH_SETS, 'cfg.yml'), { sets: ['huge'] }), /--set huge: no such set in cfg\.yml \(sets: small, big\)/);
});

test('a {var} missing from the set', () => {
  const msg = errorOf(WITH_SETS.replace("'{users}'", "'{userz}'"));
  assert.match(msg, /^cfg\.yml:\d+:\d+: usage\.users\.ranges\[0\]: '\{userz\}' is not a variable of set 'small' \(it has: users\)$/);
});

test('what-if vars override every set and must be used', () => {
  const r = runModel(parseSizingConfig(WITH_SETS, 'cfg.yml', { vars: { users: 1800 } }));
  assert.equal(r.sets.map((s) => s.usage.data[0]![0]), [1800, 1800]);
  const single = runModel(parseSizingConfig(BASE.replace(', 100]', ", '{users}']"), 'cfg.yml', { vars: { users: '250' } }));
  assert.is(single.sets[0]!.usage.data[3]![0], 250);
  assert.match(errorOf(BASE, { vars: { users: 5 } }), /^--var users: cfg\.yml has no \{users\} placeholder/);
  assert.match(errorOf(WITH_SETS, { vars: { users: '1e3x' } }), /'\{users\}' gives '1e3x', expected an integer \(from --var users\)/);
});

test('Decimal arithmetic: storage buffer rounded to 28 digits, estimation buffer exact', () => {
  // 1 + Decimal(0.35) rounds to 1.349999…, the double below 1.35
  assert.is(decimalOnePlus(0.35), 1.3499999999999999);
  assert.is(decimalOnePlus(0.33), 1.33);
  const b = estimationBuffers(0.25, 0.01, 60);
  assert.is(b[0], 0.25);
  assert.is(b[1], 0.2525);
  // differs by one ulp from the naive double expression in some months
  const naive = Array.from({ length: 60 }, (_, n) => 0.25 * (1 + 0.01) ** n);
  assert.ok(b.some((v, n) => v !== naive[n]));
  assert.ok(b.every((v, n) => Math.abs(v - naive[n]!) <= 1e-14 * v));
});

test('tenth_round: up to 2-3 significant digits, 0 → NaN, decimal powers of ten', () => {
  assert.is(tenthRound(125.6), 126);
  assert.is(tenthRound(0.00513114), 0.005200000000000001); // the tool's artefact (52 * 0.0001)
  assert.ok(Number.isNaN(tenthRound(0)));
  assert.is(tenthRound(4.75), 4.800000000000001); // 48 * 0.1, as the tool
});

test('tenth_round: the inlined form gives the formula written plainly on edges and halves', () => {
  // the tool's expression step by step: ceil(x / 10^round_half_even(log10(x / 100))) * 10^that
  const plain = (x: number): number => {
    const l = Math.log10(x * 0.01);
    let k = l;
    if (Number.isFinite(l)) {
      const f = Math.floor(l);
      k = l - f > 0.5 ? f + 1 : l - f < 0.5 ? f : f % 2 === 0 ? f : f + 1;
    }
    if (Number.isNaN(k)) return NaN;
    const r = k === -Infinity ? 0 : k === Infinity ? Infinity : Number(`1e${k}`);
    return Math.ceil(x / r) * r;
  };
  const xs = [0, -0, -5, NaN, Infinity, -Infinity, 5e-324, 1e-310, 1.7976931348623157e308, 1e308, 3.1622776601683795, 31.622776601683793,
    0.5, 1, 99.99, 100, 100.01, 1234567, 0.00051, 2e-7, 7.5e11];
  for (let i = 0; i < 500; i++) xs.push(10 ** ((i - 250) / 7) * (1 + (i % 13) / 17));
  for (const x of xs) assert.ok(Object.is(tenthRound(x), plain(x)), `tenthRound(${x}) = ${tenthRound(x)}, expected ${plain(x)}`);
});

test.run();
