// How `ccready size` writes its output: to file descriptors 1 and 2 directly, not through
// process.stdout and process.stderr. Creating those streams loads Node's stream classes and, for a
// pipe, its net module: ~3 ms of a run whose start-up has a target (issue 9). Measured here, stderr
// a pipe, medians of 31: `node -e "process.stderr.write('x')"` 65.1 ms, `node -e
// "require('fs').writeSync(2, 'x')"` 62.0 ms, `node -e 0` 61.2 ms.
import { writeSync } from 'node:fs';

/** Descriptors whose writes went to Node's stream instead (see writeStd): exitWhenFlushed waits for those. */
const streamed = new Set<1 | 2>();

const stream = (fd: 1 | 2): NodeJS.WriteStream => (fd === 1 ? process.stdout : process.stderr);

/**
 * Writes `text` to stdout (1) or stderr (2) before returning, 64K characters at a time through one
 * reused buffer: one write of a 2.5 MB JSON document would first encode it into a fresh buffer as
 * large as itself, and the kernel zeroing those pages cost more than the encoding.
 * - A reader that closed the pipe (`ccready size | head`) ends the run quietly, with its exit code:
 *   that is the reader's choice, not an error.
 * - A descriptor left non-blocking by another program (EAGAIN) gets the rest, and every later
 *   write, through Node's stream, which waits for it; exitWhenFlushed then waits for the stream.
 */
export function writeStd(fd: 1 | 2, text: string): void {
  if (streamed.has(fd)) {
    stream(fd).write(text);
    return;
  }
  const chunk = 1 << 16;
  // UTF-8 takes at most 3 bytes per UTF-16 unit
  const buf = Buffer.allocUnsafeSlow(Math.min(chunk, text.length) * 3);
  for (let i = 0; i < text.length;) {
    let end = Math.min(i + chunk, text.length);
    // a surrogate pair is never split between chunks
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end--;
    const n = buf.write(text.slice(i, end), 'utf8');
    for (let done = 0; done < n;) {
      try {
        done += writeSync(fd, buf, done, n - done);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EPIPE') endOnClosedPipe();
        if (code !== 'EAGAIN') throw err;
        toStream(fd);
        stream(fd).write(Buffer.from(buf.subarray(done, n)));
        stream(fd).write(text.slice(end));
        return;
      }
    }
    i = end;
  }
}

/** `ccready size | head` closes the pipe early: that is the reader's choice, not an error. */
const endOnClosedPipe = (): never => process.exit(process.exitCode ?? 0);

/** A Node stream that meets a closed pipe ends the run as writeStd does; any other error is thrown. */
export function quietOnClosedPipe(s: NodeJS.WriteStream): void {
  s.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') endOnClosedPipe();
    throw err;
  });
}

/** From now on fd's output goes through Node's stream. */
function toStream(fd: 1 | 2): void {
  streamed.add(fd);
  quietOnClosedPipe(stream(fd));
}

/** The descriptors whose output is (or was) queued in Node's streams. */
export function streamedDescriptors(): ReadonlySet<1 | 2> {
  return streamed;
}
