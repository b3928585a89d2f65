import type { AnswerChecker, CheckResult } from "@sentrl/core";
import { extractBoxedAnswer } from "../extract/boxed.js";
import { normalizeFinalAnswerOC } from "./normalize-opencompass.js";
import { stripStringV2 } from "./strip-v2.js";
import { asGoldList, MAX_CHECK_CHARS } from "./gold.js";

const FINAL_ANSWER = /final answer|answer is/;

/**
 * OpenCompass `math_postprocess_v2`: the last `\boxed{}` (one outer brace pair stripped) if non-empty, else the
 * first `.`-separated sentence mentioning "final answer"/"answer is", else the first sentence, normalised with
 * {@link normalizeFinalAnswerOC}. Always a string (possibly empty), as in the reference.
 *
 * @example
 * ```ts
 * mathPostprocessV2("… so \\boxed{{5}}"); // "5"
 * mathPostprocessV2("The answer is 5. Done"); // "5"
 * ```
 */
export function mathPostprocessV2(text: string): string {
  const cand = extractBoxedAnswer(text, true);
  if (cand) return cand;
  const sentences = text.split(".");
  for (const sentence of sentences)
    if (FINAL_ANSWER.test(sentence.toLowerCase())) return normalizeFinalAnswerOC(sentence);
  return normalizeFinalAnswerOC(sentences[0] as string);
}

/**
 * OpenCompass `MATHEvaluator(version='v2').is_equiv(pred, ref)`: equal after `stripStringV2`, or after
 * `stripStringV2` + `normalizeFinalAnswerOC`, or after `normalizeFinalAnswerOC` alone, or raw equality. A
 * `stripStringV2` failure (Python `ValueError`) skips the first two tests, as the reference's `try` does.
 *
 * @example
 * ```ts
 * isEquivV2("1/2", "\\dfrac{1}{2}"); // true
 * isEquivV2("25", "025"); // false
 * ```
 */
export function isEquivV2(pred: string | null, ref: string | null): boolean {
  if (pred === null && ref === null) return true;
  if (pred === null || ref === null) return false;
  try {
    const a = stripStringV2(pred);
    const b = stripStringV2(ref);
    if (a === b) return true;
    if (normalizeFinalAnswerOC(a) === normalizeFinalAnswerOC(b)) return true;
  } catch {
    // the reference ignores any exception here
  }
  if (normalizeFinalAnswerOC(pred) === normalizeFinalAnswerOC(ref)) return true;
  return pred === ref;
}

/**
 * The paper's evaluation checker (docs/algorithms.md §10.2): `math_postprocess_v2` on the response, `is_equiv` (v2) against
 * the unnormalised gold. `extracted` is the post-processed prediction (never null: the reference falls back to the
 * first sentence).
 *
 * @example
 * ```ts
 * opencompassV2Checker.check("… \\boxed{\\dfrac{1}{2}}", "\\frac{1}{2}"); // { correct: true, extracted: "\\dfrac{1}{2}" }
 * ```
 */
export const opencompassV2Checker: AnswerChecker = {
  name: "opencompass-v2",
  extract(response: string): string | null {
    if (response.length > MAX_CHECK_CHARS) return null;
    return mathPostprocessV2(response);
  },
  check(response: string, gold: string | string[]): CheckResult {
    const golds = asGoldList(gold);
    const extracted = response.length > MAX_CHECK_CHARS ? null : mathPostprocessV2(response);
    if (extracted === null) return { correct: false, extracted };
    for (const g of golds) if (isEquivV2(extracted, g)) return { correct: true, extracted };
    return { correct: false, extracted };
  },
  equivalent(a: string, b: string): boolean {
    return isEquivV2(a, b);
  },
};
