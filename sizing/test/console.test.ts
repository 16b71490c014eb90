// The console report has run_model.py's sections, in its order, with its titles and user counts.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { loadSizingConfig, runModel } from '../index.ts';
import { consoleText, renderTable } from '../format.ts';
import { REFERENCE_DIR, loadGolden, referenceConfigs } from './golden.ts';

const headings = (text: string) => text.split('\n').filter((l) => /^(=====|-----|Generating)/.test(l));

for (const name of referenceConfigs()) {
  if (loadGolden(name).status !== 'ok') continue;
  test(`console sections: ${name}`, () => {
    const c = loadSizingConfig(`${REFERENCE_DIR}/${name}/config.yml`);
    const r = runModel(c);
    let ours = headings(consoleText(c, r));
    const tool = headings(readFileSync(`${REFERENCE_DIR}/${name}/console.txt`, 'utf8').split('---- stderr ----')[0]!);
    if (r.set_comparison) {
      // ccready adds the set comparison the tool only writes to its comparison workbook
      const i = ours.findIndex((l) => l.startsWith('==================== Set Comparison'));
      assert.ok(i > 0);
      ours = ours.slice(0, i);
    }
    assert.equal(ours, tool);
  });
}

test('tables are aligned: index left, values right, two header rows for two-level columns', () => {
  const text = renderTable({
    index: ['SAS', 'VM_other'],
    columns: [['2021-07-01', 'Rounded Total (TB)'], ['2021-12-01', 'Rounded Total (TB)']],
    data: [[0.45463, 1.3148100000000003], [2, null]],
  });
  assert.is(text, [
    '                  2021-07-01          2021-12-01',
    '          Rounded Total (TB)  Rounded Total (TB)',
    'SAS                    0.455                1.31',
    'VM_other                   2',
  ].join('\n'));
});

test('blanks, not NaN; a Total row shows no concatenated text (SSDSSD…, monolithmonolith…)', () => {
  const text = renderTable({ index: ['a', 'b', 'Total'], columns: ['VMs', 'Storage Group', 'aggregation'], data: [[1, 'SSD', 'monolith'], [null, 'SSD', 'monolith'], [1, 'SSDSSD', 'monolithmonolith']] });
  assert.not.match(text, /NaN|SSDSSD|monolithmonolith/);
  assert.match(text, /^Total\s+1$/m);
});

test.run();
