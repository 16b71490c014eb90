// The backups' share of the disk (issue 14 item 4): commcare-cloud's default copies on the data
// disk, a retention flag, an offsite target, and the assumption stated in the verdict.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { computeVerdict, formatVerdict, parseBackupPlan } from '../index.ts';
import { parseServerSpec } from '../../common/server-spec.ts';
import { UsageError } from '../../common/errors.ts';
import { synthResult } from './verdict-fixtures.ts';

const months = ['2027-01', '2027-02'];
// postgres 300 GB, blobdb 100 GB, elasticsearch 200 GB of live data (no HA)
const svc = (name: string, gb: number) => ({ name, group: 'SSD', vmsTotal: [1, 1], vmsHa: [0, 0], coresTotal: [1, 1], coresHa: [0, 0], ramTotal: [1, 1], ramHa: [0, 0], storageTotal: [gb / 1000, gb / 1000], storageHa: [0, 0], osTotalGb: [10, 10] });
const result = () => synthResult({ months, users: [100, 100], services: [svc('pg_main', 300), svc('blobdb', 100), svc('es', 200)] });
const box = parseServerSpec('8c/32GB/2TB');

test("same disk, commcare-cloud's defaults: PostgreSQL 2 copies at a third, BlobDB 4 uncompressed, Elasticsearch none", () => {
  const plain = computeVerdict(result(), box);
  const v = computeVerdict(result(), box, { backup: parseBackupPlan(undefined, undefined) });
  const backup = 300 * (1 / 3) * 2 + 100 * 4;
  assert.ok(Math.abs(v.backup!.peakGb - backup) < 1e-9, String(v.backup!.peakGb));
  assert.ok(Math.abs(v.monthly[0]!.storageGb - plain.monthly[0]!.storageGb - backup) < 1e-9);
  assert.is(v.monthly[0]!.storageByGroupGb.backups, v.backup!.peakGb);
  const disk = v.limits.find((l) => l.key === 'storage')!;
  assert.is(disk.label, 'disk (incl. backups)');
  const text = formatVerdict(v);
  assert.match(text, /disk includes backups: peak 600 GB — backups on the data disk .*PostgreSQL 1 daily \+ 1 weekly.*BlobDB 2 daily \+ 2 weekly \(commcare-cloud's defaults\)/);
});

test('--backup-retention-days N keeps N daily + 1 weekly of each store; offsite counts none', () => {
  const v = computeVerdict(result(), box, { backup: parseBackupPlan('same-disk', '7') });
  assert.ok(Math.abs(v.backup!.peakGb - (300 / 3 * 8 + 100 * 8)) < 1e-9);
  assert.match(v.backup!.assumption, /7 daily \+ 1 weekly of each store/);
  const off = computeVerdict(result(), box, { backup: parseBackupPlan('offsite', undefined) });
  assert.is(off.backup!.peakGb, 0);
  assert.is(off.limits.find((l) => l.key === 'storage')!.label, 'disk');
  assert.match(formatVerdict(off), /disk: backups go to another disk or offsite/);
  // backups can push the disk over: 600 GB of blobs kept 4 times do not fit 2 TB
  const big = synthResult({ months, users: [100, 100], services: [svc('blobdb', 600)] });
  assert.is(computeVerdict(big, box).fits, true);
  assert.is(computeVerdict(big, box, { backup: parseBackupPlan(undefined, undefined) }).fits, false);
});

test('bad flags are one-line errors naming them', () => {
  for (const [t, d, re] of [['tape', undefined, /^--backup-target: expected same-disk or offsite, got "tape"$/], [undefined, '-1', /^--backup-retention-days: expected a whole number/], [undefined, '1.5', /^--backup-retention-days/]] as const) {
    try {
      parseBackupPlan(t, d);
      assert.unreachable();
    } catch (e) {
      assert.instance(e, UsageError);
      assert.match((e as Error).message, re);
    }
  }
});

test.run();
