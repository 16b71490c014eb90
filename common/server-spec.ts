// The one grammar for `--server` (used by `ccready size` and `verify --local`): the short form
// `8c/32GB/2TB[/ssd|hdd]` (cores also as 8vcpu/8cpu/8cores; bare numbers mean GB for RAM and TB for
// disk) or a YAML file with cores, ram_gb, disk_tb, disk_type, cpu_overcommit. docs/verdict.md
// describes it. `resolveServerSpec` is the only function here that reads a file.
import { existsSync, readFileSync } from 'node:fs';
import { yamlLib } from './yaml.ts';
import { UsageError, inputError } from './errors.ts';

export type DiskType = 'ssd' | 'hdd';

export interface ServerSpec {
  cores: number;
  ram_gb: number;
  disk_tb: number;
  disk_type: DiskType;
  /**
   * CPU sharing factor: the cores limit is `cores × cpu_overcommit`. On one box the services'
   * processes time-share the CPU and rarely peak together, so their summed per-service cores may
   * exceed the physical cores (RAM cannot be shared like this). 1 = strict, one core per core.
   */
  cpu_overcommit: number;
  /** where the spec came from: `--server 8c/32GB/2TB`, a YAML file, or the default */
  source: string;
}

/** The seeds' target box for the containerised single server: 8 vCPU, 32 GB RAM, 2 TB SSD (commcare-cloud's monolith minimum). */
export const DEFAULT_SERVER: ServerSpec = { cores: 8, ram_gb: 32, disk_tb: 2, disk_type: 'ssd', cpu_overcommit: 2, source: 'default (the seeds\' single-server box)' };

/** Default CPU sharing factor (docs/verdict.md, "CPU sharing"). */
export const DEFAULT_CPU_OVERCOMMIT = 2;
/** Above this the cores limit stops meaning anything: every process would be starved at once. */
export const MAX_CPU_OVERCOMMIT = 8;

const OVERCOMMIT_HINT = `expected a number from 1 (strict: one service core per server core) to ${MAX_CPU_OVERCOMMIT}, default ${DEFAULT_CPU_OVERCOMMIT}`;

/** Checks a CPU sharing factor (from `--cpu-overcommit` or the YAML); null when it is not valid. */
function validOvercommit(v: unknown): number | null {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(v) ? Number(v) : NaN;
  return Number.isFinite(n) && n >= 1 && n <= MAX_CPU_OVERCOMMIT ? n : null;
}

/** Parses the `--cpu-overcommit` value (a string or number from the command line). */
export function parseCpuOvercommit(value: unknown, flag = '--cpu-overcommit'): number {
  const n = validOvercommit(value);
  if (n === null) throw new UsageError(`${flag}: ${OVERCOMMIT_HINT}, got ${JSON.stringify(value)}`);
  return n;
}

const SPEC_HINT = 'expected CORESc/RAM/DISK[/ssd|hdd], e.g. 8c/32GB/2TB/ssd';

function parseSize(part: string, unitDefault: 'GB' | 'TB', what: string, flag: string, raw: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(gb|tb|g|t)?$/i.exec(part.trim());
  if (!m) throw new UsageError(`${flag}: ${what} "${part}" is not a size like 32GB or 2TB (${SPEC_HINT}, got "${raw}")`);
  const n = Number(m[1]);
  const unit = (m[2] ?? unitDefault).toUpperCase().startsWith('T') ? 'TB' : 'GB';
  if (!(n > 0)) throw new UsageError(`${flag}: ${what} must be greater than 0, got "${part}"`);
  return unit === unitDefault ? n : unit === 'TB' ? n * 1000 : n / 1000;
}

/** Parses `8c/32GB/2TB[/ssd|hdd]` (cores may also be written `8vcpu` / `8cpu` / `8cores`). */
export function parseServerSpec(text: string, flag = '--server'): ServerSpec {
  const raw = text.trim();
  const parts = raw.split('/').map((p) => p.trim());
  if (parts.length < 3 || parts.length > 4 || parts.some((p) => p === '')) {
    throw new UsageError(`${flag}: ${SPEC_HINT}, got "${raw}"`);
  }
  const cm = /^(\d+)\s*(c|cpu|cpus|vcpu|vcpus|cores?)$/i.exec(parts[0]!);
  if (!cm) throw new UsageError(`${flag}: cores "${parts[0]}" must be a whole number followed by c, e.g. 8c (${SPEC_HINT})`);
  const cores = Number(cm[1]);
  if (!(cores > 0)) throw new UsageError(`${flag}: cores must be at least 1, got "${parts[0]}"`);
  const ram_gb = parseSize(parts[1]!, 'GB', 'RAM', flag, raw);
  const disk_tb = parseSize(parts[2]!, 'TB', 'disk', flag, raw);
  let disk_type: DiskType = 'ssd';
  if (parts[3] !== undefined) {
    const t = parts[3].toLowerCase();
    if (t !== 'ssd' && t !== 'hdd') throw new UsageError(`${flag}: disk type "${parts[3]}" must be ssd or hdd`);
    disk_type = t;
  }
  return { cores, ram_gb, disk_tb, disk_type, cpu_overcommit: DEFAULT_CPU_OVERCOMMIT, source: `${flag} ${raw}` };
}

