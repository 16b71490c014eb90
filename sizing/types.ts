// Result and config types of the sizing engine. Field names follow the golden.json layout of
// commcare_resource_model (see fixtures/sizing-reference/README.md) so that
// `ccready size --format json` can be compared cell by cell with the Python tool.
import type { ServerSpec } from '../common/server-spec.ts';

/** A YAML node with its position (`file:line:col`), so that every config error can point at the line. */
export type Y =
  | { kind: 'map'; entries: Map<string, Y>; where: string }
  | { kind: 'seq'; items: Y[]; where: string }
  | { kind: 'scalar'; value: unknown; src: string; where: string };

/** One table cell: null stands for NaN (numbers) or None (object columns). */
export type Cell = number | string | null;

/** A pandas "split" table: data[i][j] is the cell at row index[i], column columns[j]. */
export interface Table {
  index: string[];
  /** A multi-level column label is an array, e.g. ["pg_main", "Compute", "VMs"]. */
  columns: (string | string[])[];
  data: Cell[][];
}

export interface SummaryAtDate {
  /** users at the summary date (a float in the tool: the row is upcast). */
  user_count: number;
  service_summary: Table;
  storage_by_group: Table;
  vm_slabs: Table;
  vm_aggs: Table;
}

export interface ComparisonTables {
  storage_by_category: Table;
  storage_by_group: Table;
  compute: Table;
}

export interface SetResult {
  name: string;
  context: Record<string, unknown>;
  usage: Table;
  usage_dtypes: Record<string, 'int64' | 'float64'>;
  service_data: Table;
  summary_data: Table;
  summary_dates: string[];
  summary_dates_source: 'config' | 'final usage month';
  summaries: Record<string, SummaryAtDate>;
  comparisons?: ComparisonTables;
  incrementals?: ComparisonTables;
}

export interface ModelResult {
  storage_display_unit: 'GB' | 'TB';
  vm_os_storage_gb: number;
  vm_os_storage_group: string;
  estimation_buffer: number;
  estimation_growth_factor: number;
  storage_buffer: number;
  services: string[];
  summary_dates_config: string[];
  sets_summary_date: string | null;
  sets: SetResult[];
  set_comparison?: ComparisonTables;
  status: 'ok';
}

// ---------------------------------------------------------------------------------------------
// Loaded configuration (the tool's schema after jsonobject-style loading).

/**
 * A Decimal-typed config value: the YAML double plus, for Decimal arithmetic, its exact binary
 * value. `value` is what `float(Decimal(x))` gives back.
 */
export type Dec = number;

export type UsageModelSlug =
  | 'date_range_value'
  | 'derived_factor'
  | 'derived_sum'
  | 'product'
  | 'cumulative'
  | 'cumulative_limited_lifespan'
  | 'baseline_with_growth'
  /** from dimagi's sk/ush-edss branch: value / factor */
  | 'invert_derived_factor';

/** A YAML number, remembering whether YAML wrote it as an integer (keeps int64 columns int). */
export interface YNum { value: number; int: boolean }

/** A raw value as written in YAML: a number, or a string that may hold `{var}` placeholders. */
export type RawValue = YNum | string;

export interface DateRange {
  start: string; // YYYY-MM-DD (1st of month)
  end: string;
  value: RawValue;
  /** key path for error messages, e.g. usage.users.ranges[2] */
  keyPath: string;
  /** file:line:col of the range, for error messages */
  where: string;
}

export type UsageModel =
  | { slug: 'date_range_value'; name: string; ranges: DateRange[]; keyPath: string; where: string }
  | { slug: 'derived_factor' | 'invert_derived_factor'; name: string; dependant_field: string; factor: RawValue; start_with: RawValue; keyPath: string; where: string }
  | { slug: 'derived_sum'; name: string; dependant_fields: string[]; start_with: RawValue; keyPath: string; where: string }
  | { slug: 'product'; name: string; dependant_fields: string[]; keyPath: string; where: string }
  | { slug: 'cumulative'; name: string; dependant_field: string; start_with: RawValue; keyPath: string; where: string }
  | { slug: 'cumulative_limited_lifespan'; name: string; dependant_field: string; lifespan: number; start_with: RawValue; keyPath: string; where: string }
  | { slug: 'baseline_with_growth'; name: string; dependant_field: string; baseline: RawValue; monthly_growth: RawValue; start_with: RawValue; keyPath: string; where: string };

