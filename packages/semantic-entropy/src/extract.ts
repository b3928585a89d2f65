/**
 * Answer extraction for clustering (docs/algorithms.md §4.2, docs/contracts.md §5): the last `Answer:` line in the last 300
 * characters (code points, exactly what verl's `math_dapo` reads), else the content of the last `\boxed{}`
 * (nested braces matched). Both readers come from `@sentrl/evaluators`, so clustering sees what the reward sees.
 */
import { extractDapoAnswer, lastBoxedOnlyString, removeBoxed } from "@sentrl/evaluators";

/**
 * The raw final answer used for clustering, or null (invalid: no answer).
 *
 * @example
 * extractClusterAnswer("... so x = 4.\nAnswer: 4"); // "4"
 * extractClusterAnswer("the result is \\boxed{\\frac{1}{2}}"); // "\\frac{1}{2}"
 * extractClusterAnswer("I give up"); // null
 */
export function extractClusterAnswer(response: string): string | null {
  return extractDapoAnswer(response) ?? removeBoxed(lastBoxedOnlyString(response));
}
