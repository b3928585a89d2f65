/** Resolving a checker by name through `@sentrl/evaluators` (`dapo`, `opencompass-v2`, `symbolic`). */
import type { AnswerChecker } from "@sentrl/core";
import { SentrlError } from "@sentrl/core";
import * as evaluators from "@sentrl/evaluators";

/** The checker names `sentrl se` accepts. */
export const SE_CHECKERS: readonly string[] = ["dapo", "opencompass-v2", "symbolic"];

/**
 * The `@sentrl/evaluators` checker with that name.
 *
 * @example
 * const dapo = resolveChecker("dapo");
 * dapo.canonicalKey?.("\\frac12"); // normalised key
 */
export function resolveChecker(name: string, options?: Record<string, unknown>): AnswerChecker {
  if (!SE_CHECKERS.includes(name)) throw new SentrlError("SE_UNKNOWN_CHECKER", `unknown checker \`${name}\`; use one of ${SE_CHECKERS.join(", ")}`);
  const get = (evaluators as Record<string, unknown>).getChecker as ((n: string, o?: Record<string, unknown>) => AnswerChecker) | undefined;
  if (typeof get !== "function") throw new SentrlError("SE_CHECKER_UNAVAILABLE", "@sentrl/evaluators does not export getChecker in this build; pass an AnswerChecker object instead");
  return get(name, options);
}
