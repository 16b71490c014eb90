// Loads a commcare_resource_model YAML config with the tool's rules (jsonobject 0.7.1 types and
// defaults, unknown keys rejected inside services), turning every mistake into one line that
// names the file, line:col and key path.
import { readFileSync } from 'node:fs';
import { UsageError } from '../common/errors.ts';
import { didYouMean } from '../common/did-you-mean.ts';
import { readConfigYaml } from './config-yaml.ts';
import { checkVars } from './what-if.ts';
import type {
  DateRange, LoadOptions, ProcessConfig, RawValue, ServiceConfig, SizingConfig, StorageConfig,
  StorageDataModel, SubProcess, UsageModel, UsageModelSlug, Y, YNum,
} from './types.ts';

export const MODEL_SLUGS: UsageModelSlug[] = [
  'date_range_value', 'derived_factor', 'derived_sum', 'product', 'cumulative',
  'cumulative_limited_lifespan', 'baseline_with_growth', 'invert_derived_factor',
];

class Ctx {
  constructor(readonly file: string) {}
  fail(y: Y | undefined, path: string, msg: string): never {
    const at = y ? y.where : this.file;
    throw new UsageError(`${at}: ${path}: ${msg}`);
  }
}

function describe(y: Y | undefined): string {
  if (!y) return 'nothing';
  if (y.kind === 'map') return 'a mapping';
  if (y.kind === 'seq') return 'a list';
  const v = y.value;
  if (v === null) return 'null';
  if (typeof v === 'string') return `the string ${JSON.stringify(v)}`;
  return `${typeof v} ${y.src || String(v)}`;
}

const isNull = (y: Y | undefined) => !y || (y.kind === 'scalar' && y.value === null);

function ynum(c: Ctx, y: Y | undefined, path: string): YNum {
  if (y?.kind === 'scalar' && typeof y.value === 'number' && Number.isFinite(y.value)) {
    const src = y.src.trim().toLowerCase();
    const int = Number.isInteger(y.value) && !(src.includes('.') || (!src.startsWith('0x') && src.includes('e')));
    return { value: y.value, int };
  }
  return c.fail(y, path, `expected a number, got ${describe(y)}`);
}

function int(c: Ctx, y: Y | undefined, path: string): number {
  const n = ynum(c, y, path);
  if (!n.int) c.fail(y, path, `expected an integer, got ${describe(y)}`);
  return n.value;
}

function optInt(c: Ctx, y: Y | undefined, path: string, dflt: number): number {
  return isNull(y) ? dflt : int(c, y, path);
}

function optDec(c: Ctx, y: Y | undefined, path: string): number | null {
  return isNull(y) ? null : ynum(c, y, path).value;
}

function str(c: Ctx, y: Y | undefined, path: string): string {
  if (y?.kind === 'scalar' && typeof y.value === 'string') return y.value;
  return c.fail(y, path, `expected a string, got ${describe(y)}`);
}

function optStr(c: Ctx, y: Y | undefined, path: string): string | null {
  return isNull(y) ? null : str(c, y, path);
}

function bool(c: Ctx, y: Y | undefined, path: string, dflt: boolean): boolean {
  if (isNull(y)) return dflt;
  if (y!.kind === 'scalar' && typeof y!.value === 'boolean') return y!.value;
  return c.fail(y, path, `expected true or false, got ${describe(y)}`);
}

function map(c: Ctx, y: Y | undefined, path: string): Map<string, Y> {
  if (y?.kind === 'map') return y.entries;
  return c.fail(y, path, `expected a mapping, got ${describe(y)}`);
}

function seq(c: Ctx, y: Y | undefined, path: string): Y[] {
  if (isNull(y)) return [];
  if (y!.kind === 'seq') return y!.items;
  return c.fail(y, path, `expected a list, got ${describe(y)}`);
}

