// The seven usage models: month-by-month usage columns (users, forms, cases, …), computed in
// the tool's order and with its pandas semantics (NaN propagation, int64 vs float64 columns).
import { UsageError } from '../common/errors.ts';
import type { RawValue, SizingConfig, Table, UsageModel, YNum } from './types.ts';

export interface Column { values: number[]; int: boolean }
export interface UsageFrame {
  /** months, YYYY-MM-DD, sorted */
  index: string[];
  /** columns in the order the tool created them */
  columns: Map<string, Column>;
}

function fail(where: string, key: string, msg: string): never {
  throw new UsageError(`${where}: ${key}: ${msg}`);
}

/** All months from start to end (both included), as pd.date_range(freq='MS'). */
export function monthRange(start: string, end: string): string[] {
  let y = Number(start.slice(0, 4));
  let m = Number(start.slice(5, 7));
  if (start.slice(8) !== '01') { m += 1; if (m > 12) { m = 1; y += 1; } } // MS rolls forward
  const out: string[] = [];
  for (;;) {
    const iso = `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-01`;
    if (iso > end) break;
    out.push(iso);
    m += 1; if (m > 12) { m = 1; y += 1; }
  }
  return out;
}

/**
 * `{var}` substitution with Python's str.format semantics, then int()/float() as the tool does;
 * a value without a placeholder keeps its YAML type.
 */
export function applyContext(
  value: RawValue, context: Record<string, unknown>, cast: 'int' | 'float', where: string, key: string,
  varWhere: (name: string) => string,
): YNum {
  if (typeof value !== 'string') return value;
  const text = value.replace(/\{([^}]*)\}/g, (_, name: string) => {
    if (!(name in context)) {
      const known = Object.keys(context).filter((k) => k !== 'name').sort();
      fail(where, key, `'{${name}}' is not a variable of set '${String(context.name)}' (it has: ${known.join(', ') || 'none'})`);
    }
    const v = setValue(context, name, []);
    return typeof v === 'number' ? pyNumStr(v) : String(v);
  });
  const t = text.trim();
  if (cast === 'int') {
    if (!/^[-+]?\d+$/.test(t)) fail(where, key, `'${value}' gives '${text}', expected an integer${origin(value, varWhere)}`);
    return { value: Number(t), int: true };
  }
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(t)) fail(where, key, `'${value}' gives '${text}', expected a number${origin(value, varWhere)}`);
  return { value: Number(t), int: false };
}

function origin(value: string, varWhere: (name: string) => string): string {
  const names = [...value.matchAll(/\{([^}]*)\}/g)].map((m) => m[1]!);
  const w = names.map(varWhere).filter(Boolean);
  return w.length ? ` (from ${w.join(', ')})` : '';
}

/**
 * A set variable's value. A string that is arithmetic over other set variables (`users*12`, as
 * dimagi's sk/ush-edss branch allows) is evaluated; int operands with + - * stay integers.
 */
function setValue(context: Record<string, unknown>, name: string, stack: string[]): unknown {
  const v = context[name];
  if (typeof v !== 'string' || !/^[\w\s.+\-*/()]+$/.test(v) || !/[A-Za-z_]\w*|[-+*/]/.test(v)) return v;
  if (stack.includes(name)) return v;
  const tokens = v.match(/\d+\.\d*|\.\d+|\d+|[A-Za-z_]\w*|[-+*/()]|\S/g) ?? [];
  let pos = 0;
  type N = { v: number; int: boolean } | null;
  const atom = (): N => {
    const t = tokens[pos++];
    if (t === undefined) return null;
    if (t === '(') { const e = sum(); if (tokens[pos++] !== ')') return null; return e; }
    if (t === '-') { const a = atom(); return a && { v: -a.v, int: a.int }; }
    if (/^\d+$/.test(t)) return { v: Number(t), int: true };
    if (/^[\d.]+$/.test(t)) return { v: Number(t), int: false };
    if (/^[A-Za-z_]\w*$/.test(t) && t in context) {
      const r = setValue(context, t, [...stack, name]);
      return typeof r === 'number' ? { v: r, int: Number.isInteger(r) } : null;
    }
    return null;
  };
  const prod = (): N => {
    let a = atom();
    while (a && (tokens[pos] === '*' || tokens[pos] === '/')) {
      const op = tokens[pos++];
      const b = atom();
      if (!b) return null;
      a = op === '*' ? { v: a.v * b.v, int: a.int && b.int } : { v: a.v / b.v, int: false };
    }
    return a;
  };
  const sum = (): N => {
    let a = prod();
    while (a && (tokens[pos] === '+' || tokens[pos] === '-')) {
      const op = tokens[pos++];
      const b = prod();
      if (!b) return null;
      a = { v: op === '+' ? a.v + b.v : a.v - b.v, int: a.int && b.int };
    }
    return a;
  };
  const r = sum();
  if (!r || pos !== tokens.length) return v; // not an expression: the string as is
  return r.int ? r.v : r.v;
}

/** str() of a Python number as YAML gave it (ints have no '.0'). */
function pyNumStr(v: number): string {
  return Number.isInteger(v) ? String(v) : String(v);
}

