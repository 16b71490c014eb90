// `ccready size init --from URL`: argument handling and progress only. The paging is
// verify/collect (resumable by a cursor file, bounded), the config text sizing/ (initFromYaml).
// Loaded by size-init.ts only when --from is given.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { EXIT, UsageError } from '../../common/errors.ts';
import { redact } from '../../common/target.ts';
import { EXAMPLE_CONFIG, initFromYaml } from '../../sizing/index.ts';
import { collectHistory, dropCursor, type Progress } from '../../verify/collect/index.ts';
import { interruptible, targetFrom, type TargetArgs } from '../flags.ts';

export interface InitFromArgs extends TargetArgs {
  from?: string;
  cursor?: string;
  'max-pages'?: number;
  'max-minutes'?: number;
  'page-size'?: number;
  'request-timeout'?: number;
}

/** A bar on a terminal (redrawn in place), one plain line per month otherwise. */
function progressPrinter(): { show(p: Progress): void; end(): void } {
  const tty = !!process.stderr.isTTY;
  let drawn = false;
  let lastMonth = '';
  return {
    show(p) {
      const what = p.phase === 'forms' ? `forms ${p.month}` : p.phase === 'cases' ? 'cases' : 'mobile workers';
      if (tty) {
        const width = 24;
        const filled = p.months ? Math.round((p.done / p.months) * width) : width;
        process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${p.done}/${p.months} months · ${what} · ${p.pages} pages\x1b[K`);
        drawn = true;
      } else if (p.phase !== 'forms' || p.month !== lastMonth) {
        process.stderr.write(`  ${what} (${p.done}/${p.months} months read, ${p.pages} pages)\n`);
      }
      lastMonth = p.month ?? '';
    },
    end() {
      if (drawn) process.stderr.write('\n');
      drawn = false;
    },
  };
}

export async function initFrom(a: InitFromArgs & { out: string; force?: boolean; months?: number }): Promise<void> {
  const months = a.months ?? 36;
  if (!Number.isInteger(months) || months < 1 || months > 240) throw new UsageError(`--months: expected a whole number of months, 1 to 240, got ${months}`);
  if (existsSync(a.out) && !a.force) throw new UsageError(`--out ${a.out}: exists; pass --force to overwrite it or choose another file`);
  let target;
  try {
    target = targetFrom({ ...a, target: a.from });
  } catch (e) {
    // the URL came as --from: name that flag
    if (e instanceof UsageError) throw new UsageError(e.message.replace(/^--target: /, '--from: '));
    throw e;
  }
  const cursorFile = a.cursor ?? `${a.out}.cursor.json`;
  const resumed = existsSync(cursorFile);
  process.stderr.write(`ccready size init: reading ${target.url} (${target.domain})${resumed ? `, going on from ${cursorFile}` : ''}\n`);
  const bar = progressPrinter();
  const stop = interruptible(() => bar.end());
  let result;
  try {
    result = await collectHistory(target, {
      cursorFile,
      pageSize: a['page-size'],
      maxPages: a['max-pages'],
      maxMs: a['max-minutes'] === undefined ? undefined : a['max-minutes'] * 60_000,
      timeoutMs: Math.round((a['request-timeout'] ?? 60) * 1000),
      signal: stop.signal,
      onProgress: (p) => bar.show(p),
    });
  } catch (e) {
    bar.end();
    if (e instanceof Error) e.message = redact(e.message, target);
    throw e;
  } finally {
    stop.dispose();
  }
  bar.end();
  if (result.status === 'stopped') {
    // Nothing half-written: no config until every month, the cases and the users are read.
    process.stderr.write(`ccready size init: ${result.summary}; no config written. Run the same command again to go on from ${result.cursorFile}\n`);
    process.exitCode = result.reason === 'interrupted' ? EXIT.interrupted : EXIT.partial;
    return;
  }
  const h = result.history;
  const text = initFromYaml(readFileSync(EXAMPLE_CONFIG, 'utf8'), h, months);
  try {
    writeFileSync(a.out, text);
  } catch (e) {
    throw new UsageError(`--out ${a.out}: cannot write it (${(e as NodeJS.ErrnoException).code ?? e})`);
  }
  dropCursor(cursorFile);
  const forms = h.months.reduce((s, m) => s + m.forms, 0);
  const span = h.months.length ? `${h.months[0]!.month}..${h.months.at(-1)!.month}` : 'no complete month';
  process.stdout.write(`wrote ${a.out}: ${h.months.length} months observed (${span}), ${forms} forms, ${h.cases.total} cases, ${h.mobileWorkers} mobile workers; projected ${months} months\nnext: ccready size ${a.out}\n`);
}