function onlyKeys(c: Ctx, m: Map<string, Y>, allowed: string[], path: string, y: Y): void {
  for (const k of m.keys()) {
    if (!allowed.includes(k)) {
      c.fail(m.get(k) ?? y, path ? `${path}.${k}` : k, `unknown key${didYouMean(k, allowed)} (allowed: ${allowed.join(', ')})`);
    }
  }
}

/** A number, or a string that holds a `{var}` placeholder (applied per set). */
function raw(c: Ctx, y: Y | undefined, path: string): RawValue {
  if (y?.kind === 'scalar' && typeof y.value === 'string') {
    if (!/\{[^}]*\}/.test(y.value)) return c.fail(y, path, `expected a number or a {var} placeholder, got ${describe(y)}`);
    return y.value;
  }
  return ynum(c, y, path);
}

/**
 * Byte sizes as the tool reads them: `50KB` → 50 × 1000.0 (a float), a bare integer stays an
 * integer. Units are decimal (KB = 1e3 … TB = 1e12); only integer magnitudes are understood.
 */
function bytes(c: Ctx, y: Y | undefined, path: string): YNum {
  let n: YNum;
  if (y?.kind === 'scalar' && typeof y.value === 'string') {
    const m = /^(\d+)\s*([KMGT]B)/.exec(y.value);
    if (m) {
      const unit = { KB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12 }[m[2] as 'KB'];
      n = { value: Number(m[1]) * unit, int: false };
    } else if (/^\s*[-+]?\d+\s*$/.test(y.value)) {
      n = { value: Number(y.value), int: true };
    } else {
      return c.fail(y, path, `expected a size like 500, 50KB, 2TB (units KB, MB, GB, TB), got ${describe(y)}`);
    }
  } else {
    n = ynum(c, y, path);
    if (!n.int) c.fail(y, path, `expected a size like 500, 50KB, 2TB (an integer or integer with unit), got ${describe(y)}`);
  }
  if (n.value < 0) c.fail(y, path, `expected a non-negative size, got ${y && y.kind === 'scalar' ? y.src : ''}`);
  return n;
}

const MONTH_RE = /^(\d{4})-?(\d{2})(?:-?(\d{2}))?$/;

/** A date as the tool's YAML writes it ('20240701', '2024-07-01', '2024-07') → YYYY-MM-DD. */
export function parseDate(s: string): { iso: string; day: number } | null {
  const m = MONTH_RE.exec(s.trim());
  if (!m) return null;
  const y = Number(m[1]), mo = Number(m[2]), d = m[3] ? Number(m[3]) : 1;
  if (mo < 1 || mo > 12 || d < 1 || d > new Date(Date.UTC(y, mo, 0)).getUTCDate()) return null;
  return { iso: `${m[1]}-${m[2]}-${String(d).padStart(2, '0')}`, day: d };
}

function dateValue(c: Ctx, y: Y | undefined, path: string): string {
  let s: string | null = null;
  if (y?.kind === 'scalar') {
    if (typeof y.value === 'string') s = y.value;
    else if (typeof y.value === 'number' && Number.isInteger(y.value)) s = String(y.value);
    else if (y.value instanceof Date) s = y.value.toISOString().slice(0, 10);
  }
  const d = s === null ? null : parseDate(s);
  if (!d) return c.fail(y, path, `expected a date like '20240701' or '2024-07-01', got ${describe(y)}`);
  return d.iso;
}

function summaryDate(c: Ctx, y: Y | undefined, path: string): string {
  // the tool parses these with strptime('%Y-%m')
  const s = y?.kind === 'scalar' && typeof y.value === 'string' ? y.value : null;
  const m = s === null ? null : /^(\d{4})-(\d{1,2})$/.exec(s.trim());
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 12) {
    return c.fail(y, path, `expected a month like '2024-08', got ${describe(y)}`);
  }
  return `${m[1]}-${m[2].padStart(2, '0')}-01`;
}

