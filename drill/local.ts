// Host facts for `drill backup check --local`: the newest backup file under a folder (its age and
// size), and whether that folder is on another disk than the data (a lost data disk must not take
// the backups with it; the transition guide asks for them offsite).
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const MAX_ENTRIES = 20_000;
const STALE_HOURS = 26;

export interface BackupFacts {
  evidence: string[];
  fail?: string;
  warn?: string;
}

export function backupFacts(backupPath: string, dataPath: string, now = Date.now()): BackupFacts {
  let root;
  try {
    root = statSync(backupPath);
  } catch (e) {
    return { evidence: [], fail: `--backup-path ${backupPath}: ${(e as NodeJS.ErrnoException).code ?? e}` };
  }
  if (!root.isDirectory()) return { evidence: [], fail: `--backup-path ${backupPath}: not a folder` };
  // Breadth-first, bounded: a backup tree is a few levels of dated folders.
  let newest: { path: string; mtime: number; size: number } | undefined;
  let seen = 0;
  const queue = [backupPath];
  while (queue.length && seen < MAX_ENTRIES) {
    const dir = queue.shift()!;
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names) {
      if (++seen > MAX_ENTRIES) break;
      const path = join(dir, name);
      let st;
      try {
        st = statSync(path);
      } catch {
        continue;
      }
      if (st.isDirectory()) queue.push(path);
      else if (st.isFile() && (!newest || st.mtimeMs > newest.mtime)) newest = { path, mtime: st.mtimeMs, size: st.size };
    }
  }
  const evidence: string[] = [];
  let data;
  try {
    data = statSync(dataPath);
  } catch (e) {
    return { evidence, fail: `--data-path ${dataPath}: ${(e as NodeJS.ErrnoException).code ?? e}` };
  }
  const sameDisk = data.dev === root.dev;
  evidence.push(`${backupPath} is ${sameDisk ? 'on the same disk as' : 'on another disk than'} ${dataPath}`);
  if (!newest) return { evidence, fail: `no backup file under ${backupPath}${seen >= MAX_ENTRIES ? ` (looked at the first ${MAX_ENTRIES} entries)` : ''}` };
  const hours = (now - newest.mtime) / 3_600_000;
  evidence.push(`newest backup file ${newest.path}: ${newest.size} bytes, ${hours.toFixed(1)} h old`);
  if (newest.size === 0) return { evidence, fail: `the newest backup file ${newest.path} is empty` };
  const warns = [];
  if (hours > STALE_HOURS) warns.push(`the newest backup is ${hours.toFixed(0)} h old (a daily backup is at most ${STALE_HOURS} h old)`);
  if (sameDisk) warns.push(`backups are on the data disk (${dataPath}): keep a copy offsite`);
  return { evidence, warn: warns.length ? warns.join('; ') : undefined };
}
