import { pyStrip } from "../text/python.js";
import { lastAnswerLine } from "./answer-line.js";
import { extractBoxedAnswer } from "./boxed.js";

/** The extraction rules (separate from equivalence). */
export type ExtractionKind = "boxed" | "answer-line" | "final-answer" | "gsm8k";

/** What an extractor found and by which rule. */
export interface Extraction {
  kind: ExtractionKind;
  /** The extracted answer text, unnormalised. */
  text: string;
}

/**
 * The last sentence-level "final answer is …" / "answer is …" statement: the text after the phrase up to the end
 * of its line, with a trailing `.` removed. Null when absent.
 */
export function extractFinalAnswerSentence(response: string): string | null {
  const re = /(?:final answer|answer) is[:\s]*([^\n]*)/gi;
  let last: string | null = null;
  for (const m of response.matchAll(re)) last = m[1] as string;
  if (last === null) return null;
  const t = pyStrip(last).replace(/\.+$/, "");
  return t === "" ? null : t;
}

/** GSM8K's `#### <answer>` (the text after the last `####`, stripped), or null. */
export function extractGsm8kAnswer(response: string): string | null {
  const i = response.lastIndexOf("####");
  if (i < 0) return null;
  const t = pyStrip(response.slice(i + 4));
  return t === "" ? null : t;
}

/**
 * Tries the given rules in order and reports the first that finds something.
 *
 * @example
 * ```ts
 * extractAnswer("… \\boxed{7}", ["boxed", "answer-line"]); // { kind: "boxed", text: "7" }
 * ```
 */
export function extractAnswer(
  response: string,
  order: readonly ExtractionKind[] = ["boxed", "answer-line", "final-answer"],
): Extraction | null {
  for (const kind of order) {
    let text: string | null = null;
    if (kind === "boxed") text = extractBoxedAnswer(response, false);
    else if (kind === "answer-line") text = lastAnswerLine(response);
    else if (kind === "final-answer") text = extractFinalAnswerSentence(response);
    else text = extractGsm8kAnswer(response);
    if (text !== null) return { kind, text };
  }
  return null;
}