// each model's keys (with `model`), and the required ones: built once, not per usage model
const MODEL_KEYS: Record<UsageModelSlug, string[]> = {
  date_range_value: ['model', 'ranges'],
  derived_factor: ['model', 'dependant_field', 'factor', 'start_with'],
  invert_derived_factor: ['model', 'dependant_field', 'factor', 'start_with'],
  derived_sum: ['model', 'dependant_fields', 'start_with'],
  product: ['model', 'dependant_fields'],
  cumulative: ['model', 'dependant_field', 'start_with'],
  cumulative_limited_lifespan: ['model', 'dependant_field', 'lifespan', 'start_with'],
  baseline_with_growth: ['model', 'dependant_field', 'baseline', 'monthly_growth', 'start_with'],
};
const MODEL_REQUIRED: Record<UsageModelSlug, string[]> = {
  date_range_value: ['ranges'],
  derived_factor: ['dependant_field', 'factor'],
  invert_derived_factor: ['dependant_field', 'factor'],
  derived_sum: ['dependant_fields'],
  product: ['dependant_fields'],
  cumulative: ['dependant_field'],
  cumulative_limited_lifespan: ['dependant_field', 'lifespan'],
  baseline_with_growth: ['dependant_field', 'baseline', 'monthly_growth'],
};

function usageModel(c: Ctx, name: string, y: Y): UsageModel {
  const path = `usage.${name}`;
  const m = map(c, y, path);
  const slugY = m.get('model');
  const slug = str(c, slugY, `${path}.model`);
  if (!MODEL_SLUGS.includes(slug as UsageModelSlug)) {
    c.fail(slugY, `${path}.model`, `unknown model '${slug}' (valid: ${MODEL_SLUGS.join(', ')})`);
  }
  const s = slug as UsageModelSlug;
  // the tool passes the keys as keyword arguments: an unknown one is a TypeError there
  onlyKeys(c, m, MODEL_KEYS[s], path, y);
  for (const k of MODEL_REQUIRED[s]) if (!m.has(k)) c.fail(y, `${path}.${k}`, `missing (required by model '${s}')`);
  const where = y.where;
  const startWith = (): RawValue => (m.has('start_with') && !isNull(m.get('start_with')) ? raw(c, m.get('start_with'), `${path}.start_with`) : { value: 0, int: true });
  const fields = (): string[] => {
    const items = seq(c, m.get('dependant_fields'), `${path}.dependant_fields`);
    if (items.length === 0) c.fail(m.get('dependant_fields'), `${path}.dependant_fields`, 'expected at least one field');
    return items.map((it, i) => str(c, it, `${path}.dependant_fields[${i}]`));
  };
  switch (s) {
    case 'date_range_value': {
      const rangesY = m.get('ranges');
      const items = seq(c, rangesY, `${path}.ranges`);
      if (items.length === 0) c.fail(rangesY, `${path}.ranges`, 'expected at least one range');
      const ranges: DateRange[] = items.map((it, i) => {
        const rp = `${path}.ranges[${i}]`;
        const parts = seq(c, it, rp);
        if (parts.length !== 2 && parts.length !== 3) {
          c.fail(it, rp, `expected [start, value] or [start, end, value], got ${parts.length} items`);
        }
        const start = dateValue(c, parts[0], `${rp}[0]`);
        const end = parts.length === 3 ? dateValue(c, parts[1], `${rp}[1]`) : start;
        const vi = parts.length - 1;
        if (parts.length === 2 && !start.endsWith('-01')) c.fail(parts[0], `${rp}[0]`, 'a one-month range must start on the 1st of a month');
        if (end < start) c.fail(it, rp, `end ${end.slice(0, 7)} is before start ${start.slice(0, 7)}`);
        return { start, end, value: raw(c, parts[vi], `${rp}[${vi}]`), keyPath: rp, where: it.where };
      });
      return { slug: s, name, ranges, keyPath: path, where };
    }
    case 'derived_factor':
    case 'invert_derived_factor':
      return { slug: s, name, dependant_field: str(c, m.get('dependant_field'), `${path}.dependant_field`), factor: raw(c, m.get('factor'), `${path}.factor`), start_with: startWith(), keyPath: path, where };
    case 'derived_sum':
      return { slug: s, name, dependant_fields: fields(), start_with: startWith(), keyPath: path, where };
    case 'product':
      return { slug: s, name, dependant_fields: fields(), keyPath: path, where };
    case 'cumulative':
      return { slug: s, name, dependant_field: str(c, m.get('dependant_field'), `${path}.dependant_field`), start_with: startWith(), keyPath: path, where };
    case 'cumulative_limited_lifespan': {
      const lifespan = int(c, m.get('lifespan'), `${path}.lifespan`);
      if (lifespan < 0) c.fail(m.get('lifespan'), `${path}.lifespan`, `expected a non-negative number of months, got ${lifespan}`);
      return { slug: s, name, dependant_field: str(c, m.get('dependant_field'), `${path}.dependant_field`), lifespan, start_with: startWith(), keyPath: path, where };
    }
    case 'baseline_with_growth':
      return { slug: s, name, dependant_field: str(c, m.get('dependant_field'), `${path}.dependant_field`), baseline: raw(c, m.get('baseline'), `${path}.baseline`), monthly_growth: raw(c, m.get('monthly_growth'), `${path}.monthly_growth`), start_with: startWith(), keyPath: path, where };
  }
}

