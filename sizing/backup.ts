// The backups' share of the one server's disk. commcare-cloud writes its backups under
// /opt/data/backups, on the data disk, unless they go to S3 (docs/commcare-cloud/backup.md in
// dimagi/commcare-cloud): PostgreSQL and CouchDB keep 1 daily + 1 weekly compressed copy
// (postgres_backup_days/weeks, couchdb_backup_days/weeks, default 1 each), BlobDB 2 + 2
// (blobdb_backup_days/weeks); Elasticsearch is rebuilt from the primary stores, not backed up.
// Pure: the verdict adds the result to the disk need as its own storage group.
import { UsageError } from '../common/errors.ts';
import type { BackupPlan } from './types.ts';

/** The storage group the backups appear under in the monthly disk figures. */
export const BACKUP_GROUP = 'backups';

interface Store {
  name: string;
  /** which model services hold this store's data (by name) */
  match: RegExp;
  /** compressed size of one copy over the live data: dumps and data-dir archives of text data compress about 3:1, attachments barely */
  ratio: number;
  /** commcare-cloud's default daily and weekly copies kept */
  days: number;
  weeks: number;
}

const STORES: Store[] = [
  { name: 'PostgreSQL', match: /^(pg|postgres|sql)/i, ratio: 1 / 3, days: 1, weeks: 1 },
  { name: 'CouchDB', match: /couch/i, ratio: 1 / 3, days: 1, weeks: 1 },
  { name: 'BlobDB', match: /blob|riak|minio|object|attach/i, ratio: 1, days: 2, weeks: 2 },
];

/** Copies of one store kept on the data disk under the plan. */
function copies(store: Store, plan: BackupPlan): number {
  if (plan.target === 'offsite') return 0;
  return plan.retentionDays === undefined ? store.days + store.weeks : plan.retentionDays + 1;
}

// service name -> its store (null: none), matched once per name: the verdict asks for every
// service of every set, and each what-if run asks again
const storeByService = new Map<string, Store | null>();

function storeOf(service: string): Store | null {
  let store = storeByService.get(service);
  if (store === undefined) {
    store = STORES.find((x) => x.match.test(service)) ?? null;
    storeByService.set(service, store);
  }
  return store;
}

/**
 * Per service: what one GB of its storage adds to the backups on the data disk under the plan
 * (the store's compression ratio and the copies kept), or null when its data is not backed up there.
 * Worked out once per verdict; the month's backup GB is Σ storage GB × ratio × copies over the services.
 */
export function backupFactors(services: readonly string[], plan: BackupPlan): ({ ratio: number; copies: number } | null)[] {
  return services.map((service) => {
    const store = storeOf(service);
    return store ? { ratio: store.ratio, copies: copies(store, plan) } : null;
  });
}

/** The assumption, in one sentence, for the verdict and the reports. */
export function describeBackupPlan(plan: BackupPlan): string {
  if (plan.target === 'offsite') return 'backups go to another disk or offsite (S3): none counted on the data disk';
  const kept = plan.retentionDays === undefined
    ? STORES.map((s) => `${s.name} ${s.days} daily + ${s.weeks} weekly`).join(', ') + " (commcare-cloud's defaults)"
    : `${plan.retentionDays} daily + 1 weekly of each store (--backup-retention-days ${plan.retentionDays})`;
  return `backups on the data disk (commcare-cloud's /opt/data/backups): ${kept}; PostgreSQL and CouchDB copies compressed to about a third, BlobDB not compressed; Elasticsearch not backed up (rebuilt); --backup-target offsite when they go elsewhere`;
}

/** `--backup-target` and `--backup-retention-days` as a plan (one-line errors naming the flag). */
export function parseBackupPlan(target: string | undefined, retentionDays: string | undefined): BackupPlan {
  if (target !== undefined && target !== 'same-disk' && target !== 'offsite') throw new UsageError(`--backup-target: expected same-disk or offsite, got "${target}"`);
  let days: number | undefined;
  if (retentionDays !== undefined) {
    if (!/^\s*\d+\s*$/.test(retentionDays) || Number(retentionDays) > 3650) throw new UsageError(`--backup-retention-days: expected a whole number of days from 0 to 3650, got "${retentionDays}"`);
    days = Number(retentionDays);
  }
  return { target: (target as BackupPlan['target'] | undefined) ?? 'same-disk', retentionDays: days };
}