const sameMonths = (a: string[], b: string[]): boolean => a.length === b.length && a.every((d, i) => d === b[i]);

function reindex(col: Column, from: string[], to: string[]): Column {
  if (sameMonths(from, to)) return col;
  const pos = new Map(from.map((d, i) => [d, i]));
  const values = to.map((d) => { const i = pos.get(d); return i === undefined ? NaN : col.values[i]!; });
  // a column that gains NaN months becomes float64, as in pandas
  return { values, int: col.int && values.every((v) => !Number.isNaN(v)) };
}

function mulScalar(col: Column, f: YNum): Column {
  return { values: col.values.map((v) => v * f.value), int: col.int && f.int };
}

function addFirst(col: Column, sw: YNum): Column {
  // `series[0] += start_with`, skipped when start_with is 0
  if (!sw.value || col.values.length === 0) return col;
  const values = col.values.slice();
  values[0] = values[0]! + sw.value;
  return { values, int: col.int && sw.int };
}

function cumsum(col: Column, sw: YNum): Column {
  // first month += start_with (always, NaN swallows it), then a running sum that skips NaN months
  const values = col.values.slice();
  if (values.length) values[0] = values[0]! + sw.value;
  let acc = 0;
  let seen = false;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isNaN(v)) continue;
    acc = seen ? acc + v : v;
    seen = true;
    values[i] = acc;
  }
  return { values, int: col.int && sw.int };
}

interface Run { name: string; cols: [string, Column][]; index?: string[] }

function runModel(u: UsageModel, df: UsageFrame, ctx: Record<string, unknown>, varWhere: (n: string) => string): Run {
  const get = (f: string) => df.columns.get(f)!;
  const sw = (): YNum => ('start_with' in u ? applyContext(u.start_with, ctx, 'int', u.where, `${u.keyPath}.start_with`, varWhere) : { value: 0, int: true });
  switch (u.slug) {
    case 'date_range_value': {
      const values = new Map<string, { v: number; int: boolean; key: string }>();
      for (const r of u.ranges) {
        const val = applyContext(r.value, ctx, 'int', r.where, `${r.keyPath}`, varWhere);
        // a count of users, forms, cases...: a negative one is a typo (or a bad --var), never a plan
        if (val.value < 0) fail(r.where, r.keyPath, `expected a non-negative value, got ${val.value}${typeof r.value === 'string' ? origin(r.value, varWhere) : ''}`);
        for (const month of monthRange(r.start, r.end)) {
          const prev = values.get(month);
          if (prev) {
            fail(r.where, r.keyPath, `month ${month.slice(0, 7)} is already given by ${prev.key}: ranges of '${u.name}' must not overlap`);
          }
          values.set(month, { v: val.value, int: val.int, key: r.keyPath });
        }
      }
      const index = [...values.keys()].sort();
      const all = index.map((m) => values.get(m)!);
      return { name: u.name, index, cols: [[u.name, { values: all.map((x) => x.v), int: all.every((x) => x.int) }]] };
    }
    case 'derived_factor': {
      const f = applyContext(u.factor, ctx, 'float', u.where, `${u.keyPath}.factor`, varWhere);
      return { name: u.name, cols: [[u.name, addFirst(mulScalar(get(u.dependant_field), f), sw())]] };
    }
    case 'invert_derived_factor': {
      const f = applyContext(u.factor, ctx, 'float', u.where, `${u.keyPath}.factor`, varWhere);
      const dep = get(u.dependant_field);
      return { name: u.name, cols: [[u.name, addFirst({ values: dep.values.map((v) => v / f.value), int: false }, sw())]] };
    }
    case 'derived_sum': {
      const cols = u.dependant_fields.map(get);
      const int = cols.every((c) => c.int);
      // Python's sum() over the row, left to right: NaN propagates
      const values = df.index.map((_, i) => cols.reduce((a, c) => a + c.values[i]!, 0));
      return { name: u.name, cols: [[u.name, addFirst({ values, int }, sw())]] };
    }
    case 'product': {
      const cols = u.dependant_fields.map(get);
      const int = cols.every((c) => c.int);
      // pandas Series.product() skips NaN (a NaN field acts as 1)
      const values = df.index.map((_, i) => cols.reduce((a, c) => (Number.isNaN(c.values[i]!) ? a : a * c.values[i]!), 1));
      return { name: u.name, cols: [[u.name, { values, int }]] };
    }
    case 'cumulative':
      return { name: u.name, cols: [[u.name, cumsum(get(u.dependant_field), sw())]] };
    case 'cumulative_limited_lifespan': {
      const cum = cumsum(get(u.dependant_field), sw());
      const L = u.lifespan;
      const values = cum.values.map((v, i) => {
        let live = i >= L ? v - cum.values[i - L]! : NaN;
        if (Number.isNaN(live) && i < L) live = v;
        if (Number.isNaN(live)) {
          fail(u.where, u.keyPath, `no value in month ${df.index[i]!.slice(0, 7)} (its dependant field '${u.dependant_field}' has no value there${i >= L ? ` or ${L} months earlier` : ''})`);
        }
        return Math.trunc(live); // .astype(int)
      });
      return { name: u.name, cols: [[u.name, { values, int: true }]] };
    }
    case 'baseline_with_growth': {
      const dep = get(u.dependant_field);
      const b = applyContext(u.baseline, ctx, 'float', u.where, `${u.keyPath}.baseline`, varWhere);
      const g = applyContext(u.monthly_growth, ctx, 'float', u.where, `${u.keyPath}.monthly_growth`, varWhere);
      const baseline = mulScalar(dep, b);
      const monthly = mulScalar(dep, g);
      const cum = cumsum(monthly, sw());
      const total: Column = { values: baseline.values.map((v, i) => v + cum.values[i]!), int: baseline.int && cum.int };
      // DataFrame([baseline, monthly, total]).T gives the three columns one common dtype
      const int = baseline.int && monthly.int && total.int;
      return {
        name: u.name,
        cols: [[`${u.name}_baseline`, { ...baseline, int }], [`${u.name}_monthly`, { ...monthly, int }], [u.name, { ...total, int }]],
      };
    }
  }
}

