// The Markdown summary for procurement requests: verdict first, what to buy, the limits table.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildSizingMarkdown } from '../sizing-markdown.ts';
import { computeVerdict } from '../../sizing/verdict.ts';
import { parseServerSpec } from '../../common/server-spec.ts';
import { golden, synthResult } from '../../sizing/test/verdict-fixtures.ts';

const months = ['2027-01', '2027-02', '2027-03'];
const services = [
  { name: 'pg', group: 'SSD', vmsTotal: [1, 1, 1], coresTotal: [4, 4, 4], ramTotal: [16, 16, 40], storageTotal: [0.5, 1, 1.5] },
];

test('a single server that fits: verdict, requested hardware at least the seeds\' minimum, limits table', () => {
  const r = synthResult({ months, users: [500, 700, 900], services: [{ ...services[0]!, ramTotal: [16, 16, 16] }] });
  const v = computeVerdict(r, parseServerSpec('8c/32GB/2TB'));
  const md = buildSizingMarkdown(r, [v], { configName: 'plan.yml', generatedAt: new Date('2026-11-23T00:00:00Z') });
  assert.match(md, /^# Server sizing: plan\.yml\n/);
  assert.match(md, /\*\*Verdict: FITS\*\* on one server of 8 cores, 32 GB RAM, 2 TB SSD for the planned usage 2027-01 to 2027-03 \(3 months\)\./);
  assert.match(md, /\*\*Recommended configuration:\*\* single server \(one server\)\./);
  // 4 summed service cores on a box that shares its CPU at the default factor 2: 2 physical cores
  assert.match(md, /\| vCPU \| 8 \| 2 \(at CPU sharing 2\) \| 8 \|/);
  assert.match(md, /\| cores \| 4 cores \| 16 cores \(8 × 2\) \| 75\.0% \| FITS \| - \|/);
  assert.match(md, /summed cores are compared with 8 cores × 2 CPU sharing = 16/);
  assert.match(md, /\| RAM \(GB\) \| 32 \| 16 \| 32 \|/);
  assert.match(md, /\| disk \| 1550 GB \| 2000 GB \| 22\.5% \| FITS \| - \|/);
});

test('RAM running out: the month, the larger box to request', () => {
  const r = synthResult({ months, users: [500, 700, 900], services });
  const v = computeVerdict(r, parseServerSpec('8c/32GB/2TB'));
  const md = buildSizingMarkdown(r, [v], {});
  assert.match(md, /\*\*Verdict: DOES NOT FIT\*\*.*first limit crossed: RAM exceeded in 2027-03/);
  assert.match(md, /\| RAM \(GB\) \| 40 \| 40 \| 32 \|/);
  assert.match(md, /\| RAM \| 40 GB \| 32 GB \| -25\.0% \| DOES NOT FIT \| 2027-03 \|/);
});

test('a cluster-sized plan says so instead of listing one box', () => {
  const g = golden('echis');
  const v = computeVerdict(g, parseServerSpec('8c/32GB/2TB'));
  const md = buildSizingMarkdown(g, [v], {});
  assert.match(md, /needs a large cluster \(more than five servers\), not a single server/);
  assert.match(md, /uses 31 VMs/);
  assert.not.match(md, /\| vCPU \|/);
});

test.run();
