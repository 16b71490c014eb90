// Hand-computed checks of engine behaviour the reference configs do not exercise.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseSizingConfig, runModel } from '../index.ts';

const head = `estimation_buffer: 0.5
storage_buffer: 0
storage_display_unit: GB
vm_os_storage_gb: 10
vm_os_storage_group: 'OS'
`;

const cell = (t: { columns: (string | string[])[]; data: (number | string | null)[][] }, row: number, col: string | string[]) =>
  t.data[row]![t.columns.findIndex((c) => JSON.stringify(c) === JSON.stringify(col))]!;

test('min_storage_per_node lifts every month when one month is below it (branch d)', () => {
  const r = runModel(parseSizingConfig(`${head}usage:
  users: {model: 'date_range_value', ranges: [['20240101', '20240201', 1000]]}
services:
  db:
    usage_capacity_per_node: 500
    min_storage_per_node: 100GB
    storage:
      group: 'SSD'
      data_models: [{referenced_field: 'users', unit_size: 10MB}]
    process: {cores_per_node: 2, ram_per_node: 4}
`, 'c.yml'));
  const sd = r.sets[0]!.summary_data;
  // 2 VMs + ceil(2 * 0.5) = 3; 10 GB over 3 VMs is below 100 GB, so 100 GB each, 300 GB in total
  assert.is(cell(sd, 0, ['db', 'VMs Total']), 3);
  assert.is(cell(sd, 0, ['db', 'Data Storage Per VM (GB)']), 100);
  assert.is(cell(sd, 0, ['db', 'Data Storage Total (GB)']), 300);
  assert.is(cell(sd, 0, ['db', 'Data Storage RAW (includes HA) (GB)']), 10);
});

test('sub-processes: cores or RAM decided on the last month, HA doubles', () => {
  const r = runModel(parseSizingConfig(`${head}usage:
  users:
    model: 'date_range_value'
    ranges: [['20240101', 10], ['20240201', 100]]
services:
  web:
    include_ha_resources: true
    process:
      cores_per_node: 4
      ram_per_node: 64
      cores_per_sub_process: 1
      ram_per_sub_process: 2
      sub_processes: [{name: 'worker', capacity: 10}, {name: 'fixed', static_number: 2}]
`, 'c.yml'));
  const s = r.sets[0]!.service_data;
  // last month: 10 + 2 workers → 12 cores (3 VMs by cores) vs 24 GB (0.375 VMs by RAM): cores win
  assert.is(cell(s, 1, ['web', 'Compute', 'CPU']), 12);
  assert.is(cell(s, 1, ['web', 'Compute', 'VMs']), 3);
  assert.is(cell(s, 0, ['web', 'Compute', 'VMs']), 1); // 3 workers → 0.75 → 1
  const sum = r.sets[0]!.summaries['2024-02-01']!.service_summary;
  assert.is(cell(sum, 0, 'VMs HA'), 5); // 3 + ceil(3 * 0.5) = 5 (growth factor 0: buffer stays 0.5)
  assert.is(cell(sum, 0, 'VMs Total'), 10);
  assert.is(cell(sum, 0, 'Cores Total'), 40);
});

test('usage: NaN months, cumulative keeps summing after a gap, product skips NaN, derived_sum propagates it', () => {
  const r = runModel(parseSizingConfig(`${head}usage:
  users: {model: 'date_range_value', ranges: [['20240101', '20240401', 10]]}
  extra: {model: 'date_range_value', ranges: [['20240101', 5], ['20240301', '20240401', 7]]}
  total: {model: 'cumulative', dependant_field: 'extra', start_with: 100}
  both: {model: 'derived_sum', dependant_fields: ['users', 'extra']}
  prod: {model: 'product', dependant_fields: ['users', 'extra']}
services:
  s: {static_number: 1, process: {cores_per_node: 1, ram_per_node: 1}}
`, 'c.yml'));
  const u = r.sets[0]!.usage;
  const col = (f: string) => u.data.map((row) => row[u.columns.indexOf(f)]);
  assert.equal(col('extra'), [5, null, 7, 7]);
  assert.equal(col('total'), [105, null, 112, 119]);
  assert.equal(col('both'), [15, null, 17, 17]);
  assert.equal(col('prod'), [50, 10, 70, 70]);
  assert.is(r.sets[0]!.usage_dtypes.extra, 'float64');
  assert.is(r.sets[0]!.usage_dtypes.users, 'int64');
});

test('usage column order follows the tool (the model after one that runs waits a pass)', () => {
  const r = runModel(parseSizingConfig(`${head}usage:
  a: {model: 'derived_factor', dependant_field: 'users', factor: 2}
  users: {model: 'date_range_value', ranges: [['20240101', 1]]}
  b: {model: 'derived_factor', dependant_field: 'users', factor: 3}
  c: {model: 'derived_factor', dependant_field: 'users', factor: 4}
services:
  s: {static_number: 1, process: {cores_per_node: 1, ram_per_node: 1}}
`, 'c.yml'));
  // pass 1: a waits, users runs (b is skipped by the removal), c runs; pass 2: a, then b
  assert.equal(r.sets[0]!.usage.columns, ['users', 'c', 'a', 'b']);
});

test('cumulative_limited_lifespan truncates toward zero and forgets after the lifespan', () => {
  const r = runModel(parseSizingConfig(`${head}usage:
  users: {model: 'date_range_value', ranges: [['20240101', '20240401', 10]]}
  daily: {model: 'derived_factor', dependant_field: 'users', factor: 0.55}
  live: {model: 'cumulative_limited_lifespan', dependant_field: 'daily', lifespan: 2}
services:
  s: {static_number: 1, process: {cores_per_node: 1, ram_per_node: 1}}
`, 'c.yml'));
  const u = r.sets[0]!.usage;
  assert.equal(u.data.map((row) => row[u.columns.indexOf('live')]), [5, 11, 11, 11]);
});

test.run();
