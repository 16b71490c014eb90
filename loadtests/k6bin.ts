// Which k6 binary to run: --k6 PATH, then $K6_BIN, then .tools/bin/k6 (built by
// scripts/install-k6.mjs with `go install go.k6.io/k6@<pinned>`), then a k6 ≥ 1.0 on PATH.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { UsageError } from '../common/errors.ts';
import { PACKAGE_ROOT } from './bundle.ts';

/** The k6 version `npm run setup` builds (scripts/install-k6.mjs pins the same) and the tests run. */
export const TESTED_K6_VERSION = '1.8.1';

export interface K6Binary {
  path: string;
  /** e.g. "1.8.1" */
  version: string;
  /** image: the k8s runner pods' container image (path is the image) */
  source: '--k6' | 'K6_BIN' | '.tools/bin' | 'PATH' | 'image';
}

export function k6Version(bin: string): string | undefined {
  const r = spawnSync(bin, ['version'], { encoding: 'utf8', timeout: 15000 });
  if (r.status !== 0) return undefined;
  const m = /v(\d+\.\d+\.\d+)/.exec(r.stdout ?? '');
  return m ? m[1] : undefined;
}

function onPath(env: Record<string, string | undefined>): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, 'k6');
    if (existsSync(p)) return p;
  }
  return undefined;
}

export function resolveK6(opts: { k6?: string; env?: Record<string, string | undefined>; toolsDir?: string } = {}): K6Binary {
  const env = opts.env ?? process.env;
  const explicit: [string | undefined, K6Binary['source'], string][] = [
    [opts.k6, '--k6', '--k6'],
    [env.K6_BIN, 'K6_BIN', 'K6_BIN'],
  ];
  for (const [path, source, name] of explicit) {
    if (!path) continue;
    const version = k6Version(path);
    if (!version) throw new UsageError(`${name}: "${path}" does not run as k6 (expected \`${path} version\` to print a k6 version)`);
    return { path, version, source };
  }
  const local = join(opts.toolsDir ?? join(PACKAGE_ROOT, '.tools', 'bin'), 'k6');
  if (existsSync(local)) {
    const version = k6Version(local);
    if (version) return { path: local, version, source: '.tools/bin' };
  }
  const p = onPath(env);
  let rejected = '';
  if (p) {
    const version = k6Version(p);
    if (version && Number(version.split('.')[0]) >= 1) return { path: p, version, source: 'PATH' };
    // Say why the k6 the user can see was not taken, rather than claim there is none.
    rejected = version ? ` (k6 ${version} on PATH at ${p} is older than 1.0)` : ` (${p} on PATH does not run as k6)`;
  }
  throw new UsageError(`no k6 found${rejected}: run \`npm run setup\` (builds k6 into .tools/bin with go install), install k6 ≥ 1.0 on PATH, or pass --k6 PATH / set K6_BIN`);
}
