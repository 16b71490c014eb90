// A small argument reader for the commands that must start fast (`ccready size`): loading and
// setting up yargs costs more than sizing a config. It reads the same option tables the yargs
// builder declares, and it only answers when it is sure it reads them as yargs would; anything
// else (help, an unknown or repeated flag, a bad choice, a missing value, `--`) returns null and the
// caller hands the whole command line to yargs, so errors and help come from one place.

/** The subset of a yargs option declaration this reader understands. */
export interface FastOption {
  type: 'string' | 'boolean';
  alias?: string;
  array?: boolean;
  choices?: readonly string[];
  default?: string | boolean;
}

const camel = (name: string) => name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/**
 * Reads `args` (the words after the command name) against `options` and the command's
 * positionals; null when yargs must decide. The result has each flag under its own name, its
 * camelCase name and its alias, as yargs gives it to a command handler.
 */
export function readFastArgs(args: string[], options: Record<string, FastOption>, positionals: readonly string[]): Record<string, unknown> | null {
  const byName = new Map<string, string>();
  for (const [name, o] of Object.entries(options)) {
    byName.set(name, name);
    if (o.alias) byName.set(o.alias, name);
  }
  const values: Record<string, unknown> = {};
  const seen = new Set<string>();
  const pos: string[] = [];
  const isFlag = (w: string | undefined) => w !== undefined && w.startsWith('-') && w !== '-';
  for (let i = 0; i < args.length; i++) {
    const word = args[i]!;
    if (!isFlag(word)) {
      pos.push(word);
      continue;
    }
    if (word === '--') return null;
    const long = word.startsWith('--');
    const body = word.slice(long ? 2 : 1);
    if (!long && body.length !== 1) return null; // grouped short flags (-su): yargs' business
    const eq = body.indexOf('=');
    let key = eq >= 0 ? body.slice(0, eq) : body;
    let inline: string | undefined = eq >= 0 ? body.slice(eq + 1) : undefined;
    let negated = false;
    if (long && !byName.has(key) && key.startsWith('no-') && options[key.slice(3)]?.type === 'boolean') {
      key = key.slice(3);
      negated = true;
      if (inline !== undefined) return null;
    }
    const name = (long || key.length === 1) ? byName.get(key) : undefined;
    if (name === undefined) return null; // unknown flag (or --help / --version): yargs explains
    const o = options[name]!;
    if (seen.has(name) && !o.array) return null; // yargs turns a repeated flag into an array
    seen.add(name);
    if (o.type === 'boolean') {
      if (o.array) return null;
      let v = !negated;
      if (inline !== undefined || args[i + 1] === 'true' || args[i + 1] === 'false') {
        const text = inline ?? args[++i]!;
        if (text !== 'true' && text !== 'false') return null;
        v = negated ? text !== 'true' : text === 'true';
      }
      values[name] = v;
      continue;
    }
    const got: string[] = [];
    if (inline !== undefined) got.push(inline);
    else if (!o.array) {
      if (!(i + 1 < args.length) || isFlag(args[i + 1])) return null;
      got.push(args[++i]!);
    }
    // an array flag takes every following word up to the next flag, as yargs does
    if (o.array) while (i + 1 < args.length && !isFlag(args[i + 1])) got.push(args[++i]!);
    if (got.length === 0) return null;
    if (o.choices && got.some((g) => !o.choices!.includes(g))) return null;
    values[name] = o.array ? [...((values[name] as string[] | undefined) ?? []), ...got] : got[0];
  }
  if (pos.length > positionals.length) return null;
  const out: Record<string, unknown> = { _: [], $0: 'ccready' };
  positionals.forEach((p, i) => {
    if (pos[i] !== undefined) out[p] = pos[i];
  });
  for (const [name, o] of Object.entries(options)) {
    const v = name in values ? values[name] : o.default;
    if (v === undefined) continue;
    out[name] = v;
    out[camel(name)] = v;
    if (o.alias) out[o.alias] = v;
  }
  return out;
}
