import type { Expr } from "./ast.js";
import {
  type Complex,
  c,
  cabs,
  cacos,
  cadd,
  casin,
  catan,
  ccos,
  cdiv,
  cexp,
  clog,
  cmul,
  cneg,
  cpow,
  csin,
  csqrt,
  csub,
  gamma,
} from "./complex.js";
import { BudgetError } from "./errors.js";
import * as R from "./rational.js";
import type { Rational } from "./rational.js";

/** A time budget shared by one comparison; `tick` throws BudgetError once the deadline has passed. */
export class Budget {
  private steps = 0;
  constructor(private readonly deadline: number) {}
  static ms(ms: number): Budget {
    return new Budget(performance.now() + ms);
  }
  tick(): void {
    if ((++this.steps & 255) === 0 && performance.now() > this.deadline) throw new BudgetError("time budget exceeded");
  }
}

/**
 * Names under which exact evaluation treats π and e as indeterminates (docs/algorithms.md §10.3): an identity that
 * holds for every value of them holds for π and e; one that fails at random rationals fails for π and e, as they are
 * transcendental (so `e^{100}+1` ≠ `e^{100}` exactly, where floating point cannot tell them apart).
 */
export const PI_SYMBOL = "\u0000pi";
export const E_SYMBOL = "\u0000e";

/** Largest integer exponent or factorial argument evaluated exactly. */
export const MAX_EXACT_EXPONENT = 10_000n;

/** Exact value of a rational-valued expression (symbols from env), or null when not (provably) rational. */
export function exactEval(e: Expr, env: ReadonlyMap<string, Rational>, budget: Budget): Rational | null {
  budget.tick();
  switch (e.kind) {
    case "num":
      return e.value;
    case "sym":
      return env.get(e.name) ?? null;
    case "const":
      // π and e are exact only as indeterminates (a value given in env under PI_SYMBOL / E_SYMBOL)
      return e.name === "pi" ? (env.get(PI_SYMBOL) ?? null) : e.name === "e" ? (env.get(E_SYMBOL) ?? null) : null;
    case "apply":
    case "pm":
      return null;
    case "neg": {
      const a = exactEval(e.a, env, budget);
      return a === null ? null : R.neg(a);
    }
    case "percent": {
      const a = exactEval(e.a, env, budget);
      return a === null ? null : R.div(a, { n: 100n, d: 1n });
    }
    case "add":
    case "sub":
    case "mul":
    case "div": {
      const a = exactEval(e.a, env, budget);
      if (a === null) return null;
      const b = exactEval(e.b, env, budget);
      if (b === null) return null;
      return e.kind === "add"
        ? R.add(a, b)
        : e.kind === "sub"
          ? R.sub(a, b)
          : e.kind === "mul"
            ? R.mul(a, b)
            : R.div(a, b);
    }
    case "pow": {
      const a = exactEval(e.a, env, budget);
      const b = exactEval(e.b, env, budget);
      if (a === null || b === null) return null;
      return ratPow(a, b);
    }
    case "fn": {
      const trig =
        e.args.length === 1 && (e.name === "sin" || e.name === "cos" || e.name === "tan")
          ? exactTrig(e.name, e.args[0] as Expr, env, budget)
          : null;
      return trig ?? exactFn(e.name, e.args, env, budget);
    }
    default:
      return null;
  }
}

/** q when e is q·π with q rational (`\\pi/6`, `\\frac{5\\pi}{6}`, `2\\pi`), else null. */
function piMultiple(e: Expr, env: ReadonlyMap<string, Rational>, budget: Budget): Rational | null {
  if (e.kind === "const") return e.name === "pi" ? R.ONE : null;
  if (e.kind === "neg") {
    const q = piMultiple(e.a, env, budget);
    return q === null ? null : R.neg(q);
  }
  if (e.kind === "mul" || e.kind === "div") {
    const qa = piMultiple(e.a, env, budget);
    if (qa !== null) {
      const b = exactEval(e.b, env, budget);
      return b === null ? null : e.kind === "mul" ? R.mul(qa, b) : R.div(qa, b);
    }
    if (e.kind === "mul") {
      const qb = piMultiple(e.b, env, budget);
      const a = qb === null ? null : exactEval(e.a, env, budget);
      return a === null || qb === null ? null : R.mul(a, qb);
    }
  }
  return null;
}

