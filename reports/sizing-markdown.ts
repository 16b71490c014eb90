// A short Markdown summary of the verdict, written to be pasted into a procurement request: what to
// buy, why, until when it lasts, and where the numbers come from.
import { fitsUntilText, memorySplitRows, memorySplitSources, memorySplitSummary, fmt, formatCoresCapacity, purchaseLines, limitRows, whatIfRows, type ModelResult, type Verdict, type WhatIfRow } from '../sizing/index.ts';
import { DEFAULT_SERVER, formatServerSpec } from '../common/server-spec.ts';

const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function mdTable(rows: string[][]): string {
  const [head, ...body] = rows;
  return [
    `| ${head!.map(cell).join(' | ')} |`,
    `|${head!.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`,
    ...body.map((r) => `| ${r.map(cell).join(' | ')} |`),
  ].join('\n');
}

export interface MarkdownOptions {
  configName?: string;
  whatIf?: WhatIfRow[];
  generatedAt?: Date;
}

export function buildSizingMarkdown(result: ModelResult, verdicts: Verdict[], opts: MarkdownOptions = {}): string {
  const out: string[] = [];
  out.push(`# Server sizing${opts.configName ? `: ${opts.configName}` : ''}`);
  out.push('');
  out.push(`Generated ${(opts.generatedAt ?? new Date()).toISOString().slice(0, 10)} by ccready from the CommCare resource model${opts.configName ? ` config \`${opts.configName}\`` : ''}.`);
  for (const v of verdicts) {
    out.push('');
    if (verdicts.length > 1 || v.set !== 'default') out.push(`## Set ${v.set}`, '');
    const first = v.limits.filter((l) => l.firstCrossed !== null).sort((a, b) => (a.firstCrossed! < b.firstCrossed! ? -1 : 1))[0];
    out.push(
      `**Verdict: ${v.fits ? 'FITS' : 'DOES NOT FIT'}** on one server of ${formatServerSpec(v.server)} ` +
        `for the planned usage ${v.horizon.start} to ${v.horizon.end} (${v.horizon.months} months)` +
        (first ? `; first limit crossed: ${first.message}.` : '.') +
        (fitsUntilText(v) ? ` ${fitsUntilText(v)}.` : ''),
    );
    out.push('');
    out.push(`**Recommended configuration:** ${v.tier.name} (${v.tier.servers}).`);
    for (const r of v.tier.reasons) out.push(`- ${r}`);
    out.push('');
    for (const line of purchaseLines(v)) out.push(`- **${line.replace(/^([^:]+):/, '$1:**')}`);
    out.push('');
    out.push('### Requested hardware');
    out.push('');
    const min = v.minimumServer;
    const need = {
      cores: Math.max(min.cores, DEFAULT_SERVER.cores),
      ram: Math.max(min.ram_gb, DEFAULT_SERVER.ram_gb),
      disk: Math.max(min.disk_tb, DEFAULT_SERVER.disk_tb),
    };
    if (v.tier.name === 'single server') {
      out.push(
        mdTable([
          ['item', 'requested', 'needed by the model at peak', 'single-server minimum (guide 1.2)'],
          ['vCPU', String(Math.max(v.server.cores, need.cores)), `${fmt(min.cores)} (at CPU sharing ${fmt(v.server.cpu_overcommit)})`, String(DEFAULT_SERVER.cores)],
          ['RAM (GB)', fmt(Math.max(v.server.ram_gb, need.ram)), fmt(min.ram_gb), String(DEFAULT_SERVER.ram_gb)],
          ['Disk (TB, SSD)', fmt(Math.max(v.server.disk_tb, need.disk)), fmt(min.disk_tb), String(DEFAULT_SERVER.disk_tb)],
        ]),
      );
    } else {
      out.push(
        `The planned usage needs a ${v.tier.name} (${v.tier.servers}), not a single server. ` +
          `The model's cluster layout at ${v.horizon.end} uses ${fmt(v.monthly[v.monthly.length - 1]!.clusterVms)} VMs, ` +
          `${fmt(v.monthly[v.monthly.length - 1]!.clusterCores)} cores and ${fmt(v.monthly[v.monthly.length - 1]!.clusterRamGb)} GB RAM (including HA); see the workbook for the VM list.`,
      );
    }
    out.push('');
    out.push('### Limits checked');
    out.push('');
    out.push(mdTable(limitRows(v)));
    if (v.memorySplit) out.push('', `### Memory split of the one server (${v.memorySplit.month})`, '', mdTable(memorySplitRows(v)), '', memorySplitSummary(v) + '.', '', 'commcare-cloud settings (monolith defaults) from:', '', ...memorySplitSources(v).map((s) => `- ${s}`));
    if (v.backup) out.push('', `Disk includes backups: peak ${fmt(v.backup.peakGb)} GB (${v.backup.assumption}).`);
    if (v.warnings.length) {
      out.push('');
      for (const w of v.warnings) out.push(`> Note: ${w}`);
    }
    out.push('');
    out.push(
      `Method: the resource model's per-service figures are added up for one shared server: each service's cores, RAM and data storage ` +
        `(with the model's storage and estimation buffers) without the HA copy, plus one operating system (${v.vmOsStorageGb} GB) instead of one per VM. ` +
        `The services time-share the CPU, so their summed cores are compared with ${formatCoresCapacity(v.server)} (CPU sharing factor; RAM and disk are not shared). ` +
        `Tier limits: single server < 1500 users and < 10,000 active cases per user; micro cluster < 3500; small cluster < 15,000; large cluster above.`,
    );
  }
  if (opts.whatIf && opts.whatIf.length > 0) {
    out.push('', '## What-if', '', mdTable(whatIfRows(opts.whatIf)), '', 'Peak over the horizon; "!" = over the limit; disk and RAM in GB.');
  }
  out.push('');
  void result;
  return out.join('\n');
}
