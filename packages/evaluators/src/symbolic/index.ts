import type { AnswerChecker, CheckResult } from "@sentrl/core";
import { SentrlError } from "@sentrl/core";
import { DEFAULT_EQUIVALENCE, type EquivalenceOptions, equivalentAnswers } from "./equivalence.js";
import { symbolicClusterKeys } from "./cluster-keys.js";
import { extractSymbolicAnswer } from "./extract.js";

export type { Expr as SymbolicExpr } from "./ast.js";
export { equivalentAnswers as symbolicEquivalent, parseAnswer as parseSymbolicAnswer } from "./equivalence.js";
export { extractSymbolicAnswer } from "./extract.js";
export { symbolicClusterKeys } from "./cluster-keys.js";

/** Options of the `symbolic` checker (docs/contracts.md §4). */
export interface SymbolicCheckerOptions {
  /** Relative tolerance between two decimal literals (default 1e-4). */
  rtol?: number;
  /** `last-number` enables the last-number extraction fallback. */
  fallback?: "none" | "last-number";
  /** Time budget per comparison in milliseconds (default 200); over budget counts as not equivalent. */
  timeBudgetMs?: number;
}

/** The `symbolic` checker: an `AnswerChecker` with cluster keys. */
export interface SymbolicChecker extends AnswerChecker {
  /**
   * Keys such that two equivalent answers share at least one (null: compare with every answer), so that clustering
   * compares an answer only with the clusters sharing a key (see `symbolicClusterKeys`).
   */
  clusterKeys(extracted: string): string[] | null;
}

/**
 * The `symbolic` checker: answer equivalence without a CAS (exact rationals, else seeded random-point evaluation).
 *
 * @example
 * ```ts
 * const checker = createSymbolicChecker({ rtol: 1e-4 });
 * checker.equivalent("3.83e35", "3.83 \\times 10^{35}"); // true
 * checker.equivalent("\\frac{1}{3}", "0.3333"); // false
 * checker.check("so the answer is \\boxed{-\\frac{1}{3}}", ["-1./3"]).correct; // true
 * checker.clusterKeys("\\frac{1}{2}")?.some((k) => checker.clusterKeys("0.5")?.includes(k)); // true
 * ```
 */
export function createSymbolicChecker(options: SymbolicCheckerOptions = {}): SymbolicChecker {
  const rtol = options.rtol ?? DEFAULT_EQUIVALENCE.rtol;
  if (!(rtol >= 0 && rtol < 1))
    throw new SentrlError("SYMBOLIC_BAD_RTOL", `rtol must be in [0, 1), got ${rtol}; pass e.g. --rtol 1e-4`);
  const fallback = options.fallback ?? "none";
  if (fallback !== "none" && fallback !== "last-number") {
    throw new SentrlError("SYMBOLIC_BAD_FALLBACK", `fallback must be "none" or "last-number", got ${String(fallback)}`);
  }
  const eq: EquivalenceOptions = { rtol, timeBudgetMs: options.timeBudgetMs ?? DEFAULT_EQUIVALENCE.timeBudgetMs };
  const equivalent = (a: string, b: string): boolean => equivalentAnswers(a, b, eq);
  return {
    name: "symbolic",
    extract: (response: string) => extractSymbolicAnswer(response, fallback),
    check(response: string, gold: string | string[]): CheckResult {
      const extracted = extractSymbolicAnswer(response, fallback);
      if (extracted === null) return { correct: false, extracted };
      const golds = Array.isArray(gold) ? gold : [gold];
      return { correct: golds.some((g) => equivalent(extracted, g)), extracted };
    },
    equivalent,
    clusterKeys: (extracted: string) => symbolicClusterKeys(extracted, rtol),
  };
}