/** sin/cos/tan of a rational multiple of π when the value is rational (multiples of π/6 and π/4 for tan). */
function exactTrig(name: string, arg: Expr, env: ReadonlyMap<string, Rational>, budget: Budget): Rational | null {
  const q = piMultiple(arg, env, budget);
  if (q === null || q.d > 6n) return null;
  // angle in twelfths of π, reduced mod 24 (a full turn)
  const twelfths = (q.n * 12n) / q.d;
  if ((q.n * 12n) % q.d !== 0n) return null;
  const k = Number(((twelfths % 24n) + 24n) % 24n);
  const SIN: Record<number, Rational> = {
    0: R.ZERO,
    2: { n: 1n, d: 2n },
    6: R.ONE,
    10: { n: 1n, d: 2n },
    12: R.ZERO,
    14: { n: -1n, d: 2n },
    18: { n: -1n, d: 1n },
    22: { n: -1n, d: 2n },
  };
  const sin = (t: number) => SIN[t] ?? null;
  if (name === "sin") return sin(k);
  if (name === "cos") return sin((k + 6) % 24);
  const TAN: Record<number, Rational> = {
    0: R.ZERO,
    3: R.ONE,
    9: { n: -1n, d: 1n },
    12: R.ZERO,
    15: R.ONE,
    21: { n: -1n, d: 1n },
  };
  return TAN[k] ?? null;
}

function ratPow(a: Rational, b: Rational): Rational | null {
  if (b.d === 1n) {
    if (b.n > MAX_EXACT_EXPONENT || b.n < -MAX_EXACT_EXPONENT) return null;
    return R.powInt(a, b.n);
  }
  if (b.d > 64n || a.n < 0n) return null;
  const r = R.root(a, Number(b.d));
  return r === null ? null : R.powInt(r, b.n);
}

function exactFn(name: string, args: Expr[], env: ReadonlyMap<string, Rational>, budget: Budget): Rational | null {
  const vals: Rational[] = [];
  for (const a of args) {
    const v = exactEval(a, env, budget);
    if (v === null) return null;
    vals.push(v);
  }
  const x = vals[0];
  if (x === undefined) return null;
  switch (name) {
    case "sqrt":
      return args.length === 1 ? R.root(x, 2) : null;
    case "root": {
      const k = vals[1];
      if (k === undefined || k.d !== 1n || k.n < 1n || k.n > 64n) return null;
      return R.root(x, Number(k.n));
    }
    case "abs":
      return x.n < 0n ? R.neg(x) : x;
    case "floor":
    case "ceil": {
      let q = x.n / x.d;
      if (x.n < 0n && q * x.d !== x.n) q -= 1n; // floor toward -inf
      if (name === "ceil" && q * x.d !== x.n) q += 1n;
      return R.rat(q);
    }
    case "factorial": {
      if (x.d !== 1n || x.n < 0n || x.n > 2000n) return null;
      let r = 1n;
      for (let k = 2n; k <= x.n; k++) r *= k;
      return R.rat(r);
    }
    case "binom": {
      const k = vals[1];
      if (k === undefined || x.d !== 1n || k.d !== 1n || x.n < 0n || x.n > 5000n || k.n < 0n) return null;
      if (k.n > x.n) return R.ZERO;
      let r = 1n;
      for (let j = 0n; j < k.n; j++) r = (r * (x.n - j)) / (j + 1n);
      return R.rat(r);
    }
    case "exp":
      return x.n === 0n ? R.ONE : null;
    case "ln":
    case "log":
      return x.n === 1n && x.d === 1n ? R.ZERO : null;
    case "sin":
    case "tan":
    case "asin":
    case "atan":
    case "sinh":
    case "tanh":
      return x.n === 0n ? R.ZERO : null;
    case "cos":
    case "cosh":
      return x.n === 0n ? R.ONE : null;
    default:
      return null;
  }
}