function sizeDefs(c: Ctx, y: Y | undefined, path: string): StorageDataModel[] {
  return seq(c, y, path).map((it, i) => {
    const p = `${path}[${i}]`;
    const m = map(c, it, p);
    onlyKeys(c, m, ['referenced_field', 'unit_size'], p, it);
    if (!m.has('unit_size')) c.fail(it, `${p}.unit_size`, 'missing (required)');
    return { referenced_field: str(c, m.get('referenced_field'), `${p}.referenced_field`), unit_bytes: bytes(c, m.get('unit_size'), `${p}.unit_size`) };
  });
}

function storageDef(c: Ctx, y: Y | undefined, path: string): StorageConfig {
  // jsonobject's ObjectProperty defaults to an empty object: no storage section = no storage
  if (isNull(y)) return { group: null, data_models: [], static_baseline: { value: 0, int: true }, redundancy_factor: 1, override_storage_buffer: null, override_estimation_buffer: null };
  const m = map(c, y, path);
  onlyKeys(c, m, ['group', 'redundancy_factor', 'static_baseline', 'data_models', 'override_storage_buffer', 'override_estimation_buffer'], path, y!);
  const rf = optInt(c, m.get('redundancy_factor'), `${path}.redundancy_factor`, 1);
  if (rf < 0) c.fail(m.get('redundancy_factor'), `${path}.redundancy_factor`, `expected a non-negative integer, got ${rf}`);
  return {
    group: optStr(c, m.get('group'), `${path}.group`),
    redundancy_factor: rf,
    static_baseline: isNull(m.get('static_baseline')) ? { value: 0, int: true } : bytes(c, m.get('static_baseline'), `${path}.static_baseline`),
    data_models: sizeDefs(c, m.get('data_models'), `${path}.data_models`),
    override_storage_buffer: optDec(c, m.get('override_storage_buffer'), `${path}.override_storage_buffer`),
    override_estimation_buffer: optDec(c, m.get('override_estimation_buffer'), `${path}.override_estimation_buffer`),
  };
}

