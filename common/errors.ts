// One error type for everything the user can fix: bad input, bad flags, bad config. The CLI prints
// its message as one line (no stack) and exits with its code (2 = usage or configuration error).
export class UsageError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode = 2) {
    super(message);
    this.name = 'UsageError';
    this.exitCode = exitCode;
  }
}

/** `file: key.path: expected …, got …` — the shape every input error takes. */
export function inputError(file: string | undefined, keyPath: string | undefined, message: string): UsageError {
  const where = [file, keyPath].filter(Boolean).join(': ');
  return new UsageError(where ? `${where}: ${message}` : message);
}
