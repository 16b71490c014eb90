// A config's YAML text as a tree of nodes with their positions (`Y`): plain configs through
// sizing/yaml-lite.ts, anything else through the yaml library (YAML 1.1, as PyYAML reads it),
// with aliases shared rather than copied and capped, and merge keys as PyYAML merges them.
import type { LineCounter, Node, Document } from 'yaml';
import { UsageError } from '../common/errors.ts';
import { yamlLib } from '../common/yaml.ts';
import { readYamlLite } from './yaml-lite.ts';
import type { Y } from './types.ts';

/** The document as a Y tree (one line naming file:line:col when it is not readable YAML). */
export function readConfigYaml(yamlText: string, file: string): Y {
  return readYamlLite(yamlText, file) ?? readYaml(yamlText, file);
}

/** More aliases than any real config uses: beyond this a document is an alias bomb, not a config. */
const MAX_ALIASES = 1000;

/**
 * The yaml library's document as a Y tree. An alias yields the very Y of its anchor (shared, not
 * copied), so nested aliases cost nothing however often they expand (PyYAML shares them too);
 * an alias inside its own anchor is an error, not an endless recursion.
 */
function convert(root: unknown, doc: Document, lc: LineCounter, file: string, text: string): Y {
  const { isAlias, isMap, isScalar, isSeq } = yamlLib();
  const where = (n: { range?: [number, number, number] | null }) => {
    const off = n.range ? n.range[0] : 0;
    const p = lc.linePos(off);
    return `${file}:${p.line}:${p.col}`;
  };
  const done = new Map<object, Y>();
  const open = new Set<object>();
  let aliases = 0;
  const walk = (node: unknown): Y => {
    if (isAlias(node)) {
      if (++aliases > MAX_ALIASES) throw new UsageError(`${where(node)}: more than ${MAX_ALIASES} YAML aliases; expected a plain config`);
      const target = node.resolve(doc);
      if (target && open.has(target)) throw new UsageError(`${where(node)}: alias *${node.source} refers to its own anchor (a YAML structure cannot contain itself)`);
      return walk(target);
    }
    if (node && typeof node === 'object') {
      const seen = done.get(node);
      if (seen) return seen;
      open.add(node);
      const y = build(node);
      open.delete(node);
      done.set(node, y);
      return y;
    }
    return build(node);
  };
  const build = (node: unknown): Y => {
    if (isMap(node)) {
      const entries = new Map<string, Y>();
      for (const pair of node.items) {
        const kv = isScalar(pair.key) ? pair.key.value : pair.key;
        // YAML 1.1 gives the merge key as a symbol
        const k = typeof kv === 'symbol' ? (kv.description ?? String(kv)) : String(kv);
        if (k === '<<') { // YAML 1.1 merge key, as PyYAML supports it: keys written in the mapping win
          const src = walk(pair.value);
          const maps = src.kind === 'seq' ? src.items : [src];
          for (const m of maps) {
            if (m.kind !== 'map') throw new UsageError(`${m.where}: <<: expected a mapping or a list of mappings to merge`);
            for (const [mk, mv] of m.entries) if (!entries.has(mk)) entries.set(mk, mv);
          }
          continue;
        }
        entries.set(k, walk(pair.value));
      }
      return { kind: 'map', entries, where: where(node) };
    }
    if (isSeq(node)) return { kind: 'seq', items: node.items.map(walk), where: where(node) };
    if (isScalar(node)) {
      const r = node.range;
      const src = r ? text.slice(r[0], r[1]) : String(node.value);
      return { kind: 'scalar', value: node.value, src, where: where(node) };
    }
    // an empty value (`key:` with nothing) is null, as in PyYAML
    return { kind: 'scalar', value: null, src: '', where: file };
  };
  return walk(root);
}

/** The document through the yaml library (YAML 1.1, as PyYAML reads it): anything yaml-lite leaves to it. */
export function readYaml(yamlText: string, file: string): Y {
  const { LineCounter, parseDocument } = yamlLib();
  const lc = new LineCounter();
  const doc = parseDocument(yamlText, { lineCounter: lc, version: '1.1', uniqueKeys: false, prettyErrors: false });
  if (doc.errors.length) {
    const e = doc.errors[0]!;
    const p = lc.linePos(e.pos[0]);
    const msg = e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    throw new UsageError(`${file}:${p.line}:${p.col}: unreadable YAML: ${msg}`);
  }
  return convert(doc.contents as Node, doc, lc, file, yamlText);
}

