import type { AnswerChecker, CheckResult } from "@sentrl/core";
import { extractDapoAnswer } from "../extract/answer-line.js";
import { asGoldList, MAX_CHECK_CHARS } from "./gold.js";
import { normalizeFinalAnswer } from "./normalize-dapo.js";

/** What verl compares when no `Answer:` line is found. */
export const DAPO_INVALID = "[INVALID]";

/**
 * The training reward's checker, verl `math_dapo.compute_score` with `strict_box_verify=False` (docs/algorithms.md §10.1):
 * the last `Answer:` line in the last 300 characters, normalised, compared for string equality with the
 * normalised gold. `extracted` is the raw `Answer:` text (null when none; verl then compares `"[INVALID]"`, so a
 * gold that normalises to `[INVALID]` matches, exactly as in the reference). `canonicalKey` is the normalised
 * answer, so clustering by key is exact.
 *
 * @example
 * ```ts
 * dapoChecker.check("… Answer: $1,000$", "1000"); // { correct: true, extracted: "$1,000$" }
 * ```
 */
export const dapoChecker: AnswerChecker = {
  name: "dapo",
  extract(response: string): string | null {
    if (response.length > MAX_CHECK_CHARS) return null;
    return extractDapoAnswer(response);
  },
  check(response: string, gold: string | string[]): CheckResult {
    const golds = asGoldList(gold);
    if (response.length > MAX_CHECK_CHARS) return { correct: false, extracted: null };
    const extracted = extractDapoAnswer(response);
    const pred = normalizeFinalAnswer(extracted ?? DAPO_INVALID);
    for (const g of golds) if (normalizeFinalAnswer(g) === pred) return { correct: true, extracted };
    return { correct: false, extracted };
  },
  canonicalKey(extracted: string): string {
    return normalizeFinalAnswer(extracted);
  },
  equivalent(a: string, b: string): boolean {
    return normalizeFinalAnswer(a) === normalizeFinalAnswer(b);
  },
};
