// `--users N` / `--scale-users F` / `--vary FIELD=LO..HI`: what-ifs on any config, with or without a `{users}`
// placeholder. The `users` usage field's date ranges are scaled (whole users, rounded), and every
// field derived from users follows through the model; a `{name}` placeholder in a range is
// scaled in every set (and in a --var override). Pure: returns a new config.
import { UsageError } from '../common/errors.ts';
import type { RawValue, SizingConfig, UsageModel } from './types.ts';

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

/**
 * `--vary FIELD=LO..HI`: the config with one usage field scaled by `factor` — a date-range field's
 * values, or a derived field's factor ({placeholders} scaled in every set). users is scaled as
 * `--scale-users` does (whole users).
 */
export function scaleField(cfg: SizingConfig, field: string, factor: number, flag = '--vary'): SizingConfig {
  if (field === 'users') return scaleUsers(cfg, factor, flag);
  const u = cfg.usage.find((m) => m.name === field);
  if (!u) throw new UsageError(`${flag}: ${cfg.file} has no usage field '${field}' (fields: ${cfg.usage.map((m) => m.name).join(', ')})`);
  const names = new Set<string>();
  const num = (v: RawValue, where: string): RawValue => {
    const name = placeholder(v as Ranges[number]['value'], flag, where);
    if (name !== null) {
      names.add(name);
      return v;
    }
    return { value: (v as { value: number }).value * factor, int: false };
  };
  let scaled: UsageModel;
  if (u.slug === 'date_range_value') scaled = { ...u, ranges: u.ranges.map((r) => ({ ...r, value: num(r.value, r.keyPath) })) };
  else if (u.slug === 'derived_factor') scaled = { ...u, factor: num(u.factor, `${u.keyPath}.factor`) };
  else throw new UsageError(`${flag}: usage.${field} is a '${u.slug}' model; only date ranges and derived factors can be varied (vary the field it derives from)`);
  const sets = Object.fromEntries(Object.entries(cfg.sets).map(([g, items]) => [g, items.map((it) => {
    const o = { ...it };
    for (const n of names) if (typeof o[n] === 'number') o[n] = (o[n] as number) * factor;
    return o;
  })]));
  const vars = { ...cfg.vars };
  for (const n of names) if (n in vars) vars[n] = Number(vars[n]) * factor;
  return { ...cfg, usage: cfg.usage.map((m) => (m === u ? scaled : m)), sets, vars };
}

/** `--vary FIELD=LO..HI[:STEPS]` (default 5 steps, evenly spaced factors). */
export function parseVary(text: string, flag = '--vary'): { field: string; factors: number[] } {
  const m = /^([A-Za-z_][A-Za-z0-9_]*)=([0-9.]+)\.\.([0-9.]+)(?::(\d+))?$/.exec(text.trim());
  if (!m) throw new UsageError(`${flag}: expected FIELD=LO..HI[:STEPS], e.g. forms_monthly=0.5..2, got "${text}"`);
  const lo = Number(m[2]);
  const hi = Number(m[3]);
  const steps = m[4] === undefined ? 5 : Number(m[4]);
  if (!(lo > 0 && hi > lo && hi <= 1000)) throw new UsageError(`${flag}: expected 0 < LO < HI ≤ 1000, got ${m[2]}..${m[3]}`);
  if (!(steps >= 2 && steps <= 20)) throw new UsageError(`${flag}: expected 2 to 20 steps, got ${steps}`);
  return { field: m[1]!, factors: Array.from({ length: steps }, (_, i) => Number((lo + ((hi - lo) * i) / (steps - 1)).toPrecision(6))) };
}

/** `--users N`: the factor that makes the config's peak users N. */
export function usersFactor(cfg: SizingConfig, users: number): number {
  if (!(Number.isInteger(users) && users > 0)) throw new UsageError(`--users: expected a whole number of users above 0, got ${users}`);
  const peak = peakUsers(cfg);
  if (!(peak > 0)) throw new UsageError(`--users: ${cfg.file} gives no users above 0 to scale from`);
  return users / peak;
}
