// Shared by the symbolic benchmarks: the earlier copy of the checker named by `SYMBOLIC_BASELINE`, if any.
import path from "node:path";
import type { AnswerChecker } from "@sentrl/core";

/** `createSymbolicChecker()` of the module at `SYMBOLIC_BASELINE` (e.g. a `git archive` copy), or null when unset. */
export async function loadBaselineChecker(): Promise<AnswerChecker | null> {
  const baselinePath = process.env.SYMBOLIC_BASELINE;
  if (!baselinePath) return null;
  const mod = (await import(path.resolve(baselinePath))) as { createSymbolicChecker: () => AnswerChecker };
  return mod.createSymbolicChecker();
}
