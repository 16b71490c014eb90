// `--users N` / `--scale-users F`: a what-if on any config, with or without a `{users}`
// placeholder. The `users` usage field's date ranges are scaled (whole users, rounded), and every
// field derived from users follows through the model; a `{name}` placeholder in a range is
// scaled in every set (and in a --var override). Pure: returns a new config.
import { UsageError } from '../common/errors.ts';
import type { SizingConfig, UsageModel } from './types.ts';

type Ranges = Extract<UsageModel, { slug: 'date_range_value' }>['ranges'];

function usersRanges(cfg: SizingConfig, flag: string): Ranges {
  const u = cfg.usage.find((m) => m.name === 'users');
  if (!u) throw new UsageError(`${flag}: ${cfg.file} has no 'users' usage field to scale`);
  if (u.slug !== 'date_range_value') throw new UsageError(`${flag}: usage.users in ${cfg.file} is a '${u.slug}' model; only date ranges (date_range_value) can be scaled`);
  return u.ranges;
}

/** The placeholder a range value is, or null for a number; other expressions cannot be scaled. */
function placeholder(v: Ranges[number]['value'], flag: string, where: string): string | null {
  if (typeof v !== 'string') return null;
  const m = /^\s*\{([A-Za-z_][A-Za-z0-9_]*)\}\s*$/.exec(v);
  if (!m) throw new UsageError(`${flag}: ${where}: '${v}' is an expression; only numbers and a plain {placeholder} can be scaled`);
  return m[1]!;
}

/** The largest number of users the config gives in any range of any set. */
export function peakUsers(cfg: SizingConfig, flag = '--users'): number {
  let peak = 0;
  for (const r of usersRanges(cfg, flag)) {
    const name = placeholder(r.value, flag, r.keyPath);
    if (name === null) peak = Math.max(peak, (r.value as { value: number }).value);
    else {
      if (name in cfg.vars) peak = Math.max(peak, Number(cfg.vars[name]));
      else for (const items of Object.values(cfg.sets)) for (const it of items) if (typeof it[name] === 'number') peak = Math.max(peak, it[name] as number);
    }
  }
  return peak;
}

/** The config with every users figure multiplied by `factor` (rounded to whole users). */
export function scaleUsers(cfg: SizingConfig, factor: number, flag = '--scale-users'): SizingConfig {
  if (!(Number.isFinite(factor) && factor > 0 && factor <= 1000)) throw new UsageError(`${flag}: expected a factor above 0 and at most 1000, got ${factor}`);
  const scale = (x: number) => Math.max(0, Math.round(x * factor));
  const names = new Set<string>();
  const usage = cfg.usage.map((u) => {
    if (u.name !== 'users') return u;
    const ranges = usersRanges(cfg, flag).map((r) => {
      const name = placeholder(r.value, flag, r.keyPath);
      if (name !== null) {
        names.add(name);
        return r;
      }
      return { ...r, value: { value: scale((r.value as { value: number }).value), int: true } };
    });
    return { ...u, ranges } as UsageModel;
  });
  const sets = Object.fromEntries(Object.entries(cfg.sets).map(([g, items]) => [g, items.map((it) => {
    const o = { ...it };
    for (const n of names) if (typeof o[n] === 'number') o[n] = scale(o[n] as number);
    return o;
  })]));
  const vars = { ...cfg.vars };
  for (const n of names) if (n in vars) vars[n] = scale(Number(vars[n]));
  return { ...cfg, usage, sets, vars };
}

/** `--users N`: the factor that makes the config's peak users N. */
export function usersFactor(cfg: SizingConfig, users: number): number {
  if (!(Number.isInteger(users) && users > 0)) throw new UsageError(`--users: expected a whole number of users above 0, got ${users}`);
  const peak = peakUsers(cfg);
  if (!(peak > 0)) throw new UsageError(`--users: ${cfg.file} gives no users above 0 to scale from`);
  return users / peak;
}
