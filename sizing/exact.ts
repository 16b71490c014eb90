// Exact arithmetic the Python tool performs with Decimal, reproduced with BigInt so that every
// double comes out bit for bit as in commcare_resource_model (see the oracle README).

/** A finite double as an exact binary rational: value = n * 2^e (n may be negative). */
interface Bin { n: bigint; e: number }

const view = new DataView(new ArrayBuffer(8));

function toBin(x: number): Bin {
  if (!Number.isFinite(x)) throw new RangeError(`not a finite number: ${x}`);
  if (x === 0) return { n: 0n, e: 0 };
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const sign = hi >>> 31 ? -1n : 1n;
  const expBits = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let e: number;
  if (expBits === 0) e = -1074; // subnormal
  else { mant |= 1n << 52n; e = expBits - 1075; }
  while (mant !== 0n && (mant & 1n) === 0n) { mant >>= 1n; e += 1; }
  return { n: sign * mant, e };
}

/** 2^k as a double, exact for the normal range. */
function pow2(k: number): number {
  if (k > 1023 || k < -1022) return Math.pow(2, k);
  view.setUint32(0, ((k + 1023) << 20) >>> 0);
  view.setUint32(4, 0);
  return view.getFloat64(0);
}

function bitLength(n: bigint): number {
  return n === 0n ? 0 : n.toString(2).length;
}

/** Rounds n * 2^e to the nearest double, ties to even (one rounding only). */
function binToDouble(b: Bin): number {
  if (b.n === 0n) return 0;
  const neg = b.n < 0n;
  let n = neg ? -b.n : b.n;
  let e = b.e;
  const len = bitLength(n);
  if (len > 53) {
    const s = len - 53;
    const q0 = n >> BigInt(s);
    const r = n - (q0 << BigInt(s));
    const half = 1n << BigInt(s - 1);
    let q = q0;
    if (r > half || (r === half && (q0 & 1n) === 1n)) q += 1n;
    n = q;
    e += s;
  }
  // n now fits in 53 bits (or is exactly 2^53): the product is exact in the normal range.
  let v = Number(n);
  // split the scaling so intermediate powers stay representable
  while (e > 1000) { v *= pow2(1000); e -= 1000; }
  while (e < -1000) { v *= pow2(-1000); e += 1000; }
  v *= pow2(e);
  return neg ? -v : v;
}

function binAdd(a: Bin, b: Bin): Bin {
  const e = Math.min(a.e, b.e);
  return { n: (a.n << BigInt(a.e - e)) + (b.n << BigInt(b.e - e)), e };
}

const growthCache = new Map<string, number[]>();

/**
 * Estimation buffer of months 0..count-1: float(Decimal(eb) * (1 + Decimal(g)) ** n), computed as
 * the exact product of the doubles' binary values rounded once (matches every value the tool
 * produced on the reference configs).
 */
export function estimationBuffers(eb: number, g: number, count: number): number[] {
  const key = `${eb}|${g}`;
  let cached = growthCache.get(key);
  if (!cached) { cached = []; growthCache.set(key, cached); }
  if (cached.length < count) {
    const base = toBin(eb);
    const factor = binAdd({ n: 1n, e: 0 }, toBin(g));
    let acc: Bin = { n: base.n, e: base.e };
    // recompute from scratch up to count: acc = eb * factor^n
    for (let n = 0; n < count; n++) {
      if (n >= cached.length) cached.push(binToDouble(acc));
      acc = { n: acc.n * factor.n, e: acc.e + factor.e };
    }
  }
  return cached.slice(0, count);
}

/**
 * float(1 + Decimal(b)) where 1 + Decimal(b) is rounded to 28 significant digits (Python's
 * default decimal context, half-even) before the conversion to a double.
 */
const onePlusCache = new Map<number, number>();

export function decimalOnePlus(b: number): number {
  let v = onePlusCache.get(b);
  if (v === undefined) { v = decimalOnePlusUncached(b); onePlusCache.set(b, v); }
  return v;
}

function decimalOnePlusUncached(b: number): number {
  const s = binAdd({ n: 1n, e: 0 }, toBin(b));
  // exact decimal value: digits * 10^exp10
  let digits: bigint;
  let exp10: number;
  if (s.e >= 0) { digits = s.n << BigInt(s.e); exp10 = 0; }
  else { digits = s.n * 5n ** BigInt(-s.e); exp10 = s.e; }
  const neg = digits < 0n;
  if (neg) digits = -digits;
  const str = digits.toString();
  if (str.length > 28) {
    const drop = str.length - 28;
    const p = 10n ** BigInt(drop);
    let q = digits / p;
    const r = digits % p;
    const half = p / 2n;
    if (r > half || (r === half && (q & 1n) === 1n)) q += 1n;
    digits = q;
    exp10 += drop;
  }
  return Number(`${neg ? '-' : ''}${digits}e${exp10}`);
}

/** numpy's round(): half to even. */
export function roundHalfEven(v: number): number {
  if (!Number.isFinite(v)) return v;
  const f = Math.floor(v);
  const d = v - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/**
 * The tool's tenth_round: round up to the power of ten nearest 1% of the value. 10^k is built
 * from its decimal literal because JavaScript's `10 ** -4` is not the correctly rounded double.
 * tenth_round(0) is NaN (0/0), as in the tool.
 */
export function tenthRound(x: number): number {
  // roundHalfEven(Math.log10(x * 0.01)) written out for a finite logarithm: a ccready size run
  // calls this three times per service, month and set while its code is still cold, where the two
  // calls and the Map lookup per call were most of the cost
  const l = Math.log10(x * 0.01);
  if (l - l === 0) {
    const f = Math.floor(l);
    const d = l - f;
    const k = d > 0.5 ? f + 1 : d < 0.5 ? f : f % 2 === 0 ? f : f + 1;
    let r = POWERS[k + POWER_OFFSET]!;
    if (r === 0) r = POWERS[k + POWER_OFFSET] = Number(`1e${k}`);
    return Math.ceil(x / r) * r;
  }
  // NaN (x NaN or negative) stays NaN; log10 of 0 is -Infinity: 10^k is 0 (and 0/0 NaN); +Infinity: 10^k is Infinity
  if (l === -Infinity) return Math.ceil(x / 0) * 0;
  if (l === Infinity) return Math.ceil(x / Infinity) * Infinity;
  return NaN;
}

// 10^k from its decimal literal, parsed once per k (the stress config asks millions of times);
// 0 is "not parsed yet" (1e-324 itself is 0, parsed again each time: harmless). A finite double's
// log10 lies in [-324, 309)
const POWER_OFFSET = 330;
const POWERS = new Float64Array(2 * POWER_OFFSET);
