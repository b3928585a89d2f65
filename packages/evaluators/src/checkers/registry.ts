import { type AnswerChecker, SentrlError } from "@sentrl/core";
import { createSymbolicChecker, type SymbolicCheckerOptions } from "../symbolic/index.js";
import { dapoChecker } from "./dapo.js";
import { opencompassV2Checker } from "./opencompass-v2.js";

/** The checker names `getChecker` and `sentrl grade --checker` accept. */
export const CHECKER_NAMES = ["dapo", "opencompass-v2", "symbolic"] as const;
export type CheckerName = (typeof CHECKER_NAMES)[number];

/** Options of {@link getChecker}; only `symbolic` reads them. */
export type CheckerOptions = SymbolicCheckerOptions;

/**
 * A checker by name (docs/contracts.md §4). `dapo` and `opencompass-v2` take no options.
 *
 * @example
 * ```ts
 * const c = getChecker("opencompass-v2");
 * c.check("\\boxed{3}", "3").correct; // true
 * ```
 */
export function getChecker(name: string, options: CheckerOptions = {}): AnswerChecker {
  switch (name) {
    case "dapo":
      return dapoChecker;
    case "opencompass-v2":
      return opencompassV2Checker;
    case "symbolic":
      return createSymbolicChecker(options);
    default:
      throw new SentrlError(
        "CHECKER_UNKNOWN",
        `unknown checker \`${name}\`; known checkers: ${CHECKER_NAMES.join(", ")}`,
      );
  }
}