function deps(u: UsageModel): string[] {
  if (u.slug === 'date_range_value') return [];
  if (u.slug === 'derived_sum' || u.slug === 'product') return u.dependant_fields;
  return [u.dependant_field];
}

/** generate_usage_data(config, set_context): every usage column for one combined set. */
export function generateUsage(config: SizingConfig, ctx: Record<string, unknown>, varWhere: (n: string) => string = () => ''): UsageFrame {
  const df: UsageFrame = { index: [], columns: new Map() };
  const models = config.usage.slice();
  while (models.length) {
    const before = models.length;
    // The tool removes models from the list it is iterating over, so the model after each one
    // that runs is skipped until the next pass; this decides the column order.
    for (let i = 0; i < models.length; i++) {
      const u = models[i]!;
      if (!deps(u).every((d) => df.columns.has(d))) continue;
      models.splice(i, 1);
      const r = runModel(u, df, ctx, varWhere);
      if (r.index) {
        const union = [...new Set([...df.index, ...r.index])].sort();
        // entries as e[0], e[1], not `const [k, c]`: destructuring runs the iterator protocol, cold
        // (the months compared once, not once per column: a new range model rarely adds months)
        if (!sameMonths(df.index, union)) for (const e of df.columns) df.columns.set(e[0], reindex(e[1], df.index, union));
        const newIndex = union;
        for (const e of r.cols) df.columns.set(e[0], reindex(e[1], r.index, newIndex));
        df.index = newIndex;
      } else {
        for (const e of r.cols) df.columns.set(e[0], e[1]);
      }
    }
    if (models.length === before) {
      // the column a dependency names -> the model that makes it (baseline_with_growth makes three)
      const maker = new Map<string, string>();
      for (const u of config.usage) {
        maker.set(u.name, u.name);
        if (u.slug === 'baseline_with_growth') for (const sfx of ['_baseline', '_monthly']) maker.set(`${u.name}${sfx}`, u.name);
      }
      const stuck = new Map(models.map((u) => [u.name, deps(u).filter((d) => !df.columns.has(d))]));
      const stuckDeps = (n: string) => (stuck.get(n) ?? []).map((d) => maker.get(d)).filter((m): m is string => m !== undefined && stuck.has(m));
      // a field is circular only when it is on a cycle; one that merely waits for an unmet field is "blocked"
      const onCycle = (start: string): boolean => {
        const seen = new Set<string>();
        const todo = stuckDeps(start);
        while (todo.length) {
          const n = todo.pop()!;
          if (n === start) return true;
          if (seen.has(n)) continue;
          seen.add(n);
          todo.push(...stuckDeps(n));
        }
        return false;
      };
      const parts = models.map((u) => {
        const missing = stuck.get(u.name)!;
        const unknown = missing.filter((d) => !maker.has(d));
        const why = unknown.length ? `not defined: ${unknown.join(', ')}` : onCycle(u.name) ? 'circular' : 'blocked';
        return `${u.name} (needs ${missing.join(', ')}; ${why})`;
      });
      throw new UsageError(`${config.file}: usage: unmet or circular dependencies: ${parts.join('; ')}`);
    }
  }
  return df;
}

export function usageTable(df: UsageFrame): { table: Table; dtypes: Record<string, 'int64' | 'float64'> } {
  const cols = [...df.columns.keys()];
  const values = [...df.columns.values()].map((c) => c.values);
  // one plain loop per row, a NaN as a missing value (null): it runs cold over every cell of every set
  const data: (number | null)[][] = [];
  for (let i = 0; i < df.index.length; i++) {
    const row: (number | null)[] = [];
    for (let j = 0; j < values.length; j++) { const v = values[j]![i]!; row.push(v === v ? v : null); }
    data.push(row);
  }
  const dtypes: Record<string, 'int64' | 'float64'> = {};
  for (const c of cols) dtypes[c] = df.columns.get(c)!.int ? 'int64' : 'float64';
  return { table: { index: df.index.slice(), columns: cols, data }, dtypes };
}
