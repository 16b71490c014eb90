// Where a run's files go, and how they are written: all at once or not at all, so a failed run
// never leaves a half-written report behind.
import { mkdirSync, renameSync, rmSync, statSync, writeFileSync, existsSync, readdirSync, openSync, writeSync, fsyncSync, closeSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';

/** A sortable, unique run id: `20261123T111500Z-3fa2c1`. */
export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

/** The output folder of a run: `--out DIR` when given, else `reports/runs/<run-id>/`. */
export function runDir(runId: string, out?: string): string {
  return out ? resolve(out) : resolve('reports', 'runs', runId);
}

/**
 * `mkdir -p` that cannot spin: Node's recursive mkdir retries for ever where a special file system
 * (/proc) answers ENOENT for a folder it will never create; here each level is made once and the
 * error is thrown.
 */
export function makeDirs(dir: string): void {
  let isDir: boolean | undefined;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    /* missing: made below */
  }
  if (isDir) return;
  if (isDir === false) throw Object.assign(new Error(`${dir}: not a directory`), { code: 'ENOTDIR' });
  const parent = dirname(dir);
  if (parent !== dir) makeDirs(parent);
  try {
    mkdirSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || !statSync(dir).isDirectory()) throw e;
  }
}

/**
 * Writes every file into `dir` through a temporary sibling folder, then moves them in place.
 * Existing files in `dir` that are not being written are left alone.
 */
export function writeRunFiles(dir: string, files: Record<string, string | Uint8Array>): string[] {
  const staging = `${dir.replace(/\/+$/, '')}.partial-${randomBytes(4).toString('hex')}`;
  makeDirs(staging);
  try {
    for (const [name, content] of Object.entries(files)) {
      const path = join(staging, name);
      makeDirs(dirname(path));
      writeFileSync(path, content);
    }
    makeDirs(dir);
    const written: string[] = [];
    for (const name of Object.keys(files)) {
      const target = join(dir, name);
      makeDirs(dirname(target));
      renameSync(join(staging, name), target);
      written.push(target);
    }
    return written;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

export function isEmptyDir(dir: string): boolean {
  return !existsSync(dir) || readdirSync(dir).length === 0;
}

/** Writes one file whole or not at all: a temp file beside it, fsync, then rename over the old one. */
export function writeFileAtomic(path: string, data: string | Buffer, mode = 0o600): void {
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w', mode);
  try {
    const buf = typeof data === 'string' ? Buffer.from(data) : data;
    for (let off = 0; off < buf.length; ) off += writeSync(fd, buf, off, buf.length - off);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}
