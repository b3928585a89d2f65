/** @sentrl/token-entropy-kl: SENT's token-level loss: KL on low-entropy, high-covariance tokens (code-intended, code-exact and paper modes). */
export {};
