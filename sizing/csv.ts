// One CSV per table of a sizing run, plus sizing.json: the files `ccready size --out DIR` writes.
// Kept apart from sizing/format.ts, and the CSV library is loaded only here: a run without --out never pays for it.
import { jsonText } from './format.ts';
import type { ModelResult, SizingConfig, Table } from './types.ts';

function tableCsv(stringify: (rows: unknown[][]) => string, t: Table): string {
  const head = ['', ...t.columns.map((c) => (Array.isArray(c) ? c.join(' / ') : c))];
  return stringify([head, ...t.data.map((r, i) => [t.index[i]!, ...r.map((c) => (c === null ? '' : c))])]);
}

const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, '_');

/** Files for `--out DIR`: one CSV per table plus sizing.json. */
export async function outputFiles(config: SizingConfig, result: ModelResult): Promise<Record<string, string>> {
  const { stringify } = await import('csv-stringify/sync');
  const csv = (t: Table) => tableCsv(stringify, t);
  const files: Record<string, string> = { 'sizing.json': jsonText(config, result) };
  for (const s of result.sets) {
    const base = `${safe(s.name)}/`;
    files[`${base}usage.csv`] = csv(s.usage);
    files[`${base}service_data.csv`] = csv(s.service_data);
    files[`${base}summary_data.csv`] = csv(s.summary_data);
    for (const [d, sm] of Object.entries(s.summaries)) {
      for (const k of ['service_summary', 'storage_by_group', 'vm_slabs', 'vm_aggs'] as const) files[`${base}${d}/${k}.csv`] = csv(sm[k]);
    }
    for (const sec of ['comparisons', 'incrementals'] as const) {
      const c = s[sec];
      if (c) for (const k of ['storage_by_category', 'storage_by_group', 'compute'] as const) files[`${base}${sec}/${k}.csv`] = csv(c[k]);
    }
  }
  if (result.set_comparison) {
    for (const k of ['storage_by_category', 'storage_by_group', 'compute'] as const) files[`set_comparison/${k}.csv`] = csv(result.set_comparison[k]);
  }
  return files;
}
