// The Node versions ccready supports are stated once (package.json `engines`, repeated in the
// README), every dependency in the lock file accepts all of them (undici 8 and vega-lite 6.5 need
// Node 22, so a bump that drops Node 20 fails here by name), and the suite runs on Node 24 too.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { SECOND_NODE, testNodes } from '../test-nodes.mjs';

const root = new URL('../../', import.meta.url);
const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'));
const lock = JSON.parse(readFileSync(new URL('package-lock.json', root), 'utf8'));

type V = [number, number, number];
const parse = (s: string): V => {
  const [a = 0, b = 0, c = 0] = s.replace(/^[v=]/, '').split('.').map((x) => (x === 'x' || x === '*' ? 0 : Number(x)));
  return [a, b, c];
};
const cmp = (a: V, b: V) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];

/** Enough of npm's range syntax for `engines.node` fields: || of space-separated comparators. */
export function satisfies(version: string, range: string): boolean {
  const v = parse(version);
  return range.split('||').some((alt) => {
    const parts = alt.trim().replace(/(>=|<=|>|<|=|\^|~)\s+/g, '$1').split(/\s+/).filter(Boolean);
    if (parts.length === 3 && parts[1] === '-') return cmp(v, parse(parts[0]!)) >= 0 && cmp(v, parse(parts[2]!)) <= 0;
    return parts.every((p) => {
      if (p === '*' || p === 'x') return true;
      const m = /^(>=|<=|>|<|=|\^|~)?(.+)$/.exec(p)!;
      const op = m[1] ?? '';
      const t = parse(m[2]!);
      const c = cmp(v, t);
      const given = m[2]!.split('.').length;
      switch (op) {
        case '>=': return c >= 0;
        case '>': return c > 0;
        case '<=': return c <= 0;
        case '<': return c < 0;
        case '^': return c >= 0 && (t[0] > 0 ? v[0] === t[0] : t[1] > 0 ? v[0] === 0 && v[1] === t[1] : v[0] === 0 && v[1] === 0 && v[2] === t[2]);
        case '~': return c >= 0 && v[0] === t[0] && (given < 2 || v[1] === t[1]);
        default: return given === 1 ? v[0] === t[0] : given === 2 ? v[0] === t[0] && v[1] === t[1] : c === 0;
      }
    });
  });
}

/** The oldest release of each supported major, and the Node 24 the suite runs on. */
const SUPPORTED = ['20.19.0', '22.12.0', '24.0.0', SECOND_NODE.version];

test('the range reader reads npm ranges as npm does', () => {
  assert.ok(satisfies('20.19.0', '^20.19.0 || ^22.12.0 || >=24'));
  assert.not.ok(satisfies('20.18.9', '^20.19.0 || ^22.12.0 || >=24'));
  assert.not.ok(satisfies('23.1.0', '^20.19.0 || ^22.12.0 || >=24'));
  assert.not.ok(satisfies('20.19.0', '>=22.19.0'));
  assert.ok(satisfies('24.0.0', '>= 0.4'));
  assert.ok(satisfies('20.19.0', '>=12 <24 || >=24'));
  assert.not.ok(satisfies('20.19.0', '^22'));
  assert.ok(satisfies('22.1.0', '~22'));
});

test('engines states the supported Nodes, the README says the same, and Node 24 is among them', () => {
  const range: string = pkg.engines.node;
  for (const v of SUPPORTED) assert.ok(satisfies(v, range), `engines.node ${range} must accept ${v}`);
  const readme = readFileSync(new URL('README.md', root), 'utf8');
  assert.ok(readme.includes(`\`${range}\``), `README must state the supported Nodes as engines does: \`${range}\``);
});

test('every package in the lock file runs on every supported Node (why undici stays 7 and vega-lite 6.4)', () => {
  const refused: string[] = [];
  for (const [path, p] of Object.entries<{ version?: string; engines?: { node?: string } | string[] }>(lock.packages)) {
    const need = !Array.isArray(p.engines) ? p.engines?.node : undefined;
    if (!path || !need) continue;
    for (const v of SUPPORTED) if (!satisfies(v, need)) refused.push(`${path.replace(/^.*node_modules\//, '')}@${p.version} needs node ${need}, refuses ${v}`);
  }
  assert.equal(refused, []);
});

test('the suite runs on the machine\'s Node and on the pinned Node 24 (installed by the set-up)', () => {
  const nodes = testNodes('all');
  assert.ok(nodes.some((n) => n.version === SECOND_NODE.version || (n.path === process.execPath && n.version.startsWith('24.'))), JSON.stringify(nodes));
  assert.is(nodes[0]!.path, process.execPath);
});

test('what a test starts by name (node, npx, the bin\'s env shebang) runs on the Node under test', () => {
  const byName = spawnSync('sh', ['-c', 'node --version'], { encoding: 'utf8' });
  assert.is(byName.stdout.trim(), process.version);
  const viaNpx = spawnSync('npx', ['-c', 'node --version'], { encoding: 'utf8', cwd: fileURLToPath(root), timeout: 60_000 });
  assert.is(viaNpx.stdout.trim(), process.version, viaNpx.stderr);
});

test.run();
