/** Exact rationals over BigInt, always reduced, denominator positive. */
export interface Rational {
  readonly n: bigint;
  readonly d: bigint;
}

/** Largest bit length a numerator or denominator may reach before exact arithmetic gives up. */
export const MAX_RATIONAL_BITS = 20_000;

function gcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a;
  let y = b < 0n ? -b : b;
  while (y !== 0n) {
    const t = x % y;
    x = y;
    y = t;
  }
  return x;
}

function bitLength(x: bigint): number {
  return (x < 0n ? -x : x).toString(16).length * 4;
}

/** A reduced rational, or null when too large (exact arithmetic then gives way to floating point). */
export function rat(n: bigint, d = 1n): Rational | null {
  if (d === 0n) return null;
  if (d < 0n) {
    n = -n;
    d = -d;
  }
  const g = gcd(n, d);
  if (g > 1n) {
    n /= g;
    d /= g;
  }
  if (bitLength(n) > MAX_RATIONAL_BITS || bitLength(d) > MAX_RATIONAL_BITS) return null;
  return { n, d };
}

export const ZERO: Rational = { n: 0n, d: 1n };
export const ONE: Rational = { n: 1n, d: 1n };

export const add = (a: Rational, b: Rational): Rational | null => rat(a.n * b.d + b.n * a.d, a.d * b.d);
export const sub = (a: Rational, b: Rational): Rational | null => rat(a.n * b.d - b.n * a.d, a.d * b.d);
export const mul = (a: Rational, b: Rational): Rational | null => rat(a.n * b.n, a.d * b.d);
export const div = (a: Rational, b: Rational): Rational | null => (b.n === 0n ? null : rat(a.n * b.d, a.d * b.n));
export const neg = (a: Rational): Rational => ({ n: -a.n, d: a.d });
export const eq = (a: Rational, b: Rational): boolean => a.n === b.n && a.d === b.d;
export const isInteger = (a: Rational): boolean => a.d === 1n;

/** a^k for an integer k, bounded so that the result stays under MAX_RATIONAL_BITS. */
export function powInt(a: Rational, k: bigint): Rational | null {
  if (k === 0n) return a.n === 0n ? null : ONE;
  if (a.n === 0n) return k > 0n ? ZERO : null;
  const absK = k < 0n ? -k : k;
  const bits = Math.max(bitLength(a.n), bitLength(a.d));
  if (bits > 1 && Number(absK) * (bits - 1) > MAX_RATIONAL_BITS) return null;
  if (absK > 1_000_000n) {
    // |a| is 1 here (bits <= 1): the result is ±1.
    const odd = absK % 2n === 1n;
    const s = a.n < 0n && odd ? -1n : 1n;
    return { n: s, d: 1n };
  }
  const e = absK;
  const p = rat(a.n ** e, a.d ** e);
  if (p === null) return null;
  return k < 0n ? div(ONE, p) : p;
}

/** Exact integer k-th root of a non-negative bigint, or null when not a perfect power. */
function iroot(x: bigint, k: number): bigint | null {
  if (x < 0n) return null;
  if (x < 2n) return x;
  // Newton iteration from a floating-point guess, then correct.
  const guess = BigInt(Math.floor(Number(x) ** (1 / k)));
  let r = guess;
  if (!Number.isFinite(Number(x))) {
    r = 1n << BigInt(Math.ceil(bitLength(x) / k));
  }
  const K = BigInt(k);
  for (let i = 0; i < 200; i++) {
    if (r <= 0n) r = 1n;
    const next = ((K - 1n) * r + x / r ** (K - 1n)) / K;
    if (next === r || (next > r && r ** K <= x)) break;
    r = next;
  }
  for (const c of [r - 1n, r, r + 1n]) if (c >= 0n && c ** K === x) return c;
  return null;
}

/** The exact principal k-th root of a rational when it is rational (real roots only), else null. */
export function root(a: Rational, k: number): Rational | null {
  if (k < 1 || k > 64) return null;
  if (a.n < 0n) {
    if (k % 2 === 0) return null;
    const r = root(neg(a), k);
    return r === null ? null : neg(r);
  }
  const n = iroot(a.n, k);
  const d = iroot(a.d, k);
  return n === null || d === null ? null : rat(n, d);
}

export function toNumber(a: Rational): number {
  const v = Number(a.n) / Number(a.d);
  if (Number.isFinite(v)) return v;
  // Scale down huge parts.
  const shift = BigInt(Math.max(0, Math.max(bitLength(a.n), bitLength(a.d)) - 1000));
  return Number(a.n >> shift) / Number(a.d >> shift);
}

/** Parse a decimal literal (`12`, `1.`, `.5`, `025`, `3.83e35`) as an exact rational; exponent bounded. */
export function parseDecimal(text: string, exponent = 0): Rational | null {
  const m = /^(\d*)(?:\.(\d*))?$/.exec(text);
  if (!m || (m[1] === "" && (m[2] ?? "") === "")) return null;
  const frac = m[2] ?? "";
  const digits = BigInt(`${m[1] ?? ""}${frac}` || "0");
  const scale = exponent - frac.length;
  if (Math.abs(scale) > 5000) return null;
  return scale >= 0 ? rat(digits * 10n ** BigInt(scale)) : rat(digits, 10n ** BigInt(-scale));
}
