// Live progress on the console: one line per step; on a terminal a spinner with the elapsed time
// while a step waits, plain lines otherwise (CI logs).
import type { ProgressEvent } from './run.ts';

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const LABEL = { pass: 'PASS', fail: 'FAIL', warn: 'WARN', skip: 'SKIP' } as const;

export interface Progress {
  onProgress(e: ProgressEvent): void;
  /** A free-form status line (gate: waiting for serverup, load test …), with a spinner on a TTY. */
  waiting(message: string): void;
  line(message: string): void;
  stop(): void;
}

export function consoleProgress(out: NodeJS.WritableStream & { isTTY?: boolean } = process.stdout, tty = !!out.isTTY && !process.env.CI): Progress {
  let timer: NodeJS.Timeout | undefined;
  let current = '';
  let since = 0;
  let frame = 0;
  const clear = () => {
    if (timer) clearInterval(timer);
    timer = undefined;
    if (tty && current) out.write('\r\x1b[2K');
    current = '';
  };
  const spin = (text: string) => {
    clear();
    if (!tty) return;
    current = text;
    since = Date.now();
    const draw = () => out.write(`\r\x1b[2K${FRAMES[frame++ % FRAMES.length]} ${current} ${((Date.now() - since) / 1000).toFixed(0)} s`);
    draw();
    timer = setInterval(draw, 120);
    timer.unref();
  };
  return {
    onProgress(e) {
      if (e.kind === 'step-start') spin(`[${e.index + 1}/${e.total}] ${e.id} ${e.title}`);
      else if (e.kind === 'step-end') {
        clear();
        const r = e.result;
        out.write(`${LABEL[r.status]} [${e.index + 1}/${e.total}] ${r.id} ${r.title} (${(r.durationMs / 1000).toFixed(1)} s)${r.reason ? ` — ${r.reason}` : ''}\n`);
      } else {
        clear();
        out.write(`${e.message}\n`);
      }
    },
    waiting(message) {
      if (tty) spin(message);
      else out.write(`${message}\n`);
    },
    line(message) {
      clear();
      out.write(`${message}\n`);
    },
    stop: clear,
  };
}
