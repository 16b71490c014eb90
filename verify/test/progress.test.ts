// Console progress: one line per step; a spinner only on a terminal.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Writable } from 'node:stream';
import { consoleProgress } from '../progress.ts';
import type { StepResult } from '../types.ts';

function sink() {
  let text = '';
  const out = new Writable({ write(chunk, _e, cb) { text += chunk; cb(); } });
  return { out, text: () => text };
}
const result: StepResult = { id: '04-mobile-worker', title: 'Mobile worker', services: ['elasticsearch'], required: true, status: 'fail', reason: 'not in the listing', evidence: [], durationMs: 1500 };

test('not a TTY: plain lines, one per finished step, no escape codes', () => {
  const s = sink();
  const p = consoleProgress(s.out, false);
  p.onProgress({ kind: 'step-start', id: result.id, title: result.title, index: 3, total: 12 });
  p.onProgress({ kind: 'step-end', result, index: 3, total: 12 });
  p.waiting('waiting for serverup');
  assert.is(s.text(), 'FAIL [4/12] 04-mobile-worker Mobile worker (1.5 s) — not in the listing\nwaiting for serverup\n');
});

test('a TTY: a spinner line while waiting, replaced by the result line', async () => {
  const s = sink();
  const p = consoleProgress(s.out, true);
  p.onProgress({ kind: 'step-start', id: result.id, title: result.title, index: 3, total: 12 });
  await new Promise((r) => setTimeout(r, 300));
  p.onProgress({ kind: 'step-end', result, index: 3, total: 12 });
  p.stop();
  const t = s.text();
  assert.match(t, /\r\x1b\[2K[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] \[4\/12\] 04-mobile-worker Mobile worker 0 s/);
  assert.ok((t.match(/\r\x1b\[2K[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/g) ?? []).length >= 2, 'the spinner did not turn');
  assert.ok(t.endsWith('FAIL [4/12] 04-mobile-worker Mobile worker (1.5 s) — not in the listing\n'));
});

test.run();
