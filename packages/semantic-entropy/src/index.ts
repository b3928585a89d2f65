/**
 * @sentrl/semantic-entropy: semantic entropy of sampled answers (SENT, docs/algorithms.md §4, §8): answer clustering with any
 * checker and the `discrete`, `lengthNormalized`, `raw` and `kuhn` estimators.
 */
export * from "./estimators.js";
export * from "./extract.js";
export * from "./cluster.js";
export * from "./checker.js";
export * from "./scorer.js";
export * from "./nli/labels.js";
export * from "./nli/equivalence.js";
export * from "./nli/cache.js";
export * from "./nli/cluster.js";
export * from "./nli/model.js";
export * from "./embedding/linkage.js";
export * from "./embedding/model.js";
export * from "./model-scorer.js";
