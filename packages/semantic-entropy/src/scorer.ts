/** Semantic entropy of sampled responses per question: answer clustering + an estimator, in one call. */
import type { AnswerChecker } from "@sentrl/core";
import { SentrlError } from "@sentrl/core";
import { resolveChecker } from "./checker.js";
import { type ClusterEquivalence, clusterResponses, type InvalidPolicy } from "./cluster.js";
import { estimateSemanticEntropy, type SEEstimator } from "./estimators.js";

/** One question's sampled responses; `logLik` is the summed token log-prob (nats), `lengths` the token counts. */
export interface SEInput {
  responses: readonly string[];
  logLik?: ArrayLike<number>;
  lengths?: ArrayLike<number>;
}

export interface SEResult {
  semanticEntropy: number;
  /** Cluster id per response in first-seen order. */
  clusterIds: number[];
  numClusters: number;
  /** Raw extracted answer per response (null = invalid). */
  answers: (string | null)[];
}

export interface SEOptions {
  /** A checker name (`dapo`, `opencompass-v2`, `symbolic`) or any checker object; default `dapo`. */
  checker?: string | AnswerChecker | ClusterEquivalence;
  /** Default `lengthNormalized` (docs/algorithms.md §4.2); `discrete` needs no likelihoods. */
  estimator?: SEEstimator;
  /** Default `singleton`. */
  invalid?: InvalidPolicy;
  /** Answer extraction override (default: `Answer:` line, else last `\boxed{}`). */
  extract?: (response: string) => string | null;
}

/** A reusable scorer: the checker is resolved once. */
export type SEScorer = (input: SEInput) => SEResult;

/**
 * Builds a scorer for many questions.
 *
 * @example
 * const score = createSemanticEntropyScorer({ estimator: "discrete" });
 * score({ responses: ["Answer: 4", "Answer: 4", "Answer: 5"] }).semanticEntropy; // 0.6365141682948128
 */
export function createSemanticEntropyScorer(options: SEOptions = {}): SEScorer {
  const checker = options.checker ?? "dapo";
  const eq: ClusterEquivalence = typeof checker === "string" ? resolveChecker(checker) : checker;
  const estimator = options.estimator ?? "lengthNormalized";
  const invalid = options.invalid ?? "singleton";
  const extract = options.extract;
  return (input) => {
    if (!input || !Array.isArray(input.responses))
      throw new SentrlError("SE_BAD_INPUT", "input needs `responses`: an array of strings");
    const c = clusterResponses(input.responses, eq, { invalid, extract });
    const h = estimateSemanticEntropy(c.clusterIds, estimator, input.logLik, input.lengths);
    return { semanticEntropy: h, clusterIds: Array.from(c.clusterIds), numClusters: c.numClusters, answers: c.answers };
  };
}

/**
 * Semantic entropy of one question's responses (resolves the checker on every call; use
 * `createSemanticEntropyScorer` for many questions).
 *
 * @example
 * computeSemanticEntropy({ responses: ["Answer: 1", "Answer: 2"] }, { estimator: "discrete" }).semanticEntropy; // Math.LN2
 */
export function computeSemanticEntropy(input: SEInput, options: SEOptions = {}): SEResult {
  return createSemanticEntropyScorer(options)(input);
}
