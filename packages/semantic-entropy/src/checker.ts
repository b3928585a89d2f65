/** Resolving a checker by name through `@sentrl/evaluators` (`dapo`, `opencompass-v2`, `symbolic`). */
import type { AnswerChecker } from "@sentrl/core";
import { SentrlError } from "@sentrl/core";
import { getChecker } from "@sentrl/evaluators";

/** The checker names `sentrl se` accepts. */
export const SE_CHECKERS: readonly string[] = ["dapo", "opencompass-v2", "symbolic"];

/**
 * The `@sentrl/evaluators` checker with that name (`dapo` and `opencompass-v2` cluster by canonical key in O(n);
 * `symbolic` buckets answers by its `clusterKeys` and runs `equivalent` only within a bucket).
 *
 * @example
 * const dapo = resolveChecker("dapo");
 * dapo.canonicalKey?.("$1,000$"); // "1000"
 */
export function resolveChecker(name: string, options?: Record<string, unknown>): AnswerChecker {
  if (!SE_CHECKERS.includes(name))
    throw new SentrlError("SE_UNKNOWN_CHECKER", `unknown checker \`${name}\`; use one of ${SE_CHECKERS.join(", ")}`);
  return getChecker(name, options);
}
