// The policy-loss library of @sentrl/core (docs/contracts.md §2, docs/algorithms.md §6).
export {
  aggregate,
  aggregationWeights,
  rowAggregationWeights,
  LOSS_AGG_MODES,
  MASKED_MEAN_EPS,
  maskedMean,
  weightedSum,
} from "./aggregation.js";
export { assertKlLossType, isStraightThroughKl, KL_BASE_TYPES, KL_LOSS_TYPES, klAccumulate, klPenalty } from "./kl.js";
export {
  GRPO_DEFAULTS,
  type GrpoClip,
  type GrpoOptions,
  type GrpoTermBuffers,
  grpoLoss,
  grpoTokenTerms,
  grpoWorkspaceBuffers,
  resolveGrpoClip,
} from "./grpo.js";
export { type AbsKlTerms, absKlTerms } from "./abs-kl.js";
export { evaluatePolicyLoss, type PolicyLossOutput } from "./evaluate.js";
export { combineMicroBatches, type MicroBatchCombination, microBatchWeights } from "./micro-batch.js";
export { badLossOption, checkNumberOption, LossOptionError, withLossDefaults } from "./option-checks.js";
export { COMMON_LOSS_KEYS, type ResolvedLossOptions, resolveLossOptions, validateCommonOptions } from "./options.js";
export { createPolicyLossRegistry, type PolicyLossRegistry } from "./registry.js";
export {
  type GradcheckOptions,
  type GradcheckResult,
  gradcheck,
  gradcheckPolicyLoss,
  type PolicyLossGradcheck,
} from "./gradcheck.js";
export { validateTokenBatch } from "./validate.js";
export { createLossWorkspace } from "./workspace.js";
export { lossOutputToJson, tokenBatchFromJson } from "./json.js";
