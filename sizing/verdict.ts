// The sizing verdict: does the modelled deployment fit on one server, month by month, and if not,
// which limit is crossed first and which configuration tier to plan for instead.
// Pure computation over a ModelResult (golden.json layout) and a server spec (common/server-spec.ts),
// no I/O; the types are in sizing/types.ts, the text in sizing/format.ts. See docs/verdict.md.
import { UsageError } from '../common/errors.ts';
import { coresCapacity, DEFAULT_SERVER, formatServerSpec, type ServerSpec } from '../common/server-spec.ts';
import { fmt, formatCoresCapacity } from './format.ts';
import { BACKUP_GROUP, backupFactors, describeBackupPlan } from './backup.ts';
import { setFigures, VERDICT_FIELDS, verdictFieldLabel, type SetFigures, type VerdictField } from './set-figures.ts';
import { purchaseFor } from './purchase.ts';
import { memorySplit } from './memory-split.ts';
import type { Cell, LimitKey, LimitResult, LimitStatus, ModelResult, MonthFigures, ServiceShare, SetResult, Tier, Verdict, VerdictOptions } from './types.ts';

// ---------------------------------------------------------------------------------------------
// Tiers (checklist "Sizing tiers", transition guide 1.2)

export const TIERS: readonly Tier[] = [
  { name: 'single server', maxUsers: 1500, servers: 'one server' },
  { name: 'micro cluster', maxUsers: 3500, servers: 'two servers' },
  { name: 'small cluster', maxUsers: 15000, servers: 'five servers' },
  { name: 'large cluster', maxUsers: null, servers: 'more than five servers' },
];

export const SINGLE_SERVER_MAX_USERS = 1500;
export const SINGLE_SERVER_MAX_ACTIVE_CASES_PER_USER = 10000;

export function tierForUsers(users: number): Tier {
  return TIERS.find((t) => t.maxUsers === null || users < t.maxUsers)!;
}

/** Usage fields tried, in order, when `--active-cases-field` is not given. */
export const ACTIVE_CASES_FIELD_CANDIDATES = ['active_cases', 'open_cases', 'cases_active', 'cases_total'] as const;

// ---------------------------------------------------------------------------------------------
// Verdict

const num = (c: Cell | undefined): number => (typeof c === 'number' && Number.isFinite(c) ? c : 0);
const finiteOrNull = (v: number | undefined): number | null => (v !== undefined && Number.isFinite(v) ? v : null);
const month = (d: string): string => d.slice(0, 7);

function pickSet(result: ModelResult, name: string | undefined): SetResult {
  if (result.sets.length === 0) throw new UsageError('sizing result has no sets to judge');
  if (name === undefined) return result.sets[0]!;
  const s = result.sets.find((x) => x.name === name);
  if (!s) throw new UsageError(`--set: no combined set named "${name}" (sets: ${result.sets.map((x) => x.name).join(', ')})`);
  return s;
}

/** Case-like usage fields, for the message when the active-cases field is missing. */
function caseFields(usage: SetFigures['usage']): string[] {
  return [...usage.keys()].filter((c) => /case/i.test(c));
}

