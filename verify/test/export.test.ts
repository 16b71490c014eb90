// Step 9 reads the case export as a workbook: a 200 with the wrong body (an error page, a CSV, a
// broken zip, a workbook without the case) must not pass.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import ExcelJS from 'exceljs';
import { readExportWorkbook } from '../jobs.ts';
import { runVerify } from '../index.ts';
import { sim, targetOf, fast } from './helpers.ts';

async function workbook(rows: string[][]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('Cases');
  for (const r of rows) ws.addRow(r);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

test('a workbook with the case is read; its sheets are described', async () => {
  const book = await readExportWorkbook(await workbook([['caseid', 'name'], ['c-123', 'Ama'], ['c-456', 'Kofi']]));
  assert.type(book, 'object');
  if (typeof book === 'string') return;
  assert.equal(book.sheets, [{ name: 'Cases', rows: 3 }]);
  assert.ok(book.cellsWith('c-456'));
  assert.not.ok(book.cellsWith('c-789'));
  assert.not.ok(book.cellsWith('c-45'), 'a whole cell, not a substring');
});

test('a CSV, an HTML page, an empty body or a zip that is no workbook are refused with the reason', async () => {
  assert.match(String(await readExportWorkbook(Buffer.from('caseid,name\r\nc-123,Ama\r\n'))), /not a zip archive/);
  assert.match(String(await readExportWorkbook(Buffer.from('<h1>Server Error (500)</h1>'))), /starts with "<h1>Server Error/);
  assert.match(String(await readExportWorkbook(Buffer.alloc(0))), /not a zip archive/);
  const brokenZip = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(64, 7)]);
  assert.match(String(await readExportWorkbook(brokenZip)), /exceljs could not read it/);
});

test('step 9 against the stand-in: the download is checked as a workbook holding the new case', async () => {
  const s = await sim();
  try {
    const r = await runVerify(targetOf(s), { ...fast(s), only: ['04-mobile-worker', '06-submit-forms', '09-export-odata'] });
    const step = r.steps.find((x) => x.id === '09-export-odata')!;
    assert.is(step.status, 'pass', step.reason);
    const ev = step.evidence.join('\n');
    assert.match(ev, /application\/vnd\.openxmlformats-officedocument\.spreadsheetml\.sheet/);
    assert.match(ev, /workbook: "Cases" \d+ rows/);
    assert.match(ev, /export workbook contains case [0-9a-f-]{36}/);
  } finally {
    await s.stop();
  }
});

test.run();
