// Samples the server while a load test runs: CPU, RAM, disk IO and free disk every few seconds,
// either on the box itself (`--local`: /proc, the whole host or the given processes) or from its
// Prometheus (`--prometheus`: node_exporter series over the run, read once at the end). The /proc
// parsers are pure and unit-tested; server-numbers.ts compares the result with the sizing.
import { existsSync, readFileSync, statfsSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { UsageError } from '../common/errors.ts';
import { compareWithModel, peaks, serverLines, type ModelFigures, type ServerNumbers, type ServerSample } from './server-numbers.ts';

export type SamplerSource =
  | { kind: 'local'; pids?: number[]; dataPath?: string }
  | { kind: 'prometheus'; url: string; mountpoint?: string };

export interface SamplerOptions {
  source: SamplerSource;
  intervalS?: number;
}

const GB = 1e9;
const MB = 1e6;
/** USER_HZ: /proc reports CPU time in these ticks on every Linux architecture Node runs on. */
const TICKS = 100;

/** /proc/stat's first line: busy and total jiffies of all CPUs together. */
export function parseProcStat(text: string): { busy: number; total: number } {
  const f = (/^cpu\s+(.*)$/m.exec(text)?.[1] ?? '').trim().split(/\s+/).map(Number);
  // user nice system idle iowait irq softirq steal (guest time is already inside user)
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = f;
  const busy = user + nice + system + irq + softirq;
  return { busy, total: busy + idle + iowait + steal };
}

/** /proc/meminfo → bytes in use (MemTotal − MemAvailable) and MemTotal. */
export function parseMeminfo(text: string): { usedBytes: number; totalBytes: number } {
  const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? 0) * 1024;
  return { usedBytes: kb('MemTotal') - kb('MemAvailable'), totalBytes: kb('MemTotal') };
}

/** /proc/diskstats → bytes read and written by the whole disks named (partitions would count twice). */
export function parseDiskstats(text: string, wholeDisks: Set<string>): { readBytes: number; writeBytes: number } {
  let read = 0;
  let write = 0;
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10 || !wholeDisks.has(f[2]!)) continue;
    read += Number(f[5]) * 512;
    write += Number(f[9]) * 512;
  }
  return { readBytes: read, writeBytes: write };
}

/** /proc/<pid>/stat → CPU ticks used (utime + stime); the command name may hold spaces and parens. */
export function parsePidStat(text: string): number {
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return Number(rest[11]) + Number(rest[12]);
}

export function parsePidStatus(text: string): number {
  return Number(/^VmRSS:\s+(\d+)/m.exec(text)?.[1] ?? 0) * 1024;
}

export function parsePidIo(text: string): { readBytes: number; writeBytes: number } {
  const n = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? 0);
  return { readBytes: n('read_bytes'), writeBytes: n('write_bytes') };
}

interface Reading {
  at: number;
  cpuTicks: number;
  cpuTotal: number;
  ramBytes: number;
  readBytes: number;
  writeBytes: number;
  freeBytes: number | null;
}

function freeBytes(path: string): number | null {
  try {
    const s = statfsSync(path);
    return s.bavail * s.bsize;
  } catch {
    return null;
  }
}

const read = (p: string) => readFileSync(p, 'utf8');

function readLocal(src: Extract<SamplerSource, { kind: 'local' }>, disks: Set<string>): Reading {
  const at = performance.now();
  const free = freeBytes(src.dataPath ?? '/');
  if (src.pids?.length) {
    let ticks = 0;
    let ram = 0;
    let rd = 0;
    let wr = 0;
    for (const pid of src.pids) {
      try {
        ticks += parsePidStat(read(`/proc/${pid}/stat`));
        ram += parsePidStatus(read(`/proc/${pid}/status`));
      } catch {
        continue; // the process ended: it uses nothing any more
      }
      try {
        const io = parsePidIo(read(`/proc/${pid}/io`));
        rd += io.readBytes;
        wr += io.writeBytes;
      } catch {
        /* /proc/<pid>/io is unreadable for another user's process: no disk figures for it */
      }
    }
    return { at, cpuTicks: ticks, cpuTotal: 0, ramBytes: ram, readBytes: rd, writeBytes: wr, freeBytes: free };
  }
  const cpu = parseProcStat(read('/proc/stat'));
  const disk = parseDiskstats(read('/proc/diskstats'), disks);
  return { at, cpuTicks: cpu.busy, cpuTotal: cpu.total, ramBytes: parseMeminfo(read('/proc/meminfo')).usedBytes, readBytes: disk.readBytes, writeBytes: disk.writeBytes, freeBytes: free };
}

