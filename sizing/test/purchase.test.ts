// The answer a planner can buy from (issue 16 item 5): sizes sold, one line per server of the
// tier and the smallest single box, "Fits until …" wording, the short-horizon warning, and the
// same lines in the console text, Markdown and HTML.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { computeVerdict, fitsUntilText, formatVerdict, purchaseLines } from '../index.ts';
import { soldSize } from '../purchase.ts';
import { parseServerSpec } from '../../common/server-spec.ts';
import { buildSizingMarkdown } from '../../reports/sizing-markdown.ts';
import { synthResult } from './verdict-fixtures.ts';

const months = Array.from({ length: 14 }, (_, i) => `${2027 + Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`);
const grow = (from: number, step: number) => months.map((_, i) => from + step * i);
const svc = { name: 'pg', group: 'SSD', vmsTotal: months.map(() => 1), vmsHa: months.map(() => 0), coresTotal: months.map(() => 6), coresHa: months.map(() => 0), ramTotal: grow(20, 1), ramHa: months.map(() => 0), storageTotal: grow(0.5, 0.1), storageHa: months.map(() => 0), osTotalGb: months.map(() => 10) };

test('sizes sold: the first size at or above the need', () => {
  assert.is(soldSize(5, [4, 8, 16]), 8);
  assert.is(soldSize(8, [4, 8, 16]), 8);
  assert.is(soldSize(40, [4, 8, 16]), 48);
});

test('"Fits until …; disk full in …", one purchasable line, the smallest single box, the same in Markdown', () => {
  const r = synthResult({ months, users: months.map(() => 500), services: [svc] });
  const v = computeVerdict(r, parseServerSpec('8c/32GB/1TB'));
  assert.is(v.fits, false);
  // RAM 20 + i GB crosses 32 GB at i = 13 (2028-02); disk 0.5 + 0.1 i TB + OS crosses 1 TB at i = 5 (2027-06)
  assert.is(v.fitsUntil, '2027-05');
  assert.is(fitsUntilText(v), 'Fits until 2027-05; disk full in 2027-06');
  const lines = purchaseLines(v);
  // 6 service cores at CPU sharing 2 need 3: the single box is 4 cores, the tier's floor is the checklist's 8
  assert.equal(lines, [
    "buy: 1 × 8 cores, 64 GB RAM, 2 TB SSD (single server; the need at the peak, at least the checklist's 8 cores, 32 GB, 2 TB)",
    'smallest single box for the horizon: 4 cores, 64 GB RAM, 2 TB SSD',
  ]);
  const text = formatVerdict(v);
  for (const l of [...lines, 'Fits until 2027-05; disk full in 2027-06']) assert.ok(text.includes(l), l);
  const md = buildSizingMarkdown(r, [v], {});
  assert.ok(md.includes('Fits until 2027-05; disk full in 2027-06'), md);
  assert.ok(md.includes('8 cores, 64 GB RAM, 2 TB SSD'));
  assert.is(computeVerdict(r, parseServerSpec('8c/64GB/4TB')).fitsUntil, null);
});

test('a horizon under 12 months is a warning in the verdict', () => {
  const short = synthResult({ months: months.slice(0, 3), users: [1, 2, 3], services: [] });
  assert.match(computeVerdict(short, parseServerSpec('8c/32GB/2TB')).warnings.join('\n'), /usage horizon is only 3 months .* at least 12 months/);
  const long = synthResult({ months, users: months.map(() => 1), services: [] });
  assert.not.match(computeVerdict(long, parseServerSpec('8c/32GB/2TB')).warnings.join('\n'), /horizon is only/);
});

test.run();
