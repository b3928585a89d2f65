/** @sentrl/entropy-baselines: entropy-control baselines as sentrl policy losses (KL-Cov, Clip-Cov, 80/20 mask, entropy advantage). */
// KL-Cov's token term lives in core (shared with SENT); re-exported here for compatibility.
export { absKlTerms } from "@sentrl/core";
export { KL_COV_DEFAULTS, type KlCovOptions, type KlCovSelection, klCovLoss, klCovSelect } from "./kl-cov.js";
export {
  CLIP_COV_DEFAULTS,
  type ClipCovOptions,
  type ClipCovSelection,
  clipCovLoss,
  clipCovSelect,
} from "./clip-cov.js";
export { ClipCovRng, partialShuffle } from "./prng.js";
export {
  HIGH_ENTROPY_MASK_DEFAULTS,
  type HighEntropyMaskOptions,
  type HighEntropyMaskSelection,
  highEntropyMaskLoss,
  highEntropySelect,
} from "./high-entropy-mask.js";
export {
  ENTROPY_ADVANTAGE_DEFAULTS,
  type EntropyAdvantageOptions,
  entropyAdvantageLoss,
  shapeAdvantages,
} from "./entropy-advantage.js";
export { type EntropyBaselinesPlugin, entropyBaselinesPlugin, policyLossDefinitions } from "./plugin.js";
