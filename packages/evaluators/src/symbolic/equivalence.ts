import { type Expr, someNode } from "./ast.js";
import { type Complex, c, cabs, csub, isFiniteC } from "./complex.js";
import { BudgetError, ParseError } from "./errors.js";
import { Budget, E_SYMBOL, exactEval, hash32, numEval, PI_SYMBOL, type Scale, unitRandom } from "./evaluate.js";
import { MAX_ANSWER_LENGTH, normalizeString, preprocess } from "./normalize.js";
import { parseMath } from "./parse.js";
import * as R from "./rational.js";
import type { Rational } from "./rational.js";

/** Settings of one equivalence judgement. */
export interface EquivalenceOptions {
  /** Relative tolerance between two decimal literals (default 1e-4). */
  rtol: number;
  /** Time budget per comparison in milliseconds (default 200). */
  timeBudgetMs: number;
}

export const DEFAULT_EQUIVALENCE: EquivalenceOptions = { rtol: 1e-4, timeBudgetMs: 200 };

/** Random points per comparison, and tolerances of the floating-point comparison. */
const POINTS = 6;
const MIN_VALID_POINTS = 3;
export const SYMBOLIC_RTOL = 1e-9;
export const CONSTANT_RTOL = 1e-12;
/** A floating-point tolerance must stay this far below the smallest term it could otherwise swallow. */
const TERM_MARGIN = 100;
/** A value at most this fraction of the largest magnitude summed into it is a cancellation residue (about 0). */
export const RESIDUE = 1e-12;
/** Relative agreement required of two numerically equal values that stand KEYABLE above their rounding. */
export const VALUE_RTOL = 1e-6;
/** A value more than this fraction of the magnitudes summed into it has float rounding far below VALUE_RTOL. */
export const KEYABLE = 1e-6;
/** Significant digits from which a decimal is read as a printed value of an exact one (`0.0833333333333333`). */
export const PRINTED_DIGITS = 12;

/** Parses an answer (after pre-processing), or returns null when it is not mathematics the parser understands. */
export function parseAnswer(raw: string): Expr | null {
  if (raw.length > MAX_ANSWER_LENGTH) return null;
  try {
    return parseMath(preprocess(raw));
  } catch (e) {
    if (e instanceof ParseError || e instanceof RangeError) return null;
    throw e;
  }
}

/**
 * Are two extracted answers equivalent under the `symbolic` policy (docs/contracts.md §4)?
 * Equal normalised strings are equivalent; otherwise both must parse, and are compared structurally (tuples,
 * intervals, sets, equations) with exact rational arithmetic or evaluation at seeded random points.
 */
export function equivalentAnswers(a: string, b: string, options: EquivalenceOptions = DEFAULT_EQUIVALENCE): boolean {
  const short = a.length <= MAX_ANSWER_LENGTH * 4 && b.length <= MAX_ANSWER_LENGTH * 4;
  const pa = preparedAnswer(a);
  const pb = preparedAnswer(b);
  if (pa.norm === pb.norm) return true;
  // Text answers (`\text{East}` vs `east`) compare case-insensitively; mathematics never does (`A` ≠ `a`).
  if (pa.expr === null || pb.expr === null) return short && pa.norm.toLowerCase() === pb.norm.toLowerCase();
  return equivalentExprs(pa.expr, pb.expr, options);
}

/** An answer's normalised string and parse (null: not mathematics the parser understands). */
export interface PreparedAnswer {
  norm: string;
  expr: Expr | null;
}

/** Answers seen recently, prepared once (clustering and grading compare each answer many times). */
const prepared = new Map<string, PreparedAnswer>();
const PREPARED_CAP = 20_000;

/** Forgets the prepared answers (benchmarks time cold comparisons with it). */
export function clearPreparedAnswers(): void {
  prepared.clear();
}

/** The normalised string and parse of an answer, memoised (parsed trees are never modified). */
export function preparedAnswer(raw: string): PreparedAnswer {
  let p = prepared.get(raw);
  if (p === undefined) {
    p = { norm: raw.length <= MAX_ANSWER_LENGTH * 4 ? normalizeString(raw) : raw, expr: parseAnswer(raw) };
    if (prepared.size >= PREPARED_CAP) prepared.clear();
    prepared.set(raw, p);
  }
  return p;
}

