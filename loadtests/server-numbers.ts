// The server's own numbers under load, set beside what the sizing modelled. Pure: samples come
// from server-sampler.ts, the modelled figures from the sizing config the plan was derived from.
//
// The measured CPU sharing factor: the sizing sums every service's cores (C_model) and lets one box
// hold them when C_model ≤ cores × sharing, assuming the services rarely peak together (default
// sharing 2). Under the plan's load the box really kept C_busy cores busy at peak, so the factor it
// showed is C_model / C_busy. A run below the plan's peak rate is scaled up linearly to it (stated
// in the report); RAM is not scaled (most of it is resident whatever the rate).
import { MAX_CPU_OVERCOMMIT } from '../common/server-spec.ts';

export interface ServerSample {
  /** seconds since the sampling started */
  t: number;
  /** cores busy over the last interval */
  cpuCores: number;
  ramGb: number;
  diskReadMBps: number;
  diskWriteMBps: number;
  /** free space on the data disk (GB); null when unknown */
  diskFreeGb: number | null;
}

export interface ServerPeaks {
  cpuCores: number;
  ramGb: number;
  diskReadMBps: number;
  diskWriteMBps: number;
  minDiskFreeGb: number | null;
}

export interface ModelFigures {
  sizingFile: string;
  month: string;
  cores: number;
  ramGb: number;
  /** the sharing factor the verdict assumes */
  assumedSharing: number;
}

export interface ServerVsModel {
  model: ModelFigures;
  /** busy cores at peak, scaled to the plan's peak rate */
  cpuAtPlanPeak: number;
  /** planned peak rate ÷ achieved rate (1 when the run reached it) */
  loadScale: number;
  measuredSharing: number;
  ramRatio: number;
}

export interface ServerNumbers {
  /** what was sampled: `local host`, `local pid 123`, or `prometheus <url>` */
  source: string;
  intervalS: number;
  /** the sampled box's cores and RAM, when known */
  cores: number | null;
  ramTotalGb: number | null;
  samples: ServerSample[];
  peak: ServerPeaks;
  vsModel?: ServerVsModel;
  /** why the comparison with the model is missing, when it is */
  note?: string;
  /** report lines for people */
  lines: string[];
}

const r2 = (x: number) => Math.round(x * 100) / 100;

export function peaks(samples: ServerSample[]): ServerPeaks {
  const max = (f: (s: ServerSample) => number) => r2(Math.max(0, ...samples.map(f)));
  const free = samples.map((s) => s.diskFreeGb).filter((x): x is number => x !== null);
  return {
    cpuCores: max((s) => s.cpuCores),
    ramGb: max((s) => s.ramGb),
    diskReadMBps: max((s) => s.diskReadMBps),
    diskWriteMBps: max((s) => s.diskWriteMBps),
    minDiskFreeGb: free.length ? r2(Math.min(...free)) : null,
  };
}

/** Busy cores and RAM against the model; null when nothing was busy enough to divide by. */
export function compareWithModel(peak: ServerPeaks, model: ModelFigures, rates: { achieved: number; plannedPeak: number }): ServerVsModel | null {
  if (!(peak.cpuCores > 0) || !(rates.achieved > 0)) return null;
  const loadScale = rates.plannedPeak > rates.achieved ? rates.plannedPeak / rates.achieved : 1;
  const cpuAtPlanPeak = peak.cpuCores * loadScale;
  return { model, cpuAtPlanPeak: r2(cpuAtPlanPeak), loadScale: r2(loadScale), measuredSharing: r2(model.cores / cpuAtPlanPeak), ramRatio: r2(peak.ramGb / model.ramGb) };
}

export function serverLines(n: Omit<ServerNumbers, 'lines'>): string[] {
  const p = n.peak;
  // a stand-in or an idle box uses hundredths of a core: keep two significant digits there
  const r1 = (x: number) => (Math.abs(x) > 0 && Math.abs(x) < 1 ? Number(x.toPrecision(2)) : Math.round(x * 10) / 10);
  const lines = [
    `server (${n.source}, every ${n.intervalS} s, ${n.samples.length} samples): CPU at peak ${r1(p.cpuCores)}${n.cores ? ` of ${n.cores}` : ''} cores, RAM at peak ${r1(p.ramGb)} GB${n.ramTotalGb ? ` of ${r1(n.ramTotalGb)} GB` : ''}, disk read ${r1(p.diskReadMBps)} MB/s, write ${r1(p.diskWriteMBps)} MB/s${p.minDiskFreeGb !== null ? `, free disk down to ${r1(p.minDiskFreeGb)} GB` : ''}`,
  ];
  const v = n.vsModel;
  if (v) {
    lines.push(`RAM at peak ${r1(p.ramGb)} GB vs ${r1(v.model.ramGb)} GB modelled (${v.model.sizingFile}, ${v.model.month})`);
    lines.push(`CPU ${r1(v.cpuAtPlanPeak)} cores busy at the plan's peak${v.loadScale > 1 ? ` (${r1(p.cpuCores)} measured × ${v.loadScale}, scaled linearly from the achieved rate)` : ''} vs ${r1(v.model.cores)} cores modelled → sharing factor ${v.measuredSharing} measured vs ${v.model.assumedSharing} assumed`);
  } else if (n.note) lines.push(`no comparison with the sizing: ${n.note}`);
  return lines;
}

/** The samples as CSV (one row per sample) for spreadsheets. */
export function samplesCsv(samples: ServerSample[]): string {
  const rows = ['t_s,cpu_cores,ram_gb,disk_read_mb_s,disk_write_mb_s,disk_free_gb'];
  for (const s of samples) rows.push([s.t, s.cpuCores, s.ramGb, s.diskReadMBps, s.diskWriteMBps, s.diskFreeGb ?? ''].join(','));
  return rows.join('\n') + '\n';
}

/**
 * What `load calibrate` proposes from a run's server numbers: the measured CPU sharing factor as
 * the verdict's --cpu-overcommit (server YAML cpu_overcommit), and the RAM the box really used.
 */
export function sharingProposal(run: { runId: string; server?: ServerNumbers }): string[] {
  const n = run.server;
  if (!n) return ['', 'server numbers: none in this run (sample them with `load run --local` or `--prometheus`)'];
  const v = n.vsModel;
  if (!v) return ['', ...n.lines];
  // the verdict accepts a sharing factor from 1 to MAX_CPU_OVERCOMMIT
  const cap = Math.max(1, Math.min(MAX_CPU_OVERCOMMIT, v.measuredSharing));
  return [
    '', 'Server numbers of the run:', ...n.lines.map((l) => `  ${l}`), '',
    `Proposed CPU sharing factor: ${r2(cap)} (was ${v.model.assumedSharing}; measured by ccready load run ${run.runId})`,
    `  ccready size ${v.model.sizingFile} --cpu-overcommit ${r2(cap)}     # or cpu_overcommit: ${r2(cap)} in the server YAML`,
    ...(cap < v.measuredSharing ? [`  (the measured ${v.measuredSharing} is capped at ${MAX_CPU_OVERCOMMIT}, the most the verdict accepts)`] : []),
    ...(cap > v.measuredSharing ? [`  (the box kept more cores busy than the model sums: the per-service cores of the sizing are too low, a sharing factor cannot fix that)`] : []),
    `RAM: the box used ${r2(n.peak.ramGb)} GB at peak, ${r2(v.ramRatio * 100)} % of the ${r2(v.model.ramGb)} GB modelled; the model's per-service RAM is left as it is (a short run does not fill caches)`,
  ];
}