/** One sample from two readings: rates over the interval between them. */
export function sampleBetween(a: Reading, b: Reading, t0: number, ncpu: number, perProcess: boolean): ServerSample {
  const dt = Math.max(0.001, (b.at - a.at) / 1000);
  const cores = perProcess ? (b.cpuTicks - a.cpuTicks) / TICKS / dt : b.cpuTotal > a.cpuTotal ? ((b.cpuTicks - a.cpuTicks) / (b.cpuTotal - a.cpuTotal)) * ncpu : 0;
  const r3 = (x: number) => Math.round(x * 1000) / 1000;
  return {
    t: r3((b.at - t0) / 1000),
    cpuCores: r3(Math.max(0, cores)),
    ramGb: r3(b.ramBytes / GB),
    diskReadMBps: r3(Math.max(0, b.readBytes - a.readBytes) / MB / dt),
    diskWriteMBps: r3(Math.max(0, b.writeBytes - a.writeBytes) / MB / dt),
    diskFreeGb: b.freeBytes === null ? null : r3(b.freeBytes / GB),
  };
}

export type RawNumbers = Omit<ServerNumbers, 'lines' | 'vsModel' | 'note'>;

export interface ServerSampling {
  stop(): Promise<RawNumbers>;
}

function wholeDisks(): Set<string> {
  const out = new Set<string>();
  try {
    for (const line of read('/proc/diskstats').split('\n')) {
      const name = line.trim().split(/\s+/)[2];
      if (name && !/^(loop|ram|zram|sr|fd)/.test(name) && existsSync(`/sys/block/${name}`)) out.add(name);
    }
  } catch {
    /* no /proc/diskstats: no disk IO figures */
  }
  return out;
}

/** Flag checks that need no run: /proc is there, the processes exist, the interval is sane. */
export function checkSampler(o: SamplerOptions): void {
  const intervalS = o.intervalS ?? 2;
  if (!(Number.isFinite(intervalS) && intervalS >= 0.5 && intervalS <= 60)) throw new UsageError(`--sample-every: expected seconds from 0.5 to 60, got ${intervalS}`);
  if (o.source.kind !== 'local') return;
  if (!existsSync('/proc/stat')) throw new UsageError('--local: this system has no /proc to sample; run on the Linux server itself, or use --prometheus');
  for (const pid of o.source.pids ?? []) if (!existsSync(`/proc/${pid}/stat`)) throw new UsageError(`--local-pid: no process ${pid} on this box`);
}

function startLocal(src: Extract<SamplerSource, { kind: 'local' }>, intervalS: number): ServerSampling {
  const disks = wholeDisks();
  const ncpu = cpus().length;
  const perProcess = Boolean(src.pids?.length);
  const first = readLocal(src, disks);
  let last = first;
  const samples: ServerSample[] = [];
  const tick = () => {
    const now = readLocal(src, disks);
    samples.push(sampleBetween(last, now, first.at, ncpu, perProcess));
    last = now;
  };
  const timer = setInterval(tick, intervalS * 1000);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      // the tail of the run since the last tick, when it is long enough to be a rate
      if (performance.now() - last.at > 250) tick();
      return { source: perProcess ? `local pid ${src.pids!.join(', ')}` : 'local host', intervalS, cores: ncpu, ramTotalGb: Math.round((totalmem() / GB) * 100) / 100, samples, peak: peaks(samples) };
    },
  };
}

async function promRange(base: string, query: string, start: number, end: number, stepS: number): Promise<[number, number][]> {
  const u = new URL('api/v1/query_range', base.endsWith('/') ? base : `${base}/`);
  u.search = new URLSearchParams({ query, start: String(start), end: String(end), step: String(stepS) }).toString();
  const res = await fetch(u, { signal: AbortSignal.timeout(10_000) });
  const body = (await res.json()) as { status: string; error?: string; data?: { result: { values: [number, string][] }[] } };
  if (body.status !== 'success') throw new Error(`${u.pathname}: ${body.error ?? `HTTP ${res.status}`}`);
  return (body.data?.result[0]?.values ?? []).map(([t, v]) => [t, Number(v)]);
}

