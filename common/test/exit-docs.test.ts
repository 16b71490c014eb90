// The exit codes the docs promise are the ones the code uses: each exit-code section of the docs
// names only codes of `EXIT`, each with the meaning of its kind.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { EXIT } from '../errors.ts';

/** What a doc must say next to each code, by kind. */
const MEANS: Record<keyof typeof EXIT, RegExp> = {
  ok: /READY|nothing lost|computed/,
  failed: /NOT READY|failed|crossed/,
  usage: /usage|bad input/,
  internal: /internal error/,
  partial: /PARTIAL/,
  interrupted: /interrupted/,
};
const kindOf = (code: number) => (Object.keys(EXIT) as (keyof typeof EXIT)[]).find((k) => EXIT[k] === code);

/** The codes of a doc's exit-code section with the text that follows each, up to the next code. */
function exitSection(doc: string): Map<number, string> {
  const text = readFileSync(`docs/${doc}`, 'utf8');
  const start = text.search(/^(Exit codes|## Exit codes)/m);
  assert.ok(start >= 0, `${doc}: no exit-code section`);
  const section = text.slice(start, text.indexOf('\n\n', text.indexOf('\n', start) + 2) + 1 || undefined);
  const codes = new Map<number, string>();
  const re = /(?:\*\*(\d+)\*\*|^- (\d+):)/gm;
  const hits = [...section.matchAll(re)];
  hits.forEach((m, i) => codes.set(Number(m[1] ?? m[2]), section.slice(m.index! + m[0].length, hits[i + 1]?.index ?? section.length)));
  return codes;
}

for (const [doc, required] of [
  ['verify.md', ['ok', 'failed', 'usage', 'internal', 'partial', 'interrupted']],
  ['loadtests.md', ['ok', 'failed', 'usage', 'internal', 'interrupted']],
  ['verdict.md', ['ok', 'failed', 'usage', 'internal']],
  ['readiness.md', ['ok', 'failed', 'usage', 'internal']],
  ['monitoring.md', ['ok', 'failed', 'usage', 'internal']],
] as const) {
  test(`docs/${doc}: the exit codes are EXIT's, each with its meaning`, () => {
    const codes = exitSection(doc);
    for (const [code, says] of codes) {
      const kind = kindOf(code);
      assert.ok(kind, `${doc}: exit ${code} is not in EXIT (${JSON.stringify(EXIT)})`);
      assert.match(says, MEANS[kind!], `${doc}: exit ${code} (${kind}) is described as "${says.trim()}"`);
    }
    for (const k of required) assert.ok(codes.has(EXIT[k]), `${doc}: exit ${EXIT[k]} (${k}) is not documented`);
  });
}

test('the kinds have distinct codes', () => {
  assert.is(new Set(Object.values(EXIT)).size, Object.keys(EXIT).length);
});

test.run();