/** Equivalence of two parsed answers. */
export function equivalentExprs(x: Expr, y: Expr, options: EquivalenceOptions = DEFAULT_EQUIVALENCE): boolean {
  const cmp = new Comparator(options, Budget.ms(options.timeBudgetMs));
  try {
    return cmp.top(x, y);
  } catch (e) {
    if (e instanceof BudgetError || e instanceof RangeError) return false;
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------------------------

function mapExpr(e: Expr, f: (e: Expr) => Expr | null): Expr {
  const r = f(e);
  if (r !== null) return r;
  switch (e.kind) {
    case "neg":
    case "percent":
      return { ...e, a: mapExpr(e.a, f) };
    case "add":
    case "sub":
    case "mul":
    case "div":
    case "pow":
    case "pm":
      return { ...e, a: mapExpr(e.a, f), b: mapExpr(e.b, f) };
    case "apply":
      return { ...e, arg: mapExpr(e.arg, f) };
    case "fn":
      return { ...e, args: e.args.map((x) => mapExpr(x, f)) };
    case "rel":
    case "seq":
    case "set":
    case "list":
    case "union":
    case "ratio":
      return { ...e, items: e.items.map((x) => mapExpr(x, f)) };
    case "matrix":
      return { ...e, rows: e.rows.map((r) => r.map((x) => mapExpr(x, f))) };
    default:
      return e;
  }
}

function findPm(e: Expr): Expr | null {
  let found: Expr | null = null;
  someNode(e, (n) => {
    if (n.kind === "pm") found = n;
    return found !== null;
  });
  return found;
}

/** `a \pm b` → [a + b, a - b] (at most 3 signs expanded). */
function expandPm(e: Expr, depth = 0): Expr[] {
  const pm = findPm(e);
  if (pm === null || pm.kind !== "pm" || depth > 2) return [e];
  const plus: Expr = { kind: "add", a: pm.a, b: pm.b };
  const minus: Expr = { kind: "sub", a: pm.a, b: pm.b };
  const variants = pm.minusFirst ? [minus, plus] : [plus, minus];
  return variants.flatMap((v) =>
    expandPm(
      mapExpr(e, (n) => (n === pm ? v : null)),
      depth + 1,
    ),
  );
}

function isContainer(e: Expr): boolean {
  return (
    e.kind === "seq" ||
    e.kind === "set" ||
    e.kind === "list" ||
    e.kind === "union" ||
    e.kind === "matrix" ||
    e.kind === "rel" ||
    e.kind === "ratio"
  );
}

export function hasContainerInside(e: Expr): boolean {
  return someNode(e, (n) => n !== e && isContainer(n));
}

/** The symbols of exact evaluation: the free ones, and π and e as indeterminates where they occur (PI_SYMBOL). */
function exactNames(x: Expr, y: Expr, symbols: string[]): string[] {
  const names = [...symbols];
  if (hasConst(x, "pi") || hasConst(y, "pi")) names.push(PI_SYMBOL);
  if (hasConst(x, "e") || hasConst(y, "e")) names.push(E_SYMBOL);
  return names;
}

/** Values of the symbols at random point p (seeded by each name, so one symbol's value does not depend on others). */
export function randomPoint(names: Iterable<string>, p: number): Map<string, Complex> {
  const env = new Map<string, Complex>();
  for (const n of names) env.set(n, c(0.3 + 3.3 * unitRandom(hash32(n) + 7919 * (p + 1))));
  return env;
}

/** The answer as compared: `\pm` expanded, one-item lists unwrapped, chains and approximations read. */
export function normalizeTop(e0: Expr): Expr {
  const e = normalizeRelation(e0);
  if (e.kind === "list" || e.kind === "set") {
    const items = e.items.flatMap((i) => expandPm(i));
    return e.kind === "list" && items.length === 1 ? (items[0] as Expr) : { ...e, items };
  }
  const v = expandPm(e);
  return v.length === 1 ? (v[0] as Expr) : { kind: "list", items: v };
}

/** A decimal literal written with at least PRINTED_DIGITS significant digits (`-0.0833333333333333`), else null. */
export function printedDecimal(e: Expr): { value: Rational; lastPlace: number } | null {
  if (e.kind === "neg") {
    const a = printedDecimal(e.a);
    return a === null ? null : { value: R.neg(a.value), lastPlace: a.lastPlace };
  }
  if (e.kind !== "num" || !e.decimal || (e.sig ?? 0) < PRINTED_DIGITS || e.lastPlace === undefined) return null;
  return { value: e.value, lastPlace: e.lastPlace };
}

/** Structural identity (used where values cannot be computed, e.g. a tuple inside a product). */
function sameTree(x: Expr, y: Expr): boolean {
  return sameTreeKey(x) === sameTreeKey(y);
}

/** A string that is equal for structurally identical trees (the notation of decimals aside). */
export function sameTreeKey(e: Expr): string {
  return JSON.stringify(e, (k, v) =>
    typeof v === "bigint" ? v.toString() : k === "sig" || k === "lastPlace" ? undefined : v,
  );
}

export function freeSymbols(e: Expr, out: Set<string>): Set<string> {
  someNode(e, (n) => {
    if (n.kind === "sym") out.add(n.name);
    return false;
  });
  return out;
}

export function hasConst(e: Expr, name: string): boolean {
  return someNode(e, (n) => n.kind === "const" && n.name === name);
}

/** A decimal literal: `12`, `-3.5`, `4e33`, `3.83 \times 10^{35}`, `10^{-3}`. Returns its value and whether it was written in decimal/scientific form. */
export function decimalLiteral(e: Expr): { value: Rational; decimal: boolean } | null {
  if (e.kind === "num") return { value: e.value, decimal: e.decimal };
  if (e.kind === "neg") {
    const a = decimalLiteral(e.a);
    return a === null ? null : { value: R.neg(a.value), decimal: a.decimal };
  }
  if (e.kind === "pow" && e.a.kind === "num" && e.a.value.n === 10n && e.a.value.d === 1n && !e.a.decimal) {
    const k = e.b.kind === "neg" ? e.b.a : e.b;
    if (k.kind !== "num" || k.value.d !== 1n || k.decimal || k.value.n > 5000n) return null;
    const v = R.powInt({ n: 10n, d: 1n }, e.b.kind === "neg" ? -k.value.n : k.value.n);
    return v === null ? null : { value: v, decimal: true };
  }
  if (e.kind === "mul" && e.a.kind === "num" && e.b.kind === "pow") {
    const p = decimalLiteral(e.b);
    if (p === null || !p.decimal) return null;
    const v = R.mul(e.a.value, p.value);
    return v === null ? null : { value: v, decimal: true };
  }
  return null;
}

/**
 * Is the left side of `lhs = rhs` a label, a name being defined: `x`, `f(x)`, `y'`, `(x, y)`, a segment `AB` (a
 * product of capital letters), `|AB|`, a ratio of labels `V_1:V_2`?
 */
export function isDefinitionTarget(e: Expr): boolean {
  if (e.kind === "seq") return e.open === "(" && e.close === ")" && e.items.every((x) => x.kind === "sym");
  if (e.kind === "fn" && e.name === "abs") return isDefinitionTarget(e.args[0] as Expr);
  if (e.kind === "ratio") return e.items.every(isDefinitionTarget);
  if (e.kind === "mul") return isCapitalName(e);
  return e.kind === "sym" || (e.kind === "apply" && (e.arg.kind === "sym" || e.arg.kind === "num"));
}

/** `AB`, `ABC`, `A_1B`: a product of capital-letter symbols (a segment, an angle's vertices). */
function isCapitalName(e: Expr): boolean {
  if (e.kind === "sym") return /^[A-Z](?:_|$)/.test(e.name);
  return e.kind === "mul" && isCapitalName(e.a) && isCapitalName(e.b);
}

/** The values of a comma group of labelled equations with distinct labels (`x=1, y=2` → [1, 2]), else null. */
export function labelledValues(e: Expr): Expr[] | null {
  if (e.kind !== "list" || e.items.length < 2) return null;
  const labels = new Set<string>();
  const values: Expr[] = [];
  for (const it of e.items) {
    if (it.kind !== "rel" || it.ops.length !== 1 || it.ops[0] !== "=") return null;
    const [lhs, rhs] = it.items as [Expr, Expr];
    if (!isDefinitionTarget(lhs) || isDefinitionTarget(rhs)) return null;
    const key = sameTreeKey(lhs);
    if (labels.has(key)) return null;
    labels.add(key);
    values.push(rhs);
  }
  return values;
}

/**
 * Reads chains and approximations (docs/contracts.md §4 extended in the README): `x = 5+5+1 = 11` → `x = 11`,
 * `\frac{\sqrt3}{3} \approx 0.577` → `\frac{\sqrt3}{3}` (the exact value before
 * `\approx`), `x \approx 11` → `x = 11`. Applied to the whole answer and to the items of lists and sets.
 */
export function normalizeRelation(e: Expr): Expr {
  if (e.kind === "list" || e.kind === "set") return { ...e, items: e.items.map(normalizeRelation) };
  if (e.kind !== "rel") return e;
  let ops = e.ops;
  let items = e.items;
  const approx = ops.indexOf("~");
  if (approx >= 0) {
    const exact = items.slice(0, approx + 1);
    if (exact.length === 1 && !isDefinitionTarget(exact[0] as Expr)) return exact[0] as Expr;
    if (exact.length === 1) {
      ops = ["="];
      items = [exact[0] as Expr, items[approx + 1] as Expr];
    } else {
      ops = ops.slice(0, approx);
      items = exact;
    }
  }
  if (ops.length >= 2 && ops.every((o) => o === "=") && isDefinitionTarget(items[0] as Expr))
    return { kind: "rel", ops: ["="], items: [items[0] as Expr, items.at(-1) as Expr] };
  return ops === e.ops ? e : { kind: "rel", ops, items };
}

/**
 * An inequality about a label as an interval: `0 < f(x) < 1` → `(0, 1)`, `1 \le |z| \le 3/2` → `[1, 3/2]`,
 * `x > 2` → `(2, \infty)`; null unless the middle (or one side) is a label and the bounds are constants.
 */
export function relationAsInterval(e: Expr): Expr | null {
  if (e.kind !== "rel" || e.ops.length > 2 || e.ops.some((o) => o === "=" || o === "!=" || o === "~")) return null;
  const up = e.ops.every((o) => o === "<" || o === "<=");
  const down = e.ops.every((o) => o === ">" || o === ">=");
  if (!up && !down) return null;
  const constant = (x: Expr) => freeSymbols(x, new Set()).size === 0 && !isContainer(x);
  const label = (x: Expr) => isDefinitionTarget(x) && x.kind !== "seq" && x.kind !== "ratio";
  const inf: Expr = { kind: "const", name: "inf" };
  const items = up ? e.items : [...e.items].reverse();
  const ops = up ? e.ops : [...e.ops].reverse().map((o) => (o === ">" ? "<" : "<="));
  let lo: Expr;
  let hi: Expr;
  let openLo: boolean;
  let openHi: boolean;
  if (items.length === 3) {
    if (!label(items[1] as Expr) || !constant(items[0] as Expr) || !constant(items[2] as Expr)) return null;
    [lo, hi] = [items[0] as Expr, items[2] as Expr];
    [openLo, openHi] = [ops[0] === "<", ops[1] === "<"];
  } else if (label(items[0] as Expr) && constant(items[1] as Expr)) {
    [lo, hi, openLo, openHi] = [{ kind: "neg", a: inf }, items[1] as Expr, true, ops[0] === "<"];
  } else if (constant(items[0] as Expr) && label(items[1] as Expr)) {
    [lo, hi, openLo, openHi] = [items[0] as Expr, inf, ops[0] === "<", true];
  } else return null;
  return { kind: "seq", open: openLo ? "(" : "[", close: openHi ? ")" : "]", items: [lo, hi] };
}

const FLIP: Record<string, string> = { ">": "<", ">=": "<=", "<": ">", "<=": ">=" };

class Comparator {
  constructor(
    private readonly opt: EquivalenceOptions,
    private readonly budget: Budget,
  ) {}

  /** Top-level comparison: expands `\pm`, unwraps one-item lists, reads chains and approximations. */
  top(x: Expr, y: Expr): boolean {
    return this.eq(normalizeTop(x), normalizeTop(y));
  }

  eq(x: Expr, y: Expr): boolean {
    this.budget.tick();
    // A group of labelled equations against a tuple: `x=1, y=2` = `(1, 2)` (in the order written).
    if ((x.kind === "list" && y.kind === "seq") || (x.kind === "seq" && y.kind === "list")) {
      const [l, t] = x.kind === "list" ? [x, y as Expr & { kind: "seq" }] : [y as Expr, x];
      const values = labelledValues(l);
      if (values !== null && t.open === "(" && t.close === ")") return this.listEq(values, t.items);
    }
    if (x.kind === "rel" || y.kind === "rel") return this.relEq(x, y);
    if (x.kind === "ratio" || y.kind === "ratio")
      return x.kind === "ratio" && y.kind === "ratio" && this.listEq(x.items, y.items);
    // Unordered collections.
    const unordered = (e: Expr) => e.kind === "list" || e.kind === "set";
    if (unordered(x) || unordered(y)) {
      if (!unordered(x) || !unordered(y)) return false;
      return this.multisetEq((x as { items: Expr[] }).items, (y as { items: Expr[] }).items);
    }
    if (x.kind === "union" || y.kind === "union") {
      if (x.kind !== "union" || y.kind !== "union") return false;
      return this.multisetEq(x.items, y.items);
    }
    if (x.kind === "seq" || y.kind === "seq") {
      if (x.kind !== "seq" || y.kind !== "seq") return false;
      return x.open === y.open && x.close === y.close && this.listEq(x.items, y.items);
    }
    if (x.kind === "matrix" || y.kind === "matrix") {
      if (x.kind !== "matrix" || y.kind !== "matrix" || x.rows.length !== y.rows.length) return false;
      return x.rows.every((r, k) => this.listEq(r, y.rows[k] as Expr[]));
    }
    if (x.kind === "percent" || y.kind === "percent") return this.percentEq(x, y);
    return this.scalarEq(x, y);
  }

  private listEq(a: Expr[], b: Expr[]): boolean {
    return a.length === b.length && a.every((e, k) => this.eq(e, b[k] as Expr));
  }

  private multisetEq(a: Expr[], b: Expr[]): boolean {
    if (a.length !== b.length) return false;
    const used = new Array<boolean>(b.length).fill(false);
    for (const e of a) {
      let hit = -1;
      for (let k = 0; k < b.length; k++) {
        if (!used[k] && this.eq(e, b[k] as Expr)) {
          hit = k;
          break;
        }
      }
      if (hit < 0) return false;
      used[hit] = true;
    }
    return true;
  }

  private percentEq(x: Expr, y: Expr): boolean {
    if (x.kind === "percent" && y.kind === "percent") return this.eq(x.a, y.a);
    const [p, other] = x.kind === "percent" ? [x, y] : [y, x];
    if (p.kind !== "percent") return false;
    if (this.eq(p.a, other)) return true;
    const lit = decimalLiteral(p.a);
    const scaled: Expr =
      lit !== null
        ? {
            kind: "num",
            value: R.div(lit.value, { n: 100n, d: 1n }) as Rational,
            decimal: lit.decimal || lit.value.n % 100n !== 0n,
          }
        : { kind: "div", a: p.a, b: { kind: "num", value: { n: 100n, d: 1n }, decimal: false } };
    return this.eq(scaled, other);
  }

  private relEq(x: Expr, y: Expr): boolean {
    if (x.kind === "rel" && y.kind === "rel") {
      if (x.ops.length !== y.ops.length) return false;
      if (x.ops.length === 1)
        return this.singleRelEq(
          x.ops[0] as string,
          x.items as [Expr, Expr],
          y.ops[0] as string,
          y.items as [Expr, Expr],
        );
      const same = x.ops.every((o, k) => o === y.ops[k]) && this.listEq(x.items, y.items);
      if (same) return true;
      const rev = [...y.items].reverse();
      const revOps = [...y.ops].reverse().map((o) => FLIP[o] ?? o);
      return x.ops.every((o, k) => o === revOps[k]) && this.listEq(x.items, rev);
    }
    // `x = 3` against `3`; `0 < x < 1` against `(0, 1)`
    const [r, other] = x.kind === "rel" ? [x, y] : [y, x];
    if (other.kind === "seq") {
      const interval = relationAsInterval(r);
      if (interval !== null) return this.eq(interval, other);
    }
    // `5+5+1 = 11` against `11`: an arithmetic chain whose members are all equal stands for its last member
    if (r.kind === "rel" && r.ops.every((o) => o === "=") && r.items.every((e) => freeSymbols(e, new Set()).size === 0))
      return (
        r.items.every((e, k) => k === 0 || this.eq(r.items[k - 1] as Expr, e)) && this.eq(r.items.at(-1) as Expr, other)
      );
    if (r.kind !== "rel" || r.ops.length !== 1 || r.ops[0] !== "=") return false;
    const [lhs, rhs] = r.items as [Expr, Expr];
    if (isDefinitionTarget(lhs) && this.eq(rhs, other)) return true;
    return isDefinitionTarget(rhs) && !isDefinitionTarget(lhs) && this.eq(lhs, other);
  }

  private singleRelEq(op1: string, [a1, b1]: [Expr, Expr], op2: string, [a2, b2]: [Expr, Expr]): boolean {
    if (op1 === op2 && this.eq(a1, a2) && this.eq(b1, b2)) return true;
    if ((FLIP[op2] ?? op2) === op1 && this.eq(a1, b2) && this.eq(b1, a2)) return true;
    if (op1 === "=" && op2 === "=" && isDefinitionTarget(a1) && isDefinitionTarget(a2)) {
      // `y = f` vs `y = g`: the defined names must match (checked above); else compare as equations below only when
      // neither side is a plain definition.
      return false;
    }
    // Equations: lhs - rhs proportional (nonzero constant). Inequalities: positive constant, after flipping.
    let d1: Expr = { kind: "sub", a: a1, b: b1 };
    let d2: Expr = { kind: "sub", a: a2, b: b2 };
    if (op1 !== op2) {
      if ((FLIP[op2] ?? "") !== op1) return false;
      d2 = { kind: "sub", a: b2, b: a2 };
    }
    if (op1 === ">" || op1 === ">=") {
      d1 = { kind: "neg", a: d1 };
      d2 = { kind: "neg", a: d2 };
    }
    return this.proportional(d1, d2, op1 === "=" || op1 === "!=");
  }

  /** Is d1 = k·d2 for a constant k ≠ 0 (k > 0 unless anySign)? */
  private proportional(d1: Expr, d2: Expr, anySign: boolean): boolean {
    if (hasContainerInside(d1) || hasContainerInside(d2)) return false;
    const names = [...freeSymbols(d2, freeSymbols(d1, new Set()))].sort();
    const exact = this.exactProportional(d1, d2, names, anySign);
    if (exact !== null) return exact;
    let ratio: Complex | null = null;
    let valid = 0;
    for (let p = 0; p < POINTS; p++) {
      const env = this.point(names, p);
      const s1: Scale = { max: 0 };
      const s2: Scale = { max: 0 };
      const v1 = numEval(d1, env, s1, this.budget);
      const v2 = numEval(d2, env, s2, this.budget);
      if (!isFiniteC(v1) || !isFiniteC(v2)) continue;
      const z1 = cabs(v1) <= 1e-10 * Math.max(s1.max, 1e-300);
      const z2 = cabs(v2) <= 1e-10 * Math.max(s2.max, 1e-300);
      if (z1 !== z2) return false;
      if (z1) {
        valid++;
        continue;
      }
      const r = { re: 0, im: 0 };
      const den = v2.re * v2.re + v2.im * v2.im;
      r.re = (v1.re * v2.re + v1.im * v2.im) / den;
      r.im = (v1.im * v2.re - v1.re * v2.im) / den;
      if (ratio === null) {
        if (Math.abs(r.im) > 1e-9 * Math.abs(r.re) || (!anySign && r.re <= 0)) return false;
        ratio = r;
      } else if (cabs(csub(r, ratio)) > 1e-8 * cabs(ratio)) return false;
      valid++;
    }
    return valid >= MIN_VALID_POINTS;
  }

  /**
   * Values of the free symbols at random point p, in [0.3, 3.6]: seeded by the symbol's name, so symmetric and
   * reproducible. Positive reals keep `\sqrt{x^2} = x` and `\ln(ab) = \ln a + \ln b` true, as graders usually assume.
   */
  private point(names: string[], p: number): Map<string, Complex> {
    return randomPoint(names, p);
  }

  private ratPoint(names: string[], p: number): Map<string, Rational> {
    const env = new Map<string, Rational>();
    for (const n of names) {
      const u = unitRandom(hash32(n) ^ (0x51ed27 * (p + 3)));
      const v = unitRandom(hash32(n) + 104729 * (p + 5));
      env.set(n, R.rat(BigInt(2 + Math.floor(u * 97)), BigInt(1 + Math.floor(v * 13))) as Rational);
    }
    return env;
  }

  private scalarEq(x: Expr, y: Expr): boolean {
    if (hasContainerInside(x) || hasContainerInside(y)) return sameTree(x, y);
    // Two decimal literals: relative tolerance (when at least one is written with a decimal point or exponent).
    const lx = decimalLiteral(x);
    const ly = decimalLiteral(y);
    if (lx !== null && ly !== null) {
      if (R.eq(lx.value, ly.value)) return true;
      if (!lx.decimal && !ly.decimal) return false;
      const d = R.sub(lx.value, ly.value);
      if (d === null) return false;
      const den = Math.max(Math.abs(R.toNumber(lx.value)), Math.abs(R.toNumber(ly.value)));
      return Math.abs(R.toNumber(d)) <= this.opt.rtol * den;
    }
    const infX = hasConst(x, "inf");
    const infY = hasConst(y, "inf");
    if (infX || infY) return infX && infY && this.infEq(x, y);
    const names = [...freeSymbols(y, freeSymbols(x, new Set()))].sort();
    // A printed decimal (12+ significant digits) against an exact constant: equal within its last digit.
    if (names.length === 0) {
      const printed = printedDecimal(x) ?? printedDecimal(y);
      if (printed !== null && (lx === null || ly === null)) return this.printedEq(printed, printedDecimal(x) ? y : x);
    }
    // Exact: rational values (at rational points when there are symbols; Schwartz–Zippel).
    const exact = this.exactEq(x, y, names);
    if (exact !== null) return exact;
    // A decimal approximation (`6.283185307179586`) never equals a constant that is not exactly rational (`2\pi`),
    // however many digits it has.
    if (names.length === 0 && (lx?.decimal === true || ly?.decimal === true)) return false;
    return this.numericEq(x, y, names);
  }

  private infEq(x: Expr, y: Expr): boolean {
    const vx = numEval(x, new Map(), { max: 0 }, this.budget);
    const vy = numEval(y, new Map(), { max: 0 }, this.budget);
    return vx.re === vy.re && Number.isNaN(vx.re) === false && vx.im === 0 && vy.im === 0 && !Number.isFinite(vx.re);
  }

  /** |exact − d| ≤ one unit of d's last written digit (plus float rounding when `other` is not rational). */
  private printedEq(d: { value: Rational; lastPlace: number }, other: Expr): boolean {
    const ulp = R.powInt({ n: 10n, d: 1n }, BigInt(d.lastPlace));
    if (ulp === null) return false;
    const exact = exactEval(other, new Map(), this.budget);
    if (exact !== null) {
      const diff = R.sub(exact, d.value);
      if (diff === null) return false;
      const absN = diff.n < 0n ? -diff.n : diff.n;
      return absN * ulp.d <= ulp.n * diff.d;
    }
    const s: Scale = { max: 0 };
    const v = numEval(other, new Map(), s, this.budget);
    if (!isFiniteC(v) || Math.abs(v.im) > 0) return false;
    const dv = R.toNumber(d.value);
    return Math.abs(v.re - dv) <= R.toNumber(ulp) + 8 * Number.EPSILON * Math.max(Math.abs(dv), s.max);
  }

  /** `proportional` in exact arithmetic (`x^2+y^2+10^{-20}=1` ≠ `x^2+y^2=1`), null when it does not apply. */
  private exactProportional(d1: Expr, d2: Expr, symbols: string[], anySign: boolean): boolean | null {
    const names = exactNames(d1, d2, symbols);
    let ratio: Rational | null = null;
    for (let p = 0; p < 4; p++) {
      const env = this.ratPoint(names, p);
      const v1 = exactEval(d1, env, this.budget);
      if (v1 === null) return null;
      const v2 = exactEval(d2, env, this.budget);
      if (v2 === null) return null;
      if ((v1.n === 0n) !== (v2.n === 0n)) return false;
      if (v1.n === 0n) continue;
      const r = R.div(v1, v2);
      if (r === null) return null;
      if (ratio === null) {
        if (!anySign && r.n < 0n) return false;
        ratio = r;
      } else if (!R.eq(r, ratio)) return false;
    }
    return true;
  }

  /** true/false when both sides evaluate exactly at every tried point, null when exact arithmetic does not apply. */
  private exactEq(x: Expr, y: Expr, symbols: string[]): boolean | null {
    const names = exactNames(x, y, symbols);
    const points = names.length === 0 ? 1 : 4;
    for (let p = 0; p < points; p++) {
      const env = this.ratPoint(names, p);
      const vx = exactEval(x, env, this.budget);
      if (vx === null) return null;
      const vy = exactEval(y, env, this.budget);
      if (vy === null) return null;
      if (!R.eq(vx, vy)) return false;
    }
    return true;
  }

  private numericEq(x: Expr, y: Expr, names: string[]): boolean {
    // An exact rational constant against an irrational-looking constant: only a near-exact match counts, so that
    // `2\pi` ≠ `6.283185307`.
    const rtol = names.length === 0 ? CONSTANT_RTOL : SYMBOLIC_RTOL;
    let valid = 0;
    const points = names.length === 0 ? 1 : POINTS;
    for (let p = 0; p < points; p++) {
      const env = this.point(names, p);
      const sx: Scale = { max: 0, min: Number.POSITIVE_INFINITY };
      const sy: Scale = { max: 0, min: Number.POSITIVE_INFINITY };
      const vx = numEval(x, env, sx, this.budget);
      const vy = numEval(y, env, sy, this.budget);
      const fx = isFiniteC(vx);
      const fy = isFiniteC(vy);
      if (fx !== fy) return false;
      if (!fx) continue;
      const ax = cabs(vx);
      const ay = cabs(vy);
      const scale = Math.max(ax, ay, sx.max, sy.max, 1e-300);
      const tol = rtol * scale;
      const diff = cabs(csub(vx, vy));
      if (diff > tol) return false;
      // The tolerance must not be able to swallow a term or a value that is not a rounding residue
      // (`\sqrt{2}^{100}+1` vs `\sqrt{2}^{100}`, docs/contracts.md §4): where it could, equality is not shown.
      const realX = ax > RESIDUE * sx.max;
      const realY = ay > RESIDUE * sy.max;
      // Values well above their rounding agree to VALUE_RTOL (what the cluster keys rely on, cluster-keys.ts).
      if ((ax > KEYABLE * sx.max || ay > KEYABLE * sy.max) && diff > VALUE_RTOL * Math.max(ax, ay)) return false;
      const smallest = Math.min(
        sx.min as number,
        sy.min as number,
        realX ? ax : Number.POSITIVE_INFINITY,
        realY ? ay : Number.POSITIVE_INFINITY,
      );
      if (tol * TERM_MARGIN >= smallest) {
        // this point shows nothing; a constant has no other point
        if (names.length === 0) return false;
        continue;
      }
      valid++;
    }
    return valid >= (names.length === 0 ? 1 : MIN_VALID_POINTS);
  }
}
