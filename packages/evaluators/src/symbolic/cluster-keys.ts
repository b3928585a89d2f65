/**
 * Cluster keys of the `symbolic` checker: strings such that two equivalent answers always share at least one key,
 * so clustering compares an answer only with the clusters that share a key with it (O(n) bucketing instead of all
 * pairs; docs/algorithms.md §4.2). A key is a fingerprint, not a normal form: answers sharing a key are still
 * compared in full. `null` means "no key": compare with everything.
 *
 * What makes the keys sound (equivalent ⇒ a shared key), rule by rule of `equivalence.ts`:
 * - equal normalised strings, and every comparison of text answers: the `s:` key (lower-cased normalised string);
 * - numbers and expressions: the magnitude of the value at the first random point, on two logarithmic grids offset
 *   by half a cell, with cells four times wider than the largest relative difference an equality allows (`rtol`
 *   between decimals, VALUE_RTOL numerically, one unit of the last digit for printed decimals); values that are
 *   rounding residues or not finite there get no key;
 * - tuples, intervals, lists, sets, unions, ratios, matrices: their kind, size and the sum of their items'
 *   magnitudes (unordered equality keeps the sum); `a\%`: the keys of both `a` and `a/100`; `x = 3`: the keys of
 *   `3`; an inequality about a label: the keys of its interval; any other relation: no key.
 */
import type { Expr } from "./ast.js";
import { cabs, isFiniteC } from "./complex.js";
import { BudgetError } from "./errors.js";
import {
  freeSymbols,
  hasConst,
  hasContainerInside,
  labelledValues,
  isDefinitionTarget,
  KEYABLE,
  normalizeTop,
  preparedAnswer,
  randomPoint,
  relationAsInterval,
  sameTreeKey,
  VALUE_RTOL,
} from "./equivalence.js";
import { Budget, numEval, type Scale } from "./evaluate.js";

/** Budget of one key computation, in milliseconds. */
const KEY_BUDGET_MS = 50;

/** Sum of the magnitudes of an answer's numbers, and how many infinities it holds. */
interface Magnitude {
  sum: number;
  inf: number;
}

/**
 * The cluster keys of an extracted answer under the `symbolic` policy with relative tolerance `rtol` (see the file
 * comment), or null when the answer must be compared with every other.
 *
 * @example
 * ```ts
 * const k = symbolicClusterKeys("\\frac{1}{2}", 1e-4);
 * k?.some((key) => symbolicClusterKeys("0.5", 1e-4)?.includes(key)); // true
 * ```
 */
export function symbolicClusterKeys(raw: string, rtol: number): string[] | null {
  const { norm, expr: parsed } = preparedAnswer(raw);
  const str = `s:${norm.toLowerCase()}`;
  if (parsed === null) return [str];
  const keys = new KeyMaker(rtol, Budget.ms(KEY_BUDGET_MS));
  try {
    const k = keys.top(normalizeTop(parsed));
    return k === null ? null : [str, ...k];
  } catch (e) {
    if (e instanceof BudgetError || e instanceof RangeError) return null;
    throw e;
  }
}

class KeyMaker {
  /** Width of a grid cell in ln|value|. */
  private readonly cell: number;
  constructor(
    rtol: number,
    private readonly budget: Budget,
  ) {
    this.cell = 4 * Math.max(-Math.log1p(-rtol), 2 * VALUE_RTOL);
  }

