// The HTML report in a real headless Chromium: loads offline with no console errors and no
// requests, the Vega-Lite charts render as SVG, the verdict is on top, a screenshot is produced.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSizingHtml, renderVegaLiteSvg, resourceChartSpec, storageChartSpec, usersChartSpec } from '../sizing-html.ts';
import { checkHtmlInChromium, chromiumAvailable, CHROMIUM_PATH } from '../browser.ts';
import { computeVerdict } from '../../sizing/verdict.ts';
import { parseServerSpec } from '../../common/server-spec.ts';
import { golden, synthResult } from '../../sizing/test/verdict-fixtures.ts';

const dir = mkdtempSync(join(tmpdir(), 'ccready-sizing-html-'));

test('the storage chart stacks each month\'s groups to the monolith total, with the disk line', async () => {
  const g = golden('echis');
  const v = computeVerdict(g, parseServerSpec('8c/32GB/20TB'));
  const spec = storageChartSpec(v) as unknown as { layer: { data: { values: { month: string; gb: number; y?: number }[] } }[] };
  const values = spec.layer[0]!.data.values;
  for (const m of v.monthly) {
    const sum = values.filter((x) => x.month === `${m.month}-01`).reduce((a, x) => a + x.gb, 0);
    assert.ok(Math.abs(sum - m.storageGb) < 1, `${m.month}: ${sum} vs ${m.storageGb}`);
  }
  assert.is(spec.layer[1]!.data.values[0]!.y, 20000);
  const svg = await renderVegaLiteSvg(storageChartSpec(v));
  assert.match(svg, /^<svg/);
  assert.match(svg, /disk 20 TB/);
});

test('the cores chart draws the server line at cores × the CPU sharing factor; RAM stays one for one', async () => {
  const v = computeVerdict(golden('echis'), parseServerSpec('8c/32GB/20TB'));
  const cap = (spec: unknown) => (spec as { layer: { data: { values: { y?: number }[] } }[] }).layer[1]!.data.values[0]!.y;
  assert.is(cap(resourceChartSpec(v, 'cores')), 16);
  assert.is(cap(resourceChartSpec(v, 'ram')), 32);
  assert.is(cap(resourceChartSpec({ ...v, server: { ...v.server, cpu_overcommit: 1 } }, 'cores')), 8);
  assert.match(await renderVegaLiteSvg(resourceChartSpec(v, 'cores')), /server 8 × 2 CPU sharing = 16 cores/);
});

test('the users chart draws the tier thresholds up to the one above the peak', async () => {
  const small = computeVerdict(synthResult({ months: ['2027-01', '2027-02'], users: [100, 900], services: [] }), parseServerSpec('8c/32GB/2TB'));
  const svgSmall = await renderVegaLiteSvg(usersChartSpec(small));
  assert.match(svgSmall, /single server &lt; 1500/);
  assert.not.match(svgSmall, /micro cluster/);
  const big = computeVerdict(golden('echis'), parseServerSpec('8c/32GB/2TB'));
  const svgBig = await renderVegaLiteSvg(usersChartSpec(big));
  for (const t of ['single server &lt; 1500', 'micro cluster &lt; 3500', 'small cluster &lt; 15000']) assert.ok(svgBig.includes(t), t);
});

test('report opens in headless Chromium: verdict on top, charts render, no errors, no requests, screenshot', async () => {
  assert.ok(chromiumAvailable(), `Chromium not found at ${CHROMIUM_PATH} (npm test installs it with apt-get)`);
  const g = golden('bka-test');
  const v = computeVerdict(g, parseServerSpec('8c/32GB/2TB'));
  const html = await buildSizingHtml(g, [v], { configName: 'bka-test.yml' });
  // self-contained: no scripts, no external stylesheets, images or fonts
  assert.not.match(html, /<script|<link|src=|url\(/i);
  const path = join(dir, 'report.html');
  writeFileSync(path, html);
  const page = await checkHtmlInChromium(path);
  assert.equal(page.consoleErrors, []);
  assert.equal(page.failedRequests, []);
  assert.ok(page.svgCount >= 5, `charts rendered: ${page.svgCount}`);
  assert.is(page.title, 'CommCare HQ sizing verdict: bka-test.yml');
  // the verdict comes before the charts
  const verdictAt = page.text.indexOf('DOES NOT FIT on 8 cores, 32 GB RAM, 2 TB SSD');
  assert.ok(verdictAt >= 0 && verdictAt < page.text.indexOf('Charts'), 'verdict at the top');
  assert.match(page.text, /RAM exceeded in 2024-07/);
  assert.match(page.text, /Recommended: single server/);
  assert.match(page.text, /= on the server/);
  assert.ok(page.screenshot.length > 20_000, `screenshot ${page.screenshot.length} bytes`);
  assert.equal([...page.screenshot.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]); // PNG
  writeFileSync(join(dir, 'report.png'), page.screenshot);
});

test.run();