function processDef(c: Ctx, y: Y | undefined, path: string): ProcessConfig {
  // jsonobject's default: an empty process (a storage-only service has no VMs)
  if (isNull(y)) return { cores_per_node: null, ram_per_node: null, ram_static_baseline: 0, ram_model: [], ram_redundancy_factor: 1, cores_per_sub_process: null, ram_per_sub_process: null, sub_processes: [] };
  const m = map(c, y, path);
  onlyKeys(c, m, ['cores_per_node', 'ram_per_node', 'ram_static_baseline', 'ram_model', 'ram_redundancy_factor', 'cores_per_sub_process', 'ram_per_sub_process', 'sub_processes'], path, y!);
  const sub: SubProcess[] = seq(c, m.get('sub_processes'), `${path}.sub_processes`).map((it, i) => {
    const p = `${path}.sub_processes[${i}]`;
    const sm = map(c, it, p);
    onlyKeys(c, sm, ['name', 'static_number', 'capacity'], p, it);
    const sp: SubProcess = {
      name: optStr(c, sm.get('name'), `${p}.name`),
      static_number: isNull(sm.get('static_number')) ? null : int(c, sm.get('static_number'), `${p}.static_number`),
      capacity: optDec(c, sm.get('capacity'), `${p}.capacity`),
    };
    if (!sp.static_number && !sp.capacity) c.fail(it, p, 'expected static_number or a non-zero capacity');
    if (sp.capacity !== null && !(sp.capacity > 0)) c.fail(sm.get('capacity'), `${p}.capacity`, `expected a positive number, got ${sp.capacity}`);
    if (sp.static_number !== null && sp.static_number < 0) c.fail(sm.get('static_number'), `${p}.static_number`, `expected a non-negative integer, got ${sp.static_number}`);
    return sp;
  });
  const proc: ProcessConfig = {
    cores_per_node: isNull(m.get('cores_per_node')) ? null : int(c, m.get('cores_per_node'), `${path}.cores_per_node`),
    ram_per_node: isNull(m.get('ram_per_node')) ? null : int(c, m.get('ram_per_node'), `${path}.ram_per_node`),
    ram_static_baseline: isNull(m.get('ram_static_baseline')) ? 0 : ynum(c, m.get('ram_static_baseline'), `${path}.ram_static_baseline`).value,
    ram_model: sizeDefs(c, m.get('ram_model'), `${path}.ram_model`),
    ram_redundancy_factor: optInt(c, m.get('ram_redundancy_factor'), `${path}.ram_redundancy_factor`, 1),
    cores_per_sub_process: optDec(c, m.get('cores_per_sub_process'), `${path}.cores_per_sub_process`),
    ram_per_sub_process: optDec(c, m.get('ram_per_sub_process'), `${path}.ram_per_sub_process`),
    sub_processes: sub,
  };
  if (sub.length) {
    for (const k of ['cores_per_sub_process', 'ram_per_sub_process'] as const) {
      if (proc[k] === null) c.fail(y, `${path}.${k}`, 'missing (required with sub_processes)');
    }
  }
  for (const k of ['cores_per_node', 'ram_per_node'] as const) {
    const v = proc[k];
    if (v !== null && v <= 0) c.fail(m.get(k), `${path}.${k}`, `expected a positive integer, got ${v}`);
    // the tool divides by these and multiplies VMs by them: without them it crashes
    if (v === null && (sub.length || m.has('ram_model'))) c.fail(y, `${path}.${k}`, 'missing (required with sub_processes or ram_model)');
  }
  return proc;
}

const SERVICE_KEYS = [
  'static_number', 'usage_capacity_per_node', 'usage_field', 'storage_scales_with_nodes', 'max_storage_per_node',
  'min_storage_per_node', 'min_nodes', 'include_ha_resources', 'aggregation_key', 'storage', 'process',
];