export interface StorageDataModel {
  referenced_field: string;
  /** bytes per item: an int for a bare number, a float for `50KB` (as the tool does) */
  unit_bytes: YNum;
}

export interface StorageConfig {
  group: string | null;
  data_models: StorageDataModel[];
  /** bytes; a float when written with a unit (`100GB`) */
  static_baseline: YNum;
  redundancy_factor: number;
  override_storage_buffer: Dec | null;
  override_estimation_buffer: Dec | null;
}

export interface SubProcess {
  name: string | null;
  static_number: number | null;
  capacity: Dec | null;
}

export interface ProcessConfig {
  /** null when the service has no process section (storage only) */
  cores_per_node: number | null;
  ram_per_node: number | null;
  cores_per_sub_process: Dec | null;
  ram_per_sub_process: Dec | null;
  sub_processes: SubProcess[];
  ram_model: StorageDataModel[];
  ram_redundancy_factor: number;
  ram_static_baseline: number;
}

export interface ServiceConfig {
  name: string;
  usage_field: string;
  static_number: number;
  usage_capacity_per_node: number | null;
  /** bytes (0 = unset, as in the tool) */
  max_storage_per_node: number;
  /** bytes, or null when unset */
  min_storage_per_node: number | null;
  min_nodes: number;
  storage_scales_with_nodes: boolean;
  include_ha_resources: boolean;
  aggregation_key: string | null;
  storage: StorageConfig | null;
  process: ProcessConfig;
  /** file:line:col of the service, for error messages */
  where: string;
}

export interface SizingConfig {
  file: string;
  storage_display_unit: 'GB' | 'TB';
  vm_os_storage_gb: number;
  vm_os_storage_group: string;
  estimation_buffer: Dec;
  estimation_growth_factor: Dec;
  storage_buffer: Dec;
  summary_dates: string[];
  /** summary_dates as written in the config ('2024-08'), for the report metadata */
  summary_dates_raw: string[];
  sets_summary_date: string | null;
  /** set group name → list of items (each item: its variables, plus `name`). */
  sets: Record<string, Record<string, unknown>[]>;
  /** file:line:col of each set variable (`sets.<group>[i].<var>`), for error messages */
  setWhere: Record<string, string>;
  usage: UsageModel[];
  services: ServiceConfig[];
  /** what-if overrides applied to every combined set's context */
  vars: Record<string, string | number>;
}

export interface LoadOptions {
  vars?: Record<string, string | number>;
  /** accept a config without services (usage only; used to check usage-only reference configs) */
  allowNoServices?: boolean;
}

export interface RunOptions {
  /** only compute these combined sets (by name) */
  sets?: string[];
}

// ---------------------------------------------------------------------------------------------
// The single-server verdict (sizing/verdict.ts) and what-if runs (sizing/what-if.ts)

export interface Tier {
  name: 'single server' | 'micro cluster' | 'small cluster' | 'large cluster';
  /** users strictly below this fit the tier; null = no upper bound */
  maxUsers: number | null;
  servers: string;
}

export type LimitKey = 'users' | 'active_cases_per_user' | 'storage' | 'ram' | 'cores';
export type LimitStatus = 'FITS' | 'DOES NOT FIT' | 'NOT CHECKED';

export interface LimitResult {
  key: LimitKey;
  label: string;
  unit: string;
  /** the server's capacity or the tier's limit */
  limit: number;
  /** true when the value must stay strictly below the limit (users, cases), false when ≤ is fine */
  strict: boolean;
  peak: number | null;
  peakMonth: string | null;
  status: LimitStatus;
  /** (limit − peak) / limit × 100; negative when over */
  headroomPct: number | null;
  /** first month (YYYY-MM) the limit is crossed, null when never */
  firstCrossed: string | null;
  /** one sentence for people: "disk full in 2027-08 at this growth" */
  message: string;
  /** how the capacity was derived when it is not the plain figure (cores: "8 cores × 2 CPU sharing = 16") */
  capacityNote?: string;
}