/** Deterministic 32-bit string hash (FNV-1a). */
export function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let k = 0; k < s.length; k++) {
    h ^= s.charCodeAt(k);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** mulberry32 step: a seeded uniform number in [0, 1). */
export function unitRandom(seed: number): number {
  let t = (seed + 0x6d2b79f5) | 0;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

/**
 * Tracks the largest magnitude added or subtracted during an evaluation (the scale of rounding errors) and, when
 * `min` is present, the smallest non-negligible term added or subtracted (a term that a tolerance must not swallow).
 */
export interface Scale {
  max: number;
  min?: number;
}

const NAN = c(Number.NaN);

/** Floating-point complex value of an expression at a point. */
export function numEval(e: Expr, env: ReadonlyMap<string, Complex>, scale: Scale, budget: Budget): Complex {
  budget.tick();
  switch (e.kind) {
    case "num":
      return c(R.toNumber(e.value));
    case "sym":
      return env.get(e.name) ?? NAN;
    case "const":
      return e.name === "pi"
        ? c(Math.PI)
        : e.name === "e"
          ? c(Math.E)
          : e.name === "i"
            ? c(0, 1)
            : c(Number.POSITIVE_INFINITY);
    case "neg":
      return cneg(numEval(e.a, env, scale, budget));
    case "percent":
      return cdiv(numEval(e.a, env, scale, budget), c(100));
    case "add":
    case "sub": {
      if (scale.min === undefined) {
        const a = numEval(e.a, env, scale, budget);
        const b = numEval(e.b, env, scale, budget);
        scale.max = Math.max(scale.max, cabs(a), cabs(b));
        return e.kind === "add" ? cadd(a, b) : csub(a, b);
      }
      // Each operand with its own scale: a cancellation residue (|v| at rounding level of its own scale) is not a term.
      const sa: Scale = { max: 0, min: Number.POSITIVE_INFINITY };
      const sb: Scale = { max: 0, min: Number.POSITIVE_INFINITY };
      const a = numEval(e.a, env, sa, budget);
      const b = numEval(e.b, env, sb, budget);
      const ma = cabs(a);
      const mb = cabs(b);
      scale.max = Math.max(scale.max, sa.max, sb.max, ma, mb);
      let min = Math.min(scale.min, sa.min as number, sb.min as number);
      if (ma > 1e-12 * sa.max) min = Math.min(min, ma);
      if (mb > 1e-12 * sb.max) min = Math.min(min, mb);
      scale.min = min;
      return e.kind === "add" ? cadd(a, b) : csub(a, b);
    }
    case "mul":
      return cmul(numEval(e.a, env, scale, budget), numEval(e.b, env, scale, budget));
    case "div":
      return cdiv(numEval(e.a, env, scale, budget), numEval(e.b, env, scale, budget));
    case "pow":
      return cpow(numEval(e.a, env, scale, budget), numEval(e.b, env, scale, budget));
    case "fn":
      return numFn(
        e.name,
        e.args.map((a) => numEval(a, env, scale, budget)),
      );
    case "apply": {
      // An unknown function: a fixed, generic (non-polynomial) function chosen by the name.
      const h = hash32(e.name);
      const p = unitRandom(h);
      const q = unitRandom(h ^ 0x9e3779b9);
      const x = numEval(e.arg, env, scale, budget);
      return cadd(cmul(c(0.5 + p), cexp(csin(cadd(cmul(c(0.7 + q), x), c(p))))), cmul(c(q - 0.5), x));
    }
    default:
      return NAN;
  }
}

function realOnly(x: Complex, f: (v: number) => number): Complex {
  return Math.abs(x.im) > 1e-12 * Math.max(1, Math.abs(x.re)) ? NAN : c(f(x.re));
}

function numFn(name: string, args: Complex[]): Complex {
  const x = args[0] ?? NAN;
  switch (name) {
    case "sin":
      return csin(x);
    case "cos":
      return ccos(x);
    case "tan":
      return cdiv(csin(x), ccos(x));
    case "sec":
      return cdiv(c(1), ccos(x));
    case "csc":
      return cdiv(c(1), csin(x));
    case "cot":
      return cdiv(ccos(x), csin(x));
    case "asin":
      return casin(x);
    case "acos":
      return cacos(x);
    case "atan":
      return catan(x);
    case "sinh":
      return cmul(c(0.5), csub(cexp(x), cexp(cneg(x))));
    case "cosh":
      return cmul(c(0.5), cadd(cexp(x), cexp(cneg(x))));
    case "tanh": {
      const a = cexp(x);
      const b = cexp(cneg(x));
      return cdiv(csub(a, b), cadd(a, b));
    }
    case "ln":
    case "log":
      return clog(x);
    case "exp":
      return cexp(x);
    case "sqrt":
      return csqrt(x);
    case "root": {
      const k = args[1] ?? NAN;
      if (x.im === 0 && x.re < 0 && k.im === 0 && Number.isInteger(k.re) && k.re % 2 === 1)
        return c(-((-x.re) ** (1 / k.re)));
      return cpow(x, cdiv(c(1), k));
    }
    case "abs":
      return c(cabs(x));
    case "floor":
      return realOnly(x, Math.floor);
    case "ceil":
      return realOnly(x, Math.ceil);
    case "factorial":
      return realOnly(x, (v) => gamma(v + 1));
    case "binom": {
      const k = args[1] ?? NAN;
      if (Math.abs(x.im) > 1e-12 || Math.abs(k.im) > 1e-12) return NAN;
      return c(gamma(x.re + 1) / (gamma(k.re + 1) * gamma(x.re - k.re + 1)));
    }
    default:
      return NAN;
  }
}
