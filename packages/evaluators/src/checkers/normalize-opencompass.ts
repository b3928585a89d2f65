import { pyIsDigit, pyStrip, replaceAllLiteral } from "../text/python.js";
import {
  findLastAnswerIs,
  findLastFinalAnswerIs,
  findLastLazyPair,
  subFracShorthand,
  subGreedyLine,
  subLazyPair,
  subSqrtShorthand,
} from "../text/scan.js";
import { DAPO_REMOVED_EXPRESSIONS, DAPO_SUBSTITUTIONS } from "./normalize-dapo.js";

/** OpenCompass `normalize_final_answer` SUBSTITUTIONS: verl's plus `\le` → `<`. */
export const OC_SUBSTITUTIONS: ReadonlyArray<readonly [string, string]> = [...DAPO_SUBSTITUTIONS, ["\\le", "<"]];

const afterInches = DAPO_REMOVED_EXPRESSIONS.indexOf("inches") + 1;

/** OpenCompass REMOVED_EXPRESSIONS: verl's plus `ft` (after `inches`) and `\n`, `\r`, `\f` at the end. */
export const OC_REMOVED_EXPRESSIONS: readonly string[] = [
  ...DAPO_REMOVED_EXPRESSIONS.slice(0, afterInches),
  "ft",
  ...DAPO_REMOVED_EXPRESSIONS.slice(afterInches),
  "\n",
  "\r",
  "\f",
];

const keepInner = (inner: string) => inner;

/**
 * OpenCompass `math.py` `normalize_final_answer` (no `=` split, unlike verl): substitutions and removals, `\text{(…)}`,
 * `\text{}`, `\textbf{}`, `\overline{}`, `\boxed{}` unwrapping, then the last `finalansweris…`, `answer?is:?…`,
 * `oxed{…}` and `$…$` captures, strip, `rac` → `\frac`, shorthand fixes, `$` removal, comma-digits fix.
 *
 * @example
 * ```ts
 * normalizeFinalAnswerOC("The final answer is $\\frac12$"); // "\\frac{1}{2}"
 * ```
 */
export function normalizeFinalAnswerOC(s: string): string {
  let x = s;
  for (const [before, after] of OC_SUBSTITUTIONS) x = replaceAllLiteral(x, before, after);
  for (const expr of OC_REMOVED_EXPRESSIONS) x = x.replaceAll(expr, "");
  x = subLazyPair(x, "\\text{(", ")}", keepInner);
  x = subLazyPair(x, "\\text{", "}", keepInner);
  x = subLazyPair(x, "\\textbf{", "}", keepInner);
  x = subLazyPair(x, "\\overline{", "}", keepInner);
  x = subGreedyLine(x, "\\boxed{", "}");
  // (The reference asserts no "\n", "\r", "\f" here; they were all removed above.)
  x = findLastFinalAnswerIs(x) ?? x;
  x = findLastAnswerIs(x) ?? x;
  x = findLastLazyPair(x, "oxed{", "}") ?? x;
  x = findLastLazyPair(x, "$", "$") ?? x;
  x = pyStrip(x);
  if (x.includes("rac") && !x.includes("\\frac")) x = x.replaceAll("rac", "\\frac");
  x = subFracShorthand(x);
  x = subSqrtShorthand(x);
  x = x.replaceAll("$", "");
  if (pyIsDigit(x.replaceAll(",", ""))) x = x.replaceAll(",", "");
  return x;
}