function serviceDef(c: Ctx, name: string, y: Y): ServiceConfig {
  const path = `services.${name}`;
  const m = map(c, y, path);
  onlyKeys(c, m, SERVICE_KEYS, path, y);
  const maxS = m.get('max_storage_per_node');
  const minS = m.get('min_storage_per_node');
  const cap = isNull(m.get('usage_capacity_per_node')) ? null : int(c, m.get('usage_capacity_per_node'), `${path}.usage_capacity_per_node`);
  // 0 would divide by zero: the service's nodes (and its cores and RAM) would vanish from the totals
  if (cap !== null && cap <= 0) c.fail(m.get('usage_capacity_per_node'), `${path}.usage_capacity_per_node`, `expected a positive integer (the usage one node serves), got ${cap}`);
  const staticNumber = optInt(c, m.get('static_number'), `${path}.static_number`, 0);
  if (staticNumber < 0) c.fail(m.get('static_number'), `${path}.static_number`, `expected a non-negative integer, got ${staticNumber}`);
  const minNodes = optInt(c, m.get('min_nodes'), `${path}.min_nodes`, 0);
  if (minNodes < 0) c.fail(m.get('min_nodes'), `${path}.min_nodes`, `expected a non-negative integer, got ${minNodes}`);
  return {
    name,
    static_number: staticNumber,
    usage_capacity_per_node: cap,
    usage_field: isNull(m.get('usage_field')) ? 'users' : str(c, m.get('usage_field'), `${path}.usage_field`),
    storage_scales_with_nodes: bool(c, m.get('storage_scales_with_nodes'), `${path}.storage_scales_with_nodes`, false),
    max_storage_per_node: isNull(maxS) ? 0 : bytes(c, maxS, `${path}.max_storage_per_node`).value,
    min_storage_per_node: isNull(minS) ? null : bytes(c, minS, `${path}.min_storage_per_node`).value,
    min_nodes: minNodes,
    include_ha_resources: bool(c, m.get('include_ha_resources'), `${path}.include_ha_resources`, false),
    aggregation_key: optStr(c, m.get('aggregation_key'), `${path}.aggregation_key`),
    storage: storageDef(c, m.get('storage'), `${path}.storage`),
    process: processDef(c, m.get('process'), `${path}.process`),
    where: y.where,
  };
}

/** The largest estimation or storage buffer accepted (a share: 0.25 = 25 %). */
const MAX_BUFFER = 100;

/** The settings a config may have at its top level (the tool's Config schema). */
const TOP_LEVEL_KEYS = [
  'estimation_buffer', 'estimation_growth_factor', 'storage_buffer', 'storage_display_unit', 'summary_dates',
  'vm_os_storage_gb', 'vm_os_storage_group', 'sets_summary_date', 'sets', 'usage', 'services',
];