export interface MonthFigures {
  /** YYYY-MM */
  month: string;
  users: number | null;
  activeCases: number | null;
  activeCasesPerUser: number | null;
  /** monolith data storage incl. buffers, without HA copies, plus the OS storage once (GB) */
  storageGb: number;
  /** storage group → GB on the monolith (the OS group holds the one OS) */
  storageByGroupGb: Record<string, number>;
  /** of storageGb: the backups kept on the data disk (GB), 0 when none are counted */
  backupGb: number;
  /** monolith RAM / cores: the services' non-HA totals summed */
  ramGb: number;
  cores: number;
  /** what the model's cluster layout would need (incl. HA), for comparison */
  clusterVms: number;
  clusterRamGb: number;
  clusterCores: number;
}

/** One service's share of the monolith at one month: the arithmetic shown in the reports. */
export interface ServiceShare {
  service: string;
  storageGroup: string | null;
  vmsTotal: number;
  vmsHa: number;
  coresTotal: number;
  coresHa: number;
  cores: number;
  ramTotalGb: number;
  ramHaGb: number;
  ramGb: number;
  storageTotalGb: number;
  storageHaGb: number;
  storageGb: number;
  /** per-VM OS storage the cluster layout would add for this service (not counted on the monolith) */
  clusterOsStorageGb: number;
}

export interface Verdict {
  set: string;
  server: ServerSpec;
  storageDisplayUnit: 'GB' | 'TB';
  vmOsStorageGb: number;
  vmOsStorageGroup: string;
  horizon: { start: string; end: string; months: number };
  activeCasesField: string | null;
  monthly: MonthFigures[];
  limits: LimitResult[];
  /** true when no checked limit is crossed in any month of the horizon */
  fits: boolean;
  crossed: LimitKey[];
  tier: { name: Tier['name']; servers: string; reasons: string[] };
  /** the RAM split between the services on the one server (null when the model gives no RAM) */
  memorySplit: MemorySplit | null;
  /** the last month before the first limit is crossed (null when the server holds the whole horizon) */
  fitsUntil: string | null;
  /** what to buy, in sizes sold (sizing/purchase.ts) */
  purchase: Purchase;
  /** the smallest single box that holds the peak month (cores, GB RAM, TB disk) */
  minimumServer: { cores: number; ram_gb: number; disk_tb: number };
  /** the backup assumption counted in the disk need (absent when backups were not considered) */
  backup?: BackupPlan & { assumption: string; peakGb: number };
  /** the per-service arithmetic at the peak-storage month */
  arithmeticMonth: string;
  arithmetic: ServiceShare[];
  warnings: string[];
}

/** The RAM each co-resident service gets on the one server (sizing/memory-split.ts). */
export interface MemorySplit {
  /** the month shown: the first month RAM is exceeded, else the month of peak RAM */
  month: string;
  startMonth: string;
  serverRamGb: number;
  totalGb: number;
  rows: { service: string; ramGb: number; startRamGb: number; growthGb: number }[];
  /** first month the services need more RAM than the server has (null: never) */
  stopsFitting: string | null;
  /** the service whose RAM grew most since the first month */
  grows: string | null;
  /** the first month a service alone needs the server's whole RAM, and which (largest first); null: never */
  outgrows: { month: string; services: string[]; ramGb: number } | null;
}

/** A server as sold: cores, RAM and disk in the sizes vendors list. */
export interface Box {
  cores: number;
  ram_gb: number;
  disk_tb: number;
  disk_type: 'ssd' | 'hdd';
}

/** The purchasable answer: per server for the recommended tier, and the smallest single box. */
export interface Purchase {
  tier: { servers: number; each: Box; basis: string };
  singleBox: Box;
}

/** Where the backups go and how many days are kept (sizing/backup.ts). */
export interface BackupPlan {
  target: 'same-disk' | 'offsite';
  /** daily copies kept; undefined = commcare-cloud's defaults per store */
  retentionDays?: number;
}

export interface VerdictOptions {
  /** the backups' share of the disk (none counted when absent) */
  backup?: BackupPlan;
  /** usage field that counts active cases; default: first of ACTIVE_CASES_FIELD_CANDIDATES present */
  activeCasesField?: string;
  /** combined set to judge (by name); default: the first set */
  set?: string;
  /** label of the flag for error messages */
  activeCasesFlag?: string;
}

export interface WhatIfRow {
  vars: Record<string, string>;
  verdict: Verdict;
}
