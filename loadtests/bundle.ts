// Bundles the TypeScript k6 scenarios into one plain k6 script with esbuild: `k6` and `k6/*` stay
// external (k6 provides them), nothing is fetched at run time, and the built-in form templates
// (made with xmlbuilder2 here in Node) are embedded as a constant.
import { existsSync, mkdirSync, readFileSync, statSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { builtinTemplates } from './templates.ts';

/** Root of the ccready package (this file lives one folder below it, in loadtests/ or dist/). */
export const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const SCRIPT_NAME = 'ccready-load.js';
export const DEFAULT_BUNDLE_DIR = join(PACKAGE_ROOT, 'dist', 'k6');
const SCENARIO_DIR = join(PACKAGE_ROOT, 'loadtests', 'scenarios');

export async function bundleScenarios(outDir: string = DEFAULT_BUNDLE_DIR): Promise<string> {
  const { build } = await import('esbuild');
  mkdirSync(outDir, { recursive: true });
  const outfile = join(outDir, SCRIPT_NAME);
  await build({
    entryPoints: [join(SCENARIO_DIR, 'main.ts')],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2020',
    external: ['k6', 'k6/*'],
    define: { __CCREADY_TEMPLATES__: JSON.stringify(builtinTemplates()) },
    banner: { js: '// ccready k6 load script (bundled from loadtests/scenarios; run with: k6 run -e CCREADY_CONFIG=config.json ccready-load.js)' },
    logLevel: 'warning',
  });
  return outfile;
}

function newestSource(): number {
  let newest = 0;
  const visit = (p: string) => {
    for (const n of readdirSync(p)) {
      const f = join(p, n);
      const s = statSync(f);
      if (s.isDirectory()) visit(f);
      else if (n.endsWith('.ts')) newest = Math.max(newest, s.mtimeMs);
    }
  };
  if (existsSync(SCENARIO_DIR)) visit(SCENARIO_DIR);
  for (const f of ['contract.ts', 'templates.ts']) {
    const p = join(PACKAGE_ROOT, 'loadtests', f);
    if (existsSync(p)) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

/** The bundled script, rebuilt when the TypeScript sources are newer (a development checkout). */
export async function ensureBundle(): Promise<string> {
  const path = join(DEFAULT_BUNDLE_DIR, SCRIPT_NAME);
  if (existsSync(path) && (!existsSync(SCENARIO_DIR) || statSync(path).mtimeMs >= newestSource())) return path;
  return bundleScenarios(DEFAULT_BUNDLE_DIR);
}

export function readBundle(path: string): string {
  return readFileSync(path, 'utf8');
}
