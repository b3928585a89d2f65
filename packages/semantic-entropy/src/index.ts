/** @sentrl/semantic-entropy: Semantic entropy of sampled answers: answer clustering and the discrete / likelihood estimators. */
export {};
