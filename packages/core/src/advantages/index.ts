// GRPO advantages of @sentrl/core (docs/contracts.md §3, docs/algorithms.md §6.2).
export { broadcastAdvantages, type GrpoAdvantageOptions, grpoAdvantages } from "./grpo.js";
export {
  type AdvantageEstimator,
  type AdvantageEstimatorDefinition,
  advantageEstimatorDefinitions,
  drGrpoAdvantageEstimator,
  grpoAdvantageEstimator,
} from "./estimator.js";
