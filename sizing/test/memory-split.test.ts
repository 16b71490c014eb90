// The RAM split of the one server (issue 16 item 2): each co-resident service's RAM at the month
// RAM stops fitting, what grew, and the same table in the console text and Markdown.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { computeVerdict, formatVerdict, loadSizingConfig, memorySplitSummary, runModel } from '../index.ts';
import { parseServerSpec } from '../../common/server-spec.ts';
import { buildSizingMarkdown } from '../../reports/sizing-markdown.ts';
import { buildSizingHtml } from '../../reports/sizing-html.ts';
import { buildSizingWorkbooks } from '../../reports/sizing-xlsx.ts';
import ExcelJS from 'exceljs';
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

test('TdH (reference config): RAM is over from the first month; which service outgrows 32 GB first, beside its commcare-cloud setting, in console, Markdown, HTML and XLSX', async () => {
  const r = runModel(loadSizingConfig(sizingReferenceFile('tdh-test', 'config.yml')));
  const v = computeVerdict(r, parseServerSpec('8c/32GB/2TB'));
  const m = v.memorySplit!;
  assert.is(m.stopsFitting, '2020-11');
  assert.equal(m.outgrows, { month: '2020-11', services: ['riakcs', 'pillowtop', 'celery'], ramGb: 32 });
  const summary = memorySplitSummary(v);
  assert.match(summary, /first to outgrow the server's 32 GB alone: riakcs, pillowtop, celery \(32 GB in 2020-11\)/);
  // each line carries the commcare-cloud setting and the quick monolith install's value, the file named
  const es = /es_datanode\s+16\s+50\.0%\s+16\s+0\s+elasticsearch_memory\s+2048m heap/;
  const cited = 'elasticsearch_memory: 2048m heap — dimagi/commcare-cloud quick_monolith_install/sample-environment/public.yml.j2';
  const text = formatVerdict(v);
  assert.match(text, es);
  assert.match(text, /redis\s+8\s+25\.0%\s+8\s+0\s+redis_maxmemory\s+RAM\/2 = 16 GB cap/);
  assert.ok(text.includes(cited), text);
  assert.ok(text.includes(summary));
  const md = buildSizingMarkdown(r, [v], {});
  assert.ok(md.includes('| es_datanode | 16 | 50.0% | 16 | 0 | elasticsearch_memory | 2048m heap |'), md);
  assert.ok(md.includes(`- ${cited}`));
  assert.ok(md.includes(summary));
  const html = await buildSizingHtml(r, [v], {});
  assert.match(html, /<td>es_datanode<\/td>(<td[^>]*>[^<]*<\/td>){4}<td[^>]*>elasticsearch_memory<\/td><td[^>]*>2048m heap<\/td>/);
  assert.ok(html.includes(cited));
  assert.ok(html.includes(summary.replace(/'/g, '&#39;')) || html.includes(summary));
  const books = await buildSizingWorkbooks(r, [v], {});
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(Object.values(books)[0] as unknown as ArrayBuffer);
  const rows: string[][] = [];
  wb.getWorksheet('Verdict')!.eachRow((row) => rows.push((row.values as unknown[]).slice(1).map((c) => String(c ?? ''))));
  assert.ok(rows.some((x) => x[0] === 'RAM' && x[1] === 'es_datanode' && x[6] === 'elasticsearch_memory' && x[7] === '2048m heap'), JSON.stringify(rows.filter((x) => x[0] === 'RAM')));
  assert.ok(rows.some((x) => x[0] === 'Setting source' && x[1]!.startsWith(cited)));
  assert.ok(rows.some((x) => x[1] === summary));
});

test.run();
