import type { VerifierDefinition } from "@sentrl/core";
import { CHECKER_NAMES, type CheckerName, type CheckerOptions, getChecker } from "../checkers/registry.js";

/** Reward of a wrong answer per checker: `dapo` is verl's `math_dapo` (+1 / −1, docs/algorithms.md §10.1), others 1 / 0. */
const WRONG_REWARD: Record<CheckerName, number> = { dapo: -1, "opencompass-v2": 0, symbolic: 0 };

/**
 * An answer checker as a reward strategy (a `VerifierDefinition` for the trainer's `reward` registry): the reward
 * is +1 for a correct answer and −1 (`dapo`) or 0 (`opencompass-v2`, `symbolic`) otherwise; `rewardOptions` are the
 * checker's options (only `symbolic` reads them).
 *
 * @example
 * ```ts
 * import { checkerVerifier } from "@sentrl/evaluators";
 * const dapo = checkerVerifier("dapo").create();
 * console.log(dapo.score("…\nAnswer: 12", { gold: "12" }).reward); // → 1
 * console.log(dapo.score("no idea", { gold: "12" }).reward); // → -1
 * ```
 */
export function checkerVerifier(name: CheckerName): VerifierDefinition {
  const wrong = WRONG_REWARD[name];
  return {
    name,
    description: `the ${name} answer checker: ${wrong === -1 ? "+1 / −1" : "1 / 0"}`,
    create: (options) => {
      const checker = getChecker(name, (options ?? {}) as CheckerOptions);
      return {
        name,
        score: (response, sample) => {
          const r = checker.check(response, sample.gold);
          return { reward: r.correct ? 1 : wrong, correct: r.correct, extracted: r.extracted };
        },
      };
    },
  };
}

/** Every checker of this package as a reward strategy, named as the checker. */
export function checkerVerifiers(): VerifierDefinition[] {
  return CHECKER_NAMES.map(checkerVerifier);
}