  /** Keys of an answer as `Comparator.eq` dispatches on it. */
  top(e: Expr): string[] | null {
    switch (e.kind) {
      case "rel":
        return this.relation(e);
      case "list":
      case "set": {
        const m = this.magnitude(e);
        if (m === null) return null;
        const keys = this.grid(`L${e.items.length}`, m);
        const values = labelledValues(e);
        if (values !== null) {
          const mv = this.sum(values);
          if (mv === null) return null;
          keys.push(...this.grid(`q()${values.length}`, mv));
        }
        return keys;
      }
      case "seq":
      case "union":
      case "ratio":
      case "matrix": {
        const m = this.magnitude(e);
        return m === null ? null : this.grid(this.prefix(e), m);
      }
      case "percent": {
        const a = this.top(e.a);
        const scaled = this.top({ kind: "div", a: e.a, b: { kind: "num", value: { n: 100n, d: 1n }, decimal: false } });
        return a === null || scaled === null ? null : [...a, ...scaled];
      }
      default: {
        if (hasContainerInside(e)) return [`T:${sameTreeKey(e)}`];
        const m = this.magnitude(e);
        return m === null ? null : this.grid("n", m);
      }
    }
  }

  private prefix(e: Expr): string {
    if (e.kind === "seq") return `q${e.open}${e.close}${e.items.length}`;
    if (e.kind === "matrix") return `M${e.rows.length}x${e.rows.map((r) => r.length).join(",")}`;
    return `${e.kind === "union" ? "U" : "R"}${(e as { items: Expr[] }).items.length}`;
  }

  private relation(e: Expr & { kind: "rel" }): string[] | null {
    const interval = relationAsInterval(e);
    if (interval !== null) return this.top(interval);
    if (e.ops.length !== 1 || e.ops[0] !== "=") return null;
    const [lhs, rhs] = e.items as [Expr, Expr];
    const l = isDefinitionTarget(lhs);
    const r = isDefinitionTarget(rhs);
    if (l && r) {
      const a = this.top(rhs);
      const b = this.top(lhs);
      return a === null || b === null ? null : [...a, ...b];
    }
    if (l) return this.top(rhs);
    if (r) return this.top(lhs);
    return null;
  }

  /** Keys `prefix:inf:cell` on two grids offset by half a cell (equal values share at least one). */
  private grid(prefix: string, m: Magnitude): string[] {
    if (m.sum === 0) return [`${prefix}:${m.inf}:0`];
    const u = Math.log(m.sum) / this.cell;
    return [`${prefix}:${m.inf}:a${Math.floor(u)}`, `${prefix}:${m.inf}:b${Math.floor(u + 0.5)}`];
  }

  private sum(items: Expr[]): Magnitude | null {
    const out: Magnitude = { sum: 0, inf: 0 };
    for (const it of items) {
      const m = this.magnitude(it);
      if (m === null) return null;
      out.sum += m.sum;
      out.inf += m.inf;
    }
    return out;
  }

  /** Sum of the magnitudes of the numbers an item compares by (items of equal items have equal magnitudes). */
  private magnitude(e: Expr): Magnitude | null {
    this.budget.tick();
    switch (e.kind) {
      case "list":
      case "set":
      case "seq":
      case "union":
      case "ratio":
        return this.sum(e.items);
      case "matrix":
        return this.sum(e.rows.flat());
      case "percent":
        return null;
      case "rel": {
        if (e.ops.length !== 1 || e.ops[0] !== "=") return null;
        const [lhs, rhs] = e.items as [Expr, Expr];
        const l = isDefinitionTarget(lhs);
        const r = isDefinitionTarget(rhs);
        if (l === r) return null;
        return this.magnitude(l ? rhs : lhs);
      }
      default:
        return this.scalar(e);
    }
  }

  private scalar(e: Expr): Magnitude | null {
    if (hasContainerInside(e)) return null;
    if (hasConst(e, "inf")) return { sum: 0, inf: 1 };
    const s: Scale = { max: 0 };
    const v = numEval(e, randomPoint(freeSymbols(e, new Set()), 0), s, this.budget);
    if (!isFiniteC(v)) return null;
    const a = cabs(v);
    if (a === 0 && s.max === 0) return { sum: 0, inf: 0 };
    if (a <= KEYABLE * s.max) return null;
    return { sum: a, inf: 0 };
  }
}
