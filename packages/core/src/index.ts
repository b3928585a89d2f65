/** @sentrl/core: contracts, plugin driver, strategy registries, GRPO advantages, the policy-loss library. */
export * from "./errors.js";
export * from "./contracts/token-batch.js";
export * from "./contracts/policy-loss.js";
export * from "./contracts/generator.js";
export * from "./contracts/verifier.js";
export * from "./contracts/policy.js";
export * from "./contracts/dataset.js";
export * from "./losses/index.js";
export * from "./advantages/index.js";
export * from "./plugins/index.js";
export * from "./config/index.js";
export * from "./rng/index.js";
export * from "./io/index.js";
export * from "./trainer/index.js";
export * from "./selection/index.js";
