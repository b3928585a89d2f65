import { pyIsDigit, pyStrip, replaceAllLiteral } from "../text/python.js";
import { subFirstDollarPair, subFracShorthand, subGreedyLine, subLazyPair, subSqrtShorthand } from "../text/scan.js";

/** verl `math_dapo` SUBSTITUTIONS (step 2), applied in order with replace-all. */
export const DAPO_SUBSTITUTIONS: ReadonlyArray<readonly [string, string]> = [
  ["an ", ""],
  ["a ", ""],
  [".$", "$"],
  ["\\$", ""],
  ["\\ ", ""],
  [" ", ""],
  ["mbox", "text"],
  [",\\text{and}", ","],
  ["\\text{and}", ","],
  ["\\text{m}", "\\text{}"],
];

/** verl `math_dapo` REMOVED_EXPRESSIONS (step 3), in order. `\n` inside `\text{\ns}` is a real newline. */
export const DAPO_REMOVED_EXPRESSIONS: readonly string[] = [
  "square",
  "ways",
  "integers",
  "dollars",
  "mph",
  "inches",
  "hours",
  "km",
  "units",
  "\\ldots",
  "sue",
  "points",
  "feet",
  "minutes",
  "digits",
  "cents",
  "degrees",
  "cm",
  "gm",
  "pounds",
  "meters",
  "meals",
  "edges",
  "students",
  "childrentickets",
  "multiples",
  "\\text{s}",
  "\\text{.}",
  "\\text{\ns}",
  "\\text{}^2",
  "\\text{}^3",
  "\\text{\n}",
  "\\text{}",
  "\\mathrm{th}",
  "^\\circ",
  "^{\\circ}",
  "\\;",
  ",\\!",
  "{,}",
  '"',
  "\\dots",
];

const keepInner = (inner: string) => inner;

/**
 * verl `math_dapo.normalize_final_answer` (the Minerva/lm-eval normaliser; docs/algorithms.md §10.1 steps 1-8), exactly:
 * text after the last `=`; substitutions; removals; `$…$`, `\text{}`, `\textbf{}`, `\overline{}`, `\boxed{}`
 * unwrapping; `\frac`/`\sqrt` shorthand; `$` removal; `1,000` → `1000` when the rest is digits (Python
 * `str.isdigit`, so `²` counts as a digit); strip.
 *
 * @example
 * ```ts
 * normalizeFinalAnswer("x = \\frac12"); // "\\frac{1}{2}"
 * normalizeFinalAnswer("1,000 dollars"); // "1000"
 * ```
 */
export function normalizeFinalAnswer(s: string): string {
  let x = s.slice(s.lastIndexOf("=") + 1);
  for (const [before, after] of DAPO_SUBSTITUTIONS) x = replaceAllLiteral(x, before, after);
  for (const expr of DAPO_REMOVED_EXPRESSIONS) x = x.replaceAll(expr, "");
  x = subFirstDollarPair(x);
  x = subLazyPair(x, "\\text{", "}", keepInner);
  x = subLazyPair(x, "\\textbf{", "}", keepInner);
  x = subLazyPair(x, "\\overline{", "}", keepInner);
  x = subGreedyLine(x, "\\boxed{", "}");
  x = subFracShorthand(x);
  x = subSqrtShorthand(x);
  x = x.replaceAll("$", "");
  if (pyIsDigit(x.replaceAll(",", ""))) x = x.replaceAll(",", "");
  return pyStrip(x);
}
