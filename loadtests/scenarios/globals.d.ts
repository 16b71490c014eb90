// k6 provides a console in every VU; @types/k6 does not declare it (it leaves that to lib "dom").
declare const console: {
  log(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
};
