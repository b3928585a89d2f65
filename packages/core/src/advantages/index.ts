// GRPO advantages of @sentrl/core (CONTRACTS §3, ALGORITHMS §6.2).
export { broadcastAdvantages, type GrpoAdvantageOptions, grpoAdvantages } from "./grpo.js";
export {
  type AdvantageEstimator,
  type AdvantageEstimatorDefinition,
  advantageEstimatorDefinitions,
  drGrpoAdvantageEstimator,
  grpoAdvantageEstimator,
} from "./estimator.js";
