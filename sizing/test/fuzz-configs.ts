// The sizing config mutator, shared by the config fuzz test and the hostile run
// (scripts/hostile-run.ts): hostile values, deleted, duplicated, re-indented and misspelt keys,
// truncation, bad dates and YAML structure bombs. Driven by the caller's seeded PRNG.
import { readFileSync } from 'node:fs';
import { EXAMPLE_CONFIG } from '../index.ts';
import { sizingReferenceFile } from '../../fixtures/reference.ts';

const VALUES = ['0', '-1', '-0.5', '1e308', '1.0e308', '1e-308', '99999999999999999999', "'abc'", "''", '.nan', '.inf', '-.inf', '~', 'yes', '[1, 2]', '{a: 1}', '*nope', '&x 1', '!!str 3', '0x1F', '1_000', '2020-01-01', '"\\u0000"', '|\n  text'];
const DATES = ["'20241301'", "'99991231'", "'00010101'", "'2024'", "'20240229'", "'19000101'", "'21001201'"];

export function mutate(text: string, r: () => number): { text: string; how: string[] } {
  let lines = text.split('\n');
  const how: string[] = [];
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const n = 1 + Math.floor(r() * 3);
  for (let k = 0; k < n; k++) {
    const i = Math.floor(r() * lines.length);
    const kind = Math.floor(r() * 9);
    const line = lines[i] ?? '';
    if (kind === 0 || kind === 1) {
      // a number or quoted value replaced by something hostile
      const v = pick(VALUES);
      lines[i] = line.replace(/(:\s*|-\s*|\[\s*|,\s*)(-?[0-9.]+[A-Za-z]*|'[^']*')/, `$1${v}`);
      how.push(`value@${i + 1}=${v}`);
    } else if (kind === 2) {
      lines.splice(i, 1);
      how.push(`delete@${i + 1}`);
    } else if (kind === 3) {
      lines.splice(i, 0, line);
      how.push(`duplicate@${i + 1}`);
    } else if (kind === 4) {
      lines[i] = r() < 0.5 ? `  ${line}` : line.replace(/^ {1,2}/, '');
      how.push(`indent@${i + 1}`);
    } else if (kind === 5) {
      lines.splice(i, 0, `${line.match(/^\s*/)![0]}${pick(['summary_date', 'colour', 'static_numbr', 'usage', 'model'])}: ${pick(VALUES)}`);
      how.push(`key@${i + 1}`);
    } else if (kind === 6) {
      lines = lines.slice(0, i);
      how.push(`truncate@${i + 1}`);
    } else if (kind === 7) {
      lines[i] = line.replace(/'\d{8}'/, pick(DATES));
      how.push(`date@${i + 1}`);
    } else {
      const bombs = ['x: &s [1, *s]', 'l0: &l0 [1, 1, 1, 1, 1, 1, 1, 1]\nl1: &l1 [*l0, *l0, *l0, *l0, *l0, *l0, *l0, *l0]\nl2: [*l1, *l1, *l1, *l1, *l1, *l1, *l1, *l1]', '<<: {estimation_buffer: 0.5}', 'services: &sv\n  x: *sv'];
      lines.unshift(pick(bombs));
      how.push('yaml-structure');
    }
  }
  return { text: lines.join('\n'), how };
}

/** The configs mutated: the example and a real project's (fixtures/sizing/reference). */
export function fuzzBases(): string[] {
  return [readFileSync(EXAMPLE_CONFIG, 'utf8'), readFileSync(sizingReferenceFile('tdh-test', 'config.yml'), 'utf8')];
}
