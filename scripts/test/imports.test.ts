// The import graph of the project's own files (tests, benches and scripts/ aside) keeps two rules
// of the layout (README, issue 9):
// - no import cycle between files: a cycle makes the load order decide which binding is still
//   undefined, and it ties two modules so that neither can change alone (type-only imports are
//   erased before run time and do not count);
// - another top-level folder reaches a folder that has an index.ts (sizing/, loadtests/, verify/
//   and its sub-folders, drill/, fixtures/hq-sim/) only through an index.ts: that file is the
//   folder's public API. Folders without one (common/, reports/, cli/) are libraries of modules.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SKIP = new Set(['node_modules', 'dist', '.git', '.tools', 'runs', 'docs']);

interface Edge { from: string; to: string; typeOnly: boolean }

function sourceFiles(dir = ROOT, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (SKIP.has(name) || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) sourceFiles(p, out);
    else if (/\.(ts|mts|mjs)$/.test(name) && !name.endsWith('.d.ts') && !name.endsWith('.d.mts')) out.push(relative(ROOT, p).split(sep).join('/'));
  }
  return out;
}

/** Tests, their helpers, benches and the build/test scripts: not part of the shipped layout. */
const outsideLayout = (f: string) => f.startsWith('scripts/') || /\.test\.ts$/.test(f) || /(^|\/)test\//.test(f) || /(^|\/)bench(\/|\.ts$)/.test(f);

// `import … from './x.ts'`, `export … from './x.ts'`, `import './x.ts'` and `import('./x.ts')`, relative only
// (an import clause holds no quote or semicolon: the match never runs on into the next statement)
const IMPORT = /(?:^|[\n;])\s*(import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?['"](\.{1,2}\/[^'"]+)['"]|\bimport\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;

function edges(files: string[]): Edge[] {
  const out: Edge[] = [];
  for (const from of files) {
    // comments could hold an example import: dropped first (line comments only where they start a line)
    const text = readFileSync(join(ROOT, from), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
    for (const m of text.matchAll(IMPORT)) {
      const spec = m[3] ?? m[4]!;
      const to = relative(ROOT, resolve(ROOT, dirname(from), spec)).split(sep).join('/');
      out.push({ from, to, typeOnly: Boolean(m[2]) });
    }
  }
  return out;
}

const files = sourceFiles().filter((f) => !outsideLayout(f));
const graph = edges(files).filter((e) => !outsideLayout(e.to));

test('the scan sees the layout (a broken pattern would pass every rule vacuously)', () => {
  assert.ok(files.length > 150, `only ${files.length} source files found`);
  assert.ok(graph.some((e) => e.from === 'cli/main.ts' && e.to === 'cli/commands/size.ts'), 'cli/main.ts -> cli/commands/size.ts (a dynamic import) not seen');
  assert.ok(graph.some((e) => e.from === 'sizing/index.ts' && e.to === 'sizing/types.ts' && e.typeOnly), 'sizing/index.ts re-exporting its types not seen');
  for (const e of graph) assert.ok(existsSync(join(ROOT, e.to)), `${e.from} imports ${e.to}, which does not exist`);
});

test('no import cycle between files', () => {
  const next = new Map<string, string[]>();
  for (const e of graph) if (!e.typeOnly) next.set(e.from, [...(next.get(e.from) ?? []), e.to]);
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const cycles: string[] = [];
  const visit = (f: string): void => {
    state.set(f, 'open');
    path.push(f);
    for (const t of next.get(f) ?? []) {
      if (state.get(t) === 'open') cycles.push([...path.slice(path.indexOf(t)), t].join(' -> '));
      else if (!state.has(t)) visit(t);
    }
    path.pop();
    state.set(f, 'done');
  };
  for (const f of files) if (!state.has(f)) visit(f);
  assert.equal(cycles, [], `import cycles:\n${cycles.join('\n')}`);
});

/** The folder whose index.ts is the public API of a file: its nearest ancestor with an index.ts, if any. */
function apiFolder(file: string): string | null {
  const top = file.split('/')[0]!;
  for (let d = dirname(file); d === top || d.startsWith(`${top}/`); d = dirname(d)) {
    if (existsSync(join(ROOT, d, 'index.ts'))) return d;
  }
  return null;
}

// Deep imports still tolerated, folder -> folder (none now: drill/ reaches the verifier through
// verify/index.ts like everyone else). An entry must name imports that still exist (test below).
const KNOWN_DEEP: Record<string, string> = {};

test('other top-level folders import a folder only through its index.ts', () => {
  const deep = graph.filter((e) => {
    if (e.from.split('/')[0] === e.to.split('/')[0]) return false;
    const api = apiFolder(e.to);
    if (api === null || e.to.endsWith('/index.ts')) return false;
    return !Object.entries(KNOWN_DEEP).some(([from, to]) => e.from.startsWith(from) && e.to.startsWith(to));
  });
  assert.equal(deep.map((e) => `${e.from} -> ${e.to}`), [], 'deep imports (import the folder\'s index.ts instead, exporting what is needed there)');
});

test('the known deep imports still exist (drop an entry once its folder imports through the index)', () => {
  for (const [from, to] of Object.entries(KNOWN_DEEP)) {
    assert.ok(graph.some((e) => e.from.startsWith(from) && e.to.startsWith(to) && !e.to.endsWith('/index.ts')), `${from} -> ${to}: no deep import left; remove it from KNOWN_DEEP`);
  }
});

test.run();