const YAML_KEYS = ['cores', 'ram_gb', 'disk_tb', 'disk_type', 'cpu_overcommit'] as const;

/** Parses the server YAML (`cores`, `ram_gb`, `disk_tb`, optional `disk_type: ssd|hdd`, `cpu_overcommit`). */
export function parseServerYaml(text: string, file: string): ServerSpec {
  let doc: unknown;
  try {
    doc = yamlLib().parse(text);
  } catch (e) {
    throw inputError(file, undefined, `not valid YAML: ${String((e as Error).message).split('\n')[0]}`);
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    throw inputError(file, undefined, `expected a mapping with keys ${YAML_KEYS.join(', ')}`);
  }
  const obj = doc as Record<string, unknown>;
  for (const k of Object.keys(obj)) {
    if (!(YAML_KEYS as readonly string[]).includes(k)) throw inputError(file, k, `unknown key (expected ${YAML_KEYS.join(', ')})`);
  }
  const num = (key: string, integer: boolean): number => {
    const v = obj[key];
    if (v === undefined) throw inputError(file, key, `missing (expected ${integer ? 'a whole number' : 'a number'} greater than 0)`);
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0 || (integer && !Number.isInteger(v))) {
      throw inputError(file, key, `expected ${integer ? 'a whole number' : 'a number'} greater than 0, got ${JSON.stringify(v)}`);
    }
    return v;
  };
  const cores = num('cores', true);
  const ram_gb = num('ram_gb', false);
  const disk_tb = num('disk_tb', false);
  let disk_type: DiskType = 'ssd';
  if (obj.disk_type !== undefined) {
    const t = typeof obj.disk_type === 'string' ? obj.disk_type.toLowerCase() : '';
    if (t !== 'ssd' && t !== 'hdd') throw inputError(file, 'disk_type', `expected ssd or hdd, got ${JSON.stringify(obj.disk_type)}`);
    disk_type = t;
  }
  let cpu_overcommit = DEFAULT_CPU_OVERCOMMIT;
  if (obj.cpu_overcommit !== undefined) {
    const n = typeof obj.cpu_overcommit === 'number' ? validOvercommit(obj.cpu_overcommit) : null;
    if (n === null) throw inputError(file, 'cpu_overcommit', `${OVERCOMMIT_HINT}, got ${JSON.stringify(obj.cpu_overcommit)}`);
    cpu_overcommit = n;
  }
  return { cores, ram_gb, disk_tb, disk_type, cpu_overcommit, source: file };
}

/**
 * `--server` value: a YAML file when it names one (or ends in .yml/.yaml), else the short form.
 * `cpuOvercommit` (the `--cpu-overcommit` flag) wins over the YAML's `cpu_overcommit`.
 */
export function resolveServerSpec(arg: string | undefined, flag = '--server', cpuOvercommit?: unknown, overcommitFlag = '--cpu-overcommit'): ServerSpec {
  // checked first: a bad flag is reported even when the server file is fine
  const oc = cpuOvercommit === undefined ? undefined : parseCpuOvercommit(cpuOvercommit, overcommitFlag);
  let spec: ServerSpec;
  if (arg === undefined || arg.trim() === '') spec = { ...DEFAULT_SERVER };
  else if (/\.ya?ml$/i.test(arg) || existsSync(arg)) {
    let text: string;
    try {
      text = readFileSync(arg, 'utf8');
    } catch {
      throw new UsageError(`${flag}: cannot read server file ${arg}`);
    }
    spec = parseServerYaml(text, arg);
  } else spec = parseServerSpec(arg, flag);
  return oc === undefined ? spec : { ...spec, cpu_overcommit: oc };
}

export function formatServerSpec(s: ServerSpec): string {
  return `${s.cores} cores, ${s.ram_gb} GB RAM, ${s.disk_tb} TB ${s.disk_type.toUpperCase()}`;
}

/** The cores the services may add up to on this server: physical cores × the CPU sharing factor. */
export function coresCapacity(s: ServerSpec): number {
  return s.cores * s.cpu_overcommit;
}

/** The short form back: `8c/32GB/2TB/ssd` (what `--server` takes). */
export function shortServerSpec(s: ServerSpec): string {
  return `${s.cores}c/${s.ram_gb}GB/${s.disk_tb}TB/${s.disk_type}`;
}