/** Parses config YAML text (file is only used in messages). */
export function parseSizingConfig(yamlText: string, file: string, opts: LoadOptions = {}): SizingConfig {
  const c = new Ctx(file);
  const root = readConfigYaml(yamlText, file);
  if (root.kind !== 'map') return c.fail(root, '(top level)', `expected a mapping of settings, got ${describe(root)}`);
  const top = root.entries;
  const need = (k: string) => { if (isNull(top.get(k))) c.fail(root, k, 'missing (required)'); return top.get(k); };

  const unitY = top.get('storage_display_unit');
  const unit = isNull(unitY) ? 'GB' : str(c, unitY, 'storage_display_unit');
  if (unit !== 'GB' && unit !== 'TB') c.fail(unitY, 'storage_display_unit', `expected GB or TB, got '${unit}'`);

  const usageY = top.get('usage');
  if (isNull(usageY)) c.fail(root, 'usage', 'missing (required): the usage models');
  const usage = [...map(c, usageY, 'usage')].map((e) => usageModel(c, e[0], e[1]));

  const servicesY = top.get('services');
  if (isNull(servicesY) && !opts.allowNoServices) {
    const old = top.has('storage') || top.has('compute') ? ' (this looks like the old schema with top-level storage:/compute: sections; move them into services:)' : '';
    c.fail(root, 'services', `missing: no services defined${old}`);
  }
  // a misspelt optional setting (summary_date:) would silently fall back to its default
  // (the old schema's top-level storage:/compute: have their own message above, or are read for usage only)
  onlyKeys(c, top, top.has('services') ? TOP_LEVEL_KEYS : [...TOP_LEVEL_KEYS, 'storage', 'compute'], '', root);
  const services = isNull(servicesY) ? [] : [...map(c, servicesY, 'services')].map((e) => serviceDef(c, e[0], e[1]));
  if (services.length === 0 && !opts.allowNoServices) c.fail(servicesY, 'services', 'expected at least one service');

  const sets: Record<string, Record<string, unknown>[]> = {};
  const setWhere: Record<string, string> = {};
  if (!isNull(top.get('sets'))) {
    for (const [g, gy] of map(c, top.get('sets'), 'sets')) {
      const items = seq(c, gy, `sets.${g}`);
      if (items.length === 0) c.fail(gy, `sets.${g}`, 'expected at least one set item');
      sets[g] = items.map((it, i) => {
        const p = `sets.${g}[${i}]`;
        const m = map(c, it, p);
        // an item without a name adds its variables but nothing to the combined set name (as the tool)
        const o: Record<string, unknown> = {};
        for (const [k, v] of m) {
          if (v.kind !== 'scalar') return c.fail(v, `${p}.${k}`, `expected a number or string, got ${describe(v)}`);
          o[k] = k === 'name' ? String(v.value) : v.value;
          setWhere[`${g}\u0000${i}\u0000${k}`] = `${v.where}: ${p}.${k}`;
        }
        return o;
      });
    }
  }

  const summaryDates = seq(c, top.get('summary_dates'), 'summary_dates').map((y, i) => summaryDate(c, y, `summary_dates[${i}]`));
  const ssd = top.get('sets_summary_date');

  const ebY = need('estimation_buffer');
  const sbY = need('storage_buffer');
  const gY = top.get('estimation_growth_factor');
  const cfg: SizingConfig = {
    file,
    storage_display_unit: unit as 'GB' | 'TB',
    vm_os_storage_gb: int(c, need('vm_os_storage_gb'), 'vm_os_storage_gb'),
    vm_os_storage_group: str(c, need('vm_os_storage_group'), 'vm_os_storage_group'),
    estimation_buffer: ynum(c, ebY, 'estimation_buffer').value,
    estimation_growth_factor: isNull(gY) ? 0 : ynum(c, gY, 'estimation_growth_factor').value,
    storage_buffer: ynum(c, sbY, 'storage_buffer').value,
    summary_dates: summaryDates,
    summary_dates_raw: seq(c, top.get('summary_dates'), 'summary_dates').map((y) => (y.kind === 'scalar' ? String(y.value) : '')),
    sets_summary_date: isNull(ssd) ? null : summaryDate(c, ssd, 'sets_summary_date'),
    sets,
    setWhere,
    usage,
    services,
    vars: { ...(opts.vars ?? {}) },
  };
  for (const k of ['estimation_buffer', 'storage_buffer', 'vm_os_storage_gb'] as const) {
    if (cfg[k] < 0) c.fail(top.get(k), k, `expected a non-negative number, got ${cfg[k]}`);
  }
  // buffers are shares (0.25 = 25 %): beyond 100× they only overflow the arithmetic into infinities
  for (const k of ['estimation_buffer', 'storage_buffer'] as const) {
    if (cfg[k] > MAX_BUFFER) c.fail(top.get(k), k, `expected a share such as 0.25 (at most ${MAX_BUFFER}), got ${cfg[k]}`);
  }
  // a negative growth of the estimation buffer turns resources negative as the months pass
  if (cfg.estimation_growth_factor < 0) c.fail(gY, 'estimation_growth_factor', `expected a non-negative number, got ${cfg.estimation_growth_factor}`);
  checkVars(cfg);
  return cfg;
}

export function loadSizingConfig(path: string, opts: LoadOptions = {}): SizingConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`${path}: cannot read the config (${code === 'ENOENT' ? 'no such file' : code ?? String(e)})`);
  }
  return parseSizingConfig(text, path, opts);
}
