import { SentrlError } from "@sentrl/core";
import type { NliLabel } from "./labels.js";

/**
 * When two answers mean the same (docs/algorithms.md §8.1), from e1 = NLI(a ⇒ b) and e2 = NLI(b ⇒ a):
 * `strict` (default of the Nature 2024 code): both directions entail; `lenient`: no contradiction either way and not
 * both neutral.
 */
export type EntailmentVariant = "strict" | "lenient";

export const ENTAILMENT_VARIANTS: readonly EntailmentVariant[] = ["strict", "lenient"];

/**
 * @example
 * entailmentEquivalent("entailment", "neutral", "strict"); // false
 * entailmentEquivalent("entailment", "neutral", "lenient"); // true
 */
export function entailmentEquivalent(e1: NliLabel, e2: NliLabel, variant: EntailmentVariant = "strict"): boolean {
  if (variant === "strict") return e1 === "entailment" && e2 === "entailment";
  if (variant === "lenient")
    return e1 !== "contradiction" && e2 !== "contradiction" && !(e1 === "neutral" && e2 === "neutral");
  throw new SentrlError("NLI_UNKNOWN_VARIANT", `unknown entailment variant \`${variant}\`; use strict or lenient`);
}
