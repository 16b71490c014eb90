// The RAM split of the one server (issue 16 item 2): each co-resident service's RAM at the month
// RAM stops fitting, what grew, and the same table in the console text and Markdown.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { computeVerdict, formatVerdict, loadSizingConfig, memorySplitSummary, runModel } from '../index.ts';
import { parseServerSpec } from '../../common/server-spec.ts';
import { buildSizingMarkdown } from '../../reports/sizing-markdown.ts';
import { sizingReferenceFile } from '../../fixtures/reference.ts';
import { synthResult } from './verdict-fixtures.ts';

const months = ['2027-01', '2027-02', '2027-03', '2027-04'];
const svc = (name: string, ram: number[]) => ({ name, group: 'SSD', vmsTotal: [1, 1, 1, 1], vmsHa: [0, 0, 0, 0], coresTotal: [1, 1, 1, 1], coresHa: [0, 0, 0, 0], ramTotal: ram, ramHa: [0, 0, 0, 0], storageTotal: [0.1, 0.1, 0.1, 0.1], storageHa: [0, 0, 0, 0], osTotalGb: [10, 10, 10, 10] });

test('the month RAM stops fitting, each service\'s share, and the one that grew', () => {
  const r = synthResult({ months, users: [10, 10, 10, 10], services: [svc('es_datanode', [8, 12, 16, 20]), svc('pg_main', [16, 16, 16, 16])] });
  const v = computeVerdict(r, parseServerSpec('8c/32GB/2TB'));
  const m = v.memorySplit!;
  assert.is(m.stopsFitting, '2027-04'); // 2027-03: 16 + 16 = 32 still fits (≤); 2027-04: 20 + 16 = 36 > 32
  assert.is(m.month, '2027-04');
  assert.is(m.grows, 'es_datanode');
  assert.equal(m.rows.map((x) => [x.service, x.ramGb, x.growthGb]), [['es_datanode', 20, 12], ['pg_main', 16, 0]]);
  assert.match(memorySplitSummary(v), /^RAM stops fitting in 2027-04: the services need 36 GB of the server's 32 GB; grows most: es_datanode/);
  const text = formatVerdict(v);
  assert.match(text, /memory split of the one server \(2027-04\):\nservice\s+RAM 2027-04 \(GB\)\s+share of server/);
  assert.match(buildSizingMarkdown(r, [v], {}), /### Memory split of the one server \(2027-04\)[^]*\| es_datanode \| 20 \| 62\.5% \| 8 \| \+12 \|/);
});

test('TdH (reference config): RAM is over from the first month and the table names the services that alone fill 32 GB', () => {
  const r = runModel(loadSizingConfig(sizingReferenceFile('tdh-test', 'config.yml')));
  const v = computeVerdict(r, parseServerSpec('8c/32GB/2TB'));
  assert.is(v.memorySplit!.stopsFitting, '2020-11');
  assert.match(memorySplitSummary(v), /alone as large as the server's RAM: riakcs, pillowtop, celery/);
});

test.run();
