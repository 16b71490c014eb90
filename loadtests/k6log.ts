// Where k6 writes what ccready reads back, and how it is read. Two files, both in k6's `raw`
// format (the message and a newline, nothing else):
//  - the console file (`--console-output`): the script's own lines, one `ccready-ack` per
//    acknowledged form (the integrity audit's input) and one `ccready-reject` per failure;
//  - the error file (`--log-output file=…,level=error`): k6's own messages at error level and up.
// Why raw and why two files: the ack line is written once per form and logrus' JSON formatter was
// most of its cost (about 13 µs of CPU a line against 7 raw, docs/loadtests.md); a raw line has no
// level, so k6's errors are told from its warnings by the file they land in (the log file's level
// filter, k6 internal/log/file.go) rather than by a field. k6 gives the console file the log's
// formatter (internal/js/runner.go SetOptions), so both are raw together. Pure.

/** The files in a run's work folder and in a k8s runner's folder on the results claim. */
export const K6_FILES = {
  /** the script's console lines (acks, rejects) */
  console: 'k6-console.log',
  /** k6's own errors */
  errors: 'k6-errors.log',
  /** ccready before the split wrote both, as JSON lines, here; still read from old claim folders */
  legacyLog: 'k6-log.json',
} as const;

/** `k6 run` arguments that write the console and error files. */
export function k6LogArgs(consolePath: string, errorsPath: string): string[] {
  return ['--log-output', `file=${errorsPath},level=error`, '--log-format', 'raw', '--console-output', consolePath];
}

/**
 * The same as environment variables (k6 reads K6_LOG_OUTPUT and K6_LOG_FORMAT in
 * cmd/state/state.go, K6_CONSOLE_OUTPUT as lib.Options' envconfig), for a k8s runner pod.
 */
export function k6LogEnv(consolePath: string, errorsPath: string): { name: string; value: string }[] {
  return [
    { name: 'K6_LOG_OUTPUT', value: `file=${errorsPath},level=error` },
    { name: 'K6_LOG_FORMAT', value: 'raw' },
    { name: 'K6_CONSOLE_OUTPUT', value: consolePath },
  ];
}

/**
 * The complete lines of a k6 file: a last line without its newline is dropped, because k6 was
 * stopped while writing it (or the disk filled) and its fields may be cut short.
 */
export function completeLines(text: string): string[] {
  const lines = text.split('\n');
  lines.pop();
  return lines;
}

/**
 * k6's own errors, one line each (a JavaScript stack trace reduced to its first line, the
 * reason): from the raw error file every message; from an old JSON log (ccready before the
 * split) the lines at level error or fatal, with their `error` field.
 */
export function k6OwnErrors(text: string): string[] {
  const out: string[] = [];
  for (const line of completeLines(text)) {
    if (!line.trim()) continue;
    if (line.startsWith('{')) {
      let j: { level?: string; msg?: string; error?: string };
      try {
        j = JSON.parse(line) as typeof j;
      } catch {
        continue;
      }
      if (j.level === 'error' || j.level === 'fatal') out.push(`${firstLine(j.msg ?? '')}${j.error ? `: ${firstLine(j.error)}` : ''}`);
      continue;
    }
    // A raw message of several lines (a stack trace): its further lines are indented (`\tat …`).
    if (/^\s/.test(line)) continue;
    out.push(line.trim());
  }
  return out;
}

function firstLine(s: string): string {
  const i = s.indexOf('\n');
  return (i < 0 ? s : s.slice(0, i)).trim();
}