function startPrometheus(src: Extract<SamplerSource, { kind: 'prometheus' }>, intervalS: number): ServerSampling {
  const start = Date.now() / 1000;
  const mp = (src.mountpoint ?? '/').replace(/["\\]/g, '');
  return {
    async stop() {
      const end = Date.now() / 1000;
      const q = (query: string) => promRange(src.url, query, start, end, intervalS);
      // irate over a wide window: the last two scrapes, whatever the scrape interval
      const [cpu, ram, rd, wr, free, cores, total] = await Promise.all([
        q('sum(irate(node_cpu_seconds_total{mode!~"idle|iowait|steal"}[5m]))'),
        q('sum(node_memory_MemTotal_bytes - node_memory_MemAvailable_bytes)'),
        q('sum(irate(node_disk_read_bytes_total[5m]))'),
        q('sum(irate(node_disk_written_bytes_total[5m]))'),
        q(`min(node_filesystem_avail_bytes{mountpoint="${mp}"})`),
        q('count(node_cpu_seconds_total{mode="idle"})'),
        q('sum(node_memory_MemTotal_bytes)'),
      ]);
      const at = (series: [number, number][], t: number) => series.find(([x]) => x === t)?.[1];
      const r3 = (x: number) => Math.round(x * 1000) / 1000;
      const samples: ServerSample[] = cpu.map(([t, c]) => ({
        t: r3(t - start),
        cpuCores: r3(c),
        ramGb: r3((at(ram, t) ?? 0) / GB),
        diskReadMBps: r3((at(rd, t) ?? 0) / MB),
        diskWriteMBps: r3((at(wr, t) ?? 0) / MB),
        diskFreeGb: at(free, t) === undefined ? null : r3(at(free, t)! / GB),
      }));
      return { source: `prometheus ${src.url}`, intervalS, cores: cores.at(-1)?.[1] ?? null, ramTotalGb: total.length ? r3(total.at(-1)![1] / GB) : null, samples, peak: peaks(samples) };
    },
  };
}

export function startServerSampling(o: SamplerOptions): ServerSampling {
  checkSampler(o);
  const intervalS = o.intervalS ?? 2;
  return o.source.kind === 'local' ? startLocal(o.source, intervalS) : startPrometheus(o.source, intervalS);
}

/** The cores and RAM the sizing modelled for the plan's month, on the default single server. */
export async function modelFigures(sizingFile: string, month: string | undefined): Promise<ModelFigures | string> {
  if (!existsSync(sizingFile)) return `the plan's sizing config ${sizingFile} is not found from here`;
  const { loadSizingConfig, runModel, computeVerdict } = await import('../sizing/index.ts');
  const { resolveServerSpec } = await import('../common/server-spec.ts');
  const server = resolveServerSpec(undefined);
  const v = computeVerdict(runModel(loadSizingConfig(sizingFile)), server);
  const m = (month ? v.monthly.find((x) => x.month === month) : undefined) ?? v.monthly.at(-1);
  if (!m) return `the sizing config ${sizingFile} has no months`;
  return { sizingFile, month: m.month, cores: m.cores, ramGb: m.ramGb, assumedSharing: server.cpu_overcommit };
}

/** Stops the sampling and sets the numbers beside the model of the plan's sizing config. */
export async function finishSampling(s: ServerSampling, ctx: { sizingFile?: string; month?: string; achievedRate: number; plannedPeakRate: number }): Promise<ServerNumbers> {
  let raw: RawNumbers;
  try {
    raw = await s.stop();
  } catch (e) {
    const n = { source: 'unavailable', intervalS: 0, cores: null, ramTotalGb: null, samples: [], peak: peaks([]), note: `the server numbers could not be read: ${(e as Error).message}` };
    return { ...n, lines: serverLines(n) };
  }
  let note: string | undefined;
  let vsModel;
  if (!raw.samples.length) note = 'no samples (the run was shorter than one interval)';
  else if (!ctx.sizingFile) note = 'the plan was not derived from a sizing config (`ccready load plan --sizing`)';
  else {
    const model = await modelFigures(ctx.sizingFile, ctx.month);
    if (typeof model === 'string') note = model;
    else vsModel = compareWithModel(raw.peak, model, { achieved: ctx.achievedRate, plannedPeak: ctx.plannedPeakRate }) ?? undefined;
    if (!vsModel && !note) note = 'no CPU use or no request rate measured to compare';
  }
  const n = { ...raw, ...(vsModel ? { vsModel } : {}), ...(note ? { note } : {}) };
  return { ...n, lines: serverLines(n) };
}
