// The `--vary` chart (issue 16 item 3): its data follow the what-if rows (peak disk, RAM, cores
// against the server; the month each limit is first crossed), and it renders in the HTML report.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { EXAMPLE_CONFIG, loadSizingConfig, runModel, scaleField, varyRows } from '../../sizing/index.ts';
import { DEFAULT_SERVER } from '../../common/server-spec.ts';
import { varyAxis, varyChartSpec } from '../sizing-vary-chart.ts';
import { buildSizingHtml } from '../sizing-html.ts';

const cfg = loadSizingConfig(EXAMPLE_CONFIG);
const rows = varyRows('forms_monthly', [0.5, 4, 12, 20], DEFAULT_SERVER, {}, (f, x) => runModel(scaleField(cfg, f, x)));

type Layer = { title: string; data: { values: Record<string, unknown>[] } };
const panels = (spec: unknown): Layer[] => (spec as { vconcat: { hconcat: Layer[] }[] }).vconcat.flatMap((r) => r.hconcat);

test('the chart data are the what-if peaks and crossings, factor by factor', () => {
  const spec = varyChartSpec(rows)!;
  assert.ok(spec);
  const [disk, ram, cores, crossing] = panels(spec);
  const need = (p: Layer) => p.data.values.filter((v) => v.series === 'peak need').map((v) => [v.factor, v.value]);
  const peak = (key: string) => rows.map((r) => [Number(r.vars['forms_monthly ×']), Math.round(r.verdict.limits.find((l) => l.key === key)!.peak! * 10) / 10]);
  assert.equal(need(disk!), peak('storage'));
  assert.equal(need(ram!), peak('ram'));
  assert.equal(need(cores!), peak('cores'));
  // the capacity line is the server's; more forms, an earlier crossing
  assert.ok(disk!.data.values.filter((v) => v.series === 'server capacity').every((v) => v.value === DEFAULT_SERVER.disk_tb * 1000));
  const crossed = crossing!.data.values.map((v) => [v.factor, v.limit, v.month]);
  const expected = rows.flatMap((r) => r.verdict.limits.filter((l) => l.firstCrossed).map((l) => [Number(r.vars['forms_monthly ×']), l.key === 'storage' ? 'disk' : l.label, `${l.firstCrossed}-01`]));
  assert.ok(new Set(expected.map((e) => e[0])).size >= 2, 'the range crosses a limit at two factors or more');
  assert.equal(crossed, expected);
  const ramCrossed = crossed.filter((c) => c[1] === 'RAM');
  assert.ok(String(ramCrossed[0]![2]) > String(ramCrossed.at(-1)![2]), 'more forms exhaust RAM sooner');
});

test('rows that are not a --vary (a --var list) get no chart; the HTML report carries the chart with --vary', async () => {
  assert.is(varyAxis([{ vars: { users: '800' }, verdict: rows[0]!.verdict }]), null);
  const html = await buildSizingHtml(runModel(cfg), [rows[0]!.verdict], { whatIf: rows });
  assert.match(html, /<div class="chart vary"><svg[^]*Sensitivity to forms_monthly[^]*<\/svg><\/div>/);
  assert.match(html, /first month over a limit/);
  const plain = await buildSizingHtml(runModel(cfg), [rows[0]!.verdict], { whatIf: [{ vars: { users: '800' }, verdict: rows[0]!.verdict }] });
  assert.not.match(plain, /chart vary/);
});

test.run();
