// Compares ccready's tables with the Python tool's golden.json, cell by cell.
import type { Cell, Table } from '../types.ts';

// The oracle is in the repository (fixtures/sizing-reference); a missing file fails loudly there.
export { SIZING_REFERENCE_DIR as REFERENCE_DIR, sizingReferenceConfigs as referenceConfigs, readGolden as loadGolden } from '../../fixtures/reference.ts';

/** Raw float columns (no rounding in the tool): compared within a relative 1e-12. */
function isRawFloat(col: string | string[]): boolean {
  const last = Array.isArray(col) ? col[col.length - 1]! : col;
  return /^(storage|RAM requirement|Data Storage RAW)/.test(last) || (Array.isArray(col) && col[1] === 'Data Storage');
}

function sameCell(a: Cell, b: Cell, raw: boolean): boolean {
  if (a === null || b === null) return a === b || (typeof a === 'number' && Number.isNaN(a)) || (typeof b === 'number' && Number.isNaN(b));
  if (typeof a === 'number' && typeof b === 'number') {
    if (a === b) return true;
    return raw && Math.abs(a - b) <= 1e-12 * Math.max(Math.abs(a), Math.abs(b));
  }
  return a === b;
}

/** Every difference between two tables (capped), as readable lines. */
export function diffTable(where: string, ours: Table | undefined, golden: Table, rawColumns: (c: string | string[]) => boolean = isRawFloat, max = 5): string[] {
  const out: string[] = [];
  if (!ours) return [`${where}: missing`];
  const key = (c: unknown) => JSON.stringify(c);
  if (key(ours.index) !== key(golden.index)) out.push(`${where}: index differs: ours ${key(ours.index).slice(0, 300)} golden ${key(golden.index).slice(0, 300)}`);
  if (key(ours.columns) !== key(golden.columns)) out.push(`${where}: columns differ: ours ${key(ours.columns).slice(0, 400)} golden ${key(golden.columns).slice(0, 400)}`);
  if (out.length) return out;
  for (let i = 0; i < golden.data.length && out.length < max; i++) {
    for (let j = 0; j < golden.columns.length && out.length < max; j++) {
      const a = ours.data[i]![j]!;
      const b = golden.data[i]![j]!;
      if (!sameCell(a, b, rawColumns(golden.columns[j]!))) {
        out.push(`${where}[${golden.index[i]}][${key(golden.columns[j]!)}]: ours ${a} golden ${b}`);
      }
    }
  }
  return out;
}
