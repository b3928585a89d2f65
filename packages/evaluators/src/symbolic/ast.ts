import type { Rational } from "./rational.js";

/** Expression tree of a parsed final answer. */
export type Expr =
  | {
      kind: "num";
      value: Rational;
      /** written with a decimal point or exponent (`2.5`, `4e3`) */
      decimal: boolean;
      /** decimals only: significant digits written, and the power of ten of the last one (`0.0830` → 3, -4) */
      sig?: number;
      lastPlace?: number;
    }
  | { kind: "sym"; name: string }
  | { kind: "const"; name: "pi" | "e" | "i" | "inf" }
  | { kind: "add"; a: Expr; b: Expr }
  | { kind: "sub"; a: Expr; b: Expr }
  | { kind: "mul"; a: Expr; b: Expr }
  | { kind: "div"; a: Expr; b: Expr }
  | { kind: "pow"; a: Expr; b: Expr }
  | { kind: "neg"; a: Expr }
  | { kind: "pm"; a: Expr; b: Expr /** `\mp` */; minusFirst: boolean }
  | { kind: "percent"; a: Expr }
  | { kind: "fn"; name: string; args: Expr[] }
  /** An unknown function applied to an argument (`f(x)`, `I(0)`). */
  | { kind: "apply"; name: string; arg: Expr }
  | { kind: "rel"; ops: RelOp[]; items: Expr[] }
  /** `( )`, `[ ]`, `( ]`, `[ )` with two or more items (tuples, intervals). */
  | { kind: "seq"; open: "(" | "["; close: ")" | "]"; items: Expr[] }
  | { kind: "set"; items: Expr[] }
  | { kind: "list"; items: Expr[] }
  | { kind: "union"; items: Expr[] }
  /** `a : b (: c)` ratios, ordered. */
  | { kind: "ratio"; items: Expr[] }
  | { kind: "matrix"; rows: Expr[][] };

export type RelOp = "=" | "<" | ">" | "<=" | ">=" | "!=" | "~";

/** Number of nodes, for the tree-size bound. */
export function treeSize(e: Expr): number {
  let n = 0;
  someNode(e, () => {
    n++;
    return false;
  });
  return n;
}

/** Calls `visit` on every node, parents first, without building anything; stops early when `visit` returns true. */
export function someNode(e: Expr, visit: (n: Expr) => boolean): boolean {
  if (visit(e)) return true;
  switch (e.kind) {
    case "neg":
    case "percent":
      return someNode(e.a, visit);
    case "add":
    case "sub":
    case "mul":
    case "div":
    case "pow":
    case "pm":
      return someNode(e.a, visit) || someNode(e.b, visit);
    case "apply":
      return someNode(e.arg, visit);
    case "fn":
      return e.args.some((x) => someNode(x, visit));
    case "rel":
    case "seq":
    case "set":
    case "list":
    case "union":
    case "ratio":
      return e.items.some((x) => someNode(x, visit));
    case "matrix":
      return e.rows.some((r) => r.some((x) => someNode(x, visit)));
    default:
      return false;
  }
}
