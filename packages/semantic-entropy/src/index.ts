/**
 * @sentrl/semantic-entropy: semantic entropy of sampled answers (SENT, docs/algorithms.md §4, §8): answer clustering with any
 * checker and the `discrete`, `lengthNormalized`, `raw` and `kuhn` estimators.
 */
export * from "./estimators.js";
export * from "./extract.js";
export * from "./cluster.js";
export * from "./checker.js";
export * from "./scorer.js";
