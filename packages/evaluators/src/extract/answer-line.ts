import { lastCodePoints, PY_WHITESPACE } from "../text/python.js";

/** verl `math_dapo`: `re.findall(r"(?i)Answer\s*:\s*([^\n]+)", s)` with Python's `\s` and Unicode case folding. */
const ANSWER_LINE = new RegExp(`answer[${PY_WHITESPACE}]*:[${PY_WHITESPACE}]*([^\\n]+)`, "giu");

/** How many trailing characters (code points) `math_dapo.compute_score` looks at. */
export const DAPO_TAIL_CHARS = 300;

/**
 * The last `Answer: …` line of a string (the whole string, not only its tail), or null.
 */
export function lastAnswerLine(s: string): string | null {
  let last: string | null = null;
  for (const m of s.matchAll(ANSWER_LINE)) last = m[1] as string;
  return last;
}

/**
 * What verl's `math_dapo.compute_score` reads from a response: the last `Answer:` line within the last 300
 * characters (code points, as Python slices), or null where it would use `"[INVALID]"`.
 *
 * @example
 * ```ts
 * extractDapoAnswer("…so the total is 12.\nAnswer: 12"); // "12"
 * extractDapoAnswer("\\boxed{12}"); // null
 * ```
 */
export function extractDapoAnswer(response: string): string | null {
  return lastAnswerLine(lastCodePoints(response, DAPO_TAIL_CHARS));
}
