// The planner workbook against the Python tool's own model*.xlsx: same sheets, same cells (numbers
// within 1e-12 relative, since xlsxwriter stores 16 significant digits), same merged headings.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { buildSizingWorkbooks, pyFormat1 } from '../sizing-xlsx.ts';
import { computeVerdict } from '../../sizing/verdict.ts';
import { DEFAULT_SERVER } from '../../common/server-spec.ts';
import { EXAMPLE_CONFIG, loadSizingConfig, runModel } from '../../sizing/index.ts';
import { golden, referenceDir } from '../../sizing/test/verdict-fixtures.ts';

async function read(buf: Uint8Array | string): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  if (typeof buf === 'string') await wb.xlsx.readFile(buf);
  else await wb.xlsx.load(buf as unknown as ArrayBuffer);
  return wb;
}

function sameValue(a: unknown, b: unknown): boolean {
  if ((a === null || a === undefined) && (b === null || b === undefined)) return true;
  if (typeof a === 'number' && typeof b === 'number') return a === b || Math.abs(a - b) <= 1e-12 * Math.max(Math.abs(a), Math.abs(b));
  return a === b;
}

/** Every cell of every reference sheet (Config aside) must be in ours, at the same place. */
function compareWorkbooks(ref: ExcelJS.Workbook, ours: ExcelJS.Workbook, label: string): void {
  const refNames = ref.worksheets.map((w) => w.name);
  const ourNames = ours.worksheets.map((w) => w.name).filter((n) => n !== 'Verdict');
  assert.equal(ourNames, refNames, `${label}: sheet names`);
  for (const rws of ref.worksheets) {
    if (rws.name === 'Config') continue;
    const ows = ours.getWorksheet(rws.name)!;
    const diffs: string[] = [];
    const rows = Math.max(rws.rowCount, ows.rowCount);
    const cols = Math.max(rws.columnCount, ows.columnCount);
    for (let r = 1; r <= rows; r++) {
      for (let c = 1; c <= cols; c++) {
        const a = rws.getCell(r, c).value;
        const b = ows.getCell(r, c).value;
        if (!sameValue(a, b)) diffs.push(`${rws.name}!${ows.getCell(r, c).address}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
      }
    }
    assert.equal(diffs.slice(0, 5), [], `${label}: cells differ`);
    const merges = (ws: ExcelJS.Worksheet) => [...((ws.model as unknown as { merges?: string[] }).merges ?? [])].sort();
    assert.equal(merges(ows), merges(rws), `${label} ${rws.name}: merged headings`);
  }
}

async function checkConfig(name: string): Promise<void> {
  const g = golden(name);
  const verdicts = g.sets.map((s) => computeVerdict(g, DEFAULT_SERVER, { set: s.name }));
  const configText = readFileSync(join(referenceDir(), name, 'config.yml'), 'utf8');
  const files = await buildSizingWorkbooks(g, verdicts, { configText, configName: 'config.yml' });
  for (const [file, buf] of Object.entries(files)) {
    const ref = await read(join(referenceDir(), name, file));
    const ours = await read(buf);
    compareWorkbooks(ref, ours, `${name}/${file}`);
    if (file !== 'model-comparison.xlsx') {
      // Config sheet: name line, generator line, blank, then the config text line by line
      const cfg = ours.getWorksheet('Config')!;
      assert.is(cfg.getCell(1, 1).value, 'Config filename: config.yml');
      const lines = configText.split('\n');
      assert.is(cfg.getCell(4, 1).value ?? '', lines[0]);
      assert.is(cfg.getCell(3 + lines.length - 1, 1).value ?? '', lines[lines.length - 2] ?? '');
      assert.is(ours.worksheets[0]!.name, 'Verdict');
    }
  }
  const expected = g.sets.length === 1 ? ['model.xlsx'] : [...g.sets.map((s) => `model-${s.name}.xlsx`), 'model-comparison.xlsx'];
  assert.equal(Object.keys(files).sort(), expected.sort());
}

test('pyFormat1 rounds like Python {:.1f} (exact ties to even)', () => {
  assert.equal([0.25, 0.75, 3.75, 2347.63, -0.25, 83, 1.05, 0.35].map(pyFormat1), ['0.2', '0.8', '3.8', '2347.6', '-0.2', '83.0', '1.1', '0.3']);
});

test('echis (three summary dates): Comparisons, Incremental Comparisons, dated sheets, Usage, Raw Data match the tool', async () => {
  await checkConfig('echis');
});

test('bka-test (one summary date): no comparison sheets, dated sheet and raw data match', async () => {
  await checkConfig('bka-test');
});

test('icds-14lakh-april2019 (empty usage months, services without a VM type) matches', async () => {
  await checkConfig('icds-14lakh-april2019');
});

test('several sets: model-<set>.xlsx per set and model-comparison.xlsx match', async () => {
  await checkConfig('icds-14lakh-dimagivalues-jan2020');
});

// every other reference config the Python tool wrote a workbook for
const covered = new Set(['echis', 'bka-test', 'icds-14lakh-april2019', 'icds-14lakh-dimagivalues-jan2020']);
for (const name of readdirSync(referenceDir(), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort()) {
  if (covered.has(name) || !readdirSync(join(referenceDir(), name)).some((f) => /^model.*\.xlsx$/.test(f))) continue;
  test(`${name}: workbook(s) match the tool's`, async () => {
    await checkConfig(name);
  });
}

test('storage_display_unit GB works (the Python tool crashes on it) and the Verdict sheet holds the verdict', async () => {
  const result = runModel(loadSizingConfig(EXAMPLE_CONFIG));
  assert.is(result.storage_display_unit, 'GB');
  const v = computeVerdict(result, DEFAULT_SERVER);
  const files = await buildSizingWorkbooks(result, [v], {});
  const wb = await read(files['model.xlsx']!);
  const set = result.sets[0]!;
  const last = set.summary_dates[set.summary_dates.length - 1]!;
  const s = set.summaries[last]!;
  const ws = wb.getWorksheet(`${last} - ${Math.trunc(s.user_count / 1000)}K users`)!;
  assert.ok(ws, 'dated sheet');
  const cells: { r: number; c: number; v: unknown }[] = [];
  ws.eachRow((row, r) => row.eachCell((cell, c) => cells.push({ r, c, v: cell.value })));
  assert.ok(cells.some((x) => x.v === 'Storage by Group (GB)'));
  const head = cells.find((x) => x.v === 'Data Storage Total (GB)')!;
  assert.ok(head, 'VM Summary has the GB column');
  // the first service row under it holds that service's Data Storage Total (GB)
  const svcName = ws.getCell(head.r + 1, 1).value as string;
  const ss = s.service_summary;
  const expected = ss.data[ss.index.indexOf(svcName)]![ss.columns.indexOf('Data Storage Total (GB)')];
  assert.is(ws.getCell(head.r + 1, head.c).value, expected);
  // Verdict sheet: every limit with its verdict
  const vs = wb.getWorksheet('Verdict')!;
  const text: string[] = [];
  vs.eachRow((row) => row.eachCell((cell) => text.push(String(cell.value))));
  for (const l of v.limits) {
    assert.ok(text.includes(l.label), `limit ${l.label} listed`);
    assert.ok(text.includes(l.status));
  }
  // the cores capacity is cores × the CPU sharing factor, and the sheet says so
  assert.ok(text.includes('CPU sharing (cpu_overcommit)'));
  assert.ok(text.includes('cores limit = 8 cores × 2 CPU sharing = 16'));
  const coresRow: unknown[] = [];
  vs.eachRow((row) => {
    if (row.getCell(1).value === 'cores') coresRow.push(...(row.values as unknown[]).slice(1));
  });
  assert.equal(coresRow.slice(0, 7), ['cores', 'cores', 14, '2026-01', 16, 12.5, 'FITS']);
  assert.ok(text.includes(v.fits ? 'FITS' : 'DOES NOT FIT'));
  assert.ok(text.includes(v.tier.name));
});

test.run();