export function computeVerdict(result: ModelResult, server: ServerSpec, opts: VerdictOptions = {}): Verdict {
  const set = pickSet(result, opts.set);
  const unit = result.storage_display_unit;
  const unitGb = unit === 'TB' ? 1000 : 1;
  const figures = setFigures(set, result.services, unit);
  const { usage, summary, unusual } = figures;
  const dates = figures.months;
  const warnings: string[] = [];

  const usersCol = usage.get('users');
  if (!usersCol) throw new UsageError(`sizing config: usage has no "users" field (the verdict needs it for the tier limits)`);

  let activeField: string | null = null;
  if (opts.activeCasesField !== undefined) {
    if (!usage.has(opts.activeCasesField)) {
      const hint = caseFields(usage);
      throw new UsageError(
        `${opts.activeCasesFlag ?? '--active-cases-field'}: usage has no field "${opts.activeCasesField}"` +
          (hint.length ? ` (case fields: ${hint.join(', ')})` : ' (the config defines no case fields)'),
      );
    }
    activeField = opts.activeCasesField;
  } else {
    activeField = ACTIVE_CASES_FIELD_CANDIDATES.find((f) => usage.has(f)) ?? null;
    if (activeField === null) {
      warnings.push(
        `active cases per user not checked: usage has none of ${ACTIVE_CASES_FIELD_CANDIDATES.join(', ')}; ` +
          `name the field that counts active cases with --active-cases-field`,
      );
    } else if (activeField === 'cases_total') {
      warnings.push('active cases per user counts cases_total (every case ever created, closed ones too): an upper bound; pass --active-cases-field for a closer figure');
    }
  }
  const activeCol = activeField === null ? undefined : usage.get(activeField);

  const svcs = figures.services;
  const services = svcs.map((c) => c.service);
  const osGroup = result.vm_os_storage_group;
  const osGb = result.vm_os_storage_gb;

  /** Each service's share of the one server in a month (for the arithmetic and the memory split). */
  const shares = (row: readonly Cell[]): ServiceShare[] =>
    svcs.map((c) => {
      const vmsTotal = num(row[c.vmsTotal]);
      const vmsHa = num(row[c.vmsHa]);
      const coresTotal = num(row[c.coresTotal]);
      const coresHa = num(row[c.coresHa]);
      const ramTotalGb = num(row[c.ramTotal]);
      const ramHaGb = num(row[c.ramHa]);
      const storageTotalGb = num(row[c.storageTotal]) * unitGb;
      const storageHaGb = num(row[c.storageHa]) * unitGb;
      const g = row[c.group];
      return {
        service: c.service,
        storageGroup: typeof g === 'string' && g !== '' ? g : null,
        vmsTotal,
        vmsHa,
        coresTotal,
        coresHa,
        cores: coresTotal - coresHa,
        ramTotalGb,
        ramHaGb,
        ramGb: ramTotalGb - ramHaGb,
        storageTotalGb,
        storageHaGb,
        storageGb: storageTotalGb - storageHaGb,
        clusterOsStorageGb: num(row[c.osTotal]),
      };
    });

  // a month the usage has values for must have finite, non-negative resources for every service:
  // an infinity or NaN (a division by zero, an overflow) would otherwise drop out of the totals
  // every (service, cell) pair the check reads, listed once rather than per month, as a flat array
  // of row positions read by index (the check runs cold, every month of every set)
  const checked: { service: string; k: VerdictField }[] = [];
  const checkedAt: number[] = [];
  for (const c of svcs) {
    for (const k of Object.keys(VERDICT_FIELDS) as VerdictField[]) {
      if (k !== 'group') { checked.push({ service: c.service, k }); checkedAt.push(c[k]); }
    }
  }
  const checkFinite = (row: readonly Cell[], m: number): void => {
    for (let i = 0; i < checkedAt.length; i++) {
      const x = row[checkedAt[i]!];
      // the usual case (a finite, non-negative number) costs one test
      if (typeof x === 'number' && x >= 0 && x !== Infinity) continue;
      // the model gives null where pandas has NaN: for the VMs, cores and RAM of a month with usage
      // that is a lost value too (storage may be NaN legitimately: no storage, or its usage field
      // has no value yet in that month)
      const { service, k } = checked[i]!;
      const lost = (x === null || x === undefined) && (k === 'vmsTotal' || k === 'coresTotal' || k === 'ramTotal');
      if (lost || (typeof x === 'number' && (!Number.isFinite(x) || x < 0))) {
        throw new UsageError(`services.${service}: ${verdictFieldLabel(k, unit)} comes out as ${x ?? 'NaN'} in ${month(dates[m]!)} while the usage has values there; check the service's capacities, sizes and buffers (a division by zero or an overflow)`);
      }
    }
  };
  const usageCols = [...usage.values()];
  const hasUsage = (m: number): boolean => {
    for (let i = 0; i < usageCols.length; i++) if (Number.isFinite(usageCols[i]![m])) return true;
    return false;
  };
  const backupAt = opts.backup ? backupFactors(services, opts.backup) : null;
  // the month's figures straight from the columns, in one pass over the services (this runs cold,
  // once per month and set): the same sums, in the same order, as over each month's shares
  const monthly: MonthFigures[] = dates.map((date, m) => {
    const users = finiteOrNull(usersCol[m]);
    const activeCases = activeCol ? finiteOrNull(activeCol[m]) : null;
    const activeCasesPerUser = activeCases !== null && users !== null && users > 0 ? activeCases / users : null;
    const row = summary[m];
    if (row && (!unusual || unusual[m]) && hasUsage(m)) checkFinite(row, m);
    const byGroup: Record<string, number> = {};
    let backup = 0;
    let ramGb = 0, cores = 0, clusterVms = 0, clusterRamGb = 0, clusterCores = 0;
    if (row) {
      for (let s = 0; s < svcs.length; s++) {
        const c = svcs[s]!;
        const storage = num(row[c.storageTotal]) * unitGb - num(row[c.storageHa]) * unitGb;
        if (storage !== 0) {
          const g = row[c.group];
          const group = typeof g === 'string' && g !== '' ? g : '(no group)';
          byGroup[group] = (byGroup[group] ?? 0) + storage;
        }
        const b = backupAt?.[s];
        if (b && storage > 0) backup += storage * b.ratio * b.copies;
        const coresTotal = num(row[c.coresTotal]);
        const ramTotal = num(row[c.ramTotal]);
        ramGb += ramTotal - num(row[c.ramHa]);
        cores += coresTotal - num(row[c.coresHa]);
        clusterVms += num(row[c.vmsTotal]);
        clusterRamGb += ramTotal;
        clusterCores += coresTotal;
      }
    }
    // One operating system on one box: the per-VM OS storage is counted once.
    byGroup[osGroup] = (byGroup[osGroup] ?? 0) + osGb;
    // the backups kept on the same disk (sizing/backup.ts), as a group of their own
    if (backup > 0) byGroup[BACKUP_GROUP] = backup;
    let storageGb = 0;
    for (const g in byGroup) storageGb += byGroup[g]!;
    return {
      month: month(date),
      users,
      activeCases,
      activeCasesPerUser,
      storageGb,
      storageByGroupGb: byGroup,
      backupGb: backup,
      ramGb,
      cores,
      clusterVms,
      clusterRamGb,
      clusterCores,
    };
  });
  if (monthly.length === 0) throw new UsageError('sizing result has no usage months to judge');

  const limit = (
    key: LimitKey,
    label: string,
    unitLabel: string,
    cap: number,
    strict: boolean,
    value: (m: MonthFigures) => number | null,
    say: (first: string) => string,
  ): LimitResult => {
    let peak: number | null = null;
    let peakMonth: string | null = null;
    let firstCrossed: string | null = null;
    for (let i = 0; i < monthly.length; i++) {
      const m = monthly[i]!;
      const v = value(m);
      if (v === null) continue;
      if (peak === null || v > peak) {
        peak = v;
        peakMonth = m.month;
      }
      const over = strict ? v >= cap : v > cap;
      if (over && firstCrossed === null) firstCrossed = m.month;
    }
    if (peak === null) {
      return { key, label, unit: unitLabel, limit: cap, strict, peak, peakMonth, status: 'NOT CHECKED', headroomPct: null, firstCrossed: null, message: `${label}: not checked (no values)` };
    }
    const headroomPct = ((cap - peak) / cap) * 100;
    const status: LimitStatus = firstCrossed === null ? 'FITS' : 'DOES NOT FIT';
    const message =
      firstCrossed === null
        ? `${label}: fits through ${monthly[monthly.length - 1]!.month} (peak ${fmt(peak)} ${unitLabel} of ${fmt(cap)}, ${fmt(headroomPct, 1)}% headroom)`
        : say(firstCrossed);
    return { key, label, unit: unitLabel, limit: cap, strict, peak, peakMonth, status, headroomPct, firstCrossed, message };
  };

  const diskGb = server.disk_tb * 1000;
  const backupsOnDisk = opts.backup?.target === 'same-disk';
  const limits: LimitResult[] = [
    limit('users', 'users', 'users', SINGLE_SERVER_MAX_USERS, true, (m) => m.users, (f) => `users reach the single-server limit of ${SINGLE_SERVER_MAX_USERS} in ${f}`),
    activeField === null
      ? {
          key: 'active_cases_per_user',
          label: 'active cases per user',
          unit: 'cases',
          limit: SINGLE_SERVER_MAX_ACTIVE_CASES_PER_USER,
          strict: true,
          peak: null,
          peakMonth: null,
          status: 'NOT CHECKED',
          headroomPct: null,
          firstCrossed: null,
          message: 'active cases per user: not checked (no active-cases field in the usage; use --active-cases-field)',
        }
      : limit(
          'active_cases_per_user',
          `active cases per user (${activeField})`,
          'cases',
          SINGLE_SERVER_MAX_ACTIVE_CASES_PER_USER,
          true,
          (m) => m.activeCasesPerUser,
          (f) => `active cases per user (${activeField}) reach ${SINGLE_SERVER_MAX_ACTIVE_CASES_PER_USER} in ${f}`,
        ),
    limit('storage', backupsOnDisk ? 'disk (incl. backups)' : 'disk', 'GB', diskGb, false, (m) => m.storageGb, (f) => `disk full in ${f} at this growth (${fmt(server.disk_tb)} TB disk${backupsOnDisk ? ', backups included' : ''})`),
    limit('ram', 'RAM', 'GB', server.ram_gb, false, (m) => m.ramGb, (f) => `RAM exceeded in ${f} (services need more than the server's ${fmt(server.ram_gb)} GB)`),
    {
      ...limit('cores', 'cores', 'cores', coresCapacity(server), false, (m) => m.cores, (f) => `cores exceeded in ${f} (services need more than ${formatCoresCapacity(server)})`),
      capacityNote: formatCoresCapacity(server),
    },
  ];
  const crossed = limits.filter((l) => l.status === 'DOES NOT FIT').map((l) => l.key);

  const peakOf = (f: (m: MonthFigures) => number | null): number => Math.max(0, ...monthly.map((m) => f(m) ?? 0));
  const minimumServer = {
    // physical cores: the summed service cores shared at the server's CPU sharing factor
    cores: Math.ceil(peakOf((m) => m.cores) / server.cpu_overcommit),
    ram_gb: Math.ceil(peakOf((m) => m.ramGb)),
    disk_tb: Math.ceil(peakOf((m) => m.storageGb) / 100) / 10,
  };

  // Tier: by the peak users; the case limit pushes a single server up one tier.
  const peakUsers = peakOf((m) => m.users);
  let tier = tierForUsers(peakUsers);
  const reasons: string[] = [];
  const usersLimit = limits[0]!;
  reasons.push(
    tier.maxUsers === null
      ? `peak of ${fmt(peakUsers)} users${usersLimit.peakMonth ? ` (${usersLimit.peakMonth})` : ''} is above 15000`
      : `peak of ${fmt(peakUsers)} users${usersLimit.peakMonth ? ` (${usersLimit.peakMonth})` : ''} is below ${tier.maxUsers}`,
  );
  const casesLimit = limits[1]!;
  if (casesLimit.status === 'DOES NOT FIT' && tier.name === 'single server') {
    tier = TIERS[1]!;
    reasons.push(`active cases per user reach ${fmt(casesLimit.peak ?? 0)} (limit ${SINGLE_SERVER_MAX_ACTIVE_CASES_PER_USER} for a single server) from ${casesLimit.firstCrossed}`);
  } else if (casesLimit.status === 'NOT CHECKED') {
    reasons.push('active cases per user not checked');
  }
  const resourceOver = limits.filter((l) => (l.key === 'storage' || l.key === 'ram' || l.key === 'cores') && l.status === 'DOES NOT FIT');
  if (tier.name === 'single server') {
    if (resourceOver.length === 0) {
      reasons.push(`the given server (${formatServerSpec(server)}) holds every month through ${monthly[monthly.length - 1]!.month}`);
    } else {
      reasons.push(
        `the given server is too small: ${resourceOver.map((l) => l.message).join('; ')}; ` +
          `a single server of at least ${minimumServer.cores} cores (at CPU sharing ${fmt(server.cpu_overcommit)}), ${minimumServer.ram_gb} GB RAM, ${minimumServer.disk_tb} TB disk holds the horizon`,
      );
    }
  } else {
    reasons.push(`${tier.name} = ${tier.servers} (checklist "Sizing tiers")`);
  }

  if (server.disk_type !== 'ssd') warnings.push('the single-server tier asks for an SSD; the model does not size disk speed, so an HDD is at your own risk');
  if (server.ram_gb < DEFAULT_SERVER.ram_gb || server.disk_tb < DEFAULT_SERVER.disk_tb || server.cores < DEFAULT_SERVER.cores) {
    warnings.push(`the server is below the single-server minimum of the checklist (${formatServerSpec(DEFAULT_SERVER)})`);
  }

  // a planner needs at least a year of usage to choose a server by
  if (monthly.length < 12) warnings.push(`the usage horizon is only ${monthly.length} month${monthly.length === 1 ? '' : 's'} (${monthly[0]!.month} .. ${monthly[monthly.length - 1]!.month}); a server is bought for years: extend the usage ranges to at least 12 months`);
  const firstCross = limits.map((l) => l.firstCrossed).filter((m): m is string => m !== null).sort()[0];
  const fitsUntil = firstCross === undefined ? null : monthly.filter((m) => m.month < firstCross).map((m) => m.month).pop() ?? '';

  // Arithmetic at the month of peak storage (the month that decides the disk).
  let arithIdx = 0;
  monthly.forEach((m, i) => {
    if (m.storageGb >= monthly[arithIdx]!.storageGb) arithIdx = i;
  });
  const arithDate = dates[arithIdx]!;

  return {
    set: set.name,
    server,
    storageDisplayUnit: unit,
    vmOsStorageGb: osGb,
    vmOsStorageGroup: osGroup,
    horizon: { start: monthly[0]!.month, end: monthly[monthly.length - 1]!.month, months: monthly.length },
    activeCasesField: activeField,
    monthly,
    limits,
    fits: crossed.length === 0,
    crossed,
    tier: { name: tier.name, servers: tier.servers, reasons },
    memorySplit: memorySplit(monthly, (m) => { const row = summary[m]; return row ? shares(row) : []; }, server.ram_gb),
    fitsUntil,
    purchase: purchaseFor(tier.name, minimumServer, monthly, server.cpu_overcommit, DEFAULT_SERVER),
    minimumServer,
    ...(opts.backup ? { backup: { ...opts.backup, assumption: describeBackupPlan(opts.backup), peakGb: Math.max(0, ...monthly.map((m) => m.backupGb)) } } : {}),
    arithmeticMonth: month(arithDate),
    arithmetic: summary[arithIdx] ? shares(summary[arithIdx]!) : [],
    warnings,
  };
}

